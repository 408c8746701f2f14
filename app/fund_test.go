package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

var (
	fundReadersT = []domain.Role{domain.RoleAdmin, domain.RoleFinance, domain.RoleAuditor}
	fundWritersT = []domain.Role{domain.RoleAdmin, domain.RoleFinance}
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /admin/donors":                     fundReadersT,
		"GET /admin/quarters":                   fundReadersT,
		"POST /admin/quarters/close":            fundWritersT,
		"GET /admin/donors/new":                 fundWritersT,
		"POST /admin/donors":                    fundWritersT,
		"GET /admin/donors/:id":                 fundReadersT,
		"GET /admin/donors/:id/edit":            fundWritersT,
		"POST /admin/donors/:id":                fundWritersT,
		"GET /admin/donors/:id/merge":           fundWritersT,
		"POST /admin/donors/:id/merge":          fundWritersT,
		"GET /admin/donations":                  fundReadersT,
		"GET /admin/donations/new":              fundWritersT,
		"POST /admin/donations":                 fundWritersT,
		"GET /admin/donations/:id":              fundReadersT,
		"POST /admin/donations/:id/reverse":     fundWritersT,
		"POST /admin/donations/:id/reissue":     fundWritersT,
		"GET /admin/receipts/:id":               fundReadersT,
		"GET /admin/ledger":                     fundReadersT,
		"POST /admin/ledger/allocate":           fundWritersT,
		"GET /admin/disbursements":              fundReadersT,
		"GET /admin/disbursements/new":          fundWritersT,
		"POST /admin/disbursements":             fundWritersT,
		"GET /admin/disbursements/:id":          fundReadersT,
		"POST /admin/disbursements/:id/approve": fundWritersT,
		"POST /admin/disbursements/:id/pay":     fundWritersT,
		"POST /admin/disbursements/:id/reject":  fundWritersT,
		"POST /admin/disbursements/:id/cancel":  fundWritersT,
	})
}

func donationFormValues(key string) url.Values {
	return url.Values{"key": {key}, "donor_id": {"new"}, "donor_kind": {"organization"}, "donor_name": {"杭州某某科技有限公司"},
		"credit_code": {"91110000600037341L"}, "donor_phone": {"0571-8888"}, "publish_name": {"yes"},
		"amount": {"¥12,345.60"}, "channel": {"bank_transfer"}, "received_on": {"2026-03-01"}, "reference": {"BOC-20260301-001"},
		"program": {"care_fund"}}
}

func TestRecordDonationThroughTheForm(t *testing.T) {
	ta := newTestApp(t)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	page := fin.get("/admin/donations/new?donor=new")
	key := regexpFind(t, page.Body, `name="key" value="([^"]+)"`)

	// Bad input first: the form comes back with the messages, the values and the same key.
	bad := donationFormValues(key)
	bad.Set("amount", "-5")
	bad.Set("received_on", "2999-01-01")
	bad.Set("credit_code", "12345")
	bad.Set("donor_phone", "")
	r := fin.post("/admin/donations", bad)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad donation: %d", r.Status)
	}
	mustContain(t, r, "金额不能为负数", "到账日期不能晚于今天", "统一社会信用代码不正确", `value="杭州某某科技有限公司"`, `value="`+key+`"`)

	// A double click: two identical submissions at once record one donation and both land on it.
	token := fin.csrf()
	var wg sync.WaitGroup
	locations := make([]string, 2)
	for i := range locations {
		good := donationFormValues(key)
		good.Set("_csrf", token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := fin.postRaw("/admin/donations", good)
			locations[i] = r.Location
			if r.Location == "" {
				t.Logf("status %d: %s", r.Status, r.Body[:min(len(r.Body), 3000)])
			}
		}()
	}
	wg.Wait()
	if locations[0] == "" || locations[0] != locations[1] {
		t.Fatalf("double submit went to %v", locations)
	}
	list, err := ta.store.ListDonations(context.Background(), repository.DonationFilter{}, domain.Cursor{})
	if err != nil || len(list.Rows) != 1 || list.Count != (repository.Count{N: 1}) {
		t.Fatalf("%d donations (counted %+v) after a double click (%v)", len(list.Rows), list.Count, err)
	}
	d := fin.get(locations[0])
	mustContain(t, d, "杭州某某科技有限公司", "¥12,345.60", "2026-000001", "关爱基金")
	receipt := fin.get("/admin/receipts/" + itoa(list.Rows[0].ReceiptID))
	mustContain(t, receipt, "壹万贰仟叁佰肆拾伍元陆角整", "2026-000001", "91110000600037341L", "测试finance")
	mustNotContain(t, receipt, "作废 VOID</span>")

	// The same key with other content is refused, and nothing more is recorded.
	other := donationFormValues(key)
	other.Set("amount", "99")
	r = fin.post("/admin/donations", other)
	mustContain(t, r, "这张表单已用于另一笔捐赠")
	if again, _ := ta.store.ListDonations(context.Background(), repository.DonationFilter{}, domain.Cursor{}); len(again.Rows) != 1 {
		t.Fatalf("%d donations after a reused key", len(again.Rows))
	}

	// Reverse it: the receipt keeps its number and shows as void; a copy is marked 复制件.
	if r := fin.post("/admin/donations/"+itoa(list.Rows[0].ID)+"/reverse", url.Values{"reason": {"重复入账"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reverse: %d", r.Status)
	}
	mustContain(t, fin.get("/admin/receipts/"+itoa(list.Rows[0].ReceiptID)), "2026-000001", "作废 VOID")
	r = fin.post("/admin/donations/"+itoa(list.Rows[0].ID)+"/reissue", nil)
	mustContain(t, fin.get(r.Location), "复制件", "2026-000001")
}

func TestDisbursementNeedsTwoPeople(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	maker, makerUser := ta.account(domain.RoleFinance, "13800000002")
	checker, _ := ta.account(domain.RoleAdmin, "13800000001")
	auditor, _ := ta.account(domain.RoleAuditor, "13800000004")
	donor, err := ta.store.CreateDonor(ctx, repository.Actor{UserID: makerUser.ID}, domain.Donor{Kind: "individual", Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	in := domain.DonationInput{Amount: 1000_00, Channel: "cash"}
	in.ReceivedOn, _ = domain.ParseDate("2026-03-01")
	if _, _, err := ta.store.RecordDonation(ctx, repository.Actor{UserID: makerUser.ID}, repository.DonationRequest{Key: "k1", DonorID: donor, Input: in}); err != nil {
		t.Fatal(err)
	}
	pools, _ := ta.store.Pools(ctx)
	unres := pools[0]

	r := maker.post("/admin/disbursements", url.Values{"pool": {itoa(unres.ID)}, "amount": {"abc"}, "payee": {""}, "purpose": {"困难补助"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad draft: %d", r.Status)
	}
	mustContain(t, r, "请输入金额", "请填写此项", `value="困难补助"`)
	r = maker.post("/admin/disbursements", url.Values{"pool": {itoa(unres.ID)}, "amount": {"600"}, "payee": {"张护士"}, "purpose": {"困难补助"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d %s", r.Status, r.Body)
	}
	page := r.Location
	mustContain(t, maker.get(page), "需由另一位工作人员审批")
	maker.post(page+"/approve", nil)
	mustContain(t, maker.get(page), "制单人不能审批自己的支出", "待审批")
	if r := auditor.post(page+"/approve", nil); r.Status != http.StatusForbidden {
		t.Fatalf("auditor approving: %d", r.Status)
	}
	checker.post(page+"/approve", nil)
	mustContain(t, checker.get(page), "已审批，金额已预留")
	// A second draft larger than what is left is refused at approval with the available amount.
	r = maker.post("/admin/disbursements", url.Values{"pool": {itoa(unres.ID)}, "amount": {"500"}, "payee": {"王医生"}, "purpose": {"困难补助"}})
	checker.post(r.Location+"/approve", nil)
	mustContain(t, checker.get(r.Location), "资金不足", "¥400.00")
	maker.post(page+"/pay", url.Values{"bank_reference": {""}})
	mustContain(t, maker.get(page), "请填写此项")
	maker.post(page+"/pay", url.Values{"bank_reference": {"ICBC-0001"}})
	mustContain(t, maker.get(page), "已登记付款", "ICBC-0001")
	ta.ledgerOK()
	ledger := auditor.get("/admin/ledger")
	mustContain(t, ledger, "¥400.00")
	mustNotContain(t, ledger, `action="/admin/ledger/allocate"`)
	home := maker.get("/admin")
	mustContain(t, home, "¥1,000.00", "¥600.00")
}

func TestAllocationForm(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	fin, u := ta.account(domain.RoleFinance, "13800000002")
	donor, _ := ta.store.CreateDonor(ctx, repository.Actor{UserID: u.ID}, domain.Donor{Kind: "individual", Name: "赵六"})
	in := domain.DonationInput{Amount: 100_00, Channel: "cash"}
	in.ReceivedOn, _ = domain.ParseDate("2026-03-01")
	if _, _, err := ta.store.RecordDonation(ctx, repository.Actor{UserID: u.ID}, repository.DonationRequest{Key: "k", DonorID: donor, Input: in}); err != nil {
		t.Fatal(err)
	}
	pools, _ := ta.store.Pools(ctx)
	from, to := itoa(pools[0].ID), itoa(pools[len(pools)-1].ID)
	r := fin.post("/admin/ledger/allocate", url.Values{"from": {from}, "to": {to}, "amount": {"150"}, "reason": {"支援关爱基金"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("over-allocation: %d", r.Status)
	}
	mustContain(t, r, "资金不足", "¥100.00", `value="支援关爱基金"`)
	r = fin.post("/admin/ledger/allocate", url.Values{"from": {from}, "to": {from}, "amount": {"10"}, "reason": {"x"}})
	mustContain(t, r, "调出和调入不能是同一个资金池")
	r = fin.post("/admin/ledger/allocate", url.Values{"from": {from}, "to": {to}, "amount": {"60"}, "reason": {"支援关爱基金"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("allocation: %d %s", r.Status, r.Body)
	}
	page := fin.get("/admin/ledger")
	mustContain(t, page, "调拨完成", "¥40.00", "¥60.00", "支援关爱基金")
	if strings.Contains(page.Body, "对账发现问题") {
		t.Fatal("reconciliation failed after an allocation")
	}
}

// Two donors called 张伟: the chooser tells them apart by phone tail, the form names the one chosen, and the gift
// is his — also when the form comes back with an error, and however long ago he last gave.
func TestDonationChooserTellsNamesakesApart(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	fin, u := ta.account(domain.RoleFinance, "13800000002")
	actor := repository.Actor{UserID: u.ID}
	first, err := ta.store.CreateDonor(ctx, actor, domain.Donor{Kind: "individual", Name: "张伟", Phone: "13912345678"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := ta.store.CreateDonor(ctx, actor, domain.Donor{Kind: "individual", Name: "张伟", Phone: "13800008888"})
	if err != nil {
		t.Fatal(err)
	}
	found := fin.get("/admin/donations/new?q=" + url.QueryEscape("张伟"))
	mustContain(t, found, "手机尾号 5678", "手机尾号 8888", "/admin/donations/new?donor="+itoa(first), "/admin/donations/new?donor="+itoa(second))
	mustNotContain(t, found, "13912345678")
	byTail := fin.get("/admin/donations/new?q=8888")
	mustContain(t, byTail, "/admin/donations/new?donor="+itoa(second))
	mustNotContain(t, byTail, "/admin/donations/new?donor="+itoa(first)+`"`)

	form := fin.get("/admin/donations/new?donor=" + itoa(first))
	mustContain(t, form, `name="donor_id" value="`+itoa(first)+`"`, "手机尾号 5678")
	key := regexpFind(t, form.Body, `name="key" value="([^"]+)"`)
	gift := url.Values{"key": {key}, "donor_id": {itoa(first)}, "amount": {"abc"}, "channel": {"cash"}, "received_on": {today()}}
	r := fin.post("/admin/donations", gift)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad amount: %d", r.Status)
	}
	mustContain(t, r, `name="donor_id" value="`+itoa(first)+`"`, "手机尾号 5678")
	gift.Set("amount", "88")
	if r := fin.post("/admin/donations", gift); r.Status != http.StatusSeeOther {
		t.Fatalf("record: %d", r.Status)
	}
	if d, _ := ta.store.DonorByID(ctx, first); d.Donations != 1 || d.Total != 88_00 {
		t.Errorf("the gift went elsewhere: %+v", d)
	}
	// The duplicate, once merged, leads to the donor it became.
	if err := ta.store.MergeDonors(ctx, actor, second, first); err != nil {
		t.Fatal(err)
	}
	if r := fin.get("/admin/donations/new?donor=" + itoa(second)); r.Location != "/admin/donations/new?donor="+itoa(first) {
		t.Errorf("the merged duplicate's form: %d %q", r.Status, r.Location)
	}
}

func today() string { return time.Now().In(domain.Shanghai).Format(time.DateOnly) }
