package app

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"guanai/domain"
)

// exportTable is a file being made, row by row.
type exportTable interface {
	row(cells []any) error
	send(c echo.Context) error // finishes the file and writes it as the response
	close()                    // frees what the file used; after send or instead of it
}

// exportCSVTable writes UTF-8 with a BOM (so Excel in China reads it as UTF-8, not GBK), CRLF line ends, the headers,
// and the rows, into a temporary file: memory stays small however many rows there are. It has no totals line:
// the CSV is the exact record, to be summed and imported by other programs.
type exportCSVTable struct {
	f   *os.File
	buf *bufio.Writer
	w   *csv.Writer
}

func newExportCSV(kind exportKind) (*exportCSVTable, error) {
	f, err := os.CreateTemp("", "guanai-export-*.csv")
	if err != nil {
		return nil, err
	}
	t := &exportCSVTable{f: f, buf: bufio.NewWriterSize(f, 64<<10)}
	t.w = csv.NewWriter(t.buf)
	t.w.UseCRLF = true
	_, _ = t.buf.WriteString("\ufeff") // a bufio error comes back at Flush
	titles := make([]any, len(kind.columns))
	for i, col := range kind.columns {
		titles[i] = col.title
	}
	if err := t.row(titles); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// exportCSVText defuses text a spreadsheet would run as a formula (=, +, -, @ first, OWASP's "CSV injection"): a donor's
// name or a note is typed by people outside the fund, and the file is opened by finance in Excel.
func exportCSVText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// exportXLSXTable writes one sheet through excelize's stream writer, which keeps at most 16 MB of rows in memory and
// the rest in a temporary file: a bold frozen header row, widths per column, amounts as numbers formatted
// #,##0.00, dates as dates, and totals lines under the rows as formulas with their values already worked out
// (exactly, in fen), so the file shows them before Excel recalculates and other readers see them too.
type exportXLSXTable struct {
	f                        *excelize.File
	sw                       *excelize.StreamWriter
	kind                     exportKind
	moneyStyle, dateStyle    int
	totalStyle, totalMoney   int
	rows                     int
	sum, subtotal            domain.Money
	subtotalRows             int
	moneyColumn, subtotalCol string
	subtotalValue            string // what the subtotal's column says on the rows it counts
}

func newExportXLSX(kind exportKind, zh exportLabel) (_ *exportXLSXTable, err error) {
	f := excelize.NewFile()
	defer func() {
		if err != nil {
			_ = f.Close()
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), kind.name); err != nil {
		return nil, err
	}
	_ = f.SetDocProps(&excelize.DocProperties{Title: kind.name, Creator: "Guanai"})
	t := &exportXLSXTable{f: f, kind: kind}
	bold := &excelize.Font{Bold: true}
	moneyFormat := "#,##0.00"
	dateFormat := "yyyy-mm-dd"
	var headerStyle int
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&headerStyle, &excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E5E7EB"}},
			Border: []excelize.Border{{Type: "bottom", Color: "9CA3AF", Style: 1}}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&t.moneyStyle, &excelize.Style{CustomNumFmt: &moneyFormat}},
		{&t.dateStyle, &excelize.Style{CustomNumFmt: &dateFormat}},
		{&t.totalStyle, &excelize.Style{Font: bold, Border: []excelize.Border{{Type: "top", Color: "9CA3AF", Style: 1}}}},
		{&t.totalMoney, &excelize.Style{Font: bold, CustomNumFmt: &moneyFormat, Border: []excelize.Border{{Type: "top", Color: "9CA3AF", Style: 1}}}},
	} {
		if *s.id, err = f.NewStyle(s.style); err != nil {
			return nil, err
		}
	}
	if t.sw, err = f.NewStreamWriter(kind.name); err != nil {
		return nil, err
	}
	// Right to left: excelize puts each new width in front of the others, and Excel wants them in column order.
	for i := len(kind.columns) - 1; i >= 0; i-- {
		if err := t.sw.SetColWidth(i+1, i+1, kind.columns[i].width); err != nil {
			return nil, err
		}
	}
	if err := t.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}
	header := make([]any, len(kind.columns))
	for i, col := range kind.columns {
		header[i] = excelize.Cell{StyleID: headerStyle, Value: col.title}
	}
	if err := t.sw.SetRow("A1", header, excelize.RowOpts{Height: 20}); err != nil {
		return nil, err
	}
	if t.moneyColumn, err = excelize.ColumnNumberToName(kind.money + 1); err != nil {
		return nil, err
	}
	if kind.subtotal != nil {
		t.subtotalValue = zh(kind.subtotal.valueKey)
		if t.subtotalCol, err = excelize.ColumnNumberToName(kind.subtotal.col + 1); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// exportYuan is an amount as the number Excel stores. float64(fen)/100 is the double nearest the exact decimal (both
// operands are exact and division rounds correctly), and Excel shows it back to the fen up to ¥90 trillion; the
// totals are summed in fen, never in floats.
func exportYuan(m domain.Money) float64 { return float64(m) / 100 }

func (t *exportCSVTable) row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil:
		case string:
			rec[i] = exportCSVText(v)
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case domain.Money:
			rec[i] = v.Plain()
		case exportDate:
			rec[i] = v.String()
		default:
			return fmt.Errorf("csv export: a cell of type %T", v)
		}
	}
	return t.w.Write(rec)
}

func (t *exportCSVTable) send(c echo.Context) error {
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return err
	}
	if err := t.buf.Flush(); err != nil {
		return err
	}
	size, err := t.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	return c.Stream(http.StatusOK, "text/csv; charset=utf-8", t.f)
}

func (t *exportCSVTable) close() {
	_ = t.f.Close()
	_ = os.Remove(t.f.Name())
}

func (t *exportXLSXTable) row(cells []any) error {
	out := make([]any, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil, int64:
			out[i] = v
		case string:
			if v != "" {
				out[i] = v
			}
		case domain.Money:
			out[i] = excelize.Cell{StyleID: t.moneyStyle, Value: exportYuan(v)}
		case exportDate:
			out[i] = excelize.Cell{StyleID: t.dateStyle, Value: v.t}
		default:
			return fmt.Errorf("xlsx export: a cell of type %T", v)
		}
	}
	amount, _ := cells[t.kind.money].(domain.Money)
	t.sum += amount
	if st := t.kind.subtotal; st != nil && cells[st.col] == t.subtotalValue {
		t.subtotal += amount
		t.subtotalRows++
	}
	t.rows++
	cell, err := excelize.CoordinatesToCellName(1, t.rows+1)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, out)
}

// totals writes the totals lines right under the rows: 合计 (every row) and, for donations and disbursements,
// the subtotal of the rows that count (其中有效, 其中已支付).
func (t *exportXLSXTable) totals() error {
	last := t.rows + 1
	amounts := fmt.Sprintf("%s2:%s%d", t.moneyColumn, t.moneyColumn, last)
	line := func(row int, label string, amount domain.Money, formula string) error {
		cells := make([]any, len(t.kind.columns))
		for i := range cells {
			cells[i] = excelize.Cell{StyleID: t.totalStyle}
		}
		cells[0] = excelize.Cell{StyleID: t.totalStyle, Value: label}
		total := excelize.Cell{StyleID: t.totalMoney, Value: exportYuan(amount)}
		if t.rows > 0 {
			total.Formula = formula
		}
		cells[t.kind.money] = total
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return t.sw.SetRow(cell, cells)
	}
	if err := line(last+1, fmt.Sprintf("合计（%d 行）", t.rows), t.sum, "SUM("+amounts+")"); err != nil {
		return err
	}
	if st := t.kind.subtotal; st != nil {
		formula := fmt.Sprintf(`SUMIF(%s2:%s%d,"%s",%s)`, t.subtotalCol, t.subtotalCol, last, t.subtotalValue, amounts)
		return line(last+2, fmt.Sprintf("%s（%d 行）", st.label, t.subtotalRows), t.subtotal, formula)
	}
	return nil
}

func (t *exportXLSXTable) send(c echo.Context) error {
	if err := t.totals(); err != nil {
		return err
	}
	if err := t.sw.Flush(); err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	res.WriteHeader(http.StatusOK)
	// Once the first byte is out a failure can only cut the download short, which the browser reports.
	return t.f.Write(res)
}

func (t *exportXLSXTable) close() { _ = t.f.Close() }
