package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guanai/app/loadrun"
)

// `guanai bench` against the demo data: two users of every role, each doing every action of its role once and
// then the mix for three seconds, and not one request fails. With a wrong password, it stops before locking anyone.
func TestBenchRunsEveryRoleWithoutErrors(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs() // the statements' confirmations are jobs, as in serve
	if err := seedDemo(context.Background(), ta.store); err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, r := range loadrun.Roles {
		roles = append(roles, r+"=1")
	}
	// A wrong password is tried once per account, not once per user: five failures lock a phone.
	code, _, errOut := runMain(nil, "bench", "--url", ta.srv.URL, "--users", "16", "--roles", strings.Join(roles, ","),
		"--password", "not-the-password")
	if code != 1 || !strings.Contains(errOut, "log in as 13800000002") {
		t.Errorf("a wrong password: exit %d, %q", code, errOut)
	}
	if n := ta.count("SELECT max(n) FROM (SELECT count(*) n FROM login_attempts GROUP BY phone) p"); n != 1 {
		t.Errorf("a wrong password was tried %d times on one phone", n)
	}

	file := filepath.Join(t.TempDir(), "bench.json")
	code, out, errOut := runMain(nil, "bench", "--url", ta.srv.URL, "--users", "16", "--duration", "3s", "--seed", "7",
		"--roles", strings.Join(roles, ","), "--first", strings.Join(loadrun.ActionNames(), ","), "--json", file)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var rep loadrun.Report
	if b, err := os.ReadFile(file); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("the JSON report: %v", err)
	}
	if rep.Errors > 0 || !strings.Contains(out, " 0 errors") {
		t.Errorf("%d errors; the first: %+v", rep.Errors, rep.ErrorSamples)
	}
	for _, r := range loadrun.Roles {
		if rep.Users[r] != 2 || rep.Roles[r] == 0 {
			t.Errorf("%s: %d users made %d requests", r, rep.Users[r], rep.Roles[r])
		}
	}
	hit := map[string]loadrun.Route{}
	for _, r := range rep.Routes {
		hit[r.Route] = r
		if !(r.P50 <= r.P95 && r.P95 <= r.P99 && r.P99 <= r.Max) {
			t.Errorf("%s: p50 %v, p95 %v, p99 %v, max %v", r.Route, r.P50, r.P95, r.P99, r.Max)
		}
	}
	for _, route := range []string{
		"GET /", "GET /transparency", "GET /transparency?after", "GET /transparency/report", "GET /transparency/report?q",
		"GET /admin", "GET /admin/ledger", "GET /admin/donations", "GET /admin/donations?after", "GET /admin/donations?program",
		"GET /admin/donations?from&to", "GET /admin/donations/:id", "GET /admin/donors", "GET /admin/donors?q",
		"GET /admin/donors/:id", "GET /admin/disbursements", "GET /admin/disbursements/:id",
		"GET /admin/donations/new?donor", "POST /admin/donations",
		"POST /admin/statements/upload", "POST /admin/statements/:id/mapping", "POST /admin/statements/:id/confirm",
		"GET /admin/people", "GET /admin/verification", "GET /admin/people/:id",
		"GET /admin/audit", "GET /admin/audit?after", "GET /admin/audit?area",
		"GET /staff", "GET /volunteer", "GET /volunteer/certificates/:id", "GET /verify/:code",
		"POST /admin/dispatch/assignments", "GET /admin/dispatch/assignments/:id",
		"GET /venue/redeem", "GET /staff/vouchers/:id",
	} {
		if hit[route].Requests == 0 {
			t.Errorf("%s: not requested", route)
		}
	}
	// Each of the four fund users recorded a gift and imported three lines at least (once the jobs have run).
	ta.statementJobsDone()
	if n := ta.count("SELECT count(*) FROM donations WHERE reference LIKE 'BENCH-%'"); n < 4*(1+3) {
		t.Errorf("%d gifts recorded by the run", n)
	}
	if rep.Memory.Samples == 0 || rep.Memory.PeakRSS == 0 {
		t.Errorf("memory: %+v", rep.Memory)
	}
	ta.ledgerOK()
	if t.Failed() {
		t.Log(out)
	}
}

func TestBenchFlagMistakesAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--users", "0"}, {"--duration", "-1s"}, {"--url", "localhost:8080"}, {"--roles", "doctor=1"},
		{"--roles", "public=0"}, {"--mix", "fund.nothing=1"}, {"--mix", "fund.record=lots"}, {"--first", "fund.nothing"},
		{"extra"},
	} {
		if code, _, stderr := runMain(nil, append([]string{"bench"}, args...)...); code != 2 || !strings.Contains(stderr, "usage") {
			t.Errorf("bench %v: exit %d, %q", args, code, stderr)
		}
	}
}
