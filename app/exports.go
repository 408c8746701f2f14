package app

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/domain"
	"guanai/repository"
)

// The exports are files in a fixed Chinese format — headers, state names, sheet and file names — for finance and
// the auditor, whatever language the page is shown in; only the page and its messages are translated.

const (
	exportCSV  = "csv"
	exportXLSX = "xlsx"
	// exportUnrestricted is the program choice "the unrestricted fund only". No program can have this code: its
	// pool's account would be pool:unrestricted, which the unrestricted fund's account already is (codes are unique).
	exportUnrestricted = "unrestricted"
	// exportWriteTimeout bounds one download, making the file included. Exports run at some 30,000 ledger lines a
	// second; the server's usual 60 s would cut off the largest.
	exportWriteTimeout = 10 * time.Minute
)

// exportsView is the page's view model.
type exportsView struct {
	Periods      []exportPeriod
	Kinds        []string
	Formats      []string
	Unrestricted string
	Programs     []repository.Pool // the programs' restricted pools
}

func (a *App) exportsPage(c echo.Context) error {
	p := a.newPage(c, "exports.title")
	// This quarter so far, the period finance reports on, unless a link says otherwise.
	this := exportPeriods(p, a.now())[0]
	p.Form.Set("what", "donations")
	p.Form.Set("format", exportXLSX)
	p.Form.Set("from", this.From)
	p.Form.Set("to", this.To)
	// A link may preset any of them (/admin/exports?what=ledger).
	for _, k := range []string{"what", "format", "from", "to", "program"} {
		if v := c.QueryParam(k); v != "" {
			p.Form.Set(k, v)
		}
	}
	pools, err := a.store.Pools(c.Request().Context())
	if err != nil {
		return err
	}
	return a.renderExports(c, http.StatusOK, p, pools)
}

// exportPeriod is a period the page offers with one tap.
type exportPeriod struct {
	Label, From, To string
}

// exportPeriods are this quarter so far, the last quarter, and this year so far.
func exportPeriods(p *Page, now time.Time) []exportPeriod {
	today := domain.Today(now)
	this := domain.QuarterOf(now)
	last := this.Prev()
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	return []exportPeriod{
		{Label: p.T("exports.this_quarter"), From: day(this.Start()), To: day(today)},
		{Label: p.T("exports.last_quarter"), From: day(last.Start()), To: day(last.Last())},
		{Label: p.T("exports.this_year"), From: day(time.Date(today.Year(), 1, 1, 0, 0, 0, 0, shanghai)), To: day(today)},
	}
}

func (a *App) renderExports(c echo.Context, status int, p *Page, pools []repository.Pool) error {
	v := exportsView{Kinds: exportKindOrder, Formats: []string{exportXLSX, exportCSV}, Unrestricted: exportUnrestricted,
		Periods: exportPeriods(p, a.now())}
	for _, pool := range pools {
		if pool.ProgramCode != "" {
			v.Programs = append(v.Programs, pool)
		}
	}
	p.Data = v
	return a.views.render(c, status, "exports", p)
}

// exportJob is a checked download request.
type exportJob struct {
	what, format string
	kind         exportKind
	filter       repository.ExportFilter
	pool         *repository.Pool // the pool chosen, if any
}

// checkExportQuery reads and checks the download's query: a kind, a format, two valid dates in order, and a program
// that exists (or all, or the unrestricted fund).
func checkExportQuery(q map[string][]string, pools []repository.Pool) (exportJob, domain.FieldErrors) {
	get := func(k string) string {
		if vs := q[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	fe := domain.FieldErrors{}
	job := exportJob{what: get("what"), format: get("format")}
	var ok bool
	if job.kind, ok = exportKinds[job.what]; !ok {
		fe.Add("what", "error.choose_one")
	}
	if job.format != exportCSV && job.format != exportXLSX {
		fe.Add("format", "error.choose_one")
	}
	for _, field := range []string{"from", "to"} {
		s := get(field)
		d, ok := domain.ParseDate(s)
		switch {
		case s == "":
			fe.Add(field, "error.required")
		case !ok:
			fe.Add(field, "exports.error_date")
		case field == "from":
			job.filter.From = d
		default:
			job.filter.To = d
		}
	}
	if fe["from"] == "" && fe["to"] == "" && job.filter.From.After(job.filter.To) {
		fe.Add("to", "exports.error_range")
	}
	switch program := get("program"); program {
	case "":
	case exportUnrestricted:
		job.filter.Unrestricted = true
		for i := range pools {
			if pools[i].ProgramCode == "" {
				job.pool = &pools[i]
			}
		}
	default:
		for i := range pools {
			if pools[i].ProgramCode == program {
				job.filter.ProgramCode, job.pool = program, &pools[i]
			}
		}
		if job.pool == nil {
			fe.Add("program", "error.choose_one")
		}
	}
	return job, fe
}

// fileNames are the download's names: an ASCII one for old clients, and the Chinese one, e.g.
// donations_care_fund_2026-01-01_2026-03-31.xlsx and 捐赠明细_关爱基金（定向）_2026-01-01_2026-03-31.xlsx.
func (j exportJob) fileNames() (ascii, zh string) {
	ascii, zh = j.what, j.kind.name
	if j.pool != nil {
		code := j.pool.ProgramCode
		if code == "" {
			code = exportUnrestricted
		}
		ascii, zh = ascii+"_"+exportASCIIName(code), zh+"_"+j.pool.NameZh
	}
	dates := "_" + j.filter.From.Format("2006-01-02") + "_" + j.filter.To.Format("2006-01-02") + "." + j.format
	return ascii + dates, zh + dates
}

// exportASCIIName keeps letters, digits, - and _ of a code, so it is safe inside a quoted header parameter.
func exportASCIIName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

// exportDisposition names the attachment both ways: filename for clients that know only ASCII, and filename*
// (RFC 6266 with RFC 5987 encoding) with the Chinese name, which browsers prefer.
func exportDisposition(ascii, name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		// RFC 5987's attr-char stays as it is; every other byte is percent-encoded.
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}

func (a *App) exportDownload(c echo.Context) error {
	ctx := c.Request().Context()
	pools, err := a.store.Pools(ctx)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	job, fe := checkExportQuery(q, pools)
	if len(fe) > 0 {
		p := a.newPage(c, "exports.title")
		p.Form, p.Errors = q, fe
		return a.renderExports(c, http.StatusUnprocessableEntity, p, pools)
	}
	loc := a.tr.localizer(langZh)
	label := func(key string) string { return loc.T(key) }
	table, err := newExportFile(job.format, job.kind.sheet(label))
	if err != nil {
		return err
	}
	defer table.close()
	// A big export takes longer than the server's write timeout gives an ordinary page; the error is only "not
	// supported", and then the usual timeout stands.
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(exportWriteTimeout))
	// The whole file is made before anything is sent: a failure halfway is an error page, never a download that
	// looks complete, and a slow client does not hold a database transaction open.
	if err := job.kind.rows(ctx, a.store, job.filter, label, table.Row); err != nil {
		return err
	}
	ascii, zh := job.fileNames()
	// A bulk export carries donors' names out of the system: who took which one is kept.
	if err := a.store.RecordExport(ctx, actor(c), zh); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, exportDisposition(ascii, zh))
	h.Set("Cache-Control", "no-store")
	return table.send(c)
}
