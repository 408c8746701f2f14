package domain_test

import (
	"maps"
	"strings"
	"testing"

	"guanai/domain"
)

const thisYear = 2026

func validStaff() (domain.StaffRegistration, []domain.ChildForm) {
	r := domain.StaffRegistration{
		Account: domain.Account{Name: " 刘晓燕 ", Phone: "+86 139-0000-1111", Password: "long enough pw", PrivacyConsent: true},
		Profile: domain.StaffProfile{Hospital: " 杭州市西溪医院 ", Department: "感染科", Position: "护士", Category: "designated",
			District: "xihu", Address: "西湖区文一西路"},
		ChildrenConsent: true,
	}
	children := []domain.ChildForm{{Name: "小明", BirthYear: "２０１６", Grade: "g4"}, {}, {}}
	return r, children
}

func TestStaffRegistrationCheckNormalises(t *testing.T) {
	r, children := validStaff()
	if fe := r.Check(children, thisYear); len(fe) != 0 {
		t.Fatalf("a valid registration got errors %v", fe)
	}
	if r.Name != "刘晓燕" || r.Phone != "13900001111" || r.Profile.Hospital != "杭州市西溪医院" {
		t.Errorf("not normalised: name %q phone %q hospital %q", r.Name, r.Phone, r.Profile.Hospital)
	}
	want := []domain.Child{{Name: "小明", BirthYear: 2016, Grade: "g4"}}
	if len(r.Profile.Children) != 1 || r.Profile.Children[0] != want[0] {
		t.Errorf("children = %+v, want %+v (blank rows dropped)", r.Profile.Children, want)
	}
}

type staffForm struct {
	r        *domain.StaffRegistration
	children *[]domain.ChildForm
}

func TestStaffRegistrationCheck(t *testing.T) {
	cases := []struct {
		name   string
		change func(f staffForm)
		want   domain.FieldErrors
	}{
		{"no name", func(f staffForm) { f.r.Name = "  " },
			domain.FieldErrors{"name": "error.required"}},
		{"name too long", func(f staffForm) { f.r.Name = strings.Repeat("王", 51) },
			domain.FieldErrors{"name": "error.too_long"}},
		{"no phone", func(f staffForm) { f.r.Phone = "" },
			domain.FieldErrors{"phone": "error.required"}},
		{"landline", func(f staffForm) { f.r.Phone = "0571-8888 1234" },
			domain.FieldErrors{"phone": "error.phone_invalid"}},
		{"no password", func(f staffForm) { f.r.Password = "" },
			domain.FieldErrors{"password": "error.required"}},
		{"short password", func(f staffForm) { f.r.Password = "1234567" },
			domain.FieldErrors{"password": "error.password_short"}},
		{"long password", func(f staffForm) { f.r.Password = strings.Repeat("p", 129) },
			domain.FieldErrors{"password": "error.password_long"}},
		{"no privacy consent", func(f staffForm) { f.r.PrivacyConsent = false },
			domain.FieldErrors{"privacy_consent": "error.consent_required"}},
		{"no hospital", func(f staffForm) { f.r.Profile.Hospital = " " },
			domain.FieldErrors{"hospital": "error.required"}},
		{"hospital too long", func(f staffForm) { f.r.Profile.Hospital = strings.Repeat("院", 101) },
			domain.FieldErrors{"hospital": "error.too_long"}},
		{"no department", func(f staffForm) { f.r.Profile.Department = "" },
			domain.FieldErrors{"department": "error.required"}},
		{"no position", func(f staffForm) { f.r.Profile.Position = "" },
			domain.FieldErrors{"position": "error.required"}},
		{"no address", func(f staffForm) { f.r.Profile.Address = "" },
			domain.FieldErrors{"address": "error.required"}},
		{"unknown category", func(f staffForm) { f.r.Profile.Category = "援鄂医疗队员" },
			domain.FieldErrors{"category": "error.choose_one"}},
		{"unknown district", func(f staffForm) { f.r.Profile.District = "chaoyang" },
			domain.FieldErrors{"district": "error.choose_one"}},
		{"child without a name", func(f staffForm) { (*f.children)[0].Name = "" },
			domain.FieldErrors{"child_name_0": "error.required"}},
		{"child name too long", func(f staffForm) { (*f.children)[0].Name = strings.Repeat("明", 51) },
			domain.FieldErrors{"child_name_0": "error.too_long"}},
		{"child born in the future", func(f staffForm) { (*f.children)[0].BirthYear = "2027" },
			domain.FieldErrors{"child_birth_year_0": "error.birth_year"}},
		{"child too old", func(f staffForm) { (*f.children)[0].BirthYear = "2000" },
			domain.FieldErrors{"child_birth_year_0": "error.birth_year"}},
		{"birth year not a number", func(f staffForm) { (*f.children)[0].BirthYear = "二〇一六" },
			domain.FieldErrors{"child_birth_year_0": "error.birth_year"}},
		{"unknown grade", func(f staffForm) { (*f.children)[0].Grade = "g13" },
			domain.FieldErrors{"child_grade_0": "error.choose_one"}},
		{"second child row is checked with its own index", func(f staffForm) {
			(*f.children)[2] = domain.ChildForm{Name: "小红", BirthYear: "2019", Grade: "x"}
		}, domain.FieldErrors{"child_grade_2": "error.choose_one"}},
		{"children without their consent", func(f staffForm) { f.r.ChildrenConsent = false },
			domain.FieldErrors{"children_consent": "error.children_consent_required"}},
		{"no children need no children consent", func(f staffForm) {
			f.r.ChildrenConsent = false
			*f.children = []domain.ChildForm{{}, {Name: " ", BirthYear: " "}}
		}, domain.FieldErrors{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, children := validStaff()
			c.change(staffForm{&r, &children})
			if got := r.Check(children, thisYear); !maps.Equal(got, c.want) {
				t.Errorf("Check = %v, want %v", got, c.want)
			}
		})
	}
}

func validVolunteer() (r domain.VolunteerRegistration, quals []string, details map[string]string, capacity string) {
	r = domain.VolunteerRegistration{
		Account: domain.Account{Name: "陈志强", Phone: "13700002222", Password: "volunteer pw", PrivacyConsent: true},
		Profile: domain.VolunteerProfile{IDNumber: "11010519491231002x", Districts: []string{"xihu", "binjiang"},
			Availability: []string{"sat_am", "sun_pm"}},
	}
	return r, []string{"driver", "errands"}, map[string]string{"driver": " 浙A12345 "}, ""
}

func TestVolunteerRegistrationCheckNormalises(t *testing.T) {
	r, quals, details, capacity := validVolunteer()
	if fe := r.Check(quals, details, capacity); len(fe) != 0 {
		t.Fatalf("a valid registration got errors %v", fe)
	}
	p := r.Profile
	if p.IDNumber != "11010519491231002X" {
		t.Errorf("ID number %q: want upper-case X", p.IDNumber)
	}
	if p.Capacity != 2 {
		t.Errorf("capacity %d: want the default 2", p.Capacity)
	}
	want := []domain.QualificationClaim{{Code: "driver", Detail: "浙A12345"}, {Code: "errands"}}
	if len(p.Qualifications) != 2 || p.Qualifications[0] != want[0] || p.Qualifications[1] != want[1] {
		t.Errorf("qualifications %+v, want %+v", p.Qualifications, want)
	}
	r, quals, details, _ = validVolunteer()
	if fe := r.Check(quals, details, "５"); len(fe) != 0 || r.Profile.Capacity != 5 {
		t.Errorf("capacity ５: errors %v, capacity %d; want 5", fe, r.Profile.Capacity)
	}
}

func TestVolunteerRegistrationCheck(t *testing.T) {
	type form struct {
		r        *domain.VolunteerRegistration
		quals    *[]string
		details  map[string]string
		capacity *string
	}
	cases := []struct {
		name   string
		change func(f form)
		want   domain.FieldErrors
	}{
		{"no name", func(f form) { f.r.Name = "" }, domain.FieldErrors{"name": "error.required"}},
		{"bad phone", func(f form) { f.r.Phone = "1370000222" }, domain.FieldErrors{"phone": "error.phone_invalid"}},
		{"short password", func(f form) { f.r.Password = "short" }, domain.FieldErrors{"password": "error.password_short"}},
		{"no consent", func(f form) { f.r.PrivacyConsent = false }, domain.FieldErrors{"privacy_consent": "error.consent_required"}},
		{"no ID number", func(f form) { f.r.Profile.IDNumber = " " }, domain.FieldErrors{"id_number": "error.required"}},
		{"wrong check character", func(f form) { f.r.Profile.IDNumber = "110105194912310021" },
			domain.FieldErrors{"id_number": "error.id_number_invalid"}},
		{"ID number too short", func(f form) { f.r.Profile.IDNumber = "1101051949" },
			domain.FieldErrors{"id_number": "error.id_number_invalid"}},
		{"no district", func(f form) { f.r.Profile.Districts = nil }, domain.FieldErrors{"districts": "error.choose_at_least_one"}},
		{"unknown district", func(f form) { f.r.Profile.Districts = []string{"xihu", "pudong"} },
			domain.FieldErrors{"districts": "error.choose_one"}},
		{"no qualification", func(f form) { *f.quals = nil }, domain.FieldErrors{"qualifications": "error.choose_at_least_one"}},
		{"unknown qualification", func(f form) { *f.quals = []string{"pilot"} }, domain.FieldErrors{"qualifications": "error.choose_one"}},
		{"driver without a plate", func(f form) { delete(f.details, "driver") }, domain.FieldErrors{"detail_driver": "error.required"}},
		{"counsellor without a licence", func(f form) { *f.quals = []string{"licensed_counsellor"} },
			domain.FieldErrors{"detail_licensed_counsellor": "error.required"}},
		{"tutor without subjects", func(f form) { *f.quals = []string{"tutor"}; f.details["tutor"] = "  " },
			domain.FieldErrors{"detail_tutor": "error.required"}},
		{"detail too long", func(f form) { f.details["driver"] = strings.Repeat("车", 101) },
			domain.FieldErrors{"detail_driver": "error.too_long"}},
		{"errands alone need no detail", func(f form) { *f.quals = []string{"errands"} }, domain.FieldErrors{}},
		{"no availability", func(f form) { f.r.Profile.Availability = nil },
			domain.FieldErrors{"availability": "error.choose_at_least_one"}},
		{"unknown slot", func(f form) { f.r.Profile.Availability = []string{"sat_am", "sat_night"} },
			domain.FieldErrors{"availability": "error.choose_one"}},
		{"capacity zero", func(f form) { *f.capacity = "0" }, domain.FieldErrors{"capacity": "error.capacity"}},
		{"capacity above the most", func(f form) { *f.capacity = "11" }, domain.FieldErrors{"capacity": "error.capacity"}},
		{"capacity not a number", func(f form) { *f.capacity = "two" }, domain.FieldErrors{"capacity": "error.capacity"}},
		{"capacity ten", func(f form) { *f.capacity = "10" }, domain.FieldErrors{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, quals, details, capacity := validVolunteer()
			c.change(form{&r, &quals, details, &capacity})
			if got := r.Check(quals, details, capacity); !maps.Equal(got, c.want) {
				t.Errorf("Check = %v, want %v", got, c.want)
			}
		})
	}
}
