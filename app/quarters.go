package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Closing quarters: once a quarter's report is published, finance closes it so that it never changes.

type quartersView struct {
	Quarters []quarterLine // every quarter with a report, newest first
	Next     quarterLine   // the one that may be closed now, if CanClose
	CanClose bool
}

type quarterLine struct {
	Code, Name string
	IsClosed   bool
	Closed     *repository.ClosedQuarter // who closed it, when it was closed itself (an earlier one closes with it)
}

func (a *App) quartersPage(c echo.Context) error {
	return a.renderQuarters(c, http.StatusOK, a.newPage(c, "quarters.title"))
}

func (a *App) renderQuarters(c echo.Context, status int, p *Page) error {
	ctx := c.Request().Context()
	quarters, err := a.store.ReportQuarters(ctx)
	if err != nil {
		return err
	}
	closed, err := a.store.ClosedQuarters(ctx)
	if err != nil {
		return err
	}
	byQuarter := map[domain.Quarter]*repository.ClosedQuarter{}
	var b domain.Books
	for i := range closed {
		byQuarter[closed[i].Quarter] = &closed[i]
	}
	if len(closed) > 0 {
		b.ClosedThrough = closed[0].Quarter
	}
	var v quartersView
	for _, q := range quarters {
		v.Quarters = append(v.Quarters, quarterLine{Code: q.String(), Name: transparencyQuarterName(p, q),
			IsClosed: b.Closed(q), Closed: byQuarter[q]})
	}
	if next, ok := b.NextToClose(quarters[len(quarters)-1], a.now()); ok {
		v.Next, v.CanClose = quarterLine{Code: next.String(), Name: transparencyQuarterName(p, next)}, true
	}
	p.Data = v
	return a.views.render(c, status, "quarters", p)
}

type closeQuarterForm struct {
	Quarter   string `form:"quarter"`
	Published string `form:"published"`
}

func (a *App) closeQuarter(c echo.Context) error {
	var f closeQuarterForm
	if err := c.Bind(&f); err != nil {
		return echo.ErrBadRequest
	}
	q, ok := domain.ParseQuarter(f.Quarter)
	if !ok {
		return domain.ErrNotFound
	}
	if f.Published != "yes" {
		p := a.newPage(c, "quarters.title")
		p.Errors = domain.FieldErrors{"published": "quarters.confirm_published"}
		return a.renderQuarters(c, http.StatusUnprocessableEntity, p)
	}
	err := a.store.CloseQuarter(c.Request().Context(), actor(c), q)
	return a.afterAction(c, err, "/admin/quarters", "quarters.closed", "Quarter", quarterName(a.tr.localizer(langOf(c)), q))
}
