package app

import (
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/app/spreadsheet"
)

// exportFile is an export being made, row by row, by a spreadsheet writer; send writes the finished file as the
// response.
type exportFile interface {
	Row(cells []any) error
	send(c echo.Context) error
	close() // frees what the file used; after send or instead of it
}

func newExportFile(format string, s spreadsheet.Sheet) (exportFile, error) {
	if format == exportCSV {
		t, err := newExportCSV(s)
		if err != nil {
			return nil, err // not t: a nil *exportCSVFile is not a nil exportFile
		}
		return t, nil
	}
	w, err := spreadsheet.NewXLSX(s)
	if err != nil {
		return nil, err
	}
	return exportXLSXFile{w}, nil
}

// exportCSVFile writes the CSV into a temporary file, so that its length is known before it is sent.
type exportCSVFile struct {
	*spreadsheet.CSVWriter
	f *os.File
}

func newExportCSV(s spreadsheet.Sheet) (*exportCSVFile, error) {
	f, err := os.CreateTemp("", "guanai-export-*.csv")
	if err != nil {
		return nil, err
	}
	t := &exportCSVFile{f: f}
	if t.CSVWriter, err = spreadsheet.NewCSV(f, s); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *exportCSVFile) send(c echo.Context) error {
	if err := t.Flush(); err != nil {
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

func (t *exportCSVFile) close() {
	_ = t.f.Close()
	_ = os.Remove(t.f.Name())
}

// exportXLSXFile sends the workbook as excelize writes it, without a length.
type exportXLSXFile struct{ *spreadsheet.XLSXWriter }

func (t exportXLSXFile) send(c echo.Context) error {
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	// The first byte written sends the status, 200: a failure before it (the totals) is still an error page.
	return t.Finish(res)
}

func (t exportXLSXFile) close() { _ = t.Close() }
