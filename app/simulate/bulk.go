package simulate

import (
	"slices"
	"time"

	"guanai/domain"
)

// Bulk assignment in the week. With Options.Assigner set, the scheduled part of the week — normal requests
// submitted before the planning hour (Params.Bulk.Hour) of the day before their help — is not dispatched on
// submission: at the planning hour each day, a coordinator of each program proposes the scheduled requests whose
// help begins the next day at once, as on the dispatch board. The Assigner is given what the repository gives
// domain.ProposeAssignment: each request with its candidates' facts (the best Params.Bulk.Candidates of those
// domain.Rank passes, like the candidate query's limit), the offers each received in the last 7 days, the
// program's weights and daily cap. Each request it gives a volunteer is offered to that volunteer alone, as a
// round of one with the urgency's lifetime; the rest, and any proposed offer declined or let expire, go on in
// ordinary rounds (domain.NextRound) — what the coordinator's confirmation does. Without an Assigner everything
// is dispatched one by one, and the report's Scheduled figures are the baseline the bulk run is compared with.

// Assigner proposes one volunteer per request of in (0: none), index for index. The simulation checks every
// proposal again with domain's filters as the offer is accepted, as the repository does.
type Assigner interface {
	Assign(in domain.BulkInput) []int64
}

// AssignerFunc is a function as an Assigner.
type AssignerFunc func(in domain.BulkInput) []int64

// Assign calls f.
func (f AssignerFunc) Assign(in domain.BulkInput) []int64 { return f(in) }

// MinCostAssigner is the dispatch board's proposal: domain.ProposeAssignment, the minimum-cost assignment.
var MinCostAssigner = AssignerFunc(func(in domain.BulkInput) []int64 {
	p := domain.ProposeAssignment(in)
	at := make(map[int64]int, len(in.Requests))
	for i, r := range in.Requests {
		at[r.ID] = i
	}
	out := make([]int64, len(in.Requests))
	for _, pair := range p.Pairs {
		out[at[pair.RequestID]] = pair.VolunteerID
	}
	return out
})

// plan is the planning hour: tomorrow's scheduled requests proposed in bulk, program by program, then offered.
func (s *sim) plan() {
	tomorrow := domain.Today(s.now).AddDate(0, 0, 1)
	byProgram := map[string][]int32{}
	for i, r := range s.reqs {
		if r.scheduled && r.status == domain.RequestSubmitted && !r.submitted.After(s.now) &&
			domain.Today(r.start()).Equal(tomorrow) {
			byProgram[r.cat.Program] = append(byProgram[r.cat.Program], int32(i))
		}
	}
	week := s.weekOffers()
	for _, prog := range programs {
		for ids := byProgram[prog]; len(ids) > 0; {
			batch := ids[:min(len(ids), domain.MaxBulkRequests)]
			ids = ids[len(batch):]
			s.planBatch(batch, week)
		}
	}
}

// planBatch proposes one program's batch and sends each request its proposed offer, or its first ordinary round.
func (s *sim) planBatch(ids []int32, week map[int64]int) {
	in := domain.BulkInput{WeekOffers: week, Weights: s.p.Bulk.Weights.weights(), DailyCap: s.settings.DailyCap, Now: s.now}
	ranked := make([][]domain.Ranked, len(ids))
	for k, id := range ids {
		r := s.reqs[id]
		// the first look is exact for the best Candidates (see rank), and far cheaper than the whole pool
		all := s.rank(r, s.p.Bulk.Candidates)
		ranked[k] = slices.Clone(all[:min(len(all), s.p.Bulk.Candidates)])
		facts := make(map[int64]domain.Candidate, len(s.candBuf))
		for _, c := range s.candBuf {
			facts[c.VolunteerID] = c
		}
		cands := make([]domain.Candidate, len(ranked[k]))
		for j, rk := range ranked[k] {
			cands[j] = facts[rk.VolunteerID]
			cands[j].Booked = slices.Clone(cands[j].Booked)
		}
		in.Requests = append(in.Requests, domain.BulkRequest{ID: int64(id), Urgency: r.urgency, Match: r.match, Candidates: cands})
	}
	proposal := s.assigner.Assign(in)
	for k, id := range ids {
		var chosen *domain.Ranked
		if k < len(proposal) && proposal[k] != 0 {
			for j := range ranked[k] {
				if ranked[k][j].VolunteerID == proposal[k] {
					chosen = &ranked[k][j]
					break
				}
			}
		}
		s.reportAcc.bulkProposed += boolInt(chosen != nil)
		s.dispatch(id, s.reqs[id], chosen)
	}
}

// weekOffers counts each volunteer's offers of the last 7 days, as the repository's weekOffers does.
func (s *sim) weekOffers() map[int64]int {
	since := s.now.Add(-7 * 24 * time.Hour)
	out := map[int64]int{}
	for i := range s.offers {
		if o := &s.offers[i]; !o.sent.Before(since) {
			out[int64(o.vol)+volunteerBase]++
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GreedyAssigner is the simplest proposal, for comparison: in order of the window's start, each request takes its
// best-ranked candidate who is still free at that time and has room.
var GreedyAssigner = AssignerFunc(func(in domain.BulkInput) []int64 {
	order := make([]int, len(in.Requests))
	for i := range order {
		order[i] = i
	}
	reqs := in.Requests
	slices.SortStableFunc(order, func(a, b int) int {
		return reqs[a].Match.Occurrences[0].Start.Compare(reqs[b].Match.Occurrences[0].Start)
	})
	taken := map[int64][]domain.Window{}
	room := map[int64]int{}
	out := make([]int64, len(reqs))
	for _, i := range order {
		for _, c := range domain.Rank(reqs[i].Match, reqs[i].Candidates, in.DailyCap, in.Now) {
			if _, ok := room[c.VolunteerID]; !ok {
				room[c.VolunteerID] = c.Capacity - c.Load
			}
			if !c.PairedWithHer && room[c.VolunteerID] <= 0 || overlapsAny(taken[c.VolunteerID], reqs[i].Match.Occurrences) {
				continue
			}
			out[i] = c.VolunteerID
			taken[c.VolunteerID] = append(taken[c.VolunteerID], reqs[i].Match.Occurrences...)
			if !c.PairedWithHer {
				room[c.VolunteerID]--
			}
			break
		}
	}
	return out
})

func overlapsAny(a, b []domain.Window) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Overlaps(y) {
				return true
			}
		}
	}
	return false
}
