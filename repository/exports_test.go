package repository_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// exportDay is a Shanghai date, as the exports page sends it.
func exportDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, ok := domain.ParseDate(s)
	if !ok {
		t.Fatalf("bad date %s", s)
	}
	return d
}

// donateOn records a bank transfer received on a Shanghai date.
func (f fund) donateOn(t *testing.T, day string, amount domain.Money, program string) int64 {
	t.Helper()
	req := f.donationReq(amount, program)
	req.Input.ReceivedOn = exportDay(t, day)
	id, _, err := f.s.RecordDonation(ctx, f.finance, req)
	if err != nil {
		t.Fatalf("donate on %s: %v", day, err)
	}
	return id
}

func exportedDonations(t *testing.T, s *repository.Store, flt repository.ExportFilter) []repository.Donation {
	t.Helper()
	var out []repository.Donation
	if err := s.ExportDonations(ctx, flt, func(d repository.Donation) error { out = append(out, d); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func exportedLedger(t *testing.T, s *repository.Store, flt repository.ExportFilter) []repository.LedgerExportLine {
	t.Helper()
	var out []repository.LedgerExportLine
	if err := s.ExportLedger(ctx, flt, func(l repository.LedgerExportLine) error { out = append(out, l); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func exportedDisbursements(t *testing.T, s *repository.Store, flt repository.ExportFilter) []repository.Disbursement {
	t.Helper()
	var out []repository.Disbursement
	if err := s.ExportDisbursements(ctx, flt, func(d repository.Disbursement) error { out = append(out, d); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportDonationsByDateAndPool(t *testing.T) {
	f := newFund(t)
	f.donateOn(t, "2026-02-28", 1_00, "")
	first := f.donateOn(t, "2026-03-01", 100_00, "")
	f.donateOn(t, "2026-03-15", 200_00, "care_fund")
	last := f.donateOn(t, "2026-03-31", 300_00, "counselling")
	f.donateOn(t, "2026-04-01", 2_00, "")
	if err := f.s.ReverseDonation(ctx, f.finance, first, "录入错误"); err != nil {
		t.Fatal(err)
	}
	// 2026-02-28 16:00 UTC is already 1 March in Shanghai: only the Shanghai date counts.
	march := repository.ExportFilter{From: time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC), To: exportDay(t, "2026-03-31")}
	all := exportedDonations(t, f.s, march)
	if len(all) != 3 || all[0].ID != first || all[2].ID != last {
		t.Fatalf("March: %+v", all)
	}
	if all[0].ReversedAt == nil || all[1].ReversedAt != nil || all[0].ReceiptNumber != "2026-000002" ||
		all[1].ProgramNameZh != "关爱基金" || all[0].DonorName != "王爱心" || all[0].RecorderName == "" {
		t.Errorf("rows: %+v", all)
	}
	for _, c := range []struct {
		name string
		flt  repository.ExportFilter
		want []domain.Money
	}{
		{"unrestricted", repository.ExportFilter{Unrestricted: true}, []domain.Money{100_00}},
		{"care fund", repository.ExportFilter{ProgramCode: "care_fund"}, []domain.Money{200_00}},
		{"program wins", repository.ExportFilter{ProgramCode: "counselling", Unrestricted: true}, []domain.Money{300_00}},
		{"no such program", repository.ExportFilter{ProgramCode: "nope"}, nil},
	} {
		c.flt.From, c.flt.To = march.From, march.To
		var got []domain.Money
		for _, d := range exportedDonations(t, f.s, c.flt) {
			got = append(got, d.Amount)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	oneDay := exportedDonations(t, f.s, repository.ExportFilter{From: exportDay(t, "2026-03-31"), To: exportDay(t, "2026-03-31")})
	if len(oneDay) != 1 || oneDay[0].ID != last {
		t.Errorf("one day: %+v", oneDay)
	}
}

// insertLedgerAt writes a balanced donation-like transaction at a chosen moment, as the ledger's own clock cannot
// be set: ledger rows may be inserted, never changed.
func insertLedgerAt(t *testing.T, s *repository.Store, at string, amount int64) int64 {
	t.Helper()
	tx, err := s.SQL().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // committed below
	var id int64
	if err := tx.QueryRow(`INSERT INTO ledger_transactions (kind, memo, created_at) VALUES ('donation', '边界', $1) RETURNING id`, at).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO ledger_entries (transaction_id, account_id, amount)
		SELECT $1, id, CASE WHEN kind = 'pool' THEN $2::bigint ELSE -$2::bigint END FROM accounts
		WHERE code IN ('pool:unrestricted', 'external:donors')`, id, amount); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestExportLedgerDaysAreShanghaiDays(t *testing.T) {
	f := newFund(t)
	insertLedgerAt(t, f.s, "2026-02-28 23:59:59+08", 1_00)
	start := insertLedgerAt(t, f.s, "2026-03-01 00:00:00+08", 2_00) // 28 Feb in UTC
	end := insertLedgerAt(t, f.s, "2026-03-31 23:59:59+08", 3_00)
	insertLedgerAt(t, f.s, "2026-04-01 00:00:00+08", 4_00) // still 31 March in UTC
	lines := exportedLedger(t, f.s, repository.ExportFilter{From: exportDay(t, "2026-03-01"), To: exportDay(t, "2026-03-31")})
	if len(lines) != 4 || lines[0].TransactionID != start || lines[3].TransactionID != end {
		t.Fatalf("March: %+v", lines)
	}
	if d := lines[0].CreatedAt.In(domain.Shanghai).Format("2006-01-02"); d != "2026-03-01" {
		t.Errorf("first line on %s", d)
	}
	pool := exportedLedger(t, f.s, repository.ExportFilter{From: exportDay(t, "2026-03-01"), To: exportDay(t, "2026-03-31"), Unrestricted: true})
	if len(pool) != 2 || pool[0].Amount != 2_00 || pool[1].Amount != 3_00 || pool[0].AccountCode != "pool:unrestricted" {
		t.Errorf("unrestricted pool: %+v", pool)
	}
}

func TestExportLedgerBalancesAndSaysWhatEachTransactionWas(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1000_00, "")
	f.donate(t, 50_00, "care_fund")
	reversed := f.donate(t, 20_00, "")
	if err := f.s.ReverseDonation(ctx, f.finance, reversed, "重复入账"); err != nil {
		t.Fatal(err)
	}
	unres, care := f.pool(t, "pool:unrestricted"), f.pool(t, "pool:care_fund")
	if _, err := f.s.Allocate(ctx, f.finance, unres.ID, care.ID, 300_00, "季度调剂"); err != nil {
		t.Fatal(err)
	}
	d := f.draft(t, care.ID, 120_00)
	if err := f.s.ApproveDisbursement(ctx, f.approver, d); err != nil {
		t.Fatal(err)
	}
	if err := f.s.PayDisbursement(ctx, f.finance, d, "BANK-9"); err != nil {
		t.Fatal(err)
	}
	// From yesterday, should the test run across midnight in Shanghai.
	today := time.Now()
	lines := exportedLedger(t, f.s, repository.ExportFilter{From: today.AddDate(0, 0, -1), To: today})
	perTx := map[int64]domain.Money{}
	var total domain.Money
	kinds := map[string]int{}
	for _, l := range lines {
		perTx[l.TransactionID] += l.Amount
		total += l.Amount
		kinds[l.Kind]++
		switch l.Kind {
		case "donation":
			if l.ReceiptNumber == "" || l.DonorName != "王爱心" {
				t.Errorf("donation line without its receipt: %+v", l)
			}
		case "reversal":
			if l.ReversesID == nil || l.ReceiptNumber == "" || l.Memo != "重复入账" {
				t.Errorf("reversal line: %+v", l)
			}
		case "disbursement":
			if l.DisbursementID == nil || *l.DisbursementID != d || l.Payee == "" {
				t.Errorf("disbursement line: %+v", l)
			}
		case "allocation":
			if l.Memo != "季度调剂" {
				t.Errorf("allocation line: %+v", l)
			}
		}
	}
	for id, sum := range perTx {
		if sum != 0 {
			t.Errorf("transaction %d sums to %s", id, sum)
		}
	}
	if total != 0 || len(perTx) != 6 || kinds["donation"] != 6 || kinds["reversal"] != 2 || kinds["allocation"] != 2 || kinds["disbursement"] != 2 {
		t.Errorf("total %s over %d transactions, lines by kind %v", total, len(perTx), kinds)
	}
	var careSum domain.Money
	for _, l := range exportedLedger(t, f.s, repository.ExportFilter{From: today.AddDate(0, 0, -1), To: today, ProgramCode: "care_fund"}) {
		if l.AccountCode != "pool:care_fund" {
			t.Errorf("care fund export has a line on %s", l.AccountCode)
		}
		careSum += l.Amount
	}
	if careSum != f.pool(t, "pool:care_fund").Balance {
		t.Errorf("care fund lines sum to %s, balance %s", careSum, f.pool(t, "pool:care_fund").Balance)
	}
	if n := len(exportedLedger(t, f.s, repository.ExportFilter{From: exportDay(t, "2026-01-01"), To: exportDay(t, "2026-01-31")})); n != 0 {
		t.Errorf("January has %d lines", n)
	}
	ledgerOK(t, f.s)
}

func TestExportDisbursementsByDayCreatedAndPool(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1000_00, "")
	f.donate(t, 1000_00, "care_fund")
	unres, care := f.pool(t, "pool:unrestricted"), f.pool(t, "pool:care_fund")
	before := f.draft(t, unres.ID, 1_00)
	first := f.draft(t, unres.ID, 10_00)
	paid := f.draft(t, care.ID, 20_00)
	last := f.draft(t, care.ID, 30_00)
	after := f.draft(t, care.ID, 2_00)
	for id, at := range map[int64]string{before: "2026-02-28 23:59:59+08", first: "2026-03-01 00:00:00+08",
		paid: "2026-03-10 12:00:00+08", last: "2026-03-31 23:59:59+08", after: "2026-04-01 00:00:00+08"} {
		if _, err := f.s.SQL().Exec("UPDATE disbursements SET created_at = $1 WHERE id = $2", at, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.s.ApproveDisbursement(ctx, f.approver, paid); err != nil {
		t.Fatal(err)
	}
	if err := f.s.PayDisbursement(ctx, f.finance, paid, "BANK-1"); err != nil {
		t.Fatal(err)
	}
	march := repository.ExportFilter{From: exportDay(t, "2026-03-01"), To: exportDay(t, "2026-03-31")}
	all := exportedDisbursements(t, f.s, march)
	if len(all) != 3 || all[0].ID != first || all[1].ID != paid || all[2].ID != last {
		t.Fatalf("March: %+v", all)
	}
	if p := all[1]; p.Status != domain.DisbursementPaid || p.PaidAt == nil || p.CheckerName == "" || p.BankReference != "BANK-1" ||
		p.PoolNameZh != "关爱基金（定向）" || p.MakerName == "" {
		t.Errorf("paid: %+v", p)
	}
	march.Unrestricted = true
	if got := exportedDisbursements(t, f.s, march); len(got) != 1 || got[0].ID != first {
		t.Errorf("unrestricted: %+v", got)
	}
	march.Unrestricted, march.ProgramCode = false, "care_fund"
	if got := exportedDisbursements(t, f.s, march); len(got) != 2 || got[0].ID != paid {
		t.Errorf("care fund: %+v", got)
	}
}

func TestExportStopsAtTheFirstError(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1_00, "")
	f.donate(t, 2_00, "")
	stop := errors.New("stop")
	calls := 0
	today := time.Now()
	err := f.s.ExportDonations(ctx, repository.ExportFilter{From: today.AddDate(0, 0, -7), To: today}, func(repository.Donation) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("err %v after %d calls", err, calls)
	}
}
