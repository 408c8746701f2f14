package repository

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"guanai/domain"
)

// The time-based work of dispatch, as River jobs inserted in the transaction of the change that causes them: a
// round's expiry with its offers, the window's start and end with the request, the automatic confirmation with the
// check-out. A job that runs before its time by the store's clock (a clock moved back, a machine's clock ahead)
// waits again rather than acting early.

// jobArgs is any job's arguments.
type jobArgs = river.JobArgs

type offerRoundArgs struct {
	RequestID int64 `json:"request_id"`
	Round     int   `json:"round"`
}

func (offerRoundArgs) Kind() string { return "care_offer_round" }

type windowStartArgs struct {
	RequestID int64 `json:"request_id"`
}

func (windowStartArgs) Kind() string { return "care_window_start" }

type windowEndArgs struct {
	RequestID int64 `json:"request_id"`
}

func (windowEndArgs) Kind() string { return "care_window_end" }

type autoConfirmArgs struct {
	ServiceID int64 `json:"service_id"`
}

func (autoConfirmArgs) Kind() string { return "care_auto_confirm" }

// insertAt schedules a job for a time. Jobs of one kind and arguments are one job: a second insert is skipped.
func insertAt(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// notYet makes a job that runs before its time by the store's clock wait for it.
func (s *Store) notYet(due time.Time) error {
	if wait := due.Sub(s.clock.Now()); wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

type offerRoundWorker struct {
	river.WorkerDefaults[offerRoundArgs]
	s *Store
}

func (w *offerRoundWorker) Work(ctx context.Context, job *river.Job[offerRoundArgs]) error {
	if err := w.s.notYet(job.ScheduledAt); err != nil {
		return err
	}
	return ignoreGone(w.s.expireRound(ctx, job.Args.RequestID, job.Args.Round))
}

type windowStartWorker struct {
	river.WorkerDefaults[windowStartArgs]
	s *Store
}

func (w *windowStartWorker) Work(ctx context.Context, job *river.Job[windowStartArgs]) error {
	if err := w.s.notYet(job.ScheduledAt); err != nil {
		return err
	}
	return ignoreGone(w.s.windowStarted(ctx, job.Args.RequestID))
}

type windowEndWorker struct {
	river.WorkerDefaults[windowEndArgs]
	s *Store
}

func (w *windowEndWorker) Work(ctx context.Context, job *river.Job[windowEndArgs]) error {
	if err := w.s.notYet(job.ScheduledAt); err != nil {
		return err
	}
	return ignoreGone(w.s.windowEnded(ctx, job.Args.RequestID))
}

type autoConfirmWorker struct {
	river.WorkerDefaults[autoConfirmArgs]
	s *Store
}

func (w *autoConfirmWorker) Work(ctx context.Context, job *river.Job[autoConfirmArgs]) error {
	if err := w.s.notYet(job.ScheduledAt); err != nil {
		return err
	}
	return ignoreGone(w.s.autoConfirm(ctx, job.Args.ServiceID))
}

// ignoreGone: a job about a record that no longer exists has nothing to do.
func ignoreGone(err error) error {
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	return err
}

// riverTime lends River the store's clock, so a test that moves the clock moves River's schedule with it.
type riverTime struct{ clock domain.Clock }

func (t riverTime) Now() time.Time { return t.clock.Now() }

func (t riverTime) NowOrNil() *time.Time {
	n := t.clock.Now()
	return &n
}

// riverTestTime is River's time when the store's clock is not the system's; nil (River's own) otherwise.
func (s *Store) riverTestTime() river.TestConfig {
	if _, system := s.clock.(domain.SystemClock); system {
		return river.TestConfig{}
	}
	return river.TestConfig{Time: riverTime{s.clock}}
}
