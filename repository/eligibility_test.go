package repository_test

import (
	"errors"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// hospitalList is a list of five people, one row with a bad phone and one repeating a phone.
func hospitalList(t *testing.T, changedHospital string) []domain.EligibilityRow {
	return checkedRows(t,
		[]string{"王芳", "13900001111", "杭州市西溪医院", "designated"},
		[]string{"李强", "13900002222", "杭州市急救中心", "急救中心人员"},
		[]string{"赵敏", "13900003333", "杭州市疾病预防控制中心", "cdc"},
		[]string{"钱军", "13900004444", "浙江省人民医院", "援鄂医疗队员"},
		[]string{"孙丽", "13900005555", changedHospital, "other"},
		[]string{"周杰", "1390000", "浙江省人民医院", "other"},
		[]string{"吴磊", "13900001111", "浙江省人民医院", "other"},
	)
}

func entryCount(t *testing.T, s *repository.Store) int64 {
	t.Helper()
	c, err := s.HomeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c.EligibilityEntries
}

func entryHospitals(t *testing.T, s *repository.Store) map[string]string {
	t.Helper()
	rows, err := s.SQL().QueryContext(ctx, `SELECT phone, name || '@' || hospital || '@' || category FROM eligibility_entries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var phone, v string
		if err := rows.Scan(&phone, &v); err != nil {
			t.Fatal(err)
		}
		out[phone] = v
	}
	return out
}

func TestEligibilityPreviewWritesNoEntries(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	id, err := s.SaveEligibilityPreview(ctx, repository.Actor{UserID: admin.ID, IP: "test"}, "名单.csv", hospitalList(t, "浙江省中医院"))
	if err != nil {
		t.Fatal(err)
	}
	if n := entryCount(t, s); n != 0 {
		t.Errorf("%d entries after a preview, want 0", n)
	}
	imp, err := s.EligibilityImportByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Filename != "名单.csv" || imp.Committed || imp.Valid != 5 || imp.Bad != 2 || len(imp.Rows) != 7 {
		t.Errorf("import %+v: want 名单.csv, not committed, 5 valid and 2 bad of 7 rows", imp)
	}
	if imp.Rows[6].Line != 8 || len(imp.Rows[6].Errors) != 1 || imp.Rows[6].Errors[0] != "eligibility.duplicate_phone" {
		t.Errorf("last row %+v: want line 8 flagged as a duplicate phone", imp.Rows[6])
	}
	if _, err := s.EligibilityImportByID(ctx, id+100); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown import: err = %v, want ErrNotFound", err)
	}
}

func TestConfirmEligibility(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	actor := repository.Actor{UserID: admin.ID, IP: "test"}
	id, err := s.SaveEligibilityPreview(ctx, actor, "list.csv", hospitalList(t, "浙江省中医院"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ConfirmEligibility(ctx, actor, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := (repository.ImportResult{Added: 5, Skipped: 2}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	entries := entryHospitals(t, s)
	if len(entries) != 5 || entries["13900001111"] != "王芳@杭州市西溪医院@designated" || entries["13900002222"] != "李强@杭州市急救中心@emergency_center" {
		t.Errorf("entries %v: want the five valid rows, the first of a repeated phone kept", entries)
	}
	imp, err := s.EligibilityImportByID(ctx, id)
	if err != nil || !imp.Committed || imp.CommittedAt == nil {
		t.Errorf("import after confirming: %+v, %v; want committed", imp, err)
	}

	// Confirming again changes nothing.
	if _, err := s.ConfirmEligibility(ctx, actor, id); !errors.Is(err, domain.ErrListConfirmed) {
		t.Fatalf("second confirm: err = %v, want ErrListConfirmed", err)
	}
	if again := entryHospitals(t, s); len(again) != 5 {
		t.Errorf("entries after a second confirm: %v", again)
	}
	log, err := s.AuditLog(ctx, repository.AuditFilter{Limit: 1000}, domain.Cursor{})
	all := log.Rows
	if err != nil {
		t.Fatal(err)
	}
	confirms := 0
	for _, e := range all {
		if e.Action == "eligibility.confirm" {
			confirms++
		}
	}
	if confirms != 1 {
		t.Errorf("%d eligibility.confirm audit events, want 1", confirms)
	}
	if _, err := s.ConfirmEligibility(ctx, actor, id+100); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown import: err = %v, want ErrNotFound", err)
	}
}

func TestEligibilityReuploadUpdatesWithoutDuplicates(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	importList(t, s, admin, hospitalList(t, "浙江省中医院"))
	res := importList(t, s, admin, hospitalList(t, "杭州市第一人民医院"))
	if want := (repository.ImportResult{Updated: 1, Unchanged: 4, Skipped: 2}); res != want {
		t.Errorf("second upload: %+v, want %+v", res, want)
	}
	entries := entryHospitals(t, s)
	if n := entryCount(t, s); n != 5 || len(entries) != 5 {
		t.Errorf("%d entries (%v), want 5", n, entries)
	}
	if entries["13900005555"] != "孙丽@杭州市第一人民医院@other" {
		t.Errorf("changed row: %q, want the new hospital", entries["13900005555"])
	}
	res = importList(t, s, admin, hospitalList(t, "杭州市第一人民医院"))
	if want := (repository.ImportResult{Unchanged: 5, Skipped: 2}); res != want {
		t.Errorf("third, identical upload: %+v, want %+v", res, want)
	}
}

func TestConfirmEligibilityActivatesMatchingPendingStaff(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	match := registerStaff(t, s, "赵敏", "13900003333", false)
	otherName := registerStaff(t, s, "钱俊", "13900004444", false) // the list says 钱军
	notListed := registerStaff(t, s, "郑洁", "13900009999", false)
	volunteer := registerVolunteer(t, s, "王芳", "13900001111", idNumber(1)) // on the list, but not staff

	res := importList(t, s, admin, hospitalList(t, "浙江省中医院"))
	if res.Activated != 1 {
		t.Errorf("activated %d, want 1", res.Activated)
	}
	cases := []struct {
		name    string
		user    domain.User
		status  domain.Status
		entryID bool
	}{
		{"phone and name match", match, domain.StatusActive, true},
		{"name differs", otherName, domain.StatusPending, false},
		{"not on the list", notListed, domain.StatusPending, false},
		{"a volunteer is not verified by the staff list", volunteer, domain.StatusPending, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.PersonByID(ctx, c.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != c.status {
				t.Errorf("status %s, want %s", p.Status, c.status)
			}
			if p.Staff != nil && (p.Staff.EligibilityEntryID != nil) != c.entryID {
				t.Errorf("eligibility_entry_id %v, want set: %v", p.Staff.EligibilityEntryID, c.entryID)
			}
			if got := count(auditActions(t, s, c.user.ID), "account.verify"); got != map[bool]int{true: 1}[c.entryID] {
				t.Errorf("%d account.verify audit events", got)
			}
		})
	}
	var phone string
	if err := s.SQL().QueryRowContext(ctx, `SELECT e.phone FROM staff_profiles sp JOIN eligibility_entries e ON e.id = sp.eligibility_entry_id
		WHERE sp.user_id = $1`, match.ID).Scan(&phone); err != nil || phone != "13900003333" {
		t.Errorf("matched entry phone %q, %v; want the staff member's own entry", phone, err)
	}
}
