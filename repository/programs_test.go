package repository_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// programForm is the form of a program as stored, to change a field or two of.
func programForm(p repository.CareProgram) domain.ProgramForm {
	d := p.Dispatch()
	f := domain.ProgramForm{NameZh: p.NameZh, NameEn: p.NameEn, DescriptionZh: p.DescriptionZh, DescriptionEn: p.DescriptionEn,
		Active: p.Active, Qualification: p.QualificationCode(), Sensitive: p.Sensitive,
		Offers: map[string]string{}, Minutes: map[string]string{}, DailyCap: strconv.Itoa(d.DailyCap)}
	for _, u := range domain.Urgencies {
		f.Offers[u], f.Minutes[u] = strconv.Itoa(d.Offers[u]), strconv.Itoa(d.Minutes(u))
	}
	return f
}

func programByCode(t *testing.T, s *repository.Store, code string) repository.CareProgram {
	t.Helper()
	list, err := s.ProgramList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Code == code {
			return p
		}
	}
	t.Fatalf("no program %s in %d", code, len(list))
	return repository.CareProgram{}
}

func TestProgramsStartWithTheDefaultDispatch(t *testing.T) {
	s := testdb.Store(t)
	list, err := s.ProgramList(ctx)
	if err != nil || len(list) != 6 || list[0].Code != "one_to_one" || list[5].Code != "care_fund" {
		t.Fatalf("programs %v, %v: want the six, in order", list, err)
	}
	def := domain.DefaultDispatch()
	for _, p := range list {
		d := p.Dispatch()
		for _, u := range domain.Urgencies {
			if d.Offers[u] != def.Offers[u] || d.Lifetime[u] != def.Lifetime[u] {
				t.Errorf("%s %s: %d offers for %v, want %d for %v", p.Code, u, d.Offers[u], d.Lifetime[u], def.Offers[u], def.Lifetime[u])
			}
		}
		if d.DailyCap != def.DailyCap {
			t.Errorf("%s: daily cap %d, want %d", p.Code, d.DailyCap, def.DailyCap)
		}
	}
}

func TestUpdateProgram(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13800000001")
	actor := repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "test"}
	tutoring := programByCode(t, s, "tutoring")

	start := s.Now().Add(-time.Millisecond)
	f := programForm(tutoring)
	f.Active, f.Offers[domain.UrgencyUrgent], f.Minutes[domain.UrgencyUrgent] = false, "4", "45"
	if err := s.UpdateProgram(ctx, actor, tutoring.ID, f); err != nil {
		t.Fatal(err)
	}
	p, err := s.ProgramForEdit(ctx, tutoring.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Active || p.OffersUrgent != 4 || p.MinutesUrgent != 45 || p.QualificationCode() != "tutor" || !p.UpdatedAt.After(start) {
		t.Errorf("stored %+v", p)
	}

	// Refusals: a check that fails writes nothing; a program no one has is not found; a grant needs no tutor.
	f.Minutes[domain.UrgencyNormal] = "0"
	var fe domain.FieldErrors
	if err := s.UpdateProgram(ctx, actor, tutoring.ID, f); !errors.As(err, &fe) || fe["minutes_normal"] != "programs.error.minutes" {
		t.Errorf("minutes 0: %v", err)
	}
	if err := s.UpdateProgram(ctx, actor, 999, programForm(tutoring)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("no such program: %v", err)
	}
	grant := programByCode(t, s, "care_fund")
	g := programForm(grant)
	g.Qualification = domain.QualTutor
	if err := s.UpdateProgram(ctx, actor, grant.ID, g); !errors.As(err, &fe) || fe["qualification"] != "programs.error.qualification_service" {
		t.Errorf("a grant needing a tutor: %v", err)
	}
	// A grant's form has no dispatch settings: what it has stored stays.
	g = programForm(grant)
	g.Offers, g.Minutes, g.DailyCap, g.NameEn = nil, nil, "", "Hardship grants"
	if err := s.UpdateProgram(ctx, actor, grant.ID, g); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.ProgramForEdit(ctx, grant.ID); p.NameEn != "Hardship grants" || p.OffersEmergency != 5 || p.DailyOfferCap != 5 {
		t.Errorf("grant stored %+v", p)
	}
	if n := count(auditActionsOf(t, s, "program.update"), "program.update"); n != 2 {
		t.Errorf("%d program.update events, want 2 (refusals write none)", n)
	}
}

// Two admins saving one program at once: each save is told against the one before it, so the log's chain of
// before → after is unbroken and no change is lost from it.
func TestUpdateProgramConcurrently(t *testing.T) {
	s := testdb.Store(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13800000001")
	actor := repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "test"}
	p := programByCode(t, s, "one_to_one")
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f := programForm(p)
			f.Offers[domain.UrgencyEmergency] = strconv.Itoa(10 + i)
			if err := s.UpdateProgram(ctx, actor, p.ID, f); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	rows, err := s.SQL().Query(`SELECT before->>'offers_emergency', after->>'offers_emergency' FROM audit_events
		WHERE action = 'program.update' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last, events := "5", 0
	for rows.Next() {
		var before, after string
		if err := rows.Scan(&before, &after); err != nil {
			t.Fatal(err)
		}
		if before != last {
			t.Errorf("event %d: before %s, but the save before it left %s", events, before, last)
		}
		last = after
		events++
	}
	if stored, _ := s.ProgramForEdit(ctx, p.ID); events != n || strconv.Itoa(stored.OffersEmergency) != last {
		t.Errorf("%d events ending at %s; stored %d", events, last, stored.OffersEmergency)
	}
}

// auditActionsOf lists the audit events of an action, oldest first.
func auditActionsOf(t *testing.T, s *repository.Store, action string) []string {
	t.Helper()
	rows, err := s.SQL().Query(`SELECT action, coalesce(after::text, '') FROM audit_events WHERE action = $1 ORDER BY id`, action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, after string
		if err := rows.Scan(&a, &after); err != nil {
			t.Fatal(err)
		}
		if !json.Valid([]byte(after)) {
			t.Errorf("%s: after is not JSON: %q", a, after)
		}
		out = append(out, a)
	}
	return out
}
