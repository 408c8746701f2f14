package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

var (
	donationLink = regexp.MustCompile(`<td><a href="/admin/donations/(\d+)">`)
	prevLink     = regexp.MustCompile(`href="([^"]+)" rel="prev"`)
)

// followNext opens path and every page its "next" links lead to, and returns the pages in order.
func followNext(t *testing.T, c *client, path string) []response {
	t.Helper()
	var pages []response
	for path != "" && len(pages) < 20 {
		r := c.get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d", path, r.Status)
		}
		pages, path = append(pages, r), ""
		if m := nextLink.FindStringSubmatch(r.Body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return pages
}

func donationsOn(r response) []string {
	var ids []string
	for _, m := range donationLink.FindAllStringSubmatch(r.Body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// The donation list's links walk it page by page under its filter, each gift once, newest first, with a way back;
// a link the list did not write (an old ?page=, an edited cursor) is its first page.
func TestDonationListLinksWalkTheFilteredList(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	donor := f.donor("王爱心", "13911112222", "", true)
	today := shanghaiToday()
	for i := range 60 {
		program := ""
		if i%3 != 0 {
			program = "tutoring"
		}
		f.give(donor, domain.Money(100_00+i), program, "alipay", today.AddDate(0, 0, -(i%4))) // fifteen on each of four days
	}
	want, err := ta.store.ListDonations(context.Background(), repository.DonationFilter{ProgramCode: "tutoring"}, domain.Cursor{})
	if err != nil || want.Count.N != 40 {
		t.Fatalf("tutoring gifts: %+v, %v", want.Count, err)
	}
	pages := followNext(t, fin, "/admin/donations?program=tutoring")
	var shown []string
	for i, r := range pages {
		shown = append(shown, donationsOn(r)...)
		if next := nextLink.FindStringSubmatch(r.Body); next != nil && !strings.Contains(next[1], "program=tutoring") {
			t.Errorf("page %d's next link %s forgets the filter", i+1, next[1])
		}
		if prev := prevLink.FindStringSubmatch(r.Body); (prev != nil) != (i > 0) {
			t.Errorf("page %d: previous link %v", i+1, prev)
		}
		mustContain(t, r, "共 40 笔")
	}
	if len(pages) != 2 || len(shown) != 40 || len(slices.Compact(slices.Sorted(slices.Values(shown)))) != 40 {
		t.Fatalf("%d pages showed %d gifts, %d of them different; want 2 pages of 40", len(pages), len(shown), len(slices.Compact(slices.Sorted(slices.Values(shown)))))
	}
	for i, d := range want.Rows {
		if shown[i] != itoa(d.ID) {
			t.Fatalf("gift %d shown is %s, want %d", i, shown[i], d.ID)
		}
	}
	back := fin.get(strings.ReplaceAll(prevLink.FindStringSubmatch(pages[1].Body)[1], "&amp;", "&"))
	if got := donationsOn(back); !slices.Equal(got, donationsOn(pages[0])) {
		t.Errorf("back from page 2: %v, want page 1's %v", got, donationsOn(pages[0]))
	}
	first := donationsOn(pages[0])
	for _, q := range []string{"page=2", "after=nonsense", "after=2026-02-30,5", "before=,", "after=" + url.QueryEscape("1999-01-01,1")} {
		r := fin.get("/admin/donations?program=tutoring&" + q)
		if got := donationsOn(r); r.Status != http.StatusOK || !slices.Equal(got, first) {
			t.Errorf("?%s: status %d, %v; want the first page", q, r.Status, got)
		}
	}
}

// A list longer than it counts says so, in words, in both languages.
func TestALongListSaysMoreThanItCounts(t *testing.T) {
	ta := newTestApp(t)
	admin, _ := ta.account(domain.RoleAdmin, "13800000001")
	if _, err := ta.store.SQL().Exec(`INSERT INTO audit_events (action, subject_type) SELECT 'export.download', 'export'
		FROM generate_series(1, 1005)`); err != nil {
		t.Fatal(err)
	}
	r := admin.get("/admin/audit")
	mustContain(t, r, "超过 1,000 条记录", `rel="next"`)
	mustNotContain(t, r, `rel="prev"`, "第一页")
	mustContain(t, getIn(admin, "en", "/admin/audit?actor=system"), "More than 1,000 events")
	deeper := admin.get(strings.ReplaceAll(nextLink.FindStringSubmatch(r.Body)[1], "&amp;", "&"))
	mustContain(t, deeper, `rel="prev"`, "« 第一页", "超过 1,000 条记录")
}

// The donation form's chooser finds a donor by two of the three characters of a name, and by a phone's tail.
func TestDonorChooserFindsByPartOfAName(t *testing.T) {
	ta := newTestApp(t)
	f := newPublicFund(t, ta)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	id := f.donor("王爱心", "13911112222", "", false)
	f.give(id, 50_00, "", "cash", shanghaiToday())
	link := `href="/admin/donations/new?donor=` + itoa(id) + `"`
	for _, q := range []string{"爱心", "王爱", "2222", "王爱心"} {
		mustContain(t, fin.get("/admin/donations/new?q="+url.QueryEscape(q)), link)
	}
	mustContain(t, fin.get("/admin/donations/new"), link) // a recent donor before anything is searched
	mustContain(t, fin.get("/admin/donors?q="+url.QueryEscape("爱心")), `href="/admin/donors/`+itoa(id)+`"`, "共 1 位捐赠人")
}
