package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"guanai/templates"
)

// views holds every page parsed once with the layout and partials, and checked at start.
type views struct {
	pages  map[string]*template.Template
	assets *assets
}

func newViews(a *assets) (*views, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templates.FS, "layout.html", "partials/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}, assets: a}
	for _, name := range names {
		t, err := template.Must(base.Clone()).ParseFS(templates.FS, name)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		v.pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return v, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a page: executed into a buffer first, so a template error becomes a clean 500 page rather
// than half a page.
func (v *views) render(c echo.Context, status int, page string, p *Page) error {
	t, ok := v.pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	p.assets = v.assets
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if err := t.Execute(buf, p); err != nil {
		bufPool.Put(buf)
		return fmt.Errorf("render %s: %w", page, err)
	}
	if cp, ok := c.Get(capturedPageKey).(*capturedPage); ok { // a public page, sent by its wrapper (publicCache)
		cp.release()
		cp.status, cp.buf = status, buf
		return nil
	}
	defer bufPool.Put(buf)
	return c.HTMLBlob(status, buf.Bytes())
}

// fragment renders a template a page defines (a part kept apart from the page, see App.figuresFragment).
func (v *views) fragment(page, name string, p *Page) (template.HTML, error) {
	t, ok := v.pages[page]
	if !ok {
		return "", fmt.Errorf("no page template %q", page)
	}
	p.assets = v.assets
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, p); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return template.HTML(buf.String()), nil //nolint:gosec // the output of html/template, escaped already
}

var templateFuncs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
}

// assets serves the embedded static files under names that carry a hash of their content, so they can be cached
// for a year and still change the moment a new binary ships.
type assets struct {
	byName map[string]string // "app.css" -> "app.3f2a1b9c.css"
	files  map[string][]byte // fingerprinted name -> content
}

func newAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, files: map[string][]byte{}}
	err := fs.WalkDir(templates.FS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.byName[name], a.files[fp] = fp, b
		return nil
	})
	return a, err
}

// url returns the fingerprinted address of a static file.
func (a *assets) url(name string) string {
	if fp, ok := a.byName[name]; ok {
		return "/static/" + fp
	}
	return "/static/missing-" + name
}

func (a *assets) serve(c echo.Context) error {
	b, ok := a.files[c.Param("name")]
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	ct := "application/octet-stream"
	switch path.Ext(c.Param("name")) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	case ".png":
		ct = "image/png"
	case ".ico":
		ct = "image/x-icon"
	}
	return c.Blob(http.StatusOK, ct, b)
}
