package repository_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// tomorrowRide is a ride tomorrow morning between two times, in a district.
func tomorrowRide(urgency, from, to, district string) domain.RequestForm {
	f := ride(urgency, 1)
	f.From, f.To, f.District = from, to, district
	return f
}

// tomorrowMorning is the period a coordinator plans: tomorrow 06:00–10:00.
func tomorrowMorning() domain.AssignmentForm {
	f := domain.DefaultAssignmentForm(careStart)
	f.Program = "one_to_one"
	return f
}

// proposalPairs is a kept proposal as request → volunteer (0 for unmatched).
func (w careWorld) proposalPairs(t *testing.T, id int64) map[int64]int64 {
	t.Helper()
	p, err := w.s.AssignmentProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, r := range p.Rows {
		out[r.RequestID] = 0
		if r.VolunteerID != nil {
			out[r.RequestID] = *r.VolunteerID
		}
	}
	return out
}

func TestHeldRidesAreProposedTogetherAndOfferedOnceEach(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "plan_hours", 12)
	// v1 serves 西湖 and 拱墅, v2 only 西湖: one by one, the urgent ride in 西湖 goes to v1 (the lower id among
	// equals) and the ride in 拱墅, at the same time, finds nobody; together both go.
	v1 := w.makeVolunteers(t, 1, volunteerFacts{districts: []string{"xihu", "gongshu"}, quals: []string{domain.QualDriver}})[0]
	v2 := w.drivers(t, 1)[0]
	a := w.submit(t, tomorrowRide(domain.UrgencyUrgent, "07:00", "08:00", "xihu"))
	b := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:30", "08:30", "gongshu"))
	for _, id := range []int64{a, b} {
		if s, r := w.requestState(t, id); s != domain.RequestSubmitted || r != 0 || len(w.offers(t, id)) != 0 {
			t.Fatalf("request %d is %s round %d with offers %v: want held for the plan", id, s, r, w.offers(t, id))
		}
	}

	pid, err := w.s.ProposeAssignment(ctx, w.coordinator, tomorrowMorning())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.proposalPairs(t, pid), map[int64]int64{a: v2.UserID, b: v1.UserID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("proposal %v, want %v", got, want)
	}
	if len(w.offers(t, a))+len(w.offers(t, b)) != 0 {
		t.Fatal("proposing sent offers")
	}

	res, err := w.s.ConfirmAssignment(ctx, w.coordinator, pid, []int64{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if res != (repository.AssignmentResult{Sent: 2}) {
		t.Fatalf("confirmation %+v, want 2 sent", res)
	}
	for id, v := range map[int64]repository.Actor{a: v2, b: v1} {
		offers := w.offers(t, id)
		if len(offers) != 1 || offers[v.UserID].status != domain.OfferPending {
			t.Fatalf("request %d offers %v: want one, pending, to volunteer %d", id, offers, v.UserID)
		}
		if s, r := w.requestState(t, id); s != domain.RequestDispatching || r != 1 {
			t.Errorf("request %d is %s round %d, want dispatching round 1", id, s, r)
		}
	}
	if n := w.scalar(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND reasons LIKE 'bulk|%'", a); n != 1 {
		t.Error("the offer does not carry the proposal's reasons")
	}
	// the urgent offer lasts the urgent 30 minutes
	if n := w.scalar(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND expires_at = created_at + interval '30 minutes'", a); n != 1 {
		t.Error("the offer does not last its urgency's lifetime")
	}
	if n := w.scalar(t, "SELECT count(*) FROM audit_events WHERE action = 'request.bulk_confirm' AND subject_id = $1", pid); n != 1 {
		t.Errorf("%d confirmation audit events, want 1", n)
	}
	if _, err := w.s.ConfirmAssignment(ctx, w.coordinator, pid, []int64{a, b}); !errors.Is(err, domain.ErrAssignmentConfirmed) {
		t.Fatalf("second confirmation: %v, want refused", err)
	}

	// v2 says no: ordinary rounds follow, to whoever is left (v1 serves 西湖 too)
	if err := w.s.DeclineOffer(ctx, v2, w.offerOf(t, a, v2).id, ""); err != nil {
		t.Fatal(err)
	}
	if s, r := w.requestState(t, a); s != domain.RequestDispatching || r != 2 || w.offerOf(t, a, v1).status != domain.OfferPending {
		t.Fatalf("after the decline: %s round %d, offers %v; want round 2 to v1", s, r, w.offers(t, a))
	}
}

func TestConfirmationSkipsWhatMovedOnAndKeepsWhatWasDropped(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "plan_hours", 12)
	w.drivers(t, 3)
	cancelled := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu"))
	suspended := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu"))
	dropped := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu"))
	late := w.submit(t, tomorrowRide(domain.UrgencyNormal, "11:00", "12:00", "xihu")) // outside the period

	pid, err := w.s.ProposeAssignment(ctx, w.coordinator, tomorrowMorning())
	if err != nil {
		t.Fatal(err)
	}
	pairs := w.proposalPairs(t, pid)
	if _, ok := pairs[late]; ok || len(pairs) != 3 {
		t.Fatalf("proposal %v: want the three rides of the period", pairs)
	}
	if err := w.s.CancelRequest(ctx, w.staff, cancelled, "不需要了"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SQL().ExecContext(ctx, "UPDATE users SET status = 'suspended' WHERE id = $1", pairs[suspended]); err != nil {
		t.Fatal(err)
	}
	res, err := w.s.ConfirmAssignment(ctx, w.coordinator, pid, []int64{cancelled, suspended})
	if err != nil {
		t.Fatal(err)
	}
	if res != (repository.AssignmentResult{Dropped: 1, Skipped: 2}) {
		t.Fatalf("confirmation %+v, want 1 dropped and 2 skipped", res)
	}
	p, err := w.s.AssignmentProposal(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	why := map[int64]string{}
	for _, r := range p.Rows {
		why[r.RequestID] = *r.Outcome + " " + r.SkipReason
	}
	want := map[int64]string{cancelled: "skipped moved_on", suspended: "skipped fits:inactive", dropped: "dropped "}
	if fmt.Sprint(why) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", why, want)
	}
	if s, r := w.requestState(t, dropped); s != domain.RequestSubmitted || r != 0 {
		t.Errorf("the dropped ride is %s round %d: want still held for the plan", s, r)
	}
	if n := w.scalar(t, "SELECT count(*) FROM care_offers"); n != 0 {
		t.Errorf("%d offers sent, want none", n)
	}
}

func TestHeldRequestGoesToOrdinaryDispatchWhenThePlanIsDue(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "plan_hours", 12)
	w.drivers(t, 4)
	startJobs(t, w.s, repository.JobOptions{})
	id := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu"))
	now := w.submit(t, ride(domain.UrgencyNormal, 0)) // today 10:00: too soon to hold
	if s, _ := w.requestState(t, now); s != domain.RequestDispatching {
		t.Fatalf("a ride in two hours is %s, want dispatched at once", s)
	}
	// tomorrow 07:00 less 12 hours: today 19:00
	w.clock.Set(time.Date(2026, 12, 7, 19, 0, 1, 0, domain.Shanghai))
	w.waitState(t, id, domain.RequestDispatching, 1)
	if got := countStatus(w.offers(t, id), domain.OfferPending); got != 3 {
		t.Errorf("%d offers after the plan was due, want the normal round's 3", got)
	}
}

func TestProposeRefusesBadPeriodAndProgram(t *testing.T) {
	w := newCareWorld(t)
	f := tomorrowMorning()
	f.From, f.To = "10:00", "06:00"
	var fe domain.FieldErrors
	if _, err := w.s.ProposeAssignment(ctx, w.coordinator, f); !errors.As(err, &fe) || fe["to"] == "" {
		t.Errorf("a period ending before it starts: %v", err)
	}
	f = tomorrowMorning()
	f.Program = "child_classes" // a benefit program: nothing to dispatch
	if _, err := w.s.ProposeAssignment(ctx, w.coordinator, f); !errors.As(err, &fe) || fe["program"] == "" {
		t.Errorf("a benefit program: %v", err)
	}
}

// Confirming while the staff member cancels one ride and a coordinator assigns another by hand: whatever the order,
// no request ends up with an offer it should not have, and the proposal's record says what happened.
func TestConfirmRacingCancelAndHandAssignmentStaysConsistent(t *testing.T) {
	for round := range 6 {
		w := newCareWorld(t)
		w.setProgram(t, "plan_hours", 12)
		drivers := w.drivers(t, 3)
		cancelled := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu"))
		assigned := w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu"))
		pid, err := w.s.ProposeAssignment(ctx, w.coordinator, tomorrowMorning())
		if err != nil {
			t.Fatal(err)
		}
		byHand := drivers[2]
		var wg sync.WaitGroup
		errs := make([]error, 3)
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, errs[0] = w.s.ConfirmAssignment(ctx, w.coordinator, pid, []int64{cancelled, assigned})
		}()
		go func() { defer wg.Done(); errs[1] = w.s.CancelRequest(ctx, w.staff, cancelled, "不需要了") }()
		go func() { defer wg.Done(); errs[2] = w.s.AssignByHand(ctx, w.coordinator, assigned, byHand.UserID, "") }()
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: operation %d: %v", round, i, err)
			}
		}
		if s, _ := w.requestState(t, cancelled); s != domain.RequestCancelled {
			t.Fatalf("round %d: cancelled ride is %s", round, s)
		}
		if n := w.scalar(t, "SELECT count(*) FROM care_offers WHERE status = 'pending' AND request_id = $1", cancelled); n != 0 {
			t.Errorf("round %d: the cancelled ride has %d offers pending", round, n)
		}
		// a bulk offer out first is withdrawn by the hand assignment; one confirmed after it is skipped
		status, _ := w.requestState(t, assigned)
		pending := w.scalar(t, "SELECT count(*) FROM care_offers WHERE status = 'pending' AND request_id = $1", assigned)
		if status != domain.RequestMatched || pending != 0 {
			t.Errorf("round %d: assigned by hand but %s with %d offers pending", round, status, pending)
		}
		p, err := w.s.AssignmentProposal(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		var outcomes []string
		for _, r := range p.Rows {
			outcomes = append(outcomes, *r.Outcome+" "+r.SkipReason)
			bulk := w.scalar(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND reasons LIKE 'bulk|%'", r.RequestID)
			if (*r.Outcome == repository.OutcomeSent) != (bulk == 1) || bulk > 1 {
				t.Errorf("round %d: request %d outcome %s %s with %d bulk offers", round, r.RequestID, *r.Outcome, r.SkipReason, bulk)
			}
			if *r.Outcome == repository.OutcomeSkipped && !strings.HasPrefix(r.SkipReason, repository.SkipMovedOn) {
				t.Errorf("round %d: request %d skipped as %q", round, r.RequestID, r.SkipReason)
			}
		}
		t.Logf("round %d: %v", round, outcomes)
	}
}

// A proposal loads the candidates of a morning's rides with one query per district and slots, not one per ride:
// who passes is the same as for one-by-one dispatch, with the conditions about her (a full volunteer paired with
// her, a pair refused) kept per ride.
func TestSharedCandidateQueryAgreesWithDispatch(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "plan_hours", 12)
	drivers := w.drivers(t, 4)
	u := verifiedStaff(t, w.s, "王医生", "13900000102", false)
	other := repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "test"}
	ids := []int64{
		w.submit(t, tomorrowRide(domain.UrgencyNormal, "07:00", "08:00", "xihu")),
		w.submitAs(t, other, tomorrowRide(domain.UrgencyNormal, "07:30", "08:30", "xihu")),
		w.submit(t, tomorrowRide(domain.UrgencyNormal, "08:00", "09:00", "gongshu")), // nobody serves 拱墅
	}
	// drivers[0] is full but paired with her; drivers[1] and the other staff member said "don't pair us again"
	if _, err := w.s.SQL().ExecContext(ctx, `INSERT INTO pairings (staff_id, volunteer_id, program_id, status, started_at)
		SELECT $1, $2, id, 'active', now() FROM programs WHERE code = 'one_to_one'`, w.staff.UserID, drivers[0].UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SQL().ExecContext(ctx, `UPDATE volunteer_profiles SET active_pairings = capacity WHERE user_id = $1`, drivers[0].UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SQL().ExecContext(ctx, `INSERT INTO pairings (staff_id, volunteer_id, program_id, status, started_at,
		ended_at, no_repeat) SELECT $1, $2, id, 'ended', now(), now(), true FROM programs WHERE code = 'one_to_one'`,
		other.UserID, drivers[1].UserID); err != nil {
		t.Fatal(err)
	}
	alone, shared, err := w.s.PassingCandidates(ctx, ids, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(alone) != fmt.Sprint(shared) {
		t.Fatalf("one by one %v, shared %v", alone, shared)
	}
	if !slices.Contains(alone[0], drivers[0].UserID) || slices.Contains(alone[1], drivers[0].UserID) ||
		slices.Contains(alone[1], drivers[1].UserID) || len(alone[2]) != 0 {
		t.Errorf("passing %v: want her full paired volunteer for her only, the refused pair left out", alone)
	}
}
