package app

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// statementPreviewSize is the number of lines on one page of a preview.
const statementPreviewSize = 100

type statementPreviewView struct {
	Import  *repository.StatementImport
	Show    string
	Filters []statementFilter
	Rows    []domain.StatementRow
	Pager   pager
	Failure *repository.StatementLineError
	Problem string // a message key about the confirmation
	Done    string // while the confirmation is pending: the lines recorded so far, and of how many
	Total   string
	Refresh int // while it is pending: seconds until the page reloads
}

// Pending reports whether the statement's confirmation is waiting or running: the page then shows how far it has
// got, reloads itself every statementRefresh, and offers no confirmation.
func (v statementPreviewView) Pending() bool { return v.Import.Job.Pending() }

// statementRefresh is how often a page whose confirmation is pending reloads (a <meta> refresh: the CSP allows no
// inline script, and a page reloaded works without any).
const statementRefresh = 2

type statementFilter struct {
	Key     string // the message key of its name
	Show    string
	Count   int
	Current bool
}

func (a *App) statementPreview(c echo.Context) error {
	imp, err := a.loadStatement(c)
	if err != nil {
		return err
	}
	if imp.Mapping == nil && can(currentUser(c), fundWriters) && !imp.Committed {
		return c.Redirect(http.StatusSeeOther, statementURL(imp.ID)+"/mapping")
	}
	// A confirmation the job refused is told as the request used to tell it, with the form to try again.
	problem, failure := "", (*repository.StatementLineError)(nil)
	if j := imp.Job; j != nil {
		switch j.State {
		case "failed":
			problem, failure = j.Problem, j.Failure
		case "stopped":
			problem = "statement.job_stopped"
		}
	}
	return a.renderStatementPreview(c, http.StatusOK, imp, problem, failure)
}

// Filters of the preview: the lines with problems, the skipped ones, the ones that import, or all.
var statementShows = []string{"errors", "import", "skipped", "all"}

func (a *App) renderStatementPreview(c echo.Context, status int, imp *repository.StatementImport, problem string,
	failure *repository.StatementLineError) error {
	show := c.QueryParam("show")
	if !slices.Contains(statementShows, show) {
		show = "all"
		if imp.Counts.Errors > 0 && !imp.Committed {
			show = "errors"
		}
	}
	var rows []domain.StatementRow
	for _, r := range imp.Rows {
		if show == "all" || (show == "errors" && r.Status == domain.RowError) || (show == "import" && r.Status == domain.RowImport) ||
			(show == "skipped" && r.Status == domain.RowSkip) {
			rows = append(rows, r)
		}
	}
	page := pageParam(c)
	page = min(page, max((len(rows)+statementPreviewSize-1)/statementPreviewSize, 1))
	pg := newPager(&url.URL{Path: statementURL(imp.ID), RawQuery: url.Values{"show": {show}}.Encode()}, page, int64(len(rows)),
		statementPreviewSize, "")
	rows = rows[(page-1)*statementPreviewSize : min(page*statementPreviewSize, len(rows))]
	counts := imp.Counts
	filters := []statementFilter{
		{Key: "statement.show_errors", Show: "errors", Count: counts.Errors},
		{Key: "statement.show_import", Show: "import", Count: counts.Import},
		{Key: "statement.show_skipped", Show: "skipped", Count: counts.Already + counts.Skipped},
		{Key: "statement.show_all", Show: "all", Count: counts.Lines()},
	}
	for i := range filters {
		filters[i].Current = filters[i].Show == show
	}
	p := a.newPage(c, "statement.preview_title")
	if c.FormValue("accept_errors") == "yes" {
		p.Form.Set("accept_errors", "yes")
	}
	v := statementPreviewView{Import: imp, Show: show, Filters: filters, Rows: rows, Pager: pg,
		Failure: failure, Problem: problem}
	if v.Pending() {
		v.Done, v.Total = transparencyCount(int64(imp.Job.Done)), transparencyCount(int64(imp.Job.Total))
		v.Refresh = statementRefresh
	}
	p.Data = v
	return a.views.render(c, status, "statement_preview", p)
}

// statementConfirm queues the statement's confirmation (a background job, repository.RequestStatementConfirmation)
// and goes back to its page, which shows the job's progress and then its result. What can be refused at once — a
// preview made with other columns, lines with problems not left out knowingly, a statement already imported — is
// refused here, as before; what the job refuses, the page tells.
func (a *App) statementConfirm(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	joined, err := a.store.RequestStatementConfirmation(ctx, actor(c), id, repository.StatementConfirmation{
		Version: c.FormValue("version"), AcceptErrors: c.FormValue("accept_errors") == "yes"})
	switch {
	case err == nil:
		if joined {
			a.flash(c, "info", "statement.confirm_joined")
		}
		return c.Redirect(http.StatusSeeOther, statementURL(id))
	case errors.Is(err, domain.ErrImportCommitted):
		return a.afterAction(c, err, statementURL(id), "")
	case !isProblem(err):
		return err
	}
	pr, _ := problemOf(err)
	problem, _ := pr.Message()
	imp, err := a.store.StatementImportByID(ctx, id)
	if err != nil {
		return err
	}
	return a.renderStatementPreview(c, http.StatusUnprocessableEntity, &imp, problem, nil)
}
