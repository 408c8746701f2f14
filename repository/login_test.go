package repository_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// t0 is a fixed moment for login tests, whole seconds so the database's microseconds keep it exactly.
var t0 = time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC)

func wantLocked(t *testing.T, err error, until time.Time) {
	t.Helper()
	var le *domain.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want *domain.LockedError", err)
	}
	if d := le.Until.Sub(until); d < -time.Millisecond || d > time.Millisecond {
		t.Fatalf("locked until %v, want %v", le.Until, until)
	}
}

func TestLoginRightAndWrongPassword(t *testing.T) {
	s, clock := clockedStore(t)
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	u, err := loginAt(s, clock, t0, "139 0000 1111", staffPassword, "198.51.100.7")
	if err != nil || u.ID != staff.ID || u.Status != domain.StatusPending {
		t.Fatalf("right password: %+v, %v; want the pending account", u, err)
	}
	if _, err := loginAt(s, clock, t0.Add(time.Second), "13900001111", staffPassword+"x", "198.51.100.7"); !errors.Is(err, domain.ErrBadLogin) {
		t.Fatalf("wrong password: err = %v, want ErrBadLogin", err)
	}
	if _, err := loginAt(s, clock, t0.Add(2*time.Second), "13900001111", "", "198.51.100.7"); !errors.Is(err, domain.ErrBadLogin) {
		t.Fatalf("empty password: err = %v, want ErrBadLogin", err)
	}
}

func TestLoginLocksPhoneAfterFiveFailures(t *testing.T) {
	s, clock := clockedStore(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	var last time.Time
	for i := 1; i <= domain.PhoneFailLimit; i++ {
		last = t0.Add(time.Duration(i) * time.Second)
		// Each failure from another address, so only the phone's count matters.
		_, err := loginAt(s, clock, last, "13900001111", "wrong password", fmt.Sprintf("198.51.100.%d", i))
		if i < domain.PhoneFailLimit {
			if !errors.Is(err, domain.ErrBadLogin) {
				t.Fatalf("failure %d: err = %v, want ErrBadLogin", i, err)
			}
		} else {
			wantLocked(t, err, last.Add(domain.LockWindow))
		}
	}
	// The right password is refused too while the lock lasts.
	_, err := loginAt(s, clock, last.Add(time.Minute), "13900001111", staffPassword, "198.51.100.99")
	wantLocked(t, err, last.Add(domain.LockWindow))
	_, err = loginAt(s, clock, last.Add(14*time.Minute), "13900001111", staffPassword, "198.51.100.99")
	wantLocked(t, err, last.Add(domain.LockWindow))

	u, err := loginAt(s, clock, last.Add(16*time.Minute), "13900001111", staffPassword, "198.51.100.99")
	if err != nil || u.Phone != "13900001111" {
		t.Fatalf("after the lock window: %+v, %v; want a login", u, err)
	}
}

// Five wrong passwords a minute apart lock the phone until the last failure + 15 min, as the LockedError says,
// though by then the first of them is more than 15 minutes old.
func TestLoginLockLastsFromTheLastFailure(t *testing.T) {
	s, clock := clockedStore(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	var last time.Time
	var err error
	for i := 1; i <= domain.PhoneFailLimit; i++ {
		last = t0.Add(time.Duration(i) * time.Minute)
		_, err = loginAt(s, clock, last, "13900001111", "wrong password", "198.51.100.1")
	}
	wantLocked(t, err, last.Add(domain.LockWindow))
	for _, later := range []time.Duration{12 * time.Minute, 14 * time.Minute} {
		_, err = loginAt(s, clock, last.Add(later), "13900001111", staffPassword, "198.51.100.1")
		wantLocked(t, err, last.Add(domain.LockWindow))
	}
	if _, err := loginAt(s, clock, last.Add(domain.LockWindow), "13900001111", staffPassword, "198.51.100.1"); err != nil {
		t.Fatalf("at the end of the lock: %v", err)
	}
}

func TestLoginLockIsPerPhone(t *testing.T) {
	s, clock := clockedStore(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	registerStaff(t, s, "李强", "13900002222", false)
	for i := 1; i <= domain.PhoneFailLimit; i++ {
		loginAt(s, clock, t0.Add(time.Duration(i)*time.Second), "13900001111", "wrong password", "198.51.100.1")
	}
	if _, err := loginAt(s, clock, t0.Add(time.Minute), "13900002222", staffPassword, "198.51.100.1"); err != nil {
		t.Fatalf("another phone from the same address: %v", err)
	}
}

func TestLoginSuccessResetsFailureCount(t *testing.T) {
	s, clock := clockedStore(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	at := t0
	next := func() time.Time { at = at.Add(10 * time.Second); return at }
	fail := func(round string) {
		t.Helper()
		for i := 1; i < domain.PhoneFailLimit; i++ {
			if _, err := loginAt(s, clock, next(), "13900001111", "wrong password", "198.51.100.1"); !errors.Is(err, domain.ErrBadLogin) {
				t.Fatalf("%s failure %d: err = %v, want ErrBadLogin", round, i, err)
			}
		}
	}
	fail("first round")
	if _, err := loginAt(s, clock, next(), "13900001111", staffPassword, "198.51.100.1"); err != nil {
		t.Fatalf("right password after 4 failures: %v", err)
	}
	fail("second round") // four more: eight in the window, but only four since the success
	if _, err := loginAt(s, clock, next(), "13900001111", staffPassword, "198.51.100.1"); err != nil {
		t.Fatalf("right password after 4 more failures: %v", err)
	}
}

func TestLoginUnknownPhoneCountsAsFailure(t *testing.T) {
	s, clock := clockedStore(t)
	var err error
	for i := 1; i <= domain.PhoneFailLimit; i++ {
		_, err = loginAt(s, clock, t0.Add(time.Duration(i)*time.Second), "13912345678", "any password", "198.51.100.1")
		if i < domain.PhoneFailLimit && !errors.Is(err, domain.ErrBadLogin) {
			t.Fatalf("unknown phone, try %d: err = %v, want ErrBadLogin (no hint that the phone is unknown)", i, err)
		}
	}
	wantLocked(t, err, t0.Add(domain.PhoneFailLimit*time.Second+domain.LockWindow))
	// Registering the phone afterwards does not escape the lock.
	registerStaff(t, s, "王芳", "13912345678", false)
	_, err = loginAt(s, clock, t0.Add(time.Minute), "13912345678", staffPassword, "198.51.100.1")
	wantLocked(t, err, t0.Add(domain.PhoneFailLimit*time.Second+domain.LockWindow))
}

func TestLoginLocksAddressAfterManyFailures(t *testing.T) {
	s, clock := clockedStore(t)
	registerStaff(t, s, "王芳", "13900001111", false)
	const ip = "203.0.113.50"
	var err error
	var last time.Time
	for i := 1; i <= domain.AddressFailLimit; i++ {
		last = t0.Add(time.Duration(i) * time.Second)
		// A different phone each time: no phone reaches its own limit.
		_, err = loginAt(s, clock, last, fmt.Sprintf("1370000%04d", i), "guess", ip)
		if i < domain.AddressFailLimit && !errors.Is(err, domain.ErrBadLogin) {
			t.Fatalf("failure %d: err = %v, want ErrBadLogin", i, err)
		}
	}
	wantLocked(t, err, last.Add(domain.LockWindow))
	_, err = loginAt(s, clock, last.Add(time.Minute), "13900001111", staffPassword, ip)
	wantLocked(t, err, last.Add(domain.LockWindow))
	if _, err := loginAt(s, clock, last.Add(time.Minute), "13900001111", staffPassword, "198.51.100.1"); err != nil {
		t.Fatalf("the same person from another address: %v", err)
	}
	if _, err := loginAt(s, clock, last.Add(16*time.Minute), "13900001111", staffPassword, ip); err != nil {
		t.Fatalf("the address after the lock window: %v", err)
	}
}

func TestLoginSuspendedAccount(t *testing.T) {
	s, clock := clockedStore(t)
	admin := newOperator(t, s, domain.RoleAdmin, "13500000001")
	staff := registerStaff(t, s, "王芳", "13900001111", false)
	if err := s.SetStatus(ctx, repository.Actor{UserID: admin.ID, IP: "test"}, staff.ID, domain.StatusSuspended, "重复账号"); err != nil {
		t.Fatal(err)
	}
	_, err := loginAt(s, clock, t0, "13900001111", staffPassword, "198.51.100.1")
	var se *domain.AccountStateError
	if !errors.As(err, &se) || se.Status != domain.StatusSuspended || se.Reason != "重复账号" {
		t.Fatalf("err = %v, want *AccountStateError suspended with its reason", err)
	}
	// A wrong password says nothing about the account's state.
	if _, err := loginAt(s, clock, t0.Add(time.Second), "13900001111", "wrong password", "198.51.100.1"); !errors.Is(err, domain.ErrBadLogin) {
		t.Fatalf("wrong password for a suspended account: err = %v, want ErrBadLogin", err)
	}
}

// clockedStore is a store whose clock the test sets before each login.
func clockedStore(t *testing.T) (*repository.Store, *testdb.Clock) {
	clock := testdb.NewClock(t0)
	return testdb.StoreWithClock(t, clock), clock
}

// loginAt tries a login with the store's clock at a moment.
func loginAt(s *repository.Store, clock *testdb.Clock, at time.Time, phone, password, ip string) (domain.User, error) {
	clock.Set(at)
	return s.Login(ctx, phone, password, ip)
}
