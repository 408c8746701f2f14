package app

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// The settings an admin edits on one page: the fundraising goal, the star levels' thresholds, the dispatch
// settings a new program starts with, and the delay of the automatic confirmation. Every page reads them through
// the store's cache (repository/settings.go), so none adds a statement.

type settingsForm struct {
	Goal             string `form:"goal"`
	StarHours        string `form:"star_hours"`
	OffersEmergency  string `form:"offers_emergency"`
	MinutesEmergency string `form:"minutes_emergency"`
	OffersUrgent     string `form:"offers_urgent"`
	MinutesUrgent    string `form:"minutes_urgent"`
	OffersNormal     string `form:"offers_normal"`
	MinutesNormal    string `form:"minutes_normal"`
	DailyCap         string `form:"daily_offer_cap"`
	AutoConfirmHours string `form:"auto_confirm_hours"`
}

func (f settingsForm) settings() domain.SettingsForm {
	return domain.SettingsForm{Goal: f.Goal, StarHours: f.StarHours,
		Offers: map[string]string{domain.UrgencyEmergency: f.OffersEmergency, domain.UrgencyUrgent: f.OffersUrgent,
			domain.UrgencyNormal: f.OffersNormal},
		Minutes: map[string]string{domain.UrgencyEmergency: f.MinutesEmergency, domain.UrgencyUrgent: f.MinutesUrgent,
			domain.UrgencyNormal: f.MinutesNormal},
		DailyCap: f.DailyCap, AutoConfirmHours: f.AutoConfirmHours}
}

type settingsView struct {
	Urgencies    []string
	DefaultStars string // GUANAI_STAR_HOURS, what an empty field means
}

// starHours are the star levels' thresholds in force: the admin's setting, else the configuration's.
func (a *App) starHours(ctx context.Context) ([]int, error) {
	s, err := a.store.Settings(ctx)
	if err != nil || len(s.StarHours) == 0 {
		return a.cfg.StarHours, err
	}
	return s.StarHours, nil
}

func (a *App) settingsPage(c echo.Context) error {
	s, err := a.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "settings.title")
	p.Form.Set("goal", s.Goal.Plain())
	p.Form.Set("star_hours", domain.FormatStarHours(s.StarHours))
	for _, u := range domain.Urgencies {
		p.Form.Set("offers_"+u, strconv.Itoa(s.Dispatch.Offers[u]))
		p.Form.Set("minutes_"+u, strconv.Itoa(s.Dispatch.Minutes(u)))
	}
	p.Form.Set("daily_offer_cap", strconv.Itoa(s.Dispatch.DailyCap))
	p.Form.Set("auto_confirm_hours", strconv.Itoa(int(s.AutoConfirm/time.Hour)))
	return a.renderSettings(c, http.StatusOK, p)
}

func (a *App) renderSettings(c echo.Context, status int, p *Page) error {
	p.Data = settingsView{Urgencies: domain.Urgencies, DefaultStars: domain.FormatStarHours(a.cfg.StarHours)}
	return a.views.render(c, status, "settings", p)
}

func (a *App) saveSettings(c echo.Context) error {
	var f settingsForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	err := a.store.UpdateSettings(c.Request().Context(), actor(c), f.settings())
	if fe, ok := fieldErrors(err); ok {
		p := a.newPage(c, "settings.title")
		p.Form, p.Errors = c.Request().PostForm, fe
		return a.renderSettings(c, http.StatusUnprocessableEntity, p)
	}
	return a.afterAction(c, err, "/admin/settings", "settings.saved")
}
