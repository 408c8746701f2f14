package spreadsheet

import (
	"bytes"

	"github.com/xuri/excelize/v2"
)

// readXLSX reads the first sheet of a workbook into t, row by row, from one opening of the file: as shown, with a
// second iterator over the same sheet, in step with the first, reading what each cell stores for xlsxCell; or as
// stored, with one iterator.
func readXLSX(b []byte, t *table, shown bool) error {
	if err := checkParts(b, t.lim); err != nil {
		return err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b),
		excelize.Options{UnzipSizeLimit: t.lim.MaxUnzipped, UnzipXMLSizeLimit: xmlInMemory})
	if err != nil {
		return ErrUnreadable
	}
	defer f.Close() // removes the temporary files
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return ErrUnreadable
	}
	first, err := f.Rows(sheets[0])
	if err != nil {
		return ErrUnreadable
	}
	defer first.Close()
	if !shown {
		return readRows(first, excelize.Options{RawCellValue: true}, nil, t)
	}
	stored, err := f.Rows(sheets[0])
	if err != nil {
		return ErrUnreadable
	}
	defer stored.Close()
	return readRows(first, excelize.Options{}, stored, t)
}

// readRows reads rows (with opts) into t, correcting each row with the same row of stored when there is one.
func readRows(rows *excelize.Rows, opts excelize.Options, stored *excelize.Rows, t *table) error {
	for rows.Next() {
		row, err := rows.Columns(opts)
		if err != nil {
			return ErrUnreadable
		}
		// Before the stored cells are read too: a row a whole sheet wide is parsed once, not twice.
		if err := t.wide(len(row)); err != nil {
			return err
		}
		if err := t.count(row); err != nil {
			return err
		}
		if stored != nil && stored.Next() {
			raw, err := stored.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return ErrUnreadable
			}
			for i := range row {
				if i < len(raw) {
					row[i] = xlsxCell(row[i], raw[i])
				}
			}
		}
		if err := t.add(row); err != nil {
			return err
		}
	}
	if rows.Error() != nil {
		return ErrUnreadable
	}
	return nil
}
