package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// accountView is a person's account page: who they are, and their e-mail address.
type accountView struct {
	repository.Person
	Mail repository.MailSettings
}

func (a *App) accountPage(c echo.Context) error {
	ctx := c.Request().Context()
	person, err := a.store.PersonOf(ctx, *currentUser(c))
	if err != nil {
		return err
	}
	m, err := a.store.MailSettingsOf(ctx, person.ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "account.title")
	p.Data = accountView{Person: person, Mail: m}
	return a.views.render(c, http.StatusOK, "account", p)
}

type passwordForm struct {
	Current  string `form:"current" validate:"required"`
	Password string `form:"password"`
	Confirm  string `form:"confirm" validate:"eqfield=Password"`
}

func (a *App) passwordForm(c echo.Context) error {
	return a.views.render(c, http.StatusOK, "password", a.newPage(c, "password.title"))
}

func (a *App) changePassword(c echo.Context) error {
	var f passwordForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	if key := domain.CheckPassword(f.Password); key != "" {
		fe.Add("password", key)
	}
	if len(fe) == 0 {
		var u domain.User
		u, err = a.store.ChangePassword(c.Request().Context(), actor(c), f.Current, f.Password)
		if e, ok := fieldErrors(err); ok {
			fe = e
		} else if err != nil {
			return err
		} else {
			// This session carries on under the new version; every other session of the account has ended.
			a.sessions.Put(c.Request().Context(), sessionVersion, u.SessionVersion)
			if err := a.sessions.RenewToken(c.Request().Context()); err != nil {
				return err
			}
			a.flash(c, "ok", "password.changed")
			return c.Redirect(http.StatusSeeOther, "/account")
		}
	}
	p := a.newPage(c, "password.title")
	p.Errors = fe
	return a.views.render(c, http.StatusUnprocessableEntity, "password", p)
}

func (a *App) downloadMyData(c echo.Context) error {
	d, err := a.store.ExportMyData(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="guanai-my-data.json"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONPretty(http.StatusOK, d, "  ")
}

func (a *App) closeAccountForm(c echo.Context) error {
	return a.views.render(c, http.StatusOK, "close_account", a.newPage(c, "close.title"))
}

type closeForm struct {
	Password string `form:"password" validate:"required"`
	Confirm  string `form:"confirm" validate:"required"`
}

func (a *App) closeAccount(c echo.Context) error {
	var f closeForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	if len(fe) == 0 {
		err = a.store.CloseAccount(c.Request().Context(), actor(c), f.Password)
		if e, ok := fieldErrors(err); ok {
			fe = e
		} else if err != nil {
			return err
		} else {
			if err := a.sessions.Destroy(c.Request().Context()); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, "/?closed=1")
		}
	}
	p := a.newPage(c, "close.title")
	p.Errors = fe
	return a.views.render(c, http.StatusUnprocessableEntity, "close_account", p)
}

type resetForm struct {
	Password string `form:"password"`
	Confirm  string `form:"confirm" validate:"eqfield=Password"`
}

func (a *App) resetForm(c echo.Context) error {
	u, err := a.store.CheckResetLink(c.Request().Context(), c.Param("token"))
	if errors.Is(err, domain.ErrResetLinkInvalid) {
		return a.renderResetInvalid(c)
	}
	if err != nil {
		return err
	}
	p := a.newPage(c, "reset.title")
	p.Data = u.Name
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return a.views.render(c, http.StatusOK, "reset", p)
}

func (a *App) renderResetInvalid(c echo.Context) error {
	p := a.newPage(c, "reset.title")
	p.Errors = domain.FieldErrors{"token": "reset.invalid"}
	return a.views.render(c, http.StatusNotFound, "reset", p)
}

func (a *App) reset(c echo.Context) error {
	var f resetForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	if key := domain.CheckPassword(f.Password); key != "" {
		fe.Add("password", key)
	}
	if len(fe) > 0 {
		u, err := a.store.CheckResetLink(c.Request().Context(), c.Param("token"))
		if err != nil {
			return a.renderResetInvalid(c)
		}
		p := a.newPage(c, "reset.title")
		p.Data, p.Errors = u.Name, fe
		return a.views.render(c, http.StatusUnprocessableEntity, "reset", p)
	}
	_, err = a.store.ResetPassword(c.Request().Context(), c.RealIP(), c.Param("token"), f.Password)
	if errors.Is(err, domain.ErrResetLinkInvalid) {
		return a.renderResetInvalid(c)
	}
	if err != nil {
		return err
	}
	a.flash(c, "ok", "reset.done")
	return c.Redirect(http.StatusSeeOther, "/login")
}
