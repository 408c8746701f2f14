package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"guanai/repository/testdb"
)

// TestDatabaseOutageGives503AndRecovers takes the test database away as a PostgreSQL restart would (existing
// connections killed, new ones refused) and brings it back: pages answer 503 meanwhile and work again after,
// without restarting the app.
func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	if r := c.get("/login"); r.Status != http.StatusOK {
		t.Fatalf("before: %d", r.Status)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testdb.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(ctx) })
	var name string
	if err := ta.store.SQL().QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	ident := pgx.Identifier{name}.Sanitize()
	setAllow := func(allow bool) {
		if _, err := admin.Exec(ctx, "ALTER DATABASE "+ident+" ALLOW_CONNECTIONS "+map[bool]string{true: "true", false: "false"}[allow]); err != nil {
			t.Fatal(err)
		}
	}
	setAllow(false)
	t.Cleanup(func() { setAllow(true) })
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("readyz during outage: %d", r.Status)
	}
	if r := c.get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("healthz during outage: %d", r.Status)
	}
	r := c.post("/login", url.Values{"phone": {"13900000001"}, "password": {"whatever-1"}})
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "暂时无法服务") {
		t.Log(ta.logs.String())
		t.Fatalf("login during outage: %d", r.Status)
	}
	setAllow(true)
	if r := c.get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("readyz after: %d", r.Status)
	}
	if r := c.get("/login"); r.Status != http.StatusOK {
		t.Fatalf("login page after: %d", r.Status)
	}
}
