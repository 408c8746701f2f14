package domain

import (
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on a machine without zoneinfo too
)

// Clock is where the app reads the time it decides with: whether a reset link has expired, whether a date is in
// the future, when an offer runs out, which quarter is open. The store holds one and everything asks it, so a
// test can move time instead of waiting for it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Today is the Shanghai date of t, as midnight in Shanghai.
func Today(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

// Shanghai is the fund's time zone: dates are Shanghai dates, and every time is shown there.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err) // time/tzdata is embedded, so the zone loads even on a machine without zoneinfo
	}
	return loc
}()

// ParseDate reads a yyyy-mm-dd date (what a date input sends) as midnight in Shanghai.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(ToHalfWidth(s)), Shanghai)
	return t, err == nil
}
