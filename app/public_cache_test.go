package app

import (
	"context"
	"net/http"
	"net/url"
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

	f.give(named, 766_00, "", "wechat_pay", shanghaiToday())
	mustContain(t, visitor(), "2,000.00")

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

// Each visitor's copy of a kept page carries their own CSRF token, and it works.
func TestKeptPageCarriesEachVisitorsToken(t *testing.T) {
	ta := newTestApp(t)
	tokens := map[string]bool{}
	for range 2 {
		c := ta.client()
		r := c.get("/transparency")
		token := regexpFind(t, r.Body, csrfField.String())
		if token == csrfPlaceholder || tokens[token] {
			t.Fatalf("a visitor got the token %q", token)
		}
		tokens[token] = true
		sw := c.postRaw("/lang", url.Values{"_csrf": {token}, "lang": {"en"}, "back": {"/transparency"}})
		if sw.Status != http.StatusSeeOther {
			t.Errorf("switching language with the kept page's token: %d", sw.Status)
		}
		mustContain(t, c.get("/transparency"), "Transparency")
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
