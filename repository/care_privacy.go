package repository

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanai/domain"
)

// A person's care requests, pairings, services and offers in the download of their own data, and what closing the
// account does to them. The other side of a pairing or a service appears only as the masked name the pages show
// (王**), never with a phone, an address or an ID number. Closing an account first ends what is under way, through
// the same functions people use (her open requests are cancelled, his pending offers declined, the pairings of
// either ended, each with the other side told), then empties the free text the person wrote and what locates her or
// her children; the states, times, minutes and ratings stay, so the other side's hours, certificates and the
// dispatch figures read as before.

// MyCareRequest is one of her requests, as she asked it.
type MyCareRequest struct {
	ID            int64                  `json:"id"`
	Program       string                 `json:"program"`
	Category      string                 `json:"category"`
	Urgency       string                 `json:"urgency"`
	Status        string                 `json:"status"`
	District      string                 `json:"district"`
	Pickup        string                 `json:"pickup,omitempty"`
	Destination   string                 `json:"destination,omitempty"`
	Place         string                 `json:"place,omitempty"`
	Details       string                 `json:"details,omitempty"`
	Children      textArray              `json:"children,omitempty"`
	Subject       string                 `json:"subject,omitempty"`
	Weekdays      textArray              `json:"weekdays,omitempty"`
	FirstDate     string                 `json:"first_date,omitempty"`
	LastDate      string                 `json:"last_date,omitempty"`
	StartsAt      time.Time              `json:"starts_at"`
	EndsAt        time.Time              `json:"ends_at"`
	Occurrences   jsonColumn[[]MyWindow] `json:"occurrences,omitzero"`
	SubmittedAt   time.Time              `json:"submitted_at"`
	MatchedAt     *time.Time             `json:"matched_at,omitempty"`
	CompletedAt   *time.Time             `json:"completed_at,omitempty"`
	ClosedAt      *time.Time             `json:"closed_at,omitempty"`
	CancelledAt   *time.Time             `json:"cancelled_at,omitempty"`
	CancelReason  string                 `json:"cancel_reason,omitempty"`
	Volunteer     string                 `json:"volunteer,omitempty"` // masked
	Rating        *int                   `json:"rating,omitempty"`
	RatingComment string                 `json:"rating_comment,omitempty"`
}

// MyWindow is one occurrence of a recurring request.
type MyWindow struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// MyPairing is one of a person's pairings, from her side (as staff) or his (as volunteer).
type MyPairing struct {
	ID        int64      `json:"id"`
	As        string     `json:"as"` // staff or volunteer: which side the person was
	Program   string     `json:"program"`
	Other     string     `json:"other"` // the other side, masked
	Status    string     `json:"status"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	EndedByMe bool       `json:"ended_by_me,omitempty"`
	EndReason string     `json:"end_reason,omitempty"` // only when the person ended it: the other side's words are theirs
	NoRepeat  bool       `json:"no_repeat,omitempty"`
	Services  int        `json:"services"`
	Minutes   int64      `json:"confirmed_minutes"`
	OtherName string     `json:"-"`
}

// MyService is one service a person received (as staff) or gave (as volunteer), with the rating of its request.
type MyService struct {
	ID            int64      `json:"id"`
	As            string     `json:"as"`
	RequestID     int64      `json:"request_id"`
	PairingID     int64      `json:"pairing_id"`
	Program       string     `json:"program"`
	Category      string     `json:"category"`
	Other         string     `json:"other"` // masked
	Status        string     `json:"status"`
	CheckedInAt   time.Time  `json:"checked_in_at"`
	CheckedOutAt  *time.Time `json:"checked_out_at,omitempty"`
	ConfirmedAt   *time.Time `json:"confirmed_at,omitempty"`
	ConfirmedBy   *string    `json:"confirmed_by,omitempty"`
	Minutes       *int       `json:"minutes,omitempty"`
	Hours         string     `json:"hours,omitempty"`
	Note          string     `json:"note,omitempty"` // the volunteer's, in his own download
	Rating        *int       `json:"rating,omitempty"`
	RatingComment string     `json:"rating_comment,omitempty"`
	OtherName     string     `json:"-"`
}

// MyOffer is an offer a volunteer received and what became of it: what was asked, not who asked.
type MyOffer struct {
	ID            int64      `json:"id"`
	RequestID     int64      `json:"request_id"`
	Program       string     `json:"program"`
	Category      string     `json:"category"`
	Urgency       string     `json:"urgency"`
	District      string     `json:"district"`
	StartsAt      time.Time  `json:"starts_at"`
	EndsAt        time.Time  `json:"ends_at"`
	Round         int        `json:"round"`
	Status        string     `json:"status"`
	OfferedAt     time.Time  `json:"offered_at"`
	ExpiresAt     time.Time  `json:"expires_at"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
	DeclineReason string     `json:"decline_reason,omitempty"`
}

// MyRating is a rating she gave (as staff) or he received (as volunteer), once per request.
type MyRating struct {
	RequestID int64      `json:"request_id"`
	As        string     `json:"as"`
	Program   string     `json:"program"`
	Other     string     `json:"other"` // masked
	Rating    int        `json:"rating"`
	Comment   string     `json:"comment,omitempty"`
	At        *time.Time `json:"at,omitempty"`
}

// myCare fills the care sections of a person's download: three statements for staff (requests, pairings,
// services), three for a volunteer (pairings, services, offers), none for an operator. Ratings come from the
// requests and services already read.
func myCare(db *gorm.DB, d *MyData, userID int64, role domain.Role) error {
	if role != domain.RoleStaff && role != domain.RoleVolunteer {
		return nil
	}
	side := "volunteer"
	if role == domain.RoleStaff {
		side = "staff"
		if err := db.Raw(`SELECT r.id, p.code AS program, r.category, r.urgency, r.status, r.district, r.pickup,
				r.destination, r.place, r.details, r.subject, r.weekdays,
				coalesce((SELECT array_agg(c.name ORDER BY c.id) FROM staff_children c WHERE c.id = ANY (r.child_ids)), '{}') AS children,
				coalesce(to_char(r.first_date, 'YYYY-MM-DD'), '') AS first_date, coalesce(to_char(r.last_date, 'YYYY-MM-DD'), '') AS last_date,
				r.starts_at, r.ends_at, r.submitted_at, r.matched_at, r.completed_at, r.closed_at, r.cancelled_at,
				r.cancel_reason, coalesce(v.name, '') AS volunteer, r.rating, r.rating_comment,
				CASE WHEN cardinality(r.weekdays) > 0 THEN (SELECT json_agg(json_build_object('starts_at', o.starts_at,
					'ends_at', o.ends_at) ORDER BY o.starts_at) FROM care_occurrences o WHERE o.request_id = r.id) END AS occurrences
			FROM care_requests r JOIN programs p ON p.id = r.program_id LEFT JOIN users v ON v.id = r.volunteer_id
			WHERE r.staff_id = ? ORDER BY r.id`, userID).Scan(&d.CareRequests).Error; err != nil {
			return err
		}
		for i := range d.CareRequests {
			r := &d.CareRequests[i]
			r.Volunteer = maskOther(r.Volunteer)
			if r.Rating != nil {
				d.Ratings = append(d.Ratings, MyRating{RequestID: r.ID, As: side, Program: r.Program, Other: r.Volunteer,
					Rating: *r.Rating, Comment: r.RatingComment, At: r.ClosedAt})
			}
		}
	}
	mine, other := "pa.volunteer_id", "pa.staff_id"
	if side == "staff" {
		mine, other = other, mine
	}
	if err := db.Raw(`SELECT pa.id, ? AS as, p.code AS program, u.name AS other_name, pa.status, pa.started_at, pa.ended_at,
			coalesce(pa.ended_by = ?, false) AS ended_by_me, CASE WHEN pa.ended_by = ? THEN pa.end_reason ELSE '' END AS end_reason,
			pa.no_repeat
		FROM pairings pa JOIN programs p ON p.id = pa.program_id JOIN users u ON u.id = `+other+`
		WHERE `+mine+` = ? ORDER BY pa.id`, side, userID, userID, userID).Scan(&d.Pairings).Error; err != nil {
		return err
	}
	// A volunteer's services are found by care_services_volunteer_idx; hers through her requests.
	where := "sv.volunteer_id = ?"
	if side == "staff" {
		where = "sv.request_id IN (SELECT id FROM care_requests WHERE staff_id = ?)"
	}
	if err := db.Raw(`SELECT sv.id, ? AS as, sv.request_id, sv.pairing_id, p.code AS program, r.category, u.name AS other_name,
			sv.status, sv.checked_in_at, sv.checked_out_at, sv.confirmed_at, sv.confirmed_by, sv.minutes,
			CASE WHEN ? THEN sv.note ELSE '' END AS note, r.rating, r.rating_comment
		FROM care_services sv JOIN care_requests r ON r.id = sv.request_id JOIN programs p ON p.id = r.program_id
			JOIN users u ON u.id = CASE WHEN ? THEN sv.staff_id ELSE sv.volunteer_id END
		WHERE `+where+` ORDER BY sv.checked_in_at, sv.id`, side, side == "volunteer", side == "volunteer", userID).
		Scan(&d.Services).Error; err != nil {
		return err
	}
	byPairing := map[int64]int{}
	for i := range d.Pairings {
		d.Pairings[i].Other = maskOther(d.Pairings[i].OtherName)
		byPairing[d.Pairings[i].ID] = i
	}
	rated := map[int64]bool{}
	for i := range d.Services {
		sv := &d.Services[i]
		sv.Other = maskOther(sv.OtherName)
		if sv.Minutes != nil {
			sv.Hours = fmt.Sprintf("%.2f", float64(*sv.Minutes)/60)
		}
		if j, ok := byPairing[sv.PairingID]; ok {
			d.Pairings[j].Services++
			if sv.Status == domain.ServiceConfirmed && sv.Minutes != nil {
				d.Pairings[j].Minutes += int64(*sv.Minutes)
			}
		}
		if side == "volunteer" && sv.Rating != nil && !rated[sv.RequestID] {
			rated[sv.RequestID] = true
			d.Ratings = append(d.Ratings, MyRating{RequestID: sv.RequestID, As: side, Program: sv.Program, Other: sv.Other,
				Rating: *sv.Rating, Comment: sv.RatingComment})
		}
	}
	if side != "volunteer" {
		return nil
	}
	return db.Raw(`SELECT o.id, o.request_id, p.code AS program, r.category, r.urgency, r.district, r.starts_at, r.ends_at,
			o.round, o.status, o.created_at AS offered_at, o.expires_at, o.answered_at, o.decline_reason
		FROM care_offers o JOIN care_requests r ON r.id = o.request_id JOIN programs p ON p.id = r.program_id
		WHERE o.volunteer_id = ? ORDER BY o.id`, userID).Scan(&d.Offers).Error
}

// maskOther is the other side's name as the pages show it: masked, or 已注销用户 once they closed their account.
func maskOther(name string) string {
	if name == domain.ClosedAccountName {
		return name
	}
	return domain.MaskName(name)
}

// closeCare is closing an account's part for care, in its transaction, with the account's row locked (FOR NO KEY
// UPDATE, which the foreign keys of an acceptance at this moment do not wait for) and before the row itself changes.
//
// Staff: each open request is cancelled (reason domain.ReasonAccountClosed) as she would cancel it, under its row
// lock — an acceptance that got there first is then cancelled, and its volunteer told; one that comes after finds
// the request ended. Her active pairings end, the volunteer told. Volunteer: a service he is checked in to refuses
// the close (he checks out first: the minutes are hers to confirm); each pending offer is declined as he would
// decline it (the next round goes out when it was the round's last), and each active pairing ends, its unstarted
// requests going out to other volunteers. Then the free text goes.
func (s *Store) closeCare(ctx context.Context, tx *gorm.DB, actor Actor, role domain.Role) error {
	switch role {
	case domain.RoleStaff:
		var open []int64
		if err := tx.Model(&careRequestRow{}).Where("staff_id = ? AND status IN ?", actor.UserID, cancellableStates()).
			Order("id").Pluck("id", &open).Error; err != nil {
			return err
		}
		for _, id := range open {
			req, err := lockRequest(tx, id)
			if err != nil {
				return err
			}
			if !domain.RequestCancellable(req.Status) {
				continue // completed or ended while this waited for its lock
			}
			if err := s.cancelLocked(ctx, tx, actor, req, domain.ReasonAccountClosed); err != nil {
				return err
			}
		}
	case domain.RoleVolunteer:
		var busy int64
		if err := tx.Model(&serviceRow{}).Where("volunteer_id = ? AND status = ?", actor.UserID, domain.ServiceCheckedIn).
			Count(&busy).Error; err != nil {
			return err
		}
		if busy > 0 {
			return domain.FieldErrors{"confirm": "close.error.checked_in"}
		}
		var pending []offerRow
		if err := tx.Where("volunteer_id = ? AND status = ?", actor.UserID, domain.OfferPending).
			Order("request_id").Find(&pending).Error; err != nil {
			return err
		}
		for _, o := range pending {
			req, err := lockRequest(tx, o.RequestID)
			if err != nil {
				return err
			}
			if err := s.declineLocked(ctx, tx, o.ID, req, domain.ReasonAccountClosed); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	column := "staff_id"
	if role == domain.RoleVolunteer {
		column = "volunteer_id"
	}
	var active []int64
	if err := tx.Model(&pairingRow{}).Where(column+" = ? AND status = ?", actor.UserID, domain.PairingActive).
		Order("id").Pluck("id", &active).Error; err != nil {
		return err
	}
	for _, id := range active {
		if err := lockMatchedRequests(tx, id); err != nil {
			return err
		}
		var p pairingRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&p, id).Error; err != nil {
			return err
		}
		if p.Status != domain.PairingActive {
			continue
		}
		if err := s.endLocked(ctx, tx, actor, p, domain.ReasonAccountClosed, false); err != nil {
			return err
		}
	}
	return scrubCare(tx, actor.UserID, role)
}

func cancellableStates() []string {
	var out []string
	for _, st := range domain.RequestStates {
		if domain.RequestCancellable(st) {
			out = append(out, st)
		}
	}
	return out
}

// scrubCare empties what a closed account wrote or what locates her: her requests' places, details, children and
// comments; his service notes and decline reasons; the reasons either gave for ending a pairing, in the pairing and
// in the other side's inbox. The system's own reason (domain.ReasonAccountClosed) stays: it says nothing of anyone.
func scrubCare(tx *gorm.DB, userID int64, role domain.Role) error {
	kept := domain.ReasonAccountClosed
	type step struct {
		sql  string
		args []any
	}
	steps := []step{
		// the reasons the person gave for ending pairings, and the notifications that carried them to the other side
		{`UPDATE notifications SET detail = '' WHERE kind = ? AND detail <> ? AND pairing_id IN
			(SELECT id FROM pairings WHERE ended_by = ? AND (staff_id = ? OR volunteer_id = ?))
			AND user_id IN (SELECT CASE WHEN staff_id = ? THEN volunteer_id ELSE staff_id END FROM pairings
				WHERE ended_by = ? AND (staff_id = ? OR volunteer_id = ?))`,
			[]any{NotePairingEnded, kept, userID, userID, userID, userID, userID, userID, userID}},
		{`UPDATE pairings SET end_reason = '' WHERE ended_by = ? AND end_reason <> ? AND (staff_id = ? OR volunteer_id = ?)`,
			[]any{userID, kept, userID, userID}},
	}
	if role == domain.RoleStaff {
		steps = append(steps,
			step{`UPDATE care_requests SET pickup = '', destination = '', place = '', details = '', child_ids = '{}',
				rating_comment = '', cancel_reason = CASE WHEN cancel_reason = ? THEN cancel_reason ELSE '' END
				WHERE staff_id = ?`, []any{kept, userID}},
			step{`UPDATE care_events SET detail = '' WHERE kind = 'cancelled' AND detail <> ? AND actor_id = ?
				AND request_id IN (SELECT id FROM care_requests WHERE staff_id = ?)`, []any{kept, userID, userID}},
			// her reasons for cancelling, in her volunteers' inboxes (found by recipient: notifications_user_idx)
			step{`UPDATE notifications SET detail = '' WHERE kind = ? AND detail <> ?
				AND user_id IN (SELECT DISTINCT volunteer_id FROM care_requests WHERE staff_id = ? AND volunteer_id IS NOT NULL)
				AND request_id IN (SELECT id FROM care_requests WHERE staff_id = ?)`, []any{NoteCancelled, kept, userID, userID}},
		)
	} else {
		steps = append(steps,
			step{`UPDATE care_services SET note = '' WHERE volunteer_id = ? AND note <> ''`, []any{userID}},
			step{`UPDATE care_offers SET decline_reason = '' WHERE volunteer_id = ? AND decline_reason NOT IN ('', ?)`, []any{userID, kept}},
		)
	}
	for _, st := range steps {
		if err := tx.Exec(st.sql, st.args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// isDeadlock reports whether PostgreSQL broke a deadlock by refusing this transaction: it may be run again.
func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// careCloseRetries is how many times closing an account is tried when PostgreSQL refuses it to break a deadlock:
// ending a pairing locks the pairing then its requests, while an acceptance locks a request then its pairing, so a
// volunteer ending a pairing at the very moment she closes her account can meet her transaction the other way round.
const careCloseRetries = 3
