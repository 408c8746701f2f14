package app

import (
	"net/http"
	"net/url"
	"reflect"
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
	// A benefit program's quota and period (app/benefit_places.go has its places).
	Quota     string `form:"quota"`
	QuotaPer  string `form:"quota_per"`
	Period    string `form:"period"`
	TermStart string `form:"term_start"`
	TermEnd   string `form:"term_end"`
	// bulk assignment (dispatch_assign.go)
	AssignDistance   string `form:"assign_distance_weight"`
	AssignLoad       string `form:"assign_load_weight"`
	AssignContinuity string `form:"assign_continuity_weight"`
	AssignFairness   string `form:"assign_fairness_weight"`
	PlanHours        string `form:"plan_hours"`
}

func (f programForm) program() domain.ProgramForm {
	return domain.ProgramForm{NameZh: f.NameZh, NameEn: f.NameEn, DescriptionZh: f.DescriptionZh, DescriptionEn: f.DescriptionEn,
		Active: f.Active != "", Qualification: f.Qualification, Sensitive: f.Sensitive != "",
		Offers: map[string]string{domain.UrgencyEmergency: f.OffersEmergency, domain.UrgencyUrgent: f.OffersUrgent,
			domain.UrgencyNormal: f.OffersNormal},
		Minutes: map[string]string{domain.UrgencyEmergency: f.MinutesEmergency, domain.UrgencyUrgent: f.MinutesUrgent,
			domain.UrgencyNormal: f.MinutesNormal},
		DailyCap: f.DailyCap, GrantCeiling: f.GrantCeiling, ClaimCeiling: f.ClaimCeiling,
		Benefit: domain.BenefitForm{Quota: f.Quota, QuotaPer: f.QuotaPer, Period: f.Period, TermStart: f.TermStart, TermEnd: f.TermEnd},
		Assignment: map[string]string{"assign_distance_weight": f.AssignDistance, "assign_load_weight": f.AssignLoad,
			"assign_continuity_weight": f.AssignContinuity, "assign_fairness_weight": f.AssignFairness,
			"plan_hours": f.PlanHours}}
}

type programEditView struct {
	Program       repository.CareProgram
	Urgencies     []string
	AssignWeights []string // the weight fields of bulk assignment
	benefitPlacesView
}

// programEditView is the program's page: its settings, and a benefit program's places.
func (a *App) programEditView(c echo.Context, pr repository.CareProgram) (programEditView, error) {
	v := programEditView{Program: pr, Urgencies: domain.Urgencies, AssignWeights: domain.AssignmentFields[:4]}
	var err error
	v.benefitPlacesView, err = a.loadBenefitPlaces(c, pr)
	return v, err
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
	fillProgramForm(p, pr)
	v, err := a.programEditView(c, pr)
	if err != nil {
		return err
	}
	p.Data = v
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
		v, err := a.programEditView(c, pr)
		if err != nil {
			return err
		}
		p.Form, p.Errors, p.Data = c.Request().PostForm, fe, v
		return a.views.render(c, http.StatusUnprocessableEntity, "program_edit", p)
	}
	return a.afterAction(c, err, "/admin/programs", "programs.updated")
}

// programFormOf is a program's form as its edit page shows it, filled with what it has stored: the demo changes one
// setting from it and keeps every other as it is.
func programFormOf(pr repository.CareProgram) domain.ProgramForm {
	p := &Page{Form: url.Values{}}
	fillProgramForm(p, pr)
	var f programForm
	bindValues(&f, p.Form)
	return f.program()
}

// bindValues sets the string fields of the struct f points to from values, by their form tags, as the binder does
// with a posted form.
func bindValues(f any, values url.Values) {
	v := reflect.ValueOf(f).Elem()
	for i := range v.NumField() {
		if tag := v.Type().Field(i).Tag.Get("form"); tag != "" && v.Field(i).Kind() == reflect.String {
			v.Field(i).SetString(values.Get(tag))
		}
	}
}

// fillProgramForm fills the program's form with what it has stored.
func fillProgramForm(p *Page, pr repository.CareProgram) {
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
	for field, v := range map[string]int{"assign_distance_weight": pr.AssignDistanceWeight,
		"assign_load_weight": pr.AssignLoadWeight, "assign_continuity_weight": pr.AssignContinuityWeight,
		"assign_fairness_weight": pr.AssignFairnessWeight, "plan_hours": pr.PlanHours} {
		p.Form.Set(field, strconv.Itoa(v))
	}
	setBenefitForm(p, pr)
}
