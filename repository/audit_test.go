package repository_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// The audit log must survive anyone with a database connection, not just the app's own code.
func TestAuditEventsAreAppendOnly(t *testing.T) {
	url := testdb.URL(t)
	s, err := repository.Open(ctx, url, repository.Options{IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	if _, err := s.RevealPhone(ctx, repository.Actor{UserID: admin.ID, IP: "203.0.113.9"}, staff.ID); err != nil {
		t.Fatal(err)
	}
	before := auditActions(t, s, staff.ID)

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`UPDATE audit_events SET action = 'nothing.happened'`,
		`UPDATE audit_events SET actor_ip = '' WHERE action = 'phone.reveal'`,
		`DELETE FROM audit_events`,
		`DELETE FROM audit_events WHERE action = 'phone.reveal'`,
		`TRUNCATE audit_events`,
	} {
		t.Run(q, func(t *testing.T) {
			_, err := db.ExecContext(ctx, q)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Fatalf("%s: err = %v, want the database to refuse it (42501)", q, err)
			}
		})
	}
	after := auditActions(t, s, staff.ID)
	if len(after) != len(before) || count(after, "phone.reveal") != 1 {
		t.Errorf("audit log changed: %v, then %v", before, after)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'phone.reveal' AND actor_ip = '203.0.113.9'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("reveal rows intact: %d, %v; want 1", n, err)
	}
	// Appending still works.
	if _, err := s.RevealPhone(ctx, repository.Actor{UserID: admin.ID, IP: "203.0.113.9"}, staff.ID); err != nil {
		t.Fatalf("append after the refused changes: %v", err)
	}
}
