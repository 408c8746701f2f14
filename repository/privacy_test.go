package repository_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func TestExportMyData(t *testing.T) {
	s := testdb.Store(t)
	staff := registerStaff(t, s, "王芳", "13900001111", true)
	d, err := s.ExportMyData(ctx, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Account["phone"] != "13900001111" || d.Account["name"] != "王芳" {
		t.Errorf("account %v: want the person's phone and name", d.Account)
	}
	if d.StaffProfile == nil || d.StaffProfile.Hospital != "杭州市西溪医院" || d.StaffProfile.Address == "" {
		t.Errorf("staff profile %+v", d.StaffProfile)
	}
	if len(d.Children) != 1 || d.Children[0].Name != "小明" || d.Children[0].BirthYear != 2016 {
		t.Errorf("children %+v: want 小明, 2016", d.Children)
	}
	if len(d.Consents) != 2 {
		t.Errorf("consents %+v: want privacy and children_data", d.Consents)
	}
	if len(d.Activity) == 0 || d.Activity[0].Action != "account.register" {
		t.Errorf("activity %+v: want the registration", d.Activity)
	}
	// The download is JSON: everything above must be in it.
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"13900001111", "王芳", "小明", domain.ConsentPrivacy, domain.ConsentChildren, domain.PrivacyNoticeVersion, "account.register"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("download lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "argon2") {
		t.Error("download contains the password hash")
	}
}

func TestCloseStaffAccount(t *testing.T) {
	s := testdb.Store(t)
	staff := registerStaff(t, s, "王芳", "13900001111", true)
	actor := repository.Actor{UserID: staff.ID, IP: "198.51.100.1"}

	err := s.CloseAccount(ctx, actor, "not my password")
	wantFieldErrors(t, err, domain.FieldErrors{"password": "error.password_wrong"})
	if u, _ := s.UserByID(ctx, staff.ID); u.Status != domain.StatusPending || u.Phone != "13900001111" {
		t.Fatalf("a refused close changed the account: %+v", u)
	}

	if err := s.CloseAccount(ctx, actor, staffPassword); err != nil {
		t.Fatal(err)
	}
	p, err := s.PersonByID(ctx, staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != domain.StatusClosed || p.Phone != "" || p.Name == "王芳" || p.SessionVersion != staff.SessionVersion+1 {
		t.Errorf("closed account %+v: want closed, no phone, an anonymous name and a new session version", p.User)
	}
	if len(p.Children) != 0 {
		t.Errorf("children kept: %+v", p.Children)
	}
	if p.Staff == nil || p.Staff.Address != "" || p.Staff.Department != "" || p.Staff.Position != "" {
		t.Errorf("staff profile %+v: want address, department and position cleared", p.Staff)
	}
	if _, err := s.UserByPhone(ctx, "13900001111"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the closed account is still found by its phone: %v", err)
	}
	if _, err := s.Login(ctx, "13900001111", staffPassword, "198.51.100.1"); !errors.Is(err, domain.ErrBadLogin) {
		t.Errorf("login to a closed account: err = %v, want ErrBadLogin", err)
	}
	if got := auditActions(t, s, staff.ID); count(got, "account.close") != 1 {
		t.Errorf("audit %v: want one account.close", got)
	}

	// The phone is free: the same person can register again.
	again := registerStaff(t, s, "王芳", "13900001111", false)
	if again.ID == staff.ID || again.Status != domain.StatusPending {
		t.Errorf("registering again: %+v", again)
	}
}

func TestCloseVolunteerAccountFreesIDNumber(t *testing.T) {
	s := testdb.Store(t)
	id := idNumber(7)
	vol := registerVolunteer(t, s, "陈志强", "13700002222", id)
	if err := s.CloseAccount(ctx, repository.Actor{UserID: vol.ID, IP: "x"}, volunteerPassword); err != nil {
		t.Fatal(err)
	}
	p, err := s.PersonByID(ctx, vol.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != domain.StatusClosed || p.Volunteer == nil || p.Volunteer.IDNumberHash != nil || p.Volunteer.IDNumberMasked != "" {
		t.Errorf("closed volunteer %+v / %+v: want the ID number's hash and mask cleared", p.User, p.Volunteer)
	}
	for _, q := range p.Qualifications {
		if q.Detail != "" {
			t.Errorf("qualification %s keeps its detail %q", q.Code, q.Detail)
		}
	}
	registerVolunteer(t, s, "陈志强", "13700002222", id)
}
