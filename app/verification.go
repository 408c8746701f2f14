package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type verificationView struct {
	Queue   []repository.Person
	Waiting repository.Count // how many wait in all; the queue shows the first repository.QueueSize
}

func (a *App) verificationQueue(c echo.Context) error {
	return a.renderQueue(c, http.StatusOK, nil)
}

// renderQueue shows the queue; fe holds the problem with one decision's reason, keyed by its form's field id.
func (a *App) renderQueue(c echo.Context, status int, fe domain.FieldErrors) error {
	q, waiting, err := a.store.VerificationQueue(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "verification.title")
	p.Data = verificationView{Queue: q, Waiting: waiting}
	if fe != nil {
		p.Form, p.Errors = c.Request().PostForm, fe
	}
	return a.views.render(c, status, "verification", p)
}

// decisionForm is the reason typed with a decision; domain.CheckReason says when one is needed.
type decisionForm struct {
	Reason string `form:"reason"`
}

func (a *App) approvePerson(c echo.Context) error { return a.decidePerson(c, true) }
func (a *App) rejectPerson(c echo.Context) error  { return a.decidePerson(c, false) }

func (a *App) decidePerson(c echo.Context, approve bool) error {
	return a.decide(c, approve, "reason_", func(id int64, reason string) error {
		return a.store.DecideAccount(c.Request().Context(), actor(c), id, approve, reason)
	})
}

func (a *App) verifyQualification(c echo.Context) error { return a.decideQualification(c, true) }
func (a *App) rejectQualification(c echo.Context) error { return a.decideQualification(c, false) }

func (a *App) decideQualification(c echo.Context, approve bool) error {
	return a.decide(c, approve, "qreason_", func(id int64, reason string) error {
		_, err := a.store.DecideQualification(c.Request().Context(), actor(c), id, approve, reason)
		return err
	})
}

// decide runs one decision of the queue. A bad reason shows the queue again with the message beside that
// decision's reason (its field is prefix + id); anything else goes back with what happened.
func (a *App) decide(c echo.Context, approve bool, prefix string, decide func(id int64, reason string) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f decisionForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	err = decide(id, f.Reason)
	a.homeCounts.forget() // the one who decided sees the queue's figures move at once
	if fe, ok := fieldErrors(err); ok && fe["reason"] != "" {
		return a.renderQueue(c, http.StatusUnprocessableEntity, domain.FieldErrors{prefix + c.Param("id"): fe["reason"]})
	}
	back := safeRedirect(c.FormValue("back"))
	if back == "" {
		back = "/admin/verification"
	}
	okKey := "verification.approved"
	if !approve {
		okKey = "verification.rejected"
	}
	return a.afterAction(c, err, back, okKey)
}
