package repository

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"gorm.io/gorm"
)

// The ledger's reconciliation (VerifyLedger) reads every entry, receipt and donation: seconds at a million
// donations. So pages do not run it: a job does, on a schedule and when someone asks, and stores what it found in
// ledger_reconciliations, which the pages read.

// reconcileArgs is a reconciliation job: who asked (nil: the schedule) and when.
type reconcileArgs struct {
	RequestedBy *int64    `json:"requested_by,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
}

func (reconcileArgs) Kind() string { return "ledger_reconcile" }

// InsertOpts makes a reconciliation unique while it waits or runs: a second click, a second person or the schedule
// joins it rather than queueing the same checks again. Once it has finished, the next one may be queued.
func (reconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByState: jobPending}}
}

// reconcileWorker runs the checks and records the result.
type reconcileWorker struct {
	river.WorkerDefaults[reconcileArgs]
	s    *Store
	pool *pgxpool.Pool // River's: the result is recorded in the transaction that completes the job
}

// Timeout is well above the seconds a million donations take; River's default of a minute is for small jobs.
func (*reconcileWorker) Timeout(*river.Job[reconcileArgs]) time.Duration { return 15 * time.Minute }

func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[reconcileArgs]) error {
	started := w.s.Now()
	checks, err := w.s.VerifyLedger(ctx)
	if err != nil && ctx.Err() != nil {
		return err // stopped or timed out: River runs it again, and a run cut short found nothing to record
	}
	row, err := newReconciliationRow(job, started, checks, err)
	if err != nil {
		return err
	}
	row.FinishedAt = w.s.Now()
	// The result and the job's completion commit together: once the result is there, the job is no longer
	// pending, so whoever asks next gets a new run rather than joining one that has already read the ledger.
	// River completes a job in its own pgx transaction, hence SQL here rather than gorm.
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_reconciliations
			(job_id, requested_by, requested_at, started_at, finished_at, ok, checks, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, row.JobID, row.RequestedBy, row.RequestedAt, row.StartedAt,
			row.FinishedAt, row.OK, row.Checks, row.Error); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

// reconciliationRow is a row of ledger_reconciliations (append-only).
type reconciliationRow struct {
	JobID       int64
	RequestedBy *int64
	RequestedAt time.Time
	StartedAt   time.Time
	FinishedAt  time.Time
	OK          bool
	Checks      []byte // []LedgerCheck as JSON; nil when the checks could not run
	Error       *string
}

// newReconciliationRow is what a run found, or why it could not run.
func newReconciliationRow(job *river.Job[reconcileArgs], started time.Time, checks []LedgerCheck,
	failed error) (reconciliationRow, error) {
	row := reconciliationRow{JobID: job.ID, RequestedBy: job.Args.RequestedBy, RequestedAt: job.Args.RequestedAt,
		StartedAt: started, OK: failed == nil}
	if failed != nil {
		msg := failed.Error()
		row.Error = &msg
		return row, nil
	}
	for _, c := range checks {
		row.OK = row.OK && len(c.Problems) == 0
	}
	var err error
	row.Checks, err = json.Marshal(checks)
	return row, err
}

// RequestReconciliation queues a reconciliation of the ledger, or joins the one already waiting or running
// (alreadyPending), and records in the audit log who asked.
func (s *Store) RequestReconciliation(ctx context.Context, actor Actor) (alreadyPending bool, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		args := reconcileArgs{RequestedAt: now(tx)}
		if actor.UserID != 0 {
			args.RequestedBy = &actor.UserID
		}
		t, err := sqlTx(tx)
		if err != nil {
			return err
		}
		res, err := s.queue.InsertTx(ctx, t, args, nil)
		if err != nil {
			return err
		}
		alreadyPending = res.UniqueSkippedAsDuplicate
		// The job's number: two people who asked while one run was pending name the same one.
		return audit(tx, actor, "ledger.reconcile", "ledger", 0, nil, map[string]any{"job": res.Job.ID})
	})
	return alreadyPending, err
}

// reconcileSchedule queues a reconciliation every interval (unless one is pending: it joins that one).
func (s *Store) reconcileSchedule(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return reconcileArgs{RequestedAt: s.Now()}, nil
	}, nil)
}

// reconcileIfStale queues a reconciliation when none has finished within every. River keeps its schedule in
// memory and starts it afresh with each process, so without this a site deployed more often than every would
// never reconcile by itself, and a new one would show no result for its first hour.
func (s *Store) reconcileIfStale(ctx context.Context, every time.Duration) error {
	last, _, err := s.LastReconciliation(ctx)
	if err != nil || last != nil && s.Now().Sub(last.FinishedAt) < every {
		return err
	}
	_, err = s.queue.Insert(ctx, reconcileArgs{RequestedAt: s.Now()}, nil)
	return err
}

// Reconciliation is one finished run of the ledger's checks.
type Reconciliation struct {
	RequestedBy   *int64 // nil: the schedule
	RequesterName string
	RequestedAt   time.Time
	StartedAt     time.Time
	FinishedAt    time.Time
	OK            bool
	Checks        []LedgerCheck // every check and what it found; none when Error says why the checks could not run
	Error         string
}

// LastReconciliation is the newest finished reconciliation (nil before the first), and whether another is waiting
// or running.
func (s *Store) LastReconciliation(ctx context.Context) (last *Reconciliation, pending bool, err error) {
	// Pending first: a run that finishes between the two reads is then shown done and pending for a moment, rather
	// than neither.
	waiting := river.NewJobListParams().Kinds(reconcileArgs{}.Kind()).States(jobPending...).First(1)
	jobs, err := s.queue.JobList(ctx, waiting)
	if err != nil {
		return nil, false, err
	}
	pending = len(jobs.Jobs) > 0
	var read struct {
		Row           reconciliationRow `gorm:"embedded"`
		RequesterName string
	}
	err = s.db.WithContext(ctx).Table("ledger_reconciliations r").
		Select("r.*, coalesce(u.name, '') AS requester_name").Joins("LEFT JOIN users u ON u.id = r.requested_by").
		Order("r.finished_at DESC, r.id DESC").Take(&read).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, pending, nil
	}
	if err != nil {
		return nil, pending, err
	}
	row := read.Row
	r := &Reconciliation{RequestedBy: row.RequestedBy, RequesterName: read.RequesterName, RequestedAt: row.RequestedAt,
		StartedAt: row.StartedAt, FinishedAt: row.FinishedAt, OK: row.OK}
	if row.Error != nil {
		r.Error = *row.Error
	}
	if row.Checks != nil {
		if err := json.Unmarshal(row.Checks, &r.Checks); err != nil {
			return nil, pending, err
		}
	}
	return r, pending, nil
}
