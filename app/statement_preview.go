package app

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

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
}

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
	return a.renderStatementPreview(c, http.StatusOK, imp, "", nil)
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
	p.Data = statementPreviewView{Import: imp, Show: show, Filters: filters, Rows: rows, Pager: pg,
		Failure: failure, Problem: problem}
	return a.views.render(c, status, "statement_preview", p)
}

func (a *App) statementConfirm(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	res, err := a.store.ConfirmStatementImport(ctx, actor(c), id, repository.StatementConfirmation{
		Version: c.FormValue("version"), AcceptErrors: c.FormValue("accept_errors") == "yes"})
	var lineErr *repository.StatementLineError
	problem := ""
	switch {
	case err == nil:
		a.flash(c, "ok", "statement.confirmed", "Added", strconv.Itoa(res.Added), "Amount", res.Amount.String(),
			"Already", strconv.Itoa(res.Already), "Skipped", strconv.Itoa(res.Skipped), "Errors", strconv.Itoa(res.Errors),
			"NewDonors", strconv.Itoa(res.NewDonors))
		return c.Redirect(http.StatusSeeOther, statementURL(id)+"?show=all")
	case errors.Is(err, domain.ErrImportCommitted):
		return a.afterAction(c, err, statementURL(id), "")
	case errors.As(err, &lineErr):
		a.log.WarnContext(ctx, "statement import refused", "import", id, "line", lineErr.Line, "err", lineErr.Err)
	case isProblem(err):
		pr, _ := problemOf(err)
		problem, _ = pr.Message()
	default:
		return err
	}
	imp, lerr := a.store.StatementImportByID(ctx, id)
	if lerr != nil {
		return lerr
	}
	return a.renderStatementPreview(c, http.StatusUnprocessableEntity, &imp, problem, lineErr)
}
