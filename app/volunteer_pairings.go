package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The volunteer's pairings: the list, one pairing with the staff member's contact while it is active (each view
// audited by the repository), and ending it.

type volPairingLine struct {
	Href     string
	Program  string
	District string
	Status   string
	Since    string
	Ended    string
	// RequestCount is how many requests the pairing has served.
	RequestCount int
}

func volPairingLineOf(p *Page, l repository.VolunteerPairingLine) volPairingLine {
	out := volPairingLine{Href: "/volunteer/pairings/" + itoa64(l.ID), Program: l.Program(p.Lang), District: l.District,
		Status: l.Status, Since: p.Date(l.StartedAt), RequestCount: l.Requests}
	if l.EndedAt != nil {
		out.Ended = p.Date(*l.EndedAt)
	}
	return out
}

type volunteerPairingsView struct {
	volColours
	Pairings []volPairingLine
}

func (a *App) volunteerPairings(c echo.Context) error {
	list, err := a.store.VolunteerPairings(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "volunteer_pairings.title")
	var v volunteerPairingsView
	for _, l := range list {
		v.Pairings = append(v.Pairings, volPairingLineOf(p, l))
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "volunteer_pairings", p)
}

type volPairingRequest struct {
	Href     string
	Category string
	Status   string
	When     string
}

type volunteerPairingView struct {
	volColours
	volPairingLine
	ID        int64
	Active    bool
	EndReason string
	NoRepeat  bool
	Contact   *repository.PairingContact
	Requests  []volPairingRequest
}

func (a *App) volunteerPairingPage(c echo.Context) error {
	return a.renderVolunteerPairing(c, http.StatusOK, a.newPage(c, "volunteer_pairing.title"))
}

func (a *App) renderVolunteerPairing(c echo.Context, status int, p *Page) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pv, err := a.store.VolunteerPairing(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v := volunteerPairingView{volPairingLine: volPairingLineOf(p, pv.VolunteerPairingLine), ID: pv.ID,
		Active: pv.Status == domain.PairingActive, EndReason: pv.EndReason, NoRepeat: pv.NoRepeat, Contact: pv.Contact}
	for _, r := range pv.Requests {
		v.Requests = append(v.Requests, volPairingRequest{Href: "/volunteer/requests/" + itoa64(r.ID),
			Category: r.Category, Status: r.Status, When: volWindow(p, r.StartsAt, r.EndsAt)})
	}
	p.Data = v
	return a.views.render(c, status, "volunteer_pairing", p)
}

type volEndPairingForm struct {
	Reason   string `form:"reason"`
	NoRepeat string `form:"no_repeat"`
}

// volunteerEndPairing ends a pairing with a reason and, if he says so, "don't pair us again". Without a reason the page
// comes back with the form as typed.
func (a *App) volunteerEndPairing(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f volEndPairingForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	err = a.store.EndPairing(c.Request().Context(), actor(c), id, f.Reason, f.NoRepeat == "yes")
	if fe, ok := fieldErrors(err); ok {
		p := a.newPage(c, "volunteer_pairing.title")
		p.Form, p.Errors = c.Request().PostForm, fe
		return a.renderVolunteerPairing(c, http.StatusUnprocessableEntity, p)
	}
	return a.afterAction(c, err, "/volunteer/pairings/"+itoa64(id), "volunteer_pairing.ended")
}
