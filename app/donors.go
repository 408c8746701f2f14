package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

type donorListView struct {
	Donors []repository.DonorSummary
	Paging listPaging
}

func (a *App) donorList(c echo.Context) error {
	donors, err := a.store.ListDonors(c.Request().Context(), c.QueryParam("q"), cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "donors.title")
	p.Form = c.QueryParams()
	p.Data = donorListView{Donors: donors.Rows, Paging: pagingOf(c.Request().URL, donors, "")}
	return a.views.render(c, http.StatusOK, "donors", p)
}

type donorView struct {
	Donor     repository.DonorSummary
	Donations []repository.Donation
	Paging    listPaging
}

func (a *App) donorPage(c echo.Context) error {
	d, moved, err := a.pathDonor(c)
	if err != nil || moved {
		return err
	}
	id, ctx := d.ID, c.Request().Context()
	list, err := a.store.ListDonations(ctx, repository.DonationFilter{DonorID: id}, cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "donor.title")
	p.Data = donorView{Donor: d, Donations: list.Rows, Paging: pagingOf(c.Request().URL, list, "")}
	return a.views.render(c, http.StatusOK, "donor", p)
}

func (a *App) donorForm(c echo.Context) error {
	p := a.newPage(c, "donor_new.title")
	p.Form.Set("donor_kind", domain.DonorIndividual)
	return a.views.render(c, http.StatusOK, "donor_new", p)
}

type donorForm struct {
	Kind        string `form:"donor_kind"`
	Name        string `form:"donor_name"`
	CreditCode  string `form:"credit_code"`
	Phone       string `form:"donor_phone"`
	Email       string `form:"donor_email"`
	Address     string `form:"donor_address"`
	PublishName string `form:"publish_name"`
}

func (a *App) createDonor(c echo.Context) error {
	var f donorForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	id, err := a.store.CreateDonor(c.Request().Context(), actor(c), f.donor())
	if fe, ok := fieldErrors(err); ok {
		p := a.newPage(c, "donor_new.title")
		p.Form, p.Errors = c.Request().PostForm, fe
		return a.views.render(c, http.StatusUnprocessableEntity, "donor_new", p)
	}
	if err != nil {
		return err
	}
	a.flash(c, "ok", "donor.created")
	return c.Redirect(http.StatusSeeOther, "/admin/donors/"+itoa64(id))
}
