package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

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
