package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

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

// exportColumn is one column of an export: its header and its width in Excel character widths.
type exportColumn struct {
	title string
	width float64
}

// exportDate is a calendar date in a cell: 2026-03-01 in CSV, a real date in XLSX. t is midnight UTC of that
// date, which is what Excel's date numbers count from.
type exportDate struct{ t time.Time }

// exportShanghaiDate is the Asia/Shanghai date of a moment.
func exportShanghaiDate(t time.Time) exportDate {
	y, m, d := t.In(shanghai).Date()
	return exportDate{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// exportCalendarDate is the date of a DATE column as the database gives it (midnight UTC), taken as it is.
func exportCalendarDate(t time.Time) exportDate {
	y, m, d := t.Date()
	return exportDate{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (d exportDate) String() string { return d.t.Format("2006-01-02") }

// exportSubtotal is the second totals line of a sheet: the amounts of the rows whose column col says value
// (the donations still valid, the disbursements paid).
type exportSubtotal struct {
	col          int
	value, label string
}

// exportKind is one of the things that can be exported. Cells of a row are string, int64, domain.Money,
// exportDate or nil (empty).
type exportKind struct {
	name     string // the sheet's name and the start of the Chinese file name
	columns  []exportColumn
	money    int // the amount column, which the totals sum
	subtotal *exportSubtotal
	rows     func(ctx context.Context, s *repository.Store, f repository.ExportFilter, emit func([]any) error) error
}

var exportKinds = map[string]exportKind{
	"donations": {
		name: "捐赠明细",
		columns: []exportColumn{{"收据编号", 14}, {"收到日期", 12}, {"捐赠人", 24}, {"捐赠人类型", 10}, {"金额", 16},
			{"渠道", 10}, {"交易参考号", 24}, {"定向项目", 20}, {"经办人", 10}, {"状态", 8}, {"备注", 40}},
		money:    4,
		subtotal: &exportSubtotal{col: 9, value: exportDonationValid, label: "其中有效"},
		rows: func(ctx context.Context, s *repository.Store, f repository.ExportFilter, emit func([]any) error) error {
			return s.ExportDonations(ctx, f, func(d repository.Donation) error { return emit(exportDonationCells(d)) })
		},
	},
	"disbursements": {
		name: "支出明细",
		columns: []exportColumn{{"编号", 8}, {"创建日期", 12}, {"资金池", 22}, {"金额", 16}, {"收款方", 28}, {"用途", 36},
			{"状态", 8}, {"经办人(制单)", 12}, {"审批人", 10}, {"银行流水号", 24}, {"支付日期", 12}},
		money:    3,
		subtotal: &exportSubtotal{col: 6, value: exportDisbursementStates[domain.DisbursementPaid], label: "其中已支付"},
		rows: func(ctx context.Context, s *repository.Store, f repository.ExportFilter, emit func([]any) error) error {
			return s.ExportDisbursements(ctx, f, func(d repository.Disbursement) error { return emit(exportDisbursementCells(d)) })
		},
	},
	"ledger": {
		name:    "账本分录",
		columns: []exportColumn{{"交易编号", 10}, {"日期", 12}, {"类型", 8}, {"账户", 22}, {"借贷金额", 16}, {"摘要", 60}},
		money:   4,
		rows: func(ctx context.Context, s *repository.Store, f repository.ExportFilter, emit func([]any) error) error {
			return s.ExportLedger(ctx, f, func(l repository.LedgerExportLine) error { return emit(exportLedgerCells(l)) })
		},
	},
}

// exportKindOrder is the order of the choices on the page.
var exportKindOrder = []string{"donations", "disbursements", "ledger"}

const (
	exportDonationValid    = "有效"
	exportDonationReversed = "已冲销"
)

var (
	exportDonorKinds = map[string]string{domain.DonorIndividual: "个人", domain.DonorOrganization: "单位"}
	exportChannels   = map[string]string{"bank_transfer": "银行转账", "wechat_pay": "微信支付", "alipay": "支付宝", "cash": "现金",
		"other": "其他"}
	exportDisbursementStates = map[string]string{domain.DisbursementDraft: "草稿", domain.DisbursementApproved: "已审批",
		domain.DisbursementPaid: "已支付", domain.DisbursementRejected: "已驳回", domain.DisbursementCancelled: "已取消"}
	exportLedgerKinds = map[string]string{"donation": "捐赠", "allocation": "调拨", "disbursement": "支出", "reversal": "冲销"}
)

// exportZh is a code's Chinese name, or the code itself should a new one appear before this file knows it.
func exportZh(names map[string]string, code string) string {
	if s, ok := names[code]; ok {
		return s
	}
	return code
}

func exportDonationCells(d repository.Donation) []any {
	program := "非定向"
	if d.ProgramCode != "" {
		program = d.ProgramNameZh
	}
	status := exportDonationValid
	if d.ReversedAt != nil {
		status = exportDonationReversed
	}
	return []any{d.ReceiptNumber, exportCalendarDate(d.ReceivedOn), d.DonorName, exportZh(exportDonorKinds, d.DonorKind), d.Amount,
		exportZh(exportChannels, d.Channel), d.Reference, program, d.RecorderName, status, d.Note}
}

func exportDisbursementCells(d repository.Disbursement) []any {
	var paid any
	if d.PaidAt != nil {
		paid = exportShanghaiDate(*d.PaidAt)
	}
	return []any{d.ID, exportShanghaiDate(d.CreatedAt), d.PoolNameZh, d.Amount, d.Payee, d.Purpose,
		exportZh(exportDisbursementStates, d.Status), d.MakerName, d.CheckerName, d.BankReference, paid}
}

func exportLedgerCells(l repository.LedgerExportLine) []any {
	return []any{l.TransactionID, exportShanghaiDate(l.CreatedAt), exportZh(exportLedgerKinds, l.Kind), l.AccountNameZh, l.Amount,
		exportLedgerSummary(l)}
}

// exportLedgerSummary (摘要) says what a transaction was for: the receipt and donor of a donation, the disbursement and
// payee of a payment, the transaction a reversal undoes and why, the reason of an allocation.
func exportLedgerSummary(l repository.LedgerExportLine) string {
	var parts []string
	if l.ReversesID != nil {
		parts = append(parts, fmt.Sprintf("冲销交易 %d", *l.ReversesID))
	}
	if l.ReceiptNumber != "" {
		parts = append(parts, "收据 "+l.ReceiptNumber, l.DonorName)
	}
	if l.DisbursementID != nil {
		parts = append(parts, fmt.Sprintf("支出单 %d", *l.DisbursementID), l.Payee)
	}
	// A donation's own memo is only the word "donation"; everything else's memo is what a person wrote.
	if l.Memo != "" && !(l.Kind == "donation" && l.ReceiptNumber != "") {
		parts = append(parts, l.Memo)
	}
	return strings.Join(parts, "；")
}

// exportsView is the page's view model.
type exportsView struct {
	Kinds        []string
	Formats      []string
	Unrestricted string
	Programs     []repository.Pool // the programs' restricted pools
}

func (a *App) exportsPage(c echo.Context) error {
	p := a.newPage(c, "exports.title")
	today := time.Now().In(shanghai)
	p.Form.Set("what", "donations")
	p.Form.Set("format", exportXLSX)
	p.Form.Set("from", time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, shanghai).Format("2006-01-02"))
	p.Form.Set("to", today.Format("2006-01-02"))
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

func (a *App) renderExports(c echo.Context, status int, p *Page, pools []repository.Pool) error {
	v := exportsView{Kinds: exportKindOrder, Formats: []string{exportXLSX, exportCSV}, Unrestricted: exportUnrestricted}
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
	var table exportTable
	if job.format == exportCSV {
		table, err = newExportCSV(job.kind)
	} else {
		table, err = newExportXLSX(job.kind)
	}
	if err != nil {
		return err
	}
	defer table.close()
	// A big export takes longer than the server's write timeout gives an ordinary page; the error is only "not
	// supported", and then the usual timeout stands.
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(exportWriteTimeout))
	// The whole file is made before anything is sent: a failure halfway is an error page, never a download that
	// looks complete, and a slow client does not hold a database transaction open.
	if err := job.kind.rows(ctx, a.store, job.filter, table.row); err != nil {
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

// exportTable is a file being made, row by row.
type exportTable interface {
	row(cells []any) error
	send(c echo.Context) error // finishes the file and writes it as the response
	close()                    // frees what the file used; after send or instead of it
}

// exportCSVTable writes UTF-8 with a BOM (so Excel in China reads it as UTF-8, not GBK), CRLF line ends, the headers,
// and the rows, into a temporary file: memory stays small however many rows there are. It has no totals line:
// the CSV is the exact record, to be summed and imported by other programs.
type exportCSVTable struct {
	f   *os.File
	buf *bufio.Writer
	w   *csv.Writer
}

func newExportCSV(kind exportKind) (*exportCSVTable, error) {
	f, err := os.CreateTemp("", "guanai-export-*.csv")
	if err != nil {
		return nil, err
	}
	t := &exportCSVTable{f: f, buf: bufio.NewWriterSize(f, 64<<10)}
	t.w = csv.NewWriter(t.buf)
	t.w.UseCRLF = true
	_, _ = t.buf.WriteString("\ufeff") // a bufio error comes back at Flush
	titles := make([]any, len(kind.columns))
	for i, col := range kind.columns {
		titles[i] = col.title
	}
	if err := t.row(titles); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *exportCSVTable) row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil:
		case string:
			rec[i] = exportCSVText(v)
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case domain.Money:
			rec[i] = v.Plain()
		case exportDate:
			rec[i] = v.String()
		default:
			return fmt.Errorf("csv export: a cell of type %T", v)
		}
	}
	return t.w.Write(rec)
}

// exportCSVText defuses text a spreadsheet would run as a formula (=, +, -, @ first, OWASP's "CSV injection"): a donor's
// name or a note is typed by people outside the fund, and the file is opened by finance in Excel.
func exportCSVText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func (t *exportCSVTable) send(c echo.Context) error {
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return err
	}
	if err := t.buf.Flush(); err != nil {
		return err
	}
	size, err := t.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	return c.Stream(http.StatusOK, "text/csv; charset=utf-8", t.f)
}

func (t *exportCSVTable) close() {
	_ = t.f.Close()
	_ = os.Remove(t.f.Name())
}

// exportXLSXTable writes one sheet through excelize's stream writer, which keeps at most 16 MB of rows in memory and
// the rest in a temporary file: a bold frozen header row, widths per column, amounts as numbers formatted
// #,##0.00, dates as dates, and totals lines under the rows as formulas with their values already worked out
// (exactly, in fen), so the file shows them before Excel recalculates and other readers see them too.
type exportXLSXTable struct {
	f                        *excelize.File
	sw                       *excelize.StreamWriter
	kind                     exportKind
	moneyStyle, dateStyle    int
	totalStyle, totalMoney   int
	rows                     int
	sum, subtotal            domain.Money
	subtotalRows             int
	moneyColumn, subtotalCol string
}

func newExportXLSX(kind exportKind) (_ *exportXLSXTable, err error) {
	f := excelize.NewFile()
	defer func() {
		if err != nil {
			_ = f.Close()
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), kind.name); err != nil {
		return nil, err
	}
	_ = f.SetDocProps(&excelize.DocProperties{Title: kind.name, Creator: "Guanai"})
	t := &exportXLSXTable{f: f, kind: kind}
	bold := &excelize.Font{Bold: true}
	moneyFormat := "#,##0.00"
	dateFormat := "yyyy-mm-dd"
	var headerStyle int
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&headerStyle, &excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E5E7EB"}},
			Border: []excelize.Border{{Type: "bottom", Color: "9CA3AF", Style: 1}}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&t.moneyStyle, &excelize.Style{CustomNumFmt: &moneyFormat}},
		{&t.dateStyle, &excelize.Style{CustomNumFmt: &dateFormat}},
		{&t.totalStyle, &excelize.Style{Font: bold, Border: []excelize.Border{{Type: "top", Color: "9CA3AF", Style: 1}}}},
		{&t.totalMoney, &excelize.Style{Font: bold, CustomNumFmt: &moneyFormat, Border: []excelize.Border{{Type: "top", Color: "9CA3AF", Style: 1}}}},
	} {
		if *s.id, err = f.NewStyle(s.style); err != nil {
			return nil, err
		}
	}
	if t.sw, err = f.NewStreamWriter(kind.name); err != nil {
		return nil, err
	}
	// Right to left: excelize puts each new width in front of the others, and Excel wants them in column order.
	for i := len(kind.columns) - 1; i >= 0; i-- {
		if err := t.sw.SetColWidth(i+1, i+1, kind.columns[i].width); err != nil {
			return nil, err
		}
	}
	if err := t.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}
	header := make([]any, len(kind.columns))
	for i, col := range kind.columns {
		header[i] = excelize.Cell{StyleID: headerStyle, Value: col.title}
	}
	if err := t.sw.SetRow("A1", header, excelize.RowOpts{Height: 20}); err != nil {
		return nil, err
	}
	if t.moneyColumn, err = excelize.ColumnNumberToName(kind.money + 1); err != nil {
		return nil, err
	}
	if kind.subtotal != nil {
		if t.subtotalCol, err = excelize.ColumnNumberToName(kind.subtotal.col + 1); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// exportYuan is an amount as the number Excel stores. float64(fen)/100 is the double nearest the exact decimal (both
// operands are exact and division rounds correctly), and Excel shows it back to the fen up to ¥90 trillion; the
// totals are summed in fen, never in floats.
func exportYuan(m domain.Money) float64 { return float64(m) / 100 }

func (t *exportXLSXTable) row(cells []any) error {
	out := make([]any, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil, int64:
			out[i] = v
		case string:
			if v != "" {
				out[i] = v
			}
		case domain.Money:
			out[i] = excelize.Cell{StyleID: t.moneyStyle, Value: exportYuan(v)}
		case exportDate:
			out[i] = excelize.Cell{StyleID: t.dateStyle, Value: v.t}
		default:
			return fmt.Errorf("xlsx export: a cell of type %T", v)
		}
	}
	amount, _ := cells[t.kind.money].(domain.Money)
	t.sum += amount
	if st := t.kind.subtotal; st != nil && cells[st.col] == st.value {
		t.subtotal += amount
		t.subtotalRows++
	}
	t.rows++
	cell, err := excelize.CoordinatesToCellName(1, t.rows+1)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, out)
}

// totals writes the totals lines right under the rows: 合计 (every row) and, for donations and disbursements,
// the subtotal of the rows that count (其中有效, 其中已支付).
func (t *exportXLSXTable) totals() error {
	last := t.rows + 1
	amounts := fmt.Sprintf("%s2:%s%d", t.moneyColumn, t.moneyColumn, last)
	line := func(row int, label string, amount domain.Money, formula string) error {
		cells := make([]any, len(t.kind.columns))
		for i := range cells {
			cells[i] = excelize.Cell{StyleID: t.totalStyle}
		}
		cells[0] = excelize.Cell{StyleID: t.totalStyle, Value: label}
		total := excelize.Cell{StyleID: t.totalMoney, Value: exportYuan(amount)}
		if t.rows > 0 {
			total.Formula = formula
		}
		cells[t.kind.money] = total
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return t.sw.SetRow(cell, cells)
	}
	if err := line(last+1, fmt.Sprintf("合计（%d 行）", t.rows), t.sum, "SUM("+amounts+")"); err != nil {
		return err
	}
	if st := t.kind.subtotal; st != nil {
		formula := fmt.Sprintf(`SUMIF(%s2:%s%d,"%s",%s)`, t.subtotalCol, t.subtotalCol, last, st.value, amounts)
		return line(last+2, fmt.Sprintf("%s（%d 行）", st.label, t.subtotalRows), t.subtotal, formula)
	}
	return nil
}

func (t *exportXLSXTable) send(c echo.Context) error {
	if err := t.totals(); err != nil {
		return err
	}
	if err := t.sw.Flush(); err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	res.WriteHeader(http.StatusOK)
	// Once the first byte is out a failure can only cut the download short, which the browser reports.
	return t.f.Write(res)
}

func (t *exportXLSXTable) close() { _ = t.f.Close() }
