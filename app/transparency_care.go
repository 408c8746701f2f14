package app

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"guanai/domain"
	"guanai/repository"
)

// How fast help came: the care figures of the public page (the last twelve months, by month and by program) and of
// the quarterly report (the quarter, by program). They change without the ledger — a request is matched, a service
// confirmed — so they are read at most once per careFiguresKeptFor, and the kept pages are kept by the same period
// (cachedForVisitors): a page says when its figures were read.

// careFiguresKeptFor is how long the public care figures are kept: they are percentiles over a year of the city's
// requests (150 ms on the seeded city), the same for every visitor, and figures by the month may be minutes old.
const careFiguresKeptFor = 10 * time.Minute

// careBucket names the period of careFiguresKeptFor that now falls in: the figures read in it, and the pages
// rendered with them, are kept until it ends.
func careBucket(now time.Time) time.Time { return now.Truncate(careFiguresKeptFor) }

// publicCareCache keeps the public page's care figures, and the quarters' (the report's page and its file), for the
// period they were read in.
type publicCareCache struct {
	mu       sync.Mutex
	bucket   time.Time
	care     repository.PublicCare
	quarters map[domain.Quarter]repository.PublicCare
	reads    singleflight.Group
}

// current empties the cache when its period is over; the caller holds mu.
func (cc *publicCareCache) current(b time.Time) {
	if !cc.bucket.Equal(b) {
		cc.bucket, cc.care, cc.quarters = b, repository.PublicCare{}, map[domain.Quarter]repository.PublicCare{}
	}
}

func (a *App) publicCare(ctx context.Context) (repository.PublicCare, error) {
	b := careBucket(a.now())
	cc := &a.care
	cc.mu.Lock()
	if cc.current(b); !cc.care.ReadAt.IsZero() {
		defer cc.mu.Unlock()
		return cc.care, nil
	}
	cc.mu.Unlock()
	care, err := readOnce(&cc.reads, ctx, "public "+b.String(), a.store.PublicCareFigures)
	if err != nil {
		return care, err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if !cc.bucket.After(b) { // not when a later period's figures are kept already
		cc.current(b)
		cc.care = care
	}
	return care, nil
}

// quarterCare are a quarter's care figures, read once per period for the report's page and its file. A quarter has
// a report only from the first gift's to now's (transparencyQuarter), so the map stays small.
func (a *App) quarterCare(ctx context.Context, q domain.Quarter) (repository.PublicCare, error) {
	b := careBucket(a.now())
	cc := &a.care
	cc.mu.Lock()
	cc.current(b)
	if care, ok := cc.quarters[q]; ok {
		cc.mu.Unlock()
		return care, nil
	}
	cc.mu.Unlock()
	care, err := readOnce(&cc.reads, ctx, q.String()+" "+b.String(), func(ctx context.Context) (repository.PublicCare, error) {
		return a.store.QuarterCareFigures(ctx, q)
	})
	if err != nil {
		return care, err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if !cc.bucket.After(b) {
		cc.current(b)
		cc.quarters[q] = care
	}
	return care, nil
}

// careLabels are the care tables' column names, for the cells' data-labels (a phone shows them above each figure).
type careLabels struct {
	Requests, AcceptMedian, MatchRate, Services, Hours string
}

// careCellView is a cell of the care figures in words; a figure withheld reads as such (Withheld marks the row).
type careCellView struct {
	L            *careLabels
	Label        string
	Requests     string
	AcceptMedian string
	MatchRate    string
	Services     string
	Hours        string
	Withheld     bool
}

// careProgramView is a program's line over the period, and its months.
type careProgramView struct {
	Name   string
	Total  careCellView
	Months []careCellView
}

// careView is the care section of the public page or of a quarter's report.
type careView struct {
	LastMonth    *careCellView // the last complete month, all programs: the page's headline
	Months       []careCellView
	Programs     []careProgramView
	Total        careCellView // a quarter's, all programs
	Labels       *careLabels
	ReadAt       string
	MonthsCount  int
	MinPublished int
}

func newCareView(p *Page, care repository.PublicCare, byMonth bool) careView {
	l := &careLabels{Requests: p.T("figures.care.requests"), AcceptMedian: p.T("figures.care.accept_median"),
		MatchRate: p.T("figures.care.match_rate"), Services: p.T("figures.care.services"), Hours: p.T("figures.care.hours")}
	v := careView{ReadAt: p.Time(care.ReadAt), MonthsCount: repository.CareMonths, MinPublished: domain.MinPublishedCount,
		Labels: l}
	careCell := func(p *Page, c repository.CareCell, label string) careCellView {
		cv := newCareCell(p, c, label)
		cv.L = l
		return cv
	}
	if byMonth {
		if last, ok := care.LastMonth(); ok {
			c := careCell(p, last, transparencyMonthName(p, last.Month))
			v.LastMonth = &c
		}
		for _, m := range care.Months {
			v.Months = append(v.Months, careCell(p, m, transparencyMonthName(p, m.Month)))
		}
	} else {
		v.Total = careCell(p, care.Total, p.T("figures.care.all_programs"))
	}
	for _, pr := range care.Programs {
		name := pr.ProgramName(p.Lang)
		pv := careProgramView{Name: name, Total: careCell(p, pr.CareCell, name)}
		for _, m := range pr.Months {
			pv.Months = append(pv.Months, careCell(p, m, transparencyMonthName(p, m.Month)))
		}
		v.Programs = append(v.Programs, pv)
	}
	return v
}

func newCareCell(p *Page, c repository.CareCell, label string) careCellView {
	withheld := p.T("figures.care.withheld")
	v := careCellView{Label: label, Requests: transparencyCount(c.Requests), AcceptMedian: spanText(p, c.AcceptMedian),
		MatchRate: rate(c.Matched, c.Decided), Services: transparencyCount(c.Services), Hours: hoursText(c.Minutes)}
	if c.FewRequests {
		v.Requests, v.AcceptMedian, v.MatchRate, v.Withheld = withheld, withheld, withheld, true
	}
	if c.FewMatched {
		v.AcceptMedian, v.Withheld = withheld, true
	}
	if c.FewDecided {
		v.MatchRate, v.Withheld = withheld, true
	}
	if c.FewServices {
		v.Services, v.Hours, v.Withheld = withheld, withheld, true
	}
	return v
}

// hoursText is minutes as hours: whole hours with separators from a hundred on (1,234), one decimal below (7.5).
func hoursText(minutes int64) string {
	switch {
	case minutes == 0:
		return "0"
	case minutes >= 100*60:
		return transparencyCount((minutes + 30) / 60)
	}
	return strconv.FormatFloat(float64(minutes)/60, 'f', 1, 64)
}
