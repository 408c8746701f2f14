package app

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// Bank statement import: upload (a CSV or XLSX export, the channel and program for the whole statement) → choose
// the columns → preview every line → confirm once. Nothing reaches donations before the confirmation, which records
// all importable lines in one transaction or none.
//
// Lines that cannot be imported (a bad date, amount, payer or reference) do not block the others: the preview
// lists them, the operator ticks that they will be left out, and they are. After fixing them in the file, the
// operator uploads the whole statement again: every line already imported is skipped, so only the fixed ones are
// added.

type statementListView struct {
	Imports  []repository.StatementImportSummary
	Pager    pager
	Channels []string
	Programs []repository.Pool
	Problem  string // a message key about the upload as a whole
	MaxBytes int    // the largest file read, for the page's script to check before sending
}

func (a *App) statementList(c echo.Context) error {
	return a.renderStatementList(c, http.StatusOK, "")
}

func (a *App) renderStatementList(c echo.Context, status int, problem string) error {
	ctx := c.Request().Context()
	page := pageParam(c)
	imports, total, err := a.store.StatementImports(ctx, page)
	if err != nil {
		return err
	}
	pools, err := a.store.Pools(ctx)
	if err != nil {
		return err
	}
	var programs []repository.Pool
	for _, p := range pools {
		if p.ProgramCode != "" {
			programs = append(programs, p)
		}
	}
	p := a.newPage(c, "statement.title")
	if status == http.StatusOK {
		p.Form.Set("channel", "bank_transfer")
	} else {
		p.Form.Set("channel", c.FormValue("channel"))
		p.Form.Set("program", c.FormValue("program"))
	}
	p.Data = statementListView{Imports: imports, Pager: listPager(&url.URL{Path: "/admin/statements"}, page, total),
		Channels: domain.StatementChannels, Programs: programs, Problem: problem, MaxBytes: maxUploadBytes}
	return a.views.render(c, status, "statement_list", p)
}

func (a *App) statementUpload(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return a.renderStatementList(c, http.StatusUnprocessableEntity, "statement.no_file")
	}
	records, err := statementFile.readFile(fh)
	if problem := statementFile.problem(err); problem != "" {
		return a.renderStatementList(c, http.StatusUnprocessableEntity, problem)
	}
	if err != nil {
		return err
	}
	channel := c.FormValue("channel")
	if channel == "" {
		channel = "bank_transfer" // the form's default, for a client that leaves it out
	}
	id, err := a.store.CreateStatementImport(c.Request().Context(), actor(c), repository.StatementUpload{
		Filename: fh.Filename, Channel: channel, ProgramCode: c.FormValue("program"), Records: records})
	if fe, ok := fieldErrors(err); ok {
		problem := fe["file"]
		if problem == "" {
			problem = "statement.choose_channel"
		}
		return a.renderStatementList(c, http.StatusUnprocessableEntity, problem)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, statementURL(id)+"/mapping")
}

func statementURL(id int64) string { return "/admin/statements/" + strconv.FormatInt(id, 10) }
