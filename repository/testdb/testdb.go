// Package testdb gives each test a fresh PostgreSQL database, cloned from a template that was migrated once.
// Tests talk to the real server at TEST_DATABASE_URL (default: the local one), never to a stand-in.
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"testing"

	"github.com/peterldowns/pgtestdb"

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

// Store opens a Store on a fresh database.
func Store(t testing.TB) *repository.Store {
	t.Helper()
	s, err := repository.Open(context.Background(), URL(t), []byte("test-id-key"))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
