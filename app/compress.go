package app

import (
	"bytes"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// Pages are gzipped with klauspost/compress rather than the standard library. A standard gzip writer is some
// 800 KB whose hash tables the garbage collector scans whole, and a pool of them is emptied by every collection:
// in the city load run, allocating and scanning them was a third of the server's CPU. klauspost's fastest level
// keeps its tables out of the collector's sight and is quicker at the same ratio.

// gzipLevel is how hard pages are compressed: the fastest level, as pages shrink nearly as much at a fraction of
// the CPU.
const gzipLevel = gzip.BestSpeed

// gzipMinLength is the smallest body worth compressing; a redirect or a short error goes as it is.
const gzipMinLength = 1024

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzipLevel) // a valid level: no error
	return w
}}

// gzipped compresses a whole page.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	w.Write(b) //nolint:errcheck // a bytes.Buffer does not fail
	w.Close()  //nolint:errcheck // nor here
	return buf.Bytes()
}

// compress gzips responses for clients that accept it, except the routes skip names (compressed already, or by
// themselves). A body shorter than gzipMinLength, and one whose handler set its own Content-Encoding, goes as it is.
func compress(skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			res := c.Response()
			res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if !strings.Contains(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip") {
				return next(c)
			}
			gw := &gzipResponseWriter{ResponseWriter: res.Writer}
			res.Writer = gw
			defer func() {
				gw.finish()
				res.Writer = gw.ResponseWriter // an error page written after this goes out plainly
			}()
			return next(c)
		}
	}
}

// gzipResponseWriter holds the status and the first bytes back until it knows whether the body is long enough to
// compress.
type gzipResponseWriter struct {
	http.ResponseWriter
	code    int    // the status the handler wrote, 0 until it does
	pending []byte // the body so far, while shorter than gzipMinLength
	gz      *gzip.Writer
	plain   bool // decided: sent as it is
}

func (w *gzipResponseWriter) WriteHeader(code int) {
	w.Header().Del(echo.HeaderContentLength) // it would be the uncompressed length
	w.code = code
}

func (w *gzipResponseWriter) Write(b []byte) (int, error) {
	switch {
	case w.gz != nil:
		return w.gz.Write(b)
	case w.plain:
		return w.ResponseWriter.Write(b)
	}
	if w.Header().Get(echo.HeaderContentType) == "" {
		w.Header().Set(echo.HeaderContentType, http.DetectContentType(b))
	}
	if len(w.pending)+len(b) < gzipMinLength && w.Header().Get(echo.HeaderContentEncoding) == "" {
		w.pending = append(w.pending, b...)
		return len(b), nil
	}
	if err := w.start(w.Header().Get(echo.HeaderContentEncoding) != ""); err != nil {
		return 0, err
	}
	return w.Write(b)
}

// start sends the status and what is pending, compressed unless plain.
func (w *gzipResponseWriter) start(plain bool) error {
	if plain {
		w.plain = true
	} else {
		w.Header().Set(echo.HeaderContentEncoding, "gzip")
		w.gz = gzipWriters.Get().(*gzip.Writer)
		w.gz.Reset(w.ResponseWriter)
	}
	if w.code != 0 {
		w.ResponseWriter.WriteHeader(w.code)
	}
	pending := w.pending
	w.pending = nil
	if len(pending) == 0 {
		return nil
	}
	_, err := w.Write(pending)
	return err
}

// finish sends a short body as it is, or ends the compressed one and returns its writer to the pool.
func (w *gzipResponseWriter) finish() {
	if w.gz == nil && !w.plain {
		if w.code != 0 || len(w.pending) > 0 {
			w.start(true) //nolint:errcheck // the client went away; nothing is left to tell
		}
		return
	}
	if w.gz != nil {
		w.gz.Close() //nolint:errcheck // as above
		w.gz.Reset(nil)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

// Flush sends what there is: a streamed export must reach the browser as it goes.
func (w *gzipResponseWriter) Flush() {
	if w.gz == nil && !w.plain {
		w.start(w.Header().Get(echo.HeaderContentEncoding) != "") //nolint:errcheck // as above
	}
	if w.gz != nil {
		w.gz.Flush() //nolint:errcheck // as above
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *gzipResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
