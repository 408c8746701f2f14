package repository_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// walk follows a list's Older links from its first page to its last and returns the ids in the order shown. On
// the way it checks what a reader relies on: only the last page is short, the first has no way back, and each
// later page's Newer link leads back to exactly the page before it.
func walk[T any](t *testing.T, list func(domain.Cursor) (repository.ListPage[T], error), id func(T) int64) []int64 {
	t.Helper()
	ids := func(p repository.ListPage[T]) []int64 {
		out := make([]int64, len(p.Rows))
		for i, r := range p.Rows {
			out[i] = id(r)
		}
		return out
	}
	var all, before []int64
	c := domain.Cursor{}
	for n := 1; ; n++ {
		p, err := list(c)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 && p.Newer != nil {
			t.Fatalf("the first page links to a newer one: %+v", *p.Newer)
		}
		if n > 1 {
			back, err := list(*p.Newer)
			if err != nil || !slices.Equal(ids(back), before) {
				t.Fatalf("page %d leads back to %v (%v), want %v", n, ids(back), err, before)
			}
		}
		all, before = append(all, ids(p)...), ids(p)
		if p.Older == nil {
			return all
		}
		if len(p.Rows) != repository.PageSize {
			t.Fatalf("page %d holds %d rows and is not the last", n, len(p.Rows))
		}
		if n > 100 {
			t.Fatal("the list never ends")
		}
		c = *p.Older
	}
}

// gift is a donation as the lists sort it.
type gift struct {
	id      int64
	day     time.Time
	program string
	donor   int64
}

// newestFirst is the order of the donation lists: by the day received, then by id, both descending.
func newestFirst(gifts []gift, keep func(gift) bool) []int64 {
	var kept []gift
	for _, g := range gifts {
		if keep(g) {
			kept = append(kept, g)
		}
	}
	slices.SortFunc(kept, func(a, b gift) int { return cmp.Or(b.day.Compare(a.day), cmp.Compare(b.id, a.id)) })
	out := make([]int64, len(kept))
	for i, g := range kept {
		out[i] = g.id
	}
	return out
}

func donationID(d repository.Donation) int64 { return d.ID }

// Gifts recorded in no particular order of their dates, a dozen on each of six days: every list of them, with or
// without a filter, shows each once, newest day first and, within a day, the one recorded last first.
func TestDonationPagesShowEveryGiftOnceInOrder(t *testing.T) {
	f := newFund(t)
	other, err := f.s.CreateDonor(ctx, f.finance, domain.Donor{Kind: domain.DonorIndividual, Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	today := day(time.Now())
	var gifts []gift
	for i := range 72 {
		g := gift{day: today.AddDate(0, 0, -(i*5)%6), donor: f.donor}
		if i%2 == 0 {
			g.program = "tutoring"
		}
		if i%4 == 1 {
			g.donor = other
		}
		g.id = giveOn(t, f, g.donor, domain.Money(10_00+i), g.program, "alipay", g.day)
		gifts = append(gifts, g)
	}
	from := today.AddDate(0, 0, -3)
	for _, c := range []struct {
		name   string
		filter repository.DonationFilter
		keep   func(gift) bool
	}{
		{"every gift", repository.DonationFilter{}, func(gift) bool { return true }},
		{"one program", repository.DonationFilter{ProgramCode: "tutoring"}, func(g gift) bool { return g.program == "tutoring" }},
		{"a program and dates", repository.DonationFilter{ProgramCode: "tutoring", From: from, To: today.AddDate(0, 0, -1)},
			func(g gift) bool { return g.program == "tutoring" && !g.day.Before(from) && g.day.Before(today) }},
		{"one donor", repository.DonationFilter{DonorID: f.donor}, func(g gift) bool { return g.donor == f.donor }},
		{"a program no one gave to", repository.DonationFilter{ProgramCode: "counselling"}, func(gift) bool { return false }},
		{"a program there is not", repository.DonationFilter{ProgramCode: "nonsense"}, func(gift) bool { return false }},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := walk(t, func(cur domain.Cursor) (repository.ListPage[repository.Donation], error) {
				return f.s.ListDonations(ctx, c.filter, cur)
			}, donationID)
			if want := newestFirst(gifts, c.keep); !slices.Equal(got, want) {
				t.Errorf("shown %v\nwant  %v", got, want)
			}
			if p, _ := f.s.ListDonations(ctx, c.filter, domain.Cursor{}); p.Count != (repository.Count{N: int64(len(got))}) {
				t.Errorf("counted %+v, shown %d", p.Count, len(got))
			}
		})
	}
}

// A page is found from the row before it, not by counting: a gift recorded while someone reads the list neither
// repeats a row on the next page nor pushes one out of it.
func TestAGiftRecordedMeanwhileShiftsNothing(t *testing.T) {
	f := newFund(t)
	today := day(time.Now())
	var gifts []gift
	for i := range 30 {
		g := gift{day: today.AddDate(0, 0, -1-i%3), donor: f.donor}
		g.id = giveOn(t, f, f.donor, domain.Money(10_00+i), "", "cash", g.day)
		gifts = append(gifts, g)
	}
	order := newestFirst(gifts, func(gift) bool { return true })
	first, err := f.s.ListDonations(ctx, repository.DonationFilter{}, domain.Cursor{})
	if err != nil || first.Older == nil {
		t.Fatalf("first page %+v, %v", first, err)
	}
	newest := giveOn(t, f, f.donor, 1_00, "", "cash", today)                   // before the first page's rows
	oldest := giveOn(t, f, f.donor, 2_00, "", "cash", today.AddDate(0, 0, -9)) // after every row
	second, err := f.s.ListDonations(ctx, repository.DonationFilter{}, *first.Older)
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(order[repository.PageSize:]), oldest)
	if got := ids(second.Rows); !slices.Equal(got, want) {
		t.Errorf("second page %v, want %v", got, want)
	}
	back, err := f.s.ListDonations(ctx, repository.DonationFilter{}, *second.Newer)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(back.Rows); !slices.Equal(got, order[:repository.PageSize]) || back.Newer == nil {
		t.Errorf("back from the second page: %v (newer %v), want %v and a way on to %d", got, back.Newer, order[:repository.PageSize], newest)
	}
}

func ids(rows []repository.Donation) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// A cursor the list could not have written — edited, from another list, past the end — is its first page.
func TestABadCursorIsTheFirstPage(t *testing.T) {
	f := newFund(t)
	for i := range 30 {
		giveOn(t, f, f.donor, domain.Money(10_00+i), "", "cash", day(time.Now()).AddDate(0, 0, -i))
	}
	first, err := f.s.ListDonations(ctx, repository.DonationFilter{}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []domain.Cursor{{Key: "2026-02-30", ID: 5}, {ID: 5}, {Key: "soon", ID: 5}, {Key: "1999-01-01", ID: 1},
		{Key: "2999-01-01", ID: 1, Back: true}} {
		p, err := f.s.ListDonations(ctx, repository.DonationFilter{}, c)
		if err != nil || !slices.Equal(ids(p.Rows), ids(first.Rows)) || p.Newer != nil {
			t.Errorf("%+v: %v (newer %v, %v), want the first page", c, ids(p.Rows), p.Newer, err)
		}
	}
	people, err := f.s.ListPeople(ctx, repository.PeopleFilter{}, domain.Cursor{Key: "2026-03-01", ID: 1})
	if err != nil || len(people.Rows) != 2 || people.Newer != nil {
		t.Errorf("people with a dated cursor: %+v, %v", people, err)
	}
}

// The audit log, paged by id alone: a long log is walked through once, and counted no further than 1,000.
func TestLongListsAreWalkedAndCountedUpToTheCap(t *testing.T) {
	f := newFund(t)
	if _, err := f.s.SQL().ExecContext(ctx, `INSERT INTO audit_events (action, subject_type, actor_id)
		SELECT 'export.download', 'export', $1 FROM generate_series(1, 1200)`, f.finance.UserID); err != nil {
		t.Fatal(err)
	}
	all, err := f.s.AuditLog(ctx, repository.AuditFilter{Limit: 5000}, domain.Cursor{})
	if err != nil || all.Count != (repository.Count{N: 1000, More: true}) {
		t.Fatalf("counted %+v (%v), want more than 1,000", all.Count, err)
	}
	got := walk(t, func(c domain.Cursor) (repository.ListPage[repository.AuditEntry], error) {
		return f.s.AuditLog(ctx, repository.AuditFilter{}, c)
	}, func(e repository.AuditEntry) int64 { return e.ID })
	want := make([]int64, len(all.Rows))
	for i, e := range all.Rows {
		want[i] = e.ID
	}
	if len(want) < 1200 || !slices.Equal(got, want) {
		t.Errorf("walked %d events, the log holds %d", len(got), len(want))
	}
	noOne, err := f.s.AuditLog(ctx, repository.AuditFilter{NoActor: true}, domain.Cursor{})
	if err != nil || noOne.Count.More || noOne.Count.N != int64(len(noOne.Rows)) || noOne.Count.N == 0 {
		t.Errorf("events by no one counted %+v for %d shown (%v)", noOne.Count, len(noOne.Rows), err)
	}
}

// People and disbursements page by id, each with its filter.
func TestPeopleAndDisbursementPagesUnderAFilter(t *testing.T) {
	f := newFund(t)
	var staff []int64
	for i := range 30 {
		u := registerStaff(t, f.s, fmt.Sprintf("员工%02d", i), fmt.Sprintf("139%08d", i), false)
		staff = append(staff, u.ID)
	}
	slices.Reverse(staff)
	got := walk(t, func(c domain.Cursor) (repository.ListPage[domain.User], error) {
		return f.s.ListPeople(ctx, repository.PeopleFilter{Role: domain.RoleStaff}, c)
	}, func(u domain.User) int64 { return u.ID })
	if !slices.Equal(got, staff) {
		t.Errorf("staff shown %v, want %v", got, staff)
	}
	pool := f.pool(t, "pool:unrestricted").ID
	var drafts []int64
	for i := range 27 {
		id := f.draft(t, pool, domain.Money(1_00+i))
		if i%9 == 0 {
			if err := f.s.CancelDisbursement(ctx, f.finance, id, "重复"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		drafts = append(drafts, id)
	}
	slices.Reverse(drafts)
	got = walk(t, func(c domain.Cursor) (repository.ListPage[repository.Disbursement], error) {
		return f.s.ListDisbursements(ctx, domain.DisbursementDraft, c)
	}, func(d repository.Disbursement) int64 { return d.ID })
	if !slices.Equal(got, drafts) {
		t.Errorf("drafts shown %v, want %v", got, drafts)
	}
}
