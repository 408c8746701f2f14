package app

import "github.com/labstack/echo/v4"

// statementRoutes registers the bank statement import pages.
func (a *App) statementRoutes(g *echo.Group) {}
