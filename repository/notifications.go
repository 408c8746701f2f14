package repository

import (
	"context"
	"time"

	"guanai/domain"
)

// Notification is a line of a person's inbox: what happened (one of the Note kinds), what it is about, and
// whether it has been read.
type Notification struct {
	ID        int64
	Kind      string
	RequestID int64 // 0 when it is not about a request
	OfferID   int64 // 0 when it is not about an offer
	PairingID int64 // 0 when it is not about a pairing
	// A benefit application (rejected) or voucher (issued); 0 when it is not about one.
	ApplicationID int64
	VoucherID     int64
	GrantID       int64 // 0 when it is not about a grant application
	ClaimID       int64 // 0 when it is not about an expense claim
	Detail        string
	CreatedAt     time.Time
	ReadAt        *time.Time
}

// Unread reports whether the recipient has not opened it yet.
func (n Notification) Unread() bool { return n.ReadAt == nil }

func (r notificationRow) notification() Notification {
	n := Notification{ID: r.ID, Kind: r.Kind, Detail: r.Detail, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
	if r.RequestID != nil {
		n.RequestID = *r.RequestID
	}
	if r.OfferID != nil {
		n.OfferID = *r.OfferID
	}
	if r.PairingID != nil {
		n.PairingID = *r.PairingID
	}
	if r.ApplicationID != nil {
		n.ApplicationID = *r.ApplicationID
	}
	if r.VoucherID != nil {
		n.VoucherID = *r.VoucherID
	}
	if r.GrantID != nil {
		n.GrantID = *r.GrantID
	}
	if r.ClaimID != nil {
		n.ClaimID = *r.ClaimID
	}
	return n
}

// inboxPages pages an inbox newest first, on notifications_user_idx (user_id, id DESC).
var inboxPages = keyset{id: "id", size: PageSize}

// Inbox returns the page c names of a person's notifications, newest first. It does not count them: the header's
// unread count is what a reader needs.
func (s *Store) Inbox(ctx context.Context, userID int64, c domain.Cursor) (ListPage[Notification], error) {
	db := s.db.WithContext(ctx)
	return pageOf(inboxPages, c, func(n Notification) domain.Cursor { return domain.Cursor{ID: n.ID} },
		func(q pageSQL) ([]Notification, error) {
			tail, args := q.Tail()
			var rows []notificationRow
			err := db.Raw(`SELECT id, user_id, kind, request_id, offer_id, pairing_id, application_id, voucher_id, grant_id, claim_id, detail, created_at, read_at
				FROM notifications WHERE user_id = ?`+tail, append([]any{userID}, args...)...).Scan(&rows).Error
			out := make([]Notification, len(rows))
			for i, r := range rows {
				out[i] = r.notification()
			}
			return out, err
		})
}

// UnreadCap is as far as the header counts unread notifications: "99+" is all a glance needs, and the count,
// asked on every page, then reads at most a hundred entries of notifications_unread_idx.
const UnreadCap = 99

// unreadSQL counts a person's unread notifications no further than UnreadCap+1 (the badge says 99+).
const unreadSQL = `SELECT count(*) FROM (SELECT 1 FROM notifications
	WHERE user_id = ? AND read_at IS NULL LIMIT ?) unread`

func cappedUnread(n int64) Count {
	if n > UnreadCap {
		return Count{N: UnreadCap, More: true}
	}
	return Count{N: n}
}

// OpenNotification marks one of a person's notifications read (keeping when it was first read) and returns it.
// Another person's notification is not found, as one that does not exist.
func (s *Store) OpenNotification(ctx context.Context, userID, id int64) (Notification, error) {
	db := s.db.WithContext(ctx)
	var rows []notificationRow
	err := db.Raw(`UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? AND user_id = ?
		RETURNING id, user_id, kind, request_id, offer_id, pairing_id, application_id, voucher_id, grant_id, claim_id, detail, created_at, read_at`,
		now(db), id, userID).Scan(&rows).Error
	if err != nil {
		return Notification{}, err
	}
	if len(rows) == 0 {
		return Notification{}, domain.ErrNotFound
	}
	return rows[0].notification(), nil
}

// MarkAllRead marks a person's unread notifications read, those up to the one with id upTo (0: all of them): the
// inbox sends the newest it showed, so an offer that arrived after the reader looked stays unread.
func (s *Store) MarkAllRead(ctx context.Context, userID, upTo int64) error {
	db := s.db.WithContext(ctx)
	q := db.Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", userID)
	if upTo > 0 {
		q = q.Where("id <= ?", upTo)
	}
	return q.Update("read_at", now(db)).Error
}
