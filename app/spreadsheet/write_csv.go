package spreadsheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSVWriter writes a sheet as CSV: UTF-8 with a BOM (so Excel in China reads it as UTF-8, not GBK), CRLF line
// ends, the headers, then the rows as they come, so memory stays small however many rows there are.
type CSVWriter struct {
	buf *bufio.Writer
	w   *csv.Writer
}

// NewCSV starts a CSV on w with its BOM and headers.
func NewCSV(w io.Writer, s Sheet) (*CSVWriter, error) {
	t := &CSVWriter{buf: bufio.NewWriterSize(w, 64<<10)}
	t.w = csv.NewWriter(t.buf) // which writes through buf itself, buf being large enough
	t.w.UseCRLF = true
	_, _ = t.buf.WriteString("\ufeff") // a bufio error comes back at Flush
	titles := make([]any, len(s.Columns))
	for i, col := range s.Columns {
		titles[i] = col.Title
	}
	return t, t.Row(titles)
}

// Row writes one row of cells.
func (t *CSVWriter) Row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil:
		case string:
			rec[i] = csvText(v)
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case Fen:
			rec[i] = v.text()
		case Date:
			rec[i] = v.String()
		default:
			return fmt.Errorf("csv: a cell of type %T", v)
		}
	}
	return t.w.Write(rec)
}

// Flush writes out what is buffered; the CSV is complete once it returns nil.
func (t *CSVWriter) Flush() error {
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return err
	}
	return t.buf.Flush()
}

// csvText defuses text a spreadsheet would run as a formula (=, +, -, @ first, OWASP's "CSV injection"): a donor's
// name or a note is typed by people outside the fund, and the file is opened by finance in Excel.
func csvText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
