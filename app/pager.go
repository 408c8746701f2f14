package app

import (
	"net/url"
	"strconv"

	"guanai/repository"
)

// pager is the navigation under a list numbered by page: which page this is of how many, and links to the pages on
// either side. It serves the statement pages, whose lines are a file's (5,000 at most, read in memory) and whose
// uploads are a few a week; lists that grow are paged by cursor (listPaging).
type pager struct {
	Page, Pages int
	Total       int64
	PrevURL     string
	NextURL     string
}

// newPager is the pager of page (from 1) of a list of total items, size to a page. Its links are u with ?page=n
// and, when fragment is not empty, #fragment, so that they come back to the list rather than the top of the page.
func newPager(u *url.URL, page int, total int64, size int, fragment string) pager {
	pages := int((total + int64(size) - 1) / int64(size))
	p := pager{Page: page, Pages: max(pages, 1), Total: total}
	link := func(n int) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		s := u.Path + "?" + q.Encode()
		if fragment != "" {
			s += "#" + fragment
		}
		return s
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// listPager is the pager of an operators' list, repository.PageSize to a page.
func listPager(u *url.URL, page int, total int64) pager {
	return newPager(u, page, total, repository.PageSize, "")
}
