package app

import "github.com/labstack/echo/v4"

// transparencyRoutes registers the public transparency pages.
func (a *App) transparencyRoutes(e *echo.Echo) {}
