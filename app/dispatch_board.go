package app

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The coordinators' dispatch board: the requests that need someone (escalated first, then those with offers
// out, then those matched and under way), and how dispatch has gone by program and week.

type dispatchBoardView struct {
	Sections  []boardSectionView
	Figures   []figuresProgramView
	FiguresAt time.Time // when the figures were read: they are kept for a minute
	Weeks     int
	Plan      *planFormView // the form of a bulk assignment (dispatch_assign.go), for those who may propose one
	Fairness  []fairnessView
	FairAt    time.Time
}

// fairnessView is one window of the fairness figures, in words.
type fairnessView struct {
	Days      int
	Available string // 52,698
	Offered   string
	Share     string // 45%
	Gini      string // 0.42
	Offers    string
}

type boardSectionView struct {
	Key   string // the section's heading: dispatch.section.*
	Rows  []boardRowView
	Total int64
	More  bool // Total is more than the rows shown
}

// boardRowView is a request on the board in words, put together here rather than by the template: the board lists
// up to three hundred of them, and each template action costs more than the Go that does the same (the board was
// the dearest page to render in the load run, 4 ms).
type boardRowView struct {
	repository.BoardRow
	Title      string // #12 接送 · 上城区
	Urgency    string // in words; BoardRow.Urgency is the code, for the class
	Detail     string // program · window · state
	Escalation string // why it was escalated, in words; "" if it was not
	Offers     string // "3 offers out", "" with none
	TimeLeft   string // the round's time left, "" with no offers out
}

func newBoardRow(p *Page, r repository.BoardRow, now time.Time) boardRowView {
	v := boardRowView{BoardRow: r,
		Title:   "#" + strconv.FormatInt(r.ID, 10) + " " + p.T("care.category."+r.Category) + " · " + p.Named("district", r.District),
		Urgency: p.T("care.urgency." + r.Urgency),
		Detail: r.ProgramName(p.Lang) + " · " + windowText(p, r.StartsAt, r.EndsAt, r.Recurring) + " · " +
			p.T("care.state."+r.Status),
		TimeLeft: roundLeft(p, r.RoundEndsAt, now)}
	if r.Escalation != "" {
		v.Escalation = p.T("care.escalation." + r.Escalation)
	}
	if r.OffersOut > 0 {
		v.Offers = p.T("dispatch.offers_out", "Count", r.OffersOut)
	}
	return v
}

type figuresProgramView struct {
	Program string
	Weeks   []figuresWeekView
}

type figuresWeekView struct {
	Week                        string
	Requests                    int64
	FirstOfferMedian, FirstP90  string
	AcceptMedian, AcceptP90     string
	MatchRate, CompletionRate   string
	Rating                      string
	Matched, Decided, Completed int64
}

func (a *App) dispatchBoard(c echo.Context) error {
	ctx := c.Request().Context()
	board, err := a.store.DispatchBoard(ctx)
	if err != nil {
		return err
	}
	figures, figuresAt, err := a.dispatchFigures.weeks.get(ctx, a.now(), figuresKeptFor, a.store.DispatchFigures)
	if err != nil {
		return err
	}
	fairness, fairAt, err := a.dispatchFigures.fairness.get(ctx, a.now(), fairnessKeptFor, a.store.DispatchFairness)
	if err != nil {
		return err
	}
	p := a.newPage(c, "dispatch.title")
	now := a.store.Now()
	v := dispatchBoardView{Weeks: repository.FigureWeeks, FiguresAt: figuresAt, FairAt: fairAt}
	for _, f := range fairness {
		v.Fairness = append(v.Fairness, fairnessView{Days: f.Days, Available: transparencyCount(int64(f.Available)),
			Offered: transparencyCount(int64(f.Offered)), Share: rate(int64(f.Offered), int64(f.Available)),
			Gini: "—", Offers: transparencyCount(int64(f.Offers))})
		if f.Available > 0 {
			v.Fairness[len(v.Fairness)-1].Gini = strconv.FormatFloat(f.Gini, 'f', 2, 64)
		}
	}
	for _, s := range []struct {
		key string
		sec repository.BoardSection
	}{{"dispatch.section.escalated", board.Escalated}, {"dispatch.section.waiting", board.Waiting},
		{"dispatch.section.matched", board.Matched}} {
		sv := boardSectionView{Key: s.key, Total: s.sec.Total, More: s.sec.Total > int64(len(s.sec.Rows))}
		for _, r := range s.sec.Rows {
			sv.Rows = append(sv.Rows, newBoardRow(p, r, now))
		}
		v.Sections = append(v.Sections, sv)
	}
	v.Figures = figuresView(p, figures)
	if p.May("POST /admin/dispatch/assignments") {
		plan, err := a.planForm(c, p)
		if err != nil {
			return err
		}
		v.Plan = &plan
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "dispatch", p)
}

// figuresView groups the weeks by program, in the order they came (programs in order, newest week first).
func figuresView(p *Page, weeks []repository.WeekFigures) []figuresProgramView {
	var out []figuresProgramView
	last := ""
	for _, w := range weeks {
		if w.ProgramCode != last || len(out) == 0 {
			out = append(out, figuresProgramView{Program: w.ProgramName(p.Lang)})
			last = w.ProgramCode
		}
		year, week := w.Week.ISOWeek()
		fw := figuresWeekView{Week: p.T("dispatch.week", "Year", strconv.Itoa(year), "Week", strconv.Itoa(week)),
			Requests: w.Requests, FirstOfferMedian: spanText(p, w.FirstOfferMedian), FirstP90: spanText(p, w.FirstOfferP90),
			AcceptMedian: spanText(p, w.AcceptMedian), AcceptP90: spanText(p, w.AcceptP90),
			MatchRate: rate(w.Matched, w.Decided), CompletionRate: rate(w.Completed, w.Matched),
			Matched: w.Matched, Decided: w.Decided, Completed: w.Completed, Rating: "—"}
		if w.Rating != nil && w.Rated > 0 {
			fw.Rating = p.T("dispatch.rating", "Rating", strconv.FormatFloat(*w.Rating, 'f', 1, 64), "Count", strconv.FormatInt(w.Rated, 10))
		}
		out[len(out)-1].Weeks = append(out[len(out)-1].Weeks, fw)
	}
	return out
}

// rate is part over whole as a whole percentage, "—" with nothing to divide.
func rate(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	return strconv.FormatInt(int64(math.Round(float64(part)*100/float64(whole))), 10) + "%"
}

// spanText says a span of seconds in words ("7 分钟", "2 小时 5 分钟", "3 天 4 小时"), "—" when there is none.
func spanText(p *Page, seconds *float64) string {
	if seconds == nil {
		return "—"
	}
	return spanWords(p, time.Duration(*seconds*float64(time.Second)))
}

func spanWords(p *Page, d time.Duration) string {
	minutes := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case d < time.Minute:
		return p.T("dispatch.span.under_minute")
	case minutes < 60:
		return p.T("dispatch.span.minutes", "Minutes", strconv.FormatInt(minutes, 10))
	case minutes < 48*60 && minutes%60 == 0:
		return p.T("dispatch.span.hours_only", "Hours", strconv.FormatInt(minutes/60, 10))
	case minutes < 48*60:
		return p.T("dispatch.span.hours", "Hours", strconv.FormatInt(minutes/60, 10), "Minutes", strconv.FormatInt(minutes%60, 10))
	}
	hours := minutes / 60
	if hours%24 == 0 {
		return p.T("dispatch.span.days_only", "Days", strconv.FormatInt(hours/24, 10))
	}
	return p.T("dispatch.span.days", "Days", strconv.FormatInt(hours/24, 10), "Hours", strconv.FormatInt(hours%24, 10))
}

// roundLeft is how long the round's first pending offer has left, "" with no offers out.
func roundLeft(p *Page, ends *time.Time, now time.Time) string {
	if ends == nil {
		return ""
	}
	if !ends.After(now) {
		return p.T("dispatch.round_over")
	}
	return p.T("dispatch.left", "Span", spanWords(p, ends.Sub(now)))
}

// windowText is a request's window: one day's "3月1日 14:30–15:30", or from the first occurrence to the last.
func windowText(p *Page, start, end time.Time, recurring bool) string {
	s, e := start.In(shanghai), end.In(shanghai)
	var w string
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		w = p.Time(start) + "–" + e.Format("15:04")
	} else {
		w = p.Time(start) + " – " + p.Time(end)
	}
	if recurring {
		w = p.T("dispatch.recurring") + " · " + w
	}
	return w
}

// reasonWords says matching's reasons in the page's language: "同区 · 负载 1/2 · 评分 4.8".
func reasonWords(p *Page, rs []domain.Reason) string {
	words := make([]string, len(rs))
	for i, r := range rs {
		args := make([]any, len(r.Args))
		for j, a := range r.Args {
			args[j] = a
		}
		words[i] = p.T("match."+r.Key, args...)
	}
	return strings.Join(words, " · ")
}

// failureWords names the hard filters a volunteer fails.
func failureWords(p *Page, fails []string) []string {
	out := make([]string, len(fails))
	for i, f := range fails {
		out[i] = p.T("match.fail." + f)
	}
	return out
}

// eventWords tells a line of a request's timeline.
func eventWords(p *Page, e repository.DispatchEvent) string {
	s := p.T("care.event."+e.Kind, "Count", fmt.Sprint(e.Count), "Minutes", fmt.Sprint(e.Count),
		"Volunteer", e.VolunteerName, "Detail", e.Detail)
	if e.Kind == "escalated" && e.Detail != "" {
		s += " · " + p.T("care.escalation."+e.Detail)
	}
	if e.ActorName != "" && e.Kind != "accepted" && e.Kind != "checked_in" && e.Kind != "checked_out" {
		s += " · " + e.ActorName
	}
	return s
}

// The board's weekly figures are kept for a minute. They are percentiles over eight weeks of a city's requests
// (most of the board's cost: 30-40 ms on the seeded city), the same for every coordinator, and a minute behind is
// close enough for figures by the week; the lists above them are read on every view. The fairness figures are kept
// for ten minutes: they count 30 days of offers over every available volunteer of the city (100-250 ms on the
// seeded city), and ten minutes move a 7-day share by little.
type figuresCache struct {
	weeks    kept[[]repository.WeekFigures]
	fairness kept[[]repository.WindowFairness]
}

const (
	figuresKeptFor  = time.Minute
	fairnessKeptFor = 10 * time.Minute
)
