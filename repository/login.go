package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

type loginAttempt struct {
	ID      int64
	Phone   string
	IP      string
	Success bool
	At      time.Time
}

func (loginAttempt) TableName() string { return "login_attempts" }

// Login checks a phone and password from an address. It refuses while the phone or the address is locked by
// recent failures, and records the attempt either way.
//
// The attempt is recorded as a failure before the password is checked: so of any number of guesses sent at the
// same moment, at most PhoneFailLimit reach the password check.
func (s *Store) Login(ctx context.Context, phone, password, ip string) (domain.User, error) {
	phone = domain.NormalizePhone(phone)
	now := s.Now()
	db := s.db.WithContext(ctx)
	attempt := loginAttempt{Phone: phone, IP: ip, Success: false, At: now}
	// Attempts on one phone take their turn to be recorded and counted (not to check the password, which is slow),
	// so the count each one sees is exact. An attempt refused by the lock is not kept: it must not extend the lock.
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 23))", "login:"+phone).Error; err != nil {
			return err
		}
		if err := checkLock(tx, phone, ip, now); err != nil {
			return err
		}
		return tx.Create(&attempt).Error
	})
	if err != nil {
		return domain.User{}, err
	}
	var r userRow
	err = db.Where("phone = ?", phone).Take(&r).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.User{}, err
	}
	hash := r.PasswordHash
	if hash == "" {
		hash = domain.DummyPasswordHash
	}
	ok, err := domain.PasswordMatches(hash, password)
	if err != nil {
		return domain.User{}, err
	}
	if !ok || r.ID == 0 {
		// This failure may be the one that locks the phone: say so now rather than on the next try.
		if err := checkLock(db, phone, ip, now); err != nil {
			return domain.User{}, err
		}
		return domain.User{}, domain.ErrBadLogin
	}
	if err := db.Model(&attempt).Update("success", true).Error; err != nil {
		return domain.User{}, err
	}
	u := r.user()
	if !u.Status.CanLogIn() {
		return u, &domain.AccountStateError{Status: u.Status, Reason: u.StatusReason}
	}
	return u, nil
}

// checkLock returns a *domain.LockedError when the phone or the address is locked by the failures recorded so far.
func checkLock(db *gorm.DB, phone, ip string, now time.Time) error {
	until, err := lockedUntil(db, "phone", phone, domain.PhoneFailLimit, now)
	if err != nil || !until.IsZero() {
		return lockErr(until, err)
	}
	until, err = lockedUntil(db, "ip", ip, domain.AddressFailLimit, now)
	return lockErr(until, err)
}

func lockErr(until time.Time, err error) error {
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return &domain.LockedError{Until: until}
	}
	return nil
}

// lockedUntil reads the newest failures of a phone or an address since the last success of that phone.
func lockedUntil(db *gorm.DB, column, value string, limit int, now time.Time) (time.Time, error) {
	var times []time.Time
	q := db.Model(&loginAttempt{}).
		Where(column+" = ? AND NOT success AND at > ?", value, now.Add(-domain.LockHistory))
	if column == "phone" {
		q = q.Where("at > coalesce((SELECT max(at) FROM login_attempts WHERE phone = ? AND success), '-infinity')", value)
	}
	if err := q.Order("at DESC, id DESC").Limit(limit).Pluck("at", &times).Error; err != nil {
		return time.Time{}, err
	}
	return domain.LockedUntil(times, limit, now), nil
}
