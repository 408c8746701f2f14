package repository_test

import (
	"errors"
	"fmt"
	"testing"

	"guanai/domain"
)

func TestDonationCreditsItsPoolAndIssuesAReceipt(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1234_56, "")
	id := f.donate(t, 500_00, "care_fund")
	if got := f.pool(t, "pool:unrestricted").Balance; got != 1234_56 {
		t.Errorf("unrestricted %s", got)
	}
	if got := f.pool(t, "pool:care_fund").Balance; got != 500_00 {
		t.Errorf("care fund %s", got)
	}
	d, err := f.s.DonationByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.s.ReceiptByID(ctx, d.ReceiptID)
	if err != nil {
		t.Fatal(err)
	}
	year := d.ReceivedOn.In(domain.Shanghai).Year()
	if r.Number != fmt.Sprintf("%d-000002", year) || r.Snapshot.Capitals != "伍佰元整" || r.Snapshot.Purpose != "定向：关爱基金" ||
		r.Snapshot.Handler == "" || r.Void || r.Copy {
		t.Errorf("receipt %+v", r)
	}
	ledgerOK(t, f.s)
}

func TestSameKeyOtherContentIsRefused(t *testing.T) {
	f := newFund(t)
	req := f.donationReq(100_00, "")
	if _, _, err := f.s.RecordDonation(ctx, f.finance, req); err != nil {
		t.Fatal(err)
	}
	req.Input.Amount = 200_00
	if _, _, err := f.s.RecordDonation(ctx, f.finance, req); !errors.Is(err, domain.ErrKeyReused) {
		t.Fatalf("same key, other amount: %v", err)
	}
	other := f.donationReq(100_00, "")
	other.Input.Reference = req.Input.Reference
	_, _, err := f.s.RecordDonation(ctx, f.finance, other)
	if fe, ok := err.(domain.FieldErrors); !ok || fe["reference"] != "error.reference_taken" {
		t.Fatalf("a bank reference recorded twice: %v", err)
	}
	ledgerOK(t, f.s)
}

func TestTwentySubmissionsOfOneFormRecordOnce(t *testing.T) {
	f := newFund(t)
	req := f.donationReq(888_00, "")
	ids := make([]int64, 20)
	errs := race(20, func(i int) error {
		var err error
		ids[i], _, err = f.s.RecordDonation(ctx, f.finance, req)
		return err
	})
	if ok, _ := tally(t, errs, nil); ok != 20 {
		t.Fatalf("%d of 20 submissions answered", ok)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("submissions got different donations: %v", ids)
		}
	}
	var donations, receipts, txs int
	db := f.s.SQL()
	_ = db.QueryRow("SELECT count(*) FROM donations").Scan(&donations)
	_ = db.QueryRow("SELECT count(*) FROM receipts").Scan(&receipts)
	_ = db.QueryRow("SELECT count(*) FROM ledger_transactions").Scan(&txs)
	if donations != 1 || receipts != 1 || txs != 1 {
		t.Fatalf("%d donations, %d receipts, %d ledger transactions; want 1 each", donations, receipts, txs)
	}
	if got := f.pool(t, "pool:unrestricted").Balance; got != 888_00 {
		t.Fatalf("balance %s", got)
	}
}

func TestThousandConcurrentDonationsNumberReceiptsWithoutGaps(t *testing.T) {
	f := newFund(t)
	first := f.donationReq(1_00, "")
	if _, _, err := f.s.RecordDonation(ctx, f.finance, first); err != nil {
		t.Fatal(err)
	}
	// This one fails after taking a number (its bank reference is taken): the number must come back.
	dup := f.donationReq(1_00, "")
	dup.Input.Reference = first.Input.Reference
	if _, _, err := f.s.RecordDonation(ctx, f.finance, dup); err == nil {
		t.Fatal("duplicate reference recorded")
	}
	const n = 999
	errs := race(n, func(i int) error {
		_, _, err := f.s.RecordDonation(ctx, f.finance, f.donationReq(domain.Money(100+i), ""))
		return err
	})
	if ok, _ := tally(t, errs, nil); ok != n {
		t.Fatalf("%d of %d donations recorded", ok, n)
	}
	var count, maxSeq, distinct int
	if err := f.s.SQL().QueryRow("SELECT count(*), max(seq), count(DISTINCT seq) FROM receipts").Scan(&count, &maxSeq, &distinct); err != nil {
		t.Fatal(err)
	}
	if count != 1000 || maxSeq != 1000 || distinct != 1000 {
		t.Fatalf("%d receipts, highest number %d, %d distinct: want 1..1000", count, maxSeq, distinct)
	}
	ledgerOK(t, f.s)
}

func TestFiftyConcurrentPaymentsNeverOverdraw(t *testing.T) {
	f := newFund(t)
	f.donate(t, 10_000_00, "")
	pool := f.pool(t, "pool:unrestricted")
	ids := make([]int64, 50)
	for i := range ids {
		ids[i] = f.draft(t, pool.ID, 300_00)
	}
	errs := race(50, func(i int) error {
		if err := f.s.ApproveDisbursement(ctx, f.approver, ids[i]); err != nil {
			return err
		}
		return f.s.PayDisbursement(ctx, f.finance, ids[i], fmt.Sprintf("BANK-%d", i))
	})
	var short *domain.InsufficientFundsError
	paid, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			paid++
		case errors.As(err, &short):
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if paid != 33 || refused != 17 {
		t.Fatalf("%d paid, %d refused; want 33 and 17", paid, refused)
	}
	p := f.pool(t, "pool:unrestricted")
	if p.Balance != 100_00 || p.Reserved != 0 {
		t.Fatalf("pool balance %s reserved %s; want ¥100.00 and nothing reserved", p.Balance, p.Reserved)
	}
	ledgerOK(t, f.s)
}

func TestApprovalReservesTheMoney(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1000_00, "care_fund")
	pool := f.pool(t, "pool:care_fund")
	a, b := f.draft(t, pool.ID, 600_00), f.draft(t, pool.ID, 600_00)
	if err := f.s.ApproveDisbursement(ctx, f.approver, a); err != nil {
		t.Fatal(err)
	}
	var short *domain.InsufficientFundsError
	if err := f.s.ApproveDisbursement(ctx, f.approver, b); !errors.As(err, &short) || short.Available != 400_00 {
		t.Fatalf("second approval: %v, want insufficient with ¥400.00 available", err)
	}
	// An allocation cannot take reserved money either.
	unres := f.pool(t, "pool:unrestricted")
	if _, err := f.s.Allocate(ctx, f.finance, pool.ID, unres.ID, 500_00, "调剂"); !errors.As(err, &short) {
		t.Fatalf("allocating reserved money: %v", err)
	}
	if err := f.s.RejectDisbursement(ctx, f.approver, a, "材料不全"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ApproveDisbursement(ctx, f.approver, b); err != nil {
		t.Fatalf("approval after the first was rejected: %v", err)
	}
	ledgerOK(t, f.s)
}

func TestMakerCannotApproveOwnDisbursement(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1000_00, "")
	id := f.draft(t, f.pool(t, "pool:unrestricted").ID, 100_00)
	if err := f.s.ApproveDisbursement(ctx, f.finance, id); !errors.Is(err, domain.ErrSameMakerChecker) {
		t.Fatalf("maker approving: %v", err)
	}
	// The database refuses it too, whatever the code above it does.
	_, err := f.s.SQL().Exec("UPDATE disbursements SET status = 'approved', checker_id = maker_id WHERE id = $1", id)
	if err == nil {
		t.Fatal("the database let a maker check their own disbursement")
	}
	if err := f.s.PayDisbursement(ctx, f.finance, id, "BANK-1"); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("paying a draft: %v", err)
	}
}

func TestReversalHappensOnce(t *testing.T) {
	f := newFund(t)
	id := f.donate(t, 300_00, "")
	errs := race(10, func(int) error { return f.s.ReverseDonation(ctx, f.finance, id, "重复入账") })
	if ok, lost := tally(t, errs, domain.ErrAlreadyReversed); ok != 1 || lost != 9 {
		t.Fatalf("%d reversals succeeded, %d refused; want 1 and 9", ok, lost)
	}
	if got := f.pool(t, "pool:unrestricted").Balance; got != 0 {
		t.Fatalf("balance after reversal %s", got)
	}
	d, _ := f.s.DonationByID(ctx, id)
	r, err := f.s.ReceiptByID(ctx, d.ReceiptID)
	if err != nil || !r.Void {
		t.Fatalf("receipt after reversal: %+v %v", r, err)
	}
	copyID, err := f.s.ReissueReceipt(ctx, f.finance, id)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.s.ReceiptByID(ctx, copyID)
	if !c.Copy || c.Number != r.Number {
		t.Fatalf("re-issue %+v, want a copy numbered %s", c, r.Number)
	}
	ledgerOK(t, f.s)
}

func TestReversalOfSpentMoneyIsRefused(t *testing.T) {
	f := newFund(t)
	id := f.donate(t, 300_00, "")
	d := f.draft(t, f.pool(t, "pool:unrestricted").ID, 200_00)
	if err := f.s.ApproveDisbursement(ctx, f.approver, d); err != nil {
		t.Fatal(err)
	}
	var short *domain.InsufficientFundsError
	if err := f.s.ReverseDonation(ctx, f.finance, id, "退款"); !errors.As(err, &short) || short.Available != 100_00 {
		t.Fatalf("reversing money promised to a disbursement: %v", err)
	}
	ledgerOK(t, f.s)
}

func TestLedgerAndReceiptsCannotBeChanged(t *testing.T) {
	f := newFund(t)
	f.donate(t, 100_00, "")
	for _, q := range []string{
		"UPDATE ledger_entries SET amount = amount + 1",
		"DELETE FROM ledger_entries",
		"TRUNCATE ledger_entries CASCADE",
		"UPDATE ledger_transactions SET memo = 'x'",
		"DELETE FROM ledger_transactions",
		"UPDATE receipts SET snapshot = '{}'",
		"DELETE FROM receipts",
	} {
		if _, err := f.s.SQL().Exec(q); err == nil {
			t.Errorf("the database allowed %q", q)
		}
	}
	ledgerOK(t, f.s)
}

func TestVerifyLedgerFindsTampering(t *testing.T) {
	f := newFund(t)
	f.donate(t, 100_00, "")
	ledgerOK(t, f.s)
	if _, err := f.s.SQL().Exec("UPDATE accounts SET balance = balance + 1 WHERE code = 'external:payees'"); err != nil {
		t.Fatal(err)
	}
	checks, err := f.s.VerifyLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, c := range checks {
		found[c.Name] = len(c.Problems) > 0
	}
	for _, name := range []string{"balances_match_entries", "accounts_sum_to_zero", "public_totals_match"} {
		if !found[name] {
			t.Errorf("check %q missed a balance changed behind the ledger's back", name)
		}
	}
}

func TestReversedDonationFreesItsReference(t *testing.T) {
	f := newFund(t)
	req := f.donationReq(100_00, "")
	id, _, err := f.s.RecordDonation(ctx, f.finance, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReverseDonation(ctx, f.finance, id, "金额录错"); err != nil {
		t.Fatal(err)
	}
	corrected := f.donationReq(1000_00, "")
	corrected.Input.Reference = req.Input.Reference
	if _, _, err := f.s.RecordDonation(ctx, f.finance, corrected); err != nil {
		t.Fatalf("the corrected gift under the bank's reference: %v", err)
	}
	again := f.donationReq(5_00, "")
	again.Input.Reference = req.Input.Reference
	if _, _, err := f.s.RecordDonation(ctx, f.finance, again); err == nil {
		t.Fatal("a live donation's reference was recorded twice")
	}
	ledgerOK(t, f.s)
}

func TestOnlyTheCheckerRejectsAndOnlyTheMakerCancels(t *testing.T) {
	f := newFund(t)
	f.donate(t, 1000_00, "")
	pool := f.pool(t, "pool:unrestricted").ID
	a, b := f.draft(t, pool, 100_00), f.draft(t, pool, 100_00)
	if err := f.s.RejectDisbursement(ctx, f.finance, a, "自己驳回"); !errors.Is(err, domain.ErrMakerRejects) {
		t.Fatalf("maker rejecting: %v", err)
	}
	if err := f.s.CancelDisbursement(ctx, f.approver, b, "替人取消"); !errors.Is(err, domain.ErrNotMaker) {
		t.Fatalf("checker cancelling: %v", err)
	}
	if err := f.s.RejectDisbursement(ctx, f.approver, a, "材料不全"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CancelDisbursement(ctx, f.finance, b, "重复"); err != nil {
		t.Fatal(err)
	}
}
