package repository

import (
	"context"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// What a volunteer reads of the care requests: her offers, his pairings, the requests he serves. Every query is
// narrowed to the volunteer who asks, so another volunteer's id finds nothing (domain.ErrNotFound); and the
// columns that identify the staff member are read only where he may see them — an offer's query never selects
// them, a pairing's and a request's only while the pairing is active. A pairing's requests are found through her
// requests (care_requests_staff_idx): care_requests has no index of its own on pairing_id.

// ProgramNames are a program's names, for a page to pick its language's.
type ProgramNames struct {
	ProgramZh string
	ProgramEn string
}

// Program is the program's name in lang.
func (p ProgramNames) Program(lang string) string {
	if lang == "en" {
		return p.ProgramEn
	}
	return p.ProgramZh
}

// VolunteerHome is the volunteer's home: the figures, the pairings under way and the services coming up.
type VolunteerHome struct {
	ConfirmedMinutes int64
	PendingOffers    int64
	ActivePairings   int
	Capacity         int
	Qualifications   []Qualification
	Pairings         []VolunteerPairingLine
	Upcoming         []UpcomingService
	Certificates     []CertificateLine // the latest few (certificates.go)
}

// UpcomingService is an occurrence of a request the volunteer is matched with, not yet served (or under way).
type UpcomingService struct {
	ProgramNames
	RequestID     int64
	Category      string
	District      string
	StartsAt      time.Time
	EndsAt        time.Time
	ServiceStatus *string // checked_in while under way; nil before
}

// homeLists bound the home's lists: a volunteer has at most domain.MaxPairing pairings at once.
const (
	homePairings = 20
	homeUpcoming = 5
)

// VolunteerHome reads the volunteer's home.
func (s *Store) VolunteerHome(ctx context.Context, volunteerID int64) (VolunteerHome, error) {
	db := s.db.WithContext(ctx)
	at := s.Now()
	var h VolunteerHome
	var figures []struct {
		ConfirmedMinutes int64
		ActivePairings   int
		Capacity         int
		PendingOffers    int64
		Certificates     jsonColumn[[]CertificateLine]
	}
	err := db.Raw(`SELECT vp.confirmed_minutes, vp.active_pairings, vp.capacity,
			(SELECT count(*) FROM care_offers o WHERE o.volunteer_id = vp.user_id AND o.status = 'pending'
				AND o.expires_at > ?) AS pending_offers,
			(`+homeCertificates+`) AS certificates
		FROM volunteer_profiles vp WHERE vp.user_id = ?`, at, volunteerID).Scan(&figures).Error
	if err != nil {
		return h, err
	}
	if len(figures) > 0 {
		f := figures[0]
		h.ConfirmedMinutes, h.ActivePairings, h.Capacity, h.PendingOffers = f.ConfirmedMinutes, f.ActivePairings, f.Capacity, f.PendingOffers
		h.Certificates = f.Certificates.V
	}
	if err := db.Model(&qualificationRow{}).Where("user_id = ?", volunteerID).Order("id").Find(&h.Qualifications).Error; err != nil {
		return h, err
	}
	if h.Pairings, err = s.volunteerPairings(db, volunteerID, true, homePairings); err != nil {
		return h, err
	}
	err = db.Raw(`SELECT r.id AS request_id, r.category, r.district, o.starts_at, o.ends_at, sv.status AS service_status,
			p.name_zh AS program_zh, p.name_en AS program_en
		FROM care_requests r
		JOIN care_occurrences o ON o.request_id = r.id
		JOIN programs p ON p.id = r.program_id
		LEFT JOIN care_services sv ON sv.occurrence_id = o.id
		WHERE r.volunteer_id = ? AND r.status IN ('matched', 'in_service')
			AND (sv.id IS NULL AND o.ends_at > ? OR sv.status = 'checked_in')
		ORDER BY o.starts_at, o.id LIMIT ?`, volunteerID, at, homeUpcoming).Scan(&h.Upcoming).Error
	return h, err
}

// OfferLine is an offer as the volunteer reads it before accepting: what help, where, when, how urgent — nothing
// of who asks.
type OfferLine struct {
	ProgramNames
	ID          int64
	RequestID   int64
	Status      string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AnsweredAt  *time.Time
	Category    string
	Urgency     string
	District    string
	StartsAt    time.Time // the first occurrence's start
	EndsAt      time.Time // the last one's end
	Recurring   bool
	Occurrences int
	// Mine: the request is matched with this volunteer now (her offer was accepted, and still holds).
	Mine bool
}

// Open reports whether the offer can still be answered at the time given.
func (o OfferLine) Open(at time.Time) bool {
	return o.Status == domain.OfferPending && at.Before(o.ExpiresAt)
}

// State is the offer's state as the volunteer should read it: a pending offer whose time ran out is expired,
// though its expiry job may not have run yet.
func (o OfferLine) State(at time.Time) string {
	if o.Status == domain.OfferPending && !o.Open(at) {
		return domain.OfferExpired
	}
	return o.Status
}

// offerColumns are an offer's and its request's columns a volunteer may read before accepting. The request's
// details, places, children and the staff member's account are not among them.
const offerColumns = `o.id, o.request_id, o.status, o.created_at, o.expires_at, o.answered_at,
	r.category, r.urgency, r.district, r.starts_at, r.ends_at, coalesce(cardinality(r.weekdays), 0) > 0 AS recurring,
	(SELECT count(*) FROM care_occurrences co WHERE co.request_id = r.id) AS occurrences,
	r.volunteer_id IS NOT DISTINCT FROM o.volunteer_id AS mine,
	p.name_zh AS program_zh, p.name_en AS program_en
	FROM care_offers o JOIN care_requests r ON r.id = o.request_id JOIN programs p ON p.id = r.program_id`

// VolunteerOffers are the volunteer's inbox of offers: those still open, the soonest to run out first, then the
// most recent of the others.
type VolunteerOffers struct {
	Open     []OfferLine
	Answered []OfferLine
}

// How many offers the inbox shows: open offers are few (a daily cap per volunteer, each open for hours at most).
const (
	inboxOpen     = 50
	inboxAnswered = 20
)

// VolunteerOffers reads the volunteer's inbox.
func (s *Store) VolunteerOffers(ctx context.Context, volunteerID int64) (VolunteerOffers, error) {
	db := s.db.WithContext(ctx)
	at := s.Now()
	var v VolunteerOffers
	err := db.Raw(`SELECT `+offerColumns+`
		WHERE o.volunteer_id = ? AND o.status = 'pending' AND o.expires_at > ?
		ORDER BY o.expires_at, o.id LIMIT ?`, volunteerID, at, inboxOpen).Scan(&v.Open).Error
	if err != nil {
		return v, err
	}
	err = db.Raw(`SELECT `+offerColumns+`
		WHERE o.volunteer_id = ? AND NOT (o.status = 'pending' AND o.expires_at > ?)
		ORDER BY o.id DESC LIMIT ?`, volunteerID, at, inboxAnswered).Scan(&v.Answered).Error
	return v, err
}

// OfferView is one offer with each occurrence of its request.
type OfferView struct {
	OfferLine
	Windows []domain.Window
}

// VolunteerOffer reads one of the volunteer's offers; anyone else's is not found.
func (s *Store) VolunteerOffer(ctx context.Context, volunteerID, offerID int64) (OfferView, error) {
	db := s.db.WithContext(ctx)
	var v OfferView
	var rows []OfferLine
	if err := db.Raw(`SELECT `+offerColumns+` WHERE o.id = ? AND o.volunteer_id = ?`, offerID, volunteerID).
		Scan(&rows).Error; err != nil {
		return v, err
	}
	if len(rows) == 0 {
		return v, domain.ErrNotFound
	}
	v.OfferLine = rows[0]
	var err error
	v.Windows, err = occurrenceWindows(db, v.RequestID)
	return v, err
}

func occurrenceWindows(db *gorm.DB, requestID int64) ([]domain.Window, error) {
	var occ []occurrenceRow
	if err := db.Where("request_id = ?", requestID).Order("starts_at, id").Find(&occ).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Window, len(occ))
	for i, o := range occ {
		out[i] = o.window()
	}
	return out, nil
}

// VolunteerPairingLine is a pairing in the volunteer's list: no contact, which the pairing's own page shows.
type VolunteerPairingLine struct {
	ProgramNames
	ID        int64
	Status    string
	StartedAt time.Time
	EndedAt   *time.Time
	Requests  int
	District  string // the staff member's district
}

// pairingList bounds the list of pairings: a volunteer has a few at once, and a few ended ones are worth seeing.
const pairingList = 50

// VolunteerPairings lists the volunteer's pairings, the active ones first, newest first.
func (s *Store) VolunteerPairings(ctx context.Context, volunteerID int64) ([]VolunteerPairingLine, error) {
	return s.volunteerPairings(s.db.WithContext(ctx), volunteerID, false, pairingList)
}

func (s *Store) volunteerPairings(db *gorm.DB, volunteerID int64, activeOnly bool, limit int) ([]VolunteerPairingLine, error) {
	cond := ""
	if activeOnly {
		cond = " AND pa.status = 'active'"
	}
	var out []VolunteerPairingLine
	err := db.Raw(`SELECT pa.id, pa.status, pa.started_at, pa.ended_at, sp.district,
			(SELECT count(*) FROM care_requests r WHERE r.staff_id = pa.staff_id AND r.pairing_id = pa.id) AS requests,
			p.name_zh AS program_zh, p.name_en AS program_en
		FROM pairings pa JOIN programs p ON p.id = pa.program_id
		LEFT JOIN staff_profiles sp ON sp.user_id = pa.staff_id
		WHERE pa.volunteer_id = ?`+cond+`
		ORDER BY pa.status = 'active' DESC, pa.started_at DESC, pa.id DESC LIMIT ?`, volunteerID, limit).Scan(&out).Error
	return out, err
}

// PairingView is one of the volunteer's pairings: the staff member's name, phone and address while it is active
// (each such read is audited), and the requests it served.
type PairingView struct {
	VolunteerPairingLine
	EndReason string
	NoRepeat  bool
	// Contact is nil once the pairing has ended: it is not even read.
	Contact  *PairingContact
	Requests []PairingRequest
}

// PairingContact is how the volunteer reaches the staff member he is paired with.
type PairingContact struct {
	Name    string
	Phone   string
	Address string
}

// PairingRequest is a request of a pairing, as its list shows it.
type PairingRequest struct {
	ID        int64
	Status    string
	Category  string
	StartsAt  time.Time
	EndsAt    time.Time
	Recurring bool
}

const pairingRequests = 50

// VolunteerPairing reads one of the volunteer's pairings; anyone else's is not found. While it is active, the
// staff member's contact is read, and that read is audited (pairing.view_contact) in the same transaction: a
// contact shown is a contact on the record.
func (s *Store) VolunteerPairing(ctx context.Context, actor Actor, pairingID int64) (PairingView, error) {
	var v PairingView
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var rows []struct {
			VolunteerPairingLine
			StaffID   int64
			EndReason string
			NoRepeat  bool
			Name      *string
			Phone     *string
			Address   *string
		}
		if err := tx.Raw(`SELECT pa.id, pa.staff_id, pa.status, pa.started_at, pa.ended_at, pa.end_reason, pa.no_repeat, sp.district,
				(SELECT count(*) FROM care_requests r WHERE r.staff_id = pa.staff_id AND r.pairing_id = pa.id) AS requests,
				p.name_zh AS program_zh, p.name_en AS program_en,
				CASE WHEN pa.status = 'active' THEN u.name END AS name,
				CASE WHEN pa.status = 'active' THEN u.phone END AS phone,
				CASE WHEN pa.status = 'active' THEN sp.address END AS address
			FROM pairings pa JOIN programs p ON p.id = pa.program_id JOIN users u ON u.id = pa.staff_id
			LEFT JOIN staff_profiles sp ON sp.user_id = pa.staff_id
			WHERE pa.id = ? AND pa.volunteer_id = ?`, pairingID, actor.UserID).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return domain.ErrNotFound
		}
		r := rows[0]
		v.VolunteerPairingLine, v.EndReason, v.NoRepeat = r.VolunteerPairingLine, r.EndReason, r.NoRepeat
		if r.Status == domain.PairingActive && r.Name != nil {
			v.Contact = &PairingContact{Name: *r.Name, Phone: deref(r.Phone), Address: deref(r.Address)}
			if err := audit(tx, actor, "pairing.view_contact", "pairing", r.ID, nil, nil); err != nil {
				return err
			}
		}
		return tx.Raw(`SELECT id, status, category, starts_at, ends_at, coalesce(cardinality(weekdays), 0) > 0 AS recurring
			FROM care_requests WHERE staff_id = ? AND pairing_id = ? AND volunteer_id = ?
			ORDER BY starts_at DESC, id DESC LIMIT ?`, r.StaffID, r.ID, actor.UserID, pairingRequests).Scan(&v.Requests).Error
	})
	return v, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// RequestView is a request the volunteer is matched with. Her details — what she wrote, where, which children —
// are there while the pairing is active and the request not cancelled; otherwise they are not read.
type RequestView struct {
	RequestFacts
	Children    []ChildShown
	Occurrences []OccurrenceView
}

// RequestFacts are the request's own columns, as the volunteer may read them.
type RequestFacts struct {
	ProgramNames
	ID          int64
	Status      string
	Category    string
	Urgency     string
	District    string
	StartsAt    time.Time
	EndsAt      time.Time
	Recurring   bool
	PairingID   int64
	PairingOpen bool // the pairing is active: her details are shown
	Details     string
	Pickup      string
	Destination string
	Place       string
	Subject     string
}

// ChildShown is a child as the volunteer who tutors them knows them: the given name and the grade.
type ChildShown struct {
	GivenName string
	Grade     string
}

// OccurrenceView is one occurrence of a request with its service, if it has begun.
type OccurrenceView struct {
	ID       int64
	StartsAt time.Time
	EndsAt   time.Time
	Service  *ServiceView
}

// ServiceView is a service: checked in, out, and confirmed (by her, a coordinator, or by itself after 72 hours).
type ServiceView struct {
	ID           int64
	Status       string
	CheckedInAt  time.Time
	CheckedOutAt *time.Time
	ConfirmedAt  *time.Time
	ConfirmedBy  string
	Minutes      int
	Note         string
	// AutoConfirmAt is when the service counts by itself, set at check-out.
	AutoConfirmAt *time.Time
}

// AutoConfirmsAt is when a checked-out service counts by itself if she has not confirmed it: the time its
// check-out set, by the delay then in force (domain.AutoConfirmAfter for a service older than the setting).
func (s ServiceView) AutoConfirmsAt() time.Time {
	switch {
	case s.AutoConfirmAt != nil:
		return *s.AutoConfirmAt
	case s.CheckedOutAt == nil:
		return time.Time{}
	}
	return s.CheckedOutAt.Add(domain.AutoConfirmAfter)
}

// VolunteerRequest reads a request the volunteer is matched with; any other is not found.
func (s *Store) VolunteerRequest(ctx context.Context, volunteerID, requestID int64) (RequestView, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		RequestFacts
		StaffID  int64
		ChildIDs int64Array `gorm:"column:child_ids"`
	}
	// The personal columns come out only while she and the volunteer are paired and the request stands.
	if err := db.Raw(`SELECT r.id, r.status, r.category, r.urgency, r.district, r.starts_at, r.ends_at,
			coalesce(cardinality(r.weekdays), 0) > 0 AS recurring, r.staff_id, coalesce(r.pairing_id, 0) AS pairing_id,
			p.name_zh AS program_zh, p.name_en AS program_en, v.shown AS pairing_open,
			CASE WHEN v.shown THEN r.details ELSE '' END AS details,
			CASE WHEN v.shown THEN r.pickup ELSE '' END AS pickup,
			CASE WHEN v.shown THEN r.destination ELSE '' END AS destination,
			CASE WHEN v.shown THEN r.place ELSE '' END AS place,
			CASE WHEN v.shown THEN r.subject ELSE '' END AS subject,
			CASE WHEN v.shown THEN r.child_ids ELSE '{}' END AS child_ids
		FROM care_requests r JOIN programs p ON p.id = r.program_id
		LEFT JOIN pairings pa ON pa.id = r.pairing_id,
		LATERAL (SELECT pa.status IS NOT DISTINCT FROM 'active' AND r.status <> 'cancelled' AS shown) v
		WHERE r.id = ? AND r.volunteer_id = ?`, requestID, volunteerID).Scan(&rows).Error; err != nil {
		return RequestView{}, err
	}
	if len(rows) == 0 {
		return RequestView{}, domain.ErrNotFound
	}
	v := RequestView{RequestFacts: rows[0].RequestFacts}
	var occ []struct {
		ID            int64
		StartsAt      time.Time
		EndsAt        time.Time
		ServiceID     *int64
		Status        *string
		CheckedInAt   *time.Time
		CheckedOutAt  *time.Time
		ConfirmedAt   *time.Time
		ConfirmedBy   *string
		Minutes       *int
		Note          *string
		AutoConfirmAt *time.Time
	}
	if err := db.Raw(`SELECT o.id, o.starts_at, o.ends_at, sv.id AS service_id, sv.status, sv.checked_in_at,
			sv.checked_out_at, sv.confirmed_at, sv.confirmed_by, sv.minutes, sv.note, sv.auto_confirm_at
		FROM care_occurrences o LEFT JOIN care_services sv ON sv.occurrence_id = o.id
		WHERE o.request_id = ? ORDER BY o.starts_at, o.id`, v.ID).Scan(&occ).Error; err != nil {
		return v, err
	}
	for _, o := range occ {
		ov := OccurrenceView{ID: o.ID, StartsAt: o.StartsAt, EndsAt: o.EndsAt}
		if o.ServiceID != nil {
			sv := &ServiceView{ID: *o.ServiceID, Status: deref(o.Status), ConfirmedBy: deref(o.ConfirmedBy),
				CheckedOutAt: o.CheckedOutAt, ConfirmedAt: o.ConfirmedAt, Note: deref(o.Note), AutoConfirmAt: o.AutoConfirmAt}
			if o.CheckedInAt != nil {
				sv.CheckedInAt = *o.CheckedInAt
			}
			if o.Minutes != nil {
				sv.Minutes = *o.Minutes
			}
			ov.Service = sv
		}
		v.Occurrences = append(v.Occurrences, ov)
	}
	if ids := rows[0].ChildIDs; len(ids) > 0 {
		var kids []childRow
		if err := db.Where("id IN ? AND user_id = ?", []int64(ids), rows[0].StaffID).Order("id").Find(&kids).Error; err != nil {
			return v, err
		}
		for _, k := range kids {
			v.Children = append(v.Children, ChildShown{GivenName: domain.GivenName(k.Name), Grade: k.Grade})
		}
	}
	return v, nil
}

// VolunteerServiceRequest is the request of one of the volunteer's services; anyone else's is not found.
func (s *Store) VolunteerServiceRequest(ctx context.Context, volunteerID, serviceID int64) (int64, error) {
	return s.serviceRequest(ctx, "volunteer_id", volunteerID, serviceID)
}
