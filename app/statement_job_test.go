package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository/testdb"
)

// A statement's confirmation is a background job: the request is answered at once; the page shows how far the job
// has got — while the job's transaction is still open — and reloads itself; a gift typed in meanwhile waits for the
// statement's lock and is recorded after it. Here the database holds the job at line 600 (in the second chunk of
// 500) until the test lets it go.
func TestStatementJobShowsProgressWhileGiftsTypedInWait(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	admin, _ := ta.account(domain.RoleAdmin, "13800000001")
	admin.post("/lang", url.Values{"lang": {"en"}})
	day := statementDay("2006-01-02")
	const n = 1200
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("%s,捐赠人%03d,,%d.00,P%06d,", day, i%300, 10+i%90, i)
	}
	previewURL, preview := previewStatement(t, fin, "big.csv", gbkStatement(t, lines...))
	mustContain(t, preview, "确认导入 1200 行")
	hold := testdb.HoldDonation(t, ta.store.SQL(), "P000599")

	start := time.Now()
	r := confirmStatementNoWait(t, fin, preview, previewURL)
	if r.Status != http.StatusSeeOther || r.Location != previewURL {
		t.Fatalf("confirm: %d %s", r.Status, r.Location)
	}
	answered := time.Since(start)
	hold.Waiting(t)
	t.Logf("the confirmation was answered in %v", answered)

	page := fin.get(previewURL)
	mustContain(t, page, `<meta http-equiv="refresh" content="2">`, `<progress id="confirm-bar" value="500" max="1200"></progress>`,
		"正在导入 500 / 1,200 行…", "导入在后台进行")
	mustNotContain(t, page, `id="statement-confirm"`, previewURL+"/mapping", "导入结果")
	mustContain(t, admin.get(previewURL), "Importing 500 of 1,200 lines…", `value="500" max="1200"`)
	mustContain(t, fin.get("/admin/statements"), "导入中")
	if got := ta.count("SELECT count(*) FROM donations"); got != 0 {
		t.Fatalf("%d donations visible before the statement's transaction ends", got)
	}

	// A second click while it runs joins it.
	if again := confirmStatementNoWait(t, fin, preview, previewURL); again.Status != http.StatusSeeOther {
		t.Fatalf("a second confirmation: %d", again.Status)
	}
	mustContain(t, fin.get(previewURL), "这份流水已在导入中，没有重复提交", "正在导入 500 / 1,200 行…")

	// A gift typed in now waits for the pool's lock the statement holds, and is recorded once it is let go.
	key := regexpFind(t, fin.get("/admin/donations/new?donor=new").Body, `name="key" value="([^"]+)"`)
	gift := donationFormValues(key)
	gift.Set("_csrf", fin.csrf())
	typed := make(chan response, 1)
	go func() {
		req := fin.rawRequest("/admin/donations", gift)
		resp, err := fin.http.Do(req)
		if err != nil {
			typed <- response{Body: err.Error()}
			return
		}
		resp.Body.Close()
		typed <- response{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	}()
	ta.waitForLock(t, "the typed-in gift")
	hold.Release(t)
	select {
	case r := <-typed:
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/donations/") {
			t.Fatalf("the gift typed in while the statement was recorded: %d %s %s", r.Status, r.Location, r.Body)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the gift typed in is still waiting 60 s after the statement was let go")
	}

	ta.statementSettled(previewURL)
	done := fin.get(previewURL)
	mustContain(t, done, "导入完成：新增 1200 笔捐赠", "导入结果", `id="statement-result"`)
	mustNotContain(t, done, `http-equiv="refresh"`, "<progress")
	if got := ta.count("SELECT count(*) FROM donations WHERE import_id IS NOT NULL"); got != n {
		t.Errorf("%d donations of the statement, want %d", got, n)
	}
	if got := ta.count("SELECT count(*) FROM donations"); got != n+1 {
		t.Errorf("%d donations, want the statement's %d and the gift typed in", got, n)
	}
	if got := ta.count("SELECT count(*) FROM river_job WHERE kind = 'statement_confirm'"); got != 1 {
		t.Errorf("%d statement jobs, want 1", got)
	}
	ta.ledgerOK()
}

// confirmStatementNoWait sends the preview's confirmation and returns the answer, without waiting for the job.
func confirmStatementNoWait(t *testing.T, c *client, preview response, previewURL string) response {
	t.Helper()
	return c.post(previewURL+"/confirm", url.Values{"version": {regexpFind(t, preview.Body, versionField.String())}})
}

// waitForLock waits until some statement of the test's database waits for a row or a transaction's lock (not the
// test's own advisory lock).
func (ta *testApp) waitForLock(t *testing.T, what string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ta.count(`SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE NOT l.granted AND l.locktype <> 'advisory' AND a.datname = current_database()`) > 0 {
			return
		}
	}
	t.Fatalf("%s does not wait for a lock within 60 s", what)
}

// The largest statement a file may hold — 5,000 lines: account details, the header and 4,997 gifts — through the
// page and the job: the request is answered at once, the job records every line, and the ledger reconciles. The
// times are logged (see -v), not asserted.
func TestLargestStatementThroughTheJob(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	day := statementDay("2006-01-02")
	const n = domain.MaxStatementLines - 3
	lines := make([]string, n)
	for i := range lines {
		payer := fmt.Sprintf("捐赠人%03d", i%300)
		if i%7 == 1 {
			payer = fmt.Sprintf("杭州第%d实业有限公司", i%40)
		}
		lines[i] = fmt.Sprintf("%s,%s,,%d.00,L%06d,捐款", day, payer, 10+i%500, i)
	}
	previewURL, preview := previewStatement(t, fin, "largest.csv", gbkStatement(t, lines...))
	mustContain(t, preview, "确认导入 4997 行")

	start := time.Now()
	r := confirmStatementNoWait(t, fin, preview, previewURL)
	answered := time.Since(start)
	if r.Status != http.StatusSeeOther || r.Location != previewURL {
		t.Fatalf("confirm: %d %s", r.Status, r.Location)
	}
	imp := ta.statementSettled(previewURL)
	recorded := time.Since(start)
	if !imp.Committed || imp.Result.Added != n || imp.Result.NewDonors != 340 {
		t.Fatalf("committed %v, result %+v", imp.Committed, imp.Result)
	}
	t.Logf("%d lines: the request answered in %v, the statement committed %v after it was sent", n, answered, recorded)
	var waited, worked float64
	if err := ta.store.SQL().QueryRow(`SELECT extract(epoch FROM attempted_at - created_at), extract(epoch FROM finalized_at - attempted_at)
		FROM river_job WHERE kind = 'statement_confirm'`).Scan(&waited, &worked); err == nil {
		t.Logf("the job waited %.2f s to start and ran for %.2f s", waited, worked)
	}
	if got := ta.count("SELECT count(*) FROM donations WHERE import_id IS NOT NULL"); got != n {
		t.Errorf("%d donations, want %d", got, n)
	}
	mustContain(t, fin.get(previewURL), "导入完成：新增 4997 笔捐赠")
	ta.ledgerOK()
}
