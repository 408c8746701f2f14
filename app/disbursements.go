package app

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type disbursementListView struct {
	Disbursements []repository.Disbursement
	Paging        listPaging
	States        []string
}

func (a *App) disbursementList(c echo.Context) error {
	list, err := a.store.ListDisbursements(c.Request().Context(), c.QueryParam("status"), cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "disbursements.title")
	p.Form = c.QueryParams()
	p.Data = disbursementListView{Disbursements: list.Rows, Paging: pagingOf(c.Request().URL, list, ""), States: domain.DisbursementStates}
	return a.views.render(c, http.StatusOK, "disbursements", p)
}

type disbursementForm struct {
	Pool         string `form:"pool"`
	Amount       string `form:"amount"`
	Payee        string `form:"payee" validate:"required,max=100,plain"`
	PayeeAccount string `form:"payee_account" validate:"max=100,plain"`
	Purpose      string `form:"purpose" validate:"required,max=200,plain"`
}

func (a *App) disbursementForm(c echo.Context) error {
	return a.renderDisbursementForm(c, http.StatusOK, a.newPage(c, "disbursement_new.title"))
}

func (a *App) renderDisbursementForm(c echo.Context, status int, p *Page) error {
	pools, err := a.store.Pools(c.Request().Context())
	if err != nil {
		return err
	}
	p.Data = pools
	return a.views.render(c, status, "disbursement_new", p)
}

func (a *App) createDisbursement(c echo.Context) error {
	var f disbursementForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	amount := amountField(fe, "amount", f.Amount)
	pool := idField(fe, "pool", f.Pool)
	if len(fe) == 0 {
		var id int64
		id, err = a.store.CreateDisbursement(c.Request().Context(), actor(c), repository.DisbursementDraft{PoolID: pool,
			Amount: amount, Payee: strings.TrimSpace(f.Payee), PayeeAccount: strings.TrimSpace(f.PayeeAccount), Purpose: strings.TrimSpace(f.Purpose)})
		if e, ok := fieldErrors(err); ok {
			fe = e
		} else if err != nil {
			return err
		} else {
			a.flash(c, "ok", "disbursement.created")
			return c.Redirect(http.StatusSeeOther, "/admin/disbursements/"+itoa64(id))
		}
	}
	p := a.newPage(c, "disbursement_new.title")
	p.Form, p.Errors = c.Request().PostForm, fe
	return a.renderDisbursementForm(c, http.StatusUnprocessableEntity, p)
}

type disbursementView struct {
	D       repository.Disbursement
	IsMaker bool
}

func (a *App) disbursementPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := a.store.DisbursementByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "disbursement.title")
	p.Data = disbursementView{D: d, IsMaker: d.MakerID == currentUser(c).ID}
	return a.views.render(c, http.StatusOK, "disbursement", p)
}

func (a *App) approveDisbursement(c echo.Context) error {
	return a.disbursementStep(c, "disbursement.approved", func(id int64) error {
		return a.store.ApproveDisbursement(c.Request().Context(), actor(c), id)
	})
}

type payForm struct {
	BankReference string `form:"bank_reference" validate:"max=100,plain"`
}

func (a *App) payDisbursement(c echo.Context) error {
	var f payForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	return a.disbursementStep(c, "disbursement.paid", func(id int64) error {
		if err := fe.Err(); err != nil {
			return err
		}
		return a.store.PayDisbursement(c.Request().Context(), actor(c), id, f.BankReference)
	})
}

func (a *App) rejectDisbursement(c echo.Context) error {
	return a.endDisbursement(c, "disbursement.rejected", a.store.RejectDisbursement)
}

func (a *App) cancelDisbursement(c echo.Context) error {
	return a.endDisbursement(c, "disbursement.cancelled", a.store.CancelDisbursement)
}

func (a *App) endDisbursement(c echo.Context, okKey string, end func(ctx context.Context, actor repository.Actor, id int64, reason string) error) error {
	var f decisionForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	return a.disbursementStep(c, okKey, func(id int64) error {
		return end(c.Request().Context(), actor(c), id, f.Reason)
	})
}

// disbursementStep runs one step of the workflow and goes back to the disbursement's page with what happened: the
// step's refusal (wrong state, maker approving, not enough money — with what is available) is a message there.
func (a *App) disbursementStep(c echo.Context, okKey string, step func(id int64) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return a.afterAction(c, step(id), "/admin/disbursements/"+itoa64(id), okKey)
}
