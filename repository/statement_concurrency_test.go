package repository_test

import (
	"errors"
	"fmt"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

func TestTenConcurrentConfirmationsRecordOnce(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	var lines [][]string
	for i := range 20 {
		lines = append(lines, []string{day, fmt.Sprintf("捐赠人%d", i%7), "", "10.00", fmt.Sprintf("C%03d", i), ""})
	}
	imp := f.uploadStatement(t, statement(lines...), "")
	results := make([]repository.StatementResult, 10)
	errs := race(10, func(i int) error {
		var err error
		results[i], err = f.confirm(imp, false)
		return err
	})
	if ok, lost := tally(t, errs, domain.ErrImportCommitted); ok != 1 || lost != 9 {
		t.Fatalf("%d confirmations recorded and %d were told it was done; want 1 and 9", ok, lost)
	}
	if n := f.count(t, "SELECT count(*) FROM donations"); n != 20 {
		t.Errorf("%d donations, want 20", n)
	}
	if n := f.count(t, "SELECT count(*) FROM donors"); n != 8 {
		t.Errorf("%d donors, want 8 (the fixture's and 7 new)", n)
	}
	ledgerOK(t, f.s)
}

func TestOverlappingStatementsConfirmedAtOnceRecordEachLineOnce(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	var lines [][]string
	for i := range 30 {
		lines = append(lines, []string{day, fmt.Sprintf("捐赠人%d", i), "", "10.00", fmt.Sprintf("O%03d", i), ""})
	}
	a := f.uploadStatement(t, statement(lines[:20]...), "")
	b := f.uploadStatement(t, statement(lines[10:]...), "care_fund")
	// A donation typed in at the same moment, with a reference both statements have.
	typed := f.donationReq(10_00, "")
	typed.Input.Reference = "O015"
	results := make([]repository.StatementResult, 2)
	errs := race(3, func(i int) error {
		var err error
		switch i {
		case 0:
			results[0], err = f.confirm(a, false)
		case 1:
			results[1], err = f.confirm(b, false)
		default:
			_, _, err = f.s.RecordDonation(ctx, f.finance, typed)
			var fe domain.FieldErrors
			if errors.As(err, &fe) && fe["reference"] == "error.reference_taken" {
				err = nil // a statement recorded O015 first: the typed-in gift is refused, as it should be
			}
		}
		return err
	})
	if ok, _ := tally(t, errs, nil); ok != 3 {
		t.Fatalf("errors: %v", errs)
	}
	if n := f.count(t, "SELECT count(DISTINCT reference) FROM donations"); n != 30 || f.count(t, "SELECT count(*) FROM donations") != 30 {
		t.Errorf("%d references recorded; want each of the 30 once", n)
	}
	if got := results[0].Added + results[1].Added; got < 29 || got > 30 || results[0].Already+results[1].Already+got != 40 {
		t.Errorf("results %+v %+v", results[0], results[1])
	}
	ledgerOK(t, f.s)
}
