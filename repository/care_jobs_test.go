package repository_test

import (
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// Dispatch's time-based work driven by River itself: the test moves the store's clock (which River reads too) and
// waits for the jobs to act. River's scheduler looks every few seconds, so each step waits that long at most.

const jobWait = 30 * time.Second

func (w careWorld) waitState(t *testing.T, id int64, status string, round int) {
	t.Helper()
	waitFor(t, jobWait, status, func() bool {
		s, r := w.requestState(t, id)
		return s == status && (round == 0 || r == round)
	})
}

func TestUnansweredRoundsCascadeThenReachTheCoordinator(t *testing.T) {
	w := newCareWorld(t)
	w.drivers(t, 7)
	startJobs(t, w.s, repository.JobOptions{})
	id := w.submit(t, ride(domain.UrgencyEmergency, 0)) // 10:00 today; emergency offers last 10 minutes
	if got := countStatus(w.offers(t, id), domain.OfferPending); got != 5 {
		t.Fatalf("first emergency round: %d offers, want 5", got)
	}

	w.clock.Advance(10*time.Minute + time.Second)
	w.waitState(t, id, domain.RequestDispatching, 2)
	offers := w.offers(t, id)
	if countStatus(offers, domain.OfferExpired) != 5 || countStatus(offers, domain.OfferPending) != 2 {
		t.Fatalf("after the first round expired: %v, want 5 expired and the 2 drivers left asked", offers)
	}

	w.clock.Advance(10*time.Minute + time.Second)
	w.waitState(t, id, domain.RequestEscalated, 0)
	if n := w.scalar(t, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'escalated'", w.coordinator.UserID); n != 1 {
		t.Errorf("coordinator notified %d times, want once", n)
	}
	if n := w.scalar(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND status = 'pending'", id); n != 0 {
		t.Errorf("%d offers still pending after every round expired", n)
	}
}

func TestWindowStartEscalatesAndWindowEndExpires(t *testing.T) {
	w := newCareWorld(t)
	w.drivers(t, 3)
	startJobs(t, w.s, repository.JobOptions{})
	f := ride(domain.UrgencyNormal, 0)
	f.From, f.To = "09:00", "10:00" // starts in an hour: the normal round's 2 hours are cut to it
	id := w.submit(t, f)
	w.clock.Set(careStart.Add(time.Hour))
	w.waitState(t, id, domain.RequestEscalated, 0)
	w.clock.Set(careStart.Add(2 * time.Hour))
	w.waitState(t, id, domain.RequestExpired, 0)
}

func TestExpiryJobRunsAfterTheProcessDied(t *testing.T) {
	url := testdb.URL(t)
	clock := testdb.NewClock(careStart)
	first, err := repository.Open(ctx, url, repository.Options{IDKey: []byte("test-id-key"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	w := careWorldOn(t, first, clock)
	w.drivers(t, 6)
	id := w.submit(t, ride(domain.UrgencyUrgent, 0))
	first.Close() // the process dies with no job worker having run

	second, err := repository.Open(ctx, url, repository.Options{IDKey: []byte("test-id-key"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	w.s = second
	clock.Advance(30*time.Minute + time.Second)
	startJobs(t, second, repository.JobOptions{})
	w.waitState(t, id, domain.RequestDispatching, 2)
}

func TestServiceConfirmsItselfAfter72Hours(t *testing.T) {
	w := newCareWorld(t)
	v := w.drivers(t, 1)[0]
	startJobs(t, w.s, repository.JobOptions{})
	id := w.submit(t, ride(domain.UrgencyNormal, 0))
	w.accept(t, v, w.offerOf(t, id, v).id)
	w.clock.Set(careStart.Add(2 * time.Hour))
	w.serve(t, v, id)
	w.clock.Advance(71 * time.Hour)
	time.Sleep(6 * time.Second) // a scheduler pass: nothing is due yet
	if n := w.scalar(t, "SELECT count(*) FROM care_services WHERE status = 'confirmed'"); n != 0 {
		t.Fatal("confirmed before 72 hours")
	}
	w.clock.Advance(time.Hour)
	waitFor(t, jobWait, "auto-confirmation", func() bool {
		return w.scalar(t, "SELECT count(*) FROM care_services WHERE status = 'confirmed' AND confirmed_by = 'auto'") == 1
	})
	if n := w.scalar(t, "SELECT confirmed_minutes FROM volunteer_profiles WHERE user_id = $1", v.UserID); n != 60 {
		t.Errorf("confirmed minutes %d, want 60", n)
	}
}

// TestEndedPairingsRequestGoesOutAgain: she ends the pairing before the ride; the request goes back out, without
// that volunteer, and the volunteer can no longer check in.
func TestEndedPairingsRequestGoesOutAgain(t *testing.T) {
	w := newCareWorld(t)
	vols := w.drivers(t, 5) // three asked in the first round, two never
	id := w.submit(t, ride(domain.UrgencyNormal, 1))
	for v := range w.offers(t, id) {
		vols[0].UserID = v
		break
	}
	w.accept(t, vols[0], w.offerOf(t, id, vols[0]).id)
	pairing := w.scalar(t, "SELECT id FROM pairings WHERE volunteer_id = $1", vols[0].UserID)
	if err := w.s.EndPairing(ctx, w.staff, pairing, "换一位", false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CheckIn(ctx, vols[0], id); err == nil {
		t.Error("the volunteer of an ended pairing checked in")
	}
	if n := w.scalar(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND status = 'pending'", id); n != 2 {
		t.Errorf("%d offers out after the pairing ended, want the two drivers not asked before", n)
	}
	if o := w.offers(t, id)[vols[0].UserID]; o.status == domain.OfferPending {
		t.Error("offered again to the volunteer whose pairing ended")
	}
}
