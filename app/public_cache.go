package app

import (
	"bytes"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// publicCache keeps the public pages as rendered for visitors who are not logged in: the page is the same for
// every one of them in one language, so it is rendered once per state of the figures (repository.PublicVersion)
// rather than once per visitor. The only part that differs, the CSRF token of the language switch, is rendered
// as a placeholder and filled in for each visitor.
type publicCache struct {
	mu      sync.Mutex
	version string
	pages   map[string][]byte // by language, day and address
}

// maxPublicPages bounds the cache: every page of the public list could be asked for, and each is kept.
const maxPublicPages = 512

// csrfPlaceholder stands for the visitor's CSRF token in a kept page (html/template would escape anything unusual).
const csrfPlaceholder = "csrf-placeholder-5e0c1d7b"

func (pc *publicCache) get(version, key string) ([]byte, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	b, ok := pc.pages[key]
	return b, ok && pc.version == version
}

func (pc *publicCache) put(version, key string, page []byte) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.version != version || len(pc.pages) >= maxPublicPages {
		pc.version, pc.pages = version, map[string][]byte{}
	}
	pc.pages[key] = page
}

// publicFigures are the figures above the public list of gifts — the same on every page of it, for everyone —
// read once per state of the fund and day (the chart ends with this month, the reports with this quarter).
type publicFiguresCache struct {
	mu       sync.Mutex
	key      string
	overview repository.TransparencyOverview
	quarters []domain.Quarter
}

func (a *App) publicFigures(c echo.Context) (repository.TransparencyOverview, []domain.Quarter, error) {
	ctx := c.Request().Context()
	version, ok := c.Get(publicVersionKey).(string)
	if !ok {
		var err error
		if version, err = a.store.PublicVersion(ctx); err != nil {
			return repository.TransparencyOverview{}, nil, err
		}
	}
	key := version + " " + domain.Today(a.now()).Format(time.DateOnly)
	fc := &a.figures
	fc.mu.Lock()
	if fc.key == key {
		defer fc.mu.Unlock()
		return fc.overview, fc.quarters, nil
	}
	fc.mu.Unlock()
	ov, err := a.store.TransparencyOverview(ctx)
	if err != nil {
		return ov, nil, err
	}
	quarters, err := a.store.ReportQuarters(ctx)
	if err != nil {
		return ov, nil, err
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.key, fc.overview, fc.quarters = key, ov, quarters
	return ov, quarters, nil
}

// publicVersionKey passes the version cachedForVisitors read to the handler, which reads its figures by it.
const publicVersionKey = "public_version"

// capturedPage is where views.render leaves the page it rendered with the placeholder token, for the cache.
type capturedPage struct {
	token string // the visitor's own token, written in place of the placeholder
	body  []byte
}

const capturedPageKey = "captured_page"

// cachedForVisitors serves a public page from the cache to a visitor who is not logged in and has no message
// waiting; anyone else gets it rendered for them.
func (a *App) cachedForVisitors(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if currentUser(c) != nil || hasSession(c) && a.sessions.Exists(ctx, sessionFlashes) {
			return h(c)
		}
		version, err := a.store.PublicVersion(ctx)
		if err != nil {
			return err
		}
		token, _ := c.Get(csrfContextKey).(string)
		key := langOf(c) + " " + domain.Today(a.now()).Format(time.DateOnly) + " " + c.Request().URL.RequestURI()
		if page, ok := a.public.get(version, key); ok {
			transparencyCache(c, nil)
			return c.HTMLBlob(http.StatusOK, bytes.ReplaceAll(page, []byte(csrfPlaceholder), []byte(token)))
		}
		c.Set(publicVersionKey, version)
		captured := &capturedPage{token: token}
		c.Set(csrfContextKey, csrfPlaceholder)
		c.Set(capturedPageKey, captured)
		if err := h(c); err != nil {
			return err
		}
		// A page deep in the list (?after=, ?before=) is asked for by few and there are many: it is rendered for
		// each, with the figures above it kept (publicFigures), and only the pages everyone opens are kept whole.
		q := c.Request().URL.Query()
		deep := q.Has("after") || q.Has("before")
		if captured.body != nil && c.Response().Status == http.StatusOK && !deep {
			a.public.put(version, key, captured.body)
		}
		return nil
	}
}
