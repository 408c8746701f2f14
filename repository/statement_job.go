package repository

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"guanai/domain"
)

// Confirming a statement records up to 5,000 gifts in one transaction: seconds, during which the gifts typed in
// wait for the pool's lock. So no request waits for it: the confirmation queues a job (statement_confirm), which
// runs ConfirmStatementImport and, after each chunk of lines, writes how far it has got to statement_progress — from
// outside its transaction, whose writes no one sees before it commits. The statement's page reads that row.

// statementConfirmArgs is a confirmation to do: the operator's go-ahead, and who gave it.
type statementConfirmArgs struct {
	ImportID     int64  `json:"import_id" river:"unique"`
	Version      string `json:"version"`
	AcceptErrors bool   `json:"accept_errors"`
	UserID       int64  `json:"user_id"`
	IP           string `json:"ip"`
}

func (statementConfirmArgs) Kind() string { return "statement_confirm" }

// statementAttempts is how many times a confirmation is tried while the database is away (see NextRetry).
const statementAttempts = 20

// InsertOpts makes a confirmation unique per import while it waits or runs: a double click, or a second operator,
// joins the one queued rather than queueing another. Only the import takes part (river:"unique").
func (statementConfirmArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: statementAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: jobPending}}
}

// statementConfirmWorker confirms a statement and says how far it has got.
type statementConfirmWorker struct {
	river.WorkerDefaults[statementConfirmArgs]
	s *Store
	// River's pool: progress is written beside the confirmation's transaction. Not the site's: while the
	// confirmation holds the pool's lock, gifts typed in wait for it holding the site's connections, and a progress
	// write waiting for one of those would wait for the confirmation that waits for it.
	pool *pgxpool.Pool
}

// Timeout is well above the seconds the largest statement takes.
func (*statementConfirmWorker) Timeout(*river.Job[statementConfirmArgs]) time.Duration {
	return 10 * time.Minute
}

// NextRetry is soon after a first failure — someone may be watching the page — and then less and less often: 1 s,
// 4 s, 9 s, … a minute apart at most, some 15 minutes in all. (River schedules by the machine's clock.)
func (*statementConfirmWorker) NextRetry(job *river.Job[statementConfirmArgs]) time.Time {
	return time.Now().Add(min(time.Duration(job.Attempt*job.Attempt)*time.Second, time.Minute))
}

// progressWriteTimeout bounds one progress write: the confirmation holds its locks meanwhile, and the progress is
// only for show.
const progressWriteTimeout = 2 * time.Second

func (w *statementConfirmWorker) Work(ctx context.Context, job *river.Job[statementConfirmArgs]) error {
	a := job.Args
	_, err := w.s.ConfirmStatementImport(ctx, Actor{UserID: a.UserID, IP: a.IP}, a.ImportID, StatementConfirmation{
		Version: a.Version, AcceptErrors: a.AcceptErrors,
		Progress: func(done, total int) { w.progress(ctx, job, done, total) }})
	var lineErr *StatementLineError
	var problem domain.Problem
	switch {
	case err == nil, errors.Is(err, domain.ErrImportCommitted):
		// Done, or done before (a run whose end River did not get to record): the import holds the result.
		return w.finish(ctx, job, "done", nil, nil, nil)
	case errors.As(err, &lineErr): // before Problem: the line's own reason may be one
		var detail *string
		if lineErr.Detail != "" {
			detail = &lineErr.Detail
		}
		w.s.log.WarnContext(ctx, "statement import refused", "import", a.ImportID, "line", lineErr.Line, "err", lineErr.Err)
		return w.finish(ctx, job, "failed", &lineErr.Key, &lineErr.Line, detail)
	case errors.As(err, &problem):
		// A refusal stays one however often it is asked: finished, not retried. The import was not changed.
		key, _ := problem.Message()
		return w.finish(ctx, job, "failed", &key, nil, nil)
	default:
		// The database was away, the process is stopping, or something unforeseen: nothing was recorded, and River
		// runs the job again.
		w.requeued(ctx, job)
		return err
	}
}

// progress writes how many lines are recorded, in a transaction of its own; a write that fails is logged and the
// confirmation goes on.
func (w *statementConfirmWorker) progress(ctx context.Context, job *river.Job[statementConfirmArgs], done, total int) {
	ctx, cancel := context.WithTimeout(ctx, progressWriteTimeout)
	defer cancel()
	if _, err := w.pool.Exec(ctx, `UPDATE statement_progress SET state = 'running', done = $1, total = $2,
		error_key = NULL, error_line = NULL, error_detail = NULL, updated_at = $3 WHERE import_id = $4 AND job_id = $5`,
		done, total, w.s.Now(), job.Args.ImportID, job.ID); err != nil {
		w.s.log.WarnContext(ctx, "statement progress not written", "import", job.Args.ImportID, "err", err)
	}
}

// requeued says the job waits to be tried again, with nothing recorded; the database is often away just then, so
// this is best effort (the page also reads River's state).
func (w *statementConfirmWorker) requeued(ctx context.Context, job *river.Job[statementConfirmArgs]) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), progressWriteTimeout)
	defer cancel()
	_, _ = w.pool.Exec(ctx, `UPDATE statement_progress SET state = 'queued', done = 0, updated_at = $1
		WHERE import_id = $2 AND job_id = $3`, w.s.Now(), job.Args.ImportID, job.ID)
}

// finish records how the confirmation ended and completes the job, together: once the job is no longer pending, its
// outcome is there to read. River completes a job in its own pgx transaction, hence SQL here rather than gorm.
func (w *statementConfirmWorker) finish(ctx context.Context, job *river.Job[statementConfirmArgs], state string,
	key *string, line *int, detail *string) error {
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE statement_progress SET state = $1,
			done = CASE WHEN $1 = 'done' THEN total ELSE 0 END, error_key = $2, error_line = $3, error_detail = $4,
			updated_at = $5 WHERE import_id = $6 AND job_id = $7`,
			state, key, line, detail, w.s.Now(), job.Args.ImportID, job.ID); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

// RequestStatementConfirmation checks an operator's go-ahead against the import as it is — not confirmed yet, the
// preview they saw, the lines with problems left out knowingly — and queues the job that confirms it, or joins the
// one already waiting or running for it (alreadyPending). Who asked is in the audit log. The job checks all of it
// again, with the import locked; this does not lock it, so it answers at once even while a confirmation runs.
func (s *Store) RequestStatementConfirmation(ctx context.Context, actor Actor, id int64, c StatementConfirmation) (
	alreadyPending bool, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var r statementImportRow
		if err := tx.Take(&r, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		} else if err != nil {
			return err
		}
		imp, err := confirmable(tx, r, c)
		if err != nil {
			return err
		}
		rows := domain.CheckStatement(imp.Records, *imp.Mapping, imp.Channel, now(tx))
		if err := markAlreadyImported(tx, imp.Channel, rows); err != nil {
			return err
		}
		counts := domain.CountStatement(rows)
		if counts.Errors > 0 && !c.AcceptErrors {
			return domain.ErrImportHasErrors
		}
		t, err := sqlTx(tx)
		if err != nil {
			return err
		}
		res, err := s.queue.InsertTx(ctx, t, statementConfirmArgs{ImportID: id, Version: c.Version,
			AcceptErrors: c.AcceptErrors, UserID: actor.UserID, IP: actor.IP}, nil)
		if err != nil {
			return err
		}
		alreadyPending = res.UniqueSkippedAsDuplicate
		if !alreadyPending {
			// No job of this import is pending (this one is new), so none is writing the row.
			if err := tx.Exec(`INSERT INTO statement_progress (import_id, job_id, state, done, total, updated_at)
				VALUES (?, ?, 'queued', 0, ?, ?)
				ON CONFLICT (import_id) DO UPDATE SET job_id = excluded.job_id, state = excluded.state, done = 0,
					total = excluded.total, error_key = NULL, error_line = NULL, error_detail = NULL,
					updated_at = excluded.updated_at`, id, res.Job.ID, counts.Import, now(tx)).Error; err != nil {
				return err
			}
		}
		// The job's number: two people who asked while one was pending name the same one.
		return audit(tx, actor, "statement.confirm_request", "statement_import", id, nil,
			map[string]any{"job": res.Job.ID, "accept_errors": c.AcceptErrors})
	})
	return alreadyPending, err
}

// StatementJob is where the confirmation of a statement has got, as its page shows it.
type StatementJob struct {
	State    string // "queued" (waiting to start, or to be tried again), "running", "failed", "done" or "stopped"
	Retrying bool   // queued again after the database was away
	Done     int    // lines recorded so far, in the confirmation's transaction (none is there before it commits)
	Total    int    // lines to record
	Failure  *StatementLineError
	Problem  string // a message key: why the confirmation was refused, when no line was
}

// Pending reports whether the confirmation is yet to finish.
func (j *StatementJob) Pending() bool {
	return j != nil && (j.State == "queued" || j.State == "running")
}

// statementProgressRead is statement_progress beside the state of River's job, read with the import.
type statementProgressRead struct {
	State       *string
	Done        int
	Total       int
	ErrorKey    *string
	ErrorLine   *int
	ErrorDetail *string
	JobState    *string // nil: River has deleted the finished job
	JobAttempt  int
}

// statementJob tells the progress read as the page shows it: River's state says whether the job is pending, the row
// what it has done and how it ended. A job River gave up on, or that vanished, says nothing: it stopped.
func (p statementProgressRead) statementJob() *StatementJob {
	if p.State == nil {
		return nil
	}
	j := &StatementJob{Done: p.Done, Total: p.Total}
	var jobState string
	if p.JobState != nil {
		jobState = *p.JobState
	}
	switch {
	case jobState == "running":
		j.State = "running"
	case slices.Contains(jobPending, rivertype.JobState(jobState)):
		j.State, j.Retrying, j.Done = "queued", p.JobAttempt > 0, 0
	case *p.State == "failed" && p.ErrorKey != nil:
		j.State, j.Done = "failed", 0
		if p.ErrorLine != nil {
			j.Failure = &StatementLineError{Line: *p.ErrorLine, Key: *p.ErrorKey}
			if p.ErrorDetail != nil {
				j.Failure.Detail = *p.ErrorDetail
			}
		} else {
			j.Problem = *p.ErrorKey
		}
	case *p.State == "done":
		j.State = "done"
	default:
		j.State, j.Done = "stopped", 0
	}
	return j
}

// statementProgressColumns select a statementProgressRead (prefix progress_) from statement_progress p and
// river_job j.
const statementProgressColumns = `p.state AS progress_state, coalesce(p.done, 0) AS progress_done,
	coalesce(p.total, 0) AS progress_total, p.error_key AS progress_error_key, p.error_line AS progress_error_line,
	p.error_detail AS progress_error_detail, j.state AS progress_job_state, coalesce(j.attempt, 0) AS progress_job_attempt`

// statementProgressJoins join statement_progress p and river_job j to statement_imports i.
const statementProgressJoins = `LEFT JOIN statement_progress p ON p.import_id = i.id
	LEFT JOIN river_job j ON j.id = p.job_id`
