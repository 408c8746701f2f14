package app

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func runMain(env map[string]string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadConfigurationExitsTwoNamingTheVariable(t *testing.T) {
	code, _, stderr := runMain(map[string]string{"GUANAI_ENV": "production"}, "serve")
	if code != 2 || !strings.Contains(stderr, "GUANAI_ID_HASH_KEY") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runMain(nil, "frobnicate"); code != 2 {
		t.Fatalf("unknown command: exit %d", code)
	}
	if code, _, _ := runMain(nil); code != 2 {
		t.Fatalf("no command: exit %d", code)
	}
}

// emptyDatabase creates a database with no schema and returns its URL; it is dropped when the test ends.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	url := testdb.NewDatabaseURL(t)
	if created, err := repository.EnsureDatabase(context.Background(), url); err != nil || !created {
		t.Fatalf("create %s: %v %v", url, created, err)
	}
	return url
}

func TestServeRefusesSchemaBehindAndAdminCreate(t *testing.T) {
	env := map[string]string{"DATABASE_URL": emptyDatabase(t), "GUANAI_ADDR": "127.0.0.1:0"}
	code, _, stderr := runMain(env, "serve")
	if code != 1 || !strings.Contains(stderr, "guanai migrate") {
		t.Fatalf("serve on an empty database: exit %d, %q", code, stderr)
	}
	if code, out, stderr := runMain(env, "migrate"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("migrate: exit %d %q %q", code, out, stderr)
	}
	if code, out, _ := runMain(env, "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate again: exit %d %q", code, out)
	}
	code, _, stderr = runMain(env, "admin", "create", "--phone", "12345", "--password", "short", "--name", "王芳", "--role", "admin")
	if code != 2 || !strings.Contains(stderr, "--phone") || !strings.Contains(stderr, "--password") {
		t.Fatalf("bad admin create: exit %d %q", code, stderr)
	}
	code, out, stderr := runMain(env, "admin", "create", "--phone", "138 0013 8000", "--password", "a-good-password", "--name", "王芳", "--role", "finance")
	if code != 0 || !strings.Contains(out, "finance") {
		t.Fatalf("admin create: exit %d %q %q", code, out, stderr)
	}
	code, _, stderr = runMain(env, "admin", "create", "--phone", "13800138000", "--password", "a-good-password", "--name", "王芳", "--role", "admin")
	if code != 2 || !strings.Contains(stderr, "registered already") {
		t.Fatalf("duplicate admin create: exit %d %q", code, stderr)
	}
}

func TestDemoDataIsIdempotent(t *testing.T) {
	store := testdb.Store(t)
	ctx := context.Background()
	if err := seedDemo(ctx, store); err != nil {
		t.Fatal(err)
	}
	count := func() (people int64, events int64) {
		accounts, err := store.ListPeople(ctx, repository.PeopleFilter{}, domain.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		log, err := store.AuditLog(ctx, repository.AuditFilter{}, domain.Cursor{})
		if err != nil || log.Count.More {
			t.Fatalf("audit log counted %+v (%v)", log.Count, err)
		}
		return accounts.Count.N, log.Count.N
	}
	people, events := count()
	if people != 4+2+5+10+2+2 {
		t.Fatalf("%d demo accounts, want 25 (4 operators, 2 venue desks, 5+2 staff, 10+2 volunteers)", people)
	}
	// A coordinator has work waiting: registrations, a qualification, a list to confirm.
	counts, err := store.HomeCounts(ctx)
	if err != nil || counts.PendingPeople != 3 || counts.PendingQualifications != 1 || counts.EligibilityEntries != 3 {
		t.Fatalf("waiting for a coordinator: %+v, %v", counts, err)
	}
	requests := demoRequestStates(t, store)
	for _, state := range []string{domain.RequestClosed, domain.RequestMatched, domain.RequestCompleted,
		domain.RequestCancelled, domain.RequestEscalated, domain.RequestDispatching} {
		if requests[state] == 0 {
			t.Errorf("no demo request is %s: %v", state, requests)
		}
	}
	if n := liveDemoOffers(t, store); n < 3 {
		t.Errorf("%d live offers in the demo volunteers' inboxes, want at least 3", n)
	}
	vouchers := demoVoucherStates(t, store)
	if vouchers["issued"] == 0 || vouchers["redeemed"] == 0 || vouchers["submitted"] == 0 {
		t.Errorf("the demo's benefits: %v, want vouchers issued and redeemed and an application waiting", vouchers)
	}
	if err := seedDemo(ctx, store); err != nil {
		t.Fatal(err)
	}
	if again := demoVoucherStates(t, store); !maps.Equal(again, vouchers) {
		t.Errorf("second run changed the benefits: %v → %v", vouchers, again)
	}
	if again := demoRequestStates(t, store); !maps.Equal(again, requests) {
		t.Errorf("second run changed the requests: %v → %v", requests, again)
	}
	if p2, e2 := count(); p2 != people || e2 != events {
		t.Fatalf("second run changed things: %d→%d accounts, %d→%d audit events", people, p2, events, e2)
	}
	// Every demo login works and lands on its role's home; the volunteers' qualifications are verified.
	for _, phone := range []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006", "13900000005", "13700000010"} {
		u, err := store.Login(ctx, phone, DemoPassword, "127.0.0.1")
		if err != nil || u.Status != domain.StatusActive {
			t.Fatalf("demo login %s: %+v %v", phone, u, err)
		}
	}
	v, _ := store.UserByPhone(ctx, "13700000001")
	p, _ := store.PersonByID(ctx, v.ID)
	for _, q := range p.Qualifications {
		if q.Status != "verified" {
			t.Fatalf("demo volunteer qualification %s is %s", q.Code, q.Status)
		}
	}
}

// demoRequestStates counts the demo's requests by state.
func demoRequestStates(t *testing.T, store *repository.Store) map[string]int {
	t.Helper()
	rows, err := store.SQL().Query("SELECT status, count(*) FROM care_requests GROUP BY status")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// liveDemoOffers counts the offers waiting for an answer that have more than a quarter of an hour left.
func liveDemoOffers(t *testing.T, store *repository.Store) int {
	t.Helper()
	var n int
	if err := store.SQL().QueryRow("SELECT count(*) FROM care_offers WHERE status = 'pending' AND expires_at > now() + interval '15 minutes'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLedgerVerifyCommand(t *testing.T) {
	url := testdb.URL(t)
	env := map[string]string{"DATABASE_URL": url}
	store, err := repository.Open(context.Background(), url, repository.Options{IDKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := seedDemo(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runMain(env, "ledger", "verify")
	if code != 0 || !strings.Contains(out, "the ledger is consistent") {
		t.Fatalf("verify on demo data: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := store.SQL().Exec("UPDATE accounts SET balance = balance + 1 WHERE code = 'pool:unrestricted'"); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runMain(env, "ledger", "verify")
	if code != 1 || !strings.Contains(out, "balances_match_entries") || !strings.Contains(out, "FAILED") {
		t.Fatalf("verify after tampering: exit %d\n%s", code, out)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"admin", "create", "-h"}} {
		code, stdout, stderr := runMain(nil, args...)
		if code != 0 || !strings.Contains(stdout, "usage: guanai") || !strings.Contains(stdout, "ledger verify") || stderr != "" {
			t.Errorf("guanai %v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// The demo seeds accounts whose password is printed in the README: never on a production database.
func TestDemoRefusesProduction(t *testing.T) {
	url := testdb.NewDatabaseURL(t)
	env := map[string]string{"GUANAI_ENV": "production", "GUANAI_ID_HASH_KEY": "f3Kq9-zX2mPw7Lr4Tb8Nc1Vy6Hd0Gs5J", "DATABASE_URL": url}
	code, _, stderr := runMain(env, "demo")
	if code != 1 || !strings.Contains(stderr, "production") {
		t.Fatalf("demo in production: exit %d, stderr %q", code, stderr)
	}
	if created, err := repository.EnsureDatabase(context.Background(), url); err != nil || !created {
		t.Fatalf("the refused demo made its database anyway (created=%v, %v)", created, err)
	}
}

// seed refuses a scale it does not know and a database with data in it; it loads a small city that reconciles
// and, told --force, starts again from an empty database.
func TestSeedCommand(t *testing.T) {
	env := map[string]string{"DATABASE_URL": testdb.NewDatabaseURL(t)}
	if code, _, stderr := runMain(env, "seed", "--scale", "huge"); code != 2 || !strings.Contains(stderr, "--scale must be small or city") {
		t.Fatalf("seed --scale huge: exit %d %q", code, stderr)
	}
	code, out, stderr := runMain(env, "seed", "--scale", "small")
	if code != 0 || !strings.Contains(out, "created the database") || !strings.Contains(out, "seeded the small data set") ||
		!strings.Contains(out, "donations: receipts") || !strings.Contains(out, "13800000002") {
		t.Fatalf("seed --scale small: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := runMain(env, "ledger", "verify"); code != 0 || !strings.Contains(out, "the ledger is consistent") {
		t.Fatalf("verify after the seed: exit %d\n%s", code, out)
	}
	if code, _, stderr := runMain(env, "seed", "--scale", "small"); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("seed on a seeded database: exit %d %q", code, stderr)
	}
	code, out, stderr = runMain(env, "seed", "--scale", "small", "--force")
	if code != 0 || !strings.Contains(out, "dropping everything") || !strings.Contains(out, "seeded the small data set") {
		t.Fatalf("seed --force: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := runMain(env, "ledger", "verify"); code != 0 {
		t.Fatalf("verify after seed --force: exit %d\n%s", code, out)
	}
}

// demoVoucherStates counts the demo's benefit applications waiting and its vouchers issued and redeemed.
func demoVoucherStates(t *testing.T, store *repository.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	var submitted, issued, redeemed int
	err := store.SQL().QueryRow(`SELECT (SELECT count(*) FROM benefit_applications WHERE status = 'submitted'),
		(SELECT count(*) FROM vouchers), (SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL)`).
		Scan(&submitted, &issued, &redeemed)
	if err != nil {
		t.Fatal(err)
	}
	out["submitted"], out["issued"], out["redeemed"] = submitted, issued, redeemed
	return out
}
