package repository_test

import (
	"errors"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func TestResetLinkWorksOnce(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	token, err := s.IssueResetLink(ctx, repository.Actor{UserID: admin.ID, IP: "test"}, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.CheckResetLink(ctx, token); err != nil || u.ID != staff.ID {
		t.Fatalf("check a fresh link: %+v, %v; want the staff member", u, err)
	}
	const newPassword = "a brand new password"
	u, err := s.ResetPassword(ctx, "198.51.100.1", token, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != staff.ID || u.SessionVersion != staff.SessionVersion+1 {
		t.Errorf("after reset: %+v; want session version %d so other sessions end", u, staff.SessionVersion+1)
	}
	if stored, _ := s.UserByID(ctx, staff.ID); stored.SessionVersion != staff.SessionVersion+1 {
		t.Errorf("stored session version %d, want %d", stored.SessionVersion, staff.SessionVersion+1)
	}
	if _, err := s.Login(ctx, "13900001111", newPassword, "198.51.100.1"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if _, err := s.Login(ctx, "13900001111", staffPassword, "198.51.100.1"); !errors.Is(err, domain.ErrBadLogin) {
		t.Errorf("login with the old password: err = %v, want ErrBadLogin", err)
	}

	if _, err := s.ResetPassword(ctx, "198.51.100.1", token, "yet another password"); !errors.Is(err, domain.ErrResetLinkInvalid) {
		t.Errorf("second use: err = %v, want ErrResetLinkInvalid", err)
	}
	if _, err := s.CheckResetLink(ctx, token); !errors.Is(err, domain.ErrResetLinkInvalid) {
		t.Errorf("check a used link: err = %v, want ErrResetLinkInvalid", err)
	}
	if _, err := s.Login(ctx, "13900001111", newPassword, "198.51.100.1"); err != nil {
		t.Errorf("the refused second use changed the password: %v", err)
	}
	if got := auditActions(t, s, staff.ID); count(got, "password.reset_link") != 1 || count(got, "password.reset") != 1 {
		t.Errorf("audit %v: want one reset_link and one reset", got)
	}
}

func TestResetLinkGarbage(t *testing.T) {
	s := testdb.Store(t)
	for _, token := range []string{"", "garbage", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "'; DROP TABLE users; --"} {
		if _, err := s.CheckResetLink(ctx, token); !errors.Is(err, domain.ErrResetLinkInvalid) {
			t.Errorf("CheckResetLink(%q): err = %v, want ErrResetLinkInvalid", token, err)
		}
		if _, err := s.ResetPassword(ctx, "x", token, "some new password"); !errors.Is(err, domain.ErrResetLinkInvalid) {
			t.Errorf("ResetPassword(%q): err = %v, want ErrResetLinkInvalid", token, err)
		}
	}
}

func TestNewResetLinkLeavesOlderOnesWorking(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	actor := repository.Actor{UserID: admin.ID, IP: "test"}
	first, err := s.IssueResetLink(ctx, actor, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.IssueResetLink(ctx, actor, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Fatal("two reset links are the same token")
	}
	for _, tok := range []string{first, second} {
		if _, err := s.CheckResetLink(ctx, tok); err != nil {
			t.Errorf("link %q: %v", tok, err)
		}
	}
	if _, err := s.IssueResetLink(ctx, actor, 999999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("link for an unknown account: err = %v, want ErrNotFound", err)
	}
}

func TestChangePassword(t *testing.T) {
	s := testdb.Store(t)
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	actor := repository.Actor{UserID: staff.ID, IP: "198.51.100.1"}

	_, err := s.ChangePassword(ctx, actor, "not my password", "a brand new password")
	wantFieldErrors(t, err, domain.FieldErrors{"current": "error.password_wrong"})
	if u, _ := s.UserByID(ctx, staff.ID); u.SessionVersion != staff.SessionVersion {
		t.Errorf("a refused change ended the sessions (version %d)", u.SessionVersion)
	}
	if _, err := s.Login(ctx, "13900001111", staffPassword, "198.51.100.1"); err != nil {
		t.Fatalf("the old password after a refused change: %v", err)
	}
	if _, err := s.Login(ctx, "13900001111", "a brand new password", "198.51.100.1"); !errors.Is(err, domain.ErrBadLogin) {
		t.Fatalf("the new password after a refused change: err = %v, want ErrBadLogin", err)
	}

	u, err := s.ChangePassword(ctx, actor, staffPassword, "a brand new password")
	if err != nil {
		t.Fatal(err)
	}
	if u.SessionVersion != staff.SessionVersion+1 {
		t.Errorf("session version %d, want %d", u.SessionVersion, staff.SessionVersion+1)
	}
	if _, err := s.Login(ctx, "13900001111", "a brand new password", "198.51.100.1"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, err := s.Login(ctx, "13900001111", staffPassword, "198.51.100.1"); !errors.Is(err, domain.ErrBadLogin) {
		t.Errorf("the old password after the change: err = %v, want ErrBadLogin", err)
	}
}
