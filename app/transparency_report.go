package app

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The quarterly fundraising report (慈善法 Art. 73): a page, and the same figures as a CSV file.

type transparencyReportView struct {
	Report   repository.QuarterReport
	Name     string // 2026年第3季度
	Code     string // 2026Q3
	From, To string // the period's first and last day, or today for the quarter under way
	Current  bool   // the quarter under way: its figures are to date
	Quarters []transparencyQuarterLink
	Care     careView // the care given in the quarter (transparency_care.go)
}

// Num writes a count with thousands separators: 1,024.
func (transparencyReportView) Num(n int64) string { return transparencyCount(n) }

// transparencyQuarter is the quarter a report address asks for (q=2026Q3; the current quarter without q) and the list of
// quarters that have a report. A quarter outside that list has no report: 404.
func (a *App) transparencyQuarter(c echo.Context) (domain.Quarter, []domain.Quarter, error) {
	quarters, err := a.store.ReportQuarters(c.Request().Context())
	if err != nil {
		return domain.Quarter{}, nil, err
	}
	s := strings.TrimSpace(c.QueryParam("q"))
	if s == "" {
		return quarters[0], quarters, nil
	}
	q, ok := domain.ParseQuarter(s)
	if !ok || !slices.Contains(quarters, q) {
		return q, quarters, domain.ErrNotFound
	}
	return q, quarters, nil
}

func (a *App) transparencyReport(c echo.Context) error {
	q, quarters, err := a.transparencyQuarter(c)
	if err != nil {
		return err
	}
	r, err := a.store.QuarterReport(c.Request().Context(), q)
	if err != nil {
		return err
	}
	care, err := a.quarterCare(c.Request().Context(), q)
	if err != nil {
		return err
	}
	p := a.newPage(c, "transparency.report.title")
	v := transparencyReportView{Report: r, Name: transparencyQuarterName(p, q), Code: q.String(), From: p.Date(q.Start()),
		To: p.Date(q.Last()), Current: q == quarters[0], Care: newCareView(p, care, false)}
	if v.Current {
		v.To = p.Date(a.now())
	}
	for _, o := range quarters {
		v.Quarters = append(v.Quarters, transparencyQuarterLink{Code: o.String(), Label: transparencyQuarterName(p, o), Current: o == q})
	}
	p.Data = v
	transparencyCache(c, p)
	return a.views.render(c, http.StatusOK, "transparency_report", p)
}

// transparencyReportCSV is the report as a spreadsheet: UTF-8 with a byte order mark, so that Excel in China opens
// the Chinese correctly, one table of five columns (quarter, section, item, count, amount in yuan) with Chinese
// headers whatever the page's language, as the report is filed.
func (a *App) transparencyReportCSV(c echo.Context) error {
	q, _, err := a.transparencyQuarter(c)
	if err != nil {
		return err
	}
	r, err := a.store.QuarterReport(c.Request().Context(), q)
	if err != nil {
		return err
	}
	care, err := a.quarterCare(c.Request().Context(), q)
	if err != nil {
		return err
	}
	zh := a.tr.localizer(langZh)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true // what Excel writes and expects
	code := q.String()
	row := func(section, item string, count int64, amount domain.Money, counted bool) {
		n := ""
		if counted {
			n = strconv.FormatInt(count, 10)
		}
		_ = w.Write([]string{code, zh.T(section), transparencyCSVCell(item), n, amount.Plain()})
	}
	_ = w.Write([]string{zh.T("transparency.csv.quarter"), zh.T("transparency.csv.section"), zh.T("transparency.csv.item"),
		zh.T("transparency.csv.count"), zh.T("transparency.csv.amount")})
	_ = w.Write([]string{code, zh.T("transparency.csv.period"),
		q.Start().Format("2006-01-02") + " — " + q.Last().Format("2006-01-02"), "", ""})
	row("transparency.csv.opening", "", 0, r.Opening, false)
	for _, l := range r.IncomeByChannel {
		row("transparency.csv.income_channel", zh.T("transparency.channel."+l.Code), l.Count, l.Amount, true)
	}
	for _, l := range r.IncomeByProgram {
		row("transparency.csv.income_program", transparencyLineName(zh, l), l.Count, l.Amount, true)
	}
	if r.Corrections.Count > 0 {
		row("transparency.csv.corrections", "", r.Corrections.Count, -r.Corrections.Amount, true)
	}
	row("transparency.csv.income_total", "", r.Donations, r.Income, true)
	for _, l := range r.ExpenditureByProgram {
		row("transparency.csv.expenditure_program", transparencyLineName(zh, l), l.Count, l.Amount, true)
	}
	row("transparency.csv.expenditure_total", "", r.Disbursements, r.Expenditure, true)
	row("transparency.csv.closing", "", 0, r.Closing, false)
	careCSV(w, zh, code, care)
	status := "transparency.csv.not_closed"
	if r.Closed {
		status = "transparency.csv.closed"
	}
	_ = w.Write([]string{code, zh.T("transparency.csv.status"), zh.T(status), "", ""})
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="guanai-report-`+code+`.csv"`)
	transparencyCache(c, nil) // the file is the same for everyone
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// transparencyLineName names a program line of the report in the localizer's language.
func transparencyLineName(l *localizer, line repository.ReportLine) string {
	if line.Code == "" {
		return l.T("transparency.unrestricted")
	}
	return line.Name(l.lang)
}

// transparencyCSVCell keeps a cell that a spreadsheet would take for a formula (=, +, -, @ first) as text. Program
// names are typed by administrators and could start with one.
func transparencyCSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// careCSV writes the quarter's care figures, by program and for all of them, in the report's five columns: the
// figure (with its unit) as the section, the program as the item, the value in the count column. A value withheld
// (too few requests or services) is left empty, and a last line says why.
func careCSV(w *csv.Writer, zh *localizer, code string, care repository.PublicCare) {
	cells := make([]repository.CareCell, 0, len(care.Programs)+1)
	for _, p := range care.Programs {
		cells = append(cells, p.CareCell)
	}
	cells = append(cells, care.Total)
	for _, c := range cells {
		name := zh.T("figures.care.all_programs")
		if c.ProgramCode != "" {
			name = transparencyCSVCell(c.ProgramName(langZh))
		}
		count := func(n int64, withheld bool) string {
			if withheld {
				return ""
			}
			return strconv.FormatInt(n, 10)
		}
		median, match := "", ""
		if c.AcceptMedian != nil {
			median = strconv.FormatFloat(*c.AcceptMedian/60, 'f', 1, 64)
		}
		if c.Decided > 0 {
			match = strconv.FormatFloat(float64(c.Matched)*100/float64(c.Decided), 'f', 1, 64)
		}
		hours := ""
		if !c.FewServices {
			hours = strconv.FormatFloat(float64(c.Minutes)/60, 'f', 1, 64)
		}
		for _, l := range []struct{ section, value string }{
			{"figures.csv.requests", count(c.Requests, c.FewRequests)},
			{"figures.csv.accept_median", median},
			{"figures.csv.match_rate", match},
			{"figures.csv.services", count(c.Services, c.FewServices)},
			{"figures.csv.hours", hours},
		} {
			_ = w.Write([]string{code, zh.T(l.section), name, l.value, ""})
		}
	}
	_ = w.Write([]string{code, zh.T("figures.csv.note"), zh.T("figures.care.withheld_note", "Min", domain.MinPublishedCount), "", ""})
}
