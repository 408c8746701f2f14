package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

type loginView struct {
	Next    string
	Problem string // a message key for the whole form
	Until   string
	Reason  string
}

func (a *App) loginForm(c echo.Context) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(http.StatusSeeOther, homeOf(u.Role))
	}
	p := a.newPage(c, "login.title")
	p.Data = loginView{Next: safeRedirect(c.QueryParam("next"))}
	return a.views.render(c, http.StatusOK, "login", p)
}

func (a *App) login(c echo.Context) error {
	phone, password := c.FormValue("phone"), c.FormValue("password")
	next := safeRedirect(c.FormValue("next"))
	u, err := a.store.Login(c.Request().Context(), phone, password, c.RealIP())
	if err != nil {
		return a.loginFailed(c, err, next)
	}
	ctx := c.Request().Context()
	// A new session id at login, so a token planted before login is worth nothing after it.
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.sessions.Put(ctx, sessionUserID, u.ID)
	a.sessions.Put(ctx, sessionVersion, u.SessionVersion)
	if next == "" {
		next = homeOf(u.Role)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (a *App) loginFailed(c echo.Context, err error, next string) error {
	p := a.newPage(c, "login.title")
	p.Form.Set("phone", c.FormValue("phone"))
	v := loginView{Next: next, Problem: "login.bad_credentials"}
	var locked *domain.LockedError
	var state *domain.AccountStateError
	switch {
	case errors.As(err, &locked):
		v.Problem, v.Until = "login.locked", p.Time(locked.Until)
	case errors.As(err, &state):
		v.Problem, v.Reason = "login.status_"+string(state.Status), state.Reason
	case !errors.Is(err, domain.ErrBadLogin):
		return err
	}
	p.Data = v
	status := http.StatusUnauthorized
	if locked != nil {
		status = http.StatusTooManyRequests
	}
	return a.views.render(c, status, "login", p)
}

func (a *App) logout(c echo.Context) error {
	if err := a.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
