package repository_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/repository"
	"guanai/repository/testdb"
)

// startJobs works the store's background jobs until the test ends.
func startJobs(t *testing.T, s *repository.Store, o repository.JobOptions) {
	t.Helper()
	jobCtx, stop := context.WithCancel(ctx)
	jobs, err := s.StartJobs(jobCtx, o)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop()
		jobs.Wait()
	})
}

// reconciled waits for the count-th reconciliation to finish and returns the newest.
func reconciled(t *testing.T, s *repository.Store, count int) *repository.Reconciliation {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n := countRows(t, s, "ledger_reconciliations"); n >= count {
			last, _, err := s.LastReconciliation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return last
		}
	}
	t.Fatalf("no %d reconciliations after 30 s", count)
	return nil
}

func countRows(t *testing.T, s *repository.Store, table string) int {
	t.Helper()
	var n int
	if err := s.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func queuedReconciliations(t *testing.T, s *repository.Store) int {
	t.Helper()
	var n int
	if err := s.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'ledger_reconcile'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A new site reconciles as soon as it starts: every check passes on a good ledger, stamped by the store's clock.
func TestReconciliationOnStartPasses(t *testing.T) {
	clock := testdb.NewClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	f := newFundWithClock(t, clock)
	f.donate(t, 100_00, "")
	startJobs(t, f.s, repository.JobOptions{})
	r := reconciled(t, f.s, 1)
	if !r.OK || r.Error != "" || r.RequestedBy != nil {
		t.Fatalf("on a good ledger: %+v", r)
	}
	if len(r.Checks) < 9 {
		t.Errorf("%d checks stored, want every one", len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Name == "" || c.Problems == nil || len(c.Problems) > 0 {
			t.Errorf("check stored as %+v", c)
		}
	}
	if !r.StartedAt.Equal(clock.Now()) || !r.FinishedAt.Equal(clock.Now()) || !r.RequestedAt.Equal(clock.Now()) {
		t.Errorf("times %v %v %v, want the store's clock %v", r.RequestedAt, r.StartedAt, r.FinishedAt, clock.Now())
	}
}

// Someone asks; the job finds the balance changed behind the ledger's back and stores the problems in words.
func TestReconciliationFindsTampering(t *testing.T) {
	f := newFund(t)
	f.donate(t, 100_00, "")
	if _, err := f.s.SQL().Exec("UPDATE accounts SET balance = balance + 1 WHERE code = 'external:payees'"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RequestReconciliation(ctx, f.finance); err != nil {
		t.Fatal(err)
	}
	startJobs(t, f.s, repository.JobOptions{})
	r := reconciled(t, f.s, 1)
	if r.OK || r.RequestedBy == nil || *r.RequestedBy != f.finance.UserID || r.RequesterName == "" {
		t.Fatalf("after tampering: %+v", r)
	}
	found := map[string]string{}
	for _, c := range r.Checks {
		found[c.Name] = strings.Join(c.Problems, "; ")
	}
	if !strings.Contains(found["balances_match_entries"], "external:payees: balance 1, entries 0") {
		t.Errorf("balances_match_entries found %q", found["balances_match_entries"])
	}
	if found["receipts_gap_free"] != "" {
		t.Errorf("receipts_gap_free found %q on good receipts", found["receipts_gap_free"])
	}
	if n := countRows(t, f.s, "ledger_reconciliations"); n != 1 {
		t.Errorf("%d results for the one request and the start, want 1: the start joins what is pending", n)
	}
}

// Checks that cannot run at all are a result too: failed, with the reason, and no checks.
func TestReconciliationThatCannotRunSaysWhy(t *testing.T) {
	f := newFund(t)
	if _, err := f.s.SQL().Exec("ALTER TABLE receipts RENAME TO receipts_elsewhere"); err != nil {
		t.Fatal(err)
	}
	startJobs(t, f.s, repository.JobOptions{})
	r := reconciled(t, f.s, 1)
	if r.OK || !strings.Contains(r.Error, "receipts") || r.Checks != nil {
		t.Fatalf("without a receipts table: %+v", r)
	}
}

// Asking while a reconciliation is pending joins it, however many ask at once; each ask is in the audit log.
func TestReconciliationRequestedTwiceQueuesOne(t *testing.T) {
	f := newFund(t)
	first, err := f.s.RequestReconciliation(ctx, f.finance)
	if err != nil || first {
		t.Fatalf("first request: pending already %v, %v", first, err)
	}
	var wg sync.WaitGroup
	for _, who := range []repository.Actor{f.finance, f.approver, f.approver} {
		wg.Go(func() {
			if joined, err := f.s.RequestReconciliation(ctx, who); err != nil || !joined {
				t.Errorf("request while pending: joined %v, %v", joined, err)
			}
		})
	}
	wg.Wait()
	if n := queuedReconciliations(t, f.s); n != 1 {
		t.Fatalf("%d jobs queued for four requests, want 1", n)
	}
	last, pending, err := f.s.LastReconciliation(ctx)
	if err != nil || last != nil || !pending {
		t.Fatalf("before it ran: %v pending %v (%v)", last, pending, err)
	}
	var asks, jobs int
	if err := f.s.SQL().QueryRow(`SELECT count(*), count(DISTINCT after->>'job') FROM audit_events
		WHERE action = 'ledger.reconcile'`).Scan(&asks, &jobs); err != nil {
		t.Fatal(err)
	}
	if asks != 4 || jobs != 1 {
		t.Errorf("audit log: %d requests naming %d jobs, want 4 naming 1", asks, jobs)
	}

	startJobs(t, f.s, repository.JobOptions{})
	reconciled(t, f.s, 1)
	if _, pending, _ := f.s.LastReconciliation(ctx); pending {
		t.Error("still pending after it ran")
	}
	if again, err := f.s.RequestReconciliation(ctx, f.finance); err != nil || again {
		t.Errorf("a request after it ran: joined %v, %v; want a new run", again, err)
	}
	reconciled(t, f.s, 2)
}

// A start queues nothing when a result is fresh, and a reconciliation when the last is older than the interval.
func TestReconciliationOnStartOnlyWhenStale(t *testing.T) {
	// A clock a few hours behind the real one, not months: River's cleaner deletes finished jobs by the database's
	// time, and a job finished in March would be gone before the count below.
	clock := testdb.NewClock(time.Now().Add(-3 * time.Hour).Truncate(time.Second))
	f := newFundWithClock(t, clock)
	if _, err := f.s.RequestReconciliation(ctx, f.finance); err != nil {
		t.Fatal(err)
	}
	startJobs(t, f.s, repository.JobOptions{})
	reconciled(t, f.s, 1)

	clock.Advance(59 * time.Minute)
	startJobs(t, f.s, repository.JobOptions{})
	if _, pending, _ := f.s.LastReconciliation(ctx); pending || queuedReconciliations(t, f.s) != 1 {
		t.Fatal("a start queued a reconciliation with a fresh result")
	}
	clock.Advance(2 * time.Minute)
	startJobs(t, f.s, repository.JobOptions{})
	if r := reconciled(t, f.s, 2); r.RequestedBy != nil || !r.FinishedAt.Equal(clock.Now()) {
		t.Errorf("the start's reconciliation: %+v", r)
	}
}

// The schedule reconciles again and again by itself.
func TestReconciliationSchedule(t *testing.T) {
	f := newFund(t)
	startJobs(t, f.s, repository.JobOptions{ReconcileEvery: time.Second})
	reconciled(t, f.s, 3)
	var asked int
	if err := f.s.SQL().QueryRow(`SELECT count(*) FROM ledger_reconciliations WHERE requested_by IS NOT NULL`).Scan(&asked); err != nil || asked != 0 {
		t.Errorf("%d scheduled results name someone who asked (%v)", asked, err)
	}
}

// A result, once stored, is never changed or removed.
func TestReconciliationsAreAppendOnly(t *testing.T) {
	f := newFund(t)
	startJobs(t, f.s, repository.JobOptions{})
	reconciled(t, f.s, 1)
	for _, q := range []string{
		"UPDATE ledger_reconciliations SET ok = false, checks = NULL, error = 'x'",
		"DELETE FROM ledger_reconciliations",
		"TRUNCATE ledger_reconciliations",
	} {
		if _, err := f.s.SQL().Exec(q); err == nil {
			t.Errorf("the database allowed %q", q)
		}
	}
	// Nor can a result say it passed when a check found something.
	if _, err := f.s.SQL().Exec(`INSERT INTO ledger_reconciliations (job_id, requested_at, started_at, finished_at, ok, checks)
		VALUES (999, now(), now(), now(), true, '[{"name": "x", "problems": ["y"]}]')`); err == nil {
		t.Error("the database stored a pass with a problem in it")
	}
}
