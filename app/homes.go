package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/repository"
)

func (a *App) staffHome(c echo.Context) error {
	return a.personHome(c, "staff_home")
}

func (a *App) volunteerHome(c echo.Context) error {
	return a.personHome(c, "volunteer_home")
}

func (a *App) personHome(c echo.Context, page string) error {
	person, err := a.store.PersonByID(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, page+".title")
	p.Data = person
	return a.views.render(c, http.StatusOK, page, p)
}

func (a *App) adminHome(c echo.Context) error {
	counts, err := a.store.HomeCounts(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "admin_home.title")
	p.Data = counts
	return a.views.render(c, http.StatusOK, "admin_home", p)
}

// actor is the logged-in person and their address, for the audit log.
func actor(c echo.Context) repository.Actor {
	act := repository.Actor{IP: c.RealIP()}
	if u := currentUser(c); u != nil {
		act.UserID = u.ID
	}
	return act
}
