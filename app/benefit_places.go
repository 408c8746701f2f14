package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The admin's side of benefits: a benefit program's quota and period (on the program's edit page), its classes or
// venues (places, each redeemed at one venue account's desk), and the venue accounts themselves (/admin/venues).

// benefitPlacesView is the places part of a benefit program's edit page. EditingPlace is the place whose form
// came back with problems (0: none, -1: the new place's form): its fields show what was typed.
type benefitPlacesView struct {
	Benefit      bool
	Places       []repository.BenefitPlace
	Venues       []repository.VenueAccount
	EditingPlace int64
}

// setBenefitForm fills a benefit program's quota and period fields from what it has stored.
func setBenefitForm(p *Page, pr repository.CareProgram) {
	if pr.Kind != domain.ProgramBenefit {
		return
	}
	b := pr.Benefit()
	p.Form.Set("quota", strconv.Itoa(b.Quota))
	p.Form.Set("quota_per", b.QuotaPer)
	p.Form.Set("period", b.Period)
	if b.TermStart != nil {
		p.Form.Set("term_start", domain.Today(*b.TermStart).Format(time.DateOnly))
	}
	if b.TermEnd != nil {
		p.Form.Set("term_end", domain.Today(*b.TermEnd).Format(time.DateOnly))
	}
}

// loadBenefitPlaces reads a benefit program's places and the venue accounts to tie them to: two statements, none
// for another kind of program.
func (a *App) loadBenefitPlaces(c echo.Context, pr repository.CareProgram) (benefitPlacesView, error) {
	if pr.Kind != domain.ProgramBenefit {
		return benefitPlacesView{}, nil
	}
	ctx := c.Request().Context()
	v := benefitPlacesView{Benefit: true}
	var err error
	if v.Places, err = a.store.BenefitPlaces(ctx, pr.ID); err != nil {
		return v, err
	}
	all, err := a.store.VenueAccounts(ctx)
	for _, u := range all {
		if u.Status == domain.StatusActive {
			v.Venues = append(v.Venues, u)
		}
	}
	return v, err
}

type benefitPlaceForm struct {
	NameZh  string `form:"place_name_zh"`
	NameEn  string `form:"place_name_en"`
	Address string `form:"place_address"`
	Venue   string `form:"place_venue"`
	Active  string `form:"place_active"`
}

func (f benefitPlaceForm) place() domain.BenefitPlaceForm {
	return domain.BenefitPlaceForm{NameZh: f.NameZh, NameEn: f.NameEn, Address: f.Address, VenueID: f.Venue, Active: f.Active != ""}
}

// placeFieldErrors names a place's problems by the form's fields (place_name_zh for name_zh).
func placeFieldErrors(fe domain.FieldErrors) domain.FieldErrors {
	out := domain.FieldErrors{}
	for k, v := range fe {
		out["place_"+k] = v
	}
	return out
}

// createBenefitPlace adds a class or venue to a benefit program.
func (a *App) createBenefitPlace(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f benefitPlaceForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	_, err = a.store.CreateBenefitPlace(c.Request().Context(), actor(c), id, f.place())
	if fe, ok := fieldErrors(err); ok {
		return a.placeFormAgain(c, id, -1, fe)
	}
	return a.afterAction(c, err, "/admin/programs/"+itoa64(id)+"/edit#places", "benefits.place_added")
}

// updateBenefitPlace changes a place, or switches it off (or on again).
func (a *App) updateBenefitPlace(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f benefitPlaceForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	programID, err := a.store.UpdateBenefitPlace(c.Request().Context(), actor(c), id, f.place())
	if fe, ok := fieldErrors(err); ok {
		return a.placeFormAgain(c, programID, id, fe)
	}
	return a.afterAction(c, err, "/admin/programs/"+itoa64(programID)+"/edit#places", "benefits.place_saved")
}

// placeFormAgain shows the program's edit page again with a place's form as typed and its problems beside its
// fields; the program's own form shows what is stored.
func (a *App) placeFormAgain(c echo.Context, programID, placeID int64, fe domain.FieldErrors) error {
	pr, err := a.store.ProgramForEdit(c.Request().Context(), programID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "program_edit.title")
	fillProgramForm(p, pr)
	for k, vs := range c.Request().PostForm {
		p.Form[k] = vs
	}
	v := programEditView{Program: pr, Urgencies: domain.Urgencies}
	if v.benefitPlacesView, err = a.loadBenefitPlaces(c, pr); err != nil {
		return err
	}
	v.EditingPlace = placeID
	p.Errors, p.Data = placeFieldErrors(fe), v
	return a.views.render(c, http.StatusUnprocessableEntity, "program_edit", p)
}

// venuesView is the admin's list of venue accounts and the form for a new one.
type venuesView struct {
	Venues []repository.VenueAccount
}

func (a *App) venuesPage(c echo.Context) error {
	list, err := a.store.VenueAccounts(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "venues.title")
	p.Data = venuesView{Venues: list}
	return a.views.render(c, http.StatusOK, "venues", p)
}

type venueForm struct {
	Name     string `form:"name"`
	Phone    string `form:"phone"`
	Password string `form:"password"`
}

// createVenue creates a venue's desk account; the admin gives its first password to the venue, who changes it on
// /account/password.
func (a *App) createVenue(c echo.Context) error {
	var f venueForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, err := a.store.CreateOperator(ctx, actor(c), repository.NewAccount{Phone: f.Phone, Password: f.Password, Name: f.Name,
		Role: domain.RoleVenue})
	if fe, ok := fieldErrors(err); ok {
		list, err := a.store.VenueAccounts(ctx)
		if err != nil {
			return err
		}
		p := a.newPage(c, "venues.title")
		p.Form, p.Errors, p.Data = c.Request().PostForm, fe, venuesView{Venues: list}
		p.Form.Del("password")
		return a.views.render(c, http.StatusUnprocessableEntity, "venues", p)
	}
	return a.afterAction(c, err, "/admin/venues", "venues.created")
}
