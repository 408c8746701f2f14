// Package repository is Guanai's PostgreSQL layer: one method per business operation, each one transaction that
// loads (locking where a race is possible), asks domain, writes, and audits.
package repository

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"guanai/domain"
)

// Store is the database.
type Store struct {
	db    *gorm.DB
	sql   *sql.DB
	url   string // for the pool StartJobs opens
	idKey []byte
	clock domain.Clock
	log   *slog.Logger
	queue *river.Client[*sql.Tx] // enqueues background jobs (see jobs.go)
	// settings caches the administrator's settings (settings.go), shared by every copy WithClock makes.
	settings *settingsCache
}

// Actor is who does something, and from where, for the audit log. Role is the actor's role as the session knows
// it, for the rules that depend on who asks (an operator's account is the admin's business alone).
type Actor struct {
	UserID int64
	Role   domain.Role
	IP     string
}

// Options are what a Store is opened with besides the database's address.
type Options struct {
	IDKey []byte       // keys the hashes of volunteers' ID numbers
	Clock domain.Clock // the time every decision is made with; the system clock when nil
	Log   *slog.Logger // where slow statements and database errors are reported; nowhere when nil
	// OnStatement, when set, is called after each statement gorm runs, with the context it ran in: the query
	// budget test counts a page's statements with it.
	OnStatement func(ctx context.Context)
}

// slowStatement is how long a statement may take before it is logged as slow.
const slowStatement = 200 * time.Millisecond

// slowLog hands gorm's logger only the statements it writes: the slow and the failed. gorm's slog logger puts
// each statement's SQL together (regular expressions over its text) before it decides, for every statement, and
// that was a fiftieth of the server's allocations in the load run.
type slowLog struct{ logger.Interface }

func (l slowLog) LogMode(level logger.LogLevel) logger.Interface {
	return slowLog{l.Interface.LogMode(level)}
}

// ParamsFilter is the inner logger's: it keeps a statement's values (people's names and phones) out of the log.
func (l slowLog) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := l.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, params
}

func (l slowLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if (err == nil || errors.Is(err, gorm.ErrRecordNotFound)) && time.Since(begin) <= slowStatement {
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

// Open connects to the database at url.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	s := &Store{url: url, idKey: o.IDKey, clock: o.Clock, log: o.Log, settings: &settingsCache{}}
	if s.clock == nil {
		s.clock = domain.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	log := logger.Discard
	if o.Log != nil {
		// Statements are logged with placeholders, never their values: those are people's names and phones.
		log = slowLog{logger.NewSlogLogger(o.Log, logger.Config{SlowThreshold: slowStatement, LogLevel: logger.Warn,
			IgnoreRecordNotFoundError: true, ParameterizedQueries: true})}
	}
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{
		Logger:                 log,
		SkipDefaultTransaction: true,
		// gorm stamps created_at and updated_at with this; every other time the store decides with comes from
		// it too (see now), so one clock rules them all.
		NowFunc: func() time.Time { return s.clock.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if o.OnStatement != nil {
		if err := onEachStatement(db, o.OnStatement); err != nil {
			return nil, err
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database does not answer: %w", err)
	}
	s.db, s.sql = db, sqlDB
	if s.queue, err = newQueue(s); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// onEachStatement registers fn after every kind of statement gorm runs.
func onEachStatement(db *gorm.DB, fn func(context.Context)) error {
	call := func(tx *gorm.DB) { fn(tx.Statement.Context) }
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("guanai:count_create", call),
		cb.Query().After("gorm:query").Register("guanai:count_query", call),
		cb.Update().After("gorm:update").Register("guanai:count_update", call),
		cb.Delete().After("gorm:delete").Register("guanai:count_delete", call),
		cb.Row().After("gorm:row").Register("guanai:count_row", call),
		cb.Raw().After("gorm:raw").Register("guanai:count_raw", call),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Now is the store's clock: the time the app decides with.
func (s *Store) Now() time.Time { return s.clock.Now() }

// WithClock is the store on the same pool telling the time by another clock: the demo tells a story that
// happened over the past weeks through the same operations the pages use. Its Close closes the shared pool.
func (s *Store) WithClock(c domain.Clock) *Store {
	cp := *s
	cp.clock = c
	cp.db = s.db.Session(&gorm.Session{NowFunc: func() time.Time { return c.Now().UTC() }})
	return &cp
}

// now is the store's clock inside a transaction.
func now(tx *gorm.DB) time.Time { return tx.NowFunc() }

// SQL is the underlying pool, for the session store and pool metrics.
func (s *Store) SQL() *sql.DB { return s.sql }

// Close closes the pool.
func (s *Store) Close() error { return s.sql.Close() }

// Ping reports whether the database answers now.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.sql.PingContext(ctx)
}

// tx runs fn in one transaction. Its context carries the store's queue, for notify to enqueue mails in it.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(context.WithValue(ctx, queueKey{}, s.queue)).Transaction(fn)
}

// IsUnavailable reports whether err means the database cannot be reached just now, so the user gets a 503 and the
// request can be tried again, rather than a 500.
func IsUnavailable(err error) bool {
	// A request its client gave up on is not the database's failure, however the driver words it.
	if errors.Is(err, context.Canceled) {
		return false
	}
	// Any failure to connect counts, whatever the server said while refusing.
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	// So does a connection cut while a statement was on it: the server crashed or restarted under it.
	var netErr *net.OpError
	if errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return false
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (constraint == "" || pgErr.ConstraintName == constraint)
}
