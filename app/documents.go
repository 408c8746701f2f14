package app

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Uploaded documents (a grant's supporting papers, a claim's receipt): JPEG, PNG or PDF as the content says — the
// name and the browser's type are never trusted — at most 5 MB each and 5 to a form. Images are decoded and encoded
// again before they are stored, which drops whatever else the file carried (EXIF with its GPS position, a script
// appended after the picture); a PDF is kept as sent and only ever served as an attachment. Every file is served
// with nosniff and a sandboxing policy, so none can run as a page of ours.

// documentsBodyLimit is the body limit of the routes that take documents: five files of 5 MB and the form.
const documentsBodyLimit = "26M"

// documentUploads are the routes that take documents (their paths end in /upload, like the other uploads).
var documentUploads = map[string]bool{"/staff/grants/upload": true, "/volunteer/claims/upload": true}

func isDocumentUpload(c echo.Context) bool { return documentUploads[c.Path()] }

// A document refused: the message key the form shows at its file field.
const (
	docTooMany    = "uploads.document_too_many"
	docTooBig     = "uploads.document_too_big"
	docType       = "uploads.document_type"
	docUnreadable = "uploads.document_unreadable"
	docTooLarge   = "uploads.document_too_many_pixels"
)

// documentProblem is a refused file: which one, and the message key.
type documentProblem struct {
	Name string
	Key  string
}

func (p *documentProblem) Error() string { return "document " + p.Name + " refused: " + p.Key }

// readDocuments reads the files of a form's "files" field. A file the person did not choose (an empty part) is
// skipped; the first one refused says why, and nothing is kept.
func readDocuments(form *multipart.Form) ([]repository.Upload, error) {
	var chosen []*multipart.FileHeader
	if form != nil {
		for _, fh := range form.File["files"] {
			if fh.Filename != "" || fh.Size > 0 {
				chosen = append(chosen, fh)
			}
		}
	}
	if len(chosen) > domain.MaxDocuments {
		return nil, &documentProblem{Key: docTooMany}
	}
	out := make([]repository.Upload, 0, len(chosen))
	for _, fh := range chosen {
		name := domain.DocumentName(fh.Filename)
		u, key, err := readDocument(fh)
		if err != nil {
			return nil, err
		}
		if key != "" {
			return nil, &documentProblem{Name: name, Key: key}
		}
		u.Name = name
		out = append(out, u)
	}
	return out, nil
}

// readDocument reads one file, sniffs its type and re-encodes an image; key says why it is refused.
func readDocument(fh *multipart.FileHeader) (repository.Upload, string, error) {
	if fh.Size > domain.MaxDocumentBytes {
		return repository.Upload{}, docTooBig, nil
	}
	f, err := fh.Open()
	if err != nil {
		return repository.Upload{}, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, domain.MaxDocumentBytes+1))
	if err != nil {
		return repository.Upload{}, "", err
	}
	if len(b) > domain.MaxDocumentBytes {
		return repository.Upload{}, docTooBig, nil
	}
	u, key := checkDocument(b)
	return u, key, nil
}

// checkDocument decides what a file is from its first bytes (http.DetectContentType, the WHATWG sniffing rules) and
// makes it safe to keep: an image decoded and encoded again, a PDF kept if it starts as one.
func checkDocument(b []byte) (repository.Upload, string) {
	if len(b) == 0 {
		return repository.Upload{}, docUnreadable
	}
	switch sniffed, _, _ := strings.Cut(http.DetectContentType(b), ";"); sniffed {
	case domain.DocumentJPEG, domain.DocumentPNG:
		out, err := reencode(b, sniffed)
		switch {
		case errors.Is(err, errTooManyPixels):
			return repository.Upload{}, docTooLarge
		case err != nil:
			return repository.Upload{}, docUnreadable
		}
		return repository.Upload{ContentType: sniffed, Content: out}, ""
	case domain.DocumentPDF:
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			return repository.Upload{}, docType
		}
		return repository.Upload{ContentType: domain.DocumentPDF, Content: b}, ""
	}
	return repository.Upload{}, docType
}

var errTooManyPixels = errors.New("image too large")

// reencode decodes an image and encodes it again in its own format, turned upright as its EXIF orientation says (the
// EXIF itself is not kept, so a phone's photo would otherwise come out on its side). The size is read first: a
// small file can claim a picture that takes gigabytes to decode.
func reencode(b []byte, contentType string) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > domain.MaxDocumentPixels {
		return nil, errTooManyPixels
	}
	var out bytes.Buffer
	if contentType == domain.DocumentPNG {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img)
		return out.Bytes(), err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	err = jpeg.Encode(&out, upright(img, jpegOrientation(b)), &jpeg.Options{Quality: 88})
	return out.Bytes(), err
}

// documentPage serves a document to its owner or an operator (the store audits an operator's view). Anyone else,
// and any id that does not exist, gets the same 404.
func (a *App) documentPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := a.store.ReadDocument(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	disposition := "attachment"
	if d.Image() { // encoded by us, so shown in the review page; anything else is downloaded, never opened as a page
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition+"; filename*=UTF-8''"+headerValueEscape(d.Name))
	return c.Blob(http.StatusOK, d.ContentType, d.Content)
}

// refusedDocument is a refused file's name and message key, when err is one.
func refusedDocument(err error) (name, key string, ok bool) {
	var dp *documentProblem
	if !errors.As(err, &dp) {
		return "", "", false
	}
	return dp.Name, dp.Key, true
}

// headerValueEscape writes a file name as an RFC 8187 ext-value: every byte but the few an attr-char may be, as %XX.
func headerValueEscape(name string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChars, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
