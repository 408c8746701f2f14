package repository

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// EmailLinkLifetime is how long a verification link works.
const EmailLinkLifetime = 24 * time.Hour

// EmailLinksPerHour is how many verification mails a person may ask for in an hour.
const EmailLinksPerHour = 5

// newToken is 32 random bytes, URL-safe: a link's secret.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// MailSettings are a person's address, where its verification stands, and their choice for each kind of
// notification their role receives.
type MailSettings struct {
	Email      string // "" when they gave none
	VerifiedAt *time.Time
	Lang       string
	Choices    []MailChoice
}

// Verified reports whether mails go to the address.
func (m MailSettings) Verified() bool { return m.Email != "" && m.VerifiedAt != nil }

// Pending reports whether the address waits for its link to be followed.
func (m MailSettings) Pending() bool { return m.Email != "" && m.VerifiedAt == nil }

// MailChoice is one kind of notification and whether it also goes by mail.
type MailChoice struct {
	Kind string `json:"kind"`
	Send bool   `json:"send"`
}

// MailSettingsOf reads a person's mail settings, choices included, in one query.
func (s *Store) MailSettingsOf(ctx context.Context, userID int64) (MailSettings, error) {
	var rows []struct {
		ID                int64
		Role              string
		Email             *string
		EmailVerifiedAt   *time.Time
		MailLang          string
		KindsOn, KindsOff textArray
	}
	err := s.db.WithContext(ctx).Raw(`SELECT id, role, email, email_verified_at, mail_lang,
			array(SELECT kind FROM mail_preferences WHERE user_id = u.id AND send) AS kinds_on,
			array(SELECT kind FROM mail_preferences WHERE user_id = u.id AND NOT send) AS kinds_off
		FROM users u WHERE id = ?`, userID).Scan(&rows).Error
	if err != nil {
		return MailSettings{}, err
	}
	if len(rows) == 0 {
		return MailSettings{}, domain.ErrNotFound
	}
	r := rows[0]
	m := MailSettings{VerifiedAt: r.EmailVerifiedAt, Lang: r.MailLang}
	if r.Email != nil {
		m.Email = *r.Email
	}
	for _, k := range MailKinds[domain.Role(r.Role)] {
		send := MailDefault(k)
		switch {
		case slices.Contains(r.KindsOn, k):
			send = true
		case slices.Contains(r.KindsOff, k):
			send = false
		}
		m.Choices = append(m.Choices, MailChoice{Kind: k, Send: send})
	}
	return m, nil
}

// What SetEmail did.
const (
	EmailLinkSent  = "sent"      // a new (or still unverified) address: a link is on its way
	EmailRemoved   = "removed"   // no address any more
	EmailUnchanged = "unchanged" // the verified address it already was
)

// SetEmail gives a person's address (already normalized: domain.NormalizeEmail), or with "" takes it away. A new
// address is unverified until the link mailed to it is followed; giving an unverified address again mails a new
// link. lang is the language the person is using, which their mails will be in.
func (s *Store) SetEmail(ctx context.Context, actor Actor, email, lang string) (string, error) {
	var outcome string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := lockUser(tx, actor.UserID)
		if err != nil {
			return err
		}
		if u.Status == string(domain.StatusClosed) {
			return domain.ErrNotFound
		}
		var cur mailRecipient
		if err := tx.Raw(mailRecipientSQL, u.ID).Scan(&cur).Error; err != nil {
			return err
		}
		had := cur.Email != nil
		switch {
		case email == "" && !had:
			return domain.FieldErrors{"email": "error.required"}
		case email == "":
			outcome = EmailRemoved
		case had && *cur.Email == email && cur.EmailVerifiedAt != nil:
			outcome = EmailUnchanged
			return nil
		default:
			outcome = EmailLinkSent
			// A link is a mail to an address anyone could type: a few an hour, so the form cannot flood a mailbox.
			var sent int64
			if err := tx.Raw(`SELECT count(*) FROM audit_events WHERE subject_type = 'user' AND subject_id = ? AND at > ?
				AND action = 'email.set'`, u.ID, now(tx).Add(-time.Hour)).Scan(&sent).Error; err != nil {
				return err
			}
			if sent >= EmailLinksPerHour {
				return domain.FieldErrors{"email": "email.too_many"}
			}
		}
		var addr any // NULL when removed
		if email != "" {
			addr = email
		}
		if err := tx.Exec(`UPDATE users SET email = ?, email_verified_at = NULL, mail_lang = ?, updated_at = ? WHERE id = ?`,
			addr, mailLang(lang), now(tx), u.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM email_verifications WHERE user_id = ? AND used_at IS NULL`, u.ID).Error; err != nil {
			return err
		}
		if outcome == EmailLinkSent {
			t, err := sqlTx(tx)
			if err != nil {
				return err
			}
			if _, err := s.queue.InsertTx(ctx, t, mailVerifyArgs{UserID: u.ID, Email: email}, nil); err != nil {
				return err
			}
		}
		// The audit says what happened, not the address: the log outlives an account's closing.
		if outcome == EmailRemoved {
			return audit(tx, actor, "email.remove", "user", u.ID, nil, nil)
		}
		return audit(tx, actor, "email.set", "user", u.ID, nil, nil)
	})
	return outcome, err
}

func mailLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// EmailLink is what a verification link is for: the address and whose it is.
type EmailLink struct {
	UserID int64
	Name   string
	Email  string
}

// CheckEmailLink tells whether a verification link still works, and for which address.
func (s *Store) CheckEmailLink(ctx context.Context, token string) (EmailLink, error) {
	return emailLink(s.db.WithContext(ctx), token, false)
}

// emailLink finds a link's token that is unused, unexpired, for the address its person still has unverified, on an
// account that is not closed; lock takes the token's row FOR UPDATE.
func emailLink(db *gorm.DB, token string, lock bool) (EmailLink, error) {
	q := `SELECT v.user_id, u.name, v.email FROM email_verifications v JOIN users u ON u.id = v.user_id
		WHERE v.token_hash = ? AND v.used_at IS NULL AND v.expires_at > ? AND u.email = v.email
		AND u.email_verified_at IS NULL AND u.status <> 'closed'`
	if lock {
		q += ` FOR UPDATE OF v, u`
	}
	var l []EmailLink
	if err := db.Raw(q, tokenHash(token), now(db)).Scan(&l).Error; err != nil {
		return EmailLink{}, err
	}
	if len(l) == 0 {
		return EmailLink{}, domain.ErrEmailLinkInvalid
	}
	return l[0], nil
}

// VerifyEmail uses a link once: its address is verified, and mails go to it from now on.
func (s *Store) VerifyEmail(ctx context.Context, ip, token string) (EmailLink, error) {
	var l EmailLink
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if l, err = emailLink(tx, token, true); err != nil {
			return err
		}
		at := now(tx)
		if err := tx.Exec(`UPDATE email_verifications SET used_at = ? WHERE token_hash = ?`, at, tokenHash(token)).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ?`, at, at, l.UserID).Error; err != nil {
			return err
		}
		return audit(tx, Actor{UserID: l.UserID, IP: ip}, "email.verify", "user", l.UserID, nil, nil)
	})
	return l, err
}

// SetMailChoices records which of their role's kinds a person wants by mail (send: kind → on); kinds not of their
// role are ignored. lang is the language they are using, which their mails will be in.
func (s *Store) SetMailChoices(ctx context.Context, actor Actor, send map[string]bool, lang string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		u, err := lockUser(tx, actor.UserID)
		if err != nil {
			return err
		}
		if u.Status == string(domain.StatusClosed) {
			return domain.ErrNotFound
		}
		kinds := MailKinds[domain.Role(u.Role)]
		on := []string{}
		for _, k := range kinds {
			if send[k] {
				on = append(on, k)
			}
		}
		if len(kinds) > 0 {
			if err := tx.Exec(`INSERT INTO mail_preferences (user_id, kind, send) SELECT ?, k, k = ANY(?) FROM unnest(?::text[]) k
				ON CONFLICT (user_id, kind) DO UPDATE SET send = excluded.send`, u.ID, textArray(on), textArray(kinds)).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(`UPDATE users SET mail_lang = ? WHERE id = ?`, mailLang(lang), u.ID).Error; err != nil {
			return err
		}
		return audit(tx, actor, "email.choices", "user", u.ID, nil, nil)
	})
}

// closeMail forgets a closing account's address, links and choices, and drops the mails still waiting for it (a
// job already running finds the account closed and sends nothing).
func closeMail(tx *gorm.DB, userID int64) error {
	for _, q := range []string{
		`UPDATE users SET email = NULL, email_verified_at = NULL WHERE id = ?`,
		`DELETE FROM email_verifications WHERE user_id = ?`,
		`DELETE FROM mail_preferences WHERE user_id = ?`,
	} {
		if err := tx.Exec(q, userID).Error; err != nil {
			return err
		}
	}
	return tx.Exec(`DELETE FROM river_job WHERE kind IN ? AND state IN ? AND (args->>'user_id')::bigint = ?`,
		mailJobKinds, jobPendingNotRunning, userID).Error
}

// jobPendingNotRunning are the states of a job that has not started (or waits to start again).
var jobPendingNotRunning = []string{"available", "pending", "retryable", "scheduled"}

// myMail is a person's address and choices, for the download of their data: one query.
func myMail(db *gorm.DB, userID int64) (map[string]any, error) {
	var rows []struct {
		Email           *string
		EmailVerifiedAt *time.Time
		MailLang        string
		Choices         string
	}
	err := db.Raw(`SELECT email, email_verified_at, mail_lang, coalesce((SELECT json_agg(json_build_object('kind', kind, 'send', send)
			ORDER BY kind) FROM mail_preferences WHERE user_id = u.id), '[]') AS choices FROM users u WHERE id = ?`, userID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	var chosen []MailChoice
	if err := json.Unmarshal([]byte(r.Choices), &chosen); err != nil {
		return nil, err
	}
	if r.Email == nil && len(chosen) == 0 {
		return nil, nil
	}
	out := map[string]any{"language": r.MailLang, "choices": chosen}
	if r.Email != nil {
		out["address"] = *r.Email
		out["verified_at"] = r.EmailVerifiedAt
	}
	return out, nil
}
