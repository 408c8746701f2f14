package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// An admin edits a program: its names and descriptions, whether it takes new requests, the qualification a
// service program needs, whether it is sensitive, and how a service program dispatches.

type programForm struct {
	NameZh           string `form:"name_zh"`
	NameEn           string `form:"name_en"`
	DescriptionZh    string `form:"description_zh"`
	DescriptionEn    string `form:"description_en"`
	Active           string `form:"active"`
	Qualification    string `form:"qualification"`
	Sensitive        string `form:"sensitive"`
	OffersEmergency  string `form:"offers_emergency"`
	MinutesEmergency string `form:"minutes_emergency"`
	OffersUrgent     string `form:"offers_urgent"`
	MinutesUrgent    string `form:"minutes_urgent"`
	OffersNormal     string `form:"offers_normal"`
	MinutesNormal    string `form:"minutes_normal"`
	DailyCap         string `form:"daily_offer_cap"`
	GrantCeiling     string `form:"grant_ceiling"`
	ClaimCeiling     string `form:"claim_ceiling"`
}

func (f programForm) program() domain.ProgramForm {
	return domain.ProgramForm{NameZh: f.NameZh, NameEn: f.NameEn, DescriptionZh: f.DescriptionZh, DescriptionEn: f.DescriptionEn,
		Active: f.Active != "", Qualification: f.Qualification, Sensitive: f.Sensitive != "",
		Offers: map[string]string{domain.UrgencyEmergency: f.OffersEmergency, domain.UrgencyUrgent: f.OffersUrgent,
			domain.UrgencyNormal: f.OffersNormal},
		Minutes: map[string]string{domain.UrgencyEmergency: f.MinutesEmergency, domain.UrgencyUrgent: f.MinutesUrgent,
			domain.UrgencyNormal: f.MinutesNormal},
		DailyCap: f.DailyCap, GrantCeiling: f.GrantCeiling, ClaimCeiling: f.ClaimCeiling}
}

type programEditView struct {
	Program   repository.CareProgram
	Urgencies []string
}

func (a *App) programEditForm(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pr, err := a.store.ProgramForEdit(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "program_edit.title")
	p.Form.Set("name_zh", pr.NameZh)
	p.Form.Set("name_en", pr.NameEn)
	p.Form.Set("description_zh", pr.DescriptionZh)
	p.Form.Set("description_en", pr.DescriptionEn)
	if pr.Active {
		p.Form.Set("active", "yes")
	}
	p.Form.Set("qualification", pr.QualificationCode())
	if pr.Sensitive {
		p.Form.Set("sensitive", "yes")
	}
	d := pr.Dispatch()
	for _, u := range domain.Urgencies {
		p.Form.Set("offers_"+u, strconv.Itoa(d.Offers[u]))
		p.Form.Set("minutes_"+u, strconv.Itoa(d.Minutes(u)))
	}
	p.Form.Set("daily_offer_cap", strconv.Itoa(d.DailyCap))
	if ceiling := pr.Ceiling(); ceiling > 0 && pr.Kind == domain.ProgramGrant {
		p.Form.Set("grant_ceiling", ceiling.Plain())
	} else if ceiling > 0 {
		p.Form.Set("claim_ceiling", ceiling.Plain())
	}
	p.Data = programEditView{Program: pr, Urgencies: domain.Urgencies}
	return a.views.render(c, http.StatusOK, "program_edit", p)
}

func (a *App) updateProgram(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f programForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pf := f.program()
	form := c.Request().PostForm
	pf.CeilingOmitted = !form.Has("grant_ceiling") && !form.Has("claim_ceiling")
	err = a.store.UpdateProgram(ctx, actor(c), id, pf)
	if fe, ok := fieldErrors(err); ok {
		pr, err := a.store.ProgramForEdit(ctx, id)
		if err != nil {
			return err
		}
		p := a.newPage(c, "program_edit.title")
		p.Form, p.Errors, p.Data = c.Request().PostForm, fe, programEditView{Program: pr, Urgencies: domain.Urgencies}
		return a.views.render(c, http.StatusUnprocessableEntity, "program_edit", p)
	}
	return a.afterAction(c, err, "/admin/programs", "programs.updated")
}
