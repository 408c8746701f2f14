package simulate

import (
	"slices"

	"guanai/domain"
)

// The hook for bulk assignment (issue 10, item 1, built elsewhere). With Options.Assigner set, the scheduled part
// of the week — normal requests submitted before the planning hour (Params.Bulk.Hour) of the day before their
// help — is not dispatched on submission: at the planning hour each day, the scheduled requests whose help begins
// the next day are handed to the Assigner at once, with every candidate domain.Rank passes for each (the same
// hard filters as one-by-one dispatch). Each request it gives a volunteer is offered to that volunteer alone, as
// a round of one with the urgency's lifetime; the rest, and any proposed offer declined or let expire, go on in
// ordinary rounds (domain.NextRound). Without an Assigner everything is dispatched one by one, and the report's
// Scheduled figures are the baseline the bulk run is compared with.

// BulkRequest is one scheduled request as the Assigner sees it.
type BulkRequest struct {
	Request    domain.MatchRequest
	Urgency    string
	Candidates []domain.Ranked // best first, as domain.Rank orders them; every one passes the hard filters
}

// Assigner proposes one volunteer per request (0: none), index for index. It must respect capacity and overlap
// (a volunteer takes several requests only if their windows do not overlap and their capacity allows); the
// simulation checks every proposal again with domain.Passes as the offer is accepted, as the repository would.
type Assigner interface {
	Assign(reqs []BulkRequest, settings domain.DispatchSettings) []int64
}

// AssignerFunc is a function as an Assigner.
type AssignerFunc func(reqs []BulkRequest, settings domain.DispatchSettings) []int64

// Assign calls f.
func (f AssignerFunc) Assign(reqs []BulkRequest, settings domain.DispatchSettings) []int64 {
	return f(reqs, settings)
}

// plan is the planning hour: tomorrow's scheduled requests proposed in bulk, then offered.
func (s *sim) plan() {
	tomorrow := domain.Today(s.now).AddDate(0, 0, 1)
	var ids []int32
	for i, r := range s.reqs {
		if r.scheduled && r.status == domain.RequestSubmitted && !r.submitted.After(s.now) &&
			domain.Today(r.start()).Equal(tomorrow) {
			ids = append(ids, int32(i))
		}
	}
	if len(ids) == 0 {
		return
	}
	batch := make([]BulkRequest, len(ids))
	for k, id := range ids {
		r := s.reqs[id]
		batch[k] = BulkRequest{Request: r.match, Urgency: r.urgency, Candidates: slices.Clone(s.rank(r, 0))}
	}
	proposal := s.assigner.Assign(batch, s.settings)
	for k, id := range ids {
		r := s.reqs[id]
		var chosen *domain.Ranked
		if k < len(proposal) && proposal[k] != 0 {
			for j := range batch[k].Candidates {
				if batch[k].Candidates[j].VolunteerID == proposal[k] {
					chosen = &batch[k].Candidates[j]
					break
				}
			}
		}
		s.reportAcc.bulkProposed += boolInt(chosen != nil)
		s.dispatch(id, r, chosen)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GreedyAssigner is the simplest proposal: in order of the window's start, each request takes its best-ranked
// candidate who is still free at that time and has room. It stands in for the minimum-cost assignment in tests;
// it is not that assignment.
var GreedyAssigner = AssignerFunc(func(reqs []BulkRequest, _ domain.DispatchSettings) []int64 {
	order := make([]int, len(reqs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return reqs[a].Request.Occurrences[0].Start.Compare(reqs[b].Request.Occurrences[0].Start)
	})
	taken := map[int64][]domain.Window{}
	room := map[int64]int{}
	out := make([]int64, len(reqs))
	for _, i := range order {
		for _, c := range reqs[i].Candidates {
			if _, ok := room[c.VolunteerID]; !ok {
				room[c.VolunteerID] = c.Capacity - c.Load
			}
			if !c.PairedWithHer && room[c.VolunteerID] <= 0 || overlapsAny(taken[c.VolunteerID], reqs[i].Request.Occurrences) {
				continue
			}
			out[i] = c.VolunteerID
			taken[c.VolunteerID] = append(taken[c.VolunteerID], reqs[i].Request.Occurrences...)
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
