package domain

import (
	"slices"
	"strconv"
	"strings"
)

// MaxVehicleSeats is the most passenger seats a driver can give (migrations/00011_care.sql checks 1–9 too).
const MaxVehicleSeats = 9

// VolunteerFactsForm is what a volunteer keeps up to date for matching, as typed on their profile page: what they
// gave at registration, and what a driver's car and a tutor's teaching are.
type VolunteerFactsForm struct {
	Districts      []string
	Qualifications []string
	Details        map[string]string // qualification code -> its detail as typed
	Availability   []string
	Capacity       string
	VehicleSeats   string   // a driver's
	Subjects       []string // a tutor's, from Subjects
	GradeFrom      string   // a tutor's range of grades, codes of Grades; both "" for any grade
	GradeTo        string
}

// VolunteerFacts are a volunteer's checked facts for matching.
type VolunteerFacts struct {
	Districts      []string
	Qualifications []QualificationClaim
	Availability   []string
	Capacity       int
	VehicleSeats   int      // 0 unless a driver
	Subjects       []string // nil unless a tutor
	GradeFrom      int      // GradeIndex; -1 when any grade will do (or not a tutor)
	GradeTo        int
}

// Has reports whether the facts claim a qualification.
func (v VolunteerFacts) Has(code string) bool {
	return slices.ContainsFunc(v.Qualifications, func(q QualificationClaim) bool { return q.Code == code })
}

// Check turns the form into facts, or says at each field what is wrong. Districts, qualifications, availability and
// capacity are checked as at registration; a driver says how many seats the car has, a tutor which subjects and,
// if not every grade, from which grade to which. What a qualification not claimed would say is dropped.
func (f VolunteerFactsForm) Check() (VolunteerFacts, FieldErrors) {
	fe := FieldErrors{}
	v := VolunteerFacts{Districts: f.Districts, Availability: f.Availability, GradeFrom: -1, GradeTo: -1}
	v.Qualifications, v.Capacity = checkOffer(fe, f.Districts, f.Qualifications, f.Details, f.Availability, f.Capacity)
	if v.Has(QualDriver) {
		seats := strings.TrimSpace(ToHalfWidth(f.VehicleSeats))
		n, err := strconv.Atoi(seats)
		switch {
		case seats == "":
			fe.Add("vehicle_seats", "error.required")
		case err != nil || n < 1 || n > MaxVehicleSeats:
			fe.Add("vehicle_seats", "volunteer_profile.error_seats")
		default:
			v.VehicleSeats = n
		}
	}
	if v.Has(QualTutor) {
		if len(f.Subjects) == 0 {
			fe.Add("subjects", "error.choose_at_least_one")
		}
		for _, s := range f.Subjects {
			if !slices.Contains(Subjects, s) {
				fe.Add("subjects", "error.choose_one")
			} else if !slices.Contains(v.Subjects, s) {
				v.Subjects = append(v.Subjects, s)
			}
		}
		v.GradeFrom, v.GradeTo = checkGradeRange(fe, f.GradeFrom, f.GradeTo)
	}
	return v, fe
}

// checkGradeRange reads a range of grades: both ends, in order, or neither (any grade).
func checkGradeRange(fe FieldErrors, from, to string) (int, int) {
	if from == "" && to == "" {
		return -1, -1
	}
	i, j := GradeIndex(from), GradeIndex(to)
	switch {
	case from == "":
		fe.Add("grade_from", "volunteer_profile.error_grade_both")
	case i < 0:
		fe.Add("grade_from", "error.choose_one")
	}
	switch {
	case to == "":
		fe.Add("grade_to", "volunteer_profile.error_grade_both")
	case j < 0:
		fe.Add("grade_to", "error.choose_one")
	case i > j:
		fe.Add("grade_to", "volunteer_profile.error_grade_order")
	}
	if i < 0 || j < 0 || i > j {
		return -1, -1
	}
	return i, j
}
