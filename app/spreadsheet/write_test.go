package spreadsheet

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestFenText(t *testing.T) {
	for f, want := range map[Fen]string{0: "0.00", 5: "0.05", 100: "1.00", -1: "-0.01", 123456: "1234.56",
		-100_000_000_00: "-100000000.00", math.MinInt64: "-92233720368547758.08"} {
		if got := f.text(); got != want {
			t.Errorf("Fen(%d) is %q, want %q", int64(f), got, want)
		}
	}
}

var testSheet = Sheet{Name: "捐赠明细", Columns: []Column{{Title: "编号", Width: 8}, {Title: "金额", Width: 16},
	{Title: "状态", Width: 6}, {Title: "日期", Width: 12}, {Title: "备注", Width: 30}},
	TotalLabel: "合计（%d 行）", Amount: 1, Subtotal: &Subtotal{Column: 2, Value: "有效", Label: "其中有效（%d 行）"}}

var testDay = DateOf(time.Date(2026, 3, 1, 23, 0, 0, 0, time.FixedZone("CST", 8*3600)))

func TestCSVWriterWritesTheExactFile(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSV(&buf, testSheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]any{
		{int64(1), Fen(123456), "有效", testDay, `=HYPERLINK("http://evil")`},
		{int64(2), Fen(-5), "已冲销", nil, "+86 138"},
		{int64(3), Fen(0), "", testDay, "@x,\"y\""},
	} {
		if err := w.Row(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\ufeff编号,金额,状态,日期,备注\r\n" +
		"1,1234.56,有效,2026-03-01,\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n" +
		"2,-0.05,已冲销,,'+86 138\r\n" +
		"3,0.00,,2026-03-01,\"'@x,\"\"y\"\"\"\r\n"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
	if err := w.Row([]any{1.5}); err == nil {
		t.Error("a float cell was written")
	}
}

func TestXLSXWriterWritesTotalsAndFormats(t *testing.T) {
	w, err := NewXLSX(testSheet)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, row := range [][]any{
		{int64(1), Fen(123456), "有效", testDay, `=HYPERLINK("http://evil")`},
		{int64(2), Fen(-5), "已冲销", nil, ""},
		{int64(3), Fen(100_000_000_00), "有效", testDay, "季度末"},
	} {
		if err := w.Row(row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := w.Finish(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const sheet = "捐赠明细"
	if got := x.GetSheetList(); fmt.Sprint(got) != "["+sheet+"]" {
		t.Fatalf("sheets %v", got)
	}
	if p, err := x.GetPanes(sheet); err != nil || !p.Freeze || p.YSplit != 1 || p.TopLeftCell != "A2" {
		t.Errorf("header not frozen: %+v %v", p, err)
	}
	for i, col := range testSheet.Columns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if w, err := x.GetColWidth(sheet, name); err != nil || w != col.Width {
			t.Errorf("column %s is %v wide (%v), want %v", name, w, err, col.Width)
		}
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := `[[编号 金额 状态 日期 备注] [1 1,234.56 有效 2026-03-01 =HYPERLINK("http://evil")] [2 -0.05 已冲销] ` +
		`[3 100,000,000.00 有效 2026-03-01 季度末] [合计（3 行） 100,001,234.51] [其中有效（2 行） 100,001,234.56]]`
	if fmt.Sprint(rows) != want {
		t.Errorf("rows\n%v\nwant\n%v", rows, want)
	}
	for cell, want := range map[string]string{"B2": "1234.56", "D2": "46082", "B3": "-0.05"} {
		if raw, _ := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true}); raw != want {
			t.Errorf("%s stores %q, want %q", cell, raw, want)
		}
	}
	for cell, want := range map[string]string{"B5": "SUM(B2:B4)", "B6": `SUMIF(C2:C4,"有效",B2:B4)`} {
		if f, _ := x.GetCellFormula(sheet, cell); f != want {
			t.Errorf("%s's formula is %q, want %q", cell, f, want)
		}
	}
	for _, cell := range []string{"A1", "A5"} {
		id, _ := x.GetCellStyle(sheet, cell)
		if st, err := x.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s is not bold: %+v %v", cell, st, err)
		}
	}
}

func TestXLSXWriterWithoutRowsHasTotalsWithoutFormulas(t *testing.T) {
	w, err := NewXLSX(Sheet{Name: "账本分录", Columns: []Column{{Title: "摘要", Width: 10}, {Title: "金额", Width: 10}},
		TotalLabel: "合计（%d 行）", Amount: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var buf bytes.Buffer
	if err := w.Finish(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("账本分录")
	if fmt.Sprint(rows) != "[[摘要 金额] [合计（0 行） 0.00]]" {
		t.Errorf("rows %v", rows)
	}
	if f, _ := x.GetCellFormula("账本分录", "B2"); f != "" {
		t.Errorf("formula %q over no rows", f)
	}
}
