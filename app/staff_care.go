package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The staff member's side of care requests: the programs she can ask in and her requests on her home page, the
// request form, each request's page (timeline, cancel, confirm and rate) and each pairing's (end it).

// staffProgram is a program on her home page with the kinds of help it gives.
type staffProgram struct {
	repository.CareProgram
	Categories []domain.Category
}

type staffHomeView struct {
	repository.Person
	Care     repository.StaffCareHome
	Programs []staffProgram
	Benefits repository.StaffBenefits // app/benefit_staff.go
	Now      time.Time
}

func (a *App) staffHome(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	person, err := a.store.PersonOf(ctx, *u)
	if err != nil {
		return err
	}
	v := staffHomeView{Person: person}
	if person.Status == domain.StatusActive {
		if v.Care, err = a.store.StaffCareHome(ctx, u.ID); err != nil {
			return err
		}
		for _, pr := range v.Care.Programs {
			v.Programs = append(v.Programs, staffProgram{CareProgram: pr, Categories: domain.ProgramCategories(pr.Code)})
		}
		if v.Benefits, err = a.store.StaffBenefitHome(ctx, u.ID); err != nil {
			return err
		}
		v.Now = a.store.Now()
	}
	p := a.newPage(c, "staff_home.title")
	p.Data = v
	return a.views.render(c, http.StatusOK, "staff_home", p)
}

// staffRequestFormView is the request form of one program.
type staffRequestFormView struct {
	Program *repository.CareProgram
	// Problem says why the program takes no request ("" when it does); the form is then shown only to keep what
	// she typed.
	Problem    string
	ShowForm   bool
	Categories []domain.Category
	Children   []repository.ChildRecord
	// What the program's categories ask for.
	Transport      bool // pickup and destination
	Place          bool // a place, required for help in person
	PlaceOptional  bool // a place, optional for help online
	AboutChildren  bool // which of her children
	Tutoring       bool // a subject
	Sensitive      bool // the separate consent, of ConsentKind
	ConsentKind    string
	ConsentVersion string
	Urgencies      []string
	Subjects       []string
}

// programProblem is why a program takes no request, or "".
func programProblem(pr *repository.CareProgram) string {
	switch {
	case pr == nil:
		return "care_staff.no_program"
	case pr.Kind != "service":
		return "care.error.not_service"
	case !pr.Active:
		return "care.error.program_inactive"
	}
	return ""
}

func (a *App) staffRequestForm(c echo.Context) error {
	code := strings.TrimSpace(c.QueryParam("program"))
	if code == "" {
		return c.Redirect(http.StatusSeeOther, "/staff") // her home lists the programs to choose from
	}
	if currentUser(c).Status != domain.StatusActive {
		return domain.ErrStaffNotVerified
	}
	p := a.newPage(c, "care_staff.new_title")
	v, st, err := a.loadRequestForm(c, code)
	if err != nil {
		return err
	}
	v.ShowForm = v.Problem == ""
	p.Form.Set("program", code)
	p.Form.Set("urgency", domain.UrgencyNormal)
	p.Form.Set("schedule", "once")
	p.Form.Set("district", st.District)
	if len(v.Categories) == 1 {
		p.Form.Set("category", v.Categories[0].Code)
	}
	if len(st.Children) == 1 && v.AboutChildren {
		p.Form.Set("children", itoa64(st.Children[0].ID))
	}
	p.Data = v
	status := http.StatusOK
	if v.Program == nil {
		status = http.StatusNotFound
	}
	return a.views.render(c, status, "staff_request_new", p)
}

// loadRequestForm reads the program, her district and her children, and works out what the form asks.
func (a *App) loadRequestForm(c echo.Context, code string) (staffRequestFormView, repository.StaffRequestStart, error) {
	st, err := a.store.StaffRequestStart(c.Request().Context(), currentUser(c).ID, code)
	if err != nil {
		return staffRequestFormView{}, st, err
	}
	v := staffRequestFormView{Program: st.Program, Problem: programProblem(st.Program),
		Children: st.Children, ConsentVersion: domain.CareConsentVersion, Subjects: domain.Subjects,
		Urgencies: []string{domain.UrgencyNormal, domain.UrgencyUrgent, domain.UrgencyEmergency}}
	if st.Program != nil {
		v.Categories = domain.ProgramCategories(st.Program.Code)
	}
	for _, cat := range v.Categories {
		switch {
		case cat.Code == domain.CategoryTransport:
			v.Transport = true
		case !cat.Remote:
			v.Place = true
		default:
			v.PlaceOptional = true
		}
		if cat.Children {
			v.AboutChildren = true
			v.ConsentKind = domain.ConsentChildren
		}
		if cat.Code == domain.CategoryTutoring {
			v.Tutoring = true
		}
		if cat.Sensitive {
			v.Sensitive = true
			if cat.Code == domain.CategoryCounselling {
				v.ConsentKind = domain.ConsentCounselling
			}
		}
	}
	return v, st, nil
}

// requestFormOf reads the typed form into domain's request form. A child id that is not a number becomes one no
// child has, so domain refuses it as a child who is not hers.
func requestFormOf(f url.Values) domain.RequestForm {
	rf := domain.RequestForm{Category: f.Get("category"), Urgency: f.Get("urgency"),
		Recurring: f.Get("schedule") == "repeat", Date: f.Get("date"), From: f.Get("from"), To: f.Get("to"),
		Weekdays: f["weekdays"], FirstDate: f.Get("first_date"), LastDate: f.Get("last_date"),
		District: f.Get("district"), Pickup: f.Get("pickup"), Destination: f.Get("destination"), Place: f.Get("place"),
		Details: f.Get("details"), Subject: f.Get("subject"), Consent: f.Get("consent") == "yes"}
	for _, s := range f["children"] {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			id = -1
		}
		rf.ChildIDs = append(rf.ChildIDs, id)
	}
	return rf
}

func (a *App) submitStaffRequest(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	if currentUser(c).Status != domain.StatusActive {
		return domain.ErrStaffNotVerified
	}
	code := strings.TrimSpace(form.Get("program"))
	id, err := a.store.SubmitRequest(c.Request().Context(), actor(c), code, requestFormOf(form))
	fe, bad := fieldErrors(err)
	if !bad {
		if err != nil {
			return err
		}
		a.flash(c, "ok", "care_staff.submitted")
		return c.Redirect(http.StatusSeeOther, "/staff/requests/"+itoa64(id))
	}
	v, _, err := a.loadRequestForm(c, code)
	if err != nil {
		return err
	}
	if v.Program == nil {
		fe["program"] = "care_staff.no_program"
	}
	v.ShowForm = true
	p := a.newPage(c, "care_staff.new_title")
	p.Form, p.Errors, p.Data = form, fe, v
	return a.views.render(c, http.StatusUnprocessableEntity, "staff_request_new", p)
}

type staffRequestView struct {
	R     repository.StaffRequest
	Ended bool // cancelled or expired: its occurrences will not happen
	// What she may do with it now.
	Cancellable, Closable bool
	NoShow                bool  // matched, and the first occurrence nobody checked in for began NoShowAfter ago
	Stars                 []int // the choices of the rating, the best first
}

func (a *App) staffRequestPage(c echo.Context) error {
	return a.renderStaffRequest(c, http.StatusOK, nil, nil)
}

// renderStaffRequest shows her request; a form on it that came back with problems is shown again with them.
func (a *App) renderStaffRequest(c echo.Context, status int, form url.Values, fe domain.FieldErrors) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := a.store.StaffRequest(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "care_staff.request_title")
	if form != nil {
		p.Form, p.Errors = form, fe
	}
	v := staffRequestView{R: r, Cancellable: domain.RequestCancellable(r.Status),
		Closable: r.Status == domain.RequestCompleted, Stars: []int{5, 4, 3, 2, 1},
		Ended:  r.Status == domain.RequestCancelled || r.Status == domain.RequestExpired,
		NoShow: noShowReportable(r, a.store.Now())}
	p.Data = v
	return a.views.render(c, status, "staff_request", p)
}

// staffRequestStep runs an action on her request: success or a refusal go back to the request's page with a
// message (Post/Redirect/Get); a form with problems is shown again on it.
func (a *App) staffRequestStep(c echo.Context, okKey string, step func(form url.Values, id int64) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	err = step(form, id)
	if fe, ok := fieldErrors(err); ok {
		return a.renderStaffRequest(c, http.StatusUnprocessableEntity, form, fe)
	}
	return a.afterAction(c, err, "/staff/requests/"+itoa64(id), okKey)
}

func (a *App) cancelStaffRequest(c echo.Context) error {
	return a.staffRequestStep(c, "care_staff.cancelled", func(form url.Values, id int64) error {
		return a.store.CancelRequest(c.Request().Context(), actor(c), id, form.Get("reason"))
	})
}

// noShowReportable: she may say her volunteer did not come (the same rule ReportNoShow applies).
func noShowReportable(r repository.StaffRequest, now time.Time) bool {
	if r.Status != domain.RequestMatched {
		return false
	}
	for _, o := range r.Occurrences {
		if o.ServiceID == nil {
			return domain.NoShowReportable(o.StartsAt, now)
		}
	}
	return false
}

func (a *App) reportNoShow(c echo.Context) error {
	return a.staffRequestStep(c, "care_staff.no_show_reported", func(_ url.Values, id int64) error {
		return a.store.ReportNoShow(c.Request().Context(), actor(c), id)
	})
}

func (a *App) closeStaffRequest(c echo.Context) error {
	return a.staffRequestStep(c, "care_staff.closed", func(form url.Values, id int64) error {
		rating, err := strconv.Atoi(form.Get("rating"))
		if err != nil {
			rating = 0 // no star chosen: refused by CloseRequest with the message at the stars
		}
		return a.store.CloseRequest(c.Request().Context(), actor(c), id, rating, form.Get("comment"))
	})
}

func (a *App) confirmStaffService(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	requestID, err := a.store.StaffServiceRequest(ctx, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	return a.afterAction(c, a.store.ConfirmService(ctx, actor(c), id), "/staff/requests/"+itoa64(requestID),
		"care_staff.confirmed")
}

func (a *App) staffPairingPage(c echo.Context) error {
	return a.renderStaffPairing(c, http.StatusOK, nil, nil)
}

func (a *App) renderStaffPairing(c echo.Context, status int, form url.Values, fe domain.FieldErrors) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pr, err := a.store.StaffPairing(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "care_staff.pairing_title")
	if form != nil {
		p.Form, p.Errors = form, fe
	}
	p.Data = pr
	return a.views.render(c, status, "staff_pairing", p)
}

func (a *App) endStaffPairing(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	err = a.store.EndPairing(c.Request().Context(), actor(c), id, form.Get("reason"), form.Get("no_repeat") == "yes")
	if fe, ok := fieldErrors(err); ok {
		return a.renderStaffPairing(c, http.StatusUnprocessableEntity, form, fe)
	}
	return a.afterAction(c, err, "/staff/pairings/"+itoa64(id), "care_staff.pairing_ended")
}

// CareWindow shows a time window in Asia/Shanghai: 2026年3月3日 14:00–16:00, or both ends in full when it runs past
// midnight.
func (p *Page) CareWindow(start, end time.Time) string {
	s, e := start.In(shanghai), end.In(shanghai)
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		return p.Time(start) + "–" + e.Format("15:04")
	}
	return p.Time(start) + " – " + p.Time(end)
}

// CareSchedule shows a weekly schedule: 每周一、周三 07:00–08:00 · 2026年3月2日 – 2026年3月13日, from the first
// occurrence's start to the last one's end.
func (p *Page) CareSchedule(weekdays []string, start, end time.Time) string {
	days := make([]string, len(weekdays))
	for i, d := range weekdays {
		days[i] = p.T("weekday." + d)
	}
	return p.T("care_staff.weekly_on", "Days", strings.Join(days, p.T("list.separator"))) + " " +
		start.In(shanghai).Format("15:04") + "–" + end.In(shanghai).Format("15:04") + " · " + p.Date(start) + " – " + p.Date(end)
}

// RatingStars writes a rating as five stars, filled up to it: ★★★★☆.
func (p *Page) RatingStars(n int) string {
	n = max(0, min(n, 5))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// AverageRating writes an average rating with one decimal: 4.8.
func (p *Page) AverageRating(v repository.PairedVolunteer) string {
	return fmt.Sprintf("%.1f", v.Rating())
}

// CareStatusClass is the colour of a request's state: waiting, going well, or ended without help.
func (p *Page) CareStatusClass(status string) string {
	switch status {
	case domain.RequestMatched, domain.RequestInService, domain.RequestCompleted, domain.RequestClosed:
		return "s-active"
	case domain.RequestCancelled, domain.RequestExpired:
		return "s-rejected"
	}
	return "s-pending" // still being found a volunteer, by dispatch or by a coordinator
}
