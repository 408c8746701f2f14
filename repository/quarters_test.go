package repository_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// In these tests it is 20 November 2026 (2026Q4); the fund's first gifts came in 2026Q2.
var (
	closeNow = time.Date(2026, 11, 20, 10, 0, 0, 0, domain.Shanghai)
	q2, q3   = domain.Quarter{Year: 2026, Q: 2}, domain.Quarter{Year: 2026, Q: 3}
)

func mustReport(t *testing.T, f fund, q domain.Quarter) repository.QuarterReport {
	t.Helper()
	r, err := f.s.QuarterReport(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sameReport(t *testing.T, what string, before, after repository.QuarterReport) {
	t.Helper()
	before.Closed, after.Closed = false, false
	if fmt.Sprintf("%+v", before) != fmt.Sprintf("%+v", after) {
		t.Errorf("%s changed the published report:\nbefore %+v\nafter  %+v", what, before, after)
	}
}

func TestClosingQuarters(t *testing.T) {
	clock := testdb.NewClock(closeNow)
	f := newFundWithClock(t, clock)
	giveOn(t, f, f.donor, 100_00, "", "bank_transfer", day(time.Date(2026, 5, 10, 0, 0, 0, 0, domain.Shanghai)))

	for _, c := range []struct {
		q    domain.Quarter
		want error
	}{
		{q3, domain.ErrQuarterOutOfOrder},                         // Q2 first
		{domain.Quarter{Year: 2026, Q: 4}, domain.ErrQuarterOpen}, // under way
		{q2, nil},
		{q2, domain.ErrQuarterClosed},
		{q3, nil},
	} {
		if err := f.s.CloseQuarter(ctx, f.finance, c.q); !errors.Is(err, c.want) {
			t.Fatalf("closing %s: %v, want %v", c.q, err, c.want)
		}
	}
	closed, err := f.s.ClosedQuarters(ctx)
	if err != nil || len(closed) != 2 || closed[0].Quarter != q3 || closed[1].Quarter != q2 || closed[0].ClosedBy == "" ||
		!closed[0].ClosedAt.Equal(closeNow) {
		t.Fatalf("closed quarters %+v, %v", closed, err)
	}
	if r := mustReport(t, f, q2); !r.Closed {
		t.Error("the Q2 report does not say it is closed")
	}
}

// After Q2 is closed, a gift received in Q2 and recorded late, and the reversal of a Q2 gift, are booked in the
// open quarter: the published Q2 report stays exactly as it was, and the money still adds up.
func TestAClosedQuarterNeverChanges(t *testing.T) {
	clock := testdb.NewClock(closeNow)
	f := newFundWithClock(t, clock)
	may := day(time.Date(2026, 5, 10, 0, 0, 0, 0, domain.Shanghai))
	early := giveOn(t, f, f.donor, 100_00, "", "bank_transfer", may)
	giveOn(t, f, f.donor, 40_00, "care_fund", "alipay", may)
	if err := f.s.CloseQuarter(ctx, f.finance, q2); err != nil {
		t.Fatal(err)
	}
	published := mustReport(t, f, q2)
	if published.Income != 140_00 || published.Donations != 2 {
		t.Fatalf("Q2 as published: %+v", published)
	}

	late := giveOn(t, f, f.donor, 25_00, "", "wechat_pay", may.AddDate(0, 0, 3))
	if err := f.s.ReverseDonation(ctx, f.finance, early, "银行退回"); err != nil {
		t.Fatal(err)
	}
	sameReport(t, "a late gift and a reversal", published, mustReport(t, f, q2))

	d, err := f.s.DonationByID(ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	if !d.BookedLate() || d.BookedOn.Format(time.DateOnly) != "2026-11-20" || d.ReceivedOn.Format(time.DateOnly) != "2026-05-13" {
		t.Errorf("the late gift: received %s, booked %s", d.ReceivedOn.Format(time.DateOnly), d.BookedOn.Format(time.DateOnly))
	}
	r, err := f.s.DonationByID(ctx, early)
	if err != nil || !r.ReversalBookedLate() {
		t.Errorf("the reversal of a published gift is not booked late: %+v, %v", r, err)
	}

	q4 := mustReport(t, f, domain.QuarterOf(closeNow))
	if q4.Late.Count != 1 || q4.Late.Amount != 25_00 || q4.Corrections.Count != 1 || q4.Corrections.Amount != 100_00 ||
		q4.Received != 25_00 || q4.Income != 25_00-100_00 || q4.Opening != 140_00 {
		t.Errorf("Q4 shows the late gift and the correction: %+v", q4)
	}
	_, _, balance := ledgerFigures(t, f.s)
	if q4.Closing != balance || balance != 65_00 {
		t.Errorf("Q4 closes at %s, the pools hold %s", q4.Closing, balance)
	}
	ov, err := f.s.TransparencyOverview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var months domain.Money
	for _, m := range ov.Months {
		months += m.Raised
	}
	if months != ov.Totals.Raised || ov.Totals.Raised != 65_00 || ov.Totals.Donations != 2 {
		t.Errorf("the months add up to %s of %s raised (%d gifts)", months, ov.Totals.Raised, ov.Totals.Donations)
	}
	ledgerOK(t, f.s)

	// While a quarter is open a reversal simply takes its gift out of it.
	open := giveOn(t, f, f.donor, 7_00, "", "bank_transfer", day(closeNow))
	before := mustReport(t, f, domain.QuarterOf(closeNow))
	if err := f.s.ReverseDonation(ctx, f.finance, open, "录错"); err != nil {
		t.Fatal(err)
	}
	after := mustReport(t, f, domain.QuarterOf(closeNow))
	if after.Income != before.Income-7_00 || after.Donations != before.Donations-1 || after.Corrections != before.Corrections {
		t.Errorf("an open-quarter reversal: before %+v after %+v", before, after)
	}
}

// The database refuses, whoever asks, a gift booked into a closed quarter and any rewrite of a gift's money.
func TestTheDatabaseKeepsClosedQuarters(t *testing.T) {
	clock := testdb.NewClock(closeNow)
	f := newFundWithClock(t, clock)
	id := giveOn(t, f, f.donor, 100_00, "", "bank_transfer", day(time.Date(2026, 5, 10, 0, 0, 0, 0, domain.Shanghai)))
	if err := f.s.CloseQuarter(ctx, f.finance, q2); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		`UPDATE donations SET amount = amount + 1 WHERE id = $1`:        "never change",
		`UPDATE donations SET booked_on = '2026-11-01' WHERE id = $1`:   "never change",
		`UPDATE donations SET received_on = '2026-05-01' WHERE id = $1`: "never change",
		`UPDATE donations SET reversal_booked_on = '2026-05-11', reversed_at = now(),
			reversal_transaction_id = ledger_transaction_id WHERE id = $1`: "closed quarter",
		`INSERT INTO donations (donor_id, amount, channel, received_on, booked_on, recorded_by, idempotency_key,
			request_hash, ledger_transaction_id) SELECT donor_id, 1, 'cash', received_on, booked_on, recorded_by, 'x',
			'x', ledger_transaction_id FROM donations WHERE id = $1`: "closed quarter",
		`DELETE FROM closed_quarters WHERE $1 > 0`:            "append-only",
		`UPDATE closed_quarters SET quarter = 1 WHERE $1 > 0`: "append-only",
	} {
		_, err := f.s.SQL().Exec(q, id)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it refused (%q)", strings.Join(strings.Fields(q), " "), err, want)
		}
	}
}

// A quarter closed while gifts dated in it are being recorded: each gift is booked in it and counted in the
// report, or booked later — none arrives after the close and changes the published figures.
func TestClosingAQuarterWhileGiftsArrive(t *testing.T) {
	clock := testdb.NewClock(closeNow)
	f := newFundWithClock(t, clock)
	may := day(time.Date(2026, 5, 10, 0, 0, 0, 0, domain.Shanghai))
	giveOn(t, f, f.donor, 1_00, "", "bank_transfer", may)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := f.donationReq(domain.Money(100+i), "")
			req.Input.ReceivedOn = may
			_, _, err := f.s.RecordDonation(ctx, f.finance, req)
			errs <- err
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs <- f.s.CloseQuarter(ctx, f.finance, q2)
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	published := mustReport(t, f, q2)
	var inQ2, late int64
	if err := f.s.SQL().QueryRow(`SELECT count(*) FILTER (WHERE booked_on < '2026-07-01'),
		count(*) FILTER (WHERE booked_on >= '2026-07-01') FROM donations`).Scan(&inQ2, &late); err != nil {
		t.Fatal(err)
	}
	if inQ2 != published.Donations || inQ2+late != n+1 {
		t.Errorf("%d gifts booked in Q2, the report counts %d; %d booked late", inQ2, published.Donations, late)
	}
	giveOn(t, f, f.donor, 5_00, "", "cash", may)
	sameReport(t, "a gift after the close", published, mustReport(t, f, q2))
	ledgerOK(t, f.s)
}

// Two instances whose clocks disagree at a quarter's end: one has closed the quarter while the other still records
// into it. The database refuses the gift, and the person is told in words to send it again.
func TestAGiftIntoAQuarterClosedAMomentAgo(t *testing.T) {
	clock := testdb.NewClock(time.Date(2026, 10, 1, 0, 0, 30, 0, domain.Shanghai))
	f := newFundWithClock(t, clock)
	giveOn(t, f, f.donor, 1_00, "", "cash", day(time.Date(2026, 9, 1, 0, 0, 0, 0, domain.Shanghai)))
	if err := f.s.CloseQuarter(ctx, f.finance, q3); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 9, 30, 23, 59, 59, 0, domain.Shanghai)) // the other instance's clock
	req := f.donationReq(5_00, "")
	req.Input.ReceivedOn = day(clock.Now())
	if _, _, err := f.s.RecordDonation(ctx, f.finance, req); !errors.Is(err, domain.ErrJustClosed) {
		t.Fatalf("a gift into a quarter closed a moment ago: %v", err)
	}
}
