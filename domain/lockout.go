package domain

import "time"

// Login throttling: a phone is locked after PhoneFailLimit failures within LockWindow, for LockWindow after the
// last of them; an address after AddressFailLimit failures (it may be a shared NAT, so the limit is higher).
const (
	PhoneFailLimit   = 5
	AddressFailLimit = 30
	LockWindow       = 15 * time.Minute
)

// LockHistory is how far back failures matter: a lock starts at most LockWindow after the first of the failures
// that caused it and lasts LockWindow after the last.
const LockHistory = 2 * LockWindow

// LockedUntil returns when logins may be tried again, given the times of recent failures (newest first) and a
// limit, or the zero time when there is no lock. limit failures within LockWindow of each other lock until
// LockWindow after the newest of them.
func LockedUntil(failuresNewestFirst []time.Time, limit int, now time.Time) time.Time {
	if len(failuresNewestFirst) < limit {
		return time.Time{}
	}
	newest := failuresNewestFirst[0]
	if newest.Sub(failuresNewestFirst[limit-1]) > LockWindow {
		return time.Time{}
	}
	until := newest.Add(LockWindow)
	if !until.After(now) {
		return time.Time{}
	}
	return until
}
