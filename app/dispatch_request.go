package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// One request on the dispatch board: what she asked for, its timeline, its offers with why each volunteer was
// asked and what they answered, and — while it still waits — the candidates the next round would ask, each with
// an "assign" button; any other volunteer can be assigned by phone or id, with a written reason when they fail a
// hard filter. A coordinator can also send the next round now.

// dispatchCandidates is how many of the best candidates the page lists.
const dispatchCandidates = 20

type dispatchRequestView struct {
	R          repository.DispatchRequest
	Program    string
	Window     string
	Events     []eventLine
	Offers     []offerLine
	Candidates []candidateLine
	TimeLeft   string
	Override   *overrideView // the volunteer chosen fails hard filters: say which, and ask why
}

type eventLine struct {
	At   time.Time
	Text string
}

type offerLine struct {
	repository.DispatchOffer
	Reasons string
}

type candidateLine struct {
	repository.CandidateView
	Reasons string
}

type overrideView struct {
	VolunteerID int64
	Name        string
	Failures    []string
}

func (a *App) dispatchRequestPage(c echo.Context) error {
	return a.renderDispatchRequest(c, http.StatusOK, a.newPage(c, "dispatch.request_title"), nil)
}

func (a *App) renderDispatchRequest(c echo.Context, status int, p *Page, override *overrideView) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := a.store.DispatchRequestByID(ctx, id)
	if err != nil {
		return err
	}
	v := dispatchRequestView{R: r, Program: r.ProgramName(p.Lang), Window: windowText(p, r.StartsAt, r.EndsAt, r.Recurring),
		Override: override}
	if r.Open() {
		cands, err := a.store.RankCandidates(ctx, id, dispatchCandidates)
		if err != nil {
			return err
		}
		for _, cv := range cands {
			v.Candidates = append(v.Candidates, candidateLine{CandidateView: cv, Reasons: reasonWords(p, cv.Reasons)})
		}
	}
	for _, e := range r.Events {
		v.Events = append(v.Events, eventLine{At: e.At, Text: eventWords(p, e)})
	}
	now := a.store.Now()
	var roundEnds *time.Time
	for _, o := range r.Offers {
		v.Offers = append(v.Offers, offerLine{DispatchOffer: o, Reasons: reasonWords(p, domain.DecodeReasons(o.Reasons))})
		if o.Status == domain.OfferPending && (roundEnds == nil || o.ExpiresAt.Before(*roundEnds)) {
			roundEnds = &o.ExpiresAt
		}
	}
	v.TimeLeft = roundLeft(p, roundEnds, now)
	p.Data = v
	return a.views.render(c, status, "dispatch_request", p)
}

type assignForm struct {
	Volunteer string `form:"volunteer" validate:"required,max=30,plain"`
	Reason    string `form:"reason" validate:"max=500,plain"`
}

// assignVolunteer is a coordinator matching the request with a volunteer by hand. A volunteer who fails a hard
// filter brings the page back listing the failures and asking for a reason; with one, they are assigned (and the
// override is audited with its reason).
func (a *App) assignVolunteer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f assignForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := a.newPage(c, "dispatch.request_title")
	p.Form = c.Request().PostForm
	volunteer, err := a.volunteerNamed(c, fe, f.Volunteer)
	if err != nil {
		return err
	}
	if len(fe) == 0 {
		err := a.store.AssignByHand(ctx, actor(c), id, volunteer.ID, f.Reason)
		var need *repository.OverrideNeeded
		switch {
		case err == nil:
			a.flash(c, "ok", "dispatch.assigned", "Volunteer", volunteer.Name)
			return c.Redirect(http.StatusSeeOther, "/admin/dispatch/requests/"+itoa64(id))
		case errors.As(err, &need):
			p.Errors = fe
			if strings.TrimSpace(f.Reason) == "" && len(p.Form["reason"]) > 0 {
				fe.Add("reason", "error.reason_required") // asked for one, and none was given
			}
			return a.renderDispatchRequest(c, http.StatusUnprocessableEntity, p,
				&overrideView{VolunteerID: volunteer.ID, Name: volunteer.Name, Failures: failureWords(p, need.Failures)})
		case isProblem(err):
			return a.afterAction(c, err, "/admin/dispatch/requests/"+itoa64(id), "")
		}
		var ok bool
		if fe, ok = fieldErrors(err); !ok {
			return err
		}
	}
	var override *overrideView
	if fe["reason"] != "" && volunteer.ID != 0 { // a reason that cannot be kept: the reason's form again, at the field
		override = &overrideView{VolunteerID: volunteer.ID, Name: volunteer.Name}
	}
	p.Errors = fe
	return a.renderDispatchRequest(c, http.StatusUnprocessableEntity, p, override)
}

// volunteerNamed finds the volunteer a coordinator typed: a phone number (as people type them), or an account id.
// One that names nobody, or no volunteer, is a problem at the field.
func (a *App) volunteerNamed(c echo.Context, fe domain.FieldErrors, typed string) (domain.User, error) {
	if fe["volunteer"] != "" {
		return domain.User{}, nil
	}
	ctx := c.Request().Context()
	typed = strings.TrimSpace(domain.ToHalfWidth(typed))
	var u domain.User
	var err error
	if phone := domain.NormalizePhone(typed); domain.ValidPhone(phone) {
		u, err = a.store.UserByPhone(ctx, phone)
	} else if id, perr := strconv.ParseInt(typed, 10, 64); perr == nil && id > 0 {
		u, err = a.store.UserByID(ctx, id)
	} else {
		fe.Add("volunteer", "dispatch.error.volunteer")
		return u, nil
	}
	switch {
	case errors.Is(err, domain.ErrNotFound), err == nil && u.Role != domain.RoleVolunteer:
		fe.Add("volunteer", "care.error.no_such_volunteer")
		return domain.User{}, nil
	}
	return u, err
}

// redispatchRequest sends the request's next round now, to the best candidates not asked yet.
func (a *App) redispatchRequest(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	err = a.store.Redispatch(c.Request().Context(), actor(c), id)
	return a.afterAction(c, err, "/admin/dispatch/requests/"+itoa64(id), "dispatch.redispatched")
}
