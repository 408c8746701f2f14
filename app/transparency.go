package app

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// transparencyCache lets a public page be kept for ten seconds (the figures may be that old), so a visitor going back
// and forth costs the database nothing. A page with a one-time message is for one browser alone, and a logged-in
// person's page is never kept at all (loadUser said no-store).
func transparencyCache(c echo.Context, p *Page) {
	switch {
	case p != nil && p.User != nil:
	case p != nil && len(p.Flashes) > 0:
		c.Response().Header().Set("Cache-Control", "private, max-age=10")
	default:
		c.Response().Header().Set("Cache-Control", "public, max-age=10")
		// The page is in the language the cookie or the browser asks for: a cache keeps one per each.
		c.Response().Header().Add("Vary", "Accept-Language, Cookie")
	}
}

// The chart's colours: the site's accent for money in, slate for money out; the legend names them in words.
const (
	colorRaised    = "#c2410c"
	colorDisbursed = "#475569"
)

type transparencyView struct {
	Totals       repository.FundTotals
	Programs     []repository.ProgramFigures
	Months       []transparencyMonth
	Chart        template.HTML
	Figures      template.HTML // the part above the list: Months, Chart, Programs and Care, rendered and kept
	Donations    []repository.PublicDonation
	Paging       listPaging
	Quarters     []transparencyQuarterLink // the latest reports
	MoreQuarters bool
	Care         careView // how fast help came (transparency_care.go)
}

// Num writes a count with thousands separators: 300,153.
func (transparencyView) Num(n int64) string { return transparencyCount(n) }

// TransfersTotal is the net of all transfers between pools: zero while the ledger balances.
func (v transparencyView) TransfersTotal() domain.Money {
	return v.Totals.Balance - v.Totals.Raised + v.Totals.Disbursed
}

// transparencyMonth is one row of the chart's data table.
type transparencyMonth struct {
	Label     string
	Raised    domain.Money
	Disbursed domain.Money
}

// transparencyQuarterLink is a quarterly report in a list of them.
type transparencyQuarterLink struct {
	Code    string // 2026Q3
	Label   string // 2026年第3季度
	Current bool   // the one being shown
}

func (a *App) transparencyPage(c echo.Context) error {
	ctx := c.Request().Context()
	ov, quarters, key, err := a.publicFigures(c)
	if err != nil {
		return err
	}
	donations, err := a.store.PublicDonations(ctx, cursorParam(c))
	if err != nil {
		return err
	}
	p := a.newPage(c, "transparency.title")
	v := transparencyView{Totals: ov.Totals, Donations: donations.Rows,
		Paging: pagingOf(c.Request().URL, donations, "donations")}
	const shown = 4
	for i, q := range quarters {
		if i == shown {
			v.MoreQuarters = true
			break
		}
		v.Quarters = append(v.Quarters, transparencyQuarterLink{Code: q.String(), Label: transparencyQuarterName(p, q)})
	}
	v.Figures, err = a.figuresFragment(ctx, key+" "+p.Lang+" "+careBucket(a.now()).Format(time.RFC3339), func(ctx context.Context) (template.HTML, error) {
		return a.transparencyFigures(ctx, p, ov)
	})
	if err != nil {
		return err
	}
	p.Data = v
	transparencyCache(c, p)
	return a.views.render(c, http.StatusOK, "transparency", p)
}

// transparencyFigures renders the figures above the public list of gifts: the totals, how fast help came, the
// months and the programs.
func (a *App) transparencyFigures(ctx context.Context, p *Page, ov repository.TransparencyOverview) (template.HTML, error) {
	care, err := a.publicCare(ctx)
	if err != nil {
		return "", err
	}
	v := transparencyView{Totals: ov.Totals, Programs: ov.Programs, Care: newCareView(p, care, true)}
	var raised, disbursed domain.Money
	for _, m := range ov.Months {
		v.Months = append(v.Months, transparencyMonth{Label: transparencyMonthName(p, m.Month), Raised: m.Raised, Disbursed: m.Disbursed})
		raised += m.Raised
		disbursed += m.Disbursed
	}
	v.Chart = monthChart(p, ov.Months, raised, disbursed)
	fp := *p
	fp.Data = v
	return a.views.fragment("transparency", "transparency_figures", &fp)
}

// monthChart draws the last twelve months, money in and out, as an SVG bar chart.
func monthChart(p *Page, months []repository.MonthFigures, raised, disbursed domain.Money) template.HTML {
	ch := svgBarChart{
		ID:    "months-chart",
		Title: p.T("transparency.chart.title"),
		Series: []svgSeries{{Name: p.T("transparency.raised_short"), Color: colorRaised},
			{Name: p.T("transparency.disbursed_short"), Color: colorDisbursed}},
		Tick: func(m domain.Money) string { return compactYuan(m, p.Lang) },
	}
	if len(months) > 0 {
		ch.Desc = p.T("transparency.chart.desc", "From", transparencyMonthName(p, months[0].Month),
			"To", transparencyMonthName(p, months[len(months)-1].Month), "Raised", raised.String(), "Disbursed", disbursed.String())
	}
	for i, m := range months {
		name := transparencyMonthName(p, m.Month)
		g := svgGroup{Key: m.Month.Format("2006-01"), Label: transparencyMonthShort(p, m.Month), Short: strconv.Itoa(int(m.Month.Month())),
			Values: []domain.Money{m.Raised, m.Disbursed},
			Titles: []string{
				p.T("transparency.chart.bar", "Month", name, "Series", ch.Series[0].Name, "Amount", m.Raised.String()),
				p.T("transparency.chart.bar", "Month", name, "Series", ch.Series[1].Name, "Amount", m.Disbursed.String()),
			}}
		// The year under January, and under the first month unless January follows at once (two years side by
		// side would run into each other on a phone).
		if m.Month.Month() == 1 || i == 0 && m.Month.Month() != 12 {
			g.Sub = strconv.Itoa(m.Month.Year())
		}
		ch.Groups = append(ch.Groups, g)
	}
	return ch.HTML()
}

// transparencyCount writes n with a comma every three digits.
func transparencyCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var transparencyMonthsEn = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// transparencyMonthName is 2026年3月 or Mar 2026.
func transparencyMonthName(p *Page, t time.Time) string {
	t = t.In(domain.Shanghai)
	if p.Lang == langEn {
		return fmt.Sprintf("%s %d", transparencyMonthsEn[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d年%d月", t.Year(), t.Month())
}

// transparencyMonthShort is 3月 or Mar, under a bar group.
func transparencyMonthShort(p *Page, t time.Time) string {
	t = t.In(domain.Shanghai)
	if p.Lang == langEn {
		return transparencyMonthsEn[t.Month()-1]
	}
	return fmt.Sprintf("%d月", t.Month())
}

// transparencyQuarterName is 2026年第3季度 or Q3 2026.
func transparencyQuarterName(p *Page, q domain.Quarter) string { return quarterName(p.loc, q) }

// quarterName is 2026年第3季度 or Q3 2026.
func quarterName(l *localizer, q domain.Quarter) string {
	return l.T("transparency.quarter_name", "Year", strconv.Itoa(q.Year), "Q", strconv.Itoa(q.Q))
}
