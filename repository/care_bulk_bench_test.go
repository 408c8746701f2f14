package repository_test

import (
	"fmt"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// A coordinator proposing tomorrow morning's 40 rides in 上城区 — the district most volunteers serve — on the seeded
// city of 60,000 volunteers: each ride's candidates loaded as one-by-one dispatch loads them, then the proposal.
//
//	go test ./repository -run '^$' -bench BenchmarkBulkAssignmentCity -benchtime 3x
func BenchmarkBulkAssignmentCity(b *testing.B) {
	cb := newCareBench(b)
	if _, err := cb.s.SQL().ExecContext(ctx, "UPDATE programs SET plan_hours = 12 WHERE code = 'one_to_one'"); err != nil {
		b.Fatal(err)
	}
	coord, err := cb.s.UserByPhone(ctx, "13800000003")
	if err != nil {
		b.Fatal(err)
	}
	// tomorrow 06:00–10:00 is at least 20 hours ahead of the bench's clock (the seed's today), so every ride is held
	tomorrow := domain.Today(cb.s.Now()).AddDate(0, 0, 1)
	if now := cb.s.Now(); tomorrow.Add(6*time.Hour).Sub(now) < 13*time.Hour {
		tomorrow = tomorrow.AddDate(0, 0, 1)
	}
	var ride int64
	for i := range 40 {
		from := 6*60 + 15*(i%12)
		f := cb.ride(0, fmt.Sprintf("%02d:%02d", from/60, from%60), fmt.Sprintf("%02d:%02d", (from+60)/60, (from+60)%60))
		f.Date = tomorrow.Format(time.DateOnly)
		ride = cb.submit(b, cb.staff[2+i], "one_to_one", f)
	}
	b.Run("candidate_query_of_one", func(b *testing.B) {
		q, err := cb.s.CandidateSQL(ctx, ride, cb.s.Now())
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			n = cb.runSQL(b, q)
		}
		b.ReportMetric(float64(n), "candidates")
	})
	// one ride's candidates as dispatch loads them: forty of these are most of a proposal
	b.Run("candidates_of_one", func(b *testing.B) {
		n := 0
		for b.Loop() {
			if n, err = cb.s.CandidatesOf(ctx, ride, cb.s.Now()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "candidates")
	})
	form := domain.AssignmentForm{Program: "one_to_one", Date: tomorrow.Format(time.DateOnly), From: "06:00", To: "10:00"}
	var id int64
	b.Run("propose_40", func(b *testing.B) {
		for b.Loop() {
			if id, err = cb.s.ProposeAssignment(ctx, repository.Actor{UserID: coord.ID, Role: domain.RoleCoordinator}, form); err != nil {
				b.Fatal(err)
			}
		}
		p, err := cb.s.AssignmentProposal(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		matched := 0
		for _, r := range p.Rows {
			if r.VolunteerID != nil {
				matched++
			}
		}
		b.ReportMetric(float64(len(p.Rows)), "requests")
		b.ReportMetric(float64(matched), "matched")
	})
}
