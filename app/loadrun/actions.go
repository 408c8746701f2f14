package loadrun

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The ways a virtual user moves through the site. Ids come from the links of the list pages it has seen, page
// numbers from their pagers, filter values from their selects: nothing is guessed.

// browse opens a page and keeps what later actions follow from it: the ids its links lead to under each prefix,
// and its number of pages.
func (u *user) browse(path string, prefixes ...string) (page, error) {
	p, err := u.get(path)
	if err != nil || p.status != 200 {
		return p, err
	}
	for _, prefix := range prefixes {
		if ids := linkIDs(p.body, prefix); len(ids) > 0 {
			u.ids[prefix] = ids
		}
	}
	if listKey(path) == path { // a list's first page: where its cursors start from
		u.pages[path] = nextPage(p.body)
	}
	return p, nil
}

// listKey is a list's address without its position: "/admin/audit?after=812" is a page of "/admin/audit".
func listKey(path string) string {
	base, query, ok := strings.Cut(path, "?")
	if !ok {
		return path
	}
	q, _ := url.ParseQuery(query)
	q.Del("after")
	q.Del("before")
	q.Del("page")
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

// deep opens a page of a list at a random place in it, as a person who follows an old link or keeps paging would:
// the lists are paged by cursor (?after=key,id), so a cursor is made up below the one of the first page's "next"
// link — an id lower than its id and, for lists by date, a date back to three years before. A list of one page is
// opened as is.
func (u *user) deep(list string, prefixes ...string) error {
	next, seen := u.pages[list]
	if !seen {
		if _, err := u.browse(list, prefixes...); err != nil {
			return err
		}
		next = u.pages[list]
	}
	if next == "" {
		_, err := u.browse(list, prefixes...)
		return err
	}
	_, err := u.browse(u.deeperCursor(next), prefixes...)
	return err
}

// deeperCursor rewrites a "next" link's cursor to a random place further down the list.
func (u *user) deeperCursor(next string) string {
	base, query, _ := strings.Cut(next, "?")
	q, _ := url.ParseQuery(query)
	key, id, dated := strings.Cut(q.Get("after"), ",")
	if !dated {
		id = key
	}
	top, err := strconv.ParseInt(id, 10, 64)
	if err != nil || top < 2 {
		return next
	}
	cursor := strconv.FormatInt(1+u.rng.Int64N(top), 10)
	if dated {
		if day, err := time.Parse(time.DateOnly, key); err == nil {
			cursor = day.AddDate(0, 0, -u.rng.IntN(3*365)).Format(time.DateOnly) + "," + cursor
		}
	}
	q.Set("after", cursor)
	return base + "?" + q.Encode()
}

// anyPage opens a list's first page or, as often, a deeper one.
func (u *user) anyPage(list string, prefixes ...string) error {
	if u.rng.IntN(2) == 0 {
		_, err := u.browse(list, prefixes...)
		return err
	}
	return u.deep(list, prefixes...)
}

// pickID returns an id the user has seen a link to under prefix, opening list first when it has seen none; ""
// when the list shows none either.
func (u *user) pickID(list, prefix string) (string, error) {
	if len(u.ids[prefix]) == 0 {
		if _, err := u.browse(list, prefix); err != nil {
			return "", err
		}
	}
	ids := u.ids[prefix]
	if len(ids) == 0 {
		return "", nil
	}
	return ids[u.rng.IntN(len(ids))], nil
}

// follow opens the page of a record picked from list's links under prefix.
func (u *user) follow(list, prefix string) error {
	id, err := u.pickID(list, prefix)
	if err != nil || id == "" {
		return err
	}
	_, err = u.browse(prefix + id)
	return err
}

// filter opens a list filtered by one of the options of its select called name, read from the list itself, which
// it opens first the first time.
func (u *user) filter(list, name string, prefixes ...string) error {
	key := list + " " + name
	opts, seen := u.filters[key]
	if !seen {
		p, err := u.browse(list, prefixes...)
		if err != nil {
			return err
		}
		opts = choices(p.body, name)
		u.filters[key] = opts
	}
	if len(opts) == 0 { // nothing to filter by: the list as it is
		_, err := u.browse(list, prefixes...)
		return err
	}
	_, err := u.browse(list+"?"+url.Values{name: {opts[u.rng.IntN(len(opts))]}}.Encode(), prefixes...)
	return err
}

// The public, not logged in.

func home(u *user) error {
	_, err := u.browse("/")
	return err
}

func transparency(u *user) error {
	p, err := u.browse("/transparency")
	if err == nil {
		u.keepQuarters(p)
	}
	return err
}

func publicDonations(u *user) error { return u.deep("/transparency") }

// quarterReport opens the report of the quarter under way or, half the time once it has seen their links, of an
// earlier one.
func quarterReport(u *user) error {
	path := "/transparency/report"
	if qs := u.ids["quarter"]; len(qs) > 0 && u.rng.IntN(2) == 0 {
		path += "?q=" + url.QueryEscape(qs[u.rng.IntN(len(qs))])
	}
	p, err := u.browse(path)
	if err == nil {
		u.keepQuarters(p)
	}
	return err
}

func (u *user) keepQuarters(p page) {
	if qs := linkQueries(p.body, "/transparency/report", "q"); len(qs) > 0 {
		u.ids["quarter"] = qs
	}
}

// Finance and the admin.

func fundHome(u *user) error {
	_, err := u.browse("/admin")
	return err
}

func ledger(u *user) error {
	_, err := u.browse("/admin/ledger")
	return err
}

func donations(u *user) error { return u.anyPage("/admin/donations", "/admin/donations/") }

// donationsFiltered filters the donations by program or, as often, by a month of dates within the past year.
func donationsFiltered(u *user) error {
	if u.rng.IntN(2) == 0 {
		return u.filter("/admin/donations", "program", "/admin/donations/")
	}
	from := time.Now().AddDate(0, 0, -30-u.rng.IntN(330))
	q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {from.AddDate(0, 0, 30).Format(time.DateOnly)}}
	_, err := u.browse("/admin/donations?"+q.Encode(), "/admin/donations/")
	return err
}

func donation(u *user) error { return u.follow("/admin/donations", "/admin/donations/") }

func donors(u *user) error { return u.anyPage("/admin/donors", "/admin/donors/") }

// donorTerms are what finance types into the donor search: parts of names, a company word, a credit code's start.
var donorTerms = []string{"杭州", "有限公司", "科技", "慈善", "陈", "林小", "王", "9111", "医院", "张伟"}

func donorSearch(u *user) error {
	_, err := u.browse("/admin/donors?q="+url.QueryEscape(donorTerms[u.rng.IntN(len(donorTerms))]), "/admin/donors/")
	return err
}

func donor(u *user) error { return u.follow("/admin/donors", "/admin/donors/") }

func disbursements(u *user) error {
	if u.rng.IntN(3) == 0 {
		return u.filter("/admin/disbursements", "status", "/admin/disbursements/")
	}
	_, err := u.browse("/admin/disbursements", "/admin/disbursements/")
	return err
}

func disbursement(u *user) error { return u.follow("/admin/disbursements", "/admin/disbursements/") }

// The coordinator.

func people(u *user) error {
	if u.rng.IntN(3) == 0 {
		return u.filter("/admin/people", "role", "/admin/people/")
	}
	return u.anyPage("/admin/people", "/admin/people/")
}

func verificationQueue(u *user) error {
	_, err := u.browse("/admin/verification", "/admin/people/")
	return err
}

func person(u *user) error { return u.follow("/admin/people", "/admin/people/") }

// The auditor.

func auditLog(u *user) error {
	_, err := u.browse("/admin/audit")
	return err
}

func auditPages(u *user) error { return u.deep("/admin/audit") }

func auditArea(u *user) error { return u.filter("/admin/audit", "area") }
