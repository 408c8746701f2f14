package app

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"guanai/domain"
)

// The public page is kept between visitors, and every change it shows reaches the next visitor at once: a gift,
// a reversal, a donor who no longer wants their name shown, a closed quarter.
func TestPublicPageKeptUntilWhatItShowsChanges(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	named := f.donor("林慷慨", "13811112222", "西湖区某路", true)
	f.give(named, 1234_00, "", "bank_transfer", shanghaiToday())
	visitor := func() response { return ta.client().get("/transparency") }
	mustContain(t, visitor(), "林慷慨", "1,234.00")
	mustContain(t, visitor(), "林慷慨", "1,234.00") // from the cache
	// A deep page of the list shows the same figures above it, kept apart from its list (figuresFragment).
	deep := func() response {
		return ta.client().get("/transparency?after=" + shanghaiToday().Format(time.DateOnly) + ",999999999")
	}
	mustContain(t, deep(), `id="raised">¥1,234.00`)

	f.give(named, 766_00, "", "wechat_pay", shanghaiToday())
	mustContain(t, visitor(), "2,000.00")
	mustContain(t, deep(), `id="raised">¥2,000.00`)

	d, err := ta.store.DonorByID(context.Background(), named)
	if err != nil {
		t.Fatal(err)
	}
	d.PublishName = false
	if err := ta.store.UpdateDonor(context.Background(), f.finance, named, d.Donor); err != nil {
		t.Fatal(err)
	}
	mustNotContain(t, visitor(), "林慷慨")

	// A logged-in reader never gets the visitors' page: theirs carries their own menu.
	c, _ := ta.account(domain.RoleAuditor, "13800000044")
	mustContain(t, c.get("/transparency"), "/logout")
	mustNotContain(t, visitor(), "/logout")
}

// A kept page carries nothing of one visitor's: no CSRF token (the language switch is a GET form), and it
// switches the language for whoever uses it. Compressed or not, it is the same page.
func TestKeptPageIsTheSameForEveryVisitor(t *testing.T) {
	ta := newTestApp(t)
	first := ta.client().get("/transparency")
	mustNotContain(t, first, `name="_csrf"`)
	mustContain(t, first, `<form class="lang" method="get" action="/lang">`)
	c := ta.client()
	if r := c.get("/lang?lang=en&back=%2Ftransparency"); r.Status != http.StatusSeeOther || r.Location != "/transparency" {
		t.Fatalf("switching language by the form: %d %s", r.Status, r.Location)
	}
	mustContain(t, c.get("/transparency"), "Transparency")

	req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+"/transparency", nil)
	req.Header.Set("Accept-Language", "zh-CN")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("a browser that takes gzip got %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || string(body) != ta.client().get("/transparency").Body {
		t.Errorf("the gzipped page is not the page (%v)", err)
	}
}

// A visitor's view of a kept page costs one statement, the version; a change makes it render again.
func TestKeptPageCostsOneStatement(t *testing.T) {
	ba := newBudgetApp(t, budgetCity)
	visitor := ba.client()
	if status, n := ba.count(visitor, "/transparency"); status != http.StatusOK || n < 3 {
		t.Fatalf("first view: %d, %d statements", status, n)
	}
	if _, n := ba.count(ba.client(), "/transparency"); n != 1 {
		t.Errorf("a second visitor's view issued %d statements, want 1", n)
	}
	// Another page of the list is rendered for itself, with the figures above it read once for all pages: the
	// version, then its own gifts.
	if _, n := ba.count(visitor, "/transparency?after="+domain.Today(time.Now()).Format(time.DateOnly)+",999999999"); n != 2 {
		t.Errorf("another page of the list issued %d statements, want 2", n)
	}
}
