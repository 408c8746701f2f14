package app

import (
	"errors"
	"io"
	"mime/multipart"

	"guanai/app/spreadsheet"
	"guanai/domain"
)

// maxUploadBytes bounds an uploaded file; the body limit of upload routes is a little above it.
const maxUploadBytes = 10 << 20

// uploadKind is what one upload form takes: how its file is read and the bounds on it, and the message for each of
// the reader's refusals.
type uploadKind struct {
	read    func(filename string, r io.Reader, lim spreadsheet.Limits) ([][]string, error)
	limits  spreadsheet.Limits
	refused map[error]string // the reader's refusal → the message key the form shows
}

// statementFile is a bank statement: 5,000 lines of at most 200 columns, though real ones have 10–30. Measured, an
// XLSX of 5,000 lines and 30 columns unzips to 6.3 MB (5.1 MB of sheet, some 35 bytes a cell, and 1.1 MB of shared
// strings), or 8.5 MB written with inline strings as some writers do; 16 MB leaves room for more columns and for the
// styles and the rest, and refuses what no statement needs. 200,000 cells are 40 full columns; were they all dates,
// reading them would take some 12 s (the 10,000 dates of a real statement take some 0.6 s). A statement is read as
// shown, its dates whole (spreadsheet.Read): its amounts and dates are what its lines say.
var statementFile = uploadKind{
	read: spreadsheet.Read,
	limits: spreadsheet.Limits{MaxBytes: maxUploadBytes, MaxUnzipped: 16 << 20, MaxCells: 200_000,
		MaxRows: domain.MaxStatementLines, MaxColumns: domain.MaxStatementColumns},
	refused: map[error]string{
		spreadsheet.ErrUnreadable:       "statement.unreadable",
		spreadsheet.ErrFileTooLarge:     "statement.too_big",
		spreadsheet.ErrTooLarge:         "uploads.statement_too_large",
		spreadsheet.ErrTooManyRows:      "statement.too_many_lines",
		spreadsheet.ErrTooManyBlankRows: "uploads.blank_rows",
		spreadsheet.ErrTooManyColumns:   "statement.too_many_columns",
	},
}

// eligibilityFile is an eligibility list: a header and up to 50,000 people, in 4–10 columns (an HR system's export
// may have a few dozen: 50 are allowed, and 800,000 cells, 16 full columns). Measured, 50,001 rows of 10 columns
// unzip to 23 MB with shared strings and 31 MB with inline strings; hence 40 MB.
//
// A list is read as stored (spreadsheet.ReadValues), not as shown and so without the statements' date repair. Its
// name, phone, hospital and category are text, or a phone Excel stores as its 11 digits, which is what is wanted
// however the column is formatted (a format 000-0000-0000 would show dashes). The repair would be harmless (it
// changes only cells under a date format and numbers kept in scientific notation), but showing cells costs: a second
// pass over the sheet for the repair, and excelize's formatting, some 60 µs a date cell. A list is the largest
// upload there is, and stored values read its 50,000 rows in 2–3 s.
var eligibilityFile = uploadKind{
	read: spreadsheet.ReadValues,
	limits: spreadsheet.Limits{MaxBytes: maxUploadBytes, MaxUnzipped: 40 << 20, MaxCells: 800_000,
		MaxRows: domain.MaxEligibilityRows + 1, MaxColumns: 50},
	refused: map[error]string{
		spreadsheet.ErrUnreadable:       "eligibility.unreadable",
		spreadsheet.ErrFileTooLarge:     "uploads.eligibility_too_big",
		spreadsheet.ErrTooLarge:         "uploads.eligibility_too_large",
		spreadsheet.ErrTooManyRows:      "uploads.eligibility_too_many_rows",
		spreadsheet.ErrTooManyBlankRows: "uploads.blank_rows",
		spreadsheet.ErrTooManyColumns:   "uploads.eligibility_too_many_columns",
	},
}

// readFile reads the form's file.
func (k uploadKind) readFile(fh *multipart.FileHeader) ([][]string, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return k.read(fh.Filename, f, k.limits)
}

// problem is the message key for a file read refused, or "" for any other error (which is the server's).
func (k uploadKind) problem(err error) string {
	for refusal, key := range k.refused {
		if errors.Is(err, refusal) {
			return key
		}
	}
	return ""
}
