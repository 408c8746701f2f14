package repository_test

import (
	"errors"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// tinyCity is a seeded city small enough for a test: every kind of record, a few of each state.
var tinyCity = repository.SeedScale{Staff: 40, Volunteers: 80, Donors: 150, Donations: 2000, Disbursements: 60, Years: 3}

func seededFund(t *testing.T, seed uint64) fund {
	t.Helper()
	f := newFund(t)
	newOperator(t, f.s, domain.RoleCoordinator, "13800000003")
	if err := f.s.SeedBulk(ctx, repository.SeedOptions{Scale: tinyCity, Seed: seed, Password: "seed-password"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSeededCityReconciles(t *testing.T) {
	f := seededFund(t, 7)
	ledgerOK(t, f.s)
	counts := map[string]int{}
	for _, q := range []struct{ name, sql string }{
		{"staff", `SELECT count(*) FROM users WHERE role = 'staff'`},
		{"volunteers", `SELECT count(*) FROM users WHERE role = 'volunteer'`},
		{"donors", `SELECT count(*) FROM donors`},
		{"donations", `SELECT count(*) FROM donations`},
		{"receipts", `SELECT count(*) FROM receipts`},
		{"disbursement states", `SELECT count(DISTINCT status) FROM disbursements`},
		{"reversed", `SELECT count(*) FROM donations WHERE reversed_at IS NOT NULL`},
		{"restricted", `SELECT count(*) FROM donations WHERE program_id IS NOT NULL`},
		{"organisations", `SELECT count(*) FROM donors WHERE credit_code IS NOT NULL`},
		{"verified qualifications", `SELECT count(*) FROM volunteer_qualifications WHERE status = 'verified'`},
		{"children", `SELECT count(*) FROM staff_children`},
		{"donation audit events", `SELECT count(*) FROM audit_events WHERE action = 'donation.record'`},
	} {
		var n int
		if err := f.s.SQL().QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[q.name] = n
	}
	want := map[string]int{"staff": tinyCity.Staff, "volunteers": tinyCity.Volunteers, "donors": tinyCity.Donors + 1,
		"donations": tinyCity.Donations, "receipts": tinyCity.Donations, "disbursement states": 5, "donation audit events": tinyCity.Donations}
	for name, n := range want {
		if counts[name] != n {
			t.Errorf("%s: %d, want %d", name, counts[name], n)
		}
	}
	for _, name := range []string{"reversed", "restricted", "organisations", "verified qualifications", "children"} {
		if counts[name] == 0 {
			t.Errorf("the seeded city has no %s", name)
		}
	}
}

// After the load the ledger's triggers work again: a gift typed in moves the balances, and the books still agree.
func TestSeededCityTakesNewGifts(t *testing.T) {
	f := seededFund(t, 7)
	before := f.pool(t, "pool:unrestricted").Balance
	f.donate(t, 12345, "")
	if after := f.pool(t, "pool:unrestricted").Balance; after != before+12345 {
		t.Errorf("the unrestricted pool went from %s to %s after a gift of ¥123.45", before, after)
	}
	ledgerOK(t, f.s)
	if _, err := f.s.Login(ctx, "13910000003", "seed-password", "test"); err != nil {
		t.Errorf("a seeded member of staff cannot log in: %v", err)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	fingerprint := func(f fund) (total int64, names string) {
		err := f.s.SQL().QueryRowContext(ctx, `SELECT (SELECT sum(amount) FROM donations),
			(SELECT string_agg(name, ',' ORDER BY id) FROM (SELECT id, name FROM donors ORDER BY id DESC LIMIT 5) d)`).Scan(&total, &names)
		if err != nil {
			t.Fatal(err)
		}
		return total, names
	}
	t1, n1 := fingerprint(seededFund(t, 7))
	t2, n2 := fingerprint(seededFund(t, 7))
	t3, _ := fingerprint(seededFund(t, 8))
	if t1 != t2 || n1 != n2 {
		t.Errorf("seed 7 gave %d (%s) and then %d (%s)", t1, n1, t2, n2)
	}
	if t1 == t3 {
		t.Errorf("seeds 7 and 8 gave the same total %d", t1)
	}
}

func TestSeedNeedsTheOperators(t *testing.T) {
	s := testdb.Store(t)
	err := s.SeedBulk(ctx, repository.SeedOptions{Scale: tinyCity, Seed: 1, Password: "seed-password"})
	if !errors.Is(err, repository.ErrSeedNeedsOperators) {
		t.Fatalf("seeding without operators: %v", err)
	}
	if full, err := repository.HoldsData(ctx, s.SQL()); err != nil || full {
		t.Errorf("a refused seed left data behind (%v, %v)", full, err)
	}
}

// After a seed, every table it loaded takes new rows: its id sequence is past every id the seed wrote.
func TestSeededTablesTakeNewRows(t *testing.T) {
	f := seededFund(t, 7)
	for _, table := range []string{"users", "eligibility_entries", "donors", "donations", "ledger_transactions",
		"disbursements", "staff_children", "volunteer_qualifications", "consents", "receipts", "audit_events", "ledger_entries"} {
		var next, max int64
		err := f.s.SQL().QueryRow(`SELECT nextval(pg_get_serial_sequence($1, 'id'))`, table).Scan(&next)
		if err == nil {
			err = f.s.SQL().QueryRow(`SELECT coalesce(max(id), 0) FROM ` + table).Scan(&max)
		}
		if err != nil {
			t.Fatal(err)
		}
		if next <= max {
			t.Errorf("%s: the next id is %d, but the seed wrote ids up to %d", table, next, max)
		}
	}
}

// The quarters the seed closes stay as published: what was recorded before the seed (the demo's gifts, typed in
// today, some dated in those quarters) is booked in the open period, as the app books a late gift.
func TestSeedKeepsClosedQuartersClosed(t *testing.T) {
	f := newFund(t)
	newOperator(t, f.s, domain.RoleCoordinator, "13800000003")
	old := time.Now().In(domain.Shanghai).AddDate(0, -8, 0)
	req := f.donationReq(5000, "")
	req.Input.ReceivedOn = time.Date(old.Year(), old.Month(), 1, 0, 0, 0, 0, domain.Shanghai)
	id, _, err := f.s.RecordDonation(ctx, f.finance, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReverseDonation(ctx, f.finance, f.donate(t, 700, ""), "录错"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SeedBulk(ctx, repository.SeedOptions{Scale: tinyCity, Seed: 3, Password: "seed-password"}); err != nil {
		t.Fatal(err)
	}
	var bookedInClosed int
	if err := f.s.SQL().QueryRow(`SELECT count(*) FROM donations WHERE quarter_closed(booked_on)
		AND created_at > (SELECT closed_at FROM closed_quarters c WHERE c.year = extract(year FROM booked_on)
			AND c.quarter = extract(quarter FROM booked_on))`).Scan(&bookedInClosed); err != nil {
		t.Fatal(err)
	}
	if bookedInClosed != 0 {
		t.Errorf("%d gifts recorded after their quarter closed are booked in it", bookedInClosed)
	}
	var booked time.Time
	if err := f.s.SQL().QueryRow(`SELECT booked_on FROM donations WHERE id = $1`, id).Scan(&booked); err != nil {
		t.Fatal(err)
	}
	if !booked.After(req.Input.ReceivedOn) {
		t.Errorf("a gift received on %s, recorded after its quarter closed, is booked on %s", req.Input.ReceivedOn, booked)
	}
	ledgerOK(t, f.s)
}
