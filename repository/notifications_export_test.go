package repository

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// Notify writes notifications as the dispatch code does — notify in a transaction — for the tests of the inbox.
func (s *Store) Notify(ctx context.Context, kind string, request, offer, pairing int64, detail string, recipients ...int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return notify(tx, kind, noteAbout{Request: request, Offer: offer, Pairing: pairing, Detail: detail}, recipients...)
	})
}

// NotifyThenFail notifies in a transaction that then fails, as an action refused after its notification was
// written: nothing of it may survive, its mail included.
func (s *Store) NotifyThenFail(ctx context.Context, kind string, recipients ...int64) error {
	failed := errors.New("the action failed after notifying")
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := notify(tx, kind, noteAbout{}, recipients...); err != nil {
			return err
		}
		return failed
	})
	if errors.Is(err, failed) {
		return nil
	}
	return err
}

// VerifyEmailNow marks a person's address verified without the link, for tests about what comes after.
func (s *Store) VerifyEmailNow(ctx context.Context, userID int64, email string) error {
	return s.db.WithContext(ctx).Exec(`UPDATE users SET email = ?, email_verified_at = ? WHERE id = ?`, email, s.Now(), userID).Error
}

// EmailLinkNow gives a person the address and a verification link for it at once, as the mail job would.
func (s *Store) EmailLinkNow(ctx context.Context, userID int64, email string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE users SET email = ?, email_verified_at = NULL WHERE id = ?`, email, userID).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO email_verifications (user_id, email, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			userID, email, tokenHash(token), s.Now(), s.Now().Add(EmailLinkLifetime)).Error
	})
	return token, err
}
