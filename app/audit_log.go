package app

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/repository"
)

// auditLogView is the audit log page: a page of events told as sentences, and the filter above them.
type auditLogView struct {
	Lines    []auditLine
	Paging   listPaging
	Areas    []string
	Actors   []auditChoice
	Actor    string // the chosen ?actor=: "", "system" or an account's id
	Filtered bool
}

type auditChoice struct{ Value, Label string }

// auditLine is one event in words: who did what to whom, then when and how things stood before and after.
type auditLine struct {
	At      time.Time
	Actor   string // a name, or 系统 for what no one signed in did
	IP      string
	Did     string
	Subject *auditSubject // nil when the event has no subject (an export)
	Details []auditDetail
}

// auditSubject names what an event was about, linked to its page when the viewer may open it.
type auditSubject struct {
	Prefix string // 收据, or the kind of a subject that is gone or unknown
	Number string // a receipt number or #id: never wraps
	Name   string
	Note   string // an account's role
	Link   string
}

// auditDetail is one field of an event: its value, or its value before → after.
type auditDetail struct {
	Label         string
	Before, After string
	Wrap          bool // free text (a reason, a file name) may wrap; figures, dates and codes do not
}

// auditSystem is the ?actor= value for events no one signed in did.
const auditSystem = "system"

func (a *App) auditLog(c echo.Context) error {
	ctx := c.Request().Context()
	f := repository.AuditFilter{}
	v := auditLogView{Areas: repository.AuditAreas}
	if area := c.QueryParam("area"); slices.Contains(repository.AuditAreas, area) {
		f.Area = area
	}
	switch actor := c.QueryParam("actor"); {
	case actor == auditSystem:
		f.NoActor, v.Actor = true, actor
	case actor != "":
		if id, err := strconv.ParseInt(actor, 10, 64); err == nil && id > 0 {
			f.ActorID, v.Actor = id, actor
		}
	}
	v.Filtered = f.Area != "" || v.Actor != ""
	entries, err := a.store.AuditLog(ctx, f, cursorParam(c))
	if err != nil {
		return err
	}
	pools, err := a.store.Pools(ctx)
	if err != nil {
		return err
	}
	actors, err := a.store.AuditActors(ctx)
	if err != nil {
		return err
	}
	p := a.newPage(c, "audit.title")
	p.Form = c.QueryParams()
	w := newAuditWords(p, pools)
	for _, e := range entries.Rows {
		v.Lines = append(v.Lines, w.line(e))
	}
	v.Actors = []auditChoice{{Value: auditSystem, Label: p.T("audit.system")}}
	chosen := v.Actor == "" || v.Actor == auditSystem
	for _, u := range actors {
		id := itoa64(u.ID)
		v.Actors = append(v.Actors, auditChoice{Value: id, Label: u.Name + " · " + p.T("role."+string(u.Role))})
		chosen = chosen || id == v.Actor
	}
	if !chosen { // someone the list does not offer (a staff member's own events): keep them chosen
		label := "#" + v.Actor
		if len(entries.Rows) > 0 {
			label = entries.Rows[0].ActorName
		}
		v.Actors = append(v.Actors, auditChoice{Value: v.Actor, Label: label})
	}
	v.Paging = pagingOf(c.Request().URL, entries, "")
	p.Data = v
	return a.views.render(c, http.StatusOK, "audit", p)
}
