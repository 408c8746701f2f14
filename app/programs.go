package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The care programs are data (DESIGN §1): the list shows each with its kind, whether it takes new requests and how
// it dispatches; the admin edits them (program_edit.go).

type programListView struct {
	Programs []programRow
}

// programRow is a program with its rounds of offers told in words.
type programRow struct {
	repository.CareProgram
	Rounds []programRound // none for a program that does not dispatch
}

// programRound is how a round of offers goes out at one urgency: how many, open how long.
type programRound struct {
	Urgency  string
	Offers   int
	Lifetime string
}

func (a *App) programList(c echo.Context) error {
	programs, err := a.store.ProgramList(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.newPage(c, "programs.title")
	v := programListView{}
	for _, pr := range programs {
		row := programRow{CareProgram: pr}
		if pr.Kind == domain.ProgramService {
			d := pr.Dispatch()
			for _, u := range domain.Urgencies {
				row.Rounds = append(row.Rounds, programRound{Urgency: u, Offers: d.Offers[u], Lifetime: minutesText(p, d.Minutes(u))})
			}
		}
		v.Programs = append(v.Programs, row)
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "programs", p)
}

// minutesText says a span of minutes as people say it: 10 分钟, 2 小时, 1 小时 30 分钟.
func minutesText(p *Page, minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return p.T("programs.n_minutes", "N", m)
	case m == 0:
		return p.T("programs.n_hours", "N", h)
	}
	return p.T("programs.n_hours_minutes", "H", h, "M", m)
}
