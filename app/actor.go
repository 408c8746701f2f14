package app

import (
	"github.com/labstack/echo/v4"

	"guanai/repository"
)

// actor is the logged-in person and their address, for the audit log.
func actor(c echo.Context) repository.Actor {
	act := repository.Actor{IP: c.RealIP()}
	if u := currentUser(c); u != nil {
		act.UserID, act.Role = u.ID, u.Role
	}
	return act
}
