package repository_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func TestRegisterStaffOnTheEligibilityListIsActiveAtOnce(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	importList(t, s, admin, checkedRows(t,
		[]string{"王芳", "13900001111", "杭州市西溪医院", "定点医院一线医务人员"},
		[]string{"李强", "13900002222", "杭州市急救中心", "emergency_center"},
	))
	cases := []struct {
		name, regName, phone string
		status               domain.Status
		eligible             bool
	}{
		{"same phone and name", "王芳", "139 0000 1111", domain.StatusActive, true},
		{"same phone, another name", "李刚", "13900002222", domain.StatusPending, false},
		{"name on the list, another phone", "王芳", "13900003333", domain.StatusPending, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := registerStaff(t, s, c.regName, c.phone, false)
			if u.Status != c.status {
				t.Errorf("status %s, want %s", u.Status, c.status)
			}
			p, err := s.PersonByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != c.status || p.Staff == nil || (p.Staff.EligibilityEntryID != nil) != c.eligible {
				t.Errorf("stored %+v, profile %+v: want status %s, matched to the list %v", p.User, p.Staff, c.status, c.eligible)
			}
		})
	}
}

func TestRegisterStaffRecordsConsents(t *testing.T) {
	s := testdb.Store(t)
	cases := []struct {
		name     string
		reg      domain.StaffRegistration
		children int
		kinds    []string
	}{
		{"no children", staffReg(t, "王芳", "13900001111", false), 0, []string{domain.ConsentPrivacy}},
		{"children with consent", staffReg(t, "李强", "13900002222", true), 1, []string{domain.ConsentPrivacy, domain.ConsentChildren}},
		{"children consent without children", func() domain.StaffRegistration {
			r := staffReg(t, "赵敏", "13900003333", false)
			r.ChildrenConsent = true
			return r
		}(), 0, []string{domain.ConsentPrivacy}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := s.RegisterStaff(ctx, "198.51.100.4", c.reg)
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.ExportMyData(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, cr := range d.Consents {
				kinds = append(kinds, cr.Kind)
				if cr.Version != domain.PrivacyNoticeVersion || cr.IP != "198.51.100.4" {
					t.Errorf("consent %+v: want version %s from 198.51.100.4", cr, domain.PrivacyNoticeVersion)
				}
			}
			if !slices.Equal(kinds, c.kinds) {
				t.Errorf("consents %v, want %v", kinds, c.kinds)
			}
			if len(d.Children) != c.children {
				t.Errorf("%d children stored, want %d", len(d.Children), c.children)
			}
		})
	}
}

func TestRegisterVolunteerWaitsWithQualifications(t *testing.T) {
	s := testdb.Store(t)
	u := registerVolunteer(t, s, "陈志强", "13700002222", idNumber(1))
	p, err := s.PersonByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != domain.StatusPending || p.Volunteer == nil {
		t.Fatalf("volunteer %+v: want pending with a profile", p)
	}
	if p.Volunteer.IDNumberMasked != domain.MaskIDNumber(idNumber(1)) || p.Volunteer.IDNumberHash == nil || *p.Volunteer.IDNumberHash == idNumber(1) {
		t.Errorf("ID number stored as %q / %v: want masked and hashed, never in full", p.Volunteer.IDNumberMasked, p.Volunteer.IDNumberHash)
	}
	var codes []string
	for _, q := range p.Qualifications {
		codes = append(codes, q.Code+":"+string(q.Status))
	}
	if !slices.Equal(codes, []string{"driver:pending", "tutor:pending"}) {
		t.Errorf("qualifications %v, want driver and tutor pending", codes)
	}
	d, err := s.ExportMyData(ctx, u.ID)
	if err != nil || len(d.Consents) != 1 || d.Consents[0].Kind != domain.ConsentPrivacy {
		t.Errorf("consents %+v, %v: want the privacy consent", d.Consents, err)
	}
}

func TestRegisterTakenPhoneOrIDNumber(t *testing.T) {
	s := testdb.Store(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	registerVolunteer(t, s, "陈志强", "13700002222", idNumber(1))

	_, err := s.RegisterVolunteer(ctx, "x", volunteerReg(t, "王芳", "13900001111", idNumber(2)))
	wantFieldErrors(t, err, domain.FieldErrors{"phone": "error.phone_taken"})
	_, err = s.RegisterStaff(ctx, "x", staffReg(t, "陈志强", "+86 137 0000 2222", false))
	wantFieldErrors(t, err, domain.FieldErrors{"phone": "error.phone_taken"})
	_, err = s.RegisterVolunteer(ctx, "x", volunteerReg(t, "陈志", "13700003333", idNumber(1)))
	wantFieldErrors(t, err, domain.FieldErrors{"id_number": "error.id_number_taken"})
	// Nothing of the refused registrations is left behind.
	if _, err := s.UserByPhone(ctx, "13700003333"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("refused volunteer's account exists: %v", err)
	}
}

func TestCreateOperatorChecksInput(t *testing.T) {
	s := testdb.Store(t)
	_, err := s.CreateOperator(ctx, repository.Actor{IP: "test"}, repository.NewAccount{Phone: "123", Password: "short", Name: "", Role: "root"})
	wantFieldErrors(t, err, domain.FieldErrors{"phone": "error.phone_invalid", "password": "error.password_short",
		"name": "error.required", "role": "error.choose_one"})
	u := newOperator(t, s, domain.RoleCoordinator, "135 0000 0001")
	if u.Status != domain.StatusActive || u.Role != domain.RoleCoordinator || u.Phone != "13500000001" {
		t.Errorf("operator %+v: want an active coordinator with a normalised phone", u)
	}
}

func wantFieldErrors(t *testing.T, err error, want domain.FieldErrors) {
	t.Helper()
	var fe domain.FieldErrors
	if !errors.As(err, &fe) || !maps.Equal(fe, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}
