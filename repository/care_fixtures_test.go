package repository_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// A small city for the dispatch tests: a staff member in 西湖区, a coordinator, and volunteers made straight in the
// database (registering dozens through the password hash would only slow the tests down).

// careStart is a Monday, 08:00 in Shanghai: the clock of every care test starts there.
var careStart = time.Date(2026, 12, 7, 8, 0, 0, 0, domain.Shanghai)

type careWorld struct {
	s           *repository.Store
	clock       *testdb.Clock
	staff       repository.Actor
	coordinator repository.Actor
}

func newCareWorld(t *testing.T) careWorld {
	t.Helper()
	clock := testdb.NewClock(careStart)
	s := testdb.StoreWithClock(t, clock)
	return careWorldOn(t, s, clock)
}

func careWorldOn(t *testing.T, s *repository.Store, clock *testdb.Clock) careWorld {
	t.Helper()
	staff := verifiedStaff(t, s, "李护士", "13900000101", true)
	coord := newOperator(t, s, domain.RoleCoordinator, "13800000005")
	return careWorld{s: s, clock: clock, staff: repository.Actor{UserID: staff.ID, Role: domain.RoleStaff, IP: "test"},
		coordinator: repository.Actor{UserID: coord.ID, Role: domain.RoleCoordinator, IP: "test"}}
}

// verifiedStaff registers a staff member and lets her in, as a coordinator's verification would: only a verified
// staff member asks for help.
func verifiedStaff(t *testing.T, s *repository.Store, name, phone string, children bool) domain.User {
	t.Helper()
	u := registerStaff(t, s, name, phone, children)
	if _, err := s.SQL().ExecContext(ctx, `UPDATE users SET status = 'active' WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	u.Status = domain.StatusActive
	return u
}

var volunteerSeq atomic.Int64

// volunteerFacts says what a made volunteer offers.
type volunteerFacts struct {
	districts []string
	slots     []string // nil: every slot of the week
	quals     []string // verified
	capacity  int
}

// makeVolunteers makes n active volunteers with the facts given and returns them as actors.
func (w careWorld) makeVolunteers(t *testing.T, n int, f volunteerFacts) []repository.Actor {
	t.Helper()
	if f.districts == nil {
		f.districts = []string{"xihu"}
	}
	if f.slots == nil {
		for _, d := range domain.Weekdays {
			for _, p := range domain.DayParts {
				f.slots = append(f.slots, d+"_"+p)
			}
		}
	}
	if f.capacity == 0 {
		f.capacity = 2
	}
	out := make([]repository.Actor, n)
	for i := range n {
		seq := volunteerSeq.Add(1)
		var id int64
		err := w.s.SQL().QueryRowContext(ctx, `INSERT INTO users (phone, password_hash, name, role, status)
			VALUES ($1, 'x', $2, 'volunteer', 'active') RETURNING id`,
			fmt.Sprintf("137%08d", seq), fmt.Sprintf("志愿者%d", seq)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.SQL().ExecContext(ctx, `INSERT INTO volunteer_profiles (user_id, id_number_masked, districts, availability, capacity)
			VALUES ($1, '3301**********0011', $2, $3, $4)`, id, "{"+strings.Join(f.districts, ",")+"}",
			"{"+strings.Join(f.slots, ",")+"}", f.capacity); err != nil {
			t.Fatal(err)
		}
		for _, q := range f.quals {
			if _, err := w.s.SQL().ExecContext(ctx, `INSERT INTO volunteer_qualifications (user_id, code, detail, status)
				VALUES ($1, $2, 'ok', 'verified')`, id, q); err != nil {
				t.Fatal(err)
			}
		}
		out[i] = repository.Actor{UserID: id, Role: domain.RoleVolunteer, IP: "test"}
	}
	return out
}

// drivers are volunteers who may give rides in 西湖区 at any time.
func (w careWorld) drivers(t *testing.T, n int) []repository.Actor {
	return w.makeVolunteers(t, n, volunteerFacts{quals: []string{domain.QualDriver}})
}

// ride is a single transport request from 10:00 to 11:00 on the day given (0 is the clock's day).
func ride(urgency string, day int) domain.RequestForm {
	return domain.RequestForm{Category: domain.CategoryTransport, Urgency: urgency,
		Date: careStart.AddDate(0, 0, day).Format(time.DateOnly), From: "10:00", To: "11:00", District: "xihu",
		Pickup: "文一西路 100 号", Destination: "浙大一院"}
}

func (w careWorld) submit(t *testing.T, f domain.RequestForm) int64 {
	t.Helper()
	return w.submitAs(t, w.staff, f)
}

func (w careWorld) submitAs(t *testing.T, staff repository.Actor, f domain.RequestForm) int64 {
	t.Helper()
	id, err := w.s.SubmitRequest(ctx, staff, "one_to_one", f)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return id
}

// requestState is a request's state and round.
func (w careWorld) requestState(t *testing.T, id int64) (status string, round int) {
	t.Helper()
	if err := w.s.SQL().QueryRowContext(ctx, "SELECT status, round FROM care_requests WHERE id = $1", id).Scan(&status, &round); err != nil {
		t.Fatal(err)
	}
	return status, round
}

// offers maps volunteer id to offer id and state for a request.
type offerInfo struct {
	id     int64
	status string
	round  int
}

func (w careWorld) offers(t *testing.T, requestID int64) map[int64]offerInfo {
	t.Helper()
	rows, err := w.s.SQL().QueryContext(ctx, "SELECT volunteer_id, id, status, round FROM care_offers WHERE request_id = $1", requestID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]offerInfo{}
	for rows.Next() {
		var v int64
		var o offerInfo
		if err := rows.Scan(&v, &o.id, &o.status, &o.round); err != nil {
			t.Fatal(err)
		}
		out[v] = o
	}
	return out
}

func countStatus(offers map[int64]offerInfo, status string) int {
	n := 0
	for _, o := range offers {
		if o.status == status {
			n++
		}
	}
	return n
}

// scalar reads one number.
func (w careWorld) scalar(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.s.SQL().QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// setProgram changes a setting of the one-to-one program.
func (w careWorld) setProgram(t *testing.T, column string, value int) {
	t.Helper()
	if _, err := w.s.SQL().ExecContext(ctx, "UPDATE programs SET "+column+" = $1 WHERE code = 'one_to_one'", value); err != nil {
		t.Fatal(err)
	}
}

// accept accepts an offer and fails the test on an error.
func (w careWorld) accept(t *testing.T, v repository.Actor, offerID int64) {
	t.Helper()
	if _, err := w.s.AcceptOffer(ctx, v, offerID); err != nil {
		t.Fatalf("accept offer %d: %v", offerID, err)
	}
}

// firstOffered is the first of vols who was offered the request.
func (w careWorld) firstOffered(t *testing.T, requestID int64, vols []repository.Actor) repository.Actor {
	t.Helper()
	offers := w.offers(t, requestID)
	for _, v := range vols {
		if _, ok := offers[v.UserID]; ok {
			return v
		}
	}
	t.Fatalf("none of the volunteers was offered request %d", requestID)
	return repository.Actor{}
}

// offerOf is the volunteer's offer of the request.
func (w careWorld) offerOf(t *testing.T, requestID int64, v repository.Actor) offerInfo {
	t.Helper()
	o, ok := w.offers(t, requestID)[v.UserID]
	if !ok {
		t.Fatalf("volunteer %d has no offer of request %d", v.UserID, requestID)
	}
	return o
}

// serve takes a matched request through one check-in and check-out of an hour.
func (w careWorld) serve(t *testing.T, v repository.Actor, requestID int64) int64 {
	t.Helper()
	sv, err := w.s.CheckIn(ctx, v, requestID)
	if err != nil {
		t.Fatalf("check in: %v", err)
	}
	w.clock.Advance(time.Hour)
	if err := w.s.CheckOut(ctx, v, sv, "送到了"); err != nil {
		t.Fatalf("check out: %v", err)
	}
	return sv
}

// waitFor polls until cond holds (a River job has run) or fails after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func isGone(err error, why string) bool {
	var g *domain.OfferGoneError
	return errors.As(err, &g) && g.Why == why
}
