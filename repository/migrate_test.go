package repository_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"guanai/repository"
	"guanai/repository/testdb"
)

func TestEnsureDatabaseAndMigrate(t *testing.T) {
	b := make([]byte, 6)
	rand.Read(b)
	name := "guanai_ensure_" + hex.EncodeToString(b)
	server, err := url.Parse(testdb.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	target := *server
	target.Path = "/" + name
	dbURL := target.String()
	t.Cleanup(func() {
		admin := *server
		admin.Path = "/postgres"
		conn, err := pgx.Connect(context.Background(), admin.String())
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("cleanup: drop %s: %v", name, err)
		}
	})

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
