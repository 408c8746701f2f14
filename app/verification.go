package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type verificationView struct {
	Queue []repository.Person
}

func (a *App) verificationQueue(c echo.Context) error {
	return a.renderQueue(c, http.StatusOK, nil)
}

// renderQueue shows the queue; fe holds the problem with one decision's reason, keyed by its form's field id.
func (a *App) renderQueue(c echo.Context, status int, fe domain.FieldErrors) error {
	q, err := a.store.VerificationQueue(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "verification.title")
	p.Data = verificationView{Queue: q}
	if fe != nil {
		p.Form, p.Errors = c.Request().PostForm, fe
	}
	return a.views.render(c, status, "verification", p)
}

type decisionForm struct {
	Reason string `form:"reason" validate:"max=500,plain"`
}

// check binds the form and returns the message key for a bad reason: a rejection must give one, since the
// applicant sees it.
func (f *decisionForm) check(c echo.Context, approve bool) (string, error) {
	fe, err := checkForm(c, f)
	if err != nil {
		return "", err
	}
	f.Reason = strings.TrimSpace(f.Reason)
	if key := fe["reason"]; key != "" {
		return key, nil
	}
	if !approve && f.Reason == "" {
		return "error.reason_required", nil
	}
	return "", nil
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
	if key, err := f.check(c, approve); err != nil {
		return err
	} else if key != "" {
		return a.renderQueue(c, http.StatusUnprocessableEntity, domain.FieldErrors{"reason_" + c.Param("id"): key})
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
	if key, err := f.check(c, approve); err != nil {
		return err
	} else if key != "" {
		return a.renderQueue(c, http.StatusUnprocessableEntity, domain.FieldErrors{"qreason_" + c.Param("id"): key})
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
