package repository_test

import (
	"context"
	"fmt"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// Shared helpers for the repository tests: accounts made the way the app makes them, through the domain checks.

const (
	staffPassword     = "staff password 1"
	volunteerPassword = "volunteer password 1"
	operatorPassword  = "operator password 1"
)

var ctx = context.Background()

// newOperator makes an active operator account.
func newOperator(t testing.TB, s *repository.Store, role domain.Role, phone string) domain.User {
	t.Helper()
	u, err := s.CreateOperator(ctx, repository.Actor{IP: "test"},
		repository.NewAccount{Phone: phone, Password: operatorPassword, Name: "操作员" + phone[7:], Role: role})
	if err != nil {
		t.Fatalf("create %s %s: %v", role, phone, err)
	}
	return u
}

// staffReg is a checked staff registration; children adds one child with its consent.
func staffReg(t testing.TB, name, phone string, children bool) domain.StaffRegistration {
	t.Helper()
	r := domain.StaffRegistration{
		Account: domain.Account{Name: name, Phone: phone, Password: staffPassword, PrivacyConsent: true},
		Profile: domain.StaffProfile{Hospital: "杭州市西溪医院", Department: "感染科", Position: "护士", Category: "designated",
			District: "xihu", Address: "西湖区文一西路 100 号"},
	}
	var rows []domain.ChildForm
	if children {
		rows = []domain.ChildForm{{Name: "小明", BirthYear: "2016", Grade: "g4"}}
		r.ChildrenConsent = true
	}
	if fe := r.Check(rows, 2026); len(fe) > 0 {
		t.Fatalf("staff registration %s %s: %v", name, phone, fe)
	}
	return r
}

func registerStaff(t *testing.T, s *repository.Store, name, phone string, children bool) domain.User {
	t.Helper()
	u, err := s.RegisterStaff(ctx, "198.51.100.1", staffReg(t, name, phone, children))
	if err != nil {
		t.Fatalf("register staff %s %s: %v", name, phone, err)
	}
	return u
}

// idNumber makes a valid ID number; n tells people apart.
func idNumber(n int) string {
	first17 := fmt.Sprintf("33010619800101%03d", n)
	return first17 + string(domain.IDCheckChar(first17))
}

// volunteerReg is a checked volunteer registration offering driving and tutoring.
func volunteerReg(t testing.TB, name, phone, id string) domain.VolunteerRegistration {
	t.Helper()
	r := domain.VolunteerRegistration{
		Account: domain.Account{Name: name, Phone: phone, Password: volunteerPassword, PrivacyConsent: true},
		Profile: domain.VolunteerProfile{IDNumber: id, Districts: []string{"xihu"}, Availability: []string{"sat_am"}},
	}
	fe := r.Check([]string{domain.QualDriver, domain.QualTutor},
		map[string]string{domain.QualDriver: "浙A12345", domain.QualTutor: "数学"}, "")
	if len(fe) > 0 {
		t.Fatalf("volunteer registration %s %s: %v", name, phone, fe)
	}
	return r
}

func registerVolunteer(t *testing.T, s *repository.Store, name, phone, id string) domain.User {
	t.Helper()
	u, err := s.RegisterVolunteer(ctx, "198.51.100.2", volunteerReg(t, name, phone, id))
	if err != nil {
		t.Fatalf("register volunteer %s %s: %v", name, phone, err)
	}
	return u
}

// checkedRows parses an eligibility list with a Chinese header; each row is name, phone, hospital, category.
func checkedRows(t testing.TB, rows ...[]string) []domain.EligibilityRow {
	t.Helper()
	out, err := domain.CheckEligibilityRows(append([][]string{{"姓名", "手机号", "医院", "类别"}}, rows...))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// importList uploads and confirms a list.
func importList(t testing.TB, s *repository.Store, admin domain.User, rows []domain.EligibilityRow) repository.ImportResult {
	t.Helper()
	id, err := s.SaveEligibilityPreview(ctx, repository.Actor{UserID: admin.ID, IP: "test"}, "list.csv", rows)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ConfirmEligibility(ctx, repository.Actor{UserID: admin.ID, IP: "test"}, id)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// auditActions lists the actions of the audit events about a person, oldest first.
func auditActions(t *testing.T, s *repository.Store, userID int64) []string {
	t.Helper()
	log, err := s.AuditLog(ctx, repository.AuditFilter{SubjectUserID: userID, Limit: 1000}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	entries := log.Rows
	out := make([]string, len(entries))
	for i, e := range entries {
		out[len(entries)-1-i] = e.Action
	}
	return out
}

func count(actions []string, action string) int {
	n := 0
	for _, a := range actions {
		if a == action {
			n++
		}
	}
	return n
}
