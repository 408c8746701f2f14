package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The coordinators' queue of benefit applications: each submitted one with what its holder has had approved in the
// period, approved (which issues the voucher) or rejected with a reason.

type benefitQueueView struct {
	Lines  []repository.BenefitQueueLine
	Paging listPaging
}

func (a *App) benefitQueue(c echo.Context) error {
	list, err := a.store.BenefitQueue(c.Request().Context(), cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "benefits.queue_title")
	p.Data = benefitQueueView{Lines: list.Rows, Paging: pagingOf(c.Request().URL, list, "")}
	return a.views.render(c, http.StatusOK, "benefit_queue", p)
}

func (a *App) approveApplication(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	_, err = a.store.ApproveApplication(c.Request().Context(), actor(c), id)
	return a.afterAction(c, err, "/admin/benefits", "benefits.approved")
}

type rejectApplicationForm struct {
	Reason string `form:"reason"`
}

func (a *App) rejectApplication(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f rejectApplicationForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	err = a.store.RejectApplication(c.Request().Context(), actor(c), id, f.Reason)
	if fe, ok := fieldErrors(err); ok {
		list, err := a.store.BenefitQueue(c.Request().Context(), cursorParam(c))
		if err != nil {
			return err
		}
		p := a.newPage(c, "benefits.queue_title")
		p.Form, p.Data = c.Request().PostForm, benefitQueueView{Lines: list.Rows, Paging: pagingOf(c.Request().URL, list, "")}
		p.Errors = domain.FieldErrors{"reason_" + itoa64(id): fe["reason"]}
		p.Form.Set("rejecting", itoa64(id))
		return a.views.render(c, http.StatusUnprocessableEntity, "benefit_queue", p)
	}
	return a.afterAction(c, err, "/admin/benefits", "benefits.rejected")
}
