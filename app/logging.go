package app

import (
	"context"
	"log/slog"
	"os"

	"github.com/labstack/echo/v4"
)

// Every log line written while a request is served names it by request_id — the access log, an error, a slow
// statement gorm reports — so one request's lines can be found together.

type requestIDKey struct{}

// contextHandler adds the request id carried by the context to each record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// newLogger writes JSON lines to standard error.
func newLogger() *slog.Logger { return slog.New(contextHandler{slog.NewJSONHandler(os.Stderr, nil)}) }

// requestIDContext puts the request id the RequestID middleware chose into the request's context.
func requestIDContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Response().Header().Get(echo.HeaderXRequestID)
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), requestIDKey{}, id)))
		return next(c)
	}
}
