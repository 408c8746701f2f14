package repository_test

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"guanai/repository"
	"guanai/repository/testdb"
)

// River's tables are made by our migrations (00007_river.sql), copied from River's. These two tests keep the copy
// honest: River's own migrator finds nothing left to do, and what it would have made is what we made.

func riverMigrator(t *testing.T, dbURL string) *rivermigrate.Migrator[pgx.Tx] {
	t.Helper()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRiverFindsNothingToMigrate(t *testing.T) {
	m := riverMigrator(t, testdb.URL(t))
	v, err := m.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK {
		t.Errorf("River's migrator, after ours: %v", v.Messages)
	}
	dry, err := m.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range dry.Versions {
		t.Errorf("River would still apply its version %03d (%s): copy it into a new migration", v.Version, v.Name)
	}
}

func TestRiverSchemaIsRiversOwn(t *testing.T) {
	ours := riverSchema(t, testdb.URL(t))
	theirsURL := testdb.NewDatabaseURL(t)
	if _, err := repository.EnsureDatabase(ctx, theirsURL); err != nil {
		t.Fatal(err)
	}
	if _, err := riverMigrator(t, theirsURL).Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	theirs := riverSchema(t, theirsURL)
	if len(theirs) < 20 {
		t.Fatalf("River's schema described in only %d lines: the description is broken", len(theirs))
	}
	for _, l := range ours {
		if !slices.Contains(theirs, l) {
			t.Errorf("ours only: %s", l)
		}
	}
	for _, l := range theirs {
		if !slices.Contains(ours, l) {
			t.Errorf("River's only: %s", l)
		}
	}
}

// riverSchema describes River's objects in a database, one line each: tables, columns, constraints, indexes,
// triggers, functions, and the job states in their order.
func riverSchema(t *testing.T, dbURL string) []string {
	t.Helper()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT 'table ' || relname || ' ' || relkind::text || relpersistence::text FROM pg_class
			WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'river%' AND relkind IN ('r', 'S')
		UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' ' || is_nullable || ' '
				|| coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'river%'
		UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE conrelid::regclass::text LIKE 'river%'
		UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'river%'
		UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger
			WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'river%'
		UNION ALL SELECT 'function ' || pg_get_functiondef(oid) FROM pg_proc
			WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'river%'
		UNION ALL SELECT 'type ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
			FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typname LIKE 'river%' GROUP BY t.typname`)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return lines
}
