package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

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
	back := safeRedirect(c.FormValue("back"))
	if back == "" {
		back = "/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}
