package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"guanai/app/spreadsheet/sheettest"
)

// statementLimits are the app's for a bank statement.
var statementLimits = Limits{MaxBytes: 10 << 20, MaxUnzipped: 16 << 20, MaxCells: 200_000, MaxRows: 5000, MaxColumns: 200}

// allocated is what f allocates, garbage included: what a reading costs in memory, and a measure of its work.
// The tests that use it do not run in parallel, so the figure is theirs alone.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

func TestReadCSVInItsEncodings(t *testing.T) {
	text := "交易日期,对方户名,金额\n2026-03-01,王芳,\"1,234.56\"\r\n2026-03-02,杭州某某科技有限公司,50000.00\n"
	want := "[[交易日期 对方户名 金额] [2026-03-01 王芳 1,234.56] [2026-03-02 杭州某某科技有限公司 50000.00]]"
	for _, c := range []struct {
		name string
		file []byte
	}{
		{"utf8.csv", []byte(text)},
		{"bom.CSV", []byte("\ufeff" + text)},
		{"gbk.csv", gbk(t, text)},
		{"gbk.txt", gbk(t, text)},
	} {
		rows, err := Read(c.name, bytes.NewReader(c.file), statementLimits)
		if err != nil || fmt.Sprint(rows) != want {
			t.Errorf("%s: %q %v", c.name, rows, err)
		}
	}
}

func TestReadKeepsBlankRowsBetweenRowsOnly(t *testing.T) {
	// A CSV's empty lines are not rows (encoding/csv skips them); a line of empty fields is a blank row.
	rows, err := Read("a.csv", strings.NewReader("\n a,b\n\n,\n c\n , \n\n"), statementLimits)
	if err != nil || fmt.Sprintf("%q", rows) != `[[" a" "b"] [] [" c"]]` {
		t.Errorf("csv: %q %v", rows, err)
	}
	// An XLSX's missing and blank rows keep their places, up to the last row with something in it.
	cell := func(ref, s string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + s + `</t></is></c>` }
	sheet := sheettest.Sheet(`<row r="2">`+cell("A2", "a")+`</row><row r="3">`+cell("B3", " ")+`</row>`+
		`<row r="5">`+cell("B5", "b")+`</row><row r="7">`+cell("A7", " ")+`</row>`, 1)
	rows, err = Read("a.xlsx", bytes.NewReader(sheettest.Workbook(sheet)), statementLimits)
	if err != nil || fmt.Sprintf("%q", rows) != `[[] ["a"] [] [] ["" "b"]]` {
		t.Errorf("xlsx: %q %v", rows, err)
	}
}

// TestReadRefusesQuicklyAndCheaply feeds the reader files built to cost it time or memory, each under the upload
// limit: each is refused with its own error, having allocated no more than a generous bound.
func TestReadRefusesQuicklyAndCheaply(t *testing.T) {
	const mb = 1 << 20
	inline := `<row><c t="inlineStr"><is><t>2026-03-01</t></is></c><c t="inlineStr"><is><t>王芳</t></is></c>` +
		`<c><v>100</v></c><c t="inlineStr"><is><t>R1</t></is></c></row>`
	far := `<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>` +
		`<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>b</t></is></c></row>`
	lying := sheettest.Sheet(inline, 256*mb/len(inline))
	lying.Declared = 64 << 10
	styles := sheettest.Part{Name: "xl/styles.xml", Repeat: mb / 5, Body: `<xf/>`,
		Head: `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`, Tail: `</cellXfs></styleSheet>`}
	strings5 := sheettest.Part{Name: "xl/sharedStrings.xml", Repeat: 5 * mb / 5, Body: `<si/>`,
		Head: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, Tail: `</sst>`}
	for _, c := range []struct {
		name  string
		file  []byte
		want  error
		bound uint64
	}{
		{"bomb.xlsx", sheettest.Bomb(256 * mb), ErrTooLarge, 100 * mb},
		{"lying.xlsx", sheettest.Workbook(lying), ErrUnreadable, 100 * mb},
		{"rows.xlsx", sheettest.Workbook(sheettest.Sheet(inline, 100_000)), ErrTooManyRows, 100 * mb},
		{"empty-rows.xlsx", sheettest.Workbook(sheettest.Sheet(`<row/>`, 2_000_000)), ErrTooManyBlankRows, 100 * mb},
		{"far-row.xlsx", sheettest.Workbook(sheettest.Sheet(far, 1)), ErrTooManyBlankRows, 100 * mb},
		{"wide.xlsx", sheettest.Workbook(sheettest.Sheet(`<row>`+strings.Repeat(`<c><v>1</v></c>`, 201)+`</row>`, 1)), ErrTooManyColumns, 100 * mb},
		{"styles.xlsx", sheettest.Workbook(sheettest.Sheet(inline, 1), styles), ErrTooLarge, 100 * mb},
		{"strings.xlsx", sheettest.Workbook(sheettest.Sheet(inline, 1), strings5), ErrTooLarge, 100 * mb},
		{"lines.csv", bytes.Repeat([]byte("1\n"), 9*mb/2), ErrTooManyRows, 100 * mb},
		{"newlines.csv", bytes.Repeat([]byte("\n"), 9*mb), ErrTooManyBlankRows, 100 * mb},
		{"crlf.csv", bytes.Repeat([]byte("\r\n"), 9*mb/2), ErrTooManyBlankRows, 100 * mb},
		{"commas-lines.csv", bytes.Repeat([]byte(",\n"), 9*mb/2), ErrTooManyBlankRows, 100 * mb},
		{"commas.csv", bytes.Repeat([]byte(","), 9*mb), ErrTooManyColumns, 100 * mb},
		{"quoted-lines.csv", bytes.Repeat([]byte("\"\n\","), 9*mb/4), ErrTooManyColumns, 100 * mb},
		{"big.csv", bytes.Repeat([]byte("a,b\n"), 11*mb/4), ErrFileTooLarge, 100 * mb},
		{"statement.pdf", []byte("%PDF-1.4"), ErrUnreadable, mb},
		{"statement.xlsx", []byte("not a zip"), ErrUnreadable, mb},
	} {
		var err error
		alloc := allocated(func() { _, err = Read(c.name, bytes.NewReader(c.file), statementLimits) })
		t.Logf("%-18s %6d KB file: %v, %.1f MB allocated", c.name, len(c.file)>>10, err, float64(alloc)/mb)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if alloc > c.bound {
			t.Errorf("%s: %d MB allocated, want at most %d", c.name, alloc/mb, c.bound/mb)
		}
	}
}

// TestReadCountsCells: an XLSX's cells are bounded (its rows and columns each within their limits here), and so is
// what reading them costs.
func TestReadCountsCells(t *testing.T) {
	lim := statementLimits
	lim.MaxCells = 20_000
	for _, c := range []struct {
		rows int
		want error
	}{{487, nil}, {488, ErrTooLarge}} { // 41 cells a row: 19,967 and 20,008
		file := sheettest.Workbook(sheettest.Sheet(`<row>`+strings.Repeat(`<c><v>1</v></c>`, 41)+`</row>`, c.rows))
		var err error
		alloc := allocated(func() { _, err = Read("cells.xlsx", bytes.NewReader(file), lim) })
		if !errors.Is(err, c.want) || alloc > 100<<20 {
			t.Errorf("%d rows: %v, %d MB allocated", c.rows, err, alloc>>20)
		}
	}
}

// TestReadLimitsAreInclusive: exactly MaxRows rows, blank rows and MaxColumns cells are read.
func TestReadLimitsAreInclusive(t *testing.T) {
	lim := Limits{MaxBytes: 1 << 20, MaxUnzipped: 1 << 20, MaxRows: 3, MaxColumns: 2}
	for _, c := range []struct {
		csv  string
		want error
	}{
		{"a,b\nc,d\ne,f\n", nil},
		{"a,b\nc,d\ne,f\ng\n", ErrTooManyRows},
		{"a,b,\n", ErrTooManyColumns},
		{"\n,\n\r\na\n", nil},
		{"\n,\n\r\n\na\n", ErrTooManyBlankRows},
		{"\"a\nb\",\"c,d\"\n", nil},
		{"\"a\nb\",\"c,d\",\n", ErrTooManyColumns},
	} {
		if _, err := Read("a.csv", strings.NewReader(c.csv), lim); !errors.Is(err, c.want) {
			t.Errorf("%q: %v, want %v", c.csv, err, c.want)
		}
	}
}

// statementWorkbook is a bank statement as an XLSX export has it: two lines above the header, dates as date cells
// in Excel's short formats, amounts as numbers.
func statementWorkbook(t testing.TB, lines int) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	short, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	monthYear, _ := x.NewStyle(&excelize.Style{NumFmt: 17})
	money, _ := x.NewStyle(&excelize.Style{NumFmt: 4})
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{{"中国工商银行账户明细"}, {"账号：", "3301040000001234"},
		{"交易日期", "记账日期", "对方户名", "对方账号", "借方金额", "贷方金额", "余额", "交易流水号", "摘要", "附言"}}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range lines {
		rows = append(rows, []any{excelize.Cell{StyleID: short, Value: day}, excelize.Cell{StyleID: monthYear, Value: day},
			fmt.Sprintf("捐赠人%d", i%700), fmt.Sprintf("6222%012d", i), nil, excelize.Cell{StyleID: money, Value: 100 + float64(i%97)},
			excelize.Cell{StyleID: money, Value: 1e6 + float64(i)}, fmt.Sprintf("B%08d", i), "捐赠医务人员", "抗疫捐款"})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadShowsCellsWithDatesWholeAndReadValuesAsStored(t *testing.T) {
	file := statementWorkbook(t, 2)
	shown, err := Read("s.xlsx", bytes.NewReader(file), statementLimits)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := ReadValues("s.xlsx", bytes.NewReader(file), statementLimits)
	if err != nil {
		t.Fatal(err)
	}
	// Excel's short formats show 03-01-26 and Mar-26, and excelize formats them so: the dates are read whole.
	if got := shown[3]; fmt.Sprint(got) != "[2026-03-01 2026-03-01 捐赠人0 6222000000000000  100.00 1,000,000.00 B00000000 捐赠医务人员 抗疫捐款]" {
		t.Errorf("as shown: %q", got)
	}
	if got := stored[3]; fmt.Sprint(got) != "[46082 46082 捐赠人0 6222000000000000  100 1000000 B00000000 捐赠医务人员 抗疫捐款]" {
		t.Errorf("as stored: %q", got)
	}
	if len(shown) != 5 || shown[1][1] != "3301040000001234" || len(stored) != 5 {
		t.Errorf("rows %q", shown)
	}
}

func TestXLSXCell(t *testing.T) {
	for _, tc := range []struct{ formatted, raw, want string }{
		{"03-01-26", "46082", "2026-03-01"},
		{"Mar-26", "46082", "2026-03-01"},
		{"2026/3/1", "46082.5", "2026-03-01"},
		{"46082", "46082", "46082"},
		{"46,082.00", "46082", "46,082.00"},
		{"¥46,082.00", "46082", "¥46,082.00"},
		{"46,082.00元", "46082", "46,082.00元"},
		{"CNY 46,082.00", "46082", "CNY 46,082.00"},
		{"2026年3月1日", "46082", "2026-03-01"},
		{"2026.3.1", "46082", "2026-03-01"},
		{"12345678901234500000", "1.23456789012345E+19", "1.23456789012345E+19"},
		{"王芳", "王芳", "王芳"},
		{"01-01-70", "25569", "01-01-70"}, // 1970: not a statement date, left as written for the preview to refuse
	} {
		if got := xlsxCell(tc.formatted, tc.raw); got != tc.want {
			t.Errorf("xlsxCell(%q, %q) = %q, want %q", tc.formatted, tc.raw, got, tc.want)
		}
	}
}

func TestReadFileSizeKnownOrNot(t *testing.T) {
	lim := Limits{MaxBytes: 8, MaxUnzipped: 1 << 20, MaxRows: 10, MaxColumns: 10}
	for _, c := range []struct {
		file string
		want error
	}{{"a,b\nc,d\n", nil}, {"a,b\nc,d\ne", ErrFileTooLarge}} {
		for _, r := range []io.Reader{strings.NewReader(c.file), struct{ io.Reader }{strings.NewReader(c.file)}} {
			if _, err := Read("a.csv", r, lim); !errors.Is(err, c.want) {
				t.Errorf("%q from a %T: %v, want %v", c.file, r, err, c.want)
			}
		}
	}
}

// FuzzCSVGuard checks that the guard counts a record's fields as encoding/csv does, so that no CSV gets past
// MaxColumns by quoting that the guard reads otherwise, and none is refused for a width it does not have.
func FuzzCSVGuard(f *testing.F) {
	for _, seed := range []string{"a,b\n", "\"a\"\"b\",c\r\n", "\"a\"b,c\n", "\"a\"\r,b\n", "\"a\"\r\nb,c\n", "\r\n\r\n,\n",
		"a\r,b", "\"\n,\"\n", "x\"y,z\n\"", "\",\n\",\n", "\r\r\n,", "\"a\"\r", "a,\"b\nc\",d\n\ne,f"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		r := csv.NewReader(csvInput(file))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		widest := 0
		for {
			rec, err := r.Read()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Skip() // not a CSV encoding/csv reads, whatever the guard says
				}
				break
			}
			widest = max(widest, len(rec))
		}
		lim := Limits{MaxBytes: int64(len(file)), MaxRows: len(file) + 1, MaxColumns: widest}
		if _, err := Read("f.csv", bytes.NewReader(file), lim); err != nil {
			t.Fatalf("refused, with records of up to %d fields: %v", widest, err)
		}
		if widest > 0 {
			lim.MaxColumns = widest - 1
			if _, err := Read("f.csv", bytes.NewReader(file), lim); !errors.Is(err, ErrTooManyColumns) {
				t.Fatalf("records of %d fields read with MaxColumns %d: %v", widest, widest-1, err)
			}
		}
	})
}

// A few KB of workbook can still ask for a great deal of work: a number format thousands of characters long costs
// excelize the square of its length for every cell it formats, and one long shared string is copied out for every
// cell that refers to it. Excel's own bounds (255 characters a format, 32,767 a cell) and a bound on the bytes
// read in all refuse them cheaply.
func TestReadRefusesCostlyFormatsAndStrings(t *testing.T) {
	sst := func(s string) sheettest.Part {
		return sheettest.Part{Name: "xl/sharedStrings.xml", Head: `<?xml version="1.0" encoding="UTF-8"?><sst ` +
			`xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>` + s + `</t></si></sst>`}
	}
	format := sheettest.Part{Name: "xl/styles.xml", Head: `<?xml version="1.0" encoding="UTF-8"?><styleSheet ` +
		`xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="200" formatCode="` +
		strings.Repeat("0", 4000) + `"/></numFmts><cellXfs count="1"><xf numFmtId="200"/></cellXfs></styleSheet>`}
	cases := []struct {
		name string
		file []byte
	}{
		{"a 4,000-character number format", sheettest.Workbook(sheettest.Sheet(`<row><c s="0"><v>1</v></c></row>`, 10000), format)},
		{"a shared string longer than a cell", sheettest.Workbook(sheettest.Sheet(`<row><c t="s"><v>0</v></c></row>`, 1),
			sst(strings.Repeat("长", maxCellChars+1)))},
		{"one long string in many cells", sheettest.Workbook(sheettest.Sheet(`<row><c t="s"><v>0</v></c></row>`, 4000),
			sst(strings.Repeat("x", 30000)))},
	}
	for _, c := range cases {
		var err error
		mem := allocated(func() { _, err = Read("s.xlsx", bytes.NewReader(c.file), statementLimits) })
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", c.name, err)
		}
		if mem > 200<<20 {
			t.Errorf("%s: reading it allocated %d MB", c.name, mem>>20)
		}
	}
	// A real format and a real cell are read.
	ok := sheettest.Workbook(sheettest.Sheet(`<row><c t="s"><v>0</v></c></row>`, 3), sst("杭州某某科技有限公司"))
	if rows, err := Read("s.xlsx", bytes.NewReader(ok), statementLimits); err != nil || len(rows) != 3 || rows[0][0] != "杭州某某科技有限公司" {
		t.Errorf("an ordinary workbook: %q %v", rows, err)
	}
}
