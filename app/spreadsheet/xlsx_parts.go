package spreadsheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"unicode/utf8"
)

// A workbook is a zip of XML parts, and what a part costs depends on what excelize (v2.11.1, lib.go and rows.go)
// does with it. A worksheet or the shared strings larger than xmlInMemory are unzipped to a temporary file and read
// from there as a stream; every other part is held in memory, and those excelize opens the workbook with (content
// types, relationships, the workbook, styles, theme, calculation chain) are parsed whole into Go structures, at up
// to some 190 bytes of memory for each byte of XML (a styles.xml of empty <xf/> elements, measured). The shared
// strings are indexed item by item on first use, at up to 80 bytes for each byte. So beyond MaxUnzipped:
const (
	// xmlInMemory is excelize's UnzipXMLSizeLimit. A small sheet stays in memory; were it passed off as the
	// workbook (relationships can point anywhere), this bounds what it costs parsed whole.
	xmlInMemory = 128 << 10
	// parsedXML bounds the parts that are held in memory and are XML, together: a real workbook's are 10–60 KB.
	parsedXML = 512 << 10
	// sharedStringsShare: the shared strings may be at most this share of MaxUnzipped. Real ones are a fifth to a
	// third the size of their sheet (measured: 1.1 MB for a 5,000-line statement of 30 columns, 5.4 MB for a list of
	// 50,000 rows of 10).
	sharedStringsShare = 4
)

// checkParts refuses a workbook whose parts are too large unzipped, by the sizes its zip declares (Go's
// archive/zip refuses to unzip more than is declared, so a part cannot be larger than it says), before anything is
// unzipped. Then it unzips every part once, to nowhere, so that a damaged one is refused here: excelize ignores a
// part that ends short and reads what it got.
func checkParts(b []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return ErrUnreadable
	}
	var total uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		total += min(size, uint64(lim.MaxUnzipped)+1) // min: a sum of crafted sizes cannot wrap around
		if isSharedStrings(f.Name) && size > uint64(lim.MaxUnzipped/sharedStringsShare) {
			return ErrTooLarge
		}
	}
	if total > uint64(lim.MaxUnzipped) {
		return ErrTooLarge
	}
	var parsed uint64
	for _, f := range zr.File {
		if isStyles(f.Name) || isSharedStrings(f.Name) {
			if err := checkItems(f); err != nil {
				return err
			}
		}
		xml, err := unzipPart(f)
		if err != nil {
			return ErrUnreadable
		}
		if xml && !isWorksheet(f.Name) && !isSharedStrings(f.Name) {
			parsed += f.UncompressedSize64
		}
	}
	if parsed > parsedXML {
		return ErrTooLarge
	}
	return nil
}

// Excel's own bounds, which excelize does not hold a workbook to: a number format of at most 255 characters (its
// cost to apply grows with the square of its length, so a 4,000-character one costs close to a second a cell) and a
// cell of at most 32,767 (excelize copies a shared string out for every cell that refers to it, so one huge string
// used by many cells costs its size that many times).
const (
	maxFormatCode = 255
	maxCellChars  = 32767
)

// checkItems refuses a styles part with a number format longer than Excel allows, or a shared strings part with
// an item longer than a cell may hold. It reads the part as a stream of XML tokens, keeping nothing.
func checkItems(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return ErrUnreadable
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	inItem, chars := false, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return ErrUnreadable
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "numFmt" {
				for _, a := range t.Attr {
					if a.Name.Local == "formatCode" && utf8.RuneCountInString(a.Value) > maxFormatCode {
						return ErrTooLarge
					}
				}
			}
			if t.Name.Local == "si" {
				inItem, chars = true, 0
			}
		case xml.EndElement:
			if t.Name.Local == "si" {
				inItem = false
			}
		case xml.CharData:
			if chars += utf8.RuneCount(t); inItem && chars > maxCellChars {
				return ErrTooLarge
			}
		}
	}
}

// unzipPart reads a part through, and tells whether it can be XML: a picture or another binary part (PNG, JPEG,
// EMF, printer settings) starts with bytes that are not UTF-8 text, which Go's XML decoder refuses at once.
func unzipPart(f *zip.File) (xml bool, err error) {
	rc, err := f.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(rc, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false, err
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return false, err
	}
	return textStart(head[:n]), nil
}

// textStart reports whether b could begin an XML document: UTF-8 without control characters other than
// whitespace. A character cut off by the end of b is no reason to say no.
func textStart(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return !utf8.FullRune(b)
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
		b = b[size:]
	}
	return true
}

// partName is a part's name as excelize keys it: forward slashes.
func partName(name string) string { return strings.ReplaceAll(name, `\`, "/") }

// isWorksheet is excelize's test for a part it may keep in a temporary file as a worksheet.
func isWorksheet(name string) bool {
	return strings.HasPrefix(strings.ToLower(partName(name)), "xl/worksheets/sheet")
}

func isStyles(name string) bool { return strings.EqualFold(partName(name), "xl/styles.xml") }

func isSharedStrings(name string) bool {
	return strings.EqualFold(partName(name), "xl/sharedStrings.xml")
}
