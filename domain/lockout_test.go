package domain_test

import (
	"testing"
	"time"

	"guanai/domain"
)

func TestLockedUntil(t *testing.T) {
	now := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	// ago lists failures newest first, as durations before now.
	ago := func(ds ...time.Duration) []time.Time {
		out := make([]time.Time, len(ds))
		for i, d := range ds {
			out[i] = now.Add(-d)
		}
		return out
	}
	m := time.Minute
	cases := []struct {
		name     string
		failures []time.Time
		limit    int
		want     time.Time // zero: not locked
	}{
		{"no failures", nil, domain.PhoneFailLimit, time.Time{}},
		{"four failures, under the limit", ago(1*m, 2*m, 3*m, 4*m), domain.PhoneFailLimit, time.Time{}},
		{"five failures just now", ago(0, 0, 0, 0, 0), domain.PhoneFailLimit, now.Add(domain.LockWindow)},
		{"five failures in the last minutes", ago(1*m, 2*m, 3*m, 4*m, 5*m), domain.PhoneFailLimit, now.Add(14 * m)},
		{"five failures spread over more than the window", ago(1*m, 2*m, 3*m, 4*m, 20*m), domain.PhoneFailLimit, time.Time{}},
		{"five failures within the window of each other, the oldest 20 minutes ago", ago(10*m, 11*m, 12*m, 13*m, 20*m), domain.PhoneFailLimit, now.Add(5 * m)},
		{"six failures, the five newest inside the window", ago(1*m, 2*m, 3*m, 4*m, 5*m, 20*m), domain.PhoneFailLimit, now.Add(14 * m)},
		{"the lock has run out", ago(15*m, 15*m, 15*m, 15*m, 15*m), domain.PhoneFailLimit, time.Time{}},
		{"one second of lock left", ago(14*m+59*time.Second, 15*m, 15*m, 15*m, 15*m), domain.PhoneFailLimit, now.Add(time.Second)},
		{"five failures do not lock an address", ago(0, 0, 0, 0, 0), domain.AddressFailLimit, time.Time{}},
		{"thirty failures lock an address", ago(make30()...), domain.AddressFailLimit, now.Add(domain.LockWindow - 10*time.Second)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := domain.LockedUntil(c.failures, c.limit, now)
			if !got.Equal(c.want) {
				t.Errorf("LockedUntil = %v, want %v", got, c.want)
			}
		})
	}
}

// make30 is thirty failures, ten seconds apart, the newest ten seconds ago.
func make30() []time.Duration {
	out := make([]time.Duration, 30)
	for i := range out {
		out[i] = time.Duration(i+1) * 10 * time.Second
	}
	return out
}

// A lock lasts as long as LockedUntil first said: asked again before that time, it gives the same answer, though
// the oldest of the failures has by then left the window.
func TestLockedUntilHonoursItsOwnAnswer(t *testing.T) {
	first := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	var failures []time.Time // a minute apart, newest first
	for i := 4; i >= 0; i-- {
		failures = append(failures, first.Add(time.Duration(i)*time.Minute))
	}
	lastFailure := failures[0]
	until := domain.LockedUntil(failures, domain.PhoneFailLimit, lastFailure)
	if want := lastFailure.Add(domain.LockWindow); !until.Equal(want) {
		t.Fatalf("right after the fifth failure: locked until %v, want %v", until, want)
	}
	for _, later := range []time.Duration{time.Minute, 11 * time.Minute, 12 * time.Minute, 14*time.Minute + 59*time.Second} {
		now := lastFailure.Add(later)
		if got := domain.LockedUntil(failures, domain.PhoneFailLimit, now); !got.Equal(until) {
			t.Errorf("at %v, before the promised %v: LockedUntil = %v, want the same lock", now.Format("15:04:05"), until.Format("15:04"), got)
		}
	}
	if got := domain.LockedUntil(failures, domain.PhoneFailLimit, until); !got.IsZero() {
		t.Errorf("at the promised time: still locked until %v", got)
	}
}
