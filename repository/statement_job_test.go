package repository_test

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// requestConfirmation asks for the import's confirmation as the finance operator, as the page does.
func (f fund) requestConfirmation(t *testing.T, imp repository.StatementImport, acceptErrors bool) bool {
	t.Helper()
	joined, err := f.s.RequestStatementConfirmation(ctx, f.finance, imp.ID, repository.StatementConfirmation{
		Version: imp.Version(), AcceptErrors: acceptErrors})
	if err != nil {
		t.Fatalf("request the confirmation: %v", err)
	}
	return joined
}

// settled waits until the import's confirmation is no longer pending and returns the import as its page reads it.
func (f fund) settled(t *testing.T, id int64) repository.StatementImport {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// A cheap question, often (reading the import as its page does takes a while for a long statement).
		if f.count(t, `SELECT count(*) FROM statement_progress p JOIN river_job j ON j.id = p.job_id
			WHERE p.import_id = $1 AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, id) > 0 {
			continue
		}
		if imp := f.preview(t, id); imp.Committed || !imp.Job.Pending() {
			return imp
		}
	}
	t.Fatalf("the confirmation of import %d still pending after 60 s", id)
	return repository.StatementImport{}
}

// statementJobs are the statement_confirm jobs River has, by state.
func (f fund) statementJobs(t *testing.T) map[string]int {
	t.Helper()
	rows, err := f.s.SQL().Query("SELECT state, count(*) FROM river_job WHERE kind = 'statement_confirm' GROUP BY state")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			t.Fatal(err)
		}
		out[state] = n
	}
	return out
}

type progressRow struct {
	State       string
	Done, Total int
	ErrorKey    sql.NullString
	ErrorLine   sql.NullInt64
}

func (f fund) progressRow(t *testing.T, id int64) progressRow {
	t.Helper()
	var p progressRow
	if err := f.s.SQL().QueryRow("SELECT state, done, total, error_key, error_line FROM statement_progress WHERE import_id = $1", id).
		Scan(&p.State, &p.Done, &p.Total, &p.ErrorKey, &p.ErrorLine); err != nil {
		t.Fatal(err)
	}
	return p
}

// Asking queues the job and returns; the job records the statement, and its progress row ends done.
func TestStatementConfirmedByTheJob(t *testing.T) {
	f := newFund(t)
	const n = 1200
	imp := f.uploadStatement(t, bigStatement(f, t, n), "")
	if f.requestConfirmation(t, imp, false) {
		t.Fatal("the first request joined another")
	}
	queued := f.preview(t, imp.ID)
	if queued.Committed || queued.Job == nil || queued.Job.State != "queued" || queued.Job.Total != n || !queued.Job.Pending() {
		t.Fatalf("before the jobs run: %+v", queued.Job)
	}
	if n := f.count(t, "SELECT count(*) FROM donations"); n != 0 {
		t.Fatalf("%d donations recorded by the request itself", n)
	}
	if list, _, err := f.s.StatementImports(ctx, 1); err != nil || !list[0].Importing {
		t.Errorf("the list does not say it is being imported: %+v %v", list, err)
	}
	startJobs(t, f.s, repository.JobOptions{})
	done := f.settled(t, imp.ID)
	if !done.Committed || done.Result == nil || done.Result.Added != n || done.Job != nil {
		t.Fatalf("after the job: committed %v, result %+v, job %+v", done.Committed, done.Result, done.Job)
	}
	if p := f.progressRow(t, imp.ID); p.State != "done" || p.Done != n || p.Total != n {
		t.Errorf("progress %+v", p)
	}
	if got := f.count(t, "SELECT count(*) FROM donations WHERE import_id = $1", imp.ID); got != n {
		t.Errorf("%d donations, want %d", got, n)
	}
	// Who asked is who confirmed, for the audit log.
	for _, action := range []string{"statement.confirm_request", "statement.confirm"} {
		if got := f.count(t, "SELECT count(*) FROM audit_events WHERE action = $1 AND subject_id = $2 AND actor_id = $3 AND actor_ip = 'test'",
			action, imp.ID, f.finance.UserID); got != 1 {
			t.Errorf("%d %s events by the operator, want 1", got, action)
		}
	}
	if list, _, err := f.s.StatementImports(ctx, 1); err != nil || list[0].Importing || list[0].Result == nil {
		t.Errorf("the list after: %+v %v", list, err)
	}
	ledgerOK(t, f.s)
}

// A double click queues one job; both requests are in the audit log, naming it.
func TestStatementConfirmationRequestedTwiceQueuesOne(t *testing.T) {
	f := newFund(t)
	imp := f.uploadStatement(t, statement([]string{yesterday(), "王芳", "", "100.00", "D1", ""}), "")
	joined := race(2, func(int) error {
		_, err := f.s.RequestStatementConfirmation(ctx, f.finance, imp.ID, repository.StatementConfirmation{Version: imp.Version()})
		return err
	})
	if ok, _ := tally(t, joined, nil); ok != 2 {
		t.Fatal("a request failed")
	}
	if !f.requestConfirmation(t, imp, false) {
		t.Error("a third request, still pending, did not join")
	}
	if jobs := f.statementJobs(t); jobs["available"] != 1 || len(jobs) != 1 {
		t.Fatalf("jobs %v, want one waiting", jobs)
	}
	if n := f.count(t, "SELECT count(DISTINCT after->>'job') FROM audit_events WHERE action = 'statement.confirm_request'"); n != 1 ||
		f.count(t, "SELECT count(*) FROM audit_events WHERE action = 'statement.confirm_request'") != 3 {
		t.Errorf("the requests in the audit log name %d jobs", n)
	}
	startJobs(t, f.s, repository.JobOptions{})
	if done := f.settled(t, imp.ID); !done.Committed || done.Result.Added != 1 {
		t.Fatalf("after the job: %+v", done.Result)
	}
	// Once it is done, a request is refused at once: nothing is queued.
	if _, err := f.s.RequestStatementConfirmation(ctx, f.finance, imp.ID, repository.StatementConfirmation{
		Version: imp.Version()}); !errors.Is(err, domain.ErrImportCommitted) {
		t.Errorf("a request after the import: %v", err)
	}
	if jobs := f.statementJobs(t); jobs["completed"] != 1 || len(jobs) != 1 {
		t.Errorf("jobs %v", jobs)
	}
	ledgerOK(t, f.s)
}

// What can be refused at once is refused by the request, which queues nothing.
func TestStatementRequestRefusesAtOnce(t *testing.T) {
	f := newFund(t)
	imp := f.uploadStatement(t, statement([]string{yesterday(), "王芳", "", "100.00", "Q1", ""},
		[]string{"2026-02-30", "李强", "", "200.00", "Q2", ""}), "")
	for _, c := range []struct {
		conf repository.StatementConfirmation
		want error
	}{
		{repository.StatementConfirmation{Version: "0000", AcceptErrors: true}, domain.ErrImportChanged},
		{repository.StatementConfirmation{Version: imp.Version()}, domain.ErrImportHasErrors},
	} {
		if _, err := f.s.RequestStatementConfirmation(ctx, f.finance, imp.ID, c.conf); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.conf, err, c.want)
		}
	}
	if jobs := f.statementJobs(t); len(jobs) != 0 || f.count(t, "SELECT count(*) FROM statement_progress") != 0 {
		t.Errorf("refused requests queued %v", jobs)
	}
}

// A line the database refuses fails the job for good — nothing is written and the job is not tried again — and
// the import says which line and why; once the cause is gone, asking again imports it.
func TestStatementJobRefusedOnALine(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	imp := f.uploadStatement(t, statement(
		[]string{day, "王芳", "", "100.00", "J1", ""},
		[]string{day, "新捐赠人甲", "", "200.00", "J2", ""},
		[]string{day, "新捐赠人乙", "", "300.00", "J3", ""},
	), "")
	db := f.s.SQL()
	if _, err := db.Exec(`CREATE FUNCTION refuse_j3() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.reference = 'J3' THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'check_violation',
			CONSTRAINT = 'test_refuses_j3'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_j3 BEFORE INSERT ON donations FOR EACH ROW EXECUTE FUNCTION refuse_j3()`); err != nil {
		t.Fatal(err)
	}
	donorsBefore := f.count(t, "SELECT count(*) FROM donors")
	f.requestConfirmation(t, imp, false)
	startJobs(t, f.s, repository.JobOptions{})
	failed := f.settled(t, imp.ID)
	if failed.Committed || failed.Job == nil || failed.Job.State != "failed" || failed.Job.Failure == nil ||
		failed.Job.Failure.Line != 6 || failed.Job.Failure.Key != "statement.line_refused" || failed.Job.Failure.Detail != "test_refuses_j3" {
		t.Fatalf("after the job: %+v", failed.Job)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM donations":           0,
		"SELECT count(*) FROM receipts":            0,
		"SELECT count(*) FROM ledger_transactions": 0,
		"SELECT count(*) FROM donors":              donorsBefore,
		"SELECT count(*) FROM audit_events WHERE action IN ('statement.confirm', 'donation.record')": 0,
		// Finished at the first attempt, not left to be tried again.
		"SELECT count(*) FROM river_job WHERE kind = 'statement_confirm' AND state = 'completed' AND attempt = 1": 1,
	} {
		if n := f.count(t, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	if p := f.progressRow(t, imp.ID); p.State != "failed" || p.ErrorLine.Int64 != 6 || p.ErrorKey.String != "statement.line_refused" || p.Done != 0 {
		t.Errorf("progress %+v", p)
	}
	if _, err := db.Exec("DROP TRIGGER refuse_j3 ON donations"); err != nil {
		t.Fatal(err)
	}
	f.requestConfirmation(t, imp, false)
	if done := f.settled(t, imp.ID); !done.Committed || done.Result.Added != 3 {
		t.Fatalf("after the cause is gone: %+v", done.Result)
	}
	ledgerOK(t, f.s)
}

// A refusal that is no line's — the columns changed after the request — fails the job for good too, and changing
// the columns again clears it: the new preview is what the page shows.
func TestStatementJobRefusedForChangedColumns(t *testing.T) {
	f := newFund(t)
	imp := f.uploadStatement(t, statement([]string{yesterday(), "王芳", "", "100.00", "M1", "备注"}), "")
	f.requestConfirmation(t, imp, false)
	other := *imp.Mapping
	other.Columns = map[string]int{"date": 0, "payer": 1, "amount": 3, "reference": 4}
	if err := f.s.SaveStatementMapping(ctx, f.finance, imp.ID, other); err != nil {
		t.Fatal(err)
	}
	startJobs(t, f.s, repository.JobOptions{})
	failed := f.settled(t, imp.ID)
	if failed.Job == nil || failed.Job.State != "failed" || failed.Job.Problem != "statement.changed" || failed.Job.Failure != nil {
		t.Fatalf("after the job: %+v", failed.Job)
	}
	if n := f.count(t, "SELECT count(*) FROM donations"); n != 0 {
		t.Errorf("%d donations", n)
	}
	if err := f.s.SaveStatementMapping(ctx, f.finance, imp.ID, *imp.Mapping); err != nil {
		t.Fatal(err)
	}
	if again := f.preview(t, imp.ID); again.Job != nil {
		t.Errorf("after the columns changed again: %+v", again.Job)
	}
}

// While the database is away the job fails and River runs it again: here the connection under the confirmation is
// cut halfway through (the first chunk in, the second waiting), and the second attempt records everything once.
func TestStatementJobRetriedAfterTheDatabaseWasAway(t *testing.T) {
	f := newFund(t)
	const n = 700
	imp := f.uploadStatement(t, bigStatement(f, t, n), "")
	hold := testdb.HoldDonation(t, f.s.SQL(), "BIG000600")
	f.requestConfirmation(t, imp, false)
	startJobs(t, f.s, repository.JobOptions{})
	pid := hold.Waiting(t)
	if p := f.progressRow(t, imp.ID); p.State != "running" || p.Done != 500 || p.Total != n {
		t.Errorf("progress while the second chunk waits: %+v", p)
	}
	if _, err := f.s.SQL().Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	hold.Release(t)
	done := f.settled(t, imp.ID)
	if !done.Committed || done.Result.Added != n {
		t.Fatalf("after the retry: %+v %+v", done.Result, done.Job)
	}
	if a := f.count(t, "SELECT attempt FROM river_job WHERE kind = 'statement_confirm'"); a != 2 {
		t.Errorf("%d attempts, want 2", a)
	}
	if got := f.count(t, "SELECT count(*) FROM donations WHERE import_id = $1", imp.ID); got != n {
		t.Errorf("%d donations, want %d", got, n)
	}
	ledgerOK(t, f.s)
}
