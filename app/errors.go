package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// errorView is the error page's view model.
type errorView struct {
	Status    int
	Key       string
	Message   Flash // a refusal's own words, when the error was one
	RequestID string
}

// handleError is the one place errors become pages: handlers just return them.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, key := classify(err)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 && status != http.StatusServiceUnavailable {
		a.log.ErrorContext(c.Request().Context(), "request failed", "err", err, "path", c.Request().URL.Path)
	}
	if status == http.StatusServiceUnavailable {
		// Logged too, at warn: an outage shows in the log, and so would anything else taken for one.
		a.log.WarnContext(c.Request().Context(), "database unavailable", "err", err, "path", c.Request().URL.Path)
		c.Response().Header().Set("Retry-After", "5")
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	p := a.newPage(c, key+".title")
	v := errorView{Status: status, Key: key, RequestID: rid}
	if pr, ok := problemOf(err); ok {
		v.Message.Key, v.Message.Args = pr.Message()
	}
	p.Data = v
	if rerr := a.views.render(c, status, "error", p); rerr != nil {
		a.log.ErrorContext(c.Request().Context(), "render error page", "err", rerr)
		_ = c.String(status, http.StatusText(status))
	}
}

func classify(err error) (int, string) {
	var he *echo.HTTPError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "error.404"
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden, "error.403"
	case errors.Is(err, errCSRF):
		return http.StatusForbidden, "error.csrf"
	case repository.IsUnavailable(err):
		return http.StatusServiceUnavailable, "error.503"
	case isProblem(err):
		return http.StatusConflict, "error.409"
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return he.Code, "error.404"
		case http.StatusForbidden:
			return he.Code, "error.403"
		case http.StatusRequestEntityTooLarge:
			return he.Code, "error.413"
		case http.StatusServiceUnavailable:
			return he.Code, "error.503"
		case http.StatusBadRequest:
			return he.Code, "error.400"
		}
	}
	return http.StatusInternalServerError, "error.500"
}

func isProblem(err error) bool {
	_, ok := problemOf(err)
	return ok
}
