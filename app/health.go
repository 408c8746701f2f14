package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz answers while the process lives; readyz only while PostgreSQL answers too.
func (a *App) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

func (a *App) readyz(c echo.Context) error {
	if err := a.store.Ping(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
