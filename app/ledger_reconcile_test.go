package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"POST /admin/ledger/reconcile": fundReadersT,
	})
}

// startJobs works the test app's background jobs, as serve does, until the test ends.
func (ta *testApp) startJobs() {
	ta.t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	jobs, err := ta.store.StartJobs(ctx, repository.JobOptions{Mail: ta.app.mailer()})
	if err != nil {
		stop()
		ta.t.Fatal(err)
	}
	ta.jobs = true
	ta.t.Cleanup(func() {
		stop()
		jobs.Wait()
	})
}

// reconciled waits for the count-th reconciliation to finish and returns it.
func (ta *testApp) reconciled(count int) *repository.Reconciliation {
	ta.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ta.count("SELECT count(*) FROM ledger_reconciliations") >= count {
			last, _, err := ta.store.LastReconciliation(context.Background())
			if err != nil {
				ta.t.Fatal(err)
			}
			return last
		}
	}
	ta.t.Fatalf("no %d reconciliations after 30 s", count)
	return nil
}

// shanghaiTime is a moment as the Chinese pages show it.
func shanghaiTime(t time.Time) string {
	t = t.In(domain.Shanghai)
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
}

// The pages show the stored result and never run the checks themselves: after the ledger is tampered with they
// still show the last pass, and no reconciliation is recorded or queued however often they are opened. The button
// runs one, and then they show what it found.
func TestReconciliationPagesShowTheStoredResult(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	fin, u := ta.account(domain.RoleFinance, "13800000002")
	donor, _ := ta.store.CreateDonor(ctx, repository.Actor{UserID: u.ID}, domain.Donor{Kind: "individual", Name: "李四"})
	in := domain.DonationInput{Amount: 100_00, Channel: "cash"}
	in.ReceivedOn, _ = domain.ParseDate("2026-03-01")
	if _, _, err := ta.store.RecordDonation(ctx, repository.Actor{UserID: u.ID}, repository.DonationRequest{Key: "k", DonorID: donor, Input: in}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, fin.get("/admin"), "尚未核对过", "立即核对")

	ta.startJobs() // as serve does: a new site reconciles at once
	first := ta.reconciled(1)
	for _, page := range []string{"/admin", "/admin/ledger"} {
		mustContain(t, fin.get(page), "对账通过", "核对于 <time datetime=\""+first.FinishedAt.UTC().Format(time.RFC3339)+"\">"+
			shanghaiTime(first.FinishedAt)+"</time>", "定时核对", `action="/admin/ledger/reconcile"`, `name="back" value="`+page+`"`)
	}

	if _, err := ta.store.SQL().Exec("UPDATE accounts SET balance = balance + 1 WHERE code = 'external:payees'"); err != nil {
		t.Fatal(err)
	}
	jobs := ta.count("SELECT count(*) FROM river_job")
	for range 3 {
		for _, page := range []string{"/admin", "/admin/ledger"} {
			r := fin.get(page)
			mustContain(t, r, "对账通过")
			mustNotContain(t, r, "对账发现问题", "核对中…")
		}
	}
	if n := ta.count("SELECT count(*) FROM ledger_reconciliations"); n != 1 || ta.count("SELECT count(*) FROM river_job") != jobs {
		t.Fatalf("opening the pages recorded or queued reconciliations (%d results)", n)
	}

	r := fin.post("/admin/ledger/reconcile", url.Values{"back": {"/admin"}})
	if r.Status != http.StatusSeeOther || r.Location != "/admin" {
		t.Fatalf("reconcile now: %d %s", r.Status, r.Location)
	}
	mustContain(t, fin.get("/admin"), "已开始核对")
	ta.reconciled(2)
	home := fin.get("/admin")
	mustContain(t, home, "对账发现问题", "账户余额等于明细合计", "external:payees: balance 1, entries 0", "应测试finance要求")
	mustNotContain(t, home, "收据编号连续无缺号") // the dashboard lists only what failed
	ledger := fin.get("/admin/ledger")
	mustContain(t, ledger, "对账发现问题", "external:payees: balance 1, entries 0", "收据编号连续无缺号")
}

// While one is pending the pages say so, and asking again joins it; a forged request asks nothing; the auditor may
// ask, the coordinator (who does not see the fund) is not offered the button.
func TestReconcileNowWhilePending(t *testing.T) {
	ta := newTestApp(t)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	auditor, _ := ta.account(domain.RoleAuditor, "13800000004")
	coordinator, _ := ta.account(domain.RoleCoordinator, "13800000003")

	if r := fin.postRaw("/admin/ledger/reconcile", url.Values{}); r.Status != http.StatusForbidden {
		t.Fatalf("without a CSRF token: %d, want 403", r.Status)
	}
	if n := ta.count("SELECT count(*) FROM river_job"); n != 0 {
		t.Fatalf("a forged request queued %d jobs", n)
	}
	if r := fin.post("/admin/ledger/reconcile", nil); r.Location != "/admin/ledger" {
		t.Fatalf("reconcile now from the ledger: %d %s", r.Status, r.Location)
	}
	mustContain(t, fin.get("/admin/ledger"), "已开始核对", "核对中…")
	if r := auditor.post("/admin/ledger/reconcile", url.Values{"back": {"https://example.com/"}}); r.Location != "/admin/ledger" {
		t.Fatalf("reconcile now with a foreign back: %d %s", r.Status, r.Location)
	}
	mustContain(t, auditor.get("/admin/ledger"), "已有核对正在进行", "核对中…")
	if n := ta.count("SELECT count(*) FROM river_job"); n != 1 {
		t.Fatalf("two requests while pending queued %d jobs", n)
	}
	if n := ta.count("SELECT count(*) FROM audit_events WHERE action = 'ledger.reconcile'"); n != 2 {
		t.Errorf("%d requests in the audit log, want 2", n)
	}
	mustNotContain(t, coordinator.get("/admin"), "立即核对", "/admin/ledger/reconcile")

	ta.startJobs()
	ta.reconciled(1)
	r := auditor.get("/admin/ledger")
	mustContain(t, r, "对账通过", "应测试finance要求")
	mustNotContain(t, r, "核对中…")
}
