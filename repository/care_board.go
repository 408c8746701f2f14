package repository

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// What the coordinators' dispatch board reads: the requests that need them (escalated first, then those still
// waiting for a volunteer, then those matched and under way), the figures of how dispatch went by program and
// week, and one request with its timeline, its offers and the candidates matching would ask next. Each list is
// one statement however many requests the city has: sections are bounded, offers are counted in the same query.

// BoardSectionSize is how many requests a section of the board shows; its Total says how many there are.
const BoardSectionSize = 100

// BoardRow is a request as the board lists it: what, where, when, and how its round of offers stands.
type BoardRow struct {
	ID            int64
	ProgramCode   string
	ProgramNameZh string
	ProgramNameEn string
	Category      string
	Urgency       string
	Status        string
	District      string
	StartsAt      time.Time
	EndsAt        time.Time
	Recurring     bool
	SubmittedAt   time.Time
	Escalation    string // why it was escalated: care.escalation.*
	EscalatedAt   *time.Time
	OffersOut     int        // pending offers
	RoundEndsAt   *time.Time // when the first pending offer runs out; nil with none out
}

// ProgramName is the program's name in a language.
func (r BoardRow) ProgramName(lang string) string {
	return pickName(lang, r.ProgramNameZh, r.ProgramNameEn)
}

func pickName(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// BoardSection is the first BoardSectionSize requests of a section, and how many it holds in all.
type BoardSection struct {
	Rows  []BoardRow
	Total int64
}

// DispatchBoard is the board's three sections.
type DispatchBoard struct {
	Escalated BoardSection // nobody left to ask, or the window began unmatched
	Waiting   BoardSection // submitted or dispatching: offers out
	Matched   BoardSection // matched or in service
}

// DispatchBoard reads the board: each section by urgency (emergency first), then by start.
func (s *Store) DispatchBoard(ctx context.Context) (DispatchBoard, error) {
	var b DispatchBoard
	db := s.db.WithContext(ctx)
	for _, sec := range []struct {
		into   *BoardSection
		states []string
	}{
		{&b.Escalated, []string{domain.RequestEscalated}},
		{&b.Waiting, []string{domain.RequestSubmitted, domain.RequestDispatching}},
		{&b.Matched, []string{domain.RequestMatched, domain.RequestInService}},
	} {
		var err error
		if *sec.into, err = boardSection(db, sec.states); err != nil {
			return b, err
		}
	}
	return b, nil
}

// boardSection is one section in one statement: the requests in the states given, first BoardSectionSize of
// them, counted (count(*) OVER () before the LIMIT), their pending offers counted for the rows shown only.
func boardSection(db *gorm.DB, states []string) (BoardSection, error) {
	var rows []struct {
		BoardRow
		Total int64
	}
	urgencies := textArray(domain.Urgencies)
	err := db.Raw(`
		SELECT b.*, p.code AS program_code, p.name_zh AS program_name_zh, p.name_en AS program_name_en,
			coalesce(o.pending, 0) AS offers_out, o.round_ends_at
		FROM (SELECT r.id, r.program_id, r.category, r.urgency, r.status, r.district, r.starts_at, r.ends_at,
				r.first_date IS NOT NULL AS recurring, r.submitted_at, r.escalation, r.escalated_at,
				array_position(?::text[], r.urgency) AS urgency_rank, count(*) OVER () AS total
			FROM care_requests r
			WHERE r.status IN ?
			ORDER BY urgency_rank, r.starts_at, r.id
			LIMIT ?) b
		JOIN programs p ON p.id = b.program_id
		LEFT JOIN LATERAL (SELECT count(*) AS pending, min(expires_at) AS round_ends_at
			FROM care_offers WHERE request_id = b.id AND status = 'pending') o ON true
		ORDER BY b.urgency_rank, b.starts_at, b.id`, urgencies, states, BoardSectionSize).Scan(&rows).Error
	var sec BoardSection
	for _, r := range rows {
		sec.Rows = append(sec.Rows, r.BoardRow)
		sec.Total = r.Total
	}
	return sec, err
}

// requestFigureColumns are the figures of a set of care requests r, as the board and the public pages show them:
// their one definition. Time to the first offer and to acceptance run from the request's submission; a request is
// matched once a volunteer accepted it (or a coordinator assigned one), even if it was cancelled later; decided
// once it waits no more — matched, expired, or cancelled before a match — so that the match rate (matched over
// decided) is not pulled down by the requests still being dispatched.
const requestFigureColumns = `count(*) AS requests,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_offer_at - r.submitted_at)::float8) AS first_offer_median,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_offer_at - r.submitted_at)::float8) AS first_offer_p90,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.matched_at - r.submitted_at)::float8) AS accept_median,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.matched_at - r.submitted_at)::float8) AS accept_p90,
	count(*) FILTER (WHERE r.matched_at IS NOT NULL) AS matched,
	count(*) FILTER (WHERE r.matched_at IS NOT NULL OR r.status IN ('expired', 'cancelled')) AS decided,
	count(*) FILTER (WHERE r.status IN ('completed', 'closed')) AS completed,
	avg(r.rating)::float8 AS rating, count(r.rating) AS rated`

// FigureWeeks is how many weeks the figures go back, this one included.
const FigureWeeks = 8

// RequestFigures are the figures of a set of requests (requestFigureColumns). Times are in seconds; nil when no
// request got that far.
type RequestFigures struct {
	Requests         int64
	FirstOfferMedian *float64 // first_offer_at − submitted_at
	FirstOfferP90    *float64
	AcceptMedian     *float64 // matched_at − submitted_at
	AcceptP90        *float64
	Matched          int64 // matched at some point (cancelled after matching counts)
	Decided          int64 // no longer waiting: matched, expired, or cancelled before a match
	Completed        int64 // completed or closed
	Rating           *float64
	Rated            int64
}

// WeekFigures are one program's figures for the requests submitted in one ISO week (Shanghai time).
type WeekFigures struct {
	ProgramCode   string
	ProgramNameZh string
	ProgramNameEn string
	Week          time.Time // the week's Monday
	RequestFigures
}

// ProgramName is the program's name in a language.
func (w WeekFigures) ProgramName(lang string) string {
	return pickName(lang, w.ProgramNameZh, w.ProgramNameEn)
}

// FiguresSince is the Monday (Shanghai) FigureWeeks weeks back from the week of now, this week included.
func FiguresSince(now time.Time) time.Time {
	today := domain.Today(now)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, -7*(FigureWeeks-1))
}

// DispatchFigures are the figures by program (in their order) and week (newest first), of the requests
// submitted in the last FigureWeeks weeks. One statement: per service program, an index range scan of
// care_requests_figures_idx (program_id, submitted_at) over those weeks, so the city's history costs nothing.
func (s *Store) DispatchFigures(ctx context.Context) ([]WeekFigures, error) {
	var out []WeekFigures
	err := s.db.WithContext(ctx).Raw(`
		SELECT p.code AS program_code, p.name_zh AS program_name_zh, p.name_en AS program_name_en, f.*
		FROM programs p
		CROSS JOIN LATERAL (
			SELECT date_trunc('week', r.submitted_at AT TIME ZONE 'Asia/Shanghai') AS week, `+requestFigureColumns+`
			FROM care_requests r
			WHERE r.program_id = p.id AND r.submitted_at >= ?
			GROUP BY 1) f
		WHERE p.kind = 'service'
		ORDER BY p.position, f.week DESC`, FiguresSince(s.Now())).Scan(&out).Error
	return out, err
}

// DispatchRequest is one request as the board's request page shows it to operators: her name (her phone is
// masked on the page; revealing it is the people page's, and audited there), and the volunteer's if matched.
type DispatchRequest struct {
	ID             int64
	StaffID        int64
	StaffName      string
	StaffPhone     string
	ProgramCode    string
	ProgramNameZh  string
	ProgramNameEn  string
	Category       string
	Urgency        string
	Status         string
	District       string
	Pickup         string
	Destination    string
	Place          string
	Details        string
	Subject        string
	Children       int
	Recurring      bool
	Occurrences    int
	StartsAt       time.Time
	EndsAt         time.Time
	Round          int
	VolunteerID    *int64
	VolunteerName  string
	VolunteerPhone string
	SubmittedAt    time.Time
	FirstOfferAt   *time.Time
	MatchedAt      *time.Time
	EscalatedAt    *time.Time
	Escalation     string
	CancelReason   string
	Rating         *int
	RatingComment  string
	Events         []DispatchEvent `gorm:"-"`
	Offers         []DispatchOffer `gorm:"-"`
}

// ProgramName is the program's name in a language.
func (r DispatchRequest) ProgramName(lang string) string {
	return pickName(lang, r.ProgramNameZh, r.ProgramNameEn)
}

// Open reports whether the request still waits for a volunteer: it may be assigned or dispatched again.
func (r DispatchRequest) Open() bool { return domain.RequestOpen(r.Status) }

// DispatchEvent is a line of the request's timeline (care.event.* with its values).
type DispatchEvent struct {
	At            time.Time
	Kind          string
	ActorName     string
	VolunteerName string
	Count         int
	Detail        string
}

// DispatchOffer is an offer of the request: to whom, in which round, why they were asked, and their answer.
type DispatchOffer struct {
	ID             int64
	VolunteerID    int64
	VolunteerName  string
	VolunteerPhone string
	Round          int
	Status         string
	Reasons        string // domain.EncodeReasons; "manual" for a hand assignment
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AnsweredAt     *time.Time
	DeclineReason  string
}

// DispatchRequestByID loads a request with its timeline and offers, in three statements.
func (s *Store) DispatchRequestByID(ctx context.Context, id int64) (DispatchRequest, error) {
	db := s.db.WithContext(ctx)
	var rows []DispatchRequest
	err := db.Raw(`
		SELECT r.id, r.staff_id, su.name AS staff_name, coalesce(su.phone, '') AS staff_phone,
			p.code AS program_code, p.name_zh AS program_name_zh, p.name_en AS program_name_en,
			r.category, r.urgency, r.status, r.district, r.pickup, r.destination, r.place, r.details, r.subject,
			cardinality(r.child_ids) AS children, r.first_date IS NOT NULL AS recurring,
			(SELECT count(*) FROM care_occurrences o WHERE o.request_id = r.id) AS occurrences,
			r.starts_at, r.ends_at, r.round, r.volunteer_id, coalesce(vu.name, '') AS volunteer_name,
			coalesce(vu.phone, '') AS volunteer_phone, r.submitted_at, r.first_offer_at, r.matched_at,
			r.escalated_at, r.escalation, r.cancel_reason, r.rating, r.rating_comment
		FROM care_requests r
		JOIN programs p ON p.id = r.program_id
		JOIN users su ON su.id = r.staff_id
		LEFT JOIN users vu ON vu.id = r.volunteer_id
		WHERE r.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return DispatchRequest{}, err
	}
	if len(rows) == 0 {
		return DispatchRequest{}, domain.ErrNotFound
	}
	r := rows[0]
	if err := db.Raw(`
		SELECT e.at, e.kind, coalesce(a.name, '') AS actor_name, coalesce(v.name, '') AS volunteer_name, e.count, e.detail
		FROM care_events e
		LEFT JOIN users a ON a.id = e.actor_id
		LEFT JOIN users v ON v.id = e.volunteer_id
		WHERE e.request_id = ? ORDER BY e.id`, id).Scan(&r.Events).Error; err != nil {
		return r, err
	}
	err = db.Raw(`
		SELECT o.id, o.volunteer_id, v.name AS volunteer_name, coalesce(v.phone, '') AS volunteer_phone, o.round,
			o.status, o.reasons, o.created_at, o.expires_at, o.answered_at, o.decline_reason
		FROM care_offers o JOIN users v ON v.id = o.volunteer_id
		WHERE o.request_id = ? ORDER BY o.round DESC, o.id`, id).Scan(&r.Offers).Error
	return r, err
}

// CandidateView is a volunteer matching would ask next, with the reasons for their place.
type CandidateView struct {
	VolunteerID int64
	Name        string
	Phone       string
	Reasons     []domain.Reason
}

// RankCandidates are the best limit volunteers for an open request who have not been asked yet, best first, as
// the next round would rank them (loadMatchContext, then mc.best: the first few in ranking's order, ranked by
// domain), read in one read-only snapshot. A request no longer waiting has none.
func (s *Store) RankCandidates(ctx context.Context, requestID int64, limit int) ([]CandidateView, error) {
	var ranked []domain.Ranked
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var req careRequestRow
		if err := tx.Take(&req, requestID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		} else if err != nil || !domain.RequestOpen(req.Status) {
			return err
		}
		mc, err := loadMatchContext(tx, req)
		if err != nil {
			return err
		}
		ranked, err = mc.best(tx, s.Now(), limit, bestMargin)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil || len(ranked) == 0 {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	ids := make([]int64, len(ranked))
	for i, r := range ranked {
		ids[i] = r.VolunteerID
	}
	var people []struct {
		ID    int64
		Name  string
		Phone *string
	}
	if err := db.Table("users").Select("id, name, phone").Where("id IN ?", ids).Scan(&people).Error; err != nil {
		return nil, err
	}
	out := make([]CandidateView, len(ranked))
	for i, r := range ranked {
		out[i] = CandidateView{VolunteerID: r.VolunteerID, Reasons: r.Reasons()}
		for _, p := range people {
			if p.ID == r.VolunteerID {
				out[i].Name = p.Name
				if p.Phone != nil {
					out[i].Phone = *p.Phone
				}
			}
		}
	}
	return out, nil
}

// FairnessWindows are the periods the board's fairness figures look back over, in days.
var FairnessWindows = []int{7, 30}

// WindowFairness is how a window's offers fell on the volunteers available now (domain.FairnessOf).
type WindowFairness struct {
	Days int
	domain.Fairness
}

// availableVolunteers is who counts as available for the fairness figures (docs/domain.md): an active volunteer
// (registration verified, not suspended or closed) with at least one weekly slot, at least one district, and at
// least one verified qualification — the least any category of help but emergency help asks for.
const availableVolunteers = `SELECT u.id FROM users u JOIN volunteer_profiles vp ON vp.user_id = u.id
	WHERE u.role = 'volunteer' AND u.status = 'active' AND vp.availability <> '{}' AND vp.districts <> '{}'
		AND u.id IN (SELECT q.user_id FROM volunteer_qualifications q WHERE q.status = 'verified')`

// DispatchFairness is the share of the volunteers available who were offered at least one task in the last 7 and
// 30 days, and the Gini coefficient of offers per available volunteer (those offered nothing count, with zero). One
// statement: the available volunteers by how many offers they had in each window — a few dozen rows, not one per
// volunteer — which domain counts.
func (s *Store) DispatchFairness(ctx context.Context) ([]WindowFairness, error) {
	now := s.Now()
	week, month := now.AddDate(0, 0, -FairnessWindows[0]), now.AddDate(0, 0, -FairnessWindows[1])
	var rows []struct{ Week, Month, Volunteers int }
	err := s.db.WithContext(ctx).Raw(`
		WITH o AS (
			SELECT volunteer_id, count(*) FILTER (WHERE created_at >= ?) AS week, count(*) AS month
			FROM care_offers WHERE created_at >= ? AND created_at <= ? GROUP BY volunteer_id)
		SELECT coalesce(o.week, 0) AS week, coalesce(o.month, 0) AS month, count(*) AS volunteers
		FROM (`+availableVolunteers+`) a LEFT JOIN o ON o.volunteer_id = a.id
		GROUP BY 1, 2`, week, month, now).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var weekly, monthly []int
	for _, r := range rows {
		for range r.Volunteers {
			weekly = append(weekly, r.Week)
			monthly = append(monthly, r.Month)
		}
	}
	return []WindowFairness{{Days: FairnessWindows[0], Fairness: domain.FairnessOf(weekly)},
		{Days: FairnessWindows[1], Fairness: domain.FairnessOf(monthly)}}, nil
}
