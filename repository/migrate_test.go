package repository_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"sync"
	"testing"

	"guanai/migrations"
	"guanai/repository"
	"guanai/repository/testdb"
)

// Two instances migrating one empty database at the same moment take turns: each migration is applied once, and
// both come out with the schema up to date.
func TestConcurrentMigrationsTakeTurns(t *testing.T) {
	dbURL := testdb.NewDatabaseURL(t)
	if _, err := repository.EnsureDatabase(ctx, dbURL); err != nil {
		t.Fatal(err)
	}
	const n = 8
	applied := make([][]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = repository.Migrate(ctx, db)
		}()
	}
	wg.Wait()
	total := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	files, _ := fs.Glob(migrations.FS, "*.sql")
	if total != len(files) {
		t.Fatalf("%d migrations applied in all, want each of the %d once: %v", total, len(files), applied)
	}
}

func TestEnsureDatabaseAndMigrate(t *testing.T) {
	dbURL := testdb.NewDatabaseURL(t)
	created, err := repository.EnsureDatabase(ctx, dbURL)
	if err != nil || !created {
		t.Fatalf("first EnsureDatabase: %v, %v; want created", created, err)
	}
	created, err = repository.EnsureDatabase(ctx, dbURL)
	if err != nil || created {
		t.Fatalf("second EnsureDatabase: %v, %v; want it to exist already", created, err)
	}

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := repository.CheckSchema(ctx, db); !errors.Is(err, repository.ErrSchemaBehind) {
		t.Fatalf("CheckSchema on an empty database: err = %v, want ErrSchemaBehind", err)
	}
	applied, err := repository.Migrate(ctx, db)
	if err != nil || len(applied) == 0 {
		t.Fatalf("Migrate: %v, %v; want the migrations applied", applied, err)
	}
	if err := repository.CheckSchema(ctx, db); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}
	again, err := repository.Migrate(ctx, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate: %v, %v; want nothing to apply", again, err)
	}

	// The migrated database is usable.
	s, err := repository.Open(ctx, dbURL, repository.Options{IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	registerStaff(t, s, "王芳", "13900001111", false)
}

func TestEnsureDatabaseUnreachableServer(t *testing.T) {
	_, err := repository.EnsureDatabase(ctx, "postgres://postgres@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("EnsureDatabase against a closed port: no error")
	}
}
