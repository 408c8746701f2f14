package app

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

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

// statementPreviewSize is the number of lines on one page of a preview.
const statementPreviewSize = 100

type statementListView struct {
	Imports  []repository.StatementImportSummary
	Pager    pager
	Channels []string
	Programs []repository.Pool
	Problem  string // a message key about the upload as a whole
	MaxBytes int    // the largest file readTable reads, for the page's script to check before sending
}

type statementMappingView struct {
	Import  *repository.StatementImport
	Mapping domain.StatementMapping
	Columns []statementColumn
	Roles   []string
	Sample  [][]string
	Problem string
}

// statementColumn is a column as the mapping form offers it: "C · 贷方金额".
type statementColumn struct {
	Index int
	Label string
}

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
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	records, err := readStatementFile(fh.Filename, f)
	if err != nil {
		return a.renderStatementList(c, http.StatusUnprocessableEntity, "statement.unreadable")
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

// readStatementFile reads an upload with readTable, then gives XLSX date cells back their dates: readTable shows
// cells as Excel would format them, and excelize formats the built-in short date as 03-01-26 and others as
// Mar-26, which lose the year's century or the day. Those cells are read from their stored serial number instead.
// A long number Excel kept only in scientific notation stays so, so the preview can say its digits are lost.
func readStatementFile(filename string, r io.Reader) ([][]string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxUploadBytes+1))
	if err != nil {
		return nil, err
	}
	records, err := readTable(filename, bytes.NewReader(b))
	if err != nil || strings.ToLower(path.Ext(filename)) != ".xlsx" {
		return records, err
	}
	x, err := excelize.OpenReader(bytes.NewReader(b), xlsxLimits)
	if err != nil {
		return nil, errUnreadableFile
	}
	defer x.Close()
	raw, err := x.GetRows(x.GetSheetList()[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errUnreadableFile
	}
	for i := range records {
		for j := range records[i] {
			if i < len(raw) && j < len(raw[i]) {
				records[i][j] = xlsxCell(records[i][j], raw[i][j])
			}
		}
	}
	return records, nil
}

var (
	excelSerial     = regexp.MustCompile(`^[0-9]{5}(\.[0-9]+)?$`)
	excelScientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?E\+[0-9]+$`)
	excelEpoch      = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
)

// xlsxCell chooses between a cell as formatted and as stored.
func xlsxCell(formatted, raw string) string {
	switch {
	case formatted == raw:
		return formatted
	case excelScientific.MatchString(raw):
		return raw
	case excelSerial.MatchString(raw) && dateLike(formatted):
		days, err := strconv.ParseFloat(raw, 64)
		// 36526 is 2000-01-01 and 73415 is 2100-12-31: a date cell, not an amount formatted with a unit.
		if err == nil && days >= 36526 && days <= 73415 {
			return excelEpoch.AddDate(0, 0, int(math.Floor(days))).Format("2006-01-02")
		}
	}
	return formatted
}

// dateLike tells a date as Excel formats it (03-01-26, Mar-26, 2026/3/1, 2026年3月1日, 2026.3.1) from an amount
// (46,082.00, ¥46,082, 46082元, CNY 46,082), which can have the same stored number.
func dateLike(s string) bool {
	upper := strings.ToUpper(s)
	if strings.ContainsAny(s, "元¥￥$") || strings.Contains(upper, "CNY") || strings.Contains(upper, "RMB") {
		return false
	}
	return strings.ContainsAny(s, "-/:") || strings.Count(s, ".") >= 2 || strings.IndexFunc(s, unicode.IsLetter) >= 0
}

func (a *App) loadStatement(c echo.Context) (*repository.StatementImport, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	imp, err := a.store.StatementImportByID(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	return &imp, nil
}

func (a *App) statementMappingForm(c echo.Context) error {
	imp, err := a.loadStatement(c)
	if err != nil {
		return err
	}
	if imp.Committed {
		return c.Redirect(http.StatusSeeOther, statementURL(imp.ID))
	}
	var m domain.StatementMapping
	switch n, err := strconv.Atoi(c.QueryParam("header")); {
	case err == nil && n >= 1 && n <= len(imp.Records):
		// Another header line was chosen: guess the columns from it.
		m = domain.StatementMapping{HeaderRow: n - 1, Columns: domain.GuessStatementColumns(imp.Records[n-1])}
	case imp.Mapping != nil:
		m = *imp.Mapping
	default:
		m = domain.GuessStatementMapping(imp.Records)
	}
	return a.renderStatementMapping(c, http.StatusOK, imp, m, nil)
}

func (a *App) renderStatementMapping(c echo.Context, status int, imp *repository.StatementImport, m domain.StatementMapping,
	fe domain.FieldErrors) error {
	p := a.newPage(c, "statement.mapping_title")
	p.Errors = fe
	p.Form.Set("header_row", strconv.Itoa(m.HeaderRow+1))
	for _, role := range domain.StatementColumns {
		if i := m.Col(role); i >= 0 {
			p.Form.Set("col_"+role, strconv.Itoa(i))
		}
	}
	var header []string
	if m.HeaderRow >= 0 && m.HeaderRow < len(imp.Records) {
		header = imp.Records[m.HeaderRow]
	}
	cols := make([]statementColumn, domain.StatementWidth(imp.Records))
	for i := range cols {
		label := columnLetter(i)
		if i < len(header) && strings.TrimSpace(header[i]) != "" {
			label += " · " + clipCell(header[i])
		}
		cols[i] = statementColumn{Index: i, Label: label}
	}
	problem := ""
	if len(fe) > 0 {
		problem = "statement.mapping_problem"
	}
	sample := domain.StatementSample(imp.Records, m.HeaderRow, 5)
	for i, row := range sample {
		short := make([]string, len(row))
		for j, cell := range row {
			short[j] = clipCell(cell)
		}
		sample[i] = short
	}
	p.Data = statementMappingView{Import: imp, Mapping: m, Columns: cols, Roles: domain.StatementColumns,
		Sample: sample, Problem: problem}
	return a.views.render(c, status, "statement_mapping", p)
}

// clipCell shows a cell of the sample or the header, cut to what a table cell can show.
func clipCell(s string) string {
	s = strings.TrimSpace(domain.StripControl(s))
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// columnLetter names a column as a spreadsheet does: A … Z, AA …
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func (a *App) statementMappingSave(c echo.Context) error {
	imp, err := a.loadStatement(c)
	if err != nil {
		return err
	}
	m, fe := mappingFromForm(c)
	if len(fe) == 0 {
		err = a.store.SaveStatementMapping(c.Request().Context(), actor(c), imp.ID, m)
		switch {
		case errors.Is(err, domain.ErrImportCommitted):
			return a.afterAction(c, err, statementURL(imp.ID), "")
		case err != nil:
			var ok bool
			if fe, ok = fieldErrors(err); !ok {
				return err
			}
		default:
			return c.Redirect(http.StatusSeeOther, statementURL(imp.ID))
		}
	}
	return a.renderStatementMapping(c, http.StatusUnprocessableEntity, imp, m, fe)
}

// mappingFromForm reads the mapping form: header_row (1-based) and col_<role> (a column index, or empty).
func mappingFromForm(c echo.Context) (domain.StatementMapping, domain.FieldErrors) {
	fe := domain.FieldErrors{}
	m := domain.StatementMapping{Columns: map[string]int{}}
	if n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("header_row"))); err == nil && n >= 1 {
		m.HeaderRow = n - 1
	} else {
		fe.Add("header_row", "statement.header_row_invalid")
	}
	for _, role := range domain.StatementColumns {
		v := strings.TrimSpace(c.FormValue("col_" + role))
		if v == "" {
			continue
		}
		if i, err := strconv.Atoi(v); err == nil && i >= 0 {
			m.Columns[role] = i
		} else {
			fe.Add("col_"+role, "statement.column_invalid")
		}
	}
	for _, role := range domain.RequiredStatementColumns {
		if _, ok := m.Columns[role]; !ok {
			fe.Add("col_"+role, "statement.column_required")
		}
	}
	return m, fe
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
