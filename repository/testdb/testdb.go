// Package testdb gives each test a fresh PostgreSQL database, cloned from a template that was migrated once.
// Tests talk to the real server at TEST_DATABASE_URL (default: the local one), never to a stand-in.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/peterldowns/pgtestdb"

	"guanai/domain"
	"guanai/migrations"
	"guanai/repository"
)

// ServerURL is the PostgreSQL server tests use.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// migrator applies Guanai's migrations to the template database; its hash changes with any migration file, so an
// edited schema gets a new template.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	_, err := repository.Migrate(ctx, db)
	return err
}

func config(t testing.TB) pgtestdb.Config {
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	return pgtestdb.Config{DriverName: "pgx", Host: u.Hostname(), Port: u.Port(), User: u.User.Username(), Password: pw,
		Database: "postgres", Options: "sslmode=disable", ForceTerminateConnections: true}
}

// URL returns the address of a fresh, migrated database that is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, config(t), migrator{}).URL()
}

// Store opens a Store on a fresh database, on the machine's clock.
func Store(t testing.TB) *repository.Store {
	t.Helper()
	return StoreWithClock(t, domain.SystemClock{})
}

// StoreWithClock opens a Store on a fresh database that tells the time by clock.
func StoreWithClock(t testing.TB, clock domain.Clock) *repository.Store {
	t.Helper()
	s, err := repository.Open(context.Background(), URL(t), repository.Options{IDKey: []byte("test-id-key"), Clock: clock})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewDatabaseURL names a database that does not exist yet, on the test server, for a test that creates it (as
// `guanai demo` does); it is dropped, if it was made, when the test ends.
func NewDatabaseURL(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "guanai_test_" + hex.EncodeToString(b)
	server, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	target := *server
	target.Path = "/" + name
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, server.String())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return target.String()
}

// Clock is a clock a test moves by hand. Its zero value stands still at the time it is first Set.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a clock that shows t until it is moved.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the time the clock shows.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
