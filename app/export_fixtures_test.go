package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"guanai/domain"
	"guanai/repository"
)

// exportFixture is an app with a finance operator (who records and makes), an admin (who approves) and a donor.
type exportFixture struct {
	ta       *testApp
	finance  *client
	fin, adm repository.Actor
	donor    int64
	seq      int
}

func newExportFixture(t *testing.T) *exportFixture {
	t.Helper()
	ta := newTestApp(t)
	fc, fu := ta.account(domain.RoleFinance, "13700000001")
	_, au := ta.account(domain.RoleAdmin, "13700000002")
	f := &exportFixture{ta: ta, finance: fc, fin: repository.Actor{UserID: fu.ID, IP: "test"}, adm: repository.Actor{UserID: au.ID, IP: "test"}}
	id, err := ta.store.CreateDonor(context.Background(), f.fin, domain.Donor{Kind: domain.DonorIndividual, Name: "王爱心"})
	if err != nil {
		t.Fatal(err)
	}
	f.donor = id
	return f
}

// donate records a bank transfer received on a Shanghai date, yyyy-mm-dd.
func (f *exportFixture) donate(t *testing.T, day string, amount domain.Money, program, note string) int64 {
	t.Helper()
	f.seq++
	on, ok := domain.ParseDate(day)
	if !ok {
		t.Fatalf("bad date %s", day)
	}
	id, _, err := f.ta.store.RecordDonation(context.Background(), f.fin, repository.DonationRequest{
		Key: fmt.Sprintf("export-%d", f.seq), DonorID: f.donor, Input: domain.DonationInput{Amount: amount,
			Channel: "bank_transfer", ReceivedOn: on, Reference: fmt.Sprintf("REF-%d", f.seq), ProgramCode: program, Note: note}})
	if err != nil {
		t.Fatalf("donate %s on %s: %v", amount, day, err)
	}
	return id
}

func (f *exportFixture) pool(t *testing.T, code string) repository.Pool {
	t.Helper()
	pools, err := f.ta.store.Pools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		if p.Code == code {
			return p
		}
	}
	t.Fatalf("no pool %s", code)
	return repository.Pool{}
}

// disburse makes a disbursement, and approves and pays it when asked.
func (f *exportFixture) disburse(t *testing.T, pool int64, amount domain.Money, payee string, pay bool) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := f.ta.store.CreateDisbursement(ctx, f.fin, repository.DisbursementDraft{PoolID: pool, Amount: amount,
		Payee: payee, Purpose: "关爱金"})
	if err != nil {
		t.Fatal(err)
	}
	if pay {
		if err := f.ta.store.ApproveDisbursement(ctx, f.adm, id); err != nil {
			t.Fatal(err)
		}
		if err := f.ta.store.PayDisbursement(ctx, f.fin, id, fmt.Sprintf("BANK-%d", id)); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func exportURL(what, format, from, to, program string) string {
	return "/admin/exports/download?" + url.Values{"what": {what}, "format": {format}, "from": {from}, "to": {to},
		"program": {program}}.Encode()
}

// exportDownloadOK fetches an export and checks it is one: 200, an attachment with both names, never cached.
func exportDownloadOK(t *testing.T, c *client, path, asciiName, zhName string) response {
	t.Helper()
	r := c.get(path)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", path, r.Status, r.Body)
	}
	cd := r.Header.Get("Content-Disposition")
	want := fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''`, asciiName)
	encoded, ok := strings.CutPrefix(cd, want)
	if !ok {
		t.Errorf("Content-Disposition %q, want it to start %q", cd, want)
	} else if name, err := url.PathUnescape(encoded); err != nil || name != zhName {
		t.Errorf("filename* is %q (%v), want %q", name, err, zhName)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	return r
}

// exportCSVRows checks the BOM and reads the CSV.
func exportCSVRows(t *testing.T, r response) [][]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	body, ok := strings.CutPrefix(r.Body, "\ufeff")
	if !ok {
		t.Fatalf("no BOM: %q", r.Body[:min(len(r.Body), 20)])
	}
	if !strings.Contains(body, "\r\n") {
		t.Errorf("lines do not end in CRLF")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// exportXLSXRows opens the workbook, checks the sheet's name, its bold frozen header, and returns its rows as shown.
func exportXLSXRows(t *testing.T, r response, sheet string) (*excelize.File, [][]string) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	x, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if got := x.GetSheetList(); len(got) != 1 || got[0] != sheet {
		t.Fatalf("sheets %v, want [%s]", got, sheet)
	}
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	id, err := x.GetCellStyle(sheet, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := x.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header not bold: %+v %v", st, err)
	}
	for _, kind := range exportKinds {
		if kind.name != sheet {
			continue
		}
		for i, col := range kind.columns {
			name, _ := excelize.ColumnNumberToName(i + 1)
			if w, err := x.GetColWidth(sheet, name); err != nil || w != col.width {
				t.Errorf("column %s (%s) is %v wide (%v), want %v", name, col.title, w, err, col.width)
			}
		}
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return x, rows
}

// exportSignedFen reads an amount as the CSV writes it, -1234.56 included.
func exportSignedFen(t *testing.T, s string) domain.Money {
	t.Helper()
	abs, neg := strings.CutPrefix(s, "-")
	m, err := domain.ParseMoney(abs)
	if err != nil || !strings.Contains(abs, ".") || len(abs)-strings.Index(abs, ".") != 3 {
		t.Fatalf("amount %q: %v", s, err)
	}
	if neg {
		return -m
	}
	return m
}

func exportColumnOf(rows [][]string, i int) []string {
	var out []string
	for _, r := range rows {
		if i < len(r) {
			out = append(out, r[i])
		} else {
			out = append(out, "")
		}
	}
	return out
}

func exportToday() string { return exportDayFromToday(0) }

// exportSameDay stops a test whose data was made across midnight in Shanghai, where "today" is not one day and the
// expected rows cannot be known; it is called before any check. (The window is the fraction of a second the
// fixture takes, once a day: rerun.)
func exportSameDay(t *testing.T, day string) {
	t.Helper()
	if now := exportToday(); now != day {
		t.Fatalf("the fixture was made across midnight in Shanghai (%s, then %s): rerun the test", day, now)
	}
}

func exportDayFromToday(offset int) string {
	return time.Now().In(shanghai).AddDate(0, 0, offset).Format("2006-01-02")
}

func exportFloat(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}
