package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The volunteer's offers: the inbox, one offer, accepting and declining it. Before acceptance an offer shows what
// help is asked, where, when and how urgently — never who asks (repository.OfferLine does not hold it).

// volOfferLine is an offer in the inbox, in words.
type volOfferLine struct {
	Href     string
	Program  string
	Category string
	District string
	Urgency  string
	When     string
	Count    int // occurrences, for a recurring request
	State    string
	Left     string // time left to answer, for an open offer
	Answered string
}

func (a *App) volOfferLineOf(p *Page, o repository.OfferLine) volOfferLine {
	now := a.now()
	l := volOfferLine{Href: "/volunteer/offers/" + itoa64(o.ID), Program: o.Program(p.Lang), Category: o.Category,
		District: o.District, Urgency: o.Urgency, When: volWindow(p, o.StartsAt, o.EndsAt), State: o.State(now)}
	if o.Recurring {
		l.Count = o.Occurrences
	}
	if o.Open(now) {
		l.Left = volTimeLeft(p, o.ExpiresAt.Sub(now))
	}
	if o.AnsweredAt != nil {
		l.Answered = p.Time(*o.AnsweredAt)
	}
	return l
}

type volunteerOffersView struct {
	volColours
	Open     []volOfferLine
	Answered []volOfferLine
}

func (a *App) volunteerOffers(c echo.Context) error {
	offers, err := a.store.VolunteerOffers(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	p := a.newPage(c, "volunteer_offers.title")
	var v volunteerOffersView
	for _, o := range offers.Open {
		v.Open = append(v.Open, a.volOfferLineOf(p, o))
	}
	for _, o := range offers.Answered {
		v.Answered = append(v.Answered, a.volOfferLineOf(p, o))
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "volunteer_offers", p)
}

type volunteerOfferView struct {
	volColours
	volOfferLine
	ID        int64
	RequestID int64
	Open      bool
	Mine      bool // accepted, and the request is his: its page is open to him
	Windows   []string
}

func (a *App) volunteerOfferPage(c echo.Context) error {
	return a.renderVolunteerOffer(c, http.StatusOK, a.newPage(c, "volunteer_offer.title"))
}

func (a *App) renderVolunteerOffer(c echo.Context, status int, p *Page) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o, err := a.store.VolunteerOffer(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	v := volunteerOfferView{volOfferLine: a.volOfferLineOf(p, o.OfferLine), ID: o.ID, RequestID: o.RequestID,
		Open: o.Open(a.now()), Mine: o.Mine && o.Status == domain.OfferAccepted}
	for _, w := range o.Windows {
		v.Windows = append(v.Windows, volWindow(p, w.Start, w.End))
	}
	p.Data = v
	return a.views.render(c, status, "volunteer_offer", p)
}

// volOfferGoneView is the thank-you a late acceptance gets.
type volOfferGoneView struct {
	Why string // taken, expired, ended: care.offer_gone.<why>
}

// volunteerAcceptOffer is the volunteer saying yes. The first acceptance wins: he goes to the request, now his, with her
// details. One that comes too late — someone else was first, the offer ran out, she called it off — is thanked on
// a page of its own, with status 200: nothing went wrong, the help is on its way (or no longer needed), and a
// 409 would read as a failure in the logs and the metrics of every race the design expects.
func (a *App) volunteerAcceptOffer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	requestID, err := a.store.AcceptOffer(c.Request().Context(), actor(c), id)
	var gone *domain.OfferGoneError
	switch {
	case err == nil:
		a.flash(c, "ok", "volunteer_offer.accepted")
		return c.Redirect(http.StatusSeeOther, "/volunteer/requests/"+itoa64(requestID))
	case errors.As(err, &gone):
		p := a.newPage(c, "volunteer_offer_gone.title")
		p.Data = volOfferGoneView{Why: gone.Why}
		return a.views.render(c, http.StatusOK, "volunteer_offer_gone", p)
	}
	// No longer fits (booked meanwhile, or at capacity): the offer's page, with why.
	return a.afterAction(c, err, "/volunteer/offers/"+itoa64(id), "")
}

type volDeclineForm struct {
	Reason string `form:"reason"`
}

// volunteerDeclineOffer is the volunteer saying no, with a reason if he gives one; a reason too long comes back as typed.
func (a *App) volunteerDeclineOffer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f volDeclineForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	err = a.store.DeclineOffer(c.Request().Context(), actor(c), id, f.Reason)
	if fe, ok := fieldErrors(err); ok {
		p := a.newPage(c, "volunteer_offer.title")
		p.Form, p.Errors = c.Request().PostForm, fe
		return a.renderVolunteerOffer(c, http.StatusUnprocessableEntity, p)
	}
	return a.afterAction(c, err, "/volunteer/offers", "volunteer_offer.declined")
}
