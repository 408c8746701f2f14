package repository_test

import "testing"

// TestSeededGrantsAndClaimsFollowTheRules: the seeded city has applications and claims in every state; each
// approved application and confirmed claim is paid by one disbursement that names it back; a claim is its
// volunteer's, for a service of his that he checked out of; the ledger still agrees and new rows can follow.
func TestSeededGrantsAndClaimsFollowTheRules(t *testing.T) {
	f := seededFund(t, 7)
	ledgerOK(t, f.s)
	for _, q := range []struct {
		what string
		sql  string
		want func(int) bool
	}{
		{"applications", `SELECT count(*) FROM grant_applications`, func(n int) bool { return n > 0 }},
		{"application states", `SELECT count(DISTINCT status) FROM grant_applications`, func(n int) bool { return n >= 2 }},
		{"claims", `SELECT count(*) FROM expense_claims`, func(n int) bool { return n > 0 }},
		{"paid grants", `SELECT count(*) FROM grant_applications g JOIN disbursements d ON d.id = g.disbursement_id
			WHERE d.status = 'paid'`, func(n int) bool { return n > 0 }},
		{"approved without a disbursement naming it", `SELECT count(*) FROM grant_applications g LEFT JOIN disbursements d
			ON d.id = g.disbursement_id AND d.source_type = 'grant' AND d.source_id = g.id
			WHERE g.status = 'approved' AND d.id IS NULL`, func(n int) bool { return n == 0 }},
		{"confirmed without a disbursement naming it", `SELECT count(*) FROM expense_claims c LEFT JOIN disbursements d
			ON d.id = c.disbursement_id AND d.source_type = 'claim' AND d.source_id = c.id
			WHERE c.status = 'confirmed' AND d.id IS NULL`, func(n int) bool { return n == 0 }},
		{"claims not for his own checked-out service", `SELECT count(*) FROM expense_claims c JOIN care_services sv ON sv.id = c.service_id
			WHERE sv.volunteer_id <> c.volunteer_id OR sv.staff_id <> c.staff_id OR sv.status = 'checked_in'`, func(n int) bool { return n == 0 }},
		{"a disbursement made by its checker", `SELECT count(*) FROM disbursements WHERE checker_id = maker_id`, func(n int) bool { return n == 0 }},
		{"applications without a document", `SELECT count(*) FROM grant_applications g WHERE NOT EXISTS
			(SELECT 1 FROM documents WHERE grant_id = g.id)`, func(n int) bool { return n == 0 }},
	} {
		var n int
		if err := f.s.SQL().QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !q.want(n) {
			t.Errorf("%s: %d", q.what, n)
		}
	}
	for _, table := range []string{"grant_applications", "expense_claims", "documents"} {
		var next, most int64
		if err := f.s.SQL().QueryRow(`SELECT nextval(pg_get_serial_sequence($1, 'id')), (SELECT coalesce(max(id), 0) FROM `+table+`)`,
			table).Scan(&next, &most); err != nil {
			t.Fatal(err)
		}
		if next <= most {
			t.Errorf("%s: the next id is %d, the seed wrote up to %d", table, next, most)
		}
	}
}
