package domain_test

import (
	"testing"
	"time"

	"guanai/domain"
)

// waiting marks the volunteers (by id) as never offered anything.
func waiting(rs []domain.Ranked, ids ...int64) []domain.Ranked {
	for i := range rs {
		for _, id := range ids {
			if rs[i].VolunteerID == id {
				rs[i].NeverOffered = true
			}
		}
	}
	return rs
}

// idle gives the volunteer (by id) days since their last offer.
func idle(rs []domain.Ranked, id int64, days int) []domain.Ranked {
	rs[id-1].IdleDays = days
	return rs
}

func TestNextRound(t *testing.T) {
	s := domain.DefaultDispatch()
	ranked := func(n int, pairedFirst bool) []domain.Ranked {
		out := make([]domain.Ranked, n)
		for i := range out {
			out[i].VolunteerID = int64(i + 1)
		}
		if pairedFirst && n > 0 {
			out[0].PairedWithHer = true
		}
		return out
	}
	cases := []struct {
		name       string
		ranked     []domain.Ranked
		urgency    string
		want       []int64
		escalation string
	}{
		{"nobody: the coordinators", nil, domain.UrgencyNormal, nil, domain.EscalationNoCandidates},
		{"emergency: five", ranked(9, false), domain.UrgencyEmergency, []int64{1, 2, 3, 4, 5}, ""},
		{"urgent: three", ranked(9, false), domain.UrgencyUrgent, []int64{1, 2, 3}, ""},
		{"normal: three", ranked(9, false), domain.UrgencyNormal, []int64{1, 2, 3}, ""},
		{"fewer than a round: all of them", ranked(2, false), domain.UrgencyEmergency, []int64{1, 2}, ""},
		{"her volunteer first: alone", ranked(9, true), domain.UrgencyEmergency, []int64{1}, ""},
		{"her volunteer not first: a full round", append(ranked(3, false), domain.Ranked{VolunteerID: 9, PairedWithHer: true}),
			domain.UrgencyNormal, []int64{1, 2, 3}, ""},
		{"nobody of the best waiting: the last place to the best waiting", waiting(ranked(9, false), 7, 9),
			domain.UrgencyNormal, []int64{1, 2, 7}, ""},
		{"emergency: four best and one waiting", waiting(ranked(9, false), 8), domain.UrgencyEmergency, []int64{1, 2, 3, 4, 8}, ""},
		{"one of the best waiting: the best as they are", waiting(ranked(9, false), 2, 6), domain.UrgencyNormal, []int64{1, 2, 3}, ""},
		{"idle six days is not waiting", idle(ranked(9, false), 5, 6), domain.UrgencyNormal, []int64{1, 2, 3}, ""},
		{"idle seven days is waiting", idle(ranked(9, false), 5, 7), domain.UrgencyNormal, []int64{1, 2, 5}, ""},
		{"nobody waiting further down: the best as they are", ranked(5, false), domain.UrgencyNormal, []int64{1, 2, 3}, ""},
		{"her volunteer first: alone, waiting or not", waiting(ranked(9, true), 5), domain.UrgencyNormal, []int64{1}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, esc := domain.NextRound(c.ranked, s, c.urgency)
			if esc != c.escalation {
				t.Errorf("escalation %q, want %q", esc, c.escalation)
			}
			var ids []int64
			for _, r := range got {
				ids = append(ids, r.VolunteerID)
			}
			if len(ids) != len(c.want) {
				t.Fatalf("offered %v, want %v", ids, c.want)
			}
			for i := range ids {
				if ids[i] != c.want[i] {
					t.Fatalf("offered %v, want %v", ids, c.want)
				}
			}
		})
	}
}

// A program that offers two at a time keeps no place: both go to the best.
func TestNextRoundOfTwoKeepsNoPlace(t *testing.T) {
	s := domain.DefaultDispatch()
	s.Offers[domain.UrgencyNormal] = 2
	rs := make([]domain.Ranked, 5)
	for i := range rs {
		rs[i].VolunteerID = int64(i + 1)
	}
	rs[3].NeverOffered = true
	got, _ := domain.NextRound(rs, s, domain.UrgencyNormal)
	if len(got) != 2 || got[0].VolunteerID != 1 || got[1].VolunteerID != 2 {
		t.Fatalf("offered %+v, want volunteers 1 and 2", got)
	}
}

func TestAfterRound(t *testing.T) {
	start := time.Date(2026, 3, 3, 7, 0, 0, 0, domain.Shanghai)
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{start.Add(-time.Minute), ""},
		{start, domain.EscalationWindowStarted},
		{start.Add(time.Hour), domain.EscalationWindowStarted},
	} {
		if got := domain.AfterRound(c.now, start); got != c.want {
			t.Errorf("round over at %s: %q, want %q", c.now.Format("15:04"), got, c.want)
		}
	}
}

func TestDeclineEndsRound(t *testing.T) {
	for _, c := range []struct {
		name                     string
		pending                  int
		status                   string
		requestRound, offerRound int
		want                     bool
	}{
		{"the last open offer of the round under way", 0, domain.RequestDispatching, 2, 2, true},
		{"others still open", 1, domain.RequestDispatching, 2, 2, false},
		{"an offer of an earlier round", 0, domain.RequestDispatching, 3, 2, false},
		{"the request is with the coordinators", 0, domain.RequestEscalated, 2, 2, false},
		{"matched meanwhile", 0, domain.RequestMatched, 2, 2, false},
	} {
		if got := domain.DeclineEndsRound(c.pending, c.status, c.requestRound, c.offerRound); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCountOffer(t *testing.T) {
	mon := time.Date(2026, 3, 2, 0, 0, 0, 0, domain.Shanghai)
	day, n := domain.CountOffer(time.Time{}, 0, mon.Add(9*time.Hour))
	if !day.Equal(mon) || n != 1 {
		t.Fatalf("first offer: %s %d", day, n)
	}
	if day, n = domain.CountOffer(day, n, mon.Add(23*time.Hour+59*time.Minute)); !day.Equal(mon) || n != 2 {
		t.Fatalf("same Shanghai day: %s %d", day, n)
	}
	// 00:30 in Shanghai is still the day before in UTC: a new day all the same
	if day, n = domain.CountOffer(day, n, mon.Add(24*time.Hour+30*time.Minute)); !day.Equal(mon.AddDate(0, 0, 1)) || n != 1 {
		t.Fatalf("next Shanghai day: %s %d", day, n)
	}
}
