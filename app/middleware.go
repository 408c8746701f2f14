package app

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"guanai/domain"
)

const (
	csrfContextKey = "csrf"
	userContextKey = "user"
	// unreadContextKey holds the signed-in person's unread count, read with the person (Store.SignedIn).
	unreadContextKey = "unread"
	langContextKey   = "lang"
	langCookie       = "lang"
	// sessionLoadedKey marks requests that carry a session; health checks, metrics and static files do not.
	sessionLoadedKey = "session"
	// Upload routes take files; every other request body is a form and small.
	uploadBodyLimit = "12M"
	formBodyLimit   = "256K"
)

func (a *App) middleware(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(requestIDContext)
	e.Use(a.accessLog())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		a.log.ErrorContext(c.Request().Context(), "panic", "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(a.metrics.middleware)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: formBodyLimit, Skipper: isUpload}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: uploadBodyLimit, Skipper: isDocumentUpload}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: documentsBodyLimit}))
	// Already compressed (XLSX), compressed by itself (/metrics), or kept compressed (the public pages).
	e.Use(compress(func(c echo.Context) bool {
		return c.Path() == "/metrics" || c.Path() == "/admin/exports/download" || selfCompressed[c.Path()]
	}))
	e.Use(a.securityHeaders)
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		ContextKey:     csrfContextKey,
		CookieName:     "guanai_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   a.cfg.Secure(),
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   func(err error, c echo.Context) error { return errCSRF },
		Skipper:        func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/static/") },
	}))
	e.Use(a.sessionMiddleware)
	e.Use(a.loadUser)
	e.Use(a.chooseLang)
}

func isUpload(c echo.Context) bool { return strings.HasSuffix(c.Path(), "/upload") }

var errCSRF = errors.New("csrf token missing or wrong")

// selfCompressed are the routes that send their pages compressed themselves (cachedForVisitors): a kept public
// page is compressed once, not once per visitor.
var selfCompressed = map[string]bool{"/transparency": true, "/transparency/report": true}

func (a *App) accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRemoteIP: true,
		LogRoutePath: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			a.log.LogAttrs(c.Request().Context(), level, "request", slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.String("route", v.RoutePath), slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.String("ip", v.RemoteIP))
			return nil
		},
	})
}

// contentSecurityPolicy allows only this site's own files: no inline script, no inline style, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		// HSTS only when people reach us over TLS, directly or through the proxy that GUANAI_BASE_URL names.
		if c.Request().TLS != nil || a.cfg.Secure() {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// sessionMiddleware loads the scs session and commits it just before the response is written, so a session changed
// by a handler or by the error handler is saved either way.
func (a *App) sessionMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	sm := a.sessions
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/healthz" || c.Path() == "/readyz" || c.Path() == "/metrics" {
			return next(c)
		}
		var token string
		if ck, err := c.Cookie(sm.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := sm.Load(c.Request().Context(), token)
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(ctx))
		c.Set(sessionLoadedKey, true)
		c.Response().Before(func() {
			switch sm.Status(ctx) {
			case scs.Modified:
				tok, expiry, err := sm.Commit(ctx)
				if err != nil {
					a.log.ErrorContext(ctx, "session commit", "err", err)
					return
				}
				sm.WriteSessionCookie(ctx, c.Response(), tok, expiry)
			case scs.Destroyed:
				sm.WriteSessionCookie(ctx, c.Response(), "", time.Time{})
			}
		})
		return next(c) // the CSRF middleware has already said Vary: Cookie
	}
}

const (
	sessionUserID  = "uid"
	sessionVersion = "sv"
	sessionFlashes = "flash"
)

// loadUser puts the logged-in person in the context. A session whose account was suspended, closed or had its
// password changed since the login (session_version moved on) ends here, at once.
func (a *App) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !hasSession(c) {
			return next(c)
		}
		ctx := c.Request().Context()
		uid := a.sessions.GetInt64(ctx, sessionUserID)
		if uid == 0 {
			return next(c)
		}
		u, unread, err := a.store.SignedIn(ctx, uid)
		if errors.Is(err, domain.ErrNotFound) || (err == nil && (!u.Status.CanLogIn() || u.SessionVersion != a.sessions.GetInt(ctx, sessionVersion))) {
			if err := a.sessions.Destroy(ctx); err != nil {
				return err
			}
			return next(c)
		}
		if err != nil {
			return err
		}
		c.Set(userContextKey, &u)
		c.Set(unreadContextKey, unread)
		// A page for a logged-in person carries their data: a shared hospital computer must not keep it in its
		// cache, nor show it from the back-forward cache after they log out.
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

func currentUser(c echo.Context) *domain.User {
	u, _ := c.Get(userContextKey).(*domain.User)
	return u
}

func (a *App) chooseLang(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var cookie string
		if ck, err := c.Cookie(langCookie); err == nil {
			cookie = ck.Value
		}
		c.Set(langContextKey, pickLang(cookie, c.Request().Header.Get("Accept-Language")))
		return next(c)
	}
}

func langOf(c echo.Context) string {
	if l, ok := c.Get(langContextKey).(string); ok {
		return l
	}
	return langZh
}

// allow lets the people in rs through. An anonymous visitor is sent to the login page and back afterwards; anyone
// else gets 403.
func allow(rs roleSet) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return redirectToLogin(c)
			}
			if !can(u, rs) {
				return domain.ErrForbidden
			}
			return next(c)
		}
	}
}

func redirectToLogin(c echo.Context) error {
	next := c.Request().URL.Path
	if c.Request().Method == http.MethodGet && c.Request().URL.RawQuery != "" {
		next += "?" + c.Request().URL.RawQuery
	}
	return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
}

// safeRedirect keeps a redirect target (after login, after a language switch) only when it is a path on this site,
// and "" otherwise. A browser reads "//host", "/\host" and "/\t/host" (it drops tabs and newlines, and takes a
// backslash for a slash) as another host, so a target may not start so, nor carry a backslash, a control
// character or a space anywhere.
func safeRedirect(target string) string {
	if len(target) > 2000 || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") ||
		strings.ContainsAny(target, "\\ ") || strings.IndexFunc(target, unicode.IsControl) >= 0 {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	return target
}

// flash queues a message for the next page.
func (a *App) flash(c echo.Context, kind, key string, args ...string) {
	ctx := c.Request().Context()
	fs, _ := a.sessions.Get(ctx, sessionFlashes).([]Flash)
	a.sessions.Put(ctx, sessionFlashes, append(fs, Flash{Kind: kind, Key: key, Args: args}))
}

func hasSession(c echo.Context) bool { return c.Get(sessionLoadedKey) != nil }

func (a *App) popFlashes(c echo.Context) []Flash {
	ctx := c.Request().Context()
	if !hasSession(c) || !a.sessions.Exists(ctx, sessionFlashes) {
		return nil
	}
	fs, _ := a.sessions.Pop(ctx, sessionFlashes).([]Flash)
	return fs
}
