package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type peopleView struct {
	People []domain.User
	Paging listPaging
	Filter repository.PeopleFilter
}

func (a *App) peopleList(c echo.Context) error {
	f := repository.PeopleFilter{Role: domain.Role(c.QueryParam("role")), Status: domain.Status(c.QueryParam("status")),
		Query: c.QueryParam("q")}
	if !f.Role.Valid() {
		f.Role = ""
	}
	people, err := a.store.ListPeople(c.Request().Context(), f, cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "people.title")
	p.Form = c.QueryParams()
	p.Data = peopleView{People: people.Rows, Filter: f, Paging: pagingOf(c.Request().URL, people, "")}
	return a.views.render(c, http.StatusOK, "people", p)
}

type personView struct {
	Person    repository.Person
	Phone     string // the full phone, only after a reveal
	ResetLink string // shown once, right after it was issued
}

func (a *App) personPage(c echo.Context) error { return a.renderPerson(c, personView{}) }

// visiblePerson loads the person a path's :id names, if the logged-in operator may see them.
func (a *App) visiblePerson(c echo.Context) (repository.Person, error) {
	id, err := pathID(c)
	if err != nil {
		return repository.Person{}, err
	}
	return a.store.PersonFor(c.Request().Context(), actor(c), id)
}

func (a *App) renderPerson(c echo.Context, v personView) error {
	var err error
	if v.Person, err = a.visiblePerson(c); err != nil {
		return err
	}
	p := a.newPage(c, "person.title")
	p.Data = v
	return a.views.render(c, http.StatusOK, "person", p)
}

// revealPhone shows one phone in full; the reveal is audited before the number is sent.
func (a *App) revealPhone(c echo.Context) error {
	p, err := a.visiblePerson(c)
	if err != nil {
		return err
	}
	phone, err := a.store.RevealPhone(c.Request().Context(), actor(c), p.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return a.renderPerson(c, personView{Phone: phone})
}

func (a *App) issueResetLink(c echo.Context) error {
	p, err := a.visiblePerson(c)
	if err != nil {
		return err
	}
	token, err := a.store.IssueResetLink(c.Request().Context(), actor(c), p.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return a.renderPerson(c, personView{ResetLink: a.cfg.BaseURL + "/reset/" + token})
}

func (a *App) suspendPerson(c echo.Context) error {
	return a.setPersonStatus(c, domain.StatusSuspended, "person.suspended")
}

func (a *App) reactivatePerson(c echo.Context) error {
	return a.setPersonStatus(c, domain.StatusActive, "person.reactivated")
}

func (a *App) setPersonStatus(c echo.Context, status domain.Status, flashKey string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f decisionForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	err = a.store.SetStatus(c.Request().Context(), actor(c), id, status, f.Reason)
	return a.afterAction(c, err, "/admin/people/"+itoa64(id), flashKey)
}
