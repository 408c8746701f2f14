package domain

import "time"

// Login throttling: a phone is locked after PhoneFailLimit failures within LockWindow, for LockWindow after the
// last of them; an address after AddressFailLimit failures (it may be a shared NAT, so the limit is higher).
const (
	PhoneFailLimit   = 5
	AddressFailLimit = 30
	LockWindow       = 15 * time.Minute
)

// LockedUntil returns when logins may be tried again, given the times of recent failures (newest first) and a
// limit, or the zero time when there is no lock.
func LockedUntil(failuresNewestFirst []time.Time, limit int, now time.Time) time.Time {
	if len(failuresNewestFirst) < limit {
		return time.Time{}
	}
	newest := failuresNewestFirst[0]
	oldestCounted := failuresNewestFirst[limit-1]
	if now.Sub(oldestCounted) > LockWindow {
		return time.Time{}
	}
	until := newest.Add(LockWindow)
	if !until.After(now) {
		return time.Time{}
	}
	return until
}
