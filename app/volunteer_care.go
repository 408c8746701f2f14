package app

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The volunteer's home and the requests he serves: checking in and out of each occurrence. The offers are in
// volunteer_offers.go, the pairings in volunteer_pairings.go.

type volunteerHomeView struct {
	volColours
	Home     repository.VolunteerHome
	Hours    string // confirmed time, "12 小时 30 分钟"
	Stars    volStars
	Upcoming []volUpcoming
	Pending  bool // the account waits for verification
	// AutoConfirmHours is the settings' delay of the automatic confirmation, for the hint under the hours.
	AutoConfirmHours int
	Certificates     []volCertificate
}

// volCertificate is one of the volunteer's certificates in his home's list.
type volCertificate struct {
	Href, Number, Period, Hours, Issued string
}

// volStars is a volunteer's star level and how far the next one is.
type volStars struct {
	Level     int
	Marks     string // ★★☆☆☆
	Next      int    // the next level; 0 at the top
	HoursLeft int64  // confirmed hours still to serve for the next level
}

func volStarsOf(minutes int64, thresholds []int) volStars {
	v := volStars{Level: domain.StarLevel(minutes, thresholds)}
	v.Marks = strings.Repeat("★", v.Level) + strings.Repeat("☆", len(thresholds)-v.Level)
	if v.Level < len(thresholds) {
		v.Next = v.Level + 1
		v.HoursLeft = int64(math.Ceil(float64(int64(thresholds[v.Level])*60-minutes) / 60))
	}
	return v
}

type volUpcoming struct {
	Href     string
	Program  string
	Category string
	District string
	When     string
	UnderWay bool
}

func (a *App) volunteerHome(c echo.Context) error {
	u := currentUser(c)
	h, err := a.store.VolunteerHome(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	stars, err := a.starHours(c.Request().Context())
	if err != nil {
		return err
	}
	settings, err := a.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "volunteer_home.title")
	v := volunteerHomeView{Home: h, Hours: volDuration(p, time.Duration(h.ConfirmedMinutes)*time.Minute),
		Stars: volStarsOf(h.ConfirmedMinutes, stars), Pending: u.Status == domain.StatusPending,
		AutoConfirmHours: int(settings.AutoConfirm / time.Hour)}
	for _, ct := range h.Certificates {
		from, _ := domain.ParseDate(ct.PeriodFrom)
		to, _ := domain.ParseDate(ct.PeriodTo)
		v.Certificates = append(v.Certificates, volCertificate{Href: "/volunteer/certificates/" + itoa64(ct.ID),
			Number: ct.Number, Period: p.Date(from) + " – " + p.Date(to), Issued: p.Date(ct.IssuedAt),
			Hours: volDuration(p, time.Duration(ct.Minutes)*time.Minute)})
	}
	for _, s := range h.Upcoming {
		v.Upcoming = append(v.Upcoming, volUpcoming{Href: "/volunteer/requests/" + itoa64(s.RequestID),
			Program: s.Program(p.Lang), Category: s.Category, District: s.District, When: volWindow(p, s.StartsAt, s.EndsAt),
			UnderWay: s.ServiceStatus != nil && *s.ServiceStatus == domain.ServiceCheckedIn})
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "volunteer_home", p)
}

type volunteerRequestView struct {
	volColours
	R           repository.RequestView
	Program     string
	When        string
	Active      bool // matched or in service: the volunteer checks in and out
	Occurrences []volOccurrence
}

// volOccurrence is an occurrence with what the volunteer can do about it now.
type volOccurrence struct {
	When    string
	Service *repository.ServiceView
	// CheckIn: this is the next occurrence to check in to, and its time has come; CheckInFrom says when it will
	// when it has not.
	CheckIn     bool
	CheckInFrom string
	// CheckOut: the service under way, to check out of.
	CheckOut    bool
	InAt, OutAt string
	Length      string
	// Confirmation says whether the hours count: confirmed by her, a coordinator or the clock, or when they will by
	// themselves.
	Confirmation string
}

func (a *App) volunteerRequestPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return a.renderVolunteerRequest(c, http.StatusOK, a.newPage(c, "volunteer_request.title"), id)
}

func (a *App) renderVolunteerRequest(c echo.Context, status int, p *Page, id int64) error {
	r, err := a.store.VolunteerRequest(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	v := volunteerRequestView{R: r, Program: r.Program(p.Lang), When: volWindow(p, r.StartsAt, r.EndsAt),
		Active: r.Status == domain.RequestMatched || r.Status == domain.RequestInService}
	now := a.now()
	underWay, nextFound := false, false
	for _, o := range r.Occurrences {
		if o.Service != nil && o.Service.Status == domain.ServiceCheckedIn {
			underWay = true
		}
	}
	for _, o := range r.Occurrences {
		l := volOccurrence{When: volWindow(p, o.StartsAt, o.EndsAt), Service: o.Service}
		switch sv := o.Service; {
		case sv == nil && v.Active && !underWay && !nextFound:
			nextFound = true
			if from := o.StartsAt.Add(-domain.CheckInLead); now.Before(from) {
				l.CheckInFrom = p.Time(from)
			} else {
				l.CheckIn = true
			}
		case sv != nil:
			l.InAt = p.Time(sv.CheckedInAt)
			l.CheckOut = sv.Status == domain.ServiceCheckedIn
			if sv.CheckedOutAt != nil {
				l.OutAt = p.Time(*sv.CheckedOutAt)
				l.Length = volDuration(p, time.Duration(sv.Minutes)*time.Minute)
			}
			if sv.ConfirmedAt != nil {
				l.Confirmation = p.T("volunteer_request.confirmed_"+sv.ConfirmedBy, "Time", p.Time(*sv.ConfirmedAt))
			} else if sv.Status == domain.ServiceCheckedOut {
				l.Confirmation = p.T("volunteer_request.awaiting", "Time", p.Time(sv.AutoConfirmsAt()))
			}
		}
		v.Occurrences = append(v.Occurrences, l)
	}
	p.Data = v
	return a.views.render(c, status, "volunteer_request", p)
}

// volunteerCheckIn starts the service of the request's next occurrence.
func (a *App) volunteerCheckIn(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	_, err = a.store.CheckIn(c.Request().Context(), actor(c), id)
	return a.afterAction(c, err, "/volunteer/requests/"+itoa64(id), "volunteer_request.checked_in")
}

type volCheckOutForm struct {
	Note string `form:"note"`
}

// volunteerCheckOut ends a service, with a note; a note too long comes back on the request's page, as typed.
func (a *App) volunteerCheckOut(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f volCheckOutForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	requestID, err := a.store.VolunteerServiceRequest(ctx, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	back := "/volunteer/requests/" + itoa64(requestID)
	err = a.store.CheckOut(ctx, actor(c), id, f.Note)
	if fe, ok := fieldErrors(err); ok {
		p := a.newPage(c, "volunteer_request.title")
		p.Form, p.Errors = c.Request().PostForm, fe
		return a.renderVolunteerRequest(c, http.StatusUnprocessableEntity, p, requestID)
	}
	return a.afterAction(c, err, back, "volunteer_request.checked_out")
}

// volWindow is a time window as a person reads it: 2026年3月7日 10:00–11:00, the day once when it ends the day
// it starts.
func volWindow(p *Page, start, end time.Time) string {
	s, e := start.In(shanghai), end.In(shanghai)
	if s.Format(time.DateOnly) == e.Format(time.DateOnly) {
		return p.Date(s) + " " + s.Format("15:04") + "–" + e.Format("15:04")
	}
	return p.Time(s) + " – " + p.Time(e)
}

// volDuration is a length of time in hours and minutes: 12 小时 30 分钟, 12 h 30 min.
func volDuration(p *Page, d time.Duration) string {
	m := int64(d / time.Minute)
	h, m := m/60, m%60
	switch {
	case h == 0:
		return p.T("volunteer_care.minutes", "Minutes", m)
	case m == 0:
		return p.T("volunteer_care.hours", "Hours", h)
	}
	return p.T("volunteer_care.hours_minutes", "Hours", h, "Minutes", m)
}

// volTimeLeft is how long an offer stays open, in whole minutes rounded up: 还剩 8 分钟.
func volTimeLeft(p *Page, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return p.T("volunteer_care.left", "Time", volDuration(p, (d+time.Minute-1).Truncate(time.Minute)))
}

// volColours lends the volunteer's pages StatusClass.
type volColours struct{}

// StatusClass colours a state of a request, an offer, a pairing or a service: waiting, going well, or ended
// without help. The words beside it say which.
func (volColours) StatusClass(state string) string {
	switch state {
	case domain.OfferPending, domain.RequestDispatching, domain.RequestSubmitted, domain.RequestEscalated,
		domain.ServiceCheckedIn, domain.ServiceCheckedOut:
		return "s-pending"
	case domain.OfferAccepted, domain.RequestMatched, domain.RequestInService, domain.RequestCompleted,
		domain.RequestClosed, domain.PairingActive, domain.ServiceConfirmed:
		return "s-active"
	case domain.OfferDeclined, domain.OfferExpired, domain.OfferWithdrawn, domain.RequestCancelled:
		return "s-rejected"
	}
	return ""
}
