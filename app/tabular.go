package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// errUnreadableFile means an upload is neither a CSV nor an XLSX we can read.
var errUnreadableFile = errors.New("unreadable file")

// maxUploadBytes bounds an uploaded list; the body limit of upload routes is a little above it.
const maxUploadBytes = 10 << 20

// readTable turns an uploaded CSV (UTF-8, with or without BOM, or GBK as Excel in China saves it) or XLSX (its first
// sheet) into rows of cells.
func readTable(filename string, r io.Reader) ([][]string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxUploadBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxUploadBytes {
		return nil, errUnreadableFile
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".xlsx":
		return readXLSX(b)
	case ".csv", ".txt":
		return readCSV(b)
	}
	return nil, errUnreadableFile
}

// xlsxLimits bound what a 10 MB upload may unzip to: a crafted workbook cannot fill the memory or the disk.
var xlsxLimits = excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20}

func readXLSX(b []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b), xlsxLimits)
	if err != nil {
		return nil, errUnreadableFile
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errUnreadableFile
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, errUnreadableFile
	}
	return rows, nil
}

func readCSV(b []byte) ([][]string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil {
			return nil, errUnreadableFile
		}
		b = decoded
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, errUnreadableFile
	}
	return rows, nil
}
