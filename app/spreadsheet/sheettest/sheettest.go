// Package sheettest makes workbooks for tests, hostile ones included, cheaply however large they unzip to: a part
// that repeats is one compressed run of its repetitions, sent as many times as needed, so a test never compresses
// (or holds) hundreds of megabytes. Only tests import it.
package sheettest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"strings"
)

// Part is one part of a zip: Head, then Body Repeat times, then Tail.
type Part struct {
	Name             string
	Head, Body, Tail string
	Repeat           int
	// Declared, when not 0, is the unzipped size the zip says the part has, instead of the true one.
	Declared uint64
}

const (
	mainNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	rels   = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
	doc    = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
)

// The parts every workbook has, as small as Excel and excelize accept.
var skeleton = []Part{
	{Name: "[Content_Types].xml", Head: `<?xml version="1.0" encoding="UTF-8"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`</Types>`},
	{Name: "_rels/.rels", Head: `<?xml version="1.0" encoding="UTF-8"?><Relationships ` + rels + `>` +
		`<Relationship Id="rId1" Type="` + doc + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{Name: "xl/workbook.xml", Head: `<?xml version="1.0" encoding="UTF-8"?><workbook ` + mainNS +
		` xmlns:r="` + doc + `"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{Name: "xl/_rels/workbook.xml.rels", Head: `<?xml version="1.0" encoding="UTF-8"?><Relationships ` + rels + `>` +
		`<Relationship Id="rId1" Type="` + doc + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
}

// Sheet is the first sheet, its rows the XML row repeated n times.
func Sheet(row string, n int) Part {
	return Part{Name: "xl/worksheets/sheet1.xml", Head: `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + mainNS +
		`><sheetData>`, Body: row, Repeat: n, Tail: `</sheetData></worksheet>`}
}

// Workbook is an XLSX of the skeleton's parts and these (a Sheet at least).
func Workbook(parts ...Part) []byte { return Zip(append(append([]Part{}, skeleton...), parts...)...) }

// Bomb is a workbook of a few hundred KB whose sheet unzips to size bytes, and says so.
func Bomb(size int) []byte {
	const row = `<row><c t="inlineStr"><is><t>x</t></is></c></row>`
	return Workbook(Sheet(row, size/len(row)))
}

// Zip makes a zip of the parts, each deflated.
func Zip(parts ...Part) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range parts {
		data, crc, size := p.deflate()
		if p.Declared != 0 {
			size = p.Declared
		}
		fw, err := w.CreateRaw(&zip.FileHeader{Name: p.Name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(data)), UncompressedSize64: size})
		if err == nil {
			_, err = fw.Write(data)
		}
		if err != nil {
			panic(err) // writing to memory: a mistake in this package
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// deflate compresses the part as pieces each compressed on its own and flushed to a byte boundary, which makes
// their concatenation one valid deflate stream: Head, a chunk of Body's repetitions as many times as it goes into
// Repeat, the rest of them, and Tail, which ends the stream.
func (p Part) deflate() (data []byte, crc uint32, size uint64) {
	per := 1
	if len(p.Body) > 0 {
		per = max(1, (1<<20)/len(p.Body)) // a chunk of about 1 MB
	}
	var out bytes.Buffer
	add := func(s string, times int, last bool) {
		if times == 0 {
			return
		}
		b := []byte(s)
		piece := compress(b, last)
		for range times {
			out.Write(piece)
			crc = crc32.Update(crc, crc32.IEEETable, b)
			size += uint64(len(b))
		}
	}
	add(p.Head, 1, false)
	add(strings.Repeat(p.Body, per), p.Repeat/per, false)
	add(strings.Repeat(p.Body, p.Repeat%per), 1, false)
	add(p.Tail, 1, true)
	return out.Bytes(), crc, size
}

func compress(b []byte, last bool) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression) // the level is valid
	_, _ = fw.Write(b)                                    // to memory
	if last {
		_ = fw.Close()
	} else {
		_ = fw.Flush()
	}
	return buf.Bytes()
}
