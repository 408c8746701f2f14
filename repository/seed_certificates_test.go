package repository_test

import (
	"testing"
)

// The seeded certificates are what IssueCertificate would have issued: their hours are the sum of the services they
// list, each service counted is a confirmed service of the holder in the period, no two share a period, and each
// one's code verifies.
func TestSeededCertificatesAreIssued(t *testing.T) {
	f, _ := seededCare(t, 7, seedClockAt)
	var n, wrongSum, foreign, noCode int64
	err := f.s.SQL().QueryRowContext(ctx, `SELECT count(*),
			count(*) FILTER (WHERE minutes <> (SELECT coalesce(sum((e->>'minutes')::int), 0) FROM jsonb_array_elements(services) e)
				OR service_count <> jsonb_array_length(services)
				OR minutes <> (SELECT sum((e->>'minutes')::int) FROM jsonb_array_elements(programs) e)),
			count(*) FILTER (WHERE service_count <> (SELECT count(*) FROM care_services sv WHERE sv.volunteer_id = c.volunteer_id
				AND sv.status = 'confirmed' AND sv.confirmed_at < c.issued_at
				AND (sv.checked_in_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN c.period_from AND c.period_to)),
			count(*) FILTER (WHERE code !~ '^[0-9A-HJKMNP-TV-Z]{20}$' OR number NOT LIKE 'GAZY-____-%')
		FROM certificates c`).Scan(&n, &wrongSum, &foreign, &noCode)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || wrongSum != 0 || foreign != 0 || noCode != 0 {
		t.Fatalf("%d seeded certificates: %d whose sums differ, %d whose services are not the holder's, %d badly numbered", n, wrongSum, foreign, noCode)
	}
	var code string
	var minutes int64
	if err := f.s.SQL().QueryRowContext(ctx, `SELECT code, minutes FROM certificates ORDER BY id LIMIT 1`).Scan(&code, &minutes); err != nil {
		t.Fatal(err)
	}
	if check, err := f.s.VerifyCertificate(ctx, code); err != nil || check.Minutes != minutes {
		t.Errorf("a seeded certificate verifies as %+v, %v", check, err)
	}
	t.Logf("%d certificates seeded", n)
}
