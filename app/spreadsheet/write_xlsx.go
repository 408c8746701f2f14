package spreadsheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// XLSXWriter writes a sheet through excelize's stream writer, which keeps at most 16 MB of rows in memory and the
// rest in a temporary file: a bold frozen header row, widths per column, amounts as numbers formatted #,##0.00,
// dates as dates, and totals lines under the rows as formulas with their values already worked out (exactly, in
// fen), so the file shows them before Excel recalculates and other readers see them too.
type XLSXWriter struct {
	f                      *excelize.File
	sw                     *excelize.StreamWriter
	sheet                  Sheet
	moneyStyle, dateStyle  int
	totalStyle, totalMoney int
	rows                   int
	sum, subtotal          Fen
	subtotalRows           int
	amountCol, subtotalCol string // column letters
}

// NewXLSX starts a workbook of one sheet with its header row. Close frees it, whether or not it was finished.
func NewXLSX(s Sheet) (_ *XLSXWriter, err error) {
	f := excelize.NewFile()
	defer func() {
		if err != nil {
			_ = f.Close()
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), s.Name); err != nil {
		return nil, err
	}
	_ = f.SetDocProps(&excelize.DocProperties{Title: s.Name, Creator: "Guanai"})
	t := &XLSXWriter{f: f, sheet: s}
	headerStyle, err := t.styles()
	if err != nil {
		return nil, err
	}
	if t.sw, err = f.NewStreamWriter(s.Name); err != nil {
		return nil, err
	}
	if err := t.header(headerStyle); err != nil {
		return nil, err
	}
	if t.amountCol, err = excelize.ColumnNumberToName(s.Amount + 1); err != nil {
		return nil, err
	}
	if s.Subtotal != nil {
		if t.subtotalCol, err = excelize.ColumnNumberToName(s.Subtotal.Column + 1); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// styles makes the cell styles and returns the header's.
func (t *XLSXWriter) styles() (header int, err error) {
	bold := &excelize.Font{Bold: true}
	moneyFormat := "#,##0.00"
	dateFormat := "yyyy-mm-dd"
	above := []excelize.Border{{Type: "top", Color: "9CA3AF", Style: 1}}
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&header, &excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E5E7EB"}},
			Border: []excelize.Border{{Type: "bottom", Color: "9CA3AF", Style: 1}}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&t.moneyStyle, &excelize.Style{CustomNumFmt: &moneyFormat}},
		{&t.dateStyle, &excelize.Style{CustomNumFmt: &dateFormat}},
		{&t.totalStyle, &excelize.Style{Font: bold, Border: above}},
		{&t.totalMoney, &excelize.Style{Font: bold, CustomNumFmt: &moneyFormat, Border: above}},
	} {
		if *s.id, err = t.f.NewStyle(s.style); err != nil {
			return 0, err
		}
	}
	return header, nil
}

// header sets the widths, freezes the first row and writes it.
func (t *XLSXWriter) header(style int) error {
	cols := t.sheet.Columns
	// Right to left: excelize puts each new width in front of the others, and Excel wants them in column order.
	for i := len(cols) - 1; i >= 0; i-- {
		if err := t.sw.SetColWidth(i+1, i+1, cols[i].Width); err != nil {
			return err
		}
	}
	if err := t.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	cells := make([]any, len(cols))
	for i, col := range cols {
		cells[i] = excelize.Cell{StyleID: style, Value: col.Title}
	}
	return t.sw.SetRow("A1", cells, excelize.RowOpts{Height: 20})
}

// Row writes one row of cells.
func (t *XLSXWriter) Row(cells []any) error {
	out := make([]any, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil, int64:
			out[i] = v
		case string:
			if v != "" {
				out[i] = v
			}
		case Fen:
			out[i] = excelize.Cell{StyleID: t.moneyStyle, Value: v.yuan()}
		case Date:
			out[i] = excelize.Cell{StyleID: t.dateStyle, Value: v.t}
		default:
			return fmt.Errorf("xlsx: a cell of type %T", v)
		}
	}
	amount, _ := cells[t.sheet.Amount].(Fen)
	t.sum += amount
	if st := t.sheet.Subtotal; st != nil && cells[st.Column] == st.Value {
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

// Finish writes the totals under the rows, then the workbook to w. Once the first byte is out a failure can only
// cut the file short, which a browser reports.
func (t *XLSXWriter) Finish(w io.Writer) error {
	if err := t.totals(); err != nil {
		return err
	}
	if err := t.sw.Flush(); err != nil {
		return err
	}
	return t.f.Write(w)
}

// Close frees the workbook and its temporary files.
func (t *XLSXWriter) Close() error { return t.f.Close() }

// totals writes the totals lines right under the rows: the sum of every row and, with a Subtotal, of its rows.
func (t *XLSXWriter) totals() error {
	last := t.rows + 1
	amounts := fmt.Sprintf("%s2:%s%d", t.amountCol, t.amountCol, last)
	if err := t.totalLine(last+1, fmt.Sprintf(t.sheet.TotalLabel, t.rows), t.sum, "SUM("+amounts+")"); err != nil {
		return err
	}
	if st := t.sheet.Subtotal; st != nil {
		formula := fmt.Sprintf(`SUMIF(%s2:%s%d,"%s",%s)`, t.subtotalCol, t.subtotalCol, last, st.Value, amounts)
		return t.totalLine(last+2, fmt.Sprintf(st.Label, t.subtotalRows), t.subtotal, formula)
	}
	return nil
}

// totalLine writes one totals line: its label first, the amount as formula and value in the amount column.
func (t *XLSXWriter) totalLine(row int, label string, amount Fen, formula string) error {
	cells := make([]any, len(t.sheet.Columns))
	for i := range cells {
		cells[i] = excelize.Cell{StyleID: t.totalStyle}
	}
	cells[0] = excelize.Cell{StyleID: t.totalStyle, Value: label}
	total := excelize.Cell{StyleID: t.totalMoney, Value: amount.yuan()}
	if t.rows > 0 {
		total.Formula = formula
	}
	cells[t.sheet.Amount] = total
	cell, err := excelize.CoordinatesToCellName(1, row)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, cells)
}
