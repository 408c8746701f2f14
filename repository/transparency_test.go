package repository_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// giveOn records a donation from a donor, received on a given day, through a channel.
func giveOn(t *testing.T, f fund, donor int64, amount domain.Money, program, channel string, day time.Time) int64 {
	t.Helper()
	n := keySeq.Add(1)
	id, _, err := f.s.RecordDonation(ctx, f.finance, repository.DonationRequest{Key: fmt.Sprintf("tp-%d", n), DonorID: donor,
		Input: domain.DonationInput{Amount: amount, Channel: channel, ReceivedOn: day, Reference: fmt.Sprintf("TP-%d", n),
			ProgramCode: program}})
	if err != nil {
		t.Fatalf("donate %s on %s: %v", amount, day.Format(time.DateOnly), err)
	}
	return id
}

// payOut makes, approves and pays a disbursement from a pool; paidAt, if not zero, backdates the payment.
func payOut(t *testing.T, f fund, pool int64, amount domain.Money, paidAt time.Time) int64 {
	t.Helper()
	id := f.draft(t, pool, amount)
	if err := f.s.ApproveDisbursement(ctx, f.approver, id); err != nil {
		t.Fatal(err)
	}
	if err := f.s.PayDisbursement(ctx, f.finance, id, fmt.Sprintf("BANK-%d", id)); err != nil {
		t.Fatal(err)
	}
	if !paidAt.IsZero() {
		if _, err := f.s.SQL().Exec(`UPDATE disbursements SET paid_at = $1 WHERE id = $2`, paidAt, id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func day(t time.Time) time.Time {
	t = t.In(domain.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.Shanghai)
}

// ledgerFigures are the public totals as the ledger itself says them.
func ledgerFigures(t *testing.T, s *repository.Store) (raised, disbursed, balance domain.Money) {
	t.Helper()
	err := s.SQL().QueryRow(`SELECT (SELECT -balance FROM accounts WHERE code = 'external:donors'),
		(SELECT balance FROM accounts WHERE code = 'external:payees'),
		(SELECT sum(balance) FROM accounts WHERE kind = 'pool')`).Scan(&raised, &disbursed, &balance)
	if err != nil {
		t.Fatal(err)
	}
	return raised, disbursed, balance
}

func TestTransparencyFiguresEqualTheLedger(t *testing.T) {
	f := newFund(t)
	now := time.Now()
	today := day(now)
	giveOn(t, f, f.donor, 1000_00, "", "bank_transfer", today)
	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, domain.Shanghai)
	giveOn(t, f, f.donor, 2500_50, "care_fund", "wechat_pay", thisMonth.AddDate(0, -2, 0))
	giveOn(t, f, f.donor, 300_00, "counselling", "alipay", thisMonth.AddDate(0, -1, 0).AddDate(0, 0, 27))
	reversed := giveOn(t, f, f.donor, 777_00, "care_fund", "cash", today)
	if err := f.s.ReverseDonation(ctx, f.finance, reversed, "recorded twice"); err != nil {
		t.Fatal(err)
	}
	unrestricted, care := f.pool(t, "pool:unrestricted"), f.pool(t, "pool:care_fund")
	if _, err := f.s.Allocate(ctx, f.finance, unrestricted.ID, care.ID, 200_00, "top up"); err != nil {
		t.Fatal(err)
	}
	payOut(t, f, care.ID, 1200_00, time.Time{})
	f.draft(t, care.ID, 50_00) // a draft is not money out
	ledgerOK(t, f.s)

	ov, err := f.s.TransparencyOverview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raised, disbursed, balance := ledgerFigures(t, f.s)
	want := repository.FundTotals{Raised: raised, Disbursed: disbursed, Balance: balance, Donations: 3, Disbursements: 1}
	if ov.Totals != want || raised != 3800_50 || disbursed != 1200_00 || balance != raised-disbursed {
		t.Fatalf("totals %+v, ledger %+v", ov.Totals, want)
	}

	var received, paid, held, transfers domain.Money
	lines := map[string]repository.ProgramFigures{}
	for _, p := range ov.Programs {
		received, paid, held, transfers = received+p.Received, paid+p.Paid, held+p.Balance, transfers+p.Transfers()
		lines[p.ProgramCode] = p
		if p.Received-p.Paid+p.Transfers() != p.Balance {
			t.Errorf("%s does not add up: %+v", p.ProgramCode, p)
		}
	}
	if received != raised || paid != disbursed || held != balance || transfers != 0 {
		t.Errorf("programs sum to received %s, paid %s, balance %s, transfers %s", received, paid, held, transfers)
	}
	if ov.Programs[0].ProgramCode != "" || len(ov.Programs) != 7 {
		t.Errorf("want the unrestricted fund first and six programs: %+v", ov.Programs)
	}
	if l := lines["care_fund"]; l.Received != 2500_50 || l.Paid != 1200_00 || l.Transfers() != 200_00 || l.Balance != 1500_50 || l.NameZh != "关爱基金" {
		t.Errorf("care fund %+v", l)
	}
	if l := lines[""]; l.Received != 1000_00 || l.Transfers() != -200_00 || l.Balance != 800_00 {
		t.Errorf("unrestricted %+v", l)
	}

	if len(ov.Months) != 12 {
		t.Fatalf("%d months", len(ov.Months))
	}
	var mIn, mOut domain.Money
	for i, m := range ov.Months {
		mIn, mOut = mIn+m.Raised, mOut+m.Disbursed
		if m.Month.Day() != 1 || m.Month.Location() != domain.Shanghai || i > 0 && !m.Month.Equal(ov.Months[i-1].Month.AddDate(0, 1, 0)) {
			t.Errorf("month %d is %s", i, m.Month)
		}
	}
	if mIn != raised || mOut != disbursed {
		t.Errorf("months sum to %s in, %s out", mIn, mOut)
	}
	last := ov.Months[11]
	if last.Month.Month() != today.Month() || last.Raised != 1000_00 || last.Disbursed != 1200_00 {
		t.Errorf("this month %+v", last)
	}
	if two := ov.Months[9]; two.Raised != 2500_50 {
		t.Errorf("two months ago %+v", two)
	}

	// A closed program stays on the page while it has money to account for; an empty one goes.
	if _, err := f.s.SQL().Exec(`UPDATE programs SET active = false WHERE code IN ('counselling', 'interest_classes')`); err != nil {
		t.Fatal(err)
	}
	again, err := f.s.TransparencyOverview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range again.Programs {
		codes = append(codes, p.ProgramCode)
	}
	if got := strings.Join(codes, ","); got != ",one_to_one,counselling,tutoring,venue_vouchers,care_fund" {
		t.Errorf("programs after closing two: %s", got)
	}
}

func TestPublicDonationsHideWhoDidNotConsent(t *testing.T) {
	f := newFund(t) // its donor agreed to be named
	quiet, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "钱默默",
		Phone: "13912345678", Address: "西湖区保密路8号"})
	if err != nil {
		t.Fatal(err)
	}
	today := day(time.Now())
	for i := range 23 {
		donor := f.donor
		if i%2 == 1 {
			donor = quiet
		}
		giveOn(t, f, donor, domain.Money(100_00+i), "", "alipay", today.AddDate(0, 0, -i))
	}
	gone := giveOn(t, f, quiet, 5_00, "tutoring", "cash", today)
	if err := f.s.ReverseDonation(ctx, f.finance, gone, "refunded"); err != nil {
		t.Fatal(err)
	}

	first, err := f.s.PublicDonations(ctx, domain.Cursor{})
	if err != nil || first.Older == nil {
		t.Fatalf("first page %+v (%v)", first, err)
	}
	second, err := f.s.PublicDonations(ctx, *first.Older)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := f.s.TransparencyOverview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if total := ov.Totals.Donations; total != 23 || len(first.Rows) != repository.PublicPageSize || len(second.Rows) != 3 || second.Older != nil {
		t.Fatalf("total %d, pages of %d and %d", ov.Totals.Donations, len(first.Rows), len(second.Rows))
	}
	all := append(first.Rows, second.Rows...)
	for i, d := range all {
		named := i%2 == 0 // newest first: day i
		switch {
		case d.ID == gone:
			t.Errorf("a reversed donation is listed")
		case named && d.PublicName != "王爱心", !named && d.PublicName != "":
			t.Errorf("donation %d from day -%d shows %q", d.ID, i, d.PublicName)
		case d.Amount != domain.Money(100_00+i) || !d.ReceivedOn.Equal(today.AddDate(0, 0, -i)):
			t.Errorf("donation %d: %s on %s", i, d.Amount, d.ReceivedOn)
		}
	}
}

func TestQuarterReportAddsUp(t *testing.T) {
	f := newFund(t)
	now := time.Now()
	this := domain.QuarterOf(now)
	prev := domain.QuarterOf(this.Start().AddDate(0, -1, 0))
	older := domain.QuarterOf(prev.Start().AddDate(0, -1, 0))
	giveOn(t, f, f.donor, 5000_00, "", "bank_transfer", older.Start().AddDate(0, 0, 3))
	giveOn(t, f, f.donor, 1000_00, "", "wechat_pay", prev.Start())
	giveOn(t, f, f.donor, 2000_00, "care_fund", "bank_transfer", prev.Last())
	giveOn(t, f, f.donor, 300_00, "care_fund", "alipay", prev.Last())
	gone := giveOn(t, f, f.donor, 999_00, "", "cash", prev.Start().AddDate(0, 1, 0))
	if err := f.s.ReverseDonation(ctx, f.finance, gone, "mistake"); err != nil {
		t.Fatal(err)
	}
	care := f.pool(t, "pool:care_fund")
	unrestricted := f.pool(t, "pool:unrestricted")
	payOut(t, f, unrestricted.ID, 700_00, older.End().Add(-time.Second)) // the last second of the older quarter
	payOut(t, f, care.ID, 800_00, prev.End())                            // the first moment of this quarter
	giveOn(t, f, f.donor, 50_00, "", "cash", day(now))

	quarters, err := f.s.ReportQuarters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(quarters) != 3 || quarters[0] != this || quarters[2] != older {
		t.Fatalf("quarters %v", quarters)
	}

	o, err := f.s.QuarterReport(ctx, older)
	if err != nil {
		t.Fatal(err)
	}
	if o.Opening != 0 || o.Income != 5000_00 || o.Expenditure != 700_00 || o.Closing != 4300_00 || o.Donations != 1 || o.Disbursements != 1 {
		t.Errorf("older quarter %+v", o)
	}

	p, err := f.s.QuarterReport(ctx, prev)
	if err != nil {
		t.Fatal(err)
	}
	if p.Opening != o.Closing || p.Income != 3300_00 || p.Expenditure != 0 || p.Closing != 7600_00 || p.Donations != 3 ||
		p.Disbursements != 0 || len(p.ExpenditureByProgram) != 0 {
		t.Errorf("previous quarter %+v", p)
	}
	channels := map[string]repository.ReportLine{}
	for _, l := range p.IncomeByChannel {
		channels[l.Code] = l
	}
	if len(p.IncomeByChannel) != len(domain.DonationChannels) || channels["bank_transfer"].Amount != 2000_00 ||
		channels["wechat_pay"].Count != 1 || channels["alipay"].Amount != 300_00 || channels["cash"].Count != 0 {
		t.Errorf("by channel %+v", p.IncomeByChannel)
	}
	if len(p.IncomeByProgram) != 2 || p.IncomeByProgram[0].Code != "" || p.IncomeByProgram[0].Amount != 1000_00 ||
		p.IncomeByProgram[1].Code != "care_fund" || p.IncomeByProgram[1].Count != 2 || p.IncomeByProgram[1].Amount != 2300_00 {
		t.Errorf("by program %+v", p.IncomeByProgram)
	}

	c, err := f.s.QuarterReport(ctx, this)
	if err != nil {
		t.Fatal(err)
	}
	_, _, balance := ledgerFigures(t, f.s)
	if c.Opening != p.Closing || c.Expenditure != 800_00 || c.Closing != balance || c.Income != 50_00 ||
		len(c.ExpenditureByProgram) != 1 || c.ExpenditureByProgram[0].NameZh != "关爱基金" {
		t.Errorf("this quarter %+v, ledger balance %s", c, balance)
	}
}

func TestParseQuarter(t *testing.T) {
	for in, want := range map[string]string{"2026Q3": "2026Q3", "2020q1": "2020Q1", "2026Q5": "", "26Q1": "", "1999Q4": "",
		"2026Q3 ": "", "2026-Q3": "", "": ""} {
		q, ok := domain.ParseQuarter(in)
		if got := map[bool]string{true: q.String(), false: ""}[ok]; got != want {
			t.Errorf("ParseQuarter(%q) = %q, want %q", in, got, want)
		}
	}
	q := domain.Quarter{Year: 2026, Q: 4}
	if q.Start().Format(time.DateOnly) != "2026-10-01" || q.Last().Format(time.DateOnly) != "2026-12-31" ||
		q.Next() != (domain.Quarter{Year: 2027, Q: 1}) {
		t.Errorf("%s runs %s to %s, then %s", q, q.Start(), q.Last(), q.Next())
	}
	// 23:30 on 31 March in Shanghai (15:30 UTC) is still the first quarter; 00:30 on 1 April is the second.
	if got := domain.QuarterOf(time.Date(2026, 3, 31, 15, 30, 0, 0, time.UTC)); got != (domain.Quarter{Year: 2026, Q: 1}) {
		t.Errorf("QuarterOf = %s", got)
	}
	if got := domain.QuarterOf(time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC)); got != (domain.Quarter{Year: 2026, Q: 2}) {
		t.Errorf("QuarterOf just after midnight in Shanghai = %s", got)
	}
}
