package repository_test

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func TestSubmittedRideGoesToTheTopThreeDrivers(t *testing.T) {
	w := newCareWorld(t)
	w.drivers(t, 5)
	w.makeVolunteers(t, 3, volunteerFacts{quals: []string{domain.QualErrands}}) // no car: never offered a ride
	id := w.submit(t, ride(domain.UrgencyNormal, 0))

	status, round := w.requestState(t, id)
	if status != domain.RequestDispatching || round != 1 {
		t.Fatalf("request is %s in round %d, want dispatching in round 1", status, round)
	}
	offers := w.offers(t, id)
	if len(offers) != 3 || countStatus(offers, domain.OfferPending) != 3 {
		t.Fatalf("offers %v: want 3 pending (the normal round)", offers)
	}
	if n := w.scalar(t, "SELECT count(*) FROM notifications WHERE request_id = $1 AND kind = 'offer'", id); n != 3 {
		t.Errorf("%d offer notifications, want 3", n)
	}
	if n := w.scalar(t, "SELECT count(*) FROM river_job WHERE kind = 'care_offer_round'"); n != 1 {
		t.Errorf("%d expiry jobs, want the round's one, queued with its offers", n)
	}
	if n := w.scalar(t, "SELECT count(*) FROM care_events WHERE request_id = $1 AND kind IN ('submitted', 'offered')", id); n != 2 {
		t.Errorf("timeline has %d of submitted/offered, want both", n)
	}
}

func TestFiftyVolunteersAcceptAtOnce(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "offers_emergency", 50)
	vols := w.drivers(t, 50)
	id := w.submit(t, ride(domain.UrgencyEmergency, 0))
	offers := w.offers(t, id)
	if len(offers) != 50 {
		t.Fatalf("%d offers, want 50", len(offers))
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	won, taken := 0, 0
	start := make(chan struct{})
	for _, v := range vols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := w.s.AcceptOffer(ctx, v, offers[v.UserID].id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case isGone(err, "taken"):
				taken++
			default:
				t.Errorf("accept: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won != 1 || taken != 49 {
		t.Fatalf("%d won and %d were told it is taken, want 1 and 49", won, taken)
	}
	offers = w.offers(t, id)
	if countStatus(offers, domain.OfferAccepted) != 1 || countStatus(offers, domain.OfferWithdrawn) != 49 {
		t.Errorf("offers after the race: %v", offers)
	}
	if n := w.scalar(t, "SELECT count(*) FROM pairings"); n != 1 {
		t.Errorf("%d pairings, want exactly one", n)
	}
	if n := w.scalar(t, "SELECT count(*) FROM notifications WHERE request_id = $1 AND kind = 'taken'", id); n != 49 {
		t.Errorf("%d told it is taken, want 49", n)
	}
	if n := w.scalar(t, "SELECT sum(active_pairings) FROM volunteer_profiles"); n != 1 {
		t.Errorf("active pairings counted %d, want 1", n)
	}
}

func TestCancelRacingAcceptLeavesOneConsistentState(t *testing.T) {
	w := newCareWorld(t)
	vols := w.drivers(t, 3)
	w.setProgram(t, "daily_offer_cap", 100)
	for i := range 8 {
		id := w.submit(t, ride(domain.UrgencyUrgent, i%3))
		v := vols[0]
		o, ok := w.offers(t, id)[v.UserID]
		if !ok {
			// the first driver is busy with an earlier accepted ride; take whoever was offered
			for vid, oi := range w.offers(t, id) {
				o = oi
				for _, x := range vols {
					if x.UserID == vid {
						v = x
					}
				}
				break
			}
		}
		var wg sync.WaitGroup
		var acceptErr, cancelErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, acceptErr = w.s.AcceptOffer(ctx, v, o.id) }()
		go func() { defer wg.Done(); cancelErr = w.s.CancelRequest(ctx, w.staff, id, "不需要了") }()
		wg.Wait()
		if cancelErr != nil {
			t.Fatalf("cancel (allowed before completion either way): %v", cancelErr)
		}
		status, _ := w.requestState(t, id)
		offers := w.offers(t, id)
		if status != domain.RequestCancelled || countStatus(offers, domain.OfferPending) != 0 {
			t.Fatalf("after the race: %s with offers %v, want cancelled with none pending", status, offers)
		}
		switch {
		case acceptErr == nil: // accepted first, then cancelled: the volunteer was told
			if countStatus(offers, domain.OfferAccepted) != 1 ||
				w.scalar(t, "SELECT count(*) FROM notifications WHERE request_id = $1 AND kind = 'cancelled'", id) != 1 {
				t.Errorf("accept won, then cancel: offers %v, want one accepted and the volunteer told", offers)
			}
		case isGone(acceptErr, "ended"):
			if countStatus(offers, domain.OfferAccepted) != 0 {
				t.Errorf("cancel won but an offer is accepted: %v", offers)
			}
		default:
			t.Fatalf("accept: %v", acceptErr)
		}
	}
}

func TestDeclinedRoundGoesOnAndThenEscalates(t *testing.T) {
	w := newCareWorld(t)
	vols := w.drivers(t, 4)
	id := w.submit(t, ride(domain.UrgencyNormal, 1))
	declineAll := func() { // the offers pending now; a round they set off is declined by the next call
		pending := w.offers(t, id)
		for _, v := range vols {
			if o, ok := pending[v.UserID]; ok && o.status == domain.OfferPending {
				if err := w.s.DeclineOffer(ctx, v, o.id, "没空"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	declineAll()
	if status, round := w.requestState(t, id); status != domain.RequestDispatching || round != 2 {
		t.Fatalf("after three declines: %s round %d, want the next round at once", status, round)
	}
	if got := countStatus(w.offers(t, id), domain.OfferPending); got != 1 {
		t.Fatalf("round 2 offers %d, want the one driver left", got)
	}
	declineAll()
	if status, _ := w.requestState(t, id); status != domain.RequestEscalated {
		t.Fatalf("nobody left: %s, want escalated", status)
	}
	if n := w.scalar(t, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'escalated'", w.coordinator.UserID); n != 1 {
		t.Errorf("coordinator told %d times, want once", n)
	}
}

func TestEmergencyWithNoQualifiedVolunteerReachesCoordinatorAtOnce(t *testing.T) {
	w := newCareWorld(t)
	w.makeVolunteers(t, 5, volunteerFacts{quals: []string{domain.QualErrands}})
	id := w.submit(t, ride(domain.UrgencyEmergency, 0))
	if status, _ := w.requestState(t, id); status != domain.RequestEscalated {
		t.Fatalf("status %s, want escalated on submission", status)
	}
	if n := w.scalar(t, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'escalated' AND request_id = $2",
		w.coordinator.UserID, id); n != 1 {
		t.Errorf("coordinator notified %d times, want once", n)
	}
}

func TestPairedVolunteerIsAskedAloneFirst(t *testing.T) {
	w := newCareWorld(t)
	vols := w.drivers(t, 4)
	first := w.submit(t, ride(domain.UrgencyNormal, 0))
	helper := w.firstOffered(t, first, vols)
	w.accept(t, helper, w.offerOf(t, first, helper).id)

	second := w.submit(t, ride(domain.UrgencyNormal, 2))
	offers := w.offers(t, second)
	if len(offers) != 1 || offers[helper.UserID].status != domain.OfferPending {
		t.Fatalf("second request's offers %v, want her paired volunteer %d alone", offers, helper.UserID)
	}
	if err := w.s.DeclineOffer(ctx, helper, offers[helper.UserID].id, ""); err != nil {
		t.Fatal(err)
	}
	if got := countStatus(w.offers(t, second), domain.OfferPending); got != 3 {
		t.Errorf("after the paired volunteer declines, %d pending, want a full round of 3", got)
	}
	// the same pairing is reused by a second acceptance, not doubled
	w.accept(t, helper, w.offerOf(t, w.submit(t, ride(domain.UrgencyNormal, 3)), helper).id)
	if n := w.scalar(t, "SELECT count(*) FROM pairings WHERE volunteer_id = $1", helper.UserID); n != 1 {
		t.Errorf("%d pairings with the helper, want the one reused", n)
	}
}

func TestNoDoubleBooking(t *testing.T) {
	w := newCareWorld(t)
	v := w.drivers(t, 1)[0]
	other := verifiedStaff(t, w.s, "张医生", "13900000102", false)
	otherActor := repository.Actor{UserID: other.ID, Role: domain.RoleStaff, IP: "test"}
	a := w.submit(t, ride(domain.UrgencyNormal, 0))
	b := w.submitAs(t, otherActor, ride(domain.UrgencyNormal, 0)) // the same hour, offered before a is accepted
	w.accept(t, v, w.offerOf(t, a, v).id)
	if _, err := w.s.AcceptOffer(ctx, v, w.offerOf(t, b, v).id); !errors.Is(err, domain.ErrNoLongerFits) {
		t.Fatalf("accepting an overlapping second ride: %v, want ErrNoLongerFits", err)
	}
	// a third overlapping request is not even offered to them
	f := ride(domain.UrgencyNormal, 0)
	f.From, f.To = "10:30", "11:30"
	c := w.submitAs(t, otherActor, f)
	if _, ok := w.offers(t, c)[v.UserID]; ok {
		t.Error("an overlapping request was offered to a booked volunteer")
	}
	// touching ends are no overlap
	f.From, f.To = "11:00", "12:00"
	d := w.submitAs(t, otherActor, f)
	if _, ok := w.offers(t, d)[v.UserID]; !ok {
		t.Error("a ride starting as the booked one ends was not offered")
	}
}

func TestCapacityAndDailyCapAndNoRepeat(t *testing.T) {
	w := newCareWorld(t)
	v := w.makeVolunteers(t, 1, volunteerFacts{quals: []string{domain.QualDriver}, capacity: 1})[0]
	a := w.submit(t, ride(domain.UrgencyNormal, 0))
	w.accept(t, v, w.offerOf(t, a, v).id)

	other := verifiedStaff(t, w.s, "张医生", "13900000102", false)
	otherActor := repository.Actor{UserID: other.ID, Role: domain.RoleStaff, IP: "test"}
	if _, ok := w.offers(t, w.submitAs(t, otherActor, ride(domain.UrgencyNormal, 1)))[v.UserID]; ok {
		t.Error("a volunteer at capacity was offered another staff member's request")
	}
	if _, ok := w.offers(t, w.submit(t, ride(domain.UrgencyNormal, 1)))[v.UserID]; !ok {
		t.Error("at capacity, but her own paired volunteer should still be asked")
	}

	// the daily cap: two offers today at most
	w.setProgram(t, "daily_offer_cap", 2)
	fresh := w.drivers(t, 1)[0]
	third := verifiedStaff(t, w.s, "王护士", "13900000103", false)
	thirdActor := repository.Actor{UserID: third.ID, Role: domain.RoleStaff, IP: "test"}
	offered := 0
	for day := 2; day < 6; day++ {
		if _, ok := w.offers(t, w.submitAs(t, thirdActor, ride(domain.UrgencyNormal, day)))[fresh.UserID]; ok {
			offered++
		}
	}
	if offered != 2 {
		t.Errorf("a fresh volunteer got %d offers today, want the cap of 2", offered)
	}

	// "don't pair us again"
	var pairing int64
	if err := w.s.SQL().QueryRowContext(ctx, "SELECT id FROM pairings WHERE volunteer_id = $1", v.UserID).Scan(&pairing); err != nil {
		t.Fatal(err)
	}
	if err := w.s.EndPairing(ctx, w.staff, pairing, "时间总对不上", true); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(24 * time.Hour) // a new day: the cap is not what keeps them out
	if _, ok := w.offers(t, w.submit(t, ride(domain.UrgencyNormal, 8)))[v.UserID]; ok {
		t.Error("a pair ended with don't-pair-again was offered again")
	}
	if n := w.scalar(t, "SELECT active_pairings FROM volunteer_profiles WHERE user_id = $1", v.UserID); n != 0 {
		t.Errorf("active pairings %d after the end, want 0", n)
	}
}

func TestRecurringRequestIsOneRequestServedOccurrenceByOccurrence(t *testing.T) {
	w := newCareWorld(t)
	v := w.drivers(t, 1)[0]
	f := domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal, Recurring: true,
		Weekdays: []string{"mon", "wed", "fri"}, From: "10:00", To: "11:00",
		FirstDate: careStart.Format(time.DateOnly), LastDate: careStart.AddDate(0, 0, 11).Format(time.DateOnly),
		District: "xihu", Pickup: "家", Destination: "医院"}
	id := w.submit(t, f)
	if n := w.scalar(t, "SELECT count(*) FROM care_occurrences WHERE request_id = $1", id); n != 6 {
		t.Fatalf("%d occurrences, want 6 (Mon, Wed, Fri for two weeks)", n)
	}
	w.accept(t, v, w.offerOf(t, id, v).id)
	w.clock.Set(careStart.Add(2 * time.Hour))
	w.serve(t, v, id)
	if status, _ := w.requestState(t, id); status != domain.RequestMatched {
		t.Fatalf("after one of six: %s, want matched (waiting for the next)", status)
	}
	for _, day := range []int{2, 4, 7, 9, 11} {
		w.clock.Set(careStart.AddDate(0, 0, day).Add(2 * time.Hour))
		w.serve(t, v, id)
	}
	if status, _ := w.requestState(t, id); status != domain.RequestCompleted {
		t.Fatalf("after six of six: %s, want completed", status)
	}
	if err := w.s.CloseRequest(ctx, w.staff, id, 5, "准时，谢谢"); err != nil {
		t.Fatal(err)
	}
	if n := w.scalar(t, "SELECT confirmed_minutes FROM volunteer_profiles WHERE user_id = $1", v.UserID); n != 360 {
		t.Errorf("confirmed minutes %d, want 6 hours", n)
	}
	if n := w.scalar(t, "SELECT rating_sum * 10 / rating_count FROM volunteer_profiles WHERE user_id = $1", v.UserID); n != 50 {
		t.Errorf("rating ×10 = %d, want 50", n)
	}
}

func TestCheckInRules(t *testing.T) {
	w := newCareWorld(t)
	v := w.drivers(t, 1)[0]
	id := w.submit(t, ride(domain.UrgencyNormal, 1)) // tomorrow 10:00
	w.accept(t, v, w.offerOf(t, id, v).id)
	if _, err := w.s.CheckIn(ctx, v, id); !errors.Is(err, domain.ErrCheckInTooEarly) {
		t.Errorf("check in a day early: %v, want too early", err)
	}
	stranger := w.drivers(t, 1)[0]
	if _, err := w.s.CheckIn(ctx, stranger, id); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another volunteer checks in: %v, want not found", err)
	}
	w.clock.Set(careStart.AddDate(0, 0, 1).Add(time.Hour + 30*time.Minute)) // 09:30
	sv, err := w.s.CheckIn(ctx, v, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.CheckIn(ctx, v, id); !errors.Is(err, domain.ErrAlreadyCheckedIn) {
		t.Errorf("second check-in: %v", err)
	}
	if err := w.s.ConfirmService(ctx, w.staff, sv); !errors.Is(err, domain.ErrCareWrongState) {
		t.Errorf("confirming a service still running: %v", err)
	}
	if err := w.s.CheckOut(ctx, stranger, sv, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a stranger checks out: %v", err)
	}
	if err := w.s.CancelRequest(ctx, w.staff, id, ""); !hasField(err, "reason") {
		t.Errorf("cancel without a reason: %v", err)
	}
}

func hasField(err error, field string) bool {
	var fe domain.FieldErrors
	return errors.As(err, &fe) && fe[field] != ""
}

// TestDatabaseRefusesMovesDomainRefuses writes every state change of each machine straight to the database: the
// triggers allow exactly what domain allows, so a race that slipped past a check could not write a bad move.
func TestDatabaseRefusesMovesDomainRefuses(t *testing.T) {
	w := newCareWorld(t)
	v := w.drivers(t, 1)[0]
	id := w.submit(t, ride(domain.UrgencyNormal, 0))
	offer := w.offerOf(t, id, v).id
	w.accept(t, v, offer)
	service, err := w.s.CheckIn(ctx, v, id)
	if err != nil {
		t.Fatal(err)
	}
	pairing := w.scalar(t, "SELECT id FROM pairings")
	machines := []struct {
		table  string
		id     int64
		states []string
		can    func(from, to string) bool
	}{
		{"care_requests", id, domain.RequestStates, domain.CanMoveRequest},
		{"care_offers", offer, domain.OfferStates, domain.CanMoveOffer},
		{"pairings", pairing, domain.PairingStates, domain.CanMovePairing},
		{"care_services", service, domain.ServiceStates, domain.CanMoveService},
	}
	for _, m := range machines {
		for _, from := range m.states {
			for _, to := range m.states {
				if from == to {
					continue
				}
				t.Run(fmt.Sprintf("%s %s→%s", m.table, from, to), func(t *testing.T) {
					tx, err := w.s.SQL().BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					defer tx.Rollback()
					// put the row in `from` without the trigger, then try the move with it
					if _, err := tx.ExecContext(ctx, "ALTER TABLE "+m.table+" DISABLE TRIGGER USER"); err != nil {
						t.Fatal(err)
					}
					dropChecks(t, tx, m.table)
					if _, err := tx.ExecContext(ctx, "UPDATE "+m.table+" SET status = $1 WHERE id = $2", from, m.id); err != nil {
						t.Fatal(err)
					}
					if _, err := tx.ExecContext(ctx, "ALTER TABLE "+m.table+" ENABLE TRIGGER USER"); err != nil {
						t.Fatal(err)
					}
					_, err = tx.ExecContext(ctx, "UPDATE "+m.table+" SET status = $1 WHERE id = $2", to, m.id)
					if allowed := m.can(from, to); allowed != (err == nil) {
						t.Errorf("domain allows: %v; the database said %v", allowed, err)
					}
				})
			}
		}
	}
}

// dropChecks drops a table's CHECK constraints in the test's transaction (rolled back), so a row can be put in any
// state whatever its other columns say.
func dropChecks(t *testing.T, tx *sql.Tx, table string) {
	t.Helper()
	rows, err := tx.QueryContext(ctx, "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'", table)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+table+" DROP CONSTRAINT "+n); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRequestsSubmittedAtOnceDoNotDeadlock: ten staff members ask at the same moment and their rounds go to the
// same volunteers; every request is dispatched and each volunteer's offers are all counted.
func TestRequestsSubmittedAtOnceDoNotDeadlock(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "daily_offer_cap", 100)
	w.setProgram(t, "offers_normal", 6)
	w.drivers(t, 6)
	staff := make([]repository.Actor, 10)
	for i := range staff {
		u := verifiedStaff(t, w.s, fmt.Sprintf("护士%d", i), fmt.Sprintf("1390000020%d", i), false)
		staff[i] = repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "test"}
	}
	var wg sync.WaitGroup
	for i, st := range staff {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.s.SubmitRequest(ctx, st, "one_to_one", ride(domain.UrgencyNormal, i%3)); err != nil {
				t.Errorf("submit %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if n := w.scalar(t, "SELECT count(*) FROM care_offers"); n != 60 {
		t.Errorf("%d offers, want 6 for each of 10 requests", n)
	}
	if n := w.scalar(t, "SELECT sum(offers_that_day) FROM volunteer_profiles"); n != 60 {
		t.Errorf("offers counted %d on the volunteers, want 60", n)
	}
}

// TestPairingEndingWhileAnAcceptReusesIt: she ends her pairing as her volunteer accepts her next request; either
// the request is matched on a pairing still active, or it goes back out without them.
func TestPairingEndingWhileAnAcceptReusesIt(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "daily_offer_cap", 100)
	vols := w.drivers(t, 3)
	for i := range 6 {
		first := w.submit(t, ride(domain.UrgencyNormal, 2*i))
		v := vols[0]
		for _, x := range vols {
			if _, ok := w.offers(t, first)[x.UserID]; ok {
				v = x
				break
			}
		}
		w.accept(t, v, w.offerOf(t, first, v).id)
		if err := w.s.CancelRequest(ctx, w.staff, first, "改期"); err != nil {
			t.Fatal(err)
		}
		second := w.submit(t, ride(domain.UrgencyNormal, 2*i+1)) // offered to v alone: they are paired
		pairing := w.scalar(t, "SELECT id FROM pairings WHERE volunteer_id = $1 AND status = 'active'", v.UserID)
		var wg sync.WaitGroup
		var acceptErr, endErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, acceptErr = w.s.AcceptOffer(ctx, v, w.offerOf(t, second, v).id) }()
		go func() { defer wg.Done(); endErr = w.s.EndPairing(ctx, w.staff, pairing, "换一位", false) }()
		wg.Wait()
		if endErr != nil || acceptErr != nil {
			t.Fatalf("end: %v, accept: %v", endErr, acceptErr)
		}
		status, _ := w.requestState(t, second)
		onActive := w.scalar(t, `SELECT count(*) FROM care_requests r JOIN pairings p ON p.id = r.pairing_id
			WHERE r.id = $1 AND p.status = 'active'`, second)
		switch status {
		case domain.RequestMatched:
			if onActive != 1 {
				t.Fatalf("matched on an ended pairing")
			}
		case domain.RequestDispatching, domain.RequestEscalated:
		default:
			t.Fatalf("second request is %s", status)
		}
		if n, m := w.scalar(t, "SELECT active_pairings FROM volunteer_profiles WHERE user_id = $1", v.UserID),
			w.scalar(t, "SELECT count(*) FROM pairings WHERE volunteer_id = $1 AND status = 'active'", v.UserID); n != m {
			t.Fatalf("active pairings counted %d, %d in fact", n, m)
		}
	}
}

// TestCancelDuringAServiceChecksItOut: she cancels while the volunteer is with her; the service ends then and its
// minutes still count once confirmed.
func TestCancelDuringAServiceChecksItOut(t *testing.T) {
	w := newCareWorld(t)
	v := w.drivers(t, 1)[0]
	id := w.submit(t, ride(domain.UrgencyNormal, 0))
	w.accept(t, v, w.offerOf(t, id, v).id)
	w.clock.Set(careStart.Add(2 * time.Hour))
	sv, err := w.s.CheckIn(ctx, v, id)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(20 * time.Minute)
	if err := w.s.CancelRequest(ctx, w.staff, id, "提前到了"); err != nil {
		t.Fatal(err)
	}
	if n := w.scalar(t, "SELECT minutes FROM care_services WHERE id = $1 AND status = 'checked_out'", sv); n != 20 {
		t.Fatalf("the service after the cancel: %d minutes checked out, want 20", n)
	}
	if err := w.s.ConfirmService(ctx, w.staff, sv); err != nil {
		t.Fatal(err)
	}
	if n := w.scalar(t, "SELECT confirmed_minutes FROM volunteer_profiles WHERE user_id = $1", v.UserID); n != 20 {
		t.Errorf("confirmed minutes %d, want 20", n)
	}
}

// A staff member not verified yet, or suspended since, cannot ask for help: the request is refused and nothing of
// it is written — whatever the page she came from let through.
func TestOnlyVerifiedStaffAsk(t *testing.T) {
	w := newCareWorld(t)
	w.drivers(t, 3)
	pending := registerStaff(t, w.s, "王护士", "13900000102", false)
	asks := func(who repository.Actor) error {
		_, err := w.s.SubmitRequest(ctx, who, "one_to_one", ride(domain.UrgencyNormal, 0))
		return err
	}
	if err := asks(repository.Actor{UserID: pending.ID, Role: domain.RoleStaff, IP: "test"}); !errors.Is(err, domain.ErrStaffNotVerified) {
		t.Errorf("a staff member waiting for verification: %v, want refused", err)
	}
	if _, err := w.s.SQL().ExecContext(ctx, `UPDATE users SET status = 'suspended' WHERE id = $1`, w.staff.UserID); err != nil {
		t.Fatal(err)
	}
	if err := asks(w.staff); !errors.Is(err, domain.ErrStaffNotVerified) {
		t.Errorf("a suspended staff member: %v, want refused", err)
	}
	if n := w.scalar(t, "SELECT count(*) FROM care_requests"); n != 0 {
		t.Errorf("%d requests written", n)
	}
	if err := asks(w.coordinator); !errors.Is(err, domain.ErrStaffNotVerified) {
		t.Errorf("a coordinator asking for herself: %v, want refused", err)
	}
}

// TestPairingEndingWhileTheVolunteerChecksIn: she ends the pairing as her volunteer checks in for its ride. Both
// lock the request before the pairing, so neither waits for the other in a circle (PostgreSQL would abort one with
// a deadlock): either the service began and goes on, or the check-in is refused (the ride is no longer theirs) and
// the ride goes out again.
func TestPairingEndingWhileTheVolunteerChecksIn(t *testing.T) {
	w := newCareWorld(t)
	w.setProgram(t, "daily_offer_cap", 100)
	vols := w.drivers(t, 8)
	outcomes := map[string]int{}
	for i := range 8 {
		day := careStart.AddDate(0, 0, i)
		w.clock.Set(day)
		id := w.submit(t, ride(domain.UrgencyNormal, i))
		v := w.firstOffered(t, id, vols)
		w.accept(t, v, w.offerOf(t, id, v).id)
		pairing := w.scalar(t, "SELECT pairing_id FROM care_requests WHERE id = $1", id)
		w.clock.Set(day.Add(2 * time.Hour))
		var wg sync.WaitGroup
		var checkInErr, endErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, checkInErr = w.s.CheckIn(ctx, v, id) }()
		go func() { defer wg.Done(); endErr = w.s.EndPairing(ctx, w.staff, pairing, "换一位", false) }()
		wg.Wait()
		if endErr != nil {
			t.Fatalf("round %d: ending the pairing: %v", i, endErr)
		}
		status, _ := w.requestState(t, id)
		switch {
		case checkInErr == nil && status == domain.RequestInService:
			outcomes["checked in first"]++
		case (errors.Is(checkInErr, domain.ErrCareWrongState) || errors.Is(checkInErr, domain.ErrNotFound)) &&
			(status == domain.RequestDispatching || status == domain.RequestEscalated):
			outcomes["ended first"]++
			if n := w.scalar(t, "SELECT count(*) FROM care_services WHERE request_id = $1", id); n != 0 {
				t.Fatalf("round %d: a refused check-in left %d services", i, n)
			}
		default:
			t.Fatalf("round %d: check-in %v, and the request is %s", i, checkInErr, status)
		}
		if n := w.scalar(t, "SELECT active_pairings FROM volunteer_profiles WHERE user_id = $1", v.UserID); n != 0 {
			t.Fatalf("round %d: the volunteer counts %d active pairings after the only one ended", i, n)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}
