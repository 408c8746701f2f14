package app

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guanai/domain"
	"guanai/repository"
)

// On a phone the audit log is a list of short rows: nothing scrolls sideways however long a name or a file is,
// amounts and times stay whole, and the filter is folded away until it is wanted.
func TestBrowserAuditLogOnAPhone(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	_, fin := ta.account(domain.RoleFinance, "13800000002")
	ta.account(domain.RoleAuditor, "13800000004")
	by := repository.Actor{UserID: fin.ID, IP: "2001:db8:85a3::8a2e:370:7334"}
	donor, err := ta.store.CreateDonor(ctx, by, domain.Donor{Kind: domain.DonorOrganization,
		Name: "杭州市西湖区某某某某某某某某科技发展有限公司第一分公司工会委员会"})
	if err != nil {
		t.Fatal(err)
	}
	in := domain.DonationInput{Amount: 12345678_90, Channel: "bank_transfer", Reference: "BOC-20260301-000000000001"}
	in.ReceivedOn, _ = domain.ParseDate("2026-03-01")
	if _, _, err := ta.store.RecordDonation(ctx, by, repository.DonationRequest{Key: "k1", DonorID: donor, Input: in}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.CreateStatementImport(ctx, by, repository.StatementUpload{Channel: "bank_transfer",
		Filename: "2026Q1_ICBC_Hangzhou_corporate_account_transaction_details_export_final_v2.csv",
		Records:  [][]string{{"交易日期", "对方户名", "贷方金额", "交易流水号"}, {"2026-03-01", "张三", "100.00", "R-1"}}}); err != nil {
		t.Fatal(err)
	}
	if err := ta.store.RecordExport(ctx, by, "donations-2026-01-01-2026-03-31.csv"); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, ta)
	tab := b.phone()
	b.open(tab, "/login")
	b.do(tab, "fill the login form", typeInto([2]string{"phone", "13800000004"}, [2]string{"password", testPassword})...)
	if status := b.submit(tab, "log in", chromedp.Tap(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("after logging in the auditor sees status %d%s", status, b.where(tab))
	}
	b.open(tab, "/admin/audit")
	b.mainSays(tab, "录入捐赠", "¥12,345,678.90", "上传银行流水", "下载导出文件", "2001:db8:85a3::8a2e:370:7334")
	b.noSideways(tab)
	if broken := eval[[]string](b, tab, `Array.from(document.querySelectorAll('.audit-log .nowrap, .audit-log time'))
		.filter(e => e.getClientRects().length > 1).map(e => e.textContent)`); len(broken) > 0 {
		t.Errorf("these break across lines: %q", broken)
	}
	if eval[bool](b, tab, `document.querySelector('details.audit-filter').open || document.querySelector('#area').checkVisibility()`) {
		t.Error("the filter is open on a phone before anyone asked for it")
	}
	b.screenshot(tab, "phone-audit-log")

	// Unfolded, the filter narrows the list to the fund and stays open to say so.
	b.do(tab, "open the filter", chromedp.Tap(chromedp.CSS(`details.audit-filter summary`)))
	b.noSideways(tab)
	b.do(tab, "choose the fund", chromedp.SetValue(chromedp.CSS(`#area`), "fund"))
	if status := b.submit(tab, "filter", chromedp.Tap(chromedp.CSS(`details.audit-filter button`))); status != 200 {
		t.Fatalf("filtering: status %d%s", status, b.where(tab))
	}
	b.mainSays(tab, "录入捐赠", "上传银行流水")
	if main := b.text(tab, "main"); strings.Contains(main, "下载导出文件") {
		t.Errorf("the fund's events include an export:\n%s", main)
	}
	if !eval[bool](b, tab, `document.querySelector('details.audit-filter').open`) {
		t.Error("the filter folded away while it narrows the list")
	}
	b.noSideways(tab)
	b.screenshot(tab, "phone-audit-log-fund")

	// At a desk there is room: the filter stands open.
	desk := b.desktop()
	b.open(desk, "/login")
	b.do(desk, "fill the login form", typeInto([2]string{"phone", "13800000004"}, [2]string{"password", testPassword})...)
	if status := b.submit(desk, "log in", chromedp.Click(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("after logging in at the desk the auditor sees status %d%s", status, b.where(desk))
	}
	b.open(desk, "/admin/audit")
	if !eval[bool](b, desk, `document.querySelector('#area').checkVisibility() && document.querySelector('#actor').checkVisibility()`) {
		t.Error("the filter is folded on a desktop screen")
	}
	b.screenshot(desk, "desktop-audit-log")
}
