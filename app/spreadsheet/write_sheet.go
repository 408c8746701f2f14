package spreadsheet

import (
	"strconv"
	"time"
)

// Sheet is the shape of a table to write: the same for its CSV and its XLSX. A row's cells are string, int64, Fen,
// Date or nil (empty), one a column.
type Sheet struct {
	Name    string // the XLSX sheet's name
	Columns []Column
	// Totals under the rows, in the XLSX only (the CSV is the exact record, to be summed by other programs): the
	// label of the line that sums column Amount, a format with one %d for the number of rows (合计（%d 行）).
	TotalLabel string
	Amount     int
	Subtotal   *Subtotal // a second totals line, or nil
}

// Column is one column: its header and its width in Excel's character widths.
type Column struct {
	Title string
	Width float64
}

// Subtotal sums the amounts of the rows whose cell in Column is Value, under a label made like Sheet.TotalLabel.
type Subtotal struct {
	Column int
	Value  string
	Label  string
}

// Fen is an amount of money in fen, the integer the fund keeps: 1234.56 in a CSV, the number 1234.56 under the
// format #,##0.00 in an XLSX. (Fen and not domain.Money: this package knows file formats, not the fund.)
type Fen int64

// text is the amount as a CSV holds it: -1234.56, always two decimals.
func (f Fen) text() string {
	abs := uint64(f)
	if f < 0 {
		abs = -abs
	}
	s := strconv.FormatUint(abs/100, 10) + "." + string([]byte{byte('0' + abs%100/10), byte('0' + abs%10)})
	if f < 0 {
		return "-" + s
	}
	return s
}

// yuan is the amount as the number Excel stores. float64(fen)/100 is the double nearest the exact decimal (both
// operands are exact and division rounds correctly), and Excel shows it back to the fen up to ¥90 trillion; the
// totals are summed in fen, never in floats.
func (f Fen) yuan() float64 { return float64(f) / 100 }

// Date is a calendar date in a cell: 2026-03-01 in a CSV, a date Excel knows in an XLSX.
type Date struct{ t time.Time } // midnight UTC of the date, which is what Excel's date numbers count from

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (d Date) String() string { return d.t.Format("2006-01-02") }
