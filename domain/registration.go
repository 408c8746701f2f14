package domain

import (
	"slices"
	"strconv"
	"strings"
)

// PrivacyNoticeVersion is the version of the privacy notice a registration consents to. Change it when the notice's
// text changes, so each consent records which text the person saw.
const PrivacyNoticeVersion = "2026-12-01"

// Consent kinds recorded with time and version.
const (
	ConsentPrivacy  = "privacy"
	ConsentChildren = "children_data"
)

// Grades a child can be in, from kindergarten to the last year of senior high school.
var Grades = []string{"k", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10", "g11", "g12"}

// Child is a staff member's child, for tutoring and interest classes.
type Child struct {
	Name      string
	BirthYear int
	Grade     string
}

// StaffProfile is what a frontline medical worker tells us about their work and family.
type StaffProfile struct {
	Hospital   string
	Department string
	Position   string
	Category   string
	District   string
	Address    string
	Children   []Child
}

// Account is the part of a registration every person fills in.
type Account struct {
	Name           string
	Phone          string
	Password       string
	PrivacyConsent bool
}

// StaffRegistration is a filled-in staff registration form.
type StaffRegistration struct {
	Account
	Profile         StaffProfile
	ChildrenConsent bool
}

// ChildForm is one row of the children table as typed; ChildRows turns rows into Children.
type ChildForm struct {
	Name, BirthYear, Grade string
}

const textMaxLen = 100

// Check normalises the registration in place and returns what is wrong with it. thisYear bounds birth years.
func (r *StaffRegistration) Check(children []ChildForm, thisYear int) FieldErrors {
	fe := FieldErrors{}
	r.Account.check(fe)
	p := &r.Profile
	p.Hospital = requiredText(fe, "hospital", p.Hospital)
	p.Department = requiredText(fe, "department", p.Department)
	p.Position = requiredText(fe, "position", p.Position)
	p.Address = requiredText(fe, "address", p.Address)
	if !IsFrontlineCategory(p.Category) {
		fe.Add("category", "error.choose_one")
	}
	if !IsDistrict(p.District) {
		fe.Add("district", "error.choose_one")
	}
	p.Children = checkChildren(fe, children, thisYear)
	if len(p.Children) > 0 && !r.ChildrenConsent {
		fe.Add("children_consent", "error.children_consent_required")
	}
	return fe
}

func (r *Account) check(fe FieldErrors) {
	var key string
	if r.Name, key = CleanName(r.Name); key != "" {
		fe.Add("name", key)
	}
	if r.Phone, key = CheckPhone(r.Phone); key != "" {
		fe.Add("phone", key)
	}
	if key = CheckPassword(r.Password); key != "" {
		fe.Add("password", key)
	}
	if !r.PrivacyConsent {
		fe.Add("privacy_consent", "error.consent_required")
	}
}

func checkChildren(fe FieldErrors, rows []ChildForm, thisYear int) []Child {
	var out []Child
	for i, row := range rows {
		name := strings.TrimSpace(row.Name)
		year := strings.TrimSpace(ToHalfWidth(row.BirthYear))
		if name == "" && year == "" && row.Grade == "" {
			continue
		}
		idx := strconv.Itoa(i)
		var key string
		if name, key = CleanName(name); key != "" {
			fe.Add("child_name_"+idx, key)
		}
		y, err := strconv.Atoi(year)
		if err != nil || y < thisYear-25 || y > thisYear {
			fe.Add("child_birth_year_"+idx, "error.birth_year")
		}
		if !slices.Contains(Grades, row.Grade) {
			fe.Add("child_grade_"+idx, "error.choose_one")
		}
		out = append(out, Child{Name: name, BirthYear: y, Grade: row.Grade})
	}
	return out
}

func requiredText(fe FieldErrors, field, s string) string {
	s, key := cleanText(s, textMaxLen)
	if key != "" {
		fe.Add(field, key)
	}
	return s
}

// Volunteer qualification codes.
const (
	QualDriver     = "driver"
	QualCounsellor = "licensed_counsellor"
	QualTutor      = "tutor"
	QualErrands    = "errands"
)

// QualificationStatus is where a coordinator's check of a volunteer's qualification stands.
type QualificationStatus string

// Qualification statuses: a claim waits until a coordinator verifies or rejects it; only a verified one brings
// offers from the programs that need it.
const (
	QualificationPending  QualificationStatus = "pending"
	QualificationVerified QualificationStatus = "verified"
	QualificationRejected QualificationStatus = "rejected"
)

// QualificationClaim is a qualification a volunteer says they have, with its detail: the vehicle plate for a
// driver, the licence number for a counsellor, the subjects for a tutor.
type QualificationClaim struct {
	Code   string
	Detail string
}

// Weekdays and parts of the day make the weekly availability grid; a slot is "mon_am".
var (
	Weekdays   = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	DayParts   = []string{"am", "pm", "eve"}
	MaxPairing = 10
)

// ValidSlot reports whether s is a slot of the weekly grid.
func ValidSlot(s string) bool {
	day, part, ok := strings.Cut(s, "_")
	return ok && slices.Contains(Weekdays, day) && slices.Contains(DayParts, part)
}

// VolunteerProfile is what a volunteer offers.
type VolunteerProfile struct {
	IDNumber       string // in full only between the form and the repository; stored masked and hashed
	Districts      []string
	Qualifications []QualificationClaim
	Availability   []string
	Capacity       int
}

// VolunteerRegistration is a filled-in volunteer registration form.
type VolunteerRegistration struct {
	Account
	Profile VolunteerProfile
}

// Check normalises the registration in place and returns what is wrong with it. details maps a qualification code
// to its detail field as typed; capacity is as typed ("" means the default of 2).
func (r *VolunteerRegistration) Check(quals []string, details map[string]string, capacity string) FieldErrors {
	fe := FieldErrors{}
	r.Account.check(fe)
	p := &r.Profile
	p.IDNumber = NormalizeIDNumber(p.IDNumber)
	if p.IDNumber == "" {
		fe.Add("id_number", "error.required")
	} else if !ValidIDNumber(p.IDNumber) {
		fe.Add("id_number", "error.id_number_invalid")
	}
	p.Qualifications, p.Capacity = checkOffer(fe, p.Districts, quals, details, p.Availability, capacity)
	return fe
}

// checkOffer checks what a volunteer offers — the districts they serve, their qualifications with details, their
// weekly availability and capacity — the same at registration and on their profile page. capacity is as typed
// ("" means the default of 2).
func checkOffer(fe FieldErrors, districts, quals []string, details map[string]string, availability []string, capacity string) ([]QualificationClaim, int) {
	if len(districts) == 0 {
		fe.Add("districts", "error.choose_at_least_one")
	}
	for _, d := range districts {
		if !IsDistrict(d) {
			fe.Add("districts", "error.choose_one")
		}
	}
	claims := checkQualifications(fe, quals, details)
	for _, s := range availability {
		if !ValidSlot(s) {
			fe.Add("availability", "error.choose_one")
		}
	}
	if len(availability) == 0 {
		fe.Add("availability", "error.choose_at_least_one")
	}
	n := 2
	if c := strings.TrimSpace(ToHalfWidth(capacity)); c != "" {
		var err error
		if n, err = strconv.Atoi(c); err != nil || n < 1 || n > MaxPairing {
			fe.Add("capacity", "error.capacity")
		}
	}
	return claims, n
}

// checkQualifications reads the qualifications ticked, each with its detail; a code ticked twice counts once.
func checkQualifications(fe FieldErrors, codes []string, details map[string]string) []QualificationClaim {
	var out []QualificationClaim
	for _, code := range codes {
		if !IsQualification(code) {
			fe.Add("qualifications", "error.choose_one")
			continue
		}
		if slices.ContainsFunc(out, func(q QualificationClaim) bool { return q.Code == code }) {
			continue
		}
		detail, key := cleanText(details[code], textMaxLen)
		if key != "" && (code != QualErrands || key != "error.required") {
			fe.Add("detail_"+code, key)
		}
		out = append(out, QualificationClaim{Code: code, Detail: detail})
	}
	if len(out) == 0 {
		fe.Add("qualifications", "error.choose_at_least_one")
	}
	return out
}
