package app

import (
	"strings"

	"guanai/domain"
)

// homeOf is where a person lands after logging in.
func homeOf(r domain.Role) string {
	switch r {
	case domain.RoleStaff:
		return "/staff"
	case domain.RoleVolunteer:
		return "/volunteer"
	case domain.RoleVenue:
		return "/venue/redeem"
	}
	return "/admin"
}

// navItem is a link of the main navigation.
type navItem struct {
	Href, Key string
	Current   bool
}

// navSections are the operators' sections, in the order the header shows them; each person sees those their
// role may open.
var navSections = []navItem{
	{Href: "/admin/donations", Key: "nav.donations"},
	{Href: "/admin/disbursements", Key: "nav.disbursements"},
	{Href: "/admin/ledger", Key: "nav.ledger"},
	{Href: "/admin/dispatch", Key: "nav.dispatch"},
	{Href: "/admin/benefits", Key: "nav.benefits"},
	{Href: "/admin/grants", Key: "nav.grants"},
	{Href: "/admin/claims", Key: "nav.claims"},
	{Href: "/admin/verification", Key: "nav.verification"},
	{Href: "/admin/people", Key: "nav.people"},
	{Href: "/admin/eligibility", Key: "nav.eligibility"},
	{Href: "/admin/programs", Key: "nav.programs"},
	{Href: "/admin/audit", Key: "nav.audit"},
	{Href: "/admin/settings", Key: "nav.settings"},
}

// navSectionOf names the section a page belongs to when its path does not start with the section's own: a donor,
// a receipt and a bank statement are part of the donations; the quarters and the exports part of the ledger.
var navSectionOf = map[string]string{
	"/admin/donors": "/admin/donations", "/admin/receipts": "/admin/donations", "/admin/statements": "/admin/donations",
	"/admin/quarters": "/admin/ledger", "/admin/exports": "/admin/ledger", "/admin/qualifications": "/admin/verification",
	"/admin/venues": "/admin/programs", "/admin/places": "/admin/programs",
}

// inSection reports whether path is the section's own page or a page under it.
func inSection(path, section string) bool {
	for prefix, s := range navSectionOf {
		if s == section && (path == prefix || strings.HasPrefix(path, prefix+"/")) {
			return true
		}
	}
	return path == section || strings.HasPrefix(path, section+"/")
}

// navFor is the navigation for a person on a page: the link of the section the page belongs to is marked current,
// on the section's own page and on every page under it.
func navFor(u *domain.User, path string, may func(string) bool) []navItem {
	var items []navItem
	add := func(n navItem, current bool) {
		n.Current = current
		items = append(items, n)
	}
	if u == nil {
		for _, n := range []navItem{{Href: "/transparency", Key: "nav.transparency"}, {Href: "/login", Key: "nav.login"},
			{Href: "/register/staff", Key: "nav.register_staff"}, {Href: "/register/volunteer", Key: "nav.register_volunteer"}} {
			add(n, path == n.Href || strings.HasPrefix(path, n.Href+"/"))
		}
		return items
	}
	home := homeOf(u.Role)
	add(navItem{Href: home, Key: "nav.home"}, path == home)
	for _, n := range navSections {
		if may(n.Href) {
			add(n, inSection(path, n.Href))
		}
	}
	add(navItem{Href: "/account", Key: "nav.account"}, path == "/account" || strings.HasPrefix(path, "/account/"))
	return items
}
