package domain_test

import (
	"slices"
	"testing"
	"time"

	"guanai/domain"
)

func TestAssignmentFormCheck(t *testing.T) {
	ok := domain.AssignmentForm{Program: "one_to_one", Date: "2026-03-03", From: "06:00", To: "10:00"}
	w, fe := ok.Check()
	if len(fe) != 0 || !w.Start.Equal(at(tue, 6, 0)) || !w.End.Equal(at(tue, 10, 0)) {
		t.Fatalf("a good period: %v %v", w, fe)
	}
	if w, fe := (domain.AssignmentForm{Program: "x", Date: "２０２６-03-03", From: "18:00", To: "24:00"}).Check(); len(fe) != 0 ||
		!w.End.Equal(at(tue, 24, 0)) {
		t.Errorf("full-width date, to midnight: %v %v", w, fe)
	}
	for _, c := range []struct {
		f     domain.AssignmentForm
		field string
	}{
		{domain.AssignmentForm{Date: "2026-03-03", From: "06:00", To: "10:00"}, "program"},
		{domain.AssignmentForm{Program: "x", Date: "3月3日", From: "06:00", To: "10:00"}, "date"},
		{domain.AssignmentForm{Program: "x", Date: "2026-03-03", From: "6点", To: "10:00"}, "from"},
		{domain.AssignmentForm{Program: "x", Date: "2026-03-03", From: "10:00", To: "10:00"}, "to"},
	} {
		if _, fe := c.f.Check(); fe[c.field] == "" {
			t.Errorf("%+v: no problem at %s (%v)", c.f, c.field, fe)
		}
	}
	if d := domain.DefaultAssignmentForm(matchNow); d.Date != "2026-03-03" || d.From != "06:00" || d.To != "10:00" {
		t.Errorf("default %+v, want tomorrow 06:00–10:00", d)
	}
}

func TestPlanRelease(t *testing.T) {
	start := at(tue, 7, 0)
	for _, c := range []struct {
		hours   int
		urgency string
		now     time.Time
		held    bool
	}{
		{0, domain.UrgencyNormal, matchNow, false},
		{12, domain.UrgencyNormal, matchNow, true},        // 22 h ahead: held until 19:00 the day before
		{12, domain.UrgencyUrgent, matchNow, true},        // urgent is held too
		{12, domain.UrgencyEmergency, matchNow, false},    // an emergency never is
		{24, domain.UrgencyNormal, matchNow, false},       // too soon for a day's plan
		{12, domain.UrgencyNormal, at(tue, -5, 0), false}, // 19:00 the day before: due now
		{12, domain.UrgencyNormal, at(tue, -5, -1), true}, // a minute earlier
	} {
		release, held := domain.PlanRelease(c.hours, c.urgency, start, c.now)
		if held != c.held || held && !release.Equal(start.Add(-time.Duration(c.hours)*time.Hour)) {
			t.Errorf("%d h, %s, at %s: held %v until %s", c.hours, c.urgency, c.now, held, release)
		}
	}
}

func TestAssignmentSettingsOfTheProgramForm(t *testing.T) {
	f := validProgramForm()
	if s, fe := f.Check(domain.ProgramService); len(fe) != 0 || s.Assignment != nil {
		t.Fatalf("a form without them keeps what is stored: %+v %v", s.Assignment, fe)
	}
	f.Assignment = map[string]string{"assign_distance_weight": "0", "assign_load_weight": "３", "assign_continuity_weight": "100",
		"assign_fairness_weight": "5", "plan_hours": "168"}
	s, fe := f.Check(domain.ProgramService)
	want := domain.AssignmentSettings{Weights: domain.AssignmentWeights{Distance: 0, Load: 3, Continuity: 100, Fairness: 5}, PlanHours: 168}
	if len(fe) != 0 || s.Assignment == nil || *s.Assignment != want {
		t.Fatalf("settings %+v %v", s.Assignment, fe)
	}
	f.Assignment["assign_load_weight"], f.Assignment["plan_hours"], f.Assignment["assign_fairness_weight"] = "101", "169", ""
	_, fe = f.Check(domain.ProgramService)
	var bad []string
	for k := range fe {
		bad = append(bad, k)
	}
	slices.Sort(bad)
	if !slices.Equal(bad, []string{"assign_fairness_weight", "assign_load_weight", "plan_hours"}) {
		t.Errorf("problems at %v", bad)
	}
}

func TestAssignmentBatch(t *testing.T) {
	r1 := bulkReq(1, domain.UrgencyNormal, 700, 800).Match
	r2 := bulkReq(2, domain.UrgencyNormal, 730, 830).Match
	r3 := bulkReq(3, domain.UrgencyNormal, 800, 900).Match
	c := vol(1, "xihu", 2)
	var b domain.AssignmentBatch
	if f := b.Failures(r1, &c); len(f) != 0 {
		t.Fatalf("an empty batch: %v", f)
	}
	b.Add(r1, &c)
	if f := b.Failures(r2, &c); !slices.Equal(f, []string{domain.FailBooked}) {
		t.Errorf("overlapping the batch: %v", f)
	}
	if f := b.Failures(r3, &c); len(f) != 0 {
		t.Errorf("touching the batch: %v", f)
	}
	c.ActivePairings = 1
	if f := b.Failures(r3, &c); !slices.Equal(f, []string{domain.FailCapacity}) {
		t.Errorf("full with the batch: %v", f)
	}
	c.PairedWithHer = true
	if f := b.Failures(r3, &c); len(f) != 0 {
		t.Errorf("her paired volunteer: %v", f)
	}
}
