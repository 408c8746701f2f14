package domain_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"guanai/domain"
)

// The moves DESIGN §4 and domain/care.go document, written out again by hand: a change to careMoves that is not
// also a change here fails.
var documentedMoves = map[string]map[string][]string{
	"request": {
		domain.RequestSubmitted: {domain.RequestDispatching, domain.RequestMatched, domain.RequestEscalated,
			domain.RequestCancelled, domain.RequestExpired},
		domain.RequestDispatching: {domain.RequestMatched, domain.RequestEscalated, domain.RequestCancelled,
			domain.RequestExpired},
		domain.RequestEscalated: {domain.RequestDispatching, domain.RequestMatched, domain.RequestCancelled,
			domain.RequestExpired},
		// back to dispatching when the pairing ends before the service
		domain.RequestMatched: {domain.RequestInService, domain.RequestDispatching, domain.RequestCancelled},
		// back to matched between two occurrences of a recurring schedule
		domain.RequestInService: {domain.RequestMatched, domain.RequestCompleted, domain.RequestCancelled},
		domain.RequestCompleted: {domain.RequestClosed},
	},
	"offer": {domain.OfferPending: {domain.OfferAccepted, domain.OfferDeclined, domain.OfferExpired,
		domain.OfferWithdrawn}},
	"pairing": {domain.PairingActive: {domain.PairingEnded}},
	"service": {domain.ServiceCheckedIn: {domain.ServiceCheckedOut},
		domain.ServiceCheckedOut: {domain.ServiceConfirmed}},
}

type machine struct {
	name   string
	table  string // the table refuse_bad_move guards
	states []string
	can    func(from, to string) bool
}

var machines = []machine{
	{"request", "care_requests", domain.RequestStates, domain.CanMoveRequest},
	{"offer", "care_offers", domain.OfferStates, domain.CanMoveOffer},
	{"pairing", "pairings", domain.PairingStates, domain.CanMovePairing},
	{"service", "care_services", domain.ServiceStates, domain.CanMoveService},
}

func TestStateListsAreComplete(t *testing.T) {
	want := map[string]int{"request": 9, "offer": 5, "pairing": 2, "service": 3}
	for _, m := range machines {
		if len(m.states) != want[m.name] {
			t.Errorf("%s has %d states, want %d: %v", m.name, len(m.states), want[m.name], m.states)
		}
		for from, tos := range documentedMoves[m.name] {
			for _, s := range append([]string{from}, tos...) {
				if !slices.Contains(m.states, s) {
					t.Errorf("%s: documented state %q is not in the state list", m.name, s)
				}
			}
		}
	}
}

// Every (from, to) pair of every machine, the same state twice included: allowed exactly for the documented moves.
func TestEveryMove(t *testing.T) {
	for _, m := range machines {
		t.Run(m.name, func(t *testing.T) {
			for _, from := range m.states {
				for _, to := range m.states {
					want := slices.Contains(documentedMoves[m.name][from], to)
					if got := m.can(from, to); got != want {
						t.Errorf("%s → %s: allowed %v, want %v", from, to, got, want)
					}
				}
			}
			for _, s := range m.states {
				if m.can(s, "nonsense") || m.can("nonsense", s) || m.can("", s) {
					t.Errorf("a move to or from an unknown state is allowed (%s)", s)
				}
			}
		})
	}
}

func TestEndStatesGoNowhere(t *testing.T) {
	ends := map[string][]string{
		"request": {domain.RequestClosed, domain.RequestCancelled, domain.RequestExpired},
		"offer":   {domain.OfferAccepted, domain.OfferDeclined, domain.OfferExpired, domain.OfferWithdrawn},
		"pairing": {domain.PairingEnded},
		"service": {domain.ServiceConfirmed},
	}
	for _, m := range machines {
		for _, end := range ends[m.name] {
			for _, to := range m.states {
				if m.can(end, to) {
					t.Errorf("%s: %s is final but may go to %s", m.name, end, to)
				}
			}
		}
	}
}

func TestRequestOpenAndCancellable(t *testing.T) {
	open := []string{domain.RequestSubmitted, domain.RequestDispatching, domain.RequestEscalated}
	cancellable := []string{domain.RequestSubmitted, domain.RequestDispatching, domain.RequestEscalated,
		domain.RequestMatched, domain.RequestInService}
	for _, s := range domain.RequestStates {
		if got := domain.RequestOpen(s); got != slices.Contains(open, s) {
			t.Errorf("RequestOpen(%s) = %v", s, got)
		}
		if got := domain.RequestCancellable(s); got != slices.Contains(cancellable, s) {
			t.Errorf("RequestCancellable(%s) = %v (she may cancel anything before completion)", s, got)
		}
	}
}

// The database's trigger refuse_bad_move must allow exactly the moves domain allows: read its CASE out of the
// migration and compare every pair.
func TestMigrationTriggerAllowsTheSameMoves(t *testing.T) {
	sql, err := os.ReadFile("../migrations/00011_care.sql")
	if err != nil {
		t.Fatal(err)
	}
	body := string(sql)
	start := strings.Index(body, "CREATE FUNCTION refuse_bad_move()")
	end := strings.Index(body, "-- +goose StatementEnd")
	if start < 0 || end < start {
		t.Fatal("refuse_bad_move not found in 00011_care.sql")
	}
	body = body[start:end]
	tableRe := regexp.MustCompile(`WHEN '(\w+)' THEN CASE OLD\.status`)
	stateRe := regexp.MustCompile(`WHEN '(\w+)' THEN ARRAY\[([^\]]*)\]`)
	quotedRe := regexp.MustCompile(`'(\w+)'`)
	db := map[string]map[string][]string{}
	tables := tableRe.FindAllStringSubmatchIndex(body, -1)
	for i, loc := range tables {
		table := body[loc[2]:loc[3]]
		stop := len(body)
		if i+1 < len(tables) {
			stop = tables[i+1][0]
		}
		db[table] = map[string][]string{}
		for _, m := range stateRe.FindAllStringSubmatch(body[loc[1]:stop], -1) {
			var to []string
			for _, q := range quotedRe.FindAllStringSubmatch(m[2], -1) {
				to = append(to, q[1])
			}
			db[table][m[1]] = to
		}
	}
	for _, m := range machines {
		moves, ok := db[m.table]
		if !ok {
			t.Errorf("the trigger has no case for %s", m.table)
			continue
		}
		if len(moves) != len(documentedMoves[m.name]) {
			t.Errorf("%s: the trigger lets %d states move, domain %d", m.table, len(moves), len(documentedMoves[m.name]))
		}
		for from := range moves {
			if !slices.Contains(m.states, from) {
				t.Errorf("%s: the trigger knows a state %q domain does not", m.table, from)
			}
		}
		for _, from := range m.states {
			for _, to := range m.states {
				if from == to {
					continue // the trigger lets an update that keeps the status through; it is not a move
				}
				if inDB, inGo := slices.Contains(moves[from], to), m.can(from, to); inDB != inGo {
					t.Errorf("%s: %s → %s allowed by the trigger %v, by domain %v", m.table, from, to, inDB, inGo)
				}
			}
		}
	}
}

func TestUrgencyRank(t *testing.T) {
	for want, u := range []string{domain.UrgencyEmergency, domain.UrgencyUrgent, domain.UrgencyNormal, "whenever"} {
		if got := domain.UrgencyRank(u); got != want {
			t.Errorf("UrgencyRank(%q) = %d, want %d", u, got, want)
		}
	}
}

func TestCategories(t *testing.T) {
	cases := []struct {
		code, program, qual string
		remote, sensitive   bool
	}{
		{domain.CategoryTransport, "one_to_one", domain.QualDriver, false, false},
		{domain.CategoryErrand, "one_to_one", domain.QualErrands, false, false},
		{domain.CategoryEmergency, "one_to_one", "", false, false},
		{domain.CategoryCounselling, "counselling", domain.QualCounsellor, true, true},
		{domain.CategoryTutoring, "tutoring", domain.QualTutor, false, true},
		{domain.CategoryCompanionship, "tutoring", domain.QualTutor, true, true},
	}
	for _, c := range cases {
		got, ok := domain.CategoryByCode(c.code)
		if !ok || got.Program != c.program || got.Qualification != c.qual || got.Remote != c.remote ||
			got.Sensitive != c.sensitive {
			t.Errorf("CategoryByCode(%s) = %+v, %v", c.code, got, ok)
		}
	}
	if _, ok := domain.CategoryByCode("haircut"); ok {
		t.Error("an unknown category was found")
	}
	var codes []string
	for _, c := range domain.ProgramCategories("one_to_one") {
		codes = append(codes, c.Code)
	}
	if strings.Join(codes, ",") != "transport,errand,emergency" {
		t.Errorf("one_to_one's categories = %v", codes)
	}
	if len(domain.ProgramCategories("venue_vouchers")) != 0 {
		t.Error("a benefit program has categories of help")
	}
}

func TestOfferDeadline(t *testing.T) {
	d := domain.DefaultDispatch()
	sent := time.Date(2026, 3, 3, 6, 0, 0, 0, domain.Shanghai)
	cases := []struct {
		name, urgency string
		windowStart   time.Time
		want          time.Time
	}{
		{"normal lasts two hours", domain.UrgencyNormal, sent.Add(24 * time.Hour), sent.Add(2 * time.Hour)},
		{"urgent lasts thirty minutes", domain.UrgencyUrgent, sent.Add(24 * time.Hour), sent.Add(30 * time.Minute)},
		{"emergency lasts ten minutes", domain.UrgencyEmergency, sent.Add(24 * time.Hour), sent.Add(10 * time.Minute)},
		{"cut short by the window's start", domain.UrgencyNormal, sent.Add(5 * time.Minute), sent.Add(5 * time.Minute)},
		{"a window starting as it runs out", domain.UrgencyNormal, sent.Add(2 * time.Hour), sent.Add(2 * time.Hour)},
		{"a window already begun keeps the lifetime", domain.UrgencyEmergency, sent.Add(-time.Hour), sent.Add(10 * time.Minute)},
	}
	for _, c := range cases {
		if got := d.OfferDeadline(c.urgency, sent, c.windowStart); !got.Equal(c.want) {
			t.Errorf("%s: deadline %v, want %v", c.name, got, c.want)
		}
	}
	if d.Offers[domain.UrgencyEmergency] != 5 || d.Offers[domain.UrgencyNormal] != 3 || d.DailyCap != 5 {
		t.Errorf("DefaultDispatch = %+v, want emergency 5 offers, normal 3, 5 a day", d)
	}
}

func TestStarLevel(t *testing.T) {
	cases := []struct {
		hours float64
		want  int
	}{{0, 0}, {99.99, 0}, {100, 1}, {299, 1}, {300, 2}, {600, 3}, {999, 3}, {1000, 4}, {1500, 5}, {9999, 5}}
	for _, c := range cases {
		if got := domain.StarLevel(int64(c.hours*60), domain.DefaultStarHours); got != c.want {
			t.Errorf("%v h: %d stars, want %d", c.hours, got, c.want)
		}
	}
}
