package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"
)

// HeldDonation makes the database hold the insert of the donation with a reference — a trigger waits for an
// advisory lock the test holds — until released: a statement's confirmation stops at that line, so a test can look
// at it meanwhile or do something beside it.
type HeldDonation struct {
	conn *sql.Conn
	key  int64
}

// HoldDonation holds the insert of the donation with reference on db until Release (or the test's end).
func HoldDonation(t testing.TB, db *sql.DB, reference string) *HeldDonation {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := &HeldDonation{conn: conn, key: 4242}
	t.Cleanup(func() { h.Release(t) })
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", h.key); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE FUNCTION hold_line() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.reference = '%s' THEN PERFORM pg_advisory_xact_lock_shared(%d); END IF; RETURN NEW; END $$;
		CREATE TRIGGER hold_line BEFORE INSERT ON donations FOR EACH ROW EXECUTE FUNCTION hold_line()`, reference, h.key)); err != nil {
		t.Fatal(err)
	}
	return h
}

// Waiting waits until a backend waits at the held insert, and returns its process id.
func (h *HeldDonation) Waiting(t testing.TB) int {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var pid int
		err := h.conn.QueryRowContext(context.Background(), `SELECT pid FROM pg_locks WHERE locktype = 'advisory'
			AND NOT granted AND objid = $1`, h.key).Scan(&pid)
		if err == nil {
			return pid
		}
		if !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
	}
	t.Fatal("nothing reaches the held donation in 60 s")
	return 0
}

// Release lets the held insert through, once; later ones are not held.
func (h *HeldDonation) Release(t testing.TB) {
	if h.conn == nil {
		return
	}
	// The lock first: dropping the trigger waits for the transaction the trigger holds.
	ctx := context.Background()
	if _, err := h.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", h.key); err != nil {
		t.Error(err)
	}
	if _, err := h.conn.ExecContext(ctx, "DROP TRIGGER hold_line ON donations; DROP FUNCTION hold_line()"); err != nil {
		t.Error(err)
	}
	h.conn.Close()
	h.conn = nil
}
