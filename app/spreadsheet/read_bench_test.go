package spreadsheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// statementCSV is a bank's CSV export of lines as Excel in China saves it: GBK, account details above the header.
func statementCSV(t testing.TB, lines int) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("中国工商银行账户明细\n账号：,3301040000001234\n交易日期,对方户名,对方账号,借方金额,贷方金额,余额,交易流水号,摘要,附言,交易时间\n")
	for i := range lines {
		fmt.Fprintf(&b, "2026/3/%d,捐赠人%d,6222%012d,,\"%d.%02d\",\"1,%06d.00\",B%08d,捐赠医务人员,抗疫捐款,10:%02d:%02d\n",
			1+i%28, i%700, i, 100+i%97, i%100, i, i, i%60, i%60)
	}
	return gbk(t, b.String())
}

func benchmarkRead(b *testing.B, name string, file []byte, lim Limits, read func(string, io.Reader, Limits) ([][]string, error)) {
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := read(name, bytes.NewReader(file), lim)
		if err != nil || len(rows) < 5000 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}

// BenchmarkReadStatementXLSX reads a statement of 5,000 lines, the most there may be (its three lines above the
// lines of money included), as the statement upload does.
func BenchmarkReadStatementXLSX(b *testing.B) {
	benchmarkRead(b, "s.xlsx", statementWorkbook(b, 4997), statementLimits, Read)
}

func BenchmarkReadStatementCSV(b *testing.B) {
	benchmarkRead(b, "s.csv", statementCSV(b, 4997), statementLimits, Read)
}

// BenchmarkReadEligibilityXLSX reads the largest list there is, 50,000 people in 6 columns, as the eligibility
// upload does (as stored).
func BenchmarkReadEligibilityXLSX(b *testing.B) {
	x := excelize.NewFile()
	defer x.Close()
	sw, _ := x.NewStreamWriter("Sheet1")
	_ = sw.SetRow("A1", []any{"姓名", "手机号", "医院", "类别", "工号", "科室"})
	for i := range 50000 {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{fmt.Sprintf("周建%d", i), fmt.Sprintf("139%08d", i), "杭州市疾病预防控制中心",
			"定点医院一线医务人员", fmt.Sprintf("E%06d", i), "内科"})
	}
	_ = sw.Flush()
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		b.Fatal(err)
	}
	lim := Limits{MaxBytes: 10 << 20, MaxUnzipped: 40 << 20, MaxCells: 800_000, MaxRows: 50001, MaxColumns: 50}
	benchmarkRead(b, "list.xlsx", buf.Bytes(), lim, ReadValues)
}
