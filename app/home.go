package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// homeOf is where a person lands after logging in.
func homeOf(r domain.Role) string {
	switch r {
	case domain.RoleStaff:
		return "/staff"
	case domain.RoleVolunteer:
		return "/volunteer"
	}
	return "/admin"
}

func (a *App) index(c echo.Context) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(http.StatusSeeOther, homeOf(u.Role))
	}
	return a.views.render(c, http.StatusOK, "index", a.newPage(c, "index.title"))
}

func (a *App) privacyNotice(c echo.Context) error {
	p := a.newPage(c, "privacy.title")
	p.Data = domain.PrivacyNoticeVersion
	return a.views.render(c, http.StatusOK, "privacy", p)
}

// setLang remembers the chosen language for a year and goes back to the page the switch was pressed on.
func (a *App) setLang(c echo.Context) error {
	lang := c.FormValue("lang")
	if lang != langEn {
		lang = langZh
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.cfg.Secure(), Expires: time.Now().AddDate(1, 0, 0)})
	back := safeNext(c.FormValue("back"))
	if back == "" {
		back = "/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

func navFor(u *domain.User, path string) []navItem {
	var items []navItem
	add := func(href, key string) { items = append(items, navItem{Href: href, Key: key, Current: path == href}) }
	if u == nil {
		add("/transparency", "nav.transparency")
		add("/login", "nav.login")
		add("/register/staff", "nav.register_staff")
		add("/register/volunteer", "nav.register_volunteer")
		return items
	}
	add(homeOf(u.Role), "nav.home")
	switch u.Role {
	case domain.RoleAdmin, domain.RoleFinance, domain.RoleAuditor:
		add("/admin/donations", "nav.donations")
		add("/admin/disbursements", "nav.disbursements")
		add("/admin/ledger", "nav.ledger")
	}
	switch u.Role {
	case domain.RoleAdmin, domain.RoleCoordinator:
		add("/admin/verification", "nav.verification")
		add("/admin/people", "nav.people")
		add("/admin/eligibility", "nav.eligibility")
	case domain.RoleAuditor:
		add("/admin/people", "nav.people")
	}
	if u.Role == domain.RoleAdmin || u.Role == domain.RoleAuditor {
		add("/admin/audit", "nav.audit")
	}
	add("/account", "nav.account")
	return items
}
