package repository_test

import (
	"errors"
	"fmt"
	"strings"
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
		"disbursements", "staff_children", "volunteer_qualifications", "consents", "receipts", "audit_events", "ledger_entries",
		"pairings", "care_requests", "care_occurrences", "care_offers", "care_services", "care_events", "notifications",
		"benefit_places", "benefit_applications", "vouchers", "certificates"} {
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

// careCity is a seeded city with enough staff and volunteers for the care requests' proportions to show, and
// few gifts, so that it loads quickly.
var careCity = repository.SeedScale{Staff: 300, Volunteers: 900, Donors: 100, Donations: 300, Disbursements: 20, Years: 1}

// seedClockAt is when the care tests seed: a Wednesday afternoon in Shanghai, the same every run, so that the
// live requests are the same too.
var seedClockAt = time.Date(2026, 12, 9, 15, 30, 0, 0, domain.Shanghai)

func seededCare(t *testing.T, seed uint64, at time.Time) (fund, *testdb.Clock) {
	t.Helper()
	clock := testdb.NewClock(at)
	f := newFundWithClock(t, clock)
	newOperator(t, f.s, domain.RoleCoordinator, "13800000003")
	if err := f.s.SeedBulk(ctx, repository.SeedOptions{Scale: careCity, Seed: seed, Password: "seed-password"}); err != nil {
		t.Fatal(err)
	}
	return f, clock
}

// offenders runs a query of offending ids and reports them.
func offenders(t *testing.T, s *repository.Store, rule, query string, args ...any) {
	t.Helper()
	var n int
	var sample string
	err := s.SQL().QueryRowContext(ctx, `SELECT count(*), coalesce(array_to_string((array_agg(id ORDER BY id))[1:5], ','), '')
		FROM (`+query+`) v`, args...).Scan(&n, &sample)
	if err != nil {
		t.Fatalf("%s: %v", rule, err)
	}
	if n > 0 {
		t.Errorf("%s: %d offend (%s)", rule, n, sample)
	}
}

// careCategories is domain's categories as a table for SQL: code, qualification, remote, children, sensitive.
func careCategories() string {
	var rows []string
	for _, c := range domain.Categories {
		rows = append(rows, fmt.Sprintf("('%s', '%s', %t, %t, %t)", c.Code, c.Qualification, c.Remote, c.Children, c.Sensitive))
	}
	return `WITH cats (code, qual, remote, children, sensitive) AS (VALUES ` + strings.Join(rows, ", ") + `) `
}

func TestSeededCareFollowsTheRules(t *testing.T) {
	f, clock := seededCare(t, 7, seedClockAt)
	careRulesHold(t, f.s, clock.Now())
}

// careRulesHold checks the seeded care data against the rules of domain, as of now.
func careRulesHold(t *testing.T, s *repository.Store, now time.Time) {
	t.Helper()
	grades := "ARRAY['" + strings.Join(domain.Grades, "','") + "']"
	matched := `r.volunteer_id IS NOT NULL`
	rules := []struct{ rule, query string }{
		{"a helper is an active volunteer who holds the category's (and the program's) qualification, verified, and serves the district unless remote",
			careCategories() + `SELECT r.id FROM care_requests r JOIN cats c ON c.code = r.category JOIN programs pr ON pr.id = r.program_id
				JOIN users u ON u.id = r.volunteer_id JOIN volunteer_profiles vp ON vp.user_id = r.volunteer_id
				WHERE ` + matched + ` AND (u.status <> 'active' OR u.role <> 'volunteer'
					OR c.qual <> '' AND NOT EXISTS (SELECT 1 FROM volunteer_qualifications q WHERE q.user_id = r.volunteer_id
						AND q.code = c.qual AND q.status = 'verified')
					OR pr.qualification IS NOT NULL AND NOT EXISTS (SELECT 1 FROM volunteer_qualifications q
						WHERE q.user_id = r.volunteer_id AND q.code = pr.qualification AND q.status = 'verified')
					OR NOT c.remote AND NOT r.district = ANY (vp.districts))`},
		{"a tutor teaches the subject asked for and the children's grades",
			`SELECT r.id FROM care_requests r JOIN volunteer_profiles vp ON vp.user_id = r.volunteer_id
				WHERE r.category IN ('tutoring', 'companionship') AND (r.subject <> '' AND NOT r.subject = ANY (vp.subjects)
					OR vp.grade_from IS NOT NULL AND EXISTS (SELECT 1 FROM staff_children k WHERE k.id = ANY (r.child_ids)
						AND array_position(` + grades + `, k.grade) - 1 NOT BETWEEN vp.grade_from AND vp.grade_to))`},
		{"a schedule has its weekdays and dates, a single window neither",
			`SELECT id FROM care_requests WHERE weekdays IS NULL OR (cardinality(weekdays) > 0) <> (first_date IS NOT NULL)
				OR (first_date IS NULL) <> (last_date IS NULL)`},
		{"a request is in its category's program, by an active member of staff",
			careCategories() + `SELECT r.id FROM care_requests r JOIN cats c ON c.code = r.category
				JOIN programs p ON p.id = r.program_id JOIN users u ON u.id = r.staff_id
				WHERE p.code <> (SELECT program FROM (VALUES ` + programsOf() + `) x (code, program) WHERE x.code = r.category)
					OR u.role <> 'staff' OR u.status <> 'active'`},
		{"children's help names her own children, other help none",
			careCategories() + `SELECT r.id FROM care_requests r JOIN cats c ON c.code = r.category
				WHERE c.children AND (cardinality(r.child_ids) = 0 OR EXISTS (SELECT 1 FROM unnest(r.child_ids) k (id)
					WHERE NOT EXISTS (SELECT 1 FROM staff_children sc WHERE sc.id = k.id AND sc.user_id = r.staff_id)))
					OR NOT c.children AND cardinality(r.child_ids) > 0`},
		{"sensitive help has her separate consent of the right kind, other help none",
			careCategories() + `SELECT r.id FROM care_requests r JOIN cats c ON c.code = r.category
				LEFT JOIN consents k ON k.id = r.consent_id
				WHERE c.sensitive AND (k.id IS NULL OR k.user_id <> r.staff_id OR k.version <> $1
						OR k.kind <> CASE r.category WHEN 'counselling' THEN 'counselling' ELSE 'children_data' END)
					OR NOT c.sensitive AND r.consent_id IS NOT NULL`},
		{"no volunteer has more active pairings than capacity",
			`SELECT vp.user_id AS id FROM volunteer_profiles vp
				WHERE (SELECT count(*) FROM pairings p WHERE p.volunteer_id = vp.user_id AND p.status = 'active') > vp.capacity`},
		{"a matched request's pairing is hers with its volunteer in its program",
			`SELECT r.id FROM care_requests r LEFT JOIN pairings p ON p.id = r.pairing_id
				WHERE (r.volunteer_id IS NULL) <> (r.pairing_id IS NULL) OR ` + matched + ` AND (p.staff_id <> r.staff_id
					OR p.volunteer_id <> r.volunteer_id OR p.program_id <> r.program_id OR p.started_at > r.matched_at)`},
		{"a matched request has its volunteer's offer accepted; no other request has one",
			`SELECT r.id FROM care_requests r WHERE (r.volunteer_id IS NOT NULL) <> EXISTS (SELECT 1 FROM care_offers o
				WHERE o.request_id = r.id AND o.status = 'accepted' AND o.volunteer_id IS NOT DISTINCT FROM r.volunteer_id)`},
		{"a round sends at most the program's offers for the urgency",
			`SELECT r.id FROM care_requests r JOIN programs p ON p.id = r.program_id JOIN care_offers o ON o.request_id = r.id
				WHERE o.reasons <> 'manual' GROUP BY r.id, o.round, r.urgency, p.offers_normal, p.offers_urgent, p.offers_emergency
				HAVING count(*) > CASE r.urgency WHEN 'normal' THEN p.offers_normal WHEN 'urgent' THEN p.offers_urgent
					ELSE p.offers_emergency END`},
		{"an offer runs out at its lifetime, or at the window's start when that comes first",
			`SELECT o.id FROM care_offers o JOIN care_requests r ON r.id = o.request_id JOIN programs p ON p.id = r.program_id
				WHERE o.reasons <> 'manual' AND o.expires_at <> least(o.created_at + make_interval(mins => CASE r.urgency
					WHEN 'normal' THEN p.minutes_normal WHEN 'urgent' THEN p.minutes_urgent ELSE p.minutes_emergency END),
					greatest(r.starts_at, o.created_at))
					OR o.answered_at < o.created_at OR o.answered_at > o.expires_at`},
		{"no offers a day over the daily cap",
			`SELECT volunteer_id AS id FROM care_offers WHERE reasons <> 'manual'
				GROUP BY volunteer_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date
				HAVING count(*) > (SELECT min(daily_offer_cap) FROM programs)`},
		{"no offer to a pair after one of them asked not to be paired again",
			`SELECT o.id FROM care_offers o JOIN care_requests r ON r.id = o.request_id JOIN pairings p ON p.staff_id = r.staff_id
				AND p.volunteer_id = o.volunteer_id AND p.no_repeat WHERE o.created_at > p.ended_at`},
		{"a volunteer is never booked twice at once",
			`SELECT a.id FROM care_occurrences a JOIN care_requests ra ON ra.id = a.request_id
				JOIN care_requests rb ON rb.volunteer_id = ra.volunteer_id AND rb.id <> ra.id
				JOIN care_occurrences b ON b.request_id = rb.id
				WHERE ra.status IN ('matched', 'completed', 'closed') AND rb.status IN ('matched', 'completed', 'closed')
					AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`},
		{"a completed or closed request has a service for every occurrence, each checked out; closed ones all confirmed",
			`SELECT r.id FROM care_requests r JOIN care_occurrences o ON o.request_id = r.id
				LEFT JOIN care_services s ON s.occurrence_id = o.id
				WHERE r.status IN ('completed', 'closed') AND (s.id IS NULL OR s.status = 'checked_in'
					OR r.status = 'closed' AND s.status <> 'confirmed')`},
		{"a service is the request's, by its volunteer, its minutes what its times say",
			`SELECT s.id FROM care_services s JOIN care_requests r ON r.id = s.request_id JOIN care_occurrences o ON o.id = s.occurrence_id
				WHERE o.request_id <> r.id OR s.volunteer_id <> r.volunteer_id OR s.staff_id <> r.staff_id OR s.pairing_id <> r.pairing_id
					OR s.minutes <> greatest(round(extract(epoch FROM s.checked_out_at - s.checked_in_at) / 60), 1)
					OR s.confirmed_at < s.checked_out_at OR s.confirmed_by = 'auto' AND s.confirmed_at <> s.checked_out_at + interval '72 hours'
					OR s.status = 'checked_out' AND s.checked_out_at + interval '72 hours' < date_trunc('day', $1::timestamptz AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'`},
		{"a timeline starts with the submission and is in time order",
			`SELECT request_id AS id FROM (SELECT request_id, kind, at, row_number() OVER w AS n, lag(at) OVER w AS before
				FROM care_events WINDOW w AS (PARTITION BY request_id ORDER BY id)) e
				WHERE n = 1 AND kind <> 'submitted' OR before > at`},
		{"a closed request's timeline says its rating",
			`SELECT r.id FROM care_requests r WHERE r.status = 'closed' AND NOT EXISTS (SELECT 1 FROM care_events e
				WHERE e.request_id = r.id AND e.kind = 'closed' AND e.count = r.rating)`},
		{"an escalated or expired request was escalated, why and when",
			`SELECT r.id FROM care_requests r WHERE r.status IN ('escalated', 'expired') AND (r.escalated_at IS NULL
				OR r.escalation NOT IN ('no_candidates', 'window_started') OR NOT EXISTS (SELECT 1 FROM care_events e
					WHERE e.request_id = r.id AND e.kind = 'escalated' AND e.detail = r.escalation))`},
		{"an inbox read by id is in time order",
			`SELECT id FROM (SELECT id, created_at, lag(created_at) OVER (PARTITION BY user_id ORDER BY id) AS before
				FROM notifications) n WHERE before > created_at`},
		{"nothing happens after now",
			`SELECT id FROM care_events WHERE at > $1 UNION ALL SELECT id FROM notifications WHERE created_at > $1 OR read_at > $1
				UNION ALL SELECT id FROM care_requests WHERE updated_at > $1 OR submitted_at > $1`},
	}
	for _, r := range rules {
		var args []any
		switch {
		case strings.Contains(r.query, "k.version <> $1"):
			args = []any{domain.CareConsentVersion}
		case strings.Contains(r.query, "$1"):
			args = []any{now}
		}
		offenders(t, s, r.rule, r.query, args...)
	}
	// The accepted volunteer's week covers the help (a coordinator's hand assignment may override it).
	rows, err := s.SQL().QueryContext(ctx, `SELECT r.id, array_to_string(vp.availability, ','), o.starts_at, o.ends_at
		FROM care_requests r JOIN volunteer_profiles vp ON vp.user_id = r.volunteer_id JOIN care_occurrences o ON o.request_id = r.id
		WHERE NOT EXISTS (SELECT 1 FROM care_offers x WHERE x.request_id = r.id AND x.reasons = 'manual')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var slots string
		var w domain.Window
		if err := rows.Scan(&id, &slots, &w.Start, &w.End); err != nil {
			t.Fatal(err)
		}
		need, ok := domain.SlotsOf(w)
		if have := domain.SlotMask(strings.Split(slots, ",")); !ok || have&need != need {
			t.Errorf("request %d: its volunteer is not available %s–%s", id, w.Start, w.End)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func programsOf() string {
	var rows []string
	for _, c := range domain.Categories {
		rows = append(rows, fmt.Sprintf("('%s', '%s')", c.Code, c.Program))
	}
	return strings.Join(rows, ", ")
}

// The twelve weeks look like a city's: about one and a half requests per active member of staff, in the
// categories' proportions, mostly closed with four or five stars, some of everything else, her volunteer kept.
func TestSeededCareHasACitysProportions(t *testing.T) {
	f, _ := seededCare(t, 7, seedClockAt)
	var staff, requests int
	if err := f.s.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users WHERE role = 'staff' AND status = 'active'),
		(SELECT count(*) FROM care_requests)`).Scan(&staff, &requests); err != nil {
		t.Fatal(err)
	}
	if r := float64(requests) / float64(staff); r < 1.3 || r > 1.7 {
		t.Errorf("%d requests for %d active staff: %.2f each, want about 1.5", requests, staff, r)
	}
	share := func(where string) float64 {
		var n int
		if err := f.s.SQL().QueryRowContext(ctx, `SELECT count(*) FROM care_requests WHERE `+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return float64(n) / float64(requests)
	}
	for _, c := range []struct {
		what     string
		where    string
		from, to float64
	}{
		{"transport", "category = 'transport'", 0.28, 0.42}, {"errands", "category = 'errand'", 0.19, 0.31},
		{"emergencies", "category = 'emergency'", 0.02, 0.09}, {"counselling", "category = 'counselling'", 0.06, 0.14},
		{"tutoring", "category = 'tutoring'", 0.10, 0.20}, {"companionship", "category = 'companionship'", 0.06, 0.14},
		{"normal urgency", "urgency = 'normal'", 0.7, 0.95}, {"recurring", "cardinality(weekdays) > 0", 0.08, 0.3},
		{"closed", "status = 'closed'", 0.65, 0.88}, {"rated 4 or 5 of the closed", "status = 'closed' AND rating >= 4", 0.6, 0.85},
		{"completed, not closed", "status = 'completed'", 0.02, 0.12}, {"cancelled", "status = 'cancelled'", 0.04, 0.15},
		{"expired", "status = 'expired'", 0.02, 0.12}, {"live", "status IN ('dispatching', 'escalated', 'matched')", 0.005, 0.03},
	} {
		if got := share(c.where); got < c.from || got > c.to {
			t.Errorf("%s: %.3f of the requests, want %.2f–%.2f", c.what, got, c.from, c.to)
		}
	}
	// Continuity: a later request of hers in a program mostly goes to a volunteer she already had there.
	var later, kept int
	if err := f.s.SQL().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM care_requests e
			WHERE e.staff_id = r.staff_id AND e.program_id = r.program_id AND e.volunteer_id = r.volunteer_id AND e.submitted_at < r.submitted_at))
		FROM care_requests r WHERE r.volunteer_id IS NOT NULL AND EXISTS (SELECT 1 FROM care_requests e WHERE e.staff_id = r.staff_id
			AND e.program_id = r.program_id AND e.volunteer_id IS NOT NULL AND e.submitted_at < r.submitted_at)`).Scan(&later, &kept); err != nil {
		t.Fatal(err)
	}
	if later == 0 || float64(kept)/float64(later) < 0.5 {
		t.Errorf("of %d later requests in a program, %d went to a volunteer she had there", later, kept)
	}
	var ended, noRepeat int
	if err := f.s.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'ended'), count(*) FILTER (WHERE no_repeat)
		FROM pairings`).Scan(&ended, &noRepeat); err != nil {
		t.Fatal(err)
	}
	if ended == 0 || noRepeat == 0 {
		t.Errorf("%d pairings ended, %d of them not to be repeated; want some of each", ended, noRepeat)
	}
}

// figuresAgree checks every volunteer's figures against the rows they count.
func figuresAgree(t *testing.T, s *repository.Store) {
	t.Helper()
	offenders(t, s, "a volunteer's figures are what the rows say", `SELECT vp.user_id AS id FROM volunteer_profiles vp WHERE
		vp.active_pairings <> (SELECT count(*) FROM pairings p WHERE p.volunteer_id = vp.user_id AND p.status = 'active')
		OR vp.rating_sum <> (SELECT coalesce(sum(rating), 0) FROM care_requests r WHERE r.volunteer_id = vp.user_id AND r.status = 'closed')
		OR vp.rating_count <> (SELECT count(*) FROM care_requests r WHERE r.volunteer_id = vp.user_id AND r.status = 'closed')
		OR vp.confirmed_minutes <> (SELECT coalesce(sum(minutes), 0) FROM care_services s WHERE s.volunteer_id = vp.user_id AND s.status = 'confirmed')
		OR vp.last_offer_at IS DISTINCT FROM (SELECT max(created_at) FROM care_offers o WHERE o.volunteer_id = vp.user_id AND o.reasons <> 'manual')
		OR vp.offers_day IS DISTINCT FROM (vp.last_offer_at AT TIME ZONE 'Asia/Shanghai')::date
		OR vp.offers_that_day <> (SELECT count(*) FROM care_offers o WHERE o.volunteer_id = vp.user_id AND o.reasons <> 'manual'
			AND (o.created_at AT TIME ZONE 'Asia/Shanghai')::date = vp.offers_day)`)
}

func TestSeededCareFiguresAreTheRows(t *testing.T) {
	f, clock := seededCare(t, 7, seedClockAt)
	figuresAgree(t, f.s)
	var today, rated, minutes int
	if err := f.s.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE offers_day = $1::date), count(*) FILTER (WHERE rating_count > 0),
		count(*) FILTER (WHERE confirmed_minutes > 0) FROM volunteer_profiles`, domain.Today(clock.Now())).Scan(&today, &rated, &minutes); err != nil {
		t.Fatal(err)
	}
	if today == 0 || rated == 0 || minutes == 0 {
		t.Errorf("%d volunteers offered something today, %d rated, %d with confirmed hours; want some of each", today, rated, minutes)
	}
}

// The live requests are live: offers pending until after now with their round's expiry queued, every open request's
// window start and end queued, and what the seed left pending acts when its time comes, through the app's own jobs.
// heldMorning: the seeded city has a morning of rides held for the plan, and the coordinator's 建议分配 over it
// gives most of them a volunteer.
func heldMorning(t *testing.T, s *repository.Store) {
	t.Helper()
	var day time.Time
	var held int
	if err := s.SQL().QueryRowContext(ctx, `SELECT count(*), coalesce(min(starts_at), now()) FROM care_requests
		WHERE status = 'submitted' AND round = 0`).Scan(&held, &day); err != nil {
		t.Fatal(err)
	}
	if held < 3 {
		t.Fatalf("%d rides held for the plan", held)
	}
	coord := s.SQL().QueryRowContext(ctx, `SELECT id FROM users WHERE phone = '13800000003'`)
	var coordID int64
	if err := coord.Scan(&coordID); err != nil {
		t.Fatal(err)
	}
	id, err := s.ProposeAssignment(ctx, repository.Actor{UserID: coordID, Role: domain.RoleCoordinator, IP: "test"},
		domain.AssignmentForm{Program: "one_to_one", Date: day.In(domain.Shanghai).Format(time.DateOnly), From: "06:00", To: "10:00"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.AssignmentProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	paired := 0
	for _, l := range p.Rows {
		if l.VolunteerID != nil {
			paired++
		}
	}
	if len(p.Rows) == 0 || 2*paired < len(p.Rows) {
		t.Errorf("the morning's proposal: %d of %d rides given a volunteer (%d held in all)", paired, len(p.Rows), held)
	}
}

func TestSeededLiveRequestsAreLive(t *testing.T) {
	f, clock := seededCare(t, 7, seedClockAt)
	s := f.s
	now := clock.Now()
	counts := map[string]int{}
	rows, err := s.SQL().QueryContext(ctx, `SELECT status, count(*) FROM care_requests
		WHERE status IN ('dispatching', 'escalated', 'matched') GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		counts[st] = n
	}
	rows.Close()
	for _, st := range []string{domain.RequestDispatching, domain.RequestEscalated, domain.RequestMatched} {
		if counts[st] == 0 {
			t.Errorf("no live request is %s", st)
		}
	}
	heldMorning(t, s)
	job := func(kind, key string) string {
		return `EXISTS (SELECT 1 FROM river_job j WHERE j.kind = '` + kind + `' AND j.state = 'scheduled'
			AND (j.args->>'` + key + `')::bigint = `
	}
	offenders(t, s, "a dispatching request has offers of its round pending until after now, and the round's expiry queued then",
		`SELECT r.id FROM care_requests r WHERE r.status = 'dispatching' AND NOT (
			EXISTS (SELECT 1 FROM care_offers o WHERE o.request_id = r.id AND o.round = r.round AND o.status = 'pending')
			AND NOT EXISTS (SELECT 1 FROM care_offers o WHERE o.request_id = r.id AND o.status = 'pending'
				AND (o.round <> r.round OR o.expires_at <= $1))
			AND `+job("care_offer_round", "request_id")+`r.id AND (j.args->>'round')::int = r.round
				AND j.scheduled_at = (SELECT max(expires_at) FROM care_offers o WHERE o.request_id = r.id AND o.round = r.round)))`, now)
	offenders(t, s, "a held ride waits for the plan: never offered, told so, its release queued 12 hours before the help, ahead",
		`SELECT r.id FROM care_requests r WHERE r.status = 'submitted' AND NOT (r.round = 0 AND r.urgency = 'normal'
			AND NOT EXISTS (SELECT 1 FROM care_offers o WHERE o.request_id = r.id)
			AND EXISTS (SELECT 1 FROM care_events e WHERE e.request_id = r.id AND e.kind = 'held_for_plan')
			AND `+job("care_plan_release", "request_id")+`r.id AND j.scheduled_at = r.starts_at - interval '12 hours'
				AND j.scheduled_at > $1))`, now)
	offenders(t, s, "an open request's window start and end are queued, and lie ahead",
		`SELECT r.id FROM care_requests r WHERE r.status IN ('submitted', 'dispatching', 'escalated', 'matched') AND NOT (
			`+job("care_window_start", "request_id")+`r.id AND j.scheduled_at = r.starts_at)
			AND `+job("care_window_end", "request_id")+`r.id AND j.scheduled_at = r.ends_at) AND r.starts_at > $1)`, now)
	offenders(t, s, "only requests that are open, or pending offers, are live",
		`SELECT o.id FROM care_offers o JOIN care_requests r ON r.id = o.request_id WHERE o.status = 'pending' AND r.status <> 'dispatching'`)
	offenders(t, s, "a service not yet confirmed has its automatic confirmation queued",
		`SELECT s.id FROM care_services s WHERE s.status = 'checked_out' AND NOT `+job("care_auto_confirm", "service_id")+
			`s.id AND j.scheduled_at = s.checked_out_at + interval '72 hours')`)

	// One pending offer of each dispatching request can be accepted: the app's second look finds it still fits.
	var offers []struct{ id, volunteer int64 }
	rows, err = s.SQL().QueryContext(ctx, `SELECT DISTINCT ON (o.request_id) o.id, o.volunteer_id FROM care_offers o
		WHERE o.status = 'pending' ORDER BY o.request_id, o.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o struct{ id, volunteer int64 }
		if err := rows.Scan(&o.id, &o.volunteer); err != nil {
			t.Fatal(err)
		}
		offers = append(offers, o)
	}
	rows.Close()
	first := offers[0]
	if _, err := s.AcceptOffer(ctx, repository.Actor{UserID: first.volunteer, Role: domain.RoleVolunteer, IP: "test"}, first.id); err != nil {
		t.Errorf("accepting seeded offer %d: %v", first.id, err)
	}
	figuresAgree(t, s)

	// The rest run out: their rounds' jobs send the next round (or call the coordinators), keeping the figures.
	var waiting []int64
	rows, err = s.SQL().QueryContext(ctx, `SELECT id FROM care_requests WHERE status = 'dispatching'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, id)
	}
	rows.Close()
	rounds := map[int64]int{}
	for _, id := range waiting {
		var round int
		if err := s.SQL().QueryRowContext(ctx, `SELECT round FROM care_requests WHERE id = $1`, id).Scan(&round); err != nil {
			t.Fatal(err)
		}
		rounds[id] = round
	}
	startJobs(t, s, repository.JobOptions{})
	clock.Advance(2*time.Hour + time.Minute)
	for _, id := range waiting {
		waitFor(t, jobWait, fmt.Sprintf("request %d's round to run out", id), func() bool {
			var status string
			var round int
			if err := s.SQL().QueryRowContext(ctx, `SELECT status, round FROM care_requests WHERE id = $1`, id).Scan(&status, &round); err != nil {
				t.Fatal(err)
			}
			return status != domain.RequestDispatching || round != rounds[id]
		})
	}
	figuresAgree(t, s)
}

func TestSeededCareIsDeterministic(t *testing.T) {
	fingerprint := func(f fund, past bool) string {
		q := `SELECT md5(string_agg(r::text, '|' ORDER BY r.id)) FROM care_requests r`
		if past {
			q = `SELECT md5(string_agg(concat_ws(',', staff_id, category, status, starts_at, volunteer_id, rating), '|'
				ORDER BY submitted_at, starts_at, staff_id)) FROM care_requests WHERE status IN ('closed', 'completed', 'cancelled', 'expired')`
		}
		var sum string
		if err := f.s.SQL().QueryRowContext(ctx, q).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		return sum
	}
	a, _ := seededCare(t, 7, seedClockAt)
	b, _ := seededCare(t, 7, seedClockAt)
	if fingerprint(a, false) != fingerprint(b, false) {
		t.Error("seed 7 at the same moment gave two sets of care requests")
	}
	c, _ := seededCare(t, 7, seedClockAt.Add(-6*time.Hour))
	if fingerprint(a, true) != fingerprint(c, true) {
		t.Error("seed 7 gave other past care requests later the same day")
	}
}

// The seeded benefits keep the rules the app keeps: no holder over the quota in a period, a valid and unique code
// for each approved application, redeemed only at its place's desk and before it expired.
func TestSeededBenefitsFollowTheRules(t *testing.T) {
	f := seededFund(t, 7)
	one := func(q string) int64 {
		t.Helper()
		var n int64
		if err := f.s.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := one(`SELECT count(*) FROM vouchers`); n == 0 {
		t.Fatal("the seed issued no vouchers")
	}
	if n := one(`SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL`); n == 0 {
		t.Error("the seed redeemed no vouchers")
	}
	if n := one(`SELECT count(*) FROM (SELECT a.program_id, a.staff_id, coalesce(a.child_id, 0), a.period_start, count(*) AS n, max(p.quota) AS quota
		FROM benefit_applications a JOIN programs p ON p.id = a.program_id WHERE a.status IN ('submitted', 'approved')
		GROUP BY 1, 2, 3, 4) h WHERE n > quota`); n != 0 {
		t.Errorf("%d holders over their quota", n)
	}
	if n := one(`SELECT count(*) FROM benefit_applications a LEFT JOIN vouchers v ON v.application_id = a.id
		WHERE (a.status = 'approved') <> (v.id IS NOT NULL)`); n != 0 {
		t.Errorf("%d applications whose voucher does not match their state", n)
	}
	if n := one(`SELECT count(*) FROM vouchers v JOIN benefit_places p ON p.id = v.place_id
		WHERE v.redeemed_at IS NOT NULL AND (v.redeemed_by <> p.venue_id OR v.redeemed_at >= v.expires_at OR v.redeemed_at < v.issued_at)`); n != 0 {
		t.Errorf("%d vouchers redeemed at the wrong desk or time", n)
	}
	rows, err := f.s.SQL().Query(`SELECT code FROM vouchers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			t.Fatal(err)
		}
		if !domain.ValidVoucherCode(code) {
			t.Fatalf("seeded code %q fails its check", code)
		}
	}
}
