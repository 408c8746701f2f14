package app

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// listPaging is the navigation under a list paged by cursor: links to the first page and to the pages on either
// side, each carrying the row its page starts next to (?after=2026-03-01,12345 or ?before=…), and the list's count.
type listPaging struct {
	FirstURL, NewerURL, OlderURL string
	Count                        repository.Count
}

// cursorParam reads the page a list's link asks for: ?after= (the rows after a row) or ?before= (those before it).
// Anything that is not a cursor — an old ?page=, an edited link — is the first page.
func cursorParam(c echo.Context) domain.Cursor {
	if cur, ok := domain.ParseCursor(c.QueryParam("after")); ok {
		return cur
	}
	if cur, ok := domain.ParseCursor(c.QueryParam("before")); ok {
		cur.Back = true
		return cur
	}
	return domain.Cursor{}
}

// pagingOf is the navigation of a page of the list at u: its links keep u's filters and, when fragment is not
// empty, end in #fragment, so that they come back to the list rather than the top of the page.
func pagingOf[T any](u *url.URL, p repository.ListPage[T], fragment string) listPaging {
	link := func(c *domain.Cursor) string {
		q := u.Query()
		q.Del("after")
		q.Del("before")
		q.Del("page")
		var params []string
		if enc := q.Encode(); enc != "" {
			params = append(params, enc)
		}
		if c != nil {
			name := "after"
			if c.Back {
				name = "before"
			}
			// The comma between key and id is left as it is (a query may hold one): ?after=2026-03-01,12345.
			params = append(params, name+"="+strings.ReplaceAll(url.QueryEscape(c.String()), "%2C", ","))
		}
		s := u.Path
		if len(params) > 0 {
			s += "?" + strings.Join(params, "&")
		}
		if fragment != "" {
			s += "#" + fragment
		}
		return s
	}
	v := listPaging{Count: p.Count}
	if p.Newer != nil {
		v.FirstURL, v.NewerURL = link(nil), link(p.Newer)
	}
	if p.Older != nil {
		v.OlderURL = link(p.Older)
	}
	return v
}
