package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type verificationView struct {
	Queue []repository.Person
}

func (a *App) verificationQueue(c echo.Context) error {
	return a.renderQueue(c, http.StatusOK)
}

func (a *App) renderQueue(c echo.Context, status int) error {
	q, err := a.store.VerificationQueue(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "verification.title")
	p.Data = verificationView{Queue: q}
	if status != http.StatusOK {
		p.Form, p.Errors = c.Request().PostForm, domain.FieldErrors{"reason_" + c.Param("id"): "error.reason_required"}
	}
	return a.views.render(c, status, "verification", p)
}

type decisionForm struct {
	Reason string `form:"reason" validate:"max=500"`
}

func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.ErrNotFound
	}
	return id, nil
}

func (a *App) approvePerson(c echo.Context) error { return a.decidePerson(c, true) }
func (a *App) rejectPerson(c echo.Context) error  { return a.decidePerson(c, false) }

func (a *App) decidePerson(c echo.Context, approve bool) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f decisionForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	if !approve && f.Reason == "" {
		return a.renderQueue(c, http.StatusUnprocessableEntity)
	}
	err = a.store.DecideAccount(c.Request().Context(), actor(c), id, approve, f.Reason)
	return a.afterDecision(c, err, approve)
}

func (a *App) verifyQualification(c echo.Context) error { return a.decideQualification(c, true) }
func (a *App) rejectQualification(c echo.Context) error { return a.decideQualification(c, false) }

func (a *App) decideQualification(c echo.Context, approve bool) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f decisionForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	if !approve && f.Reason == "" {
		return a.renderQueue(c, http.StatusUnprocessableEntity)
	}
	_, err = a.store.DecideQualification(c.Request().Context(), actor(c), id, approve, f.Reason)
	return a.afterDecision(c, err, approve)
}

func (a *App) afterDecision(c echo.Context, err error, approve bool) error {
	switch {
	case errors.Is(err, repository.ErrAlreadyDecided):
		a.flash(c, "error", "verification.already_decided")
	case err != nil:
		return err
	case approve:
		a.flash(c, "ok", "verification.approved")
	default:
		a.flash(c, "ok", "verification.rejected")
	}
	back := safeNext(c.FormValue("back"))
	if back == "" {
		back = "/admin/verification"
	}
	return c.Redirect(http.StatusSeeOther, back)
}
