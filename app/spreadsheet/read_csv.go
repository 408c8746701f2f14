package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// readCSV reads a CSV record by record into t.
func readCSV(raw []byte, t *table) error {
	r := csv.NewReader(&csvGuard{r: csvInput(raw), t: t})
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, ErrTooManyColumns) || errors.Is(err, ErrTooManyBlankRows) {
			return err
		}
		if err != nil {
			return ErrUnreadable
		}
		if err := t.add(slices.Clone(rec)); err != nil {
			return err
		}
	}
}

// csvInput is a CSV's text in UTF-8, without a BOM. A file that is not valid UTF-8 is GB18030 (of which GBK is a
// part), the only other encoding Excel in China saves a CSV in; it is decoded as it is read.
func csvInput(raw []byte) io.Reader {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if utf8.Valid(raw) {
		return bytes.NewReader(raw)
	}
	return transform.NewReader(bytes.NewReader(raw), simplifiedchinese.GB18030.NewDecoder())
}

// csvGuard passes a CSV through to encoding/csv while following its quoting the way encoding/csv does (with
// LazyQuotes), for two things encoding/csv cannot be asked to bound: it builds a whole record before returning any
// of it (10 MB of commas is one record of ten million fields, some 1.6 GB of allocations), and it skips empty lines
// without returning (10 MB of newlines is one long wait for nothing). The guard stops at the first field past
// MaxColumns, and counts the empty lines against the bound on blank rows.
type csvGuard struct {
	r      io.Reader
	t      *table
	state  csvState
	fields int // fields of the current record so far
}

// csvState is where the guard is in the CSV's grammar.
type csvState int

const (
	csvLineStart   csvState = iota // at the start of a record
	csvLineStartCR                 // a record starting with \r: \r\n is an empty line
	csvFieldStart                  // just after a comma
	csvUnquoted                    // in a field that did not start with a quote, where quotes are plain text
	csvQuoted                      // in a quoted field, where commas and line ends are text
	csvQuote                       // just after a quote in a quoted field: "" is a quote, ", or "\n ends the field
	csvQuoteCR                     // a quote then \r: "\r\n ends the record, as encoding/csv reads \r\n as \n
)

func (g *csvGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, c := range p[:n] {
		if e := g.step(c); e != nil {
			return 0, e
		}
	}
	return n, err
}

// step takes one byte. Only the bytes of CSV's grammar (, " \r \n) matter, and in UTF-8 they are never part of
// another character.
func (g *csvGuard) step(c byte) error {
	switch g.state {
	case csvLineStart:
		g.fields = 1
		switch c {
		case '\n':
			return g.t.blankLine()
		case '\r':
			g.state = csvLineStartCR
			return nil
		}
		return g.field(c)
	case csvLineStartCR:
		if c == '\n' {
			g.state = csvLineStart
			return g.t.blankLine()
		}
		g.state = csvUnquoted // the \r was the first character of a field
		return g.unquoted(c)
	case csvFieldStart:
		return g.field(c)
	case csvUnquoted:
		return g.unquoted(c)
	case csvQuoted:
		if c == '"' {
			g.state = csvQuote
		}
		return nil
	case csvQuote:
		return g.afterQuote(c)
	default: // csvQuoteCR
		if c == '\n' {
			g.state = csvLineStart
			return nil
		}
		g.state = csvQuoted // a bare quote then \r, both text
		if c == '"' {
			g.state = csvQuote
		}
		return nil
	}
}

// field takes the first byte of a field.
func (g *csvGuard) field(c byte) error {
	if c == '"' {
		g.state = csvQuoted
		return nil
	}
	g.state = csvUnquoted
	return g.unquoted(c)
}

func (g *csvGuard) unquoted(c byte) error {
	switch c {
	case ',':
		g.state = csvFieldStart
		return g.nextField()
	case '\n':
		g.state = csvLineStart
	}
	return nil
}

func (g *csvGuard) afterQuote(c byte) error {
	switch c {
	case '"':
		g.state = csvQuoted
	case ',':
		g.state = csvFieldStart
		return g.nextField()
	case '\n':
		g.state = csvLineStart
	case '\r':
		g.state = csvQuoteCR
	default:
		g.state = csvQuoted // a bare quote, which LazyQuotes keeps as text
	}
	return nil
}

func (g *csvGuard) nextField() error {
	g.fields++
	return g.t.wide(g.fields)
}
