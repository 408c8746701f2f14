// Package spreadsheet reads uploaded tables (CSV and XLSX) and writes exported ones. It knows file formats and
// nothing of the web or the database: the app turns its errors into pages, and its rows into business records.
//
// Reading is bounded in time and memory by the file's own size and by Limits, not by what the file claims to
// hold: rows are read one at a time and the reading stops at the first row past a limit, and a workbook's parts are
// checked against their unzipped sizes before any of them is unzipped.
package spreadsheet

import (
	"bytes"
	"errors"
	"io"
	"path"
	"strings"
)

// The refusals of Read. Compare with errors.Is; each has its own message for the person who uploaded the file.
var (
	// ErrUnreadable: neither a CSV nor an XLSX, or a damaged one.
	ErrUnreadable = errors.New("spreadsheet: unreadable file")
	// ErrFileTooLarge: the file itself is larger than Limits.MaxBytes.
	ErrFileTooLarge = errors.New("spreadsheet: file too large")
	// ErrTooLarge: an XLSX holds more than its rows can need: unzipped bytes (Limits.MaxUnzipped, and its parts' own
	// bounds) or cells (Limits.MaxCells).
	ErrTooLarge = errors.New("spreadsheet: workbook too large")
	// ErrTooManyRows: more than Limits.MaxRows rows with something in them.
	ErrTooManyRows = errors.New("spreadsheet: too many rows")
	// ErrTooManyBlankRows: more than Limits.MaxRows blank rows (in XLSX, often formatted rows under the data).
	ErrTooManyBlankRows = errors.New("spreadsheet: too many blank rows")
	// ErrTooManyColumns: a row of more than Limits.MaxColumns cells.
	ErrTooManyColumns = errors.New("spreadsheet: too many columns")
)

// Limits bound one upload. Each caller sets them from what its largest real file needs.
type Limits struct {
	MaxBytes    int64 // the file as uploaded
	MaxUnzipped int64 // an XLSX's parts together, unzipped
	MaxRows     int   // rows with something in them; as many blank rows again are allowed, and no more
	MaxColumns  int   // cells in one row: a CSV record's fields, an XLSX row's cells up to its last with something
	// MaxCells bounds an XLSX's cells with something in them. excelize's work is by the cell, and formatting one
	// can be slow: some 60 µs for a date (v2.11.1 looks its locale up among all it knows, for each date), so 16 MB
	// of date cells would take 40 s. A CSV's cells cost next to nothing and are not counted.
	MaxCells int
}

// Read reads an upload into rows of cells: a CSV (.csv or .txt; UTF-8 with or without a BOM, or GB18030/GBK as
// Excel in China saves it) as it is, or the first sheet of an XLSX with each cell as Excel shows it, except that a
// date is read whole and a long number as Excel keeps it (see xlsxCell). That takes what each cell stores too, from
// a second iterator over the same sheet. Rows run to the last row with something in it; a blank row before that is
// nil, so a row's index is its place in the file (for a CSV, among the lines that are not empty).
func Read(filename string, r io.Reader, lim Limits) ([][]string, error) {
	return read(filename, r, lim, true)
}

// ReadValues is Read with an XLSX's cells as they are stored rather than shown: 1234.5 for ¥1,234.50, a date's
// serial number (46082 for 2026-03-01), a phone number's digits whatever its format. No cell is formatted, which
// makes it the faster and the one for files of text.
func ReadValues(filename string, r io.Reader, lim Limits) ([][]string, error) {
	return read(filename, r, lim, false)
}

func read(filename string, r io.Reader, lim Limits, shown bool) ([][]string, error) {
	ext := strings.ToLower(path.Ext(filename))
	if ext != ".xlsx" && ext != ".csv" && ext != ".txt" {
		return nil, ErrUnreadable
	}
	// The whole file is held: excelize reads a workbook whole anyway, and a CSV's encoding is known only once every
	// byte has been seen. MaxBytes bounds it.
	b, err := readFile(r, lim.MaxBytes)
	if err != nil {
		return nil, err
	}
	t := &table{lim: lim}
	if ext == ".xlsx" {
		err = readXLSX(b, t, shown)
	} else {
		err = readCSV(b, t)
	}
	if err != nil {
		return nil, err
	}
	return t.rows, nil
}

// readFile reads r whole, up to limit bytes. When r tells its size (an uploaded file does), a file too large is
// not read at all, and the other is read into one buffer of the right size.
func readFile(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if s, ok := r.(interface{ Size() int64 }); ok {
		if s.Size() > limit {
			return nil, ErrFileTooLarge
		}
		buf.Grow(int(s.Size()) + bytes.MinRead) // room for the read that finds the end
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, ErrFileTooLarge
	}
	return buf.Bytes(), nil
}

// table collects the rows as they are read and holds them to the limits.
type table struct {
	lim           Limits
	rows          [][]string
	filled, blank int // rows seen with something in them, and blank ones
	cells         int // an XLSX's cells seen with something in them
	bytes         int // and the bytes they hold
	pending       int // blank rows not yet kept: they are, as nil, only once a row with something follows them
}

// wide refuses a row of n cells, before its cells are looked at.
func (t *table) wide(n int) error {
	if n > t.lim.MaxColumns {
		return ErrTooManyColumns
	}
	return nil
}

// count counts an XLSX row's cells and their bytes, before the row is read a second time. A workbook's cells can
// hold more than its parts do (a shared string is stored once and shown in every cell that refers to it), so what
// is read is bounded by the same figure as what is unzipped.
func (t *table) count(row []string) error {
	for _, c := range row {
		if c != "" {
			t.cells++
			t.bytes += len(c)
		}
	}
	if t.cells > t.lim.MaxCells || int64(t.bytes) > t.lim.MaxUnzipped {
		return ErrTooLarge
	}
	return nil
}

// add takes the next row; the table keeps row itself, so a reader that reuses its slices passes a copy.
func (t *table) add(row []string) error {
	if err := t.wide(len(row)); err != nil {
		return err
	}
	if isBlank(row) {
		return t.blankRow()
	}
	t.filled++
	if t.filled > t.lim.MaxRows {
		return ErrTooManyRows
	}
	for ; t.pending > 0; t.pending-- {
		t.rows = append(t.rows, nil)
	}
	t.rows = append(t.rows, row)
	return nil
}

// blankRow counts a blank row, kept if a row with something follows it.
func (t *table) blankRow() error {
	t.pending++
	return t.blankLine()
}

// blankLine counts a blank line that is not a row (encoding/csv skips an empty line). Blank rows and lines cost
// time to read (a sheet can hold a million of them in a few KB of zip, a CSV millions in a few MB) and blank rows
// memory to keep, so they are bounded too.
func (t *table) blankLine() error {
	t.blank++
	if t.blank > t.lim.MaxRows {
		return ErrTooManyBlankRows
	}
	return nil
}

// isBlank is domain's idea of a blank row: nothing but spaces in any cell.
func isBlank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
