package app

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"guanai/domain"
	"guanai/repository"
)

// publicCache keeps the public pages as rendered for visitors who are not logged in: the page is the same for
// every one of them in one language — it carries nothing of theirs (the language switch is a GET form, so no
// CSRF token) — so it is rendered once per state of the figures (repository.PublicVersion), compressed once, and
// sent as it is to each visitor, until the period of its care figures ends (careBucket).
type publicCache struct {
	mu      sync.Mutex
	version string
	pages   map[string]keptPage // by language, day and address
}

// keptPage is a page as kept: its HTML, and the same gzipped for the browsers that take it.
type keptPage struct {
	html, gz []byte
}

// maxPublicPages bounds the cache; only the pages everyone opens are kept (see cachedForVisitors).
const maxPublicPages = 256

func (pc *publicCache) get(version, key string) (keptPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	p, ok := pc.pages[key]
	return p, ok && pc.version == version
}

func (pc *publicCache) put(version, key string, page keptPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.version != version || len(pc.pages) >= maxPublicPages {
		pc.version, pc.pages = version, map[string]keptPage{}
	}
	pc.pages[key] = page
}

// publicFigures are the figures above the public list of gifts — the same on every page of it, for everyone —
// read once per state of the fund and day (the chart ends with this month, the reports with this quarter).
type publicFiguresCache struct {
	mu        sync.Mutex
	key       string
	overview  repository.TransparencyOverview
	quarters  []domain.Quarter
	fragments map[string]template.HTML // the figures as rendered (figuresFragment)
	reads     singleflight.Group
}

// publicFigures returns the figures and the key they were read by: the state of the fund and the day.
func (a *App) publicFigures(c echo.Context) (repository.TransparencyOverview, []domain.Quarter, string, error) {
	ctx := c.Request().Context()
	version, ok := c.Get(publicVersionKey).(string)
	if !ok {
		var err error
		if version, err = a.store.PublicVersion(ctx); err != nil {
			return repository.TransparencyOverview{}, nil, "", err
		}
	}
	key := version + " " + domain.Today(a.now()).Format(time.DateOnly)
	fc := &a.figures
	fc.mu.Lock()
	if fc.key == key {
		defer fc.mu.Unlock()
		return fc.overview, fc.quarters, key, nil
	}
	fc.mu.Unlock()
	ov, err := readOnce(&fc.reads, ctx, key, a.store.TransparencyOverview)
	if err != nil {
		return ov, nil, "", err
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.key, fc.overview, fc.quarters = key, ov, ov.Quarters
	return ov, ov.Quarters, key, nil
}

// maxFragments bounds the kept fragments: a few languages times the periods of the care figures still asked for.
const maxFragments = 16

// figuresFragment is the part of the public page above its list of gifts, rendered once per key (the state of the
// fund, the day, the language and the period of the care figures) and kept. A deep page of the list is rendered
// for each visitor, and the figures above it were four fifths of that in the load run: the care figures' tables
// alone are a hundred rows.
func (a *App) figuresFragment(ctx context.Context, key string, render func(context.Context) (template.HTML, error)) (template.HTML, error) {
	fc := &a.figures
	fc.mu.Lock()
	h, ok := fc.fragments[key]
	fc.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := readOnce(&fc.reads, ctx, "fragment "+key, render)
	if err != nil {
		return "", err
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(fc.fragments) >= maxFragments {
		fc.fragments = nil
	}
	if fc.fragments == nil {
		fc.fragments = map[string]template.HTML{}
	}
	fc.fragments[key] = h
	return h, nil
}

// publicVersionKey passes the version cachedForVisitors read to the handler, which reads its figures by it.
const publicVersionKey = "public_version"

// capturedPage is where views.render leaves the page it rendered, for the public pages' wrapper to send: the
// render's own buffer, handed over rather than copied (a deep page of the public list is 50 KB, rendered for each
// visitor), which the wrapper gives back with release.
type capturedPage struct {
	status int
	buf    *bytes.Buffer
}

// body is the page, nil when none was rendered.
func (cp *capturedPage) body() []byte {
	if cp.buf == nil {
		return nil
	}
	return cp.buf.Bytes()
}

func (cp *capturedPage) release() {
	if cp.buf != nil {
		bufPool.Put(cp.buf)
		cp.buf = nil
	}
}

const capturedPageKey = "captured_page"

// cachedForVisitors serves a public page from the cache to a visitor who is not logged in and has no message
// waiting; anyone else gets it rendered for them. These routes compress their own pages (the gzip middleware
// skips them), so a kept page is compressed once, not once per visitor.
func (a *App) cachedForVisitors(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		captured := &capturedPage{}
		defer captured.release() // after the page is sent
		render := func() error {
			c.Set(capturedPageKey, captured)
			defer c.Set(capturedPageKey, nil) // an error page is rendered by the error handler, and sent as usual
			return h(c)
		}
		if currentUser(c) != nil || hasSession(c) && a.sessions.Exists(ctx, sessionFlashes) {
			if err := render(); err != nil || captured.body() == nil {
				return err
			}
			return sendPage(c, captured.status, captured.body(), nil)
		}
		version, err := a.store.PublicVersion(ctx)
		if err != nil {
			return err
		}
		// The care figures change without the ledger: a page is kept for the period its care figures are
		// (careBucket), which also ends with the day.
		key := langOf(c) + " " + careBucket(a.now()).Format(time.RFC3339) + " " + c.Request().URL.RequestURI()
		if page, ok := a.public.get(version, key); ok {
			transparencyCache(c, nil)
			return sendPage(c, http.StatusOK, page.html, page.gz)
		}
		c.Set(publicVersionKey, version)
		if err := render(); err != nil || captured.body() == nil {
			return err
		}
		// A page deep in the list (?after=, ?before=) is asked for by few and there are many: it is rendered for
		// each, with the figures above it kept (publicFigures), and only the pages everyone opens are kept whole.
		q := c.Request().URL.Query()
		if captured.status != http.StatusOK || q.Has("after") || q.Has("before") {
			return sendPage(c, captured.status, captured.body(), nil)
		}
		page := keptPage{html: bytes.Clone(captured.body()), gz: gzipped(captured.body())}
		a.public.put(version, key, page)
		return sendPage(c, captured.status, page.html, page.gz)
	}
}

// sendPage sends a page, gzipped for a browser that takes it (gz, or compressed now when gz is nil).
func sendPage(c echo.Context, status int, html, gz []byte) error {
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	if !strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		return c.HTMLBlob(status, html)
	}
	if gz == nil {
		gz = gzipped(html)
	}
	h.Set(echo.HeaderContentEncoding, "gzip")
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, gz)
}
