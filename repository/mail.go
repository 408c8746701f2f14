package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"guanai/domain"
)

// Notifications also go by mail to a person who has a verified address and chose that kind (MailDefault when
// they have not chosen). notify queues a mail job for each such recipient in the transaction that writes the
// notification, so an action rolled back mails nothing; the job reads the person's address, language and state
// when it runs, so an address changed or an account closed meanwhile gets nothing. Delivery is the Sender's
// (package mail: SMTP, or nothing at all when no server is configured).

// Sender delivers one plain-text mail. An error that reports Permanent() true (the server answered 5xx) is not
// retried; any other error is, with backoff.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Letter is a mail before it is worded: for whom, in which language, and what about — a notification, or the
// link that verifies an address.
type Letter struct {
	Lang  string // zh-CN or en: the language the person last used to set their address or choices
	Name  string
	Role  domain.Role
	Email string
	Note  *Notification // a notification's mail
	Token string        // a verification mail's token (its link is /account/email/verify/<token>)
}

// Mailer is how mails go out: the words are app's (they need the translator and the site's address), delivery is
// the Sender's. With no Sender, mail jobs do nothing.
type Mailer struct {
	Sender Sender
	Word   func(Letter) (subject, body string)
}

// MailKinds are the kinds of notification each role receives, in the order its choices are offered.
var MailKinds = map[domain.Role][]string{
	domain.RoleVolunteer: {NoteOffer, NoteAssigned, NoteCancelled, NoteTaken, NoteWithdrawn, NoteConfirmed, NotePairingEnded,
		NoteClaimConfirmed, NoteClaimRejected, NoteClaimPaid, NoteClaimReturned},
	domain.RoleStaff: {NoteAccepted, NoteDispatched, NoteCheckedIn, NoteCheckedOut, NotePairingEnded, NoteClaimSubmitted,
		NoteBenefitApproved, NoteBenefitRejected, NoteGrantReviewing, NoteGrantApproved, NoteGrantRejected, NoteGrantPaid, NoteGrantReturned},
	domain.RoleCoordinator: {NoteEscalated, NoteGrantSubmitted, NoteClaimSubmitted, NoteGrantReturned},
	domain.RoleAdmin:       {NoteEscalated, NoteGrantSubmitted, NoteClaimSubmitted, NoteGrantReturned, NoteDisbursementToCheck},
	domain.RoleFinance:     {NoteDisbursementToCheck},
}

// mailByDefault are the kinds mailed to whoever has not chosen otherwise: those that need an answer soon (an
// offer runs out in minutes; an escalated request has nobody).
var mailByDefault = []string{NoteOffer, NoteAssigned, NoteCancelled, NoteAccepted, NoteEscalated}

// MailDefault reports whether a kind is mailed to a person who has not chosen.
func MailDefault(kind string) bool { return slices.Contains(mailByDefault, kind) }

// mailMaxAttempts bounds a mail's retries: with mailBackoff, a server that keeps answering 4xx is tried for about
// eight hours, then the mail is given up (the notification is in the inbox all along).
const mailMaxAttempts = 10

// mailBackoff is how long after its attempt-th failed try a mail is tried again: a minute, doubling, at most two
// hours.
func mailBackoff(attempt int) time.Duration {
	d := time.Minute << min(max(attempt-1, 0), 7)
	return min(d, 2*time.Hour)
}

type mailNoteArgs struct {
	NotificationID int64 `json:"notification_id"`
	UserID         int64 `json:"user_id"` // for closing an account, which drops the person's pending mails
}

func (mailNoteArgs) Kind() string { return "mail_notification" }

func (mailNoteArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: mailMaxAttempts}
}

type mailVerifyArgs struct {
	UserID int64  `json:"user_id"`
	Email  string `json:"email"` // the address to verify: a job for an address since changed does nothing
}

func (mailVerifyArgs) Kind() string { return "mail_verify" }

func (mailVerifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: mailMaxAttempts}
}

// mailJobKinds are the kinds of job that mail a person.
var mailJobKinds = []string{mailNoteArgs{}.Kind(), mailVerifyArgs{}.Kind()}

// queueKey carries the store's queue in a transaction's context (see Store.tx), so notify — called deep inside
// operations, some from helpers without the store — enqueues its mails in that same transaction.
type queueKey struct{}

func queueOf(tx *gorm.DB) (*river.Client[*sql.Tx], error) {
	q, ok := tx.Statement.Context.Value(queueKey{}).(*river.Client[*sql.Tx])
	if !ok || q == nil {
		return nil, errors.New("mail: not in a store transaction")
	}
	return q, nil
}

// enqueueMail queues the mail of each notification whose recipient wants it by mail: a verified address, and the
// kind chosen (or on by default). One query finds them, whatever the number of recipients.
func enqueueMail(tx *gorm.DB, kind string, rows []notificationRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	var wanting []int64
	err := tx.Raw(`SELECT u.id FROM users u LEFT JOIN mail_preferences p ON p.user_id = u.id AND p.kind = ?
		WHERE u.id IN ? AND u.email_verified_at IS NOT NULL AND coalesce(p.send, ?)`, kind, ids, MailDefault(kind)).Scan(&wanting).Error
	if err != nil || len(wanting) == 0 {
		return err
	}
	var jobs []river.InsertManyParams
	for _, r := range rows {
		if slices.Contains(wanting, r.UserID) {
			jobs = append(jobs, river.InsertManyParams{Args: mailNoteArgs{NotificationID: r.ID, UserID: r.UserID}})
		}
	}
	q, err := queueOf(tx)
	if err != nil {
		return err
	}
	t, err := sqlTx(tx)
	if err != nil {
		return err
	}
	_, err = q.InsertManyTx(tx.Statement.Context, t, jobs)
	return err
}

// mailRecipient is what a mail job reads about its person when it runs.
type mailRecipient struct {
	ID              int64
	Name            string
	Role            string
	Status          string
	Email           *string
	EmailVerifiedAt *time.Time
	MailLang        string
}

func (r mailRecipient) letter() Letter {
	l := Letter{Lang: r.MailLang, Name: r.Name, Role: domain.Role(r.Role)}
	if r.Email != nil {
		l.Email = *r.Email
	}
	return l
}

const mailRecipientSQL = `SELECT id, name, role, status, email, email_verified_at, mail_lang FROM users WHERE id = ?`

type mailNoteWorker struct {
	river.WorkerDefaults[mailNoteArgs]
	s *Store
	m Mailer
}

func (w *mailNoteWorker) NextRetry(job *river.Job[mailNoteArgs]) time.Time {
	return w.s.clock.Now().Add(mailBackoff(job.Attempt))
}

// Work mails a notification to its recipient as they are now: nothing if they have since lost or changed their
// address unverified, or closed their account.
func (w *mailNoteWorker) Work(ctx context.Context, job *river.Job[mailNoteArgs]) error {
	db := w.s.db.WithContext(ctx)
	var rows []notificationRow
	if err := db.Raw(`SELECT id, user_id, kind, request_id, offer_id, pairing_id, application_id, voucher_id, grant_id, claim_id, detail, created_at, read_at
		FROM notifications WHERE id = ?`, job.Args.NotificationID).Scan(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	var r mailRecipient
	if err := db.Raw(mailRecipientSQL, rows[0].UserID).Scan(&r).Error; err != nil {
		return err
	}
	if r.Status == string(domain.StatusClosed) || r.Email == nil || r.EmailVerifiedAt == nil {
		return nil
	}
	n := rows[0].notification()
	l := r.letter()
	l.Note = &n
	return w.s.deliver(ctx, w.m, l, job.Kind, job.ID)
}

type mailVerifyWorker struct {
	river.WorkerDefaults[mailVerifyArgs]
	s *Store
	m Mailer
}

func (w *mailVerifyWorker) NextRetry(job *river.Job[mailVerifyArgs]) time.Time {
	return w.s.clock.Now().Add(mailBackoff(job.Attempt))
}

// Work makes a fresh token for the address and mails its link. The token is made here rather than where the
// address was given, so that it exists only as its hash in the database and in the mail: never in a job's
// arguments. A retry makes another, and the earlier one (never delivered) stops working.
func (w *mailVerifyWorker) Work(ctx context.Context, job *river.Job[mailVerifyArgs]) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	var r mailRecipient
	err = w.s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := lockUser(tx, job.Args.UserID); err != nil {
			return err
		}
		if err := tx.Raw(mailRecipientSQL, job.Args.UserID).Scan(&r).Error; err != nil {
			return err
		}
		if r.Status == string(domain.StatusClosed) || r.Email == nil || *r.Email != job.Args.Email || r.EmailVerifiedAt != nil {
			r.Email = nil // nothing to verify any more
			return nil
		}
		if err := tx.Exec(`DELETE FROM email_verifications WHERE user_id = ? AND used_at IS NULL`, r.ID).Error; err != nil {
			return err
		}
		at := now(tx)
		return tx.Exec(`INSERT INTO email_verifications (user_id, email, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			r.ID, *r.Email, tokenHash(token), at, at.Add(EmailLinkLifetime)).Error
	})
	if err != nil || r.Email == nil {
		return ignoreGone(err)
	}
	l := r.letter()
	l.Token = token
	return w.s.deliver(ctx, w.m, l, job.Kind, job.ID)
}

// deliver words a letter and sends it. A permanent refusal cancels the job (River tries it no more); a passing
// one is returned for River to try again after mailBackoff.
func (s *Store) deliver(ctx context.Context, m Mailer, l Letter, kind string, jobID int64) error {
	if m.Sender == nil || m.Word == nil {
		return nil
	}
	subject, body := m.Word(l)
	err := m.Sender.Send(ctx, l.Email, subject, body)
	var p interface{ Permanent() bool }
	if errors.As(err, &p) && p.Permanent() {
		s.log.Warn("mail refused for good; not retrying", "job", kind, "job_id", jobID, "err", err)
		return river.JobCancel(fmt.Errorf("mail refused: %w", err))
	}
	return err
}
