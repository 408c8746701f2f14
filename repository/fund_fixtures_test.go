package repository_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// fund is a fresh database with a finance operator (the maker), an approver (the checker) and one donor.
type fund struct {
	s        *repository.Store
	finance  repository.Actor
	approver repository.Actor
	donor    int64
}

func newFund(t testing.TB) fund {
	t.Helper()
	return newFundWithClock(t, domain.SystemClock{})
}

// newFundWithClock is newFund on a store that tells the time by clock.
func newFundWithClock(t testing.TB, clock domain.Clock) fund {
	t.Helper()
	s := testdb.StoreWithClock(t, clock)
	fin := newOperator(t, s, domain.RoleFinance, "13800000002")
	appr := newOperator(t, s, domain.RoleAdmin, "13800000001")
	f := fund{s: s, finance: repository.Actor{UserID: fin.ID, IP: "test"}, approver: repository.Actor{UserID: appr.ID, IP: "test"}}
	id, err := s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "王爱心", PublishName: true})
	if err != nil {
		t.Fatal(err)
	}
	f.donor = id
	return f
}

var keySeq atomic.Int64

// donationReq is a bank transfer received yesterday, with a reference and a form key of its own.
func (f fund) donationReq(amount domain.Money, program string) repository.DonationRequest {
	n := keySeq.Add(1)
	return repository.DonationRequest{Key: fmt.Sprintf("key-%d", n), DonorID: f.donor, Input: domain.DonationInput{
		Amount: amount, Channel: "bank_transfer", ReceivedOn: time.Now().In(domain.Shanghai).AddDate(0, 0, -1).Truncate(24 * time.Hour),
		Reference: fmt.Sprintf("REF-%d", n), ProgramCode: program}}
}

func (f fund) donate(t *testing.T, amount domain.Money, program string) int64 {
	t.Helper()
	id, _, err := f.s.RecordDonation(ctx, f.finance, f.donationReq(amount, program))
	if err != nil {
		t.Fatalf("donate %s: %v", amount, err)
	}
	return id
}

func (f fund) pool(t *testing.T, code string) repository.Pool {
	t.Helper()
	pools, err := f.s.Pools(ctx)
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

// draft makes a disbursement draft by the finance operator.
func (f fund) draft(t *testing.T, pool int64, amount domain.Money) int64 {
	t.Helper()
	id, err := f.s.CreateDisbursement(ctx, f.finance, repository.DisbursementDraft{PoolID: pool, Amount: amount,
		Payee: "杭州市西溪医院工会", Purpose: "关爱金"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ledgerOK fails the test with every problem reconciliation finds.
func ledgerOK(t *testing.T, s *repository.Store) {
	t.Helper()
	checks, err := s.VerifyLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		for _, p := range c.Problems {
			t.Errorf("ledger: %s: %s", c.Name, p)
		}
	}
}
