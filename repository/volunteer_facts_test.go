package repository_test

import (
	"errors"
	"slices"
	"testing"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func TestUpdateVolunteerFacts(t *testing.T) {
	s := testdb.Store(t)
	coordinator := newOperator(t, s, domain.RoleCoordinator, "13800000003")
	v := registerVolunteer(t, s, "陈志强", "13700002222", idNumber(1))
	p, err := s.PersonByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The driving is verified, the tutoring rejected.
	for _, q := range p.Qualifications {
		if _, err := s.DecideQualification(ctx, repository.Actor{UserID: coordinator.ID, Role: domain.RoleCoordinator}, q.ID,
			q.Code == domain.QualDriver, "证书看不清"); err != nil {
			t.Fatal(err)
		}
	}
	save := func(form domain.VolunteerFactsForm) int {
		t.Helper()
		facts, fe := form.Check()
		if len(fe) > 0 {
			t.Fatalf("facts %v", fe)
		}
		n, err := s.UpdateVolunteerFacts(ctx, repository.Actor{UserID: v.ID, Role: domain.RoleVolunteer}, v.ID, facts)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	quals := func() map[string]repository.Qualification {
		t.Helper()
		p, err := s.PersonByID(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]repository.Qualification{}
		for _, q := range p.Qualifications {
			out[q.Code] = q
		}
		return out
	}
	form := domain.VolunteerFactsForm{Districts: []string{"xihu", "gongshu"}, Qualifications: []string{"driver", "tutor", "errands"},
		Details: map[string]string{"driver": "浙A12345", "tutor": "数学"}, Availability: []string{"sat_am", "sun_am"}, Capacity: "4",
		VehicleSeats: "5", Subjects: []string{"math"}, GradeFrom: "g1", GradeTo: "g6"}

	// Unchanged details keep their decisions, the rejection included; the errands are new and wait.
	if n := save(form); n != 1 {
		t.Errorf("%d sent to verify, want 1 (the errands)", n)
	}
	q := quals()
	if q["driver"].Status != domain.QualificationVerified || q["driver"].DecidedAt == nil ||
		q["tutor"].Status != domain.QualificationRejected || q["tutor"].Reason != "证书看不清" || q["errands"].Status != domain.QualificationPending {
		t.Errorf("qualifications %+v", q)
	}
	// A new plate and a new licence go back to be verified, their old decisions gone; the tutoring, unticked, goes.
	form.Qualifications, form.Details = []string{"driver", "errands"}, map[string]string{"driver": "浙A54321"}
	if n := save(form); n != 1 {
		t.Errorf("%d sent to verify, want 1 (the driving)", n)
	}
	q = quals()
	if d := q["driver"]; d.Status != domain.QualificationPending || d.DecidedAt != nil || d.Detail != "浙A54321" || len(q) != 2 {
		t.Errorf("qualifications %+v", q)
	}
	var decidedBy *int64
	if err := s.SQL().QueryRow(`SELECT decided_by FROM volunteer_qualifications WHERE user_id = $1 AND code = 'driver'`, v.ID).Scan(&decidedBy); err != nil || decidedBy != nil {
		t.Errorf("decided_by %v, %v: want cleared", decidedBy, err)
	}
	p, _ = s.PersonByID(ctx, v.ID)
	if vp := p.Volunteer; !slices.Equal(vp.Districts, []string{"xihu", "gongshu"}) || vp.Capacity != 4 || *vp.VehicleSeats != 5 ||
		len(vp.Subjects) != 0 || vp.GradeFrom != nil {
		t.Errorf("profile %+v: a driver who no longer tutors keeps seats, not subjects or grades", vp)
	}
	if n := count(auditActions(t, s, v.ID), "account.profile"); n != 2 {
		t.Errorf("%d account.profile events, want 2", n)
	}

	// The database holds the limits too, whoever calls.
	bad := domain.VolunteerFacts{Districts: []string{"xihu"}, Availability: []string{"sat_am"}, Capacity: 2, GradeFrom: 5, GradeTo: 2,
		Qualifications: []domain.QualificationClaim{{Code: domain.QualErrands}}}
	if _, err := s.UpdateVolunteerFacts(ctx, repository.Actor{UserID: v.ID}, v.ID, bad); err == nil {
		t.Error("grades 5 to 2 were stored")
	}
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	if _, err := s.UpdateVolunteerFacts(ctx, repository.Actor{UserID: staff.ID}, staff.ID, bad); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a staff member's facts: %v", err)
	}
}
