package app

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Donors are corrected (a consent to publish the name can change) and duplicates merged here.

// pathDonor loads the donor a path's :id names. A duplicate merged into another sends the person to the donor it
// became (moved is true): its gifts are there now.
func (a *App) pathDonor(c echo.Context) (d repository.DonorSummary, moved bool, err error) {
	id, err := pathID(c)
	if err != nil {
		return d, false, err
	}
	if d, err = a.store.DonorByID(c.Request().Context(), id); err != nil || d.MergedIntoID == nil {
		return d, false, err
	}
	return d, true, c.Redirect(http.StatusSeeOther, "/admin/donors/"+itoa64(*d.MergedIntoID))
}

func (d donorForm) donor() domain.Donor {
	return domain.Donor{Kind: d.Kind, Name: d.Name, CreditCode: d.CreditCode, Phone: d.Phone, Email: d.Email,
		Address: d.Address, PublishName: d.PublishName != ""}
}

func (a *App) donorEditForm(c echo.Context) error {
	d, moved, err := a.pathDonor(c)
	if err != nil || moved {
		return err
	}
	p := a.newPage(c, "donor_edit.title")
	p.Form.Set("donor_kind", d.Kind)
	p.Form.Set("donor_name", d.Name)
	p.Form.Set("credit_code", d.CreditCode)
	p.Form.Set("donor_phone", d.Phone)
	p.Form.Set("donor_email", d.Email)
	p.Form.Set("donor_address", d.Address)
	if d.PublishName {
		p.Form.Set("publish_name", "yes")
	}
	p.Data = d
	return a.views.render(c, http.StatusOK, "donor_edit", p)
}

func (a *App) updateDonor(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f donorForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = a.store.UpdateDonor(ctx, actor(c), id, f.donor())
	if fe, ok := fieldErrors(err); ok {
		d, err := a.store.DonorByID(ctx, id)
		if err != nil {
			return err
		}
		p := a.newPage(c, "donor_edit.title")
		p.Form, p.Errors, p.Data = c.Request().PostForm, fe, d
		return a.views.render(c, http.StatusUnprocessableEntity, "donor_edit", p)
	}
	return a.afterAction(c, err, "/admin/donors/"+itoa64(id), "donor.updated")
}

type donorMergeView struct {
	Donor repository.DonorSummary
	Query string
	Found []repository.DonorSummary // the likely duplicates, this donor left out
}

// donorMergeForm finds the duplicates of a donor: by default the donors with the same name.
func (a *App) donorMergeForm(c echo.Context) error {
	return a.renderDonorMerge(c, http.StatusOK, a.newPage(c, "donor_merge.title"))
}

func (a *App) renderDonorMerge(c echo.Context, status int, p *Page) error {
	d, moved, err := a.pathDonor(c)
	if err != nil || moved {
		return err
	}
	ctx := c.Request().Context()
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		q = d.Name
	}
	found, err := a.store.SearchDonors(ctx, q, chooserSize+1)
	if err != nil {
		return err
	}
	v := donorMergeView{Donor: d, Query: q}
	for _, f := range found {
		if f.ID != d.ID && len(v.Found) < chooserSize {
			v.Found = append(v.Found, f)
		}
	}
	p.Form.Set("q", q)
	p.Data = v
	return a.views.render(c, status, "donor_merge", p)
}

func (a *App) mergeDonor(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	duplicate, err := strconv.ParseInt(c.FormValue("duplicate"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if c.FormValue("same") != "yes" {
		p := a.newPage(c, "donor_merge.title")
		p.Errors = domain.FieldErrors{"same_" + itoa64(duplicate): "donor_merge.confirm_same"}
		return a.renderDonorMerge(c, http.StatusUnprocessableEntity, p)
	}
	err = a.store.MergeDonors(c.Request().Context(), actor(c), duplicate, id)
	return a.afterAction(c, err, "/admin/donors/"+itoa64(id), "donor.merged")
}
