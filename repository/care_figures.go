package repository

import (
	"context"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// The care figures the public pages publish: how many requests, how fast a volunteer accepted them, how many found
// one, how many services were given and how many hours they came to — by month and by program. They are the board's
// figures (requestFigureColumns: one definition of "matched" and "time to acceptance"), over all service programs,
// and nothing else: no query here reads a name, a phone, an address or a district, and every figure that rests on
// fewer than domain.MinPublishedCount requests or services is withheld before it leaves this file.

// CareCell is one cell of the published figures: a program's month, all programs' month, or a program over the
// whole period. A figure withheld (Few*) is zero here, not merely hidden by the page.
type CareCell struct {
	ProgramCode   string // "" for all programs together
	ProgramNameZh string
	ProgramNameEn string
	Month         time.Time // the period's first day, midnight in Shanghai: a month, or the whole period's start
	Requests      int64     // submitted in the period
	AcceptMedian  *float64  // seconds from submission to acceptance, of those matched; nil when none or withheld
	Matched       int64     // of the decided, those matched (the match rate is Matched / Decided)
	Decided       int64
	Services      int64 // services confirmed (by her, a coordinator or the clock), by the day they began
	Minutes       int64 // their confirmed minutes
	FewRequests   bool  // 1–4 requests: none of the request figures is given
	FewMatched    bool  // the median would rest on 1–4 acceptances
	FewDecided    bool  // the rate would rest on 1–4 decided requests
	FewServices   bool  // 1–4 services: neither they nor their hours are given
}

// ProgramName is the cell's program in a language ("" for all programs).
func (c CareCell) ProgramName(lang string) string {
	return pickName(lang, c.ProgramNameZh, c.ProgramNameEn)
}

// withhold blanks every figure that rests on too few requests or services.
func (c *CareCell) withhold() {
	few := func(n int64) bool { return n > 0 && !domain.Publishable(n) }
	if few(c.Requests) {
		c.FewRequests = true
		c.Requests, c.Matched, c.Decided, c.AcceptMedian = 0, 0, 0, nil
	}
	if few(c.Matched) {
		c.FewMatched, c.AcceptMedian = true, nil
	}
	if few(c.Decided) {
		c.FewDecided, c.Matched, c.Decided = true, 0, 0
	}
	if few(c.Services) {
		c.FewServices, c.Services, c.Minutes = true, 0, 0
	}
}

// CareProgramFigures is one program's figures: over the whole period, and by month when the figures are by month.
type CareProgramFigures struct {
	CareCell
	Months []CareCell
}

// PublicCare are the published care figures of a period [From, To).
type PublicCare struct {
	From, To time.Time
	Total    CareCell             // all programs over the period (by month: the total is not read, see Months)
	Months   []CareCell           // all programs, by month, oldest first; empty for a quarter
	Programs []CareProgramFigures // the programs with requests or services in the period, in their order
	ReadAt   time.Time
}

// LastMonth is the last complete month of figures by month: the one the public page puts first. ok is false
// without one.
func (p PublicCare) LastMonth() (CareCell, bool) {
	if len(p.Months) < 2 {
		return CareCell{}, false
	}
	return p.Months[len(p.Months)-2], true
}

// CareMonths is how many months the public page's care figures cover, the current one included.
const CareMonths = 12

// PublicCareFigures are the care figures of the last CareMonths months, by month and by program.
func (s *Store) PublicCareFigures(ctx context.Context) (PublicCare, error) {
	now := s.Now()
	from := shanghaiMonthStart(now).AddDate(0, -(CareMonths - 1), 0)
	return careFigures(s.db.WithContext(ctx), from, shanghaiMonthStart(now).AddDate(0, 1, 0), true, now)
}

// QuarterCareFigures are a quarter's care figures by program, with all programs' total.
func (s *Store) QuarterCareFigures(ctx context.Context, q domain.Quarter) (PublicCare, error) {
	return careFigures(s.db.WithContext(ctx), q.Start(), q.End(), false, s.Now())
}

// The grouping sets of the two views, over (program_id, period): by month, each program's month, all programs'
// month and each program's whole period; by quarter (the period is the quarter), each program's and all of them.
const (
	careByMonth   = `(r.program_id, r.period), (r.period), (r.program_id)`
	careByQuarter = `(r.program_id, r.period), (r.period)`
)

// careFigures reads the figures of [from, to) in one statement: the requests submitted in the period (the board's
// figures, by grouping sets so that a month's median over all programs is a median, not an average of medians) and
// the services confirmed that began in it, joined cell by cell.
func careFigures(db *gorm.DB, from, to time.Time, byMonth bool, now time.Time) (PublicCare, error) {
	unit, sets := "quarter", careByQuarter
	if byMonth {
		unit, sets = "month", careByMonth
	}
	var rows []struct {
		CareCell
		Period *time.Time
		G      int // GROUPING(program_id, period): 2 all programs, 1 the whole period
	}
	// The period is truncated in Shanghai time, as a timestamp without zone: midnight of its first day there.
	err := db.Raw(`
		WITH req AS (
			SELECT r.program_id, r.period, GROUPING(r.program_id, r.period) AS g, `+requestFigureColumns+`
			FROM (SELECT c.program_id, c.submitted_at, c.first_offer_at, c.matched_at, c.status, c.rating,
					date_trunc(?, c.submitted_at AT TIME ZONE 'Asia/Shanghai') AS period
				FROM care_requests c
				WHERE c.program_id IN (SELECT id FROM programs WHERE kind = 'service')
					AND c.submitted_at >= ? AND c.submitted_at < ?) r
			GROUP BY GROUPING SETS (`+sets+`)),
		svc AS (
			SELECT r.program_id, r.period, GROUPING(r.program_id, r.period) AS g, count(*) AS services,
				coalesce(sum(r.minutes), 0)::bigint AS minutes
			FROM (SELECT c.program_id, sv.minutes, date_trunc(?, sv.checked_in_at AT TIME ZONE 'Asia/Shanghai') AS period
				FROM care_services sv JOIN care_requests c ON c.id = sv.request_id
				WHERE sv.status = 'confirmed' AND sv.checked_in_at >= ? AND sv.checked_in_at < ?) r
			GROUP BY GROUPING SETS (`+sets+`))
		SELECT coalesce(p.code, '') AS program_code, coalesce(p.name_zh, '') AS program_name_zh,
			coalesce(p.name_en, '') AS program_name_en, coalesce(req.g, svc.g) AS g,
			coalesce(req.period, svc.period)::date AS period,
			coalesce(req.requests, 0) AS requests, req.accept_median, coalesce(req.matched, 0) AS matched,
			coalesce(req.decided, 0) AS decided, coalesce(svc.services, 0) AS services, coalesce(svc.minutes, 0) AS minutes
		FROM req FULL JOIN svc ON svc.g = req.g AND coalesce(svc.program_id, 0) = coalesce(req.program_id, 0)
			AND coalesce(svc.period, '-infinity') = coalesce(req.period, '-infinity')
		LEFT JOIN programs p ON p.id = coalesce(req.program_id, svc.program_id)
		ORDER BY p.position NULLS FIRST, p.id, period NULLS FIRST`,
		unit, from, to, unit, from, to).Scan(&rows).Error
	out := PublicCare{From: from, To: to, ReadAt: now}
	if err != nil {
		return out, err
	}
	months := []time.Time{}
	if byMonth {
		for m := from; m.Before(to); m = m.AddDate(0, 1, 0) {
			months = append(months, m)
		}
	}
	empty := func(code, zh, en string, m time.Time) CareCell {
		return CareCell{ProgramCode: code, ProgramNameZh: zh, ProgramNameEn: en, Month: m}
	}
	out.Total = empty("", "", "", from)
	for _, m := range months {
		out.Months = append(out.Months, empty("", "", "", m))
	}
	monthOf := func(cells []CareCell, day *time.Time) *CareCell {
		if day == nil {
			return nil
		}
		for i := range cells {
			if cells[i].Month.Format(time.DateOnly) == day.Format(time.DateOnly) {
				return &cells[i]
			}
		}
		return nil
	}
	for _, r := range rows {
		c := r.CareCell
		c.withhold()
		switch {
		case r.G&2 != 0 && !byMonth: // all programs, the quarter
			c.Month = from
			out.Total = c
		case r.G&2 != 0: // all programs, a month
			if m := monthOf(out.Months, r.Period); m != nil {
				c.Month = m.Month
				*m = c
			}
		default: // a program: its whole period (by month: G&1), or its quarter, or one of its months
			if n := len(out.Programs); n == 0 || out.Programs[n-1].ProgramCode != c.ProgramCode {
				p := CareProgramFigures{CareCell: empty(c.ProgramCode, c.ProgramNameZh, c.ProgramNameEn, from)}
				for _, m := range months {
					p.Months = append(p.Months, empty(c.ProgramCode, c.ProgramNameZh, c.ProgramNameEn, m))
				}
				out.Programs = append(out.Programs, p)
			}
			p := &out.Programs[len(out.Programs)-1]
			if !byMonth || r.G&1 != 0 {
				c.Month = from
				p.CareCell = c
			} else if m := monthOf(p.Months, r.Period); m != nil {
				c.Month = m.Month
				*m = c
			}
		}
	}
	return out, nil
}
