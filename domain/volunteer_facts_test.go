package domain_test

import (
	"maps"
	"slices"
	"testing"

	"guanai/domain"
)

func validFacts() domain.VolunteerFactsForm {
	return domain.VolunteerFactsForm{Districts: []string{"xihu", "binjiang"}, Qualifications: []string{"driver", "tutor"},
		Details:      map[string]string{"driver": " 浙A12345 ", "tutor": "初中数学"},
		Availability: []string{"sat_am", "sun_pm"}, Capacity: "3", VehicleSeats: "４",
		Subjects: []string{"math", "physics", "math"}, GradeFrom: "g7", GradeTo: "g9"}
}

func TestVolunteerFactsCheckReadsTheFacts(t *testing.T) {
	v, fe := validFacts().Check()
	if len(fe) != 0 {
		t.Fatalf("valid facts got errors %v", fe)
	}
	want := []domain.QualificationClaim{{Code: "driver", Detail: "浙A12345"}, {Code: "tutor", Detail: "初中数学"}}
	if !slices.Equal(v.Qualifications, want) || v.Capacity != 3 || v.VehicleSeats != 4 ||
		!slices.Equal(v.Subjects, []string{"math", "physics"}) || v.GradeFrom != 7 || v.GradeTo != 9 {
		t.Errorf("facts %+v", v)
	}
	// A volunteer who is no longer a driver or a tutor keeps no seats, subjects or grades.
	f := validFacts()
	f.Qualifications = []string{"errands", "errands"}
	v, fe = f.Check()
	if len(fe) != 0 || v.VehicleSeats != 0 || v.Subjects != nil || v.GradeFrom != -1 || v.GradeTo != -1 || len(v.Qualifications) != 1 {
		t.Errorf("errands alone: %+v %v", v, fe)
	}
	// A tutor of any grade gives no range.
	f = validFacts()
	f.GradeFrom, f.GradeTo = "", ""
	if v, fe = f.Check(); len(fe) != 0 || v.GradeFrom != -1 || v.GradeTo != -1 {
		t.Errorf("any grade: %+v %v", v, fe)
	}
}

func TestVolunteerFactsCheck(t *testing.T) {
	cases := []struct {
		name   string
		change func(f *domain.VolunteerFactsForm)
		want   domain.FieldErrors
	}{
		{"unknown district", func(f *domain.VolunteerFactsForm) { f.Districts = []string{"pudong"} }, domain.FieldErrors{"districts": "error.choose_one"}},
		{"no district", func(f *domain.VolunteerFactsForm) { f.Districts = nil }, domain.FieldErrors{"districts": "error.choose_at_least_one"}},
		{"capacity 11", func(f *domain.VolunteerFactsForm) { f.Capacity = "11" }, domain.FieldErrors{"capacity": "error.capacity"}},
		{"no availability", func(f *domain.VolunteerFactsForm) { f.Availability = nil }, domain.FieldErrors{"availability": "error.choose_at_least_one"}},
		{"driver without a plate", func(f *domain.VolunteerFactsForm) { f.Details["driver"] = "" }, domain.FieldErrors{"detail_driver": "error.required"}},
		{"seats 0", func(f *domain.VolunteerFactsForm) { f.VehicleSeats = "0" }, domain.FieldErrors{"vehicle_seats": "volunteer_profile.error_seats"}},
		{"seats 10", func(f *domain.VolunteerFactsForm) { f.VehicleSeats = "10" }, domain.FieldErrors{"vehicle_seats": "volunteer_profile.error_seats"}},
		{"no seats", func(f *domain.VolunteerFactsForm) { f.VehicleSeats = " " }, domain.FieldErrors{"vehicle_seats": "error.required"}},
		{"seats of a non-driver are not read", func(f *domain.VolunteerFactsForm) { f.Qualifications = []string{"tutor"}; f.VehicleSeats = "0" },
			domain.FieldErrors{}},
		{"tutor without subjects", func(f *domain.VolunteerFactsForm) { f.Subjects = nil }, domain.FieldErrors{"subjects": "error.choose_at_least_one"}},
		{"unknown subject", func(f *domain.VolunteerFactsForm) { f.Subjects = []string{"math", "alchemy"} }, domain.FieldErrors{"subjects": "error.choose_one"}},
		{"grade from after to", func(f *domain.VolunteerFactsForm) { f.GradeFrom, f.GradeTo = "g9", "g7" },
			domain.FieldErrors{"grade_to": "volunteer_profile.error_grade_order"}},
		{"one grade", func(f *domain.VolunteerFactsForm) { f.GradeFrom, f.GradeTo = "g3", "g3" }, domain.FieldErrors{}},
		{"kindergarten to the last year", func(f *domain.VolunteerFactsForm) { f.GradeFrom, f.GradeTo = "k", "g12" }, domain.FieldErrors{}},
		{"only the first grade", func(f *domain.VolunteerFactsForm) { f.GradeTo = "" }, domain.FieldErrors{"grade_to": "volunteer_profile.error_grade_both"}},
		{"only the last grade", func(f *domain.VolunteerFactsForm) { f.GradeFrom = "" }, domain.FieldErrors{"grade_from": "volunteer_profile.error_grade_both"}},
		{"unknown grade", func(f *domain.VolunteerFactsForm) { f.GradeFrom = "g13" }, domain.FieldErrors{"grade_from": "error.choose_one"}},
		{"subjects of a non-tutor are not read", func(f *domain.VolunteerFactsForm) {
			f.Qualifications = []string{"driver"}
			f.Subjects, f.GradeFrom = []string{"alchemy"}, "g13"
		}, domain.FieldErrors{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := validFacts()
			c.change(&f)
			if _, got := f.Check(); !maps.Equal(got, c.want) {
				t.Errorf("Check = %v, want %v", got, c.want)
			}
		})
	}
}
