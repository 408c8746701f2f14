package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// queryBudgets is how many statements each page may issue, whatever the size of the data. A page that joins the
// route table joins this list, or the test fails.
var queryBudgets = map[string]int64{
	"/":                              0,
	"/account":                       2, // her e-mail address and choices in one
	"/account/close":                 1,
	"/account/email":                 2,
	"/account/email/verify/:token":   1,
	"/account/notifications":         2,
	"/account/data":                  13, // one per section of her role (3 of them care: her requests or his offers, pairings, services), her e-mail
	"/account/password":              1,
	"/admin":                         8,
	"/admin/audit":                   5,
	"/admin/dispatch":                7,  // the service programs of the bulk assignment's form, and the fairness figures
	"/admin/dispatch/requests/:id":   17, // her paired volunteers and the first fifty in ranking's order; three more when fewer than twenty of those pass and every candidate is read
	"/admin/disbursements":           3,
	"/admin/disbursements/:id":       2,
	"/admin/disbursements/new":       2,
	"/admin/donations":               4,
	"/admin/donations/:id":           2,
	"/admin/donations/new":           2,
	"/admin/donors":                  3,
	"/admin/donors/:id":              4,
	"/admin/donors/:id/edit":         2,
	"/admin/donors/:id/merge":        5, // its namesakes found tier by tier: at most one statement per tier (donorSearch.branches)
	"/admin/donors/new":              1,
	"/admin/claims":                  3,
	"/admin/claims/:id":              4,
	"/admin/eligibility":             1,
	"/admin/eligibility/imports/:id": 2,
	"/admin/exports":                 2,
	"/admin/grants":                  3,
	"/admin/grants/:id":              4,
	"/admin/exports/download":        4,
	"/admin/ledger":                  4,
	"/admin/people":                  3,
	"/admin/people/:id":              4,
	"/admin/programs":                2,
	"/admin/programs/:id/edit":       4, // a benefit program's: its places and the venue accounts
	"/admin/quarters":                3,
	"/admin/receipts/:id":            3,
	"/admin/statements":              4,
	"/admin/statements/:id":          5,
	"/admin/statements/:id/mapping":  5,
	"/admin/verification":            8,
	"/files/:id":                     3, // an operator's view is audited
	"/healthz":                       0,
	"/inbox":                         2,
	"/inbox/:id":                     2,
	"/lang":                          0,
	"/login":                         0,
	"/metrics":                       0,
	"/privacy":                       0,
	"/readyz":                        0,
	"/register/staff":                0,
	"/register/volunteer":            0,
	"/reset/:token":                  1,
	"/staff":                         8,
	"/staff/claims":                  2,
	"/staff/claims/:id":              4,
	"/staff/grants":                  3,
	"/staff/grants/:id":              4,
	"/staff/grants/new":              2,
	"/staff/pairings/:id":            3,
	"/staff/requests/:id":            5,
	"/staff/requests/new":            4,
	"/static/:name":                  0,
	"/transparency":                  6,
	"/transparency/report":           9,
	"/transparency/report.csv":       8,
	"/volunteer":                     5,
	"/volunteer/claims":              3,
	"/volunteer/claims/:id":          4,
	"/volunteer/claims/new":          2,
	"/volunteer/offers":              3,
	"/volunteer/offers/:id":          3,
	"/volunteer/pairings":            2,
	"/volunteer/pairings/:id":        4, // the contact view's audit event is one
	"/volunteer/profile":             3,
	"/volunteer/requests/:id":        3, // 4, and a tutoring request's children
	// Benefits (app/benefit_*.go, app/venue_desk.go).
	"/admin/benefits":       2,
	"/admin/venues":         2,
	"/staff/benefits/:code": 6,
	"/staff/vouchers/:id":   2,
	"/venue":                1,
	"/venue/redeem":         3,
	// Hours certificates and the settings (app/certificates_test.go): the settings come from the store's cache.
	"/volunteer/certificates/new": 1,
	"/volunteer/certificates/:id": 2,
	"/verify/:code":               1,
	"/admin/settings":             1,

	// bulk assignment (dispatch_assign.go)
	"/admin/dispatch/assignments/new": 3,
	"/admin/dispatch/assignments/:id": 3,
}

// budgetCity is the smaller of the two seeded cities the pages are counted on; the larger has ten times its data.
var budgetCity = repository.SeedScale{Staff: 20, Volunteers: 40, Donors: 60, Donations: 400, Disbursements: 30, Years: 3}

// counterKey carries a request's statement counter to the store's OnStatement hook.
type counterKey struct{}

func countStatement(ctx context.Context) {
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// budgetApp is a test app on a seeded city whose server counts the statements of each request marked with the
// X-Count-Statements header and hands the count to the test.
type budgetApp struct {
	*testApp
	counts chan int64
}

func newBudgetApp(t *testing.T, scale repository.SeedScale) *budgetApp {
	t.Helper()
	ctx := context.Background()
	store, err := repository.Open(ctx, testdb.URL(t), repository.Options{IDKey: []byte("test-id-key"), OnStatement: countStatement})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := seedDemo(ctx, store); err != nil {
		t.Fatal(err)
	}
	if err := store.SeedBulk(ctx, repository.SeedOptions{Scale: scale, Seed: 1, Password: DemoPassword}); err != nil {
		t.Fatal(err)
	}
	ba := &budgetApp{counts: make(chan int64, 1)}
	ba.testApp = newTestAppOn(t, store, nil, func(e http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Count-Statements") == "" {
				e.ServeHTTP(w, r)
				return
			}
			var n atomic.Int64
			e.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), counterKey{}, &n)))
			ba.counts <- n.Load()
		})
	})
	return ba
}

// forgetKept empties what the app keeps between views, so that each page is counted as its first view,
// whichever page was counted before it.
func (a *App) forgetKept() {
	a.public.mu.Lock()
	a.public.version, a.public.pages = "", nil
	a.public.mu.Unlock()
	a.figures.mu.Lock()
	a.figures.key = ""
	a.figures.mu.Unlock()
	a.care.mu.Lock()
	a.care.bucket, a.care.quarters = time.Time{}, nil
	a.care.mu.Unlock()
	a.dispatchFigures.weeks.forget()
	a.dispatchFigures.fairness.forget()
	a.homeCounts.forget()
}

// count opens a page as c and returns its status and the statements it issued.
func (ba *budgetApp) count(c *client, path string) (int, int64) {
	ba.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ba.srv.URL+path, nil)
	req.Header.Set("Accept-Language", "zh-CN")
	req.Header.Set("X-Count-Statements", "1")
	r := c.do(req)
	return r.Status, <-ba.counts
}

// pages gives each GET route a concrete address on this city and the demo login to open it with ("" for a
// visitor).
func (ba *budgetApp) pages() map[string]struct{ path, phone string } {
	ba.t.Helper()
	one := func(q string) string {
		var id int64
		if err := ba.store.SQL().QueryRow(q).Scan(&id); err != nil {
			ba.t.Fatalf("%s: %v", q, err)
		}
		return fmt.Sprint(id)
	}
	// The donor with the most gifts: a page that loads each gift on its own shows here.
	donor := one(`SELECT donor_id FROM donations GROUP BY donor_id ORDER BY count(*) DESC, donor_id LIMIT 1`)
	finance := ba.client()
	if r := finance.login("13800000002", DemoPassword); r.Status != http.StatusSeeOther {
		ba.t.Fatalf("finance login: %d", r.Status)
	}
	statement, _ := previewStatement(ba.t, finance, "对账单.csv", gbkStatement(ba.t,
		statementDay("2006-01-02")+",杭州恒信科技有限公司,,5000.00,BUDGET001,捐赠"))
	pages := map[string]struct{ path, phone string }{
		"/static/:name":                  {ba.app.views.assets.url("app.css"), ""},
		"/reset/:token":                  {"/reset/not-a-token", ""},
		"/account/email/verify/:token":   {budgetEmailLink(ba), ""},
		"/admin/people/:id":              {"/admin/people/" + one(`SELECT id FROM users WHERE phone = '13700000001'`), "13800000003"},
		"/admin/eligibility/imports/:id": {"/admin/eligibility/imports/" + one(`SELECT max(id) FROM eligibility_imports`), "13800000003"},
		"/admin/donors/:id":              {"/admin/donors/" + donor, "13800000002"},
		"/admin/programs/:id/edit":       {"/admin/programs/" + one(`SELECT id FROM programs WHERE code = 'interest_classes'`) + "/edit", "13800000001"},
		"/admin/donors/:id/edit":         {"/admin/donors/" + donor + "/edit", "13800000002"},
		"/admin/donors/:id/merge":        {"/admin/donors/" + donor + "/merge", "13800000002"},
		"/admin/donations/:id":           {"/admin/donations/" + one(`SELECT max(id) FROM donations`), "13800000002"},
		"/admin/receipts/:id":            {"/admin/receipts/" + one(`SELECT max(id) FROM receipts`), "13800000002"},
		"/admin/disbursements/:id":       {"/admin/disbursements/" + one(`SELECT max(id) FROM disbursements WHERE status = 'paid'`), "13800000002"},
		"/admin/statements/:id":          {statement, "13800000002"},
		"/admin/statements/:id/mapping":  {statement + "/mapping", "13800000002"},
		"/admin/dispatch/requests/:id":   {budgetDispatchRequest(ba.testApp), "13800000003"},
		"/inbox/:id": {"/inbox/" + one(`INSERT INTO notifications (user_id, kind, created_at)
			SELECT id, 'escalated', now() FROM users WHERE phone = '13800000002' RETURNING id`), "13800000002"},
		"/admin/exports/download": {exportURL("donations", "csv", domain.Today(time.Now()).AddDate(0, -1, 0).Format(time.DateOnly),
			domain.Today(time.Now()).Format(time.DateOnly), ""), "13800000002"},
		"/volunteer/offers/:id":   volunteerBudgetPage(ba, "/volunteer/offers/:id"),
		"/volunteer/pairings/:id": volunteerBudgetPage(ba, "/volunteer/pairings/:id"),
		"/volunteer/requests/:id": volunteerBudgetPage(ba, "/volunteer/requests/:id"),
		"/staff/requests/new":     {"/staff/requests/new?program=tutoring", "13900000001"},
		"/staff/requests/:id":     {staffCareBudgetPath(ba, "request"), "13900000002"},
		"/staff/pairings/:id":     {staffCareBudgetPath(ba, "pairing"), "13900000002"},
		"/staff/benefits/:code":   {"/staff/benefits/interest_classes", "13900000001"},
		"/staff/vouchers/:id": {"/staff/vouchers/" + one(`SELECT v.id FROM vouchers v JOIN users u ON u.id = v.staff_id
			WHERE u.phone = '13900000001' ORDER BY v.id LIMIT 1`), "13900000001"},
		// The demo's certificate (app/demo_certificates.go), its holder's and a visitor's.
		"/volunteer/certificates/:id": {"/volunteer/certificates/" + one(`SELECT min(c.id) FROM certificates c
			JOIN users u ON u.id = c.volunteer_id WHERE u.phone = '13700000001'`), "13700000001"},
		"/verify/:code": {"/verify/" + demoCertificateCode(ba), ""},

		"/admin/dispatch/assignments/:id": {budgetAssignment(ba.testApp), "13800000003"},
		// The seeded volunteer with the most services: his download's care sections grow with the city.
		"/account/data": {"/account/data", busiestVolunteer(ba)},
	}
	for route, page := range grantBudgetPages(ba) {
		pages[route] = page
	}
	return pages
}

// loginFor is the demo login that may open a route: a visitor for public pages, else the first demo role allowed.
func loginFor(rs roleSet) string {
	if rs == nil {
		return ""
	}
	for _, l := range []struct {
		phone string
		role  string
	}{{"13800000002", "finance"}, {"13800000003", "coordinator"}, {"13800000001", "admin"}, {"13800000004", "auditor"},
		{"13900000001", "staff"}, {"13700000001", "volunteer"}, {"13800000005", "venue"}} {
		for _, r := range rs {
			if string(r) == l.role {
				return l.phone
			}
		}
	}
	return ""
}

// TestQueryBudgets counts the statements of every page on a seeded city and on one ten times its size: a page
// whose count grows with the data (an N+1) or passes its budget fails.
func TestQueryBudgets(t *testing.T) {
	small, large := newBudgetApp(t, budgetCity), newBudgetApp(t, scaled(budgetCity, 10))
	counts := map[string][2]int64{}
	for i, ba := range []*budgetApp{small, large} {
		special := ba.pages()
		clients := map[string]*client{"": ba.client()}
		for route, rs := range ba.app.access.who {
			method, path, _ := strings.Cut(route, " ")
			if method != http.MethodGet {
				continue
			}
			page, ok := special[path]
			if !ok {
				page.path, page.phone = path, loginFor(rs)
			}
			c := clients[page.phone]
			if c == nil {
				c = ba.client()
				if r := c.login(page.phone, DemoPassword); r.Status != http.StatusSeeOther {
					t.Fatalf("login %s: %d", page.phone, r.Status)
				}
				clients[page.phone] = c
			}
			ba.app.forgetKept() // each page counted as its first view, whichever was counted before it
			status, n := ba.count(c, page.path)
			if status >= 400 && !(path == "/reset/:token" && status == http.StatusNotFound) {
				t.Errorf("%s answers %d for %s", page.path, status, who(page.phone))
			}
			c2 := counts[path]
			c2[i] = n
			counts[path] = c2
		}
	}
	routes := make([]string, 0, len(counts))
	for r := range counts {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, route := range routes {
		n := counts[route]
		budget, ok := queryBudgets[route]
		switch {
		case !ok:
			t.Errorf("%s has no query budget (it issues %d statements): add it to queryBudgets", route, n[0])
		case n[1] > n[0]:
			t.Errorf("%s issues %d statements on a city and %d on one ten times larger: it grows with the data", route, n[0], n[1])
		case n[1] > budget:
			t.Errorf("%s issues %d statements, over its budget of %d", route, n[1], budget)
		}
		t.Logf("%-34s %3d %3d (budget %d)", route, n[0], n[1], budget)
	}
	for route := range queryBudgets {
		if _, ok := counts[route]; !ok && !slices.Contains(routes, route) {
			t.Errorf("queryBudgets names %s, which is no page", route)
		}
	}
}

func scaled(s repository.SeedScale, n int) repository.SeedScale {
	return repository.SeedScale{Staff: s.Staff * n, Volunteers: s.Volunteers * n, Donors: s.Donors * n,
		Donations: s.Donations * n, Disbursements: s.Disbursements * n, Years: s.Years}
}
