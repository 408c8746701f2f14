package repository_test

import (
	"fmt"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// bigList is a health authority's list of n people, the i-th at the hospital hospital(i).
func bigList(t testing.TB, n int, hospital func(i int) string) []domain.EligibilityRow {
	t.Helper()
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("名单%05d", i), fmt.Sprintf("1355%07d", i), hospital(i), "designated"}
	}
	return checkedRows(t, rows...)
}

// A list longer than one statement's worth is counted line for line: added, then on a new upload updated or left
// as it was; a pending member of staff on it is verified, with her audit event.
func TestLongEligibilityListCountsEveryLine(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	pending := registerStaff(t, s, "名单01234", "13550001234", false)
	const n = 2500
	res := importList(t, s, admin, bigList(t, n, func(int) string { return "浙江省中医院" }))
	if want := (repository.ImportResult{Added: n, Activated: 1}); res != want {
		t.Errorf("first list: %+v, want %+v", res, want)
	}
	moved := func(i int) string {
		if i%250 == 0 {
			return "杭州市第一人民医院"
		}
		return "浙江省中医院"
	}
	res = importList(t, s, admin, bigList(t, n, moved))
	if want := (repository.ImportResult{Updated: n / 250, Unchanged: n - n/250}); res != want {
		t.Errorf("second list: %+v, want %+v", res, want)
	}
	if got := count(auditActions(t, s, pending.ID), "account.verify"); got != 1 {
		t.Errorf("%d account.verify events for the member of staff the list verified", got)
	}
	if p, err := s.PersonByID(ctx, pending.ID); err != nil || p.Status != domain.StatusActive || p.Staff.EligibilityEntryID == nil {
		t.Errorf("the member of staff on the list: %+v, %v", p.User, err)
	}
}

// BenchmarkConfirmEligibility confirms a list of 50,000 people, the most one may hold.
func BenchmarkConfirmEligibility(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := testdb.Store(b)
		admin := newOperator(b, s, domain.RoleAdmin, "13500000001")
		rows := bigList(b, domain.MaxEligibilityRows, func(int) string { return "浙江省中医院" })
		id, err := s.SaveEligibilityPreview(ctx, repository.Actor{UserID: admin.ID}, "list.csv", rows)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.ConfirmEligibility(ctx, repository.Actor{UserID: admin.ID}, id); err != nil {
			b.Fatal(err)
		}
	}
}
