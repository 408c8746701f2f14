package repository

import (
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// The rows of care requests, dispatch and pairing (migrations/00011_care.sql).

// careProgramRow is a program with its dispatch settings.
type careProgramRow struct {
	ID               int64
	Code             string
	Kind             string
	NameZh           string
	NameEn           string
	DescriptionZh    string
	DescriptionEn    string
	Active           bool
	Qualification    *string
	Sensitive        bool
	Position         int
	OffersEmergency  int
	MinutesEmergency int
	OffersUrgent     int
	MinutesUrgent    int
	OffersNormal     int
	MinutesNormal    int
	DailyOfferCap    int
	GrantCeiling     *int64
	ClaimCeiling     *int64
	// A benefit program's quota, what it counts and its period (00013_benefits.sql); nil for the others.
	Quota     *int
	QuotaPer  *string
	Period    *string
	TermStart *time.Time
	TermEnd   *time.Time
	UpdatedAt time.Time
	// bulk assignment (migrations/00016)
	AssignDistanceWeight   int
	AssignLoadWeight       int
	AssignContinuityWeight int
	AssignFairnessWeight   int
	PlanHours              int
}

func (careProgramRow) TableName() string { return "programs" }

// dispatch is the program's dispatch settings as domain reads them.
func (p careProgramRow) dispatch() domain.DispatchSettings {
	return domain.DispatchSettings{
		Offers: map[string]int{domain.UrgencyEmergency: p.OffersEmergency, domain.UrgencyUrgent: p.OffersUrgent,
			domain.UrgencyNormal: p.OffersNormal},
		Lifetime: map[string]time.Duration{domain.UrgencyEmergency: time.Duration(p.MinutesEmergency) * time.Minute,
			domain.UrgencyUrgent: time.Duration(p.MinutesUrgent) * time.Minute,
			domain.UrgencyNormal: time.Duration(p.MinutesNormal) * time.Minute},
		DailyCap: p.DailyOfferCap,
	}
}

// info is what the request form checks of the program.
func (p careProgramRow) info() domain.ProgramInfo {
	return domain.ProgramInfo{ID: p.ID, Code: p.Code, Kind: p.Kind, Active: p.Active}
}

type careRequestRow struct {
	ID            int64
	StaffID       int64
	ProgramID     int64
	Category      string
	Urgency       string
	Status        string
	District      string
	Pickup        string
	Destination   string
	Place         string
	Details       string
	ChildIDs      int64Array `gorm:"column:child_ids;type:bigint[]"`
	Subject       string
	ConsentID     *int64
	Weekdays      textArray `gorm:"type:text[]"`
	FirstDate     *time.Time
	LastDate      *time.Time
	StartsAt      time.Time
	EndsAt        time.Time
	Round         int
	VolunteerID   *int64
	PairingID     *int64
	SubmittedAt   time.Time
	FirstOfferAt  *time.Time
	MatchedAt     *time.Time
	CompletedAt   *time.Time
	ClosedAt      *time.Time
	EscalatedAt   *time.Time
	Escalation    string
	CancelledAt   *time.Time
	CancelledBy   *int64
	CancelReason  string
	Rating        *int
	RatingComment string
	UpdatedAt     time.Time
}

func (careRequestRow) TableName() string { return "care_requests" }

type occurrenceRow struct {
	ID        int64
	RequestID int64
	StartsAt  time.Time
	EndsAt    time.Time
}

func (occurrenceRow) TableName() string { return "care_occurrences" }

func (o occurrenceRow) window() domain.Window { return domain.Window{Start: o.StartsAt, End: o.EndsAt} }

type offerRow struct {
	ID            int64
	RequestID     int64
	VolunteerID   int64
	Round         int
	Status        string
	Reasons       string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	AnsweredAt    *time.Time
	DeclineReason string
}

func (offerRow) TableName() string { return "care_offers" }

type pairingRow struct {
	ID          int64
	StaffID     int64
	VolunteerID int64
	ProgramID   int64
	Status      string
	StartedAt   time.Time
	EndedAt     *time.Time
	EndedBy     *int64
	EndReason   string
	NoRepeat    bool
}

func (pairingRow) TableName() string { return "pairings" }

type serviceRow struct {
	ID           int64
	RequestID    int64
	OccurrenceID int64
	PairingID    int64
	VolunteerID  int64
	StaffID      int64
	Status       string
	CheckedInAt  time.Time
	CheckedOutAt *time.Time
	ConfirmedAt  *time.Time
	ConfirmedBy  *string
	Minutes      *int
	Note         string
}

func (serviceRow) TableName() string { return "care_services" }

type careEventRow struct {
	ID          int64
	RequestID   int64
	At          time.Time
	Kind        string
	ActorID     *int64
	VolunteerID *int64
	Count       int
	Detail      string
}

func (careEventRow) TableName() string { return "care_events" }

// careEvent appends a line to a request's timeline in the caller's transaction.
func careEvent(tx *gorm.DB, requestID int64, kind string, actorID, volunteerID int64, count int, detail string) error {
	ev := careEventRow{RequestID: requestID, At: now(tx), Kind: kind, Count: count, Detail: detail}
	if actorID != 0 {
		ev.ActorID = &actorID
	}
	if volunteerID != 0 {
		ev.VolunteerID = &volunteerID
	}
	return tx.Omit("ID").Create(&ev).Error
}

// Notification kinds: every event of dispatch and pairing lands in its recipient's inbox.
const (
	NoteOffer        = "offer"         // to a volunteer: a request is offered to you
	NoteTaken        = "taken"         // to a volunteer whose offer was withdrawn because another accepted
	NoteWithdrawn    = "withdrawn"     // to a volunteer whose offer was withdrawn because the request ended
	NoteAccepted     = "accepted"      // to the staff member: a volunteer accepted
	NoteCancelled    = "cancelled"     // to the paired volunteer: she cancelled
	NoteEscalated    = "escalated"     // to the coordinators: nobody accepted in time
	NoteCheckedIn    = "checked_in"    // to the staff member
	NoteCheckedOut   = "checked_out"   // to the staff member
	NoteConfirmed    = "confirmed"     // to the volunteer: hours confirmed
	NotePairingEnded = "pairing_ended" // to the other side
	NoteNoShow       = "no_show"       // to the volunteer she said did not come
	NoteDispatched   = "dispatched"    // to the staff member: offers went out (or a coordinator re-opened dispatch)
	NoteAssigned     = "assigned"      // to a volunteer a coordinator assigned by hand
)

type notificationRow struct {
	ID        int64
	UserID    int64
	Kind      string
	RequestID *int64
	OfferID   *int64
	PairingID *int64
	// A benefit application's (a rejection) or voucher's (an approval); 00013_benefits.sql.
	ApplicationID *int64
	VoucherID     *int64
	GrantID       *int64
	ClaimID       *int64
	Detail        string
	CreatedAt     time.Time
	ReadAt        *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// noteAbout is what a notification points at: a request, an offer, a pairing (zero where not).
type noteAbout struct {
	Request, Offer, Pairing int64
	Application, Voucher    int64
	Grant, Claim            int64
	Detail                  string
}

// notify writes notifications of one kind to each recipient, in the caller's transaction: the event and the
// word of it commit together, and so do the mails of those who want it by mail (enqueueMail).
func notify(tx *gorm.DB, kind string, about noteAbout, recipients ...int64) error {
	if len(recipients) == 0 {
		return nil
	}
	at := now(tx)
	rows := make([]notificationRow, len(recipients))
	for i, uid := range recipients {
		rows[i] = notificationRow{UserID: uid, Kind: kind, Detail: about.Detail, CreatedAt: at}
		if about.Request != 0 {
			rows[i].RequestID = &about.Request
		}
		if about.Offer != 0 {
			rows[i].OfferID = &about.Offer
		}
		if about.Pairing != 0 {
			rows[i].PairingID = &about.Pairing
		}
		if about.Application != 0 {
			rows[i].ApplicationID = &about.Application
		}
		if about.Voucher != 0 {
			rows[i].VoucherID = &about.Voucher
		}
		if about.Grant != 0 {
			rows[i].GrantID = &about.Grant
		}
		if about.Claim != 0 {
			rows[i].ClaimID = &about.Claim
		}
	}
	if err := tx.Omit("ID").Create(&rows).Error; err != nil {
		return err
	}
	return enqueueMail(tx, kind, rows)
}
