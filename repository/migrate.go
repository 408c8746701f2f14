package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for goose
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"guanai/migrations"
)

// ErrSchemaBehind means the database has migrations still to apply.
var ErrSchemaBehind = errors.New("the database schema is behind: run `guanai migrate` or `guanai serve --migrate`")

// EnsureDatabase creates the database named in url when it does not exist, connecting to the server's "postgres"
// database to do it. It is for `demo` and development; production databases are made by their operators.
func EnsureDatabase(ctx context.Context, dbURL string) (created bool, err error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return false, err
	}
	name := strings.Trim(u.Path, "/")
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return false, fmt.Errorf("connect to the server to create %q: %w", name, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return false, err
	}
	if exists {
		return false, nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var again bool // another process may have created it at the same moment
		if qerr := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&again); qerr == nil && again {
			return false, nil
		}
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	return true, nil
}

// provider runs the migrations under a session-level advisory lock, so that two instances starting at once (a
// rolling deploy, two `guanai serve --migrate`) take turns instead of racing through the same migration.
func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration, each in its own transaction.
func Migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	var applied []string
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, err
}

// CheckSchema returns ErrSchemaBehind when migrations are pending.
func CheckSchema(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return err
	}
	if pending {
		return ErrSchemaBehind
	}
	return nil
}
