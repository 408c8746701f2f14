package simulate

import (
	"context"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"guanai/domain"
)

// smallCity is a twentieth of the city, quick enough for every test run.
func smallCity() Params {
	p := Defaults()
	p.Staff, p.Volunteers = 1000, 3000
	return p
}

func run(t testing.TB, seed uint64, p Params, a Assigner) Report {
	t.Helper()
	rep, err := Run(context.Background(), Options{Seed: seed, Params: p, Days: 7, Assigner: a})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestSameSeedSameWeek(t *testing.T) {
	a, b := run(t, 1, smallCity(), nil), run(t, 1, smallCity(), nil)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("seed 1 twice gave two weeks:\n%+v\n%+v", a, b)
	}
	if c := run(t, 2, smallCity(), nil); reflect.DeepEqual(a, c) || a.Requests == c.Requests && a.Offers == c.Offers && a.Gini == c.Gini {
		t.Fatalf("seeds 1 and 2 gave the same week: %d requests, %d offers", c.Requests, c.Offers)
	}
}

func TestSmallCityFiguresAddUp(t *testing.T) {
	r := run(t, 7, smallCity(), nil)
	if r.Requests < 500 {
		t.Fatalf("only %d requests in a small city's week", r.Requests)
	}
	if got := r.Matched + r.EscalatedUnresolved + r.ExpiredUnescalated + r.Open; got != r.Requests {
		t.Errorf("matched %d + escalated unresolved %d + expired %d + open %d = %d, want the %d requests",
			r.Matched, r.EscalatedUnresolved, r.ExpiredUnescalated, r.Open, got, r.Requests)
	}
	if r.Open != 0 || r.OffersByStatus[domain.OfferPending] != 0 {
		t.Errorf("the run ended with %d requests open and %d offers pending", r.Open, r.OffersByStatus[domain.OfferPending])
	}
	if r.ExpiredUnescalated != 0 {
		t.Errorf("%d requests expired without being escalated at their start", r.ExpiredUnescalated)
	}
	sum := 0
	for _, n := range r.OffersByStatus {
		sum += n
	}
	if sum != r.Offers || r.OffersByStatus[domain.OfferAccepted] != r.Matched {
		t.Errorf("offers by status %v add up to %d of %d; accepted %d, matched %d", r.OffersByStatus, sum, r.Offers,
			r.OffersByStatus[domain.OfferAccepted], r.Matched)
	}
	if r.Gini < 0 || r.Gini > 1 {
		t.Errorf("Gini %f outside [0, 1]", r.Gini)
	}
	if r.Offered > r.Available || r.Available > r.ActiveVolunteers || r.OfferedShare <= 0 || r.OfferedShare > 1 {
		t.Errorf("offered %d of %d available of %d active", r.Offered, r.Available, r.ActiveVolunteers)
	}
	escalated := 0
	for _, n := range r.Escalations {
		escalated += n
	}
	if escalated != r.EscalatedUnresolved+r.MatchedAfterEscalation {
		t.Errorf("escalations %v, want %d unresolved + %d matched after", r.Escalations, r.EscalatedUnresolved, r.MatchedAfterEscalation)
	}
	matched := 0
	for _, a := range r.Acceptance {
		matched += a.Matched
		if !(0 <= a.Median && a.Median <= a.P90 && a.P90 <= a.P99) {
			t.Errorf("%s: median %.1f, p90 %.1f, p99 %.1f out of order", a.Urgency, a.Median, a.P90, a.P99)
		}
	}
	if matched != r.Matched || r.MatchedShare < 0.9 {
		t.Errorf("matched %d by urgency, %d in all (%.3f)", matched, r.Matched, r.MatchedShare)
	}
	if r.VolunteerHours <= 0 || r.Pairings == 0 || r.Pairings > r.Matched {
		t.Errorf("%.0f volunteer hours, %d pairings for %d matched", r.VolunteerHours, r.Pairings, r.Matched)
	}
}

// Every volunteer says yes at once: a request with anyone to ask is matched in its first round; the rest had
// nobody (nobody else is escalated).
func TestEveryoneAccepts(t *testing.T) {
	p := smallCity()
	for _, u := range domain.Urgencies {
		p.Response.Accept[u], p.Response.DelayMedianMinutes[u] = 1, 1
	}
	p.Response.AcceptPaired, p.Response.DistanceHalfKm, p.Response.LoadPenalty, p.Response.DelaySigma = 1, 0, 0, 0
	p.Response.NightFactor = 1
	r := run(t, 3, p, nil)
	if r.FirstRoundWins != r.Matched {
		t.Errorf("%d of %d matched in their first round", r.FirstRoundWins, r.Matched)
	}
	if r.Matched+r.Escalations[domain.EscalationNoCandidates] != r.Requests || r.Escalations[domain.EscalationWindowStarted] != 0 {
		t.Errorf("matched %d, escalations %v, of %d requests", r.Matched, r.Escalations, r.Requests)
	}
	if r.MatchedShare < 0.95 {
		t.Errorf("matched only %.3f with everyone saying yes", r.MatchedShare)
	}
	for _, a := range r.Acceptance {
		if a.Matched > 0 && a.P99 > 1.01 {
			t.Errorf("%s: p99 %.2f minutes with every answer after a minute", a.Urgency, a.P99)
		}
	}
}

// Nobody ever says yes: nothing is matched, everything goes to the coordinators.
func TestNobodyAccepts(t *testing.T) {
	p := smallCity()
	for _, u := range domain.Urgencies {
		p.Response.Accept[u] = 0
	}
	p.Response.AcceptPaired = 0
	r := run(t, 3, p, nil)
	if r.Matched != 0 || r.EscalatedUnresolved != r.Requests || r.Pairings != 0 || r.VolunteerHours != 0 {
		t.Errorf("matched %d, escalated %d of %d, %d pairings", r.Matched, r.EscalatedUnresolved, r.Requests, r.Pairings)
	}
	if r.Escalations[domain.EscalationWindowStarted] == 0 || r.Escalations[domain.EscalationNoCandidates] == 0 {
		t.Errorf("escalations %v: want both reasons (rounds run out before the start, and the pools run dry)", r.Escalations)
	}
}

// Bulk assignment in the week: the scheduled part is proposed at the planning hour, program by program, by the
// dispatch board's minimum-cost assignment, and each proposal is offered alone. Every proposal the simulation is
// given keeps the hard rules, the figures still add up, and they differ from one-by-one dispatch.
func TestBulkAssignment(t *testing.T) {
	one := run(t, 5, smallCity(), nil)
	calls := 0
	checked := AssignerFunc(func(in domain.BulkInput) []int64 {
		calls++
		p := domain.ProposeAssignment(in)
		if broken := domain.CheckProposal(in, p); broken != "" {
			t.Fatalf("planning at %s: the proposal breaks a rule: %s", in.Now, broken)
		}
		for _, r := range in.Requests {
			if r.Urgency != domain.UrgencyNormal || !domain.Today(r.Match.Occurrences[0].Start).Equal(domain.Today(in.Now).AddDate(0, 0, 1)) {
				t.Fatalf("planning at %s: request %d (%s, %s) is not tomorrow's scheduled help", in.Now, r.ID, r.Urgency, r.Match.Occurrences[0].Start)
			}
			if len(r.Candidates) > smallCity().Bulk.Candidates {
				t.Fatalf("request %d: %d candidates, more than the limit", r.ID, len(r.Candidates))
			}
		}
		return MinCostAssigner(in)
	})
	bulk := run(t, 5, smallCity(), checked)
	if calls == 0 || bulk.Scheduled.Proposed == 0 || one.Scheduled.Proposed != 0 {
		t.Fatalf("%d calls, %d proposed (one by one: %d)", calls, bulk.Scheduled.Proposed, one.Scheduled.Proposed)
	}
	if bulk.Requests != one.Requests || bulk.Scheduled.Requests != one.Scheduled.Requests {
		t.Fatalf("the same seed drew different weeks: %d/%d requests", bulk.Requests, one.Requests)
	}
	if got := bulk.Matched + bulk.EscalatedUnresolved + bulk.ExpiredUnescalated + bulk.Open; got != bulk.Requests {
		t.Errorf("bulk: outcomes add up to %d of %d", got, bulk.Requests)
	}
	if reflect.DeepEqual(one.Scheduled, bulk.Scheduled) {
		t.Errorf("bulk and one-by-one gave the same scheduled figures: %+v", one.Scheduled)
	}
	if again := run(t, 5, smallCity(), MinCostAssigner); !reflect.DeepEqual(again, bulk) {
		t.Errorf("the bulk week is not the same for the same seed")
	}
	t.Logf("scheduled part, one by one: %+v", one.Scheduled)
	t.Logf("scheduled part, bulk: %+v", bulk.Scheduled)
}

func TestParamsFileOverridesDefaults(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "params*.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"staff": 300, "dispatch": {"daily_cap": 2}}`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p, err := LoadParams(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if p.Staff != 300 || p.Volunteers != 60000 || p.Dispatch.DailyCap != 2 || p.Dispatch.Offers[domain.UrgencyEmergency] != 5 {
		t.Errorf("staff %d, volunteers %d, daily cap %d, emergency offers %d", p.Staff, p.Volunteers, p.Dispatch.DailyCap,
			p.Dispatch.Offers[domain.UrgencyEmergency])
	}
	if err := os.WriteFile(f.Name(), []byte(`{"demand": {"teleportation": {}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadParams(f.Name()); err == nil {
		t.Error("an unknown category was accepted")
	}
}

// BenchmarkCityWeek is the full city week of `guanai simulate --seed 1` (run by hand: go test -run '^$' -bench
// CityWeek -benchtime 1x ./app/simulate); it logs the figures the targets are about.
func BenchmarkCityWeek(b *testing.B) {
	for b.Loop() {
		started := time.Now()
		r := run(b, 1, Defaults(), nil)
		b.Logf("%s: %d requests, matched %.2f %%, emergency median %.1f min, offered %.1f %% of %d available, Gini %.3f",
			time.Since(started).Round(100*time.Millisecond), r.Requests, 100*r.MatchedShare, r.Acceptance[0].Median,
			100*r.OfferedShare, r.Available, r.Gini)
	}
}

// BenchmarkCityWeekBulk is the same week with the scheduled part proposed in bulk (the second run of `guanai
// simulate`): go test -run '^$' -bench CityWeekBulk -benchtime 1x ./app/simulate.
func BenchmarkCityWeekBulk(b *testing.B) {
	for b.Loop() {
		started := time.Now()
		r := run(b, 1, Defaults(), MinCostAssigner)
		b.Logf("%s: scheduled part matched %.2f %%, %d proposed, offered %.1f %%", time.Since(started).Round(100*time.Millisecond),
			100*r.Scheduled.MatchedShare, r.Scheduled.Proposed, 100*r.OfferedShare)
	}
}

// The first look of rank (her paired volunteers and those based in her district) must choose exactly the round
// the whole pool's ranking would: checked for every request of a small city's week, halfway through it (with
// pairings, loads, ratings and offers under way).
func TestNarrowRankChoosesAsTheWholePool(t *testing.T) {
	o := Options{Seed: 9, Params: smallCity(), Days: 7}
	o.Params.Days = 7
	s := newSim(o)
	if _, err := s.run(context.Background(), func(string, int, int) {}, 9); err != nil {
		t.Fatal(err)
	}
	// replay the week's ranking questions against the state the week ended in, at each request's submission
	checked := 0
	for _, r := range s.reqs {
		s.now = r.submitted.Add(time.Minute)
		a, _ := s.chooseRound(r)
		a = slices.Clone(a)
		k := s.p.Bulk.Candidates // the bulk proposal's candidates come from the first look too
		best := slices.Clone(s.rank(r, k))
		whole := s.rank(r, 0)
		if n := min(k, len(whole)); !reflect.DeepEqual(best[:min(n, len(best))], whole[:n]) {
			t.Fatalf("request of %s in %s: the first look's best %d differ from the whole pool's", r.cat.Code, r.match.District, k)
		}
		b, _ := domain.NextRound(whole, s.settings, r.urgency)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("request of %s in %s: the first look offers %+v, the whole pool %+v", r.cat.Code, r.match.District, a, b)
		}
		checked += len(a)
	}
	if checked < len(s.reqs) {
		t.Fatalf("only %d offers chosen for %d requests: the comparison compared nothing", checked, len(s.reqs))
	}
}
