package repository_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"guanai/domain"
)

func TestSearchDonorsTellsTwoNamesakesApart(t *testing.T) {
	f := newFund(t)
	a, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "张伟", Phone: "139 1234 5678"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "张伟", Phone: "13800008888"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorOrganization, Name: "杭州西湖科技有限公司",
		CreditCode: "91110000600037341L"})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(query string) []int64 {
		t.Helper()
		found, err := f.s.SearchDonors(ctx, query, 20)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, d := range found {
			out = append(out, d.ID)
		}
		slices.Sort(out)
		return out
	}
	for query, want := range map[string][]int64{
		"张伟":                 {a, b},
		"张":                  {a, b},
		"5678":               {a},
		"８８８８":               {b},
		"西湖科技":               {org},
		"91110000":           {org},
		"91110000600037341l": {org},
		"100%":               nil,
	} {
		if got := ids(query); !slices.Equal(got, want) {
			t.Errorf("search %q found %v, want %v", query, got, want)
		}
	}
	found, _ := f.s.SearchDonors(ctx, "5678", 20)
	if len(found) != 1 || found[0].PhoneTail() != "5678" {
		t.Errorf("phone tail shown: %+v", found)
	}
}

func TestUpdateDonor(t *testing.T) {
	f := newFund(t)
	giveOn(t, f, f.donor, 10_00, "", "cash", day(f.s.Now()))
	d := domain.Donor{Kind: domain.DonorIndividual, Name: "王爱心", Phone: "13912345678", PublishName: false}
	if err := f.s.UpdateDonor(ctx, f.finance, f.donor, d); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.DonorByID(ctx, f.donor)
	if err != nil || got.PublishName || got.Phone != "13912345678" {
		t.Fatalf("after the edit: %+v, %v", got, err)
	}
	bad := d
	bad.CreditCode = "91110000600037341L" // an individual has none
	if err := f.s.UpdateDonor(ctx, f.finance, f.donor, bad); !errors.As(err, new(domain.FieldErrors)) {
		t.Fatalf("an individual with a credit code: %v", err)
	}
	if err := f.s.UpdateDonor(ctx, f.finance, 999999, d); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("no such donor: %v", err)
	}
	// The public page follows the consent at once.
	page, err := f.s.PublicDonations(ctx, domain.Cursor{})
	if list := page.Rows; err != nil || len(list) != 1 || list[0].PublicName != "" {
		t.Fatalf("public list after withdrawing consent: %+v, %v", list, err)
	}
}

// The statement import made a second 王爱心: merging moves her gifts to the first, the totals stay, and the
// duplicate leads to her.
func TestMergeDonors(t *testing.T) {
	f := newFund(t)
	dup, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "王爱心"})
	if err != nil {
		t.Fatal(err)
	}
	giveOn(t, f, f.donor, 10_00, "", "cash", day(f.s.Now()))
	giveOn(t, f, dup, 25_00, "", "bank_transfer", day(f.s.Now()))
	giveOn(t, f, dup, 5_00, "", "alipay", day(f.s.Now()))
	if err := f.s.MergeDonors(ctx, f.finance, dup, f.donor); err != nil {
		t.Fatal(err)
	}
	kept, err := f.s.DonorByID(ctx, f.donor)
	if err != nil || kept.Donations != 3 || kept.Total != 40_00 {
		t.Fatalf("kept donor: %+v, %v", kept, err)
	}
	gone, err := f.s.DonorByID(ctx, dup)
	if err != nil || gone.MergedIntoID == nil || *gone.MergedIntoID != f.donor || gone.Donations != 0 {
		t.Fatalf("the duplicate: %+v, %v", gone, err)
	}
	if found, _ := f.s.SearchDonors(ctx, "王爱心", 20); len(found) != 1 || found[0].ID != f.donor {
		t.Errorf("search still finds the duplicate: %+v", found)
	}
	// A form opened before the merge still names the duplicate; its gift goes to the donor kept.
	req := f.donationReq(1_00, "")
	req.DonorID = dup
	id, _, err := f.s.RecordDonation(ctx, f.finance, req)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := f.s.DonationByID(ctx, id); d.DonorID != f.donor {
		t.Errorf("a gift for the merged duplicate went to donor %d", d.DonorID)
	}
	for _, c := range []struct {
		from, into int64
		want       error
	}{{dup, f.donor, domain.ErrDonorMerged}, {f.donor, dup, domain.ErrDonorMerged}, {f.donor, f.donor, domain.ErrMergeIntoSelf}} {
		if err := f.s.MergeDonors(ctx, f.finance, c.from, c.into); !errors.Is(err, c.want) {
			t.Errorf("merge %d into %d: %v, want %v", c.from, c.into, err, c.want)
		}
	}
	ledgerOK(t, f.s)
}

// Two operators merging the same pair, each the other way round, at the same moment: one merge happens.
func TestConcurrentMergesOfOnePair(t *testing.T) {
	f := newFund(t)
	other, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "王爱心"})
	if err != nil {
		t.Fatal(err)
	}
	giveOn(t, f, other, 5_00, "", "cash", day(f.s.Now()))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, pair := range [][2]int64{{other, f.donor}, {f.donor, other}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.s.MergeDonors(ctx, f.finance, pair[0], pair[1])
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, domain.ErrDonorMerged):
			t.Fatalf("unexpected: %v", err)
		}
	}
	a, _ := f.s.DonorByID(ctx, f.donor)
	b, _ := f.s.DonorByID(ctx, other)
	if ok != 1 || (a.MergedIntoID == nil) == (b.MergedIntoID == nil) || a.Donations+b.Donations != 1 {
		t.Fatalf("%d merges; %+v / %+v", ok, a, b)
	}
}

// A duplicate's credit code is not left stuck on a donor no search shows: the organisation kept takes it; two
// different codes are two organisations, and are not merged.
func TestMergeDonorsMovesTheCreditCode(t *testing.T) {
	f := newFund(t)
	kept, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorOrganization, Name: "杭州西湖科技有限公司"})
	if err != nil {
		t.Fatal(err)
	}
	dup, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorOrganization, Name: "杭州西湖科技有限公司",
		CreditCode: "91110000600037341L"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.MergeDonors(ctx, f.finance, dup, kept); err != nil {
		t.Fatal(err)
	}
	if found, _ := f.s.SearchDonors(ctx, "91110000600037341L", 5); len(found) != 1 || found[0].ID != kept {
		t.Fatalf("the code finds %+v, want the donor kept", found)
	}
	code := ""
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if domain.ValidCreditCode("91330100MA2CFXXXX" + string(c)) {
			code = "91330100MA2CFXXXX" + string(c)
		}
	}
	other, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorOrganization, Name: "杭州西湖科技有限公司",
		CreditCode: code})
	if err != nil {
		t.Fatalf("a second organisation (%s): %v", code, err)
	}
	if err := f.s.MergeDonors(ctx, f.finance, other, kept); !errors.Is(err, domain.ErrMergeTwoCodes) {
		t.Errorf("two codes merged: %v", err)
	}
}
