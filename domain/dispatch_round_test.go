package domain_test

import (
	"testing"
	"time"

	"guanai/domain"
)

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
