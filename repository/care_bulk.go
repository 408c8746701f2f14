package repository

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// Bulk assignment of scheduled requests: a coordinator proposes one assignment over the open, never-offered
// requests of a program in a period (domain.ProposeAssignment over the candidates one-by-one dispatch would ask),
// reviews it, drops pairs, and confirms; then each request kept gets exactly one offer, to the proposed volunteer,
// with its urgency's lifetime, and its ordinary rounds follow if that volunteer declines or lets it lapse.
//
// The proposal is stored (assignment_proposals), so the review shows what was computed and the confirmation offers
// no more than that. A program with plan hours holds its scheduled requests for the plan (domain.PlanRelease): the
// care_plan_release job starts their ordinary dispatch when the plan's time is up.

// planReleaseArgs is the job that ends a request's wait for the plan.
type planReleaseArgs struct {
	RequestID int64 `json:"request_id"`
}

func (planReleaseArgs) Kind() string { return "care_plan_release" }

type planReleaseWorker struct {
	river.WorkerDefaults[planReleaseArgs]
	s *Store
}

func (w *planReleaseWorker) Work(ctx context.Context, job *river.Job[planReleaseArgs]) error {
	if err := w.s.notYet(job.ScheduledAt); err != nil {
		return err
	}
	return ignoreGone(w.s.releasePlan(ctx, job.Args.RequestID))
}

// holdForPlan keeps a request just submitted for the coordinator's plan, if its program holds requests and it is
// far enough ahead; the job that ends the wait is queued with it.
func (s *Store) holdForPlan(ctx context.Context, tx *gorm.DB, prog careProgramRow, req careRequestRow) (bool, error) {
	release, held := domain.PlanRelease(prog.PlanHours, req.Urgency, req.StartsAt, now(tx))
	if !held {
		return false, nil
	}
	if err := careEvent(tx, req.ID, "held_for_plan", 0, 0, prog.PlanHours, ""); err != nil {
		return true, err
	}
	return true, s.enqueueAt(ctx, tx, planReleaseArgs{RequestID: req.ID}, release)
}

// releasePlan is the end of the wait: a request still never offered goes to ordinary dispatch.
func (s *Store) releasePlan(ctx context.Context, requestID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		req, err := lockRequest(tx, requestID)
		if err != nil {
			return err
		}
		if req.Status != domain.RequestSubmitted || req.Round != 0 {
			return nil // offered by a proposal, cancelled, assigned by hand, or escalated meanwhile
		}
		return s.nextRound(ctx, tx, &req)
	})
}

type proposalRow struct {
	ID          int64
	ProgramID   int64
	PeriodStart time.Time
	PeriodEnd   time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	Cost        int
	Greedy      bool
	ConfirmedBy *int64
	ConfirmedAt *time.Time
}

func (proposalRow) TableName() string { return "assignment_proposals" }

type proposalLine struct {
	ProposalID     int64
	RequestID      int64
	VolunteerID    *int64
	Reasons        string
	DistanceCost   int
	ContinuityCost int
	FairnessCost   int
	LoadCost       int
	Unmatched      *string
	Candidates     int
	Outcome        *string
	SkipReason     string
}

func (proposalLine) TableName() string { return "assignment_proposal_rows" }

// weights are the program's weights of a proposal's cost terms.
func (p careProgramRow) weights() domain.AssignmentWeights {
	return domain.AssignmentWeights{Distance: p.AssignDistanceWeight, Load: p.AssignLoadWeight,
		Continuity: p.AssignContinuityWeight, Fairness: p.AssignFairnessWeight}
}

// ProposeAssignment makes and keeps a proposal for a program's open, never-offered requests whose window starts in
// the period, and returns its id.
func (s *Store) ProposeAssignment(ctx context.Context, actor Actor, f domain.AssignmentForm) (int64, error) {
	period, fe := f.Check()
	if err := fe.Err(); err != nil {
		return 0, err
	}
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var prog careProgramRow
		err := tx.Where("code = ? AND kind = ?", strings.TrimSpace(f.Program), domain.ProgramService).Take(&prog).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.FieldErrors{"program": "error.choose_one"}
		} else if err != nil {
			return err
		}
		var reqs []careRequestRow
		if err := tx.Where("program_id = ? AND status IN ? AND round = 0 AND starts_at >= ? AND starts_at < ?", prog.ID,
			[]string{domain.RequestSubmitted, domain.RequestEscalated}, period.Start, period.End).
			Order("starts_at, id").Limit(domain.MaxBulkRequests + 1).Find(&reqs).Error; err != nil {
			return err
		}
		if len(reqs) > domain.MaxBulkRequests {
			return domain.FieldErrors{"to": "assign.error.too_many"}
		}
		at := now(tx)
		in := domain.BulkInput{Weights: prog.weights(), DailyCap: prog.DailyOfferCap, Now: at}
		mcs := make([]*matchContext, len(reqs))
		for i, r := range reqs {
			if mcs[i], err = loadMatchContext(tx, r); err != nil {
				return err
			}
		}
		// Each request keeps its best candidates only; a group's rows are let go before the next group is read.
		best := make([][]domain.Candidate, len(mcs))
		err = sharedCandidates(tx, mcs, at, func(i int, rows []candidateRow) error {
			cands, err := mcs[i].facts(tx, rows, domain.Today(at), false)
			best[i] = domain.BestCandidates(mcs[i].match, cands, prog.DailyOfferCap, at, domain.ProposalCandidates)
			return err
		})
		if err != nil {
			return err
		}
		var vols []int64
		for i, mc := range mcs {
			for _, c := range best[i] {
				vols = append(vols, c.VolunteerID)
			}
			in.Requests = append(in.Requests, domain.BulkRequest{ID: reqs[i].ID, Urgency: reqs[i].Urgency, Match: mc.match,
				Candidates: best[i]})
		}
		slices.Sort(vols)
		if in.WeekOffers, err = weekOffers(tx, slices.Compact(vols), at); err != nil {
			return err
		}
		p := domain.ProposeAssignment(in)
		row := proposalRow{ProgramID: prog.ID, PeriodStart: period.Start, PeriodEnd: period.End, CreatedBy: actor.UserID,
			CreatedAt: at, Cost: p.Cost, Greedy: p.Greedy}
		if err := tx.Omit("ID").Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		lines := make([]proposalLine, 0, len(reqs))
		for _, pr := range p.Pairs {
			t := pr.Terms
			lines = append(lines, proposalLine{ProposalID: id, RequestID: pr.RequestID, VolunteerID: &pr.VolunteerID,
				Reasons: domain.EncodeReasons(pr.Reasons()), DistanceCost: t.DistanceCost, ContinuityCost: t.ContinuityCost,
				FairnessCost: t.FairnessCost, LoadCost: t.LoadCost})
		}
		for _, u := range p.Unmatched {
			lines = append(lines, proposalLine{ProposalID: id, RequestID: u.RequestID, Unmatched: &u.Why, Candidates: u.Candidates})
		}
		if len(lines) > 0 {
			if err := tx.CreateInBatches(&lines, 500).Error; err != nil {
				return err
			}
		}
		return audit(tx, actor, "request.bulk_propose", "assignment_proposal", id, nil, map[string]any{
			"program": prog.Code, "window": period.Start.In(domain.Shanghai).Format("2006-01-02 15:04") + "–" +
				period.End.In(domain.Shanghai).Format("15:04"), "requests": len(reqs), "matched": len(p.Pairs),
			"cost": p.Cost})
	})
	return id, err
}

// sharedCandidates runs dispatch's candidate query once for each group of requests that ask it the same (the same
// district unless remote, qualifications and weekly slots: a morning's rides in one district are one group), and
// gives each request of the group (by its index in mcs) the group's rows, one group after another, so that only
// one group's rows are held at a time; the facts of each pair (her pairings, the bookings, capacity) are then read
// per request and checked by domain as always. Two conditions of the query are about her and so are widened for the
// group: a full volunteer is let in when paired with any of the group's staff (domain keeps them only for her), and
// the refused pairs are left to domain (NoRepeat). The third, not offered this request before, holds for every
// request here: a request is proposed only before its first offer (round 0), and confirmation checks it again.
// A request in the night, and a group with no rows, gets no call (nobody is available).
func sharedCandidates(tx *gorm.DB, mcs []*matchContext, at time.Time, each func(i int, rows []candidateRow) error) error {
	groups := map[string][]int{}
	var keys []string
	for i, mc := range mcs {
		slots, ok := mc.neededSlots()
		if !ok {
			continue
		}
		key := strings.Join([]string{mc.cat.Qualification, mc.match.Qualification, strings.Join(slots, ",")}, "|")
		if !mc.cat.Remote {
			key += "|" + mc.req.District
		}
		if _, seen := groups[key]; !seen {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range keys {
		members := groups[key]
		g := *mcs[members[0]]
		g.req.ID, g.req.StaffID, g.pairedV = 0, 0, nil
		for _, i := range members {
			g.pairedV = append(g.pairedV, mcs[i].pairedV...)
		}
		q, ok := g.candidateQuery(tx, at, false)
		if !ok {
			continue
		}
		rows, err := scanCandidates(q)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			continue
		}
		for _, i := range members {
			if err := each(i, rows); err != nil {
				return err
			}
		}
	}
	return nil
}

// weekOffers counts each volunteer's offers of the last 7 days.
func weekOffers(tx *gorm.DB, ids []int64, at time.Time) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		VolunteerID int64
		N           int
	}
	err := tx.Model(&offerRow{}).Select("volunteer_id, count(*) AS n").
		Where("volunteer_id IN ? AND created_at >= ?", ids, at.Add(-7*24*time.Hour)).Group("volunteer_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.VolunteerID] = r.N
	}
	return out, err
}

// Outcomes of a proposal's pair at confirmation, and why one was skipped.
const (
	OutcomeSent    = "sent"
	OutcomeDropped = "dropped"
	OutcomeSkipped = "skipped"

	SkipMovedOn = "moved_on" // offered, matched, cancelled or ended meanwhile
	SkipNoFit   = "fits"     // the volunteer no longer passes: "fits:booked,capacity"
)

// AssignmentResult counts what a confirmation did.
type AssignmentResult struct{ Sent, Dropped, Skipped int }

// ConfirmAssignment sends the proposal's offers: one to the proposed volunteer of each pair kept (by request id),
// each pair checked again under its locks, those that no longer fit skipped and recorded as such. One transaction;
// the locks are taken in the order of every other change — the requests (by id), then the pairs' pairings, then
// the volunteers' profiles (by id) — after the proposal's own, which makes a second confirmation wait and refuse.
func (s *Store) ConfirmAssignment(ctx context.Context, actor Actor, proposalID int64, keep []int64) (AssignmentResult, error) {
	var res AssignmentResult
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res = AssignmentResult{}
		var prop proposalRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&prop, proposalID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		} else if err != nil {
			return err
		}
		if prop.ConfirmedAt != nil {
			return domain.ErrAssignmentConfirmed
		}
		var lines []proposalLine
		if err := tx.Where("proposal_id = ? AND volunteer_id IS NOT NULL", prop.ID).Order("request_id").Find(&lines).Error; err != nil {
			return err
		}
		kept := map[int64]bool{}
		for _, id := range keep {
			kept[id] = true
		}
		reqs := map[int64]careRequestRow{}
		var vols []int64
		for _, l := range lines {
			if !kept[l.RequestID] {
				continue
			}
			req, err := lockRequest(tx, l.RequestID)
			if err != nil {
				return err
			}
			reqs[l.RequestID] = req
			vols = append(vols, *l.VolunteerID)
		}
		for _, l := range lines {
			if req, ok := reqs[l.RequestID]; ok {
				if err := lockPair(tx, req, *l.VolunteerID); err != nil {
					return err
				}
			}
		}
		slices.Sort(vols)
		if len(vols) > 0 {
			if err := tx.Exec("SELECT 1 FROM volunteer_profiles WHERE user_id IN ? ORDER BY user_id FOR UPDATE",
				slices.Compact(vols)).Error; err != nil {
				return err
			}
		}
		var batch domain.AssignmentBatch
		var sent []int64
		at := now(tx)
		for _, l := range lines {
			outcome, skip := OutcomeDropped, ""
			if req, ok := reqs[l.RequestID]; ok {
				if outcome, skip, err = s.offerProposed(ctx, tx, actor, req, l, &batch); err != nil {
					return err
				}
			}
			switch outcome {
			case OutcomeSent:
				res.Sent++
				sent = append(sent, l.RequestID)
			case OutcomeDropped:
				res.Dropped++
			default:
				res.Skipped++
			}
			if err := tx.Model(&proposalLine{}).Where("proposal_id = ? AND request_id = ?", prop.ID, l.RequestID).
				Updates(map[string]any{"outcome": outcome, "skip_reason": skip}).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&proposalRow{}).Where("id = ?", prop.ID).
			Updates(map[string]any{"confirmed_by": actor.UserID, "confirmed_at": at}).Error; err != nil {
			return err
		}
		return audit(tx, actor, "request.bulk_confirm", "assignment_proposal", prop.ID, nil, map[string]any{
			"sent": res.Sent, "dropped": res.Dropped, "skipped": res.Skipped, "requests": sent})
	})
	return res, err
}

// offerProposed sends a kept pair's offer if the request still waits for its first and the volunteer still fits,
// on their facts now and beside the offers this confirmation has sent already.
func (s *Store) offerProposed(ctx context.Context, tx *gorm.DB, actor Actor, req careRequestRow, l proposalLine,
	batch *domain.AssignmentBatch) (outcome, skip string, err error) {
	if !domain.RequestOpen(req.Status) || req.Round != 0 || req.VolunteerID != nil {
		return OutcomeSkipped, SkipMovedOn, nil
	}
	mc, err := loadMatchContext(tx, req)
	if err != nil {
		return "", "", err
	}
	at := now(tx)
	c, ok, err := mc.candidate(tx, *l.VolunteerID, at)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return OutcomeSkipped, SkipNoFit + ":" + domain.FailInactive, nil
	}
	fails := append(domain.Failures(mc.match, &c, mc.prog.DailyOfferCap), batch.Failures(mc.match, &c)...)
	if len(fails) > 0 {
		slices.Sort(fails)
		return OutcomeSkipped, SkipNoFit + ":" + strings.Join(slices.Compact(fails), ","), nil
	}
	ranked := domain.Rank(mc.match, []domain.Candidate{c}, mc.prog.DailyOfferCap, at)
	if err := careEvent(tx, req.ID, "bulk_assigned", actor.UserID, c.VolunteerID, 0, ""); err != nil {
		return "", "", err
	}
	if err := s.sendOffers(ctx, tx, &req, mc, ranked); err != nil {
		return "", "", err
	}
	// the offer says why the proposal chose them, in the proposal's words
	if err := tx.Model(&offerRow{}).Where("request_id = ? AND round = ?", req.ID, req.Round).
		Update("reasons", "bulk|"+l.Reasons).Error; err != nil {
		return "", "", err
	}
	batch.Add(mc.match, &c)
	return OutcomeSent, "", nil
}

// AssignmentProposal is a kept proposal as its review page shows it.
type AssignmentProposal struct {
	ID              int64
	ProgramCode     string
	ProgramNameZh   string
	ProgramNameEn   string
	PeriodStart     time.Time
	PeriodEnd       time.Time
	CreatedAt       time.Time
	CreatedByName   string
	Cost            int
	Greedy          bool
	ConfirmedAt     *time.Time
	ConfirmedByName string
	Rows            []AssignmentLine `gorm:"-"`
}

// ProgramName is the program's name in a language.
func (p AssignmentProposal) ProgramName(lang string) string {
	return pickName(lang, p.ProgramNameZh, p.ProgramNameEn)
}

// AssignmentLine is one request of a proposal: the pair and its cost terms, or why it is left unmatched, and after
// the confirmation what became of it.
type AssignmentLine struct {
	RequestID      int64
	Category       string
	Urgency        string
	Status         string
	District       string
	StartsAt       time.Time
	EndsAt         time.Time
	Recurring      bool
	VolunteerID    *int64
	VolunteerName  string
	Reasons        string
	DistanceCost   int
	ContinuityCost int
	FairnessCost   int
	LoadCost       int
	Unmatched      *string
	Candidates     int
	Outcome        *string
	SkipReason     string
}

// Cost is the pair's cost.
func (l AssignmentLine) Cost() int {
	return l.DistanceCost + l.ContinuityCost + l.FairnessCost + l.LoadCost
}

// AssignmentProposal reads a kept proposal with its rows, pairs first (by start), then the unmatched: two
// statements however long it is.
func (s *Store) AssignmentProposal(ctx context.Context, id int64) (AssignmentProposal, error) {
	db := s.db.WithContext(ctx)
	var p AssignmentProposal
	err := db.Table("assignment_proposals ap").Select(`ap.id, pr.code AS program_code, pr.name_zh AS program_name_zh,
		pr.name_en AS program_name_en, ap.period_start, ap.period_end, ap.created_at, cu.name AS created_by_name, ap.cost,
		ap.greedy, ap.confirmed_at, coalesce(fu.name, '') AS confirmed_by_name`).
		Joins("JOIN programs pr ON pr.id = ap.program_id").Joins("JOIN users cu ON cu.id = ap.created_by").
		Joins("LEFT JOIN users fu ON fu.id = ap.confirmed_by").Where("ap.id = ?", id).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, domain.ErrNotFound
	} else if err != nil {
		return p, err
	}
	err = db.Table("assignment_proposal_rows l").Select(`l.request_id, r.category, r.urgency, r.status, r.district,
		r.starts_at, r.ends_at, r.first_date IS NOT NULL AS recurring, l.volunteer_id,
		coalesce(u.name, '') AS volunteer_name, l.reasons, l.distance_cost, l.continuity_cost, l.fairness_cost,
		l.load_cost, l.unmatched, l.candidates, l.outcome, l.skip_reason`).
		Joins("JOIN care_requests r ON r.id = l.request_id").Joins("LEFT JOIN users u ON u.id = l.volunteer_id").
		Where("l.proposal_id = ?", id).Order("l.volunteer_id IS NULL, r.starts_at, l.request_id").Scan(&p.Rows).Error
	return p, err
}

// ProposalSummary is a kept proposal as a list shows it.
type ProposalSummary struct {
	ID            int64
	ProgramNameZh string
	ProgramNameEn string
	PeriodStart   time.Time
	PeriodEnd     time.Time
	CreatedAt     time.Time
	CreatedByName string
	Pairs         int
	Requests      int
	ConfirmedAt   *time.Time
}

// ProgramName is the program's name in a language.
func (p ProposalSummary) ProgramName(lang string) string {
	return pickName(lang, p.ProgramNameZh, p.ProgramNameEn)
}

// RecentProposals are the latest proposals, newest first: one statement.
func (s *Store) RecentProposals(ctx context.Context, limit int) ([]ProposalSummary, error) {
	var out []ProposalSummary
	err := s.db.WithContext(ctx).Table("assignment_proposals ap").Select(`ap.id, pr.name_zh AS program_name_zh,
		pr.name_en AS program_name_en, ap.period_start, ap.period_end, ap.created_at, u.name AS created_by_name,
		ap.confirmed_at,
		(SELECT count(*) FROM assignment_proposal_rows l WHERE l.proposal_id = ap.id AND l.volunteer_id IS NOT NULL) AS pairs,
		(SELECT count(*) FROM assignment_proposal_rows l WHERE l.proposal_id = ap.id) AS requests`).
		Joins("JOIN programs pr ON pr.id = ap.program_id").Joins("JOIN users u ON u.id = ap.created_by").
		Order("ap.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}
