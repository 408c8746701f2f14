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
func (s *Store) Login(ctx context.Context, phone, password, ip string, now time.Time) (domain.User, error) {
	phone = domain.NormalizePhone(phone)
	if err := s.checkLock(ctx, phone, ip, now); err != nil {
		return domain.User{}, err
	}
	var r userRow
	err := s.db.WithContext(ctx).Where("phone = ?", phone).Take(&r).Error
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
	ok = ok && r.ID != 0
	if err := s.db.WithContext(ctx).Create(&loginAttempt{Phone: phone, IP: ip, Success: ok, At: now}).Error; err != nil {
		return domain.User{}, err
	}
	if !ok {
		// This failure may be the one that locks the phone: say so now rather than on the next try.
		if err := s.checkLock(ctx, phone, ip, now); err != nil {
			return domain.User{}, err
		}
		return domain.User{}, domain.ErrBadLogin
	}
	u := r.user()
	if !u.Status.CanLogIn() {
		return u, &domain.AccountStateError{Status: u.Status, Reason: u.StatusReason}
	}
	return u, nil
}

func (s *Store) checkLock(ctx context.Context, phone, ip string, now time.Time) error {
	until, err := s.lockedUntil(ctx, "phone", phone, domain.PhoneFailLimit, now)
	if err != nil || !until.IsZero() {
		return lockErr(until, err)
	}
	until, err = s.lockedUntil(ctx, "ip", ip, domain.AddressFailLimit, now)
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
func (s *Store) lockedUntil(ctx context.Context, column, value string, limit int, now time.Time) (time.Time, error) {
	var times []time.Time
	q := s.db.WithContext(ctx).Model(&loginAttempt{}).
		Where(column+" = ? AND NOT success AND at > ?", value, now.Add(-domain.LockHistory))
	if column == "phone" {
		q = q.Where("at > coalesce((SELECT max(at) FROM login_attempts WHERE phone = ? AND success), '-infinity')", value)
	}
	if err := q.Order("at DESC").Limit(limit).Pluck("at", &times).Error; err != nil {
		return time.Time{}, err
	}
	return domain.LockedUntil(times, limit, now), nil
}
