package repository_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// Dispatch on a city's volunteer base: the candidate query for one request, and an acceptance, with the seeded
// city's 60,000 volunteers and twelve weeks of requests behind them (few gifts: the fund does not matter here).
//
//	go test ./repository -run '^$' -bench BenchmarkCareCity -benchtime 100x
//	GUANAI_CARE_EXPLAIN=1 go test ./repository -run TestExplainCareCandidates -v

var careBenchScale = repository.SeedScale{Staff: 20000, Volunteers: 60000, Donors: 100, Donations: 200, Disbursements: 10, Years: 1}

type careBench struct {
	s     *repository.Store
	staff []repository.Actor // active seeded staff of 上城区
	// transport is a ride in 上城区 tomorrow evening, counselling a session (remote) tomorrow evening
	transport, counselling int64
}

func newCareBench(tb testing.TB) careBench {
	tb.Helper()
	f := newFund(tb)
	newOperator(tb, f.s, domain.RoleCoordinator, "13800000003")
	started := time.Now()
	if err := f.s.SeedBulk(ctx, repository.SeedOptions{Scale: careBenchScale, Seed: 1, Password: "seed-password"}); err != nil {
		tb.Fatal(err)
	}
	// The seeded city holds rides for the coordinator's plan (plan_hours); these rides go out at once, as without.
	if _, err := f.s.SQL().ExecContext(ctx, `UPDATE programs SET plan_hours = 0 WHERE code = 'one_to_one'`); err != nil {
		tb.Fatal(err)
	}
	if err := repository.Analyze(ctx, f.s.SQL()); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("seeded %d staff and %d volunteers with their care requests in %s", careBenchScale.Staff, careBenchScale.Volunteers,
		time.Since(started).Round(time.Second))
	cb := careBench{s: f.s}
	rows, err := f.s.SQL().QueryContext(ctx, `SELECT u.id FROM users u JOIN staff_profiles p ON p.user_id = u.id
		WHERE u.role = 'staff' AND u.status = 'active' AND p.district = 'shangcheng' AND u.phone LIKE '1391%'
		ORDER BY u.id LIMIT 500`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		cb.staff = append(cb.staff, repository.Actor{UserID: id, Role: domain.RoleStaff, IP: "bench"})
	}
	rows.Close()
	if len(cb.staff) < 2 {
		tb.Fatalf("%d seeded staff in 上城区", len(cb.staff))
	}
	cb.transport = cb.submit(tb, cb.staff[0], "one_to_one", cb.ride(1, "19:00", "20:00"))
	cb.counselling = cb.submit(tb, cb.staff[1], "counselling", domain.RequestForm{Category: domain.CategoryCounselling,
		Urgency: domain.UrgencyNormal, Date: cb.day(1), From: "20:00", To: "21:00", District: "shangcheng", Consent: true})
	return cb
}

func (cb careBench) day(days int) string {
	return domain.Today(cb.s.Now()).AddDate(0, 0, days).Format(time.DateOnly)
}

func (cb careBench) ride(days int, from, to string) domain.RequestForm {
	return domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal, Date: cb.day(days),
		From: from, To: to, District: "shangcheng", Pickup: "庆春路 88 号", Destination: "浙大一院"}
}

func (cb careBench) submit(tb testing.TB, staff repository.Actor, program string, f domain.RequestForm) int64 {
	tb.Helper()
	id, err := cb.s.SubmitRequest(ctx, staff, program, f)
	if err != nil {
		tb.Fatalf("submit %s: %v", f.Category, err)
	}
	return id
}

// runSQL runs a query and reads every row, as the candidate query's caller would.
func (cb careBench) runSQL(tb testing.TB, q string) int {
	rows, err := cb.s.SQL().QueryContext(ctx, q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return n
}

func (cb careBench) requests() []struct {
	name string
	id   int64
} {
	return []struct {
		name string
		id   int64
	}{{"transport_shangcheng", cb.transport}, {"counselling_remote", cb.counselling}}
}

func BenchmarkCareCity(b *testing.B) {
	cb := newCareBench(b)
	for _, r := range cb.requests() {
		// The candidate query alone: what the indexes must make fast.
		b.Run("candidate_query/"+r.name, func(b *testing.B) {
			q, err := cb.s.CandidateSQL(ctx, r.id, cb.s.Now())
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				n = cb.runSQL(b, q)
			}
			b.ReportMetric(float64(n), "candidates")
		})
		// The dispatch page's twenty best: her paired volunteers and the first fifty in ranking's order, walked
		// from volunteer_profiles_rank_idx, with their facts and names.
		b.Run("dispatch_page/"+r.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				cands, err := cb.s.RankCandidates(ctx, r.id, 20)
				if err != nil {
					b.Fatal(err)
				}
				n = len(cands)
			}
			b.ReportMetric(float64(n), "shown")
		})
		// Dispatch's loading of the candidates: the query, then their pairings with her and their bookings.
		b.Run("candidates/"+r.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				var err error
				if n, err = cb.s.CandidatesOf(ctx, r.id, cb.s.Now()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "candidates")
		})
	}
	// An acceptance: one short transaction (the request and the volunteer locked, the volunteer checked again, the
	// offer accepted, the others withdrawn, the pairing made). Each is of a ride of its own, sent out untimed.
	b.Run("AcceptOffer", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			slot := [][2]string{{"18:00", "19:00"}, {"19:00", "20:00"}, {"20:00", "21:00"}, {"21:00", "22:00"}}[i%4]
			id := cb.submit(b, cb.staff[2+i%(len(cb.staff)-2)], "one_to_one", cb.ride(2+(i/4)%60, slot[0], slot[1]))
			var offer, volunteer int64
			if err := cb.s.SQL().QueryRowContext(ctx, `SELECT id, volunteer_id FROM care_offers WHERE request_id = $1
				AND status = 'pending' ORDER BY id LIMIT 1`, id).Scan(&offer, &volunteer); err != nil {
				b.Fatalf("request %d has no pending offer: %v", id, err)
			}
			b.StartTimer()
			if _, err := cb.s.AcceptOffer(ctx, repository.Actor{UserID: volunteer, Role: domain.RoleVolunteer, IP: "bench"}, offer); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestExplainCareCandidates prints the plans of the candidate query on the city, with the time each takes.
func TestExplainCareCandidates(t *testing.T) {
	if os.Getenv("GUANAI_CARE_EXPLAIN") == "" {
		t.Skip("seeds a city of 60,000 volunteers; set GUANAI_CARE_EXPLAIN=1 to print the candidate query's plans")
	}
	cb := newCareBench(t)
	for _, r := range cb.requests() {
		q, err := cb.s.CandidateSQL(ctx, r.id, cb.s.Now())
		if err != nil {
			t.Fatal(err)
		}
		var took []time.Duration
		n := 0
		for range 21 {
			start := time.Now()
			n = cb.runSQL(t, q)
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		rows, err := cb.s.SQL().QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		t.Logf("%s: %d candidates, median %s of 21 runs (fastest %s, slowest %s)\n%s\n\n%s", r.name, n,
			took[len(took)/2].Round(10*time.Microsecond), took[0].Round(10*time.Microsecond),
			took[len(took)-1].Round(10*time.Microsecond), q, strings.Join(plan, "\n"))
	}
}
