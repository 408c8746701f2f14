package repository

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"
)

// Background jobs are River's, in the same PostgreSQL. Two River clients share the work:
//
//   - the store's queue enqueues, on the store's own database/sql pool, so an operation enqueues its job inside its
//     gorm transaction (see sqlTx), and the job exists exactly when the change that asked for it committed;
//   - StartJobs's client works the jobs and runs the schedule, on a pgx pool of its own that only `serve` opens:
//     River's LISTEN and leader election hold connections for as long as it runs, which the other commands (and
//     most tests) have no use for, and a burst of page views cannot starve the jobs of connections or the reverse.

// JobOptions say how often scheduled jobs run.
type JobOptions struct {
	ReconcileEvery time.Duration // how often the ledger is reconciled; hourly when zero
	Mail           Mailer        // how mails are worded and sent; with none, mail jobs send nothing
}

const defaultReconcileEvery = time.Hour

// jobsSoftStop is how long a stopping process lets running jobs finish before cancelling them (River runs a
// cancelled job again later). It is under the server's drain, so both are over before a process manager kills.
const jobsSoftStop = 20 * time.Second

// newQueue is the store's enqueuing client; it works nothing and holds no connection of its own.
func newQueue(s *Store) (*river.Client[*sql.Tx], error) {
	// Workers only so that River refuses to enqueue a kind nothing here could work; this client runs none.
	return river.NewClient(riverdatabasesql.New(s.sql), &river.Config{Logger: s.log, Workers: s.workers(nil, Mailer{}), Test: s.riverTestTime()})
}

// workers are the jobs this binary knows how to do, working with River's pool.
func (s *Store) workers(pool *pgxpool.Pool, m Mailer) *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &reconcileWorker{s: s, pool: pool})
	river.AddWorker(w, &statementConfirmWorker{s: s, pool: pool})
	river.AddWorker(w, &offerRoundWorker{s: s})
	river.AddWorker(w, &windowStartWorker{s: s})
	river.AddWorker(w, &windowEndWorker{s: s})
	river.AddWorker(w, &autoConfirmWorker{s: s})
	river.AddWorker(w, &planReleaseWorker{s: s})
	river.AddWorker(w, &mailNoteWorker{s: s, m: m})
	river.AddWorker(w, &mailVerifyWorker{s: s, m: m})
	return w
}

// jobPending are the states of a job that has not finished: waiting, to be tried again, or running.
var jobPending = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// sqlTx is the database/sql transaction under a gorm transaction, for the queue to enqueue in.
func sqlTx(tx *gorm.DB) (*sql.Tx, error) {
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("enqueue: not in a transaction (%T)", tx.Statement.ConnPool)
	}
	return t, nil
}

// Jobs is this process working background jobs, until the context given to StartJobs ends.
type Jobs struct {
	client *river.Client[pgx.Tx]
	pool   *pgxpool.Pool
}

// StartJobs works background jobs until ctx ends: whatever is queued, and the ledger's reconciliation on its
// schedule. Any number of processes may work them; River elects one of them to run the schedule. When ctx ends,
// running jobs get jobsSoftStop to finish; Wait returns once they have.
func (s *Store) StartJobs(ctx context.Context, o JobOptions) (*Jobs, error) {
	every := cmp.Or(o.ReconcileEvery, defaultReconcileEvery)
	if err := s.reconcileIfStale(ctx, every); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	pool, err := pgxpool.New(ctx, s.url)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:          s.log,
		Queues:          map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:         s.workers(pool, o.Mail),
		PeriodicJobs:    []*river.PeriodicJob{s.reconcileSchedule(every)},
		SoftStopTimeout: jobsSoftStop,
		Test:            s.riverTestTime(),
	})
	if err == nil {
		err = client.Start(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Jobs{client: client, pool: pool}, nil
}

// Wait returns when the jobs have stopped (the context given to StartJobs has ended and the jobs running then have
// finished or been cancelled), and closes their pool.
func (j *Jobs) Wait() {
	<-j.client.Stopped()
	j.pool.Close()
}
