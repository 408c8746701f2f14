package app

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var hrefPattern = regexp.MustCompile(`href="(/[^"#]*)`)

// Every link a page shows its viewer opens for that viewer: no tile, menu entry or name in a list leads to a 403
// or a 404. Each demo role follows the links from its home, two pages deep.
func TestEveryLinkOpensForItsViewer(t *testing.T) {
	ta := newTestApp(t)
	if err := seedDemo(context.Background(), ta.store); err != nil {
		t.Fatal(err)
	}
	// Files to download and actions that end the session are not pages to follow.
	skip := regexp.MustCompile(`^/static/|^/admin/exports/download|^/account/data|report\.csv|^/logout`)
	for _, phone := range []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13900000001", "13700000001", ""} {
		c := ta.client()
		start := "/transparency"
		if phone != "" {
			if r := c.login(phone, DemoPassword); r.Status != http.StatusSeeOther {
				t.Fatalf("login %s: %d", phone, r.Status)
			}
			start = "/"
		}
		seen := map[string]bool{start: true}
		frontier := []string{start}
		for depth := 0; depth < 3 && len(frontier) > 0; depth++ {
			var next []string
			for _, path := range frontier {
				r := c.get(path)
				if r.Status == http.StatusSeeOther || r.Status == http.StatusFound || r.Status == http.StatusMovedPermanently {
					r = c.get(r.Location)
				}
				if r.Status == http.StatusForbidden || r.Status == http.StatusNotFound || r.Status >= 500 {
					t.Errorf("as %s, %s answers %d", who(phone), path, r.Status)
					continue
				}
				for _, m := range hrefPattern.FindAllStringSubmatch(r.Body, -1) {
					link := html.UnescapeString(m[1])
					if !seen[link] && !skip.MatchString(link) && len(seen) < 250 {
						seen[link] = true
						next = append(next, link)
					}
				}
			}
			frontier = next
		}
		if len(seen) < 5 {
			t.Errorf("as %s only %d links were found: the crawl is broken", who(phone), len(seen))
		}
	}
}

func who(phone string) string {
	if phone == "" {
		return "a visitor"
	}
	return strings.TrimSpace(phone)
}
