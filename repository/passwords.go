package repository

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// ResetLinkLifetime is how long an operator's one-time reset link works.
const ResetLinkLifetime = 24 * time.Hour

type passwordResetRow struct {
	ID        int64
	UserID    int64
	TokenHash string
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (passwordResetRow) TableName() string { return "password_resets" }

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IssueResetLink makes a one-time token for a person's password; only its hash is stored, so the token is shown
// once, to the operator who hands it over.
func (s *Store) IssueResetLink(ctx context.Context, actor Actor, userID int64) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := lockVisibleUser(tx, actor, userID)
		if err != nil {
			return err
		}
		if u.Status == string(domain.StatusClosed) {
			return domain.ErrNotFound
		}
		row := passwordResetRow{UserID: userID, TokenHash: tokenHash(token), CreatedBy: actor.UserID, ExpiresAt: now(tx).Add(ResetLinkLifetime)}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return audit(tx, actor, "password.reset_link", "user", userID, nil, map[string]any{"expires_at": row.ExpiresAt})
	})
	return token, err
}

// CheckResetLink tells whether a token can still be used, and for whom.
func (s *Store) CheckResetLink(ctx context.Context, token string) (domain.User, error) {
	var r passwordResetRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash(token), s.Now()).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.User{}, domain.ErrResetLinkInvalid
	}
	if err != nil {
		return domain.User{}, err
	}
	return s.UserByID(ctx, r.UserID)
}

// ResetPassword uses a token once: the password is set, the token spent, and every session of the account ends.
func (s *Store) ResetPassword(ctx context.Context, ip, token, password string) (domain.User, error) {
	hash, err := domain.HashPassword(password)
	if err != nil {
		return domain.User{}, err
	}
	var u userRow
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var r passwordResetRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash(token), now(tx)).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrResetLinkInvalid
		}
		if err != nil {
			return err
		}
		if err := tx.Model(&r).Update("used_at", now(tx)).Error; err != nil {
			return err
		}
		if u, err = setPassword(tx, r.UserID, hash); err != nil {
			return err
		}
		return audit(tx, Actor{UserID: r.UserID, IP: ip}, "password.reset", "user", r.UserID, nil, nil)
	})
	return u.user(), err
}

// ChangePassword checks the current password and sets a new one; other sessions of the account end, and the
// returned user carries the new session version for the caller's own session.
func (s *Store) ChangePassword(ctx context.Context, actor Actor, current, password string) (domain.User, error) {
	hash, err := domain.HashPassword(password)
	if err != nil {
		return domain.User{}, err
	}
	var u userRow
	err = s.tx(ctx, func(tx *gorm.DB) error {
		r, err := lockUser(tx, actor.UserID)
		if err != nil {
			return err
		}
		if ok, err := domain.PasswordMatches(r.PasswordHash, current); err != nil {
			return err
		} else if !ok {
			return domain.FieldErrors{"current": "error.password_wrong"}
		}
		if u, err = setPassword(tx, r.ID, hash); err != nil {
			return err
		}
		return audit(tx, actor, "password.change", "user", r.ID, nil, nil)
	})
	return u.user(), err
}

func setPassword(tx *gorm.DB, userID int64, hash string) (userRow, error) {
	r, err := lockUser(tx, userID)
	if err != nil {
		return r, err
	}
	r.PasswordHash = hash
	r.SessionVersion++
	err = tx.Model(&r).Select("password_hash", "session_version", "updated_at").Updates(&r).Error
	return r, err
}
