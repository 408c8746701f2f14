package repository_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"guanai/domain"
	"guanai/repository"
)

// The care part of one's own data: what the download tells a staff member and a volunteer, and what closing the
// account ends, empties and keeps. Everything is made through the Store's own functions, as people would.

// registeredDriver registers a volunteer the way the app does (so he has a password to close his account with),
// then lets him drive in 西湖区 at any time, as a coordinator's verification and his profile would.
func (w careWorld) registeredDriver(t *testing.T, name, phone string, n int) repository.Actor {
	t.Helper()
	u := registerVolunteer(t, w.s, name, phone, idNumber(n))
	var slots []string
	for _, d := range domain.Weekdays {
		for _, p := range domain.DayParts {
			slots = append(slots, d+"_"+p)
		}
	}
	for _, q := range []string{
		`UPDATE users SET status = 'active' WHERE id = $1`,
		`UPDATE volunteer_qualifications SET status = 'verified' WHERE user_id = $1`,
		`UPDATE volunteer_profiles SET availability = '{` + strings.Join(slots, ",") + `}' WHERE user_id = $1`,
	} {
		if _, err := w.s.SQL().ExecContext(ctx, q, u.ID); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return repository.Actor{UserID: u.ID, Role: domain.RoleVolunteer, IP: "test"}
}

// finish takes an accepted request through an hour's service and her rating.
func (w careWorld) finish(t *testing.T, v repository.Actor, id int64, rating int, comment string) {
	t.Helper()
	w.serve(t, v, id)
	if err := w.s.CloseRequest(ctx, w.staff, id, rating, comment); err != nil {
		t.Fatalf("close request %d: %v", id, err)
	}
}

func mustExport(t *testing.T, s *repository.Store, userID int64) (repository.MyData, string) {
	t.Helper()
	d, err := s.ExportMyData(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, string(b)
}

func TestExportCareSectionsForBothSides(t *testing.T) {
	w := newCareWorld(t)
	v := w.registeredDriver(t, "陈志强", "13700009001", 41)

	done := w.submit(t, ride(domain.UrgencyNormal, 0))
	w.accept(t, v, w.offerOf(t, done, v).id)
	w.finish(t, v, done, 5, "非常准时")

	weekly := w.submit(t, domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal, Recurring: true,
		Weekdays: []string{"tue", "thu"}, From: "10:00", To: "11:00", FirstDate: careStart.AddDate(0, 0, 1).Format(time.DateOnly),
		LastDate: careStart.AddDate(0, 0, 4).Format(time.DateOnly), District: "xihu", Pickup: "家", Destination: "浙大一院"})
	w.accept(t, v, w.offerOf(t, weekly, v).id)

	declined := w.submit(t, ride(domain.UrgencyNormal, 5))
	if err := w.s.DeclineOffer(ctx, v, w.offerOf(t, declined, v).id, "那天没空"); err != nil {
		t.Fatal(err)
	}

	// Hers: the requests as she asked them, her volunteer masked.
	d, raw := mustExport(t, w.s, w.staff.UserID)
	if len(d.CareRequests) != 3 {
		t.Fatalf("%d requests in her download, want 3: %+v", len(d.CareRequests), d.CareRequests)
	}
	r := d.CareRequests[0]
	if r.ID != done || r.Pickup != "文一西路 100 号" || r.Destination != "浙大一院" || r.Status != domain.RequestClosed ||
		r.Volunteer != "陈**" || r.Rating == nil || *r.Rating != 5 || r.RatingComment != "非常准时" || r.Program != "one_to_one" {
		t.Errorf("her finished ride %+v", r)
	}
	if len(r.Occurrences.V) != 0 {
		t.Errorf("a single ride lists occurrences %v", r.Occurrences.V)
	}
	if o := d.CareRequests[1].Occurrences.V; len(o) != 2 || !o[0].StartsAt.Equal(careStart.AddDate(0, 0, 1).Add(2*time.Hour)) {
		t.Errorf("her weekly ride's occurrences %+v, want Tuesday and Thursday at 10:00", o)
	}
	if len(d.Pairings) != 1 || d.Pairings[0].As != "staff" || d.Pairings[0].Other != "陈**" || d.Pairings[0].Status != domain.PairingActive ||
		d.Pairings[0].Services != 1 || d.Pairings[0].Minutes != 60 {
		t.Errorf("her pairings %+v", d.Pairings)
	}
	if len(d.Services) != 1 || d.Services[0].As != "staff" || d.Services[0].Hours != "1.00" || d.Services[0].Status != domain.ServiceConfirmed ||
		d.Services[0].Rating == nil || *d.Services[0].Rating != 5 || d.Services[0].Note != "" {
		t.Errorf("her services %+v: want an hour, confirmed, rated 5, without his note", d.Services)
	}
	if len(d.Ratings) != 1 || d.Ratings[0].As != "staff" || d.Ratings[0].Rating != 5 || d.Ratings[0].Comment != "非常准时" {
		t.Errorf("her ratings %+v", d.Ratings)
	}
	if len(d.Offers) != 0 {
		t.Errorf("offers in a staff member's download: %+v", d.Offers)
	}
	for _, leak := range []string{"陈志强", "13700009001", "3301"} {
		if strings.Contains(raw, leak) {
			t.Errorf("her download shows her volunteer's %q", leak)
		}
	}
	for _, want := range []string{`"care_requests"`, `"pairings"`, `"services"`, `"ratings"`, `"occurrences"`, "文一西路"} {
		if !strings.Contains(raw, want) {
			t.Errorf("her download lacks %s", want)
		}
	}

	// His: the pairing and service from his side, each offer and how he answered, the rating he received.
	d, raw = mustExport(t, w.s, v.UserID)
	if len(d.CareRequests) != 0 {
		t.Errorf("requests in a volunteer's download: %+v", d.CareRequests)
	}
	if len(d.Pairings) != 1 || d.Pairings[0].As != "volunteer" || d.Pairings[0].Other != "李**" {
		t.Errorf("his pairings %+v", d.Pairings)
	}
	if len(d.Services) != 1 || d.Services[0].Note != "送到了" || d.Services[0].Other != "李**" || d.Services[0].Minutes == nil ||
		*d.Services[0].Minutes != 60 || d.Services[0].RatingComment != "非常准时" {
		t.Errorf("his services %+v: want his note, an hour and her comment", d.Services)
	}
	if len(d.Offers) != 3 || d.Offers[0].Status != domain.OfferAccepted || d.Offers[2].Status != domain.OfferDeclined ||
		d.Offers[2].DeclineReason != "那天没空" || d.Offers[2].RequestID != declined {
		t.Errorf("his offers %+v: want two accepted and one declined with his reason", d.Offers)
	}
	if len(d.Ratings) != 1 || d.Ratings[0].As != "volunteer" || d.Ratings[0].Rating != 5 || d.Ratings[0].Other != "李**" {
		t.Errorf("his ratings %+v", d.Ratings)
	}
	for _, leak := range []string{"李护士", "13900000101", "文一西路", "浙大一院"} {
		if strings.Contains(raw, leak) {
			t.Errorf("his download shows her %q", leak)
		}
	}
}

// figuresByProgram sums the dispatch figures of the weeks shown, by program.
func figuresByProgram(t *testing.T, s *repository.Store) map[string]repository.WeekFigures {
	t.Helper()
	weeks, err := s.DispatchFigures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]repository.WeekFigures{}
	for _, f := range weeks {
		sum := out[f.ProgramCode]
		sum.Requests += f.Requests
		sum.Matched += f.Matched
		sum.Decided += f.Decided
		sum.Completed += f.Completed
		sum.Rated += f.Rated
		if f.Rating != nil {
			r := *f.Rating
			sum.Rating = &r
		}
		out[f.ProgramCode] = sum
	}
	return out
}

func sameRating(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

type volunteerFigures struct{ minutes, ratingSum, ratingCount, active int64 }

func (w careWorld) figuresOf(t *testing.T, v repository.Actor) volunteerFigures {
	t.Helper()
	var f volunteerFigures
	if err := w.s.SQL().QueryRowContext(ctx, `SELECT confirmed_minutes, rating_sum, rating_count, active_pairings
		FROM volunteer_profiles WHERE user_id = $1`, v.UserID).Scan(&f.minutes, &f.ratingSum, &f.ratingCount, &f.active); err != nil {
		t.Fatal(err)
	}
	return f
}

func (w careWorld) certificate(t *testing.T, v repository.Actor) (code string, check repository.CertificateCheck) {
	t.Helper()
	c, err := w.s.IssueCertificate(ctx, v, careStart.AddDate(0, 0, -30), careStart, domain.DefaultStarHours)
	if err != nil {
		t.Fatal(err)
	}
	check, err = w.s.VerifyCertificate(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	return c.Code, check
}

func TestCloseStaffAccountEndsHerRequestsAndKeepsTheNumbers(t *testing.T) {
	w := newCareWorld(t)
	v := w.registeredDriver(t, "陈志强", "13700009002", 42)

	done := w.submit(t, ride(domain.UrgencyNormal, 0))
	w.accept(t, v, w.offerOf(t, done, v).id)
	w.finish(t, v, done, 4, "很好，开车很稳")
	code, cert := w.certificate(t, v)

	var child int64
	if err := w.s.SQL().QueryRowContext(ctx, `SELECT id FROM staff_children WHERE user_id = $1`, w.staff.UserID).Scan(&child); err != nil {
		t.Fatal(err)
	}
	tutoring, err := w.s.SubmitRequest(ctx, w.staff, "tutoring", domain.RequestForm{Category: domain.CategoryTutoring,
		Urgency: domain.UrgencyNormal, Date: careStart.AddDate(0, 0, 3).Format(time.DateOnly), From: "19:00", To: "20:00",
		District: "xihu", Place: "家里", Details: "孩子数学需要辅导", ChildIDs: []int64{child}, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	matched := w.submit(t, ride(domain.UrgencyNormal, 1))
	w.accept(t, v, w.offerOf(t, matched, v).id)
	cancelledByHer := w.submit(t, ride(domain.UrgencyNormal, 2))
	w.accept(t, v, w.offerOf(t, cancelledByHer, v).id)
	if err := w.s.CancelRequest(ctx, w.staff, cancelledByHer, "孩子生病了"); err != nil {
		t.Fatal(err)
	}
	offered := w.submit(t, ride(domain.UrgencyNormal, 3)) // his offer stays open
	if o := w.offerOf(t, offered, v); o.status != domain.OfferPending {
		t.Fatalf("offer of %d is %s, want pending", offered, o.status)
	}
	before, volBefore := figuresByProgram(t, w.s), w.figuresOf(t, v)

	if err := w.s.CloseAccount(ctx, w.staff, staffPassword); err != nil {
		t.Fatal(err)
	}

	for id, want := range map[int64][2]string{done: {domain.RequestClosed, ""}, tutoring: {domain.RequestCancelled, domain.ReasonAccountClosed},
		matched: {domain.RequestCancelled, domain.ReasonAccountClosed}, cancelledByHer: {domain.RequestCancelled, ""},
		offered: {domain.RequestCancelled, domain.ReasonAccountClosed}} {
		var status, reason string
		if err := w.s.SQL().QueryRowContext(ctx, `SELECT status, cancel_reason FROM care_requests WHERE id = $1`, id).Scan(&status, &reason); err != nil {
			t.Fatal(err)
		}
		if status != want[0] || reason != want[1] {
			t.Errorf("request %d: %s (%q), want %s (%q)", id, status, reason, want[0], want[1])
		}
	}
	// What she wrote and what locates her or her child is gone from every row that held it.
	if n := w.scalar(t, `SELECT count(*) FROM care_requests WHERE staff_id = $1 AND (pickup <> '' OR destination <> ''
		OR place <> '' OR details <> '' OR cardinality(child_ids) > 0 OR rating_comment <> '')`, w.staff.UserID); n != 0 {
		t.Errorf("%d of her requests keep a place, details, a child or a comment", n)
	}
	for _, q := range []string{
		`SELECT count(*) FROM care_events WHERE detail LIKE '%孩子%'`,
		`SELECT count(*) FROM notifications WHERE detail LIKE '%孩子%'`,
		`SELECT count(*) FROM care_requests WHERE cancel_reason LIKE '%孩子%' OR details LIKE '%孩子%'`,
	} {
		if n := w.scalar(t, q); n != 0 {
			t.Errorf("%s: %d rows keep her words", q, n)
		}
	}
	// The numbers stay: her rating, his minutes, his certificate, the figures of what was done.
	if n := w.scalar(t, `SELECT rating FROM care_requests WHERE id = $1`, done); n != 4 {
		t.Errorf("her rating %d, want 4", n)
	}
	if n := w.scalar(t, `SELECT sum(minutes) FROM care_services WHERE request_id = $1 AND status = 'confirmed'`, done); n != 60 {
		t.Errorf("the service's minutes %d, want 60", n)
	}
	volAfter := w.figuresOf(t, v)
	if volAfter.minutes != volBefore.minutes || volAfter.ratingSum != volBefore.ratingSum || volAfter.ratingCount != volBefore.ratingCount {
		t.Errorf("his figures %+v, were %+v", volAfter, volBefore)
	}
	if volAfter.active != 0 || w.scalar(t, `SELECT count(*) FROM pairings WHERE staff_id = $1 AND status = 'active'`, w.staff.UserID) != 0 {
		t.Errorf("a pairing with her is still active (his count %d)", volAfter.active)
	}
	if again, err := w.s.VerifyCertificate(ctx, code); err != nil || again != cert {
		t.Errorf("his certificate verifies as %+v (%v), was %+v", again, err, cert)
	}
	after := figuresByProgram(t, w.s)
	for program, b := range before {
		a := after[program]
		if a.Requests != b.Requests || a.Matched != b.Matched || a.Completed != b.Completed || a.Rated != b.Rated ||
			!sameRating(a.Rating, b.Rating) || a.Decided != a.Requests {
			t.Errorf("%s figures %+v, were %+v (every request decided now)", program, a, b)
		}
	}
	// He was told, in words that are nobody's.
	for _, c := range []struct {
		kind    string
		request any
		detail  string
	}{{repository.NoteCancelled, matched, domain.ReasonAccountClosed}, {repository.NoteWithdrawn, offered, ""},
		{repository.NotePairingEnded, nil, domain.ReasonAccountClosed}} {
		if got := w.scalar(t, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2 AND detail = $3
			AND ($4::bigint IS NULL OR request_id = $4)`, v.UserID, c.kind, c.detail, c.request); got != 1 {
			t.Errorf("%d %s notifications to him (request %v), want 1", got, c.kind, c.request)
		}
	}
	if n := w.scalar(t, `SELECT count(*) FROM care_offers WHERE volunteer_id = $1 AND status = 'pending'`, v.UserID); n != 0 {
		t.Errorf("%d offers of her requests still pending", n)
	}
	// His download names her as the closed account she is, and still counts the hour she confirmed.
	vd, _ := mustExport(t, w.s, v.UserID)
	if len(vd.Services) != 1 || vd.Services[0].Other != domain.ClosedAccountName || vd.Services[0].Hours != "1.00" ||
		vd.Services[0].RatingComment != "" || vd.Services[0].Rating == nil || *vd.Services[0].Rating != 4 {
		t.Errorf("his services after her close %+v: want 已注销用户, an hour, her 4 stars without her words", vd.Services)
	}
	// Her download now is the anonymous account's: no place, no child, no words of hers.
	_, raw := mustExport(t, w.s, w.staff.UserID)
	for _, gone := range []string{"文一西路", "孩子", "小明", "很好", "李护士"} {
		if strings.Contains(raw, gone) {
			t.Errorf("after closing, the download still holds %q", gone)
		}
	}
}

func TestCloseVolunteerAccountHandsHisWorkOn(t *testing.T) {
	w := newCareWorld(t)
	v := w.registeredDriver(t, "陈志强", "13700009003", 43)
	other := w.drivers(t, 1)[0]

	done := w.submit(t, ride(domain.UrgencyNormal, 0))
	w.accept(t, v, w.offerOf(t, done, v).id)
	sv, err := w.s.CheckIn(ctx, v, done)
	if err != nil {
		t.Fatal(err)
	}
	var fe domain.FieldErrors
	if err := w.s.CloseAccount(ctx, v, volunteerPassword); !errors.As(err, &fe) || fe["confirm"] != "close.error.checked_in" {
		t.Fatalf("closing while checked in: %v, want close.error.checked_in", err)
	}
	w.clock.Advance(time.Hour)
	if err := w.s.CheckOut(ctx, v, sv, "路上堵车，晚到十分钟"); err != nil {
		t.Fatal(err)
	}
	if err := w.s.CloseRequest(ctx, w.staff, done, 5, "谢谢"); err != nil {
		t.Fatal(err)
	}
	code, cert := w.certificate(t, v)

	matched := w.submit(t, ride(domain.UrgencyNormal, 1)) // his pairing's: offered to him alone
	w.accept(t, v, w.offerOf(t, matched, v).id)
	pending := w.submit(t, ride(domain.UrgencyNormal, 2))
	declined := w.submit(t, ride(domain.UrgencyNormal, 3))
	if err := w.s.DeclineOffer(ctx, v, w.offerOf(t, declined, v).id, "出差"); err != nil {
		t.Fatal(err)
	}
	if o := w.offerOf(t, pending, v); o.status != domain.OfferPending {
		t.Fatalf("his offer of %d is %s, want pending", pending, o.status)
	}
	offersBefore := w.scalar(t, `SELECT count(*) FROM care_offers WHERE volunteer_id = $1`, v.UserID)
	before := figuresByProgram(t, w.s)["one_to_one"]

	if err := w.s.CloseAccount(ctx, v, volunteerPassword); err != nil {
		t.Fatal(err)
	}

	// She is not left waiting: his matched ride and the one he had not answered go to the other driver.
	for _, id := range []int64{matched, pending} {
		if status, _ := w.requestState(t, id); status != domain.RequestDispatching {
			t.Errorf("request %d is %s, want dispatching again", id, status)
		}
		if o, ok := w.offers(t, id)[other.UserID]; !ok || o.status != domain.OfferPending {
			t.Errorf("request %d: the other driver's offer %+v, want pending", id, o)
		}
	}
	if o := w.offerOf(t, pending, v); o.status != domain.OfferDeclined {
		t.Errorf("his open offer is %s, want declined", o.status)
	}
	if n := w.scalar(t, `SELECT count(*) FROM care_offers WHERE volunteer_id = $1`, v.UserID); n != offersBefore {
		t.Errorf("%d offers to him after closing, were %d: he was offered more while closing", n, offersBefore)
	}
	if n := w.scalar(t, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2 AND detail = $3`,
		w.staff.UserID, repository.NotePairingEnded, domain.ReasonAccountClosed); n != 1 {
		t.Errorf("%d pairing-ended notifications to her, want 1", n)
	}
	// His words are gone; the hours and ratings stay, and so does his certificate.
	if n := w.scalar(t, `SELECT count(*) FROM care_services WHERE volunteer_id = $1 AND note <> ''`, v.UserID); n != 0 {
		t.Errorf("%d of his services keep his note", n)
	}
	if n := w.scalar(t, `SELECT count(*) FROM care_offers WHERE volunteer_id = $1 AND decline_reason NOT IN ('', $2)`,
		v.UserID, domain.ReasonAccountClosed); n != 0 {
		t.Errorf("%d of his offers keep his reason", n)
	}
	if n := w.scalar(t, `SELECT minutes FROM care_services WHERE id = $1 AND status = 'confirmed'`, sv); n != 60 {
		t.Errorf("his service counts %d minutes, want 60", n)
	}
	if f := w.figuresOf(t, v); f.minutes != 60 || f.ratingSum != 5 || f.ratingCount != 1 || f.active != 0 {
		t.Errorf("his figures %+v, want 60 minutes, one rating of 5, no pairing", f)
	}
	if again, err := w.s.VerifyCertificate(ctx, code); err != nil || again != cert {
		t.Errorf("his certificate verifies as %+v (%v), was %+v", again, err, cert)
	}
	after := figuresByProgram(t, w.s)["one_to_one"]
	if after.Requests != before.Requests || after.Completed != before.Completed || after.Rated != before.Rated ||
		!sameRating(after.Rating, before.Rating) {
		t.Errorf("figures %+v, were %+v", after, before)
	}
}

// A volunteer accepts her request at the moment she closes her account: either the acceptance comes first and
// the request is then cancelled (and he is told), or the close comes first and he finds it ended. Never is a
// request of a closed account left matched, or a pairing with her active.
func TestAcceptRacingCloseAccount(t *testing.T) {
	w := newCareWorld(t)
	v := w.makeVolunteers(t, 1, volunteerFacts{quals: []string{domain.QualDriver}, capacity: 9})[0]
	w.setProgram(t, "daily_offer_cap", 100)
	outcomes := map[string]int{}
	// The close checks her password first (argon2, a good part of a second under -race): acceptances spread over
	// that time land before, during and after the close's own work.
	delays := []time.Duration{0, 50, 100, 200, 300, 450, 600, 900}
	for i, delay := range delays {
		u := verifiedStaff(t, w.s, "护士", fmt.Sprintf("139000012%02d", i), false)
		staff := repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "test"}
		id := w.submitAs(t, staff, ride(domain.UrgencyUrgent, i%3))
		o := w.offerOf(t, id, v)
		var wg sync.WaitGroup
		var acceptErr, closeErr error
		wg.Go(func() {
			time.Sleep(delay * time.Millisecond)
			_, acceptErr = w.s.AcceptOffer(ctx, v, o.id)
		})
		wg.Go(func() { closeErr = w.s.CloseAccount(ctx, staff, staffPassword) })
		wg.Wait()
		if closeErr != nil {
			t.Fatalf("close: %v", closeErr)
		}
		status, _ := w.requestState(t, id)
		offers := w.offers(t, id)
		if status != domain.RequestCancelled || countStatus(offers, domain.OfferPending) != 0 {
			t.Fatalf("round %d: %s with offers %v, want cancelled with none pending", i, status, offers)
		}
		told := w.scalar(t, `SELECT count(*) FROM notifications WHERE request_id = $1 AND user_id = $2 AND kind = 'cancelled'`, id, v.UserID)
		switch {
		case acceptErr == nil:
			outcomes["accepted, then cancelled"]++
			if countStatus(offers, domain.OfferAccepted) != 1 || told != 1 {
				t.Errorf("round %d: accepted first, offers %v and %d told, want one accepted and him told", i, offers, told)
			}
		case isGone(acceptErr, "ended"):
			outcomes["not accepted"]++
			if countStatus(offers, domain.OfferAccepted) != 0 {
				t.Errorf("round %d: the close came first but an offer is accepted: %v", i, offers)
			}
		default:
			t.Fatalf("round %d: accept: %v", i, acceptErr)
		}
	}
	if n := w.scalar(t, `SELECT count(*) FROM care_requests r JOIN users u ON u.id = r.staff_id
		WHERE u.status = 'closed' AND r.status NOT IN ('cancelled', 'closed', 'expired', 'completed')`); n != 0 {
		t.Errorf("%d requests of closed accounts are still open or matched", n)
	}
	if n := w.scalar(t, `SELECT count(*) FROM pairings p JOIN users u ON u.id = p.staff_id
		WHERE u.status = 'closed' AND p.status = 'active'`); n != 0 {
		t.Errorf("%d pairings with closed accounts are still active", n)
	}
	if f := w.figuresOf(t, v); f.active != 0 {
		t.Errorf("his active pairings counted %d, want 0", f.active)
	}
	t.Logf("outcomes: %v", outcomes)
}

// He ends their pairing at the moment she closes her account. The two lock the pairing and its request in opposite
// orders, so PostgreSQL may refuse one to break a deadlock; the close is then tried again. Whoever goes first, the
// pairing ends once, her request ends cancelled and his capacity is freed; his end either happens, finds the
// pairing ended already, or (the deadlock's victim) is refused to be tried again.
func TestPairingEndRacingCloseAccount(t *testing.T) {
	w := newCareWorld(t)
	v := w.makeVolunteers(t, 1, volunteerFacts{quals: []string{domain.QualDriver}, capacity: 9})[0]
	w.setProgram(t, "daily_offer_cap", 100)
	outcomes := map[string]int{}
	for i, delay := range []time.Duration{0, 100, 250, 400, 600} {
		u := verifiedStaff(t, w.s, "护士", fmt.Sprintf("139000013%02d", i), false)
		staff := repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "test"}
		id := w.submitAs(t, staff, ride(domain.UrgencyUrgent, 1+i%3))
		w.accept(t, v, w.offerOf(t, id, v).id)
		pairing := w.scalar(t, `SELECT pairing_id FROM care_requests WHERE id = $1`, id)
		var wg sync.WaitGroup
		var endErr, closeErr error
		wg.Go(func() {
			time.Sleep(delay * time.Millisecond)
			endErr = w.s.EndPairing(ctx, v, pairing, "临时有事", false)
		})
		wg.Go(func() { closeErr = w.s.CloseAccount(ctx, staff, staffPassword) })
		wg.Wait()
		if closeErr != nil {
			t.Fatalf("round %d: close: %v", i, closeErr)
		}
		var pgErr *pgconn.PgError
		switch {
		case endErr == nil:
			outcomes["he ended it first"]++
		case errors.Is(endErr, domain.ErrCareWrongState):
			outcomes["her close ended it first"]++
		case errors.As(endErr, &pgErr) && pgErr.Code == "40P01":
			outcomes["his end refused by a deadlock"]++
		default:
			t.Fatalf("round %d: end: %v", i, endErr)
		}
		if status, _ := w.requestState(t, id); status != domain.RequestCancelled {
			t.Errorf("round %d: her request is %s, want cancelled", i, status)
		}
		if n := w.scalar(t, `SELECT count(*) FROM pairings WHERE id = $1 AND status = 'ended'`, pairing); n != 1 {
			t.Errorf("round %d: the pairing has not ended", i)
		}
	}
	if f := w.figuresOf(t, v); f.active != 0 {
		t.Errorf("his active pairings counted %d, want 0", f.active)
	}
	t.Logf("outcomes: %v", outcomes)
}
