package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /transparency":            everyone,
		"GET /transparency/report":     everyone,
		"GET /transparency/report.csv": everyone,
	})
}

var publicFundSeq atomic.Int64

var nextLink = regexp.MustCompile(`href="([^"]+)" rel="next"`)

func TestPublicTotalsEqualTheLedger(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	today := shanghaiToday()
	named := f.donor("王爱心", "13911112222", "上城区解放路1号", true)
	f.give(named, 10_000_00, "", "bank_transfer", today)
	f.give(named, 2_345_67, "care_fund", "wechat_pay", today.AddDate(0, 0, -3))
	f.give(named, 88_00, "counselling", "alipay", today.AddDate(0, 0, -40))
	f.reverse(f.give(named, 500_00, "care_fund", "cash", today))
	if _, err := ta.store.Allocate(context.Background(), f.finance, f.pool("pool:unrestricted"), f.pool("pool:care_fund"), 1_000_00, "补充"); err != nil {
		t.Fatal(err)
	}
	f.pay("pool:care_fund", 3_000_00, "陈受助")
	f.pay("pool:unrestricted", 1_234_00, "林受助")
	if _, err := ta.store.CreateDisbursement(context.Background(), f.finance, repository.DisbursementDraft{
		PoolID: f.pool("pool:care_fund"), Amount: 100_00, Payee: "未付款人", Purpose: "草稿"}); err != nil {
		t.Fatal(err)
	}

	r := ta.client().get("/transparency")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	raised, disbursed, balance := f.ledger()
	if raised != 12_433_67 || disbursed != 4_234_00 || balance != raised-disbursed {
		t.Fatalf("ledger says raised %s, disbursed %s, balance %s", raised, disbursed, balance)
	}
	for id, want := range map[string]domain.Money{"raised": raised, "disbursed": disbursed, "balance": balance} {
		if got := shown(t, r, id); got != want.String() {
			t.Errorf("the page shows %s %s, the ledger %s", id, got, want)
		}
	}
	mustContain(t, r, "共 3 笔捐赠", "共 2 笔支出")

	// By program: every pool's line adds up, and the lines add up to the totals.
	table := regexpFind(t, r.Body, `(?s)id="programs-table">(.*?)</table>`)
	row := func(name string) []string {
		cells := regexp.MustCompile(`(?s)<th scope="row">` + regexp.QuoteMeta(name) + `</th>(.*?)</tr>`).FindStringSubmatch(table)
		if cells == nil {
			t.Fatalf("no row %s in %s", name, table)
		}
		var out []string
		for _, m := range regexp.MustCompile(`>(-?¥[0-9,.]+)</td>`).FindAllStringSubmatch(cells[1], -1) {
			out = append(out, m[1])
		}
		return out
	}
	for name, want := range map[string][]domain.Money{
		"非定向资金": {10_000_00, 1_234_00, -1_000_00, 7_766_00},
		"关爱基金":  {2_345_67, 3_000_00, 1_000_00, 345_67},
		"心理疏导":  {88_00, 0, 0, 88_00},
		"合计":    {raised, disbursed, 0, balance},
	} {
		got := row(name)
		if len(got) != 4 {
			t.Fatalf("%s: cells %v", name, got)
		}
		for i, w := range want {
			if got[i] != w.String() {
				t.Errorf("%s column %d: %s, want %s", name, i, got[i], w)
			}
		}
	}

	// Money out is shown as totals only: never who was paid, their account, or what for.
	mustNotContain(t, r, "陈受助", "林受助", "未付款人", "6222020000000000001", "困难补助", "备注不公开")
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=10" {
		t.Errorf("Cache-Control %q", cc)
	}
	// The CSP forbids inline style and script; the page needs neither.
	mustNotContain(t, r, "style=", "<script", "<style")
}

func TestAnonymousDonorsNameIsOnNoPublicPage(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	today := shanghaiToday()
	named := f.donor("王爱心", "13911112222", "上城区解放路1号", true)
	quiet := f.donor("钱默默", "13933334444", "西湖区保密路8号", false)
	org, err := ta.store.CreateDonor(context.Background(), f.finance, domain.Donor{Kind: domain.DonorOrganization,
		Name: "不愿具名科技有限公司", Phone: "13955556666", Address: "滨江区网商路99号"})
	if err != nil {
		t.Fatal(err)
	}
	// 45 donations, three pages: the silent donors' gifts are on every one of them, and in an older quarter too.
	for i := range 45 {
		donor := []int64{named, quiet, org}[i%3]
		f.give(donor, domain.Money(100_00+i), "", "alipay", today.AddDate(0, 0, -i))
	}
	f.give(quiet, 9_999_00, "care_fund", "bank_transfer", today.AddDate(0, -4, 0))

	pages := publicPages(t, ta)
	var lists, reports, files int
	for name, r := range pages {
		switch {
		case strings.Contains(name, "report.csv"):
			files++
		case strings.Contains(name, "report"):
			reports++
		default:
			lists++
		}
		if r.Status != http.StatusOK {
			t.Errorf("%s: status %d", name, r.Status)
		}
		for _, secret := range []string{"钱默默", "不愿具名", "13933334444", "13911112222", "13955556666", "139****4444",
			"139****2222", "保密路", "解放路", "网商路", "@example.com", "PUB-", "备注不公开"} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("%s shows %q", name, secret)
			}
		}
	}
	if lists != 6 || reports < 4 || files < 4 {
		t.Errorf("fetched %d list pages, %d report pages, %d CSV files: want 3 list pages per language and at least two quarters",
			lists, reports, files)
	}
	// A donor who agreed is named; the others are 爱心人士, or "Anonymous donor" in English.
	mustContain(t, pages["zh-CN /transparency"], "王爱心", ">"+domain.AnonymousName+"<")
	mustContain(t, pages["en /transparency"], "王爱心", ">Anonymous donor<")
	for name, r := range pages {
		if strings.HasPrefix(name, "zh-CN /transparency?") && !nextLink.MatchString(r.Body) && !strings.Contains(r.Body, "王爱心") {
			t.Errorf("the last page, %s, lacks the named donor", name)
		}
	}
}

func TestReversedDonationsAreLeftOut(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	today := shanghaiToday()
	kept := f.donor("王爱心", "13911112222", "上城区解放路1号", true)
	refunded := f.donor("赵退款", "13922223333", "拱墅区退款路2号", true)
	f.give(kept, 1_000_00, "", "bank_transfer", today)
	f.reverse(f.give(refunded, 4_321_00, "tutoring", "wechat_pay", today))

	for name, r := range publicPages(t, ta) {
		for _, gone := range []string{"赵退款", "¥4,321.00", "4321.00"} {
			if strings.Contains(r.Body, gone) {
				t.Errorf("%s shows the reversed donation (%q)", name, gone)
			}
		}
	}
	r := ta.client().get("/transparency")
	mustContain(t, r, "王爱心", "共 1 笔捐赠")
	if got := shown(t, r, "raised"); got != "¥1,000.00" {
		t.Errorf("raised %s", got)
	}
}

func TestMonthChartHasOneBarGroupPerMonth(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	today := shanghaiToday()
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, domain.Shanghai)
	donor := f.donor("王爱心", "13911112222", "上城区解放路1号", true)
	f.give(donor, 1_500_00, "", "cash", today)
	f.give(donor, 2_500_00, "", "cash", first.AddDate(0, -3, 0))
	f.give(donor, 7_000_00, "", "cash", first.AddDate(0, -13, 0)) // older than the chart
	f.pay("pool:unrestricted", 600_00, "陈受助")

	r := ta.client().get("/transparency")
	svg := regexpFind(t, r.Body, `(?s)(<svg xmlns=.*</svg>)\s*<figcaption`)
	if n := strings.Count(svg, `class="bar-group"`); n != 12 {
		t.Fatalf("%d bar groups, want 12", n)
	}
	if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "<title id=") || !strings.Contains(svg, "<desc id=") {
		t.Errorf("the chart is not labelled for screen readers")
	}
	month := func(m time.Time) string { return fmt.Sprintf("%d年%d月", m.Year(), m.Month()) }
	for _, want := range []string{
		fmt.Sprintf(`data-key="%s"`, first.AddDate(0, -11, 0).Format("2006-01")),
		fmt.Sprintf(`data-key="%s"`, first.Format("2006-01")),
		"<title>" + month(first) + "募集 ¥1,500.00</title>",
		"<title>" + month(first) + "支出 ¥600.00</title>",
		"<title>" + month(first.AddDate(0, -3, 0)) + "募集 ¥2,500.00</title>",
		"<title>" + month(first.AddDate(0, -1, 0)) + "募集 ¥0.00</title>",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s", want)
		}
	}
	if strings.Contains(svg, "¥7,000.00") || strings.Contains(svg, first.AddDate(0, -12, 0).Format("2006-01")) {
		t.Errorf("the chart shows more than twelve months")
	}
	// The same figures as a table, for anyone who cannot see the chart.
	mustContain(t, r, `id="months-table"`)
	regexpFind(t, r.Body, `(<th scope="row">`+month(first)+`</th><td class="amt"[^>]*>¥1,500.00</td><td class="amt"[^>]*>¥600.00</td>)`)
	// The total still counts the old gift.
	if got := shown(t, r, "raised"); got != "¥11,000.00" {
		t.Errorf("raised %s", got)
	}
}

func TestQuarterlyReportAndItsCSV(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	today := shanghaiToday()
	this := domain.QuarterOf(today)
	prev := domain.QuarterOf(this.Start().AddDate(0, -1, 0))
	donor := f.donor("王爱心", "13911112222", "上城区解放路1号", true)
	f.give(donor, 20_000_00, "", "bank_transfer", prev.Start())
	f.give(donor, 1_000_00, "", "wechat_pay", today)
	f.give(donor, 2_000_50, "care_fund", "bank_transfer", today)
	f.give(donor, 300_00, "venue_vouchers", "cash", this.Start())
	f.reverse(f.give(donor, 555_00, "care_fund", "alipay", today))
	f.pay("pool:care_fund", 1_500_00, "陈受助")
	f.pay("pool:unrestricted", 2_500_00, "林受助")
	raised, disbursed, balance := f.ledger()

	c := ta.client()
	page := c.get("/transparency/report?q=" + this.String())
	if page.Status != http.StatusOK {
		t.Fatalf("status %d", page.Status)
	}
	for id, want := range map[string]domain.Money{"opening": 20_000_00, "income": 3_300_50, "expenditure": disbursed,
		"closing": balance} {
		if got := shown(t, page, id); got != want.String() {
			t.Errorf("report %s: %s, want %s", id, got, want)
		}
	}
	mustContain(t, page, fmt.Sprintf("%d年第%d季度", this.Year, this.Q), fmt.Sprintf("%d年第%d季度", prev.Year, prev.Q),
		"银行转账", "微信支付", "关爱基金", "场馆免费体验", "共 3 笔捐赠", "共 2 笔支出", "慈善法")
	mustNotContain(t, page, "陈受助", "林受助", "13911112222", "¥555.00")
	if cc := page.Header.Get("Cache-Control"); cc != "public, max-age=10" {
		t.Errorf("Cache-Control %q", cc)
	}
	if r := c.get("/transparency/report"); !strings.Contains(r.Body, `aria-current="page">`+fmt.Sprintf("%d年第%d季度", this.Year, this.Q)) {
		t.Errorf("without q the report is not the current quarter's")
	}

	file := c.get("/transparency/report.csv?q=" + this.String())
	if file.Status != http.StatusOK || file.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(file.Header.Get("Content-Disposition"), "guanai-report-"+this.String()+".csv") {
		t.Fatalf("CSV: %d %v", file.Status, file.Header)
	}
	body, ok := bytes.CutPrefix([]byte(file.Body), []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatal("the CSV has no byte order mark: Excel would garble its Chinese")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if strings.Join(rows[0], ",") != "季度,类别,项目,笔数,金额（元）" {
		t.Errorf("header %v", rows[0])
	}
	sums := map[string]domain.Money{}
	counts := map[string]int{}
	got := map[string]string{}
	for _, row := range rows[1:] {
		if row[0] != this.String() {
			t.Errorf("row for another quarter: %v", row)
		}
		got[row[1]+"/"+row[2]] = row[4]
		if row[4] == "" {
			continue
		}
		m, err := domain.ParseMoney(row[4])
		if err != nil && row[4] != "0.00" {
			t.Errorf("amount %q: %v", row[4], err)
		}
		sums[row[1]] += m
		if row[3] != "" {
			n, err := strconv.Atoi(row[3])
			if err != nil {
				t.Errorf("count %q", row[3])
			}
			counts[row[1]] += n
		}
	}
	// The lines add up to the totals, the totals to the page, and the closing balance to the ledger.
	if sums["收入（按渠道）"] != sums["收入合计"] || sums["收入（按项目）"] != sums["收入合计"] || sums["收入合计"] != 3_300_50 ||
		counts["收入（按渠道）"] != 3 || counts["收入合计"] != 3 || counts["收入（按项目）"] != 3 {
		t.Errorf("income lines %v, counts %v", sums, counts)
	}
	if sums["支出（按项目）"] != sums["支出合计"] || sums["支出合计"] != disbursed || counts["支出合计"] != 2 {
		t.Errorf("expenditure lines %v", sums)
	}
	if got["期初余额/"] != domain.Money(20_000_00).Plain() || got["期末余额/"] != balance.Plain() ||
		sums["期初余额"]+sums["收入合计"]-sums["支出合计"] != sums["期末余额"] {
		t.Errorf("balances %v; ledger balance %s", got, balance)
	}
	for key, want := range map[string]domain.Money{"收入（按渠道）/银行转账": 2_000_50, "收入（按渠道）/微信支付": 1_000_00,
		"收入（按渠道）/现金": 300_00, "收入（按渠道）/支付宝": 0, "收入（按项目）/非定向资金": 1_000_00,
		"收入（按项目）/关爱基金": 2_000_50, "支出（按项目）/关爱基金": 1_500_00, "支出（按项目）/非定向资金": 2_500_00} {
		if got[key] != want.Plain() {
			t.Errorf("%s: %q, want %s", key, got[key], want.Plain())
		}
	}
	if raised != 23_300_50 {
		t.Errorf("ledger raised %s", raised)
	}
	mustNotContain(t, file, "陈受助", "林受助", "王爱心")

	// The previous quarter closes where this one opens.
	old := c.get("/transparency/report.csv?q=" + prev.String())
	if !strings.Contains(old.Body, "期末余额,,,20000.00") {
		t.Errorf("previous quarter's CSV:\n%s", old.Body)
	}
}

func TestTransparencyInEnglish(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	f.give(f.donor("钱默默", "13933334444", "西湖区保密路8号", false), 1_000_00, "care_fund", "alipay", shanghaiToday())
	c := ta.client()
	r := getIn(c, "en", "/transparency")
	mustContain(t, r, `<html lang="en">`, "<h1>Transparency</h1>", "Total raised", "The last 12 months", "By program",
		"Recent donations", "Quarterly reports", "Anonymous donor", "Care fund grants", "Unrestricted fund", "Raised", "Paid out")
	mustNotContain(t, r, "募集", "爱心人士", "钱默默")
	noBareKeys(t, r)
	report := getIn(c, "en", "/transparency/report")
	mustContain(t, report, "Fundraising report", "Opening balance", "Income by channel", "Alipay", "Care fund grants", "Article 73")
	mustNotContain(t, report, "期初余额")
	noBareKeys(t, report)
	zh := c.get("/transparency")
	mustContain(t, zh, "<h1>公开透明</h1>", "累计募集", "近12个月收支", "按项目", "最近的捐赠", "季度报告", "爱心人士")
	noBareKeys(t, zh)
}

// noBareKeys fails if a message key shows instead of its text (the stylesheet's address is the one place the word
// is meant to be).
func noBareKeys(t *testing.T, r response) {
	t.Helper()
	if body := strings.ReplaceAll(r.Body, "/static/transparency.", ""); strings.Contains(body, "transparency.") {
		t.Errorf("a message key shows: %s", regexp.MustCompile(`transparency\.[a-z_.]+`).FindString(body))
	}
}

func TestTransparencyRefusesWhatIsNotThere(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	this := domain.QuarterOf(time.Now())
	for _, path := range []string{"/transparency/report?q=2019Q1", "/transparency/report?q=nonsense",
		"/transparency/report.csv?q=" + this.Next().String(), "/transparency/report?q=2026Q5"} {
		if r := c.get(path); r.Status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, r.Status)
		}
	}
	// A link to a page of the list that is not there (an old ?page=, an edited cursor) shows its first page.
	for _, path := range []string{"/transparency?page=2", "/transparency?after=2026-01-01,9223372036854775807", "/transparency?before=x",
		"/transparency?after=2026-13-01,5"} {
		mustContain(t, c.get(path), "还没有捐赠记录")
	}
	r := c.get("/transparency")
	mustContain(t, r, "还没有捐赠记录", "¥0.00")
	if n := strings.Count(r.Body, `class="bar-group"`); n != 12 {
		t.Errorf("an empty fund's chart has %d months", n)
	}
	// A logged-in visitor's page carries their name: no cache keeps it, not even their own browser's.
	staff, _ := ta.account(domain.RoleFinance, "13700000093")
	if cc := staff.get("/transparency").Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control for a logged-in visitor %q", cc)
	}
}

func TestTransparencyCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 300153: "300,153", -1234567: "-1,234,567"} {
		if got := transparencyCount(n); got != want {
			t.Errorf("transparencyCount(%d) = %q, want %q", n, got, want)
		}
	}
}
