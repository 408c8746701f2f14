package repository_test

import (
	"slices"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func (f fund) newDonor(t *testing.T, d domain.Donor) int64 {
	t.Helper()
	if d.Kind == "" {
		d.Kind = domain.DonorIndividual
	}
	id, err := f.s.CreateDonor(ctx, f.finance, d)
	if err != nil {
		t.Fatalf("donor %s: %v", d.Name, err)
	}
	return id
}

func donorIDs(found []repository.DonorSummary) []int64 {
	out := make([]int64, len(found))
	for i, d := range found {
		out[i] = d.ID
	}
	return out
}

// A search finds a donor by part of the name, by the phone's last digits, by the credit code, and puts the best
// matches first: the same name, then a name that starts so, then one that holds it, then a similar one.
func TestDonorSearchFindsAndRanks(t *testing.T) {
	f := newFund(t) // its donor is 王爱心
	start := f.newDonor(t, domain.Donor{Kind: domain.DonorOrganization, Name: "王爱心公益基金会"})
	part := f.newDonor(t, domain.Donor{Name: "李王爱心"})
	similar := f.newDonor(t, domain.Donor{Name: "王爱新"})
	zhang := f.newDonor(t, domain.Donor{Name: "张伟", Phone: "139 1234 5678"})
	latin := f.newDonor(t, domain.Donor{Name: "Zhang Wei", Phone: "+86 138-0000-9999"})
	org := f.newDonor(t, domain.Donor{Kind: domain.DonorOrganization, Name: "杭州西湖科技有限公司", CreditCode: "91110000600037341L"})
	search := func(q string) []int64 {
		t.Helper()
		found, err := f.s.SearchDonors(ctx, q, 20)
		if err != nil {
			t.Fatal(err)
		}
		return donorIDs(found)
	}
	if got, want := search("王爱心"), []int64{f.donor, start, part, similar}; !slices.Equal(got, want) {
		t.Errorf("王爱心 found %v, want the same name, then its start, a part, a similar one: %v", got, want)
	}
	for q, want := range map[string][]int64{
		"王爱":                 {similar, start, f.donor}, // two of three characters, the first two
		"爱心":                 {part, f.donor},           // ... and the last two
		"王":                  {similar, start, f.donor}, // a name that starts so; 李王爱心 only holds it
		"西湖科技":               {org},
		"zhang wei":          {latin},
		"ZHANG":              {latin},
		"5678":               {zhang},
		"1234 5678":          {zhang},
		"９９９９":               {latin},
		"91110000":           {org},
		"91110000600037341l": {org},
		"100%":               nil,
		"_":                  nil,
	} {
		if got := search(q); !slices.Equal(got, want) {
			t.Errorf("search %q found %v, want %v", q, got, want)
		}
	}
}

// The donor list pages a search like any list: every match once, the same name first, then the newest.
func TestDonorListPagesASearch(t *testing.T) {
	f := newFund(t)
	var want []int64
	for _, g := range "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉" {
		want = append(want, f.newDonor(t, domain.Donor{Name: "陈" + string(g)}))
	}
	slices.Reverse(want)
	same := f.newDonor(t, domain.Donor{Name: "陈"})
	f.newDonor(t, domain.Donor{Name: "林陈"}) // holds 陈 but neither is nor starts with it: a single character is not a part
	want = append([]int64{same}, want...)
	got := walk(t, func(c domain.Cursor) (repository.ListPage[repository.DonorSummary], error) {
		return f.s.ListDonors(ctx, "陈", c)
	}, func(d repository.DonorSummary) int64 { return d.ID })
	if !slices.Equal(got, want) {
		t.Errorf("shown %v\nwant  %v", got, want)
	}
	if p, _ := f.s.ListDonors(ctx, "陈", domain.Cursor{}); p.Count != (repository.Count{N: int64(len(want))}) {
		t.Errorf("counted %+v, want %d", p.Count, len(want))
	}
	// The list of every donor pages by id; a cursor of a search's ranks is not one of its own.
	all, err := f.s.ListDonors(ctx, "", domain.Cursor{Key: "2", ID: same})
	if err != nil || all.Newer != nil || len(all.Rows) != repository.PageSize || all.Rows[0].ID != same+1 {
		t.Errorf("every donor, with a search's cursor: %d rows from %d, newer %v (%v)", len(all.Rows), all.Rows[0].ID, all.Newer, err)
	}
}

// Before anything is searched, the chooser offers the donors of the newest gifts by the day received, each once.
func TestRecentDonorsEachOnceNewestFirst(t *testing.T) {
	f := newFund(t)
	today := day(time.Now())
	a, b, c := f.newDonor(t, domain.Donor{Name: "甲"}), f.newDonor(t, domain.Donor{Name: "乙"}), f.newDonor(t, domain.Donor{Name: "丙"})
	giveOn(t, f, a, 10_00, "", "cash", today.AddDate(0, 0, -1))
	giveOn(t, f, b, 10_00, "", "cash", today)
	giveOn(t, f, c, 10_00, "", "cash", today.AddDate(0, 0, -5)) // recorded last, given long ago
	giveOn(t, f, a, 10_00, "", "cash", today)                   // a again, after b on the same day
	giveOn(t, f, f.donor, 10_00, "", "cash", today.AddDate(0, 0, -3))
	found, err := f.s.RecentDonors(ctx, 3)
	if got, want := donorIDs(found), []int64{a, b, f.donor}; err != nil || !slices.Equal(got, want) {
		t.Errorf("recent donors %v (%v), want %v", got, err, want)
	}
	if found[0].Donations != 2 || found[0].Total != 20_00 {
		t.Errorf("甲's giving shown as %d gifts, %s", found[0].Donations, found[0].Total)
	}
}
