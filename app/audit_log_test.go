package app

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"guanai/domain"
)

// getIn fetches a page as a browser set to lang would, without the language cookie.
func (c *client) getIn(lang, path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.ta.srv.URL+path, nil)
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// The audit log tells each event as a sentence in the reader's language: who, did what, to whom, and the
// details in the words and figures the other pages use — never the codes, the JSON or amounts in fen.
func TestAuditLogInWords(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	admin, adminUser := ta.account(domain.RoleAdmin, "13800000001")
	auditor, _ := ta.account(domain.RoleAuditor, "13800000004")
	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")

	// A donation of ¥1,234.56 through the form, unrestricted.
	key := regexpFind(t, fin.get("/admin/donations/new?donor=new").Body, `name="key" value="([^"]+)"`)
	form := donationFormValues(key)
	form.Set("amount", "1234.56")
	form.Set("program", "")
	r := fin.post("/admin/donations", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("donation: %d", r.Status)
	}
	donationPath := r.Location
	// A disbursement drafted by finance and approved by the admin.
	pools, err := ta.store.Pools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r = fin.post("/admin/disbursements", url.Values{"pool": {itoa(pools[0].ID)}, "amount": {"600"}, "payee": {"张护士"}, "purpose": {"困难补助"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d", r.Status)
	}
	disbursementPath := r.Location
	if r := admin.post(disbursementPath+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	// The auditor reveals a staff member's phone; the admin suspends her.
	staff := registerTestStaff(t, ta, "13900000013", "吴静")
	personPath := "/admin/people/" + itoa(staff.ID)
	if r := auditor.post(personPath+"/reveal", nil); r.Status != http.StatusOK {
		t.Fatalf("reveal: %d", r.Status)
	}
	if r := admin.post(personPath+"/suspend", url.Values{"reason": {"冒用他人身份"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", r.Status)
	}

	page := auditor.get("/admin/audit")
	if page.Status != http.StatusOK {
		t.Fatalf("audit log: %d", page.Status)
	}
	mustContain(t, page,
		"录入捐赠", "¥1,234.56", "银行转账", "非定向资金", "收据 <span class=\"nowrap\">2026-000001</span> · 杭州某某科技有限公司",
		"<b>测试finance</b>", "新建支出", "审批支出", "<b>测试admin</b>", "待审批</span> → <span class=\"nowrap\">已审批", "张护士", "¥600.00",
		"<b>测试auditor</b>", "查看完整手机号", "吴静 <span class=\"muted\">· 医务人员</span>",
		"更改账户状态", "待审核</span> → <span class=\"nowrap\">已停用", "“冒用他人身份”",
		"<b>系统</b>", "创建账户", "提交注册",
		`href="`+donationPath+`"`, `href="`+disbursementPath+`"`, `href="`+personPath+`"`)
	mustNotContain(t, page, "donation.record", "disbursement.approved", "phone.reveal", "account.status", `"amount":`,
		`&#34;amount&#34;`, "123456", "pool:unrestricted", "bank_transfer", "audit.did.", "audit.field.",
		// The auditor may not open an operator's account, so the admin's is not linked for them.
		`href="/admin/people/`+itoa(adminUser.ID)+`"`)

	en := auditor.getIn("en", "/admin/audit")
	mustContain(t, en, "recorded the donation", "¥1,234.56", "Bank transfer", "Unrestricted fund", "receipt <span class=\"nowrap\">2026-000001</span>",
		"approved disbursement", "Waiting for approval</span> → <span class=\"nowrap\">Approved", "revealed the phone number of",
		"changed the status of", "Suspended", "<b>System</b>", "<b>测试finance</b>")
	mustNotContain(t, en, "donation.record", "&#34;amount&#34;", "123456", "录入捐赠", "已审批")

	// The filter narrows by area and by who acted, and stays open while it does.
	fund := auditor.get("/admin/audit?area=fund")
	mustContain(t, fund, "录入捐赠", "审批支出", `<details class="fold audit-filter" open>`, `<option value="fund" selected>`)
	mustNotContain(t, fund, "查看完整手机号", "更改账户状态")
	byAdmin := auditor.get("/admin/audit?actor=" + itoa(adminUser.ID))
	mustContain(t, byAdmin, "审批支出", "更改账户状态", `<option value="`+itoa(adminUser.ID)+`" selected>测试admin · 管理员</option>`)
	mustNotContain(t, byAdmin, "录入捐赠", "查看完整手机号")
	bySystem := auditor.get("/admin/audit?actor=system&area=accounts")
	mustContain(t, bySystem, "创建账户")
	mustNotContain(t, bySystem, "提交注册", "录入捐赠")
	mustContain(t, auditor.get("/admin/audit?area=access&actor="+itoa(adminUser.ID)), "没有符合条件的记录。")
	// Nonsense in the query is ignored, not an error.
	all := auditor.get("/admin/audit?area=%3Cscript%3E&actor=-1")
	mustContain(t, all, "录入捐赠", "查看完整手机号", `<details class="fold audit-filter">`)

	if r := coord.get("/admin/audit"); r.Status != http.StatusForbidden {
		t.Errorf("coordinator: %d, want 403", r.Status)
	}
	if r := admin.get("/admin/audit"); r.Status != http.StatusOK {
		t.Errorf("admin: %d", r.Status)
	} else {
		mustContain(t, r, `href="/admin/people/`+itoa(adminUser.ID)+`"`) // the admin may open operators' accounts
	}
}
