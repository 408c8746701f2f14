package repository_test

import (
	"errors"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func TestRevealPhoneIsAudited(t *testing.T) {
	s := testdb.Store(t)
	coord := newOperator(t, s, domain.RoleCoordinator, "13500000001")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	phone, err := s.RevealPhone(ctx, repository.Actor{UserID: coord.ID, IP: "203.0.113.7"}, staff.ID)
	if err != nil || phone != "13900001111" {
		t.Fatalf("reveal: %q, %v; want the full phone", phone, err)
	}
	log, err := s.AuditLog(ctx, repository.AuditFilter{SubjectUserID: staff.ID}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	entries := log.Rows
	var reveals []repository.AuditEntry
	for _, e := range entries {
		if e.Action == "phone.reveal" {
			reveals = append(reveals, e)
		}
	}
	if len(reveals) != 1 {
		t.Fatalf("%d phone.reveal events, want 1: %+v", len(reveals), entries)
	}
	e := reveals[0]
	if e.ActorID == nil || *e.ActorID != coord.ID || e.ActorName != coord.Name || e.ActorIP != "203.0.113.7" ||
		e.SubjectID == nil || *e.SubjectID != staff.ID || e.At.IsZero() {
		t.Errorf("reveal event %+v: want actor %d (%s) from 203.0.113.7 about %d", e, coord.ID, coord.Name, staff.ID)
	}
	if _, err := s.RevealPhone(ctx, repository.Actor{UserID: coord.ID, IP: "x"}, 999999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown account: err = %v, want ErrNotFound", err)
	}
}

func TestSuspendEndsSessions(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	actor := repository.Actor{UserID: admin.ID, IP: "test"}
	before, err := s.UserByID(ctx, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, actor, staff.ID, domain.StatusSuspended, "冒用身份"); err != nil {
		t.Fatal(err)
	}
	after, err := s.UserByID(ctx, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != domain.StatusSuspended || after.StatusReason != "冒用身份" || after.SessionVersion != before.SessionVersion+1 {
		t.Errorf("suspended: %+v (was version %d); want suspended, the reason, and a new session version", after, before.SessionVersion)
	}
	if err := s.SetStatus(ctx, actor, staff.ID, domain.StatusActive, ""); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.UserByID(ctx, staff.ID); u.Status != domain.StatusActive || u.StatusReason != "" {
		t.Errorf("reactivated: %+v", u)
	}
	if got := count(auditActions(t, s, staff.ID), "account.status"); got != 2 {
		t.Errorf("%d account.status audit events, want 2", got)
	}
}

func TestOperatorCannotSuspendThemself(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	err := s.SetStatus(ctx, repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "test"}, admin.ID, domain.StatusSuspended, "离职")
	if !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("self-suspension: err = %v, want ErrForbidden", err)
	}
	u, err := s.UserByID(ctx, admin.ID)
	if err != nil || u.Status != domain.StatusActive || u.SessionVersion != admin.SessionVersion {
		t.Errorf("after a refused self-suspension: %+v, %v; want unchanged", u, err)
	}
	if _, err := s.Login(ctx, "13500000001", operatorPassword, "test"); err != nil {
		t.Errorf("login after a refused self-suspension: %v", err)
	}
}

func TestListPeople(t *testing.T) {
	s := testdb.Store(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	registerStaff(t, s, "王小芳", "13900002222", false)
	registerVolunteer(t, s, "陈志强", "13700001111", idNumber(1))
	cases := []struct {
		name  string
		f     repository.PeopleFilter
		names []string
	}{
		{"staff, newest first", repository.PeopleFilter{Role: domain.RoleStaff}, []string{"王小芳", "王芳"}},
		{"name fragment", repository.PeopleFilter{Query: "小芳"}, []string{"王小芳"}},
		{"last digits of a phone", repository.PeopleFilter{Query: "1111"}, []string{"陈志强", "王芳"}},
		{"middle digits are not a match", repository.PeopleFilter{Query: "0000"}, nil},
		{"LIKE wildcards are literal", repository.PeopleFilter{Query: "%"}, nil},
		{"role and phone digits together", repository.PeopleFilter{Role: domain.RoleStaff, Query: "1111"}, []string{"王芳"}},
		{"status and name together", repository.PeopleFilter{Status: domain.StatusActive, Query: "王"}, nil},
		{"status", repository.PeopleFilter{Status: domain.StatusActive}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			users, err := s.ListPeople(ctx, c.f, domain.Cursor{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range users.Rows {
				names = append(names, u.Name)
			}
			if users.Count.N != int64(len(c.names)) || len(names) != len(c.names) {
				t.Fatalf("got %v (counted %+v), want %v", names, users.Count, c.names)
			}
			for i := range names {
				if names[i] != c.names[i] {
					t.Errorf("got %v, want %v", names, c.names)
				}
			}
		})
	}
}
