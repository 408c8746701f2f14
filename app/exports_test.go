package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	fundReadersOnly := []domain.Role{domain.RoleAdmin, domain.RoleFinance, domain.RoleAuditor}
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /admin/exports":          fundReadersOnly,
		"GET /admin/exports/download": fundReadersOnly,
	})
}

var (
	exportDonationHeader     = []string{"收据编号", "收到日期", "捐赠人", "捐赠人类型", "金额", "渠道", "交易参考号", "定向项目", "经办人", "状态", "备注"}
	exportDisbursementHeader = []string{"编号", "创建日期", "资金池", "金额", "收款方", "用途", "状态", "经办人(制单)", "审批人", "银行流水号", "支付日期"}
	exportLedgerHeader       = []string{"交易编号", "日期", "类型", "账户", "借贷金额", "摘要"}
)

func TestExportDonations(t *testing.T) {
	f := newExportFixture(t)
	f.donate(t, "2026-02-28", 1_00, "", "")
	first := f.donate(t, "2026-03-01", 1234_56, "", "=HYPERLINK(\"http://evil\")")
	f.donate(t, "2026-03-15", 500_00, "care_fund", "")
	f.donate(t, "2026-03-31", 1_000_000_00, "counselling", "季度末")
	f.donate(t, "2026-04-01", 2_00, "", "")
	if err := f.ta.store.ReverseDonation(context.Background(), f.fin, first, "录入错误"); err != nil {
		t.Fatal(err)
	}

	r := exportDownloadOK(t, f.finance, exportURL("donations", "csv", "2026-03-01", "2026-03-31", ""),
		"donations_2026-03-01_2026-03-31.csv", "捐赠明细_2026-03-01_2026-03-31.csv")
	rows := exportCSVRows(t, r)
	if strings.Join(rows[0], ",") != strings.Join(exportDonationHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	want := [][]string{
		{"2026-000002", "2026-03-01", "王爱心", "个人", "1234.56", "银行转账", "REF-2", "非定向", "测试finance", "已冲销", "'=HYPERLINK(\"http://evil\")"},
		{"2026-000003", "2026-03-15", "王爱心", "个人", "500.00", "银行转账", "REF-3", "关爱基金", "测试finance", "有效", ""},
		{"2026-000004", "2026-03-31", "王爱心", "个人", "1000000.00", "银行转账", "REF-4", "心理疏导", "测试finance", "有效", "季度末"},
	}
	if fmt.Sprint(rows[1:]) != fmt.Sprint(want) {
		t.Errorf("rows\n%q\nwant\n%q", rows[1:], want)
	}

	r = exportDownloadOK(t, f.finance, exportURL("donations", "xlsx", "2026-03-01", "2026-03-31", ""),
		"donations_2026-03-01_2026-03-31.xlsx", "捐赠明细_2026-03-01_2026-03-31.xlsx")
	x, xrows := exportXLSXRows(t, r, "捐赠明细")
	if strings.Join(xrows[0], ",") != strings.Join(exportDonationHeader, ",") {
		t.Fatalf("header %v", xrows[0])
	}
	if len(xrows) != 6 {
		t.Fatalf("%d rows: %q", len(xrows), xrows)
	}
	if got := xrows[1][:5]; fmt.Sprint(got) != fmt.Sprint([]string{"2026-000002", "2026-03-01", "王爱心", "个人", "1,234.56"}) {
		t.Errorf("first row %q", got)
	}
	if got := xrows[3][4]; got != "1,000,000.00" {
		t.Errorf("amount shown as %q", got)
	}
	if got := xrows[1][10]; got != `=HYPERLINK("http://evil")` {
		t.Errorf("note %q: text in an XLSX is never a formula and is kept as typed", got)
	}
	// Amounts and dates are numbers under a format, not text.
	if raw, _ := x.GetCellValue("捐赠明细", "E2", excelize.Options{RawCellValue: true}); raw != "1234.56" {
		t.Errorf("raw amount %q", raw)
	}
	if raw, _ := x.GetCellValue("捐赠明细", "B2", excelize.Options{RawCellValue: true}); raw != "46082" {
		t.Errorf("raw date %q, want Excel's day number of 2026-03-01", raw)
	}
	// 合计 = every row; 其中有效 leaves out the reversed one.
	if got := xrows[4]; got[0] != "合计（3 行）" || got[4] != "1,001,734.56" {
		t.Errorf("totals %q", got)
	}
	if got := xrows[5]; got[0] != "其中有效（2 行）" || got[4] != "1,000,500.00" {
		t.Errorf("valid subtotal %q", got)
	}
	if fm, _ := x.GetCellFormula("捐赠明细", "E5"); fm != "SUM(E2:E4)" {
		t.Errorf("totals formula %q", fm)
	}
	if fm, _ := x.GetCellFormula("捐赠明细", "E6"); fm != `SUMIF(J2:J4,"有效",E2:E4)` {
		t.Errorf("subtotal formula %q", fm)
	}
}

func TestExportProgramFilter(t *testing.T) {
	f := newExportFixture(t)
	f.donate(t, "2026-03-02", 100_00, "", "")
	f.donate(t, "2026-03-03", 200_00, "care_fund", "")
	f.donate(t, "2026-03-04", 300_00, "tutoring", "")
	for _, c := range []struct {
		program, ascii, zh string
		amounts            []string
	}{
		{"", "donations_2026-03-01_2026-03-31.csv", "捐赠明细_2026-03-01_2026-03-31.csv", []string{"100.00", "200.00", "300.00"}},
		{"unrestricted", "donations_unrestricted_2026-03-01_2026-03-31.csv", "捐赠明细_非定向资金_2026-03-01_2026-03-31.csv", []string{"100.00"}},
		{"care_fund", "donations_care_fund_2026-03-01_2026-03-31.csv", "捐赠明细_关爱基金（定向）_2026-03-01_2026-03-31.csv", []string{"200.00"}},
	} {
		rows := exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("donations", "csv", "2026-03-01", "2026-03-31", c.program), c.ascii, c.zh))
		if got := exportColumnOf(rows[1:], 4); fmt.Sprint(got) != fmt.Sprint(c.amounts) {
			t.Errorf("program %q: amounts %v, want %v", c.program, got, c.amounts)
		}
	}
}

func TestExportDisbursements(t *testing.T) {
	f := newExportFixture(t)
	today := exportToday()
	f.donate(t, "2026-03-01", 1000_00, "", "")
	f.donate(t, "2026-03-01", 1000_00, "care_fund", "")
	unres, care := f.pool(t, "pool:unrestricted"), f.pool(t, "pool:care_fund")
	draft := f.disburse(t, unres.ID, 10_00, "+8613800000000", false)
	paid := f.disburse(t, care.ID, 300_50, "杭州市西溪医院工会", true)
	rejected := f.disburse(t, care.ID, 5_00, "某医院", false)
	if err := f.ta.store.RejectDisbursement(context.Background(), f.adm, rejected, "重复申请"); err != nil {
		t.Fatal(err)
	}
	exportSameDay(t, today)

	rows := exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("disbursements", "csv", today, today, ""),
		"disbursements_"+today+"_"+today+".csv", "支出明细_"+today+"_"+today+".csv"))
	if strings.Join(rows[0], ",") != strings.Join(exportDisbursementHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	want := [][]string{
		{itoa(draft), today, "非定向资金", "10.00", "'+8613800000000", "关爱金", "待审批", "测试finance", "", "", ""}, // the pages' word for a draft
		{itoa(paid), today, "关爱基金（定向）", "300.50", "杭州市西溪医院工会", "关爱金", "已支付", "测试finance", "测试admin", "BANK-" + itoa(paid), today},
		{itoa(rejected), today, "关爱基金（定向）", "5.00", "某医院", "关爱金", "已驳回", "测试finance", "", "", ""},
	}
	if fmt.Sprint(rows[1:]) != fmt.Sprint(want) {
		t.Errorf("rows\n%q\nwant\n%q", rows[1:], want)
	}

	r := exportDownloadOK(t, f.finance, exportURL("disbursements", "xlsx", today, today, "care_fund"),
		"disbursements_care_fund_"+today+"_"+today+".xlsx", "支出明细_关爱基金（定向）_"+today+"_"+today+".xlsx")
	_, xrows := exportXLSXRows(t, r, "支出明细")
	if len(xrows) != 5 || xrows[1][0] != itoa(paid) || xrows[2][0] != itoa(rejected) {
		t.Fatalf("rows %q", xrows)
	}
	if got := xrows[1][10]; got != today {
		t.Errorf("paid on %q", got)
	}
	if got := xrows[3]; got[0] != "合计（2 行）" || got[3] != "305.50" {
		t.Errorf("totals %q", got)
	}
	if got := xrows[4]; got[0] != "其中已支付（1 行）" || got[3] != "300.50" {
		t.Errorf("paid subtotal %q", got)
	}
	yesterday := exportDayFromToday(-1)
	rows = exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("disbursements", "csv", yesterday, yesterday, ""),
		"disbursements_"+yesterday+"_"+yesterday+".csv", "支出明细_"+yesterday+"_"+yesterday+".csv"))
	if len(rows) != 1 {
		t.Errorf("yesterday: %q", rows)
	}
}

func TestExportLedger(t *testing.T) {
	f := newExportFixture(t)
	ctx := context.Background()
	today := exportToday()
	gift := f.donate(t, "2026-03-01", 1000_00, "", "")
	f.donate(t, "2026-03-01", 200_00, "care_fund", "")
	if err := f.ta.store.ReverseDonation(ctx, f.fin, gift, "退款"); err != nil {
		t.Fatal(err)
	}
	f.donate(t, "2026-03-02", 800_00, "", "")
	unres, care := f.pool(t, "pool:unrestricted"), f.pool(t, "pool:care_fund")
	if _, err := f.ta.store.Allocate(ctx, f.fin, unres.ID, care.ID, 300_00, "-季度调剂"); err != nil {
		t.Fatal(err)
	}
	paid := f.disburse(t, care.ID, 123_45, "杭州市西溪医院工会", true)
	// A transaction just after midnight on 1 April in Shanghai — still 31 March in UTC — belongs to 1 April.
	if _, err := f.ta.store.SQL().Exec(`WITH t AS (INSERT INTO ledger_transactions (kind, memo, created_at)
			VALUES ('donation', '边界', '2026-04-01 00:30:00+08') RETURNING id)
		INSERT INTO ledger_entries (transaction_id, account_id, amount)
		SELECT t.id, a.id, CASE WHEN a.kind = 'pool' THEN 5 ELSE -5 END FROM t, accounts a
		WHERE a.code IN ('pool:unrestricted', 'external:donors')`); err != nil {
		t.Fatal(err)
	}
	exportSameDay(t, today)

	rows := exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("ledger", "csv", today, today, ""),
		"ledger_"+today+"_"+today+".csv", "账本分录_"+today+"_"+today+".csv"))
	if strings.Join(rows[0], ",") != strings.Join(exportLedgerHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	perTx := map[string]domain.Money{}
	var total domain.Money
	var summaries []string
	for _, row := range rows[1:] {
		m := exportSignedFen(t, row[4])
		perTx[row[0]] += m
		total += m
		if row[1] != today {
			t.Errorf("dated %s: %q", row[1], row)
		}
		summaries = append(summaries, row[2]+":"+row[5])
	}
	for id, sum := range perTx {
		if sum != 0 {
			t.Errorf("transaction %s sums to %s", id, sum)
		}
	}
	if total != 0 || len(perTx) != 6 || len(rows) != 13 {
		t.Errorf("%d lines in %d transactions summing to %s", len(rows)-1, len(perTx), total)
	}
	all := strings.Join(summaries, "\n")
	for _, s := range []string{"捐赠:收据 2026-000001；王爱心", "冲销:冲销交易 ", "；收据 2026-000001；王爱心；退款",
		"调拨:'-季度调剂", "支出:支出单 " + itoa(paid) + "；杭州市西溪医院工会；关爱金"} {
		if !strings.Contains(all, s) {
			t.Errorf("no summary %q in\n%s", s, all)
		}
	}

	r := exportDownloadOK(t, f.finance, exportURL("ledger", "xlsx", today, today, ""),
		"ledger_"+today+"_"+today+".xlsx", "账本分录_"+today+"_"+today+".xlsx")
	x, xrows := exportXLSXRows(t, r, "账本分录")
	if len(xrows) != 14 || xrows[13][0] != "合计（12 行）" || xrows[13][4] != "0.00" {
		t.Errorf("%d rows, totals %q", len(xrows), xrows[len(xrows)-1])
	}
	var sum domain.Money
	for i := 2; i <= 13; i++ {
		raw, err := x.GetCellValue("账本分录", fmt.Sprintf("E%d", i), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		sum += exportSignedFen(t, fmt.Sprintf("%.2f", exportFloat(t, raw)))
	}
	if sum != 0 {
		t.Errorf("XLSX amounts sum to %s", sum)
	}

	// One pool: its lines only, summing to its change — here its balance.
	rows = exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("ledger", "csv", today, today, "care_fund"),
		"ledger_care_fund_"+today+"_"+today+".csv", "账本分录_关爱基金（定向）_"+today+"_"+today+".csv"))
	var careSum domain.Money
	for _, row := range rows[1:] {
		if row[3] != "关爱基金（定向）" {
			t.Errorf("line on %s", row[3])
		}
		careSum += exportSignedFen(t, row[4])
	}
	if want := f.pool(t, "pool:care_fund").Balance; careSum != want || len(rows) != 4 {
		t.Errorf("care fund: %d lines summing to %s, balance %s", len(rows)-1, careSum, want)
	}

	rows = exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("ledger", "csv", "2026-03-31", "2026-03-31", ""),
		"ledger_2026-03-31_2026-03-31.csv", "账本分录_2026-03-31_2026-03-31.csv"))
	if len(rows) != 1 {
		t.Errorf("31 March: %q", rows)
	}
	rows = exportCSVRows(t, exportDownloadOK(t, f.finance, exportURL("ledger", "csv", "2026-04-01", "2026-04-01", "unrestricted"),
		"ledger_unrestricted_2026-04-01_2026-04-01.csv", "账本分录_非定向资金_2026-04-01_2026-04-01.csv"))
	if len(rows) != 2 || rows[1][1] != "2026-04-01" || rows[1][4] != "0.05" || rows[1][5] != "边界" {
		t.Errorf("1 April: %q", rows)
	}
}

func TestExportBadInputComesBackWithErrors(t *testing.T) {
	f := newExportFixture(t)
	auditor, _ := f.ta.account(domain.RoleAuditor, "13700000003")
	for _, c := range []struct {
		name                         string
		what, format, from, to, prog string
		message                      string
		kept                         []string
	}{
		{"from after to", "ledger", "csv", "2026-03-31", "2026-03-01", "", "截止日期不能早于起始日期。",
			[]string{`value="2026-03-31"`, `value="2026-03-01"`, `value="ledger" checked`, `value="csv" checked`}},
		{"no such day", "donations", "xlsx", "2026-02-30", "2026-03-01", "care_fund", "请选择有效日期",
			[]string{`value="2026-02-30"`, `value="care_fund" selected`}},
		{"missing date", "donations", "xlsx", "", "2026-03-01", "", "请填写此项。", []string{`value="2026-03-01"`}},
		{"unknown program", "donations", "csv", "2026-03-01", "2026-03-31", "nope", "请从列表中选择。", []string{`value="2026-03-31"`}},
		{"unknown kind", "donors", "csv", "2026-03-01", "2026-03-31", "unrestricted", "请从列表中选择。",
			[]string{`value="unrestricted" selected`}},
		{"unknown format", "ledger", "pdf", "2026-03-01", "2026-03-31", "", "请从列表中选择。", []string{`value="ledger" checked`}},
	} {
		r := auditor.get(exportURL(c.what, c.format, c.from, c.to, c.prog))
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", c.name, r.Status)
			continue
		}
		if r.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: an error page sent as a file", c.name)
		}
		mustContain(t, r, append([]string{c.message, "表单有需要修改的地方"}, c.kept...)...)
	}

	// In English too.
	req, _ := http.NewRequest(http.MethodGet, f.ta.srv.URL+exportURL("ledger", "csv", "2026-03-31", "2026-03-01", ""), nil)
	req.Header.Set("Accept-Language", "en")
	r := auditor.do(req)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("English: status %d", r.Status)
	}
	mustContain(t, r, "The end date cannot be before the start date.", `value="2026-03-31"`)
}

func TestExportsPageOffersThePrograms(t *testing.T) {
	f := newExportFixture(t)
	auditor, _ := f.ta.account(domain.RoleAuditor, "13700000003")
	today := exportToday()
	r := auditor.get("/admin/exports?what=ledger")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	exportSameDay(t, today)
	mustContain(t, r, `action="/admin/exports/download"`, `type="date"`, `value="`+today+`"`, `value="ledger" checked`,
		`value="xlsx" checked`, `value="unrestricted"`, `<option value="care_fund">关爱基金（定向）</option>`,
		`<option value="counselling">`, "仅非定向资金")
}

func TestExportNamesAreSafeInAHeader(t *testing.T) {
	got := exportDisposition("ledger_a_b.csv", "账本分录_关爱基金（定向）_2026-03-01.csv")
	want := `attachment; filename="ledger_a_b.csv"; filename*=UTF-8''%E8%B4%A6%E6%9C%AC%E5%88%86%E5%BD%95_%E5%85%B3%E7%88%B1%E5%9F%BA%E9%87%91%EF%BC%88%E5%AE%9A%E5%90%91%EF%BC%89_2026-03-01.csv`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := exportASCIIName(`a"b;c d/é`); got != "a_b_c_d__" {
		t.Errorf("ascii name %q", got)
	}
}

func TestExportIsAudited(t *testing.T) {
	f := newExportFixture(t)
	f.donate(t, "2026-03-01", 10_00, "", "")
	exportDownloadOK(t, f.finance, exportURL("donations", "csv", "2026-03-01", "2026-03-31", ""),
		"donations_2026-03-01_2026-03-31.csv", "捐赠明细_2026-03-01_2026-03-31.csv")
	log, err := f.ta.store.AuditLog(context.Background(), repository.AuditFilter{}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if entries := log.Rows; len(entries) == 0 || entries[0].Action != "export.download" || !strings.Contains(entries[0].After, "捐赠明细_2026-03-01_2026-03-31.csv") {
		t.Fatalf("newest audit entries %+v, want the export", entries)
	}
}
