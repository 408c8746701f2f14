package app

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Bulk assignment on the dispatch board: a coordinator chooses a program and a period (tomorrow 06:00–10:00 unless
// they say otherwise) and presses 建议分配; the proposal is kept and shown for review — each pair with its cost terms
// in words, the requests left unmatched and why — with a box to drop each pair; confirming sends the offers.

type assignmentForm struct {
	Program string `form:"program" validate:"max=40,plain"`
	Date    string `form:"date" validate:"max=20,plain"`
	From    string `form:"from" validate:"max=10,plain"`
	To      string `form:"to" validate:"max=10,plain"`
}

// planFormView is what the form needs: the service programs to choose from.
type planFormView struct {
	Programs []programOption
}

type programOption struct{ Code, Name string }

type assignmentNewView struct {
	Plan   planFormView
	Recent []proposalSummaryView
}

type proposalSummaryView struct {
	repository.ProposalSummary
	Program, Period string
}

// planForm reads the service programs for the form and, when the form has not been filled in, puts tomorrow
// morning in it.
func (a *App) planForm(c echo.Context, p *Page) (planFormView, error) {
	progs, err := a.store.ProgramList(c.Request().Context())
	if err != nil {
		return planFormView{}, err
	}
	var v planFormView
	for _, pr := range progs {
		if pr.Kind == domain.ProgramService {
			v.Programs = append(v.Programs, programOption{Code: pr.Code, Name: pr.Name(p.Lang)})
		}
	}
	if len(p.Form) == 0 {
		d := domain.DefaultAssignmentForm(a.store.Now())
		p.Form.Set("date", d.Date)
		p.Form.Set("from", d.From)
		p.Form.Set("to", d.To)
		if len(v.Programs) > 0 {
			p.Form.Set("program", v.Programs[0].Code)
		}
	}
	return v, nil
}

// assignmentNew is the form alone, with the latest proposals: where a bad period is shown again.
func (a *App) assignmentNew(c echo.Context) error {
	p := a.newPage(c, "assign.title")
	return a.renderAssignmentNew(c, http.StatusOK, p)
}

func (a *App) renderAssignmentNew(c echo.Context, status int, p *Page) error {
	plan, err := a.planForm(c, p)
	if err != nil {
		return err
	}
	recent, err := a.store.RecentProposals(c.Request().Context(), 10)
	if err != nil {
		return err
	}
	v := assignmentNewView{Plan: plan}
	for _, r := range recent {
		v.Recent = append(v.Recent, proposalSummaryView{ProposalSummary: r, Program: r.ProgramName(p.Lang),
			Period: periodText(p, r.PeriodStart, r.PeriodEnd)})
	}
	p.Data = v
	return a.views.render(c, status, "assignment_new", p)
}

// proposeAssignment makes a proposal and shows it; a bad program or period brings the form back.
func (a *App) proposeAssignment(c echo.Context) error {
	var f assignmentForm
	fe, err := checkForm(c, &f)
	if err != nil {
		return err
	}
	p := a.newPage(c, "assign.title")
	p.Form = c.Request().PostForm
	if len(fe) == 0 {
		id, err := a.store.ProposeAssignment(c.Request().Context(), actor(c),
			domain.AssignmentForm{Program: f.Program, Date: f.Date, From: f.From, To: f.To})
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/dispatch/assignments/"+itoa64(id))
		}
		var ok bool
		if fe, ok = fieldErrors(err); !ok {
			return err
		}
	}
	p.Errors = fe
	return a.renderAssignmentNew(c, http.StatusUnprocessableEntity, p)
}

type assignmentView struct {
	repository.AssignmentProposal
	Program, Period, CreatedAt string
	Pairs                      []assignmentPairView
	Unmatched                  []assignmentPairView
	MayConfirm                 bool
}

type assignmentPairView struct {
	repository.AssignmentLine
	Window  string
	Reasons string // the cost terms in words
	Costs   string // what each term costs
	Why     string // unmatched: why; confirmed: what became of it
}

func (a *App) assignmentPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	prop, err := a.store.AssignmentProposal(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "assign.review_title")
	v := assignmentView{AssignmentProposal: prop, Program: prop.ProgramName(p.Lang),
		Period: periodText(p, prop.PeriodStart, prop.PeriodEnd), CreatedAt: p.Time(prop.CreatedAt),
		MayConfirm: prop.ConfirmedAt == nil && p.May("POST /admin/dispatch/assignments/"+itoa64(id)+"/confirm")}
	for _, l := range prop.Rows {
		pv := assignmentPairView{AssignmentLine: l, Window: windowText(p, l.StartsAt, l.EndsAt, l.Recurring)}
		if l.Unmatched != nil {
			pv.Why = p.T("assign.unmatched."+*l.Unmatched, "Count", strconv.Itoa(l.Candidates))
			v.Unmatched = append(v.Unmatched, pv)
			continue
		}
		pv.Reasons = reasonWords(p, domain.DecodeReasons(l.Reasons))
		pv.Costs = p.T("assign.costs", "Distance", strconv.Itoa(l.DistanceCost), "Continuity", strconv.Itoa(l.ContinuityCost),
			"Load", strconv.Itoa(l.LoadCost), "Fairness", strconv.Itoa(l.FairnessCost), "Total", strconv.Itoa(l.Cost()))
		if l.Outcome != nil {
			pv.Why = outcomeWords(p, *l.Outcome, l.SkipReason)
		}
		v.Pairs = append(v.Pairs, pv)
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "assignment", p)
}

// outcomeWords tells what a confirmation did with a pair: sent, dropped, or skipped and why.
func outcomeWords(p *Page, outcome, skip string) string {
	if outcome != repository.OutcomeSkipped {
		return p.T("assign.outcome." + outcome)
	}
	why, fails, _ := strings.Cut(skip, ":")
	if why == repository.SkipNoFit {
		return p.T("assign.skip.fits", "Failures", strings.Join(failureWords(p, strings.Split(fails, ",")), "、"))
	}
	return p.T("assign.skip." + why)
}

// confirmAssignment sends the offers of the pairs left ticked.
func (a *App) confirmAssignment(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	var keep []int64
	for _, s := range form["keep"] {
		rid, err := strconv.ParseInt(s, 10, 64)
		if err != nil || rid <= 0 {
			return echo.ErrBadRequest
		}
		keep = append(keep, rid)
	}
	res, err := a.store.ConfirmAssignment(c.Request().Context(), actor(c), id, keep)
	return a.afterAction(c, err, "/admin/dispatch/assignments/"+itoa64(id), "assign.confirmed",
		"Sent", strconv.Itoa(res.Sent), "Skipped", strconv.Itoa(res.Skipped), "Dropped", strconv.Itoa(res.Dropped))
}

// periodText is a period: "12月8日 06:00–10:00".
func periodText(p *Page, start, end time.Time) string {
	return windowText(p, start, end, false)
}
