package repository

import (
	"context"
	"slices"
	"time"

	"guanai/domain"
)

// What a staff member reads of her care requests: the programs she can ask in, her requests and pairings, one
// request with its occurrences and timeline, one pairing. Each page is a few statements whatever her history:
// one per table, joined, never one per row. Her volunteer's name leaves here masked (domain.MaskName), and their
// phone only while the pairing is active.

// inLang picks the name of a program in a language (zh-CN unless "en" and there is one).
func inLang(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}

// StaffRequestLine is one of her requests in a list.
type StaffRequestLine struct {
	ID            int64
	ProgramNameZh string
	ProgramNameEn string
	Category      string
	Urgency       string
	Status        string
	StartsAt      time.Time
	EndsAt        time.Time
	Weekdays      textArray // a recurring request's; empty for a single window
	VolunteerName string    // masked; "" before a volunteer accepts
}

// Recurring reports whether the request has a weekly schedule.
func (r StaffRequestLine) Recurring() bool { return len(r.Weekdays) > 0 }

// ProgramName is the request's program in a language.
func (r StaffRequestLine) ProgramName(lang string) string {
	return inLang(lang, r.ProgramNameZh, r.ProgramNameEn)
}

// StaffPairingLine is one of her pairings in a list.
type StaffPairingLine struct {
	ID            int64
	ProgramNameZh string
	ProgramNameEn string
	VolunteerName string // masked
	StartedAt     time.Time
}

// ProgramName is the pairing's program in a language.
func (p StaffPairingLine) ProgramName(lang string) string {
	return inLang(lang, p.ProgramNameZh, p.ProgramNameEn)
}

// StaffCareHome is what her home page lists.
type StaffCareHome struct {
	Programs []CareProgram      // the active service programs, in catalogue order
	Open     []StaffRequestLine // not closed, cancelled or expired, soonest first
	Finished []StaffRequestLine // the latest closed, cancelled or expired ones, newest first
	Pairings []StaffPairingLine // her active pairings, newest first
}

// staffOpenShown and staffFinishedShown bound her home page's lists: a staff member has a handful of requests
// under way; her history is for the request pages themselves.
const (
	staffOpenShown     = 50
	staffFinishedShown = 10
)

var finishedRequestStates = []string{domain.RequestClosed, domain.RequestCancelled, domain.RequestExpired}

const staffRequestLineSQL = `SELECT r.id, p.name_zh AS program_name_zh, p.name_en AS program_name_en, r.category,
		r.urgency, r.status, r.starts_at, r.ends_at, r.weekdays, coalesce(v.name, '') AS volunteer_name
	FROM care_requests r JOIN programs p ON p.id = r.program_id LEFT JOIN users v ON v.id = r.volunteer_id`

// StaffCareHome loads her home page's programs, requests and pairings: three statements.
func (s *Store) StaffCareHome(ctx context.Context, staffID int64) (StaffCareHome, error) {
	db := s.db.WithContext(ctx)
	var h StaffCareHome
	if err := db.Where("kind = 'service' AND active").Order("position, id").Find(&h.Programs).Error; err != nil {
		return h, err
	}
	var lines []StaffRequestLine
	if err := db.Raw(`(`+staffRequestLineSQL+` WHERE r.staff_id = ? AND r.status NOT IN ? ORDER BY r.starts_at, r.id LIMIT ?)
		UNION ALL (`+staffRequestLineSQL+` WHERE r.staff_id = ? AND r.status IN ? ORDER BY r.id DESC LIMIT ?)`,
		staffID, finishedRequestStates, staffOpenShown, staffID, finishedRequestStates, staffFinishedShown).
		Scan(&lines).Error; err != nil {
		return h, err
	}
	for _, l := range lines {
		l.VolunteerName = domain.MaskName(l.VolunteerName)
		if slices.Contains(finishedRequestStates, l.Status) {
			h.Finished = append(h.Finished, l)
		} else {
			h.Open = append(h.Open, l)
		}
	}
	if err := db.Raw(`SELECT pa.id, p.name_zh AS program_name_zh, p.name_en AS program_name_en, v.name AS volunteer_name,
			pa.started_at
		FROM pairings pa JOIN programs p ON p.id = pa.program_id JOIN users v ON v.id = pa.volunteer_id
		WHERE pa.staff_id = ? AND pa.status = 'active' ORDER BY pa.started_at DESC, pa.id DESC`, staffID).
		Scan(&h.Pairings).Error; err != nil {
		return h, err
	}
	for i := range h.Pairings {
		h.Pairings[i].VolunteerName = domain.MaskName(h.Pairings[i].VolunteerName)
	}
	return h, nil
}

// StaffRequestStart is what her request form needs: the program asked in (nil when no program has that code),
// her district for the default, and her children to choose from.
type StaffRequestStart struct {
	Program  *CareProgram
	District string
	Children []ChildRecord
}

// StaffRequestStart loads the form's program, her district and her children: three statements.
func (s *Store) StaffRequestStart(ctx context.Context, staffID int64, programCode string) (StaffRequestStart, error) {
	db := s.db.WithContext(ctx)
	var st StaffRequestStart
	var progs []CareProgram
	if err := db.Where("code = ?", programCode).Limit(1).Find(&progs).Error; err != nil {
		return st, err
	}
	if len(progs) == 1 {
		st.Program = &progs[0]
	}
	var districts []string
	if err := db.Model(&staffProfileRow{}).Where("user_id = ?", staffID).Pluck("district", &districts).Error; err != nil {
		return st, err
	}
	if len(districts) == 1 {
		st.District = districts[0]
	}
	err := db.Where("user_id = ?", staffID).Order("id").Find(&st.Children).Error
	return st, err
}

// StaffRequest is one of her requests as its page shows it.
type StaffRequest struct {
	ID             int64
	ProgramCode    string
	ProgramNameZh  string
	ProgramNameEn  string
	Category       string
	Urgency        string
	Status         string
	District       string
	Pickup         string
	Destination    string
	Place          string
	Details        string
	Subject        string
	Weekdays       []string // nil for a single window
	StartsAt       time.Time
	EndsAt         time.Time
	SubmittedAt    time.Time
	CancelReason   string
	Rating         *int
	RatingComment  string
	ConsentVersion string // the separate consent she gave with it, if it needed one
	Children       []string
	Occurrences    []StaffOccurrence
	Timeline       []CareEvent
	Volunteer      *PairedVolunteer // nil before a volunteer accepts
}

// ProgramName is the request's program in a language.
func (r StaffRequest) ProgramName(lang string) string {
	return inLang(lang, r.ProgramNameZh, r.ProgramNameEn)
}

// Recurring reports whether the request has a weekly schedule.
func (r StaffRequest) Recurring() bool { return r.Weekdays != nil }

// StaffOccurrence is one occurrence of a request with its service, if one has begun.
type StaffOccurrence struct {
	ID            int64
	StartsAt      time.Time
	EndsAt        time.Time
	ServiceID     *int64
	ServiceStatus string // "" before check-in
	CheckedInAt   *time.Time
	CheckedOutAt  *time.Time
	Minutes       *int
	Note          string
}

// CareEvent is a line of a request's timeline.
type CareEvent struct {
	At            time.Time
	Kind          string
	Count         int
	Detail        string
	VolunteerName string // masked
}

// PairedVolunteer is the volunteer who took her request, as she sees them: the name masked, the phone only while
// their pairing is active.
type PairedVolunteer struct {
	PairingID     int64
	PairingStatus string
	Name          string // masked
	Phone         string // "" once the pairing has ended
	RatingSum     int
	RatingCount   int
}

// Rating is the volunteer's average rating, 0 when nobody has rated them yet.
func (v PairedVolunteer) Rating() float64 {
	if v.RatingCount == 0 {
		return 0
	}
	return float64(v.RatingSum) / float64(v.RatingCount)
}

// staffRequestRow is the request's statement as scanned: its own columns, its program's, its consent's, its
// volunteer's and their pairing's.
type staffRequestRow struct {
	ID             int64
	ProgramCode    string
	ProgramNameZh  string
	ProgramNameEn  string
	Category       string
	Urgency        string
	Status         string
	District       string
	Pickup         string
	Destination    string
	Place          string
	Details        string
	Subject        string
	Weekdays       textArray
	StartsAt       time.Time
	EndsAt         time.Time
	SubmittedAt    time.Time
	CancelReason   string
	Rating         *int
	RatingComment  string
	ConsentVersion string
	ChildIDs       int64Array
	VolunteerID    *int64
	PairingID      *int64
	PairingStatus  *string
	VolunteerName  *string
	VolunteerPhone *string
	RatingSum      *int
	RatingCount    *int
}

// StaffRequest loads one of her requests with its occurrences, timeline, volunteer and children: four statements
// (three without children). Anyone else's request is not found.
func (s *Store) StaffRequest(ctx context.Context, staffID, requestID int64) (StaffRequest, error) {
	db := s.db.WithContext(ctx)
	var rows []staffRequestRow
	if err := db.Raw(`SELECT r.id, p.code AS program_code, p.name_zh AS program_name_zh, p.name_en AS program_name_en,
			r.category, r.urgency, r.status, r.district, r.pickup, r.destination, r.place, r.details, r.subject,
			r.weekdays, r.starts_at, r.ends_at, r.submitted_at, r.cancel_reason, r.rating,
			r.rating_comment, coalesce(c.version, '') AS consent_version, r.child_ids, r.volunteer_id, r.pairing_id,
			pa.status AS pairing_status, v.name AS volunteer_name, v.phone AS volunteer_phone, vp.rating_sum, vp.rating_count
		FROM care_requests r JOIN programs p ON p.id = r.program_id
		LEFT JOIN consents c ON c.id = r.consent_id
		LEFT JOIN users v ON v.id = r.volunteer_id
		LEFT JOIN volunteer_profiles vp ON vp.user_id = r.volunteer_id
		LEFT JOIN pairings pa ON pa.id = r.pairing_id
		WHERE r.id = ? AND r.staff_id = ?`, requestID, staffID).Scan(&rows).Error; err != nil {
		return StaffRequest{}, err
	}
	if len(rows) == 0 {
		return StaffRequest{}, domain.ErrNotFound
	}
	row := rows[0]
	r := StaffRequest{ID: row.ID, ProgramCode: row.ProgramCode, ProgramNameZh: row.ProgramNameZh,
		ProgramNameEn: row.ProgramNameEn, Category: row.Category, Urgency: row.Urgency, Status: row.Status,
		District: row.District, Pickup: row.Pickup, Destination: row.Destination, Place: row.Place,
		Details: row.Details, Subject: row.Subject, StartsAt: row.StartsAt, EndsAt: row.EndsAt, SubmittedAt: row.SubmittedAt, CancelReason: row.CancelReason,
		Rating: row.Rating, RatingComment: row.RatingComment, ConsentVersion: row.ConsentVersion}
	if len(row.Weekdays) > 0 { // a single window stores none (NULL, or an empty array)
		r.Weekdays = []string(row.Weekdays)
	}
	if row.VolunteerID != nil {
		v := &PairedVolunteer{Name: domain.MaskName(orZero(row.VolunteerName)), RatingSum: orZero(row.RatingSum),
			RatingCount: orZero(row.RatingCount)}
		if row.PairingID != nil {
			v.PairingID, v.PairingStatus = *row.PairingID, orZero(row.PairingStatus)
		}
		if v.PairingStatus == domain.PairingActive {
			v.Phone = orZero(row.VolunteerPhone)
		}
		r.Volunteer = v
	}
	if err := db.Raw(`SELECT o.id, o.starts_at, o.ends_at, sv.id AS service_id, coalesce(sv.status, '') AS service_status,
			sv.checked_in_at, sv.checked_out_at, sv.minutes, coalesce(sv.note, '') AS note
		FROM care_occurrences o LEFT JOIN care_services sv ON sv.occurrence_id = o.id
		WHERE o.request_id = ? ORDER BY o.starts_at, o.id`, r.ID).Scan(&r.Occurrences).Error; err != nil {
		return r, err
	}
	if err := db.Raw(`SELECT e.at, e.kind, e.count, e.detail, coalesce(v.name, '') AS volunteer_name
		FROM care_events e LEFT JOIN users v ON v.id = e.volunteer_id
		WHERE e.request_id = ? ORDER BY e.id`, r.ID).Scan(&r.Timeline).Error; err != nil {
		return r, err
	}
	for i := range r.Timeline {
		r.Timeline[i].VolunteerName = domain.MaskName(r.Timeline[i].VolunteerName)
	}
	if len(row.ChildIDs) > 0 {
		if err := db.Model(&childRow{}).Where("id IN ? AND user_id = ?", []int64(row.ChildIDs), staffID).Order("id").
			Pluck("name", &r.Children).Error; err != nil {
			return r, err
		}
	}
	return r, nil
}

func orZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// StaffServiceRequest is the request a service of hers belongs to; anyone else's service is not found.
func (s *Store) StaffServiceRequest(ctx context.Context, staffID, serviceID int64) (int64, error) {
	return s.serviceRequest(ctx, "staff_id", staffID, serviceID)
}

// serviceRequest is the request of a service whose staff_id or volunteer_id (column) is the person's; anyone
// else's service is not found.
func (s *Store) serviceRequest(ctx context.Context, column string, personID, serviceID int64) (int64, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&serviceRow{}).Where("id = ? AND "+column+" = ?", serviceID, personID).
		Pluck("request_id", &ids).Error
	if err == nil && len(ids) == 0 {
		err = domain.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// StaffPairing is one of her pairings as its page shows it.
type StaffPairing struct {
	ID            int64
	Status        string
	ProgramNameZh string
	ProgramNameEn string
	StartedAt     time.Time
	EndedAt       *time.Time
	EndReason     string
	NoRepeat      bool
	Volunteer     PairedVolunteer
	Requests      []StaffRequestLine // the requests it served, newest first
}

// ProgramName is the pairing's program in a language.
func (p StaffPairing) ProgramName(lang string) string {
	return inLang(lang, p.ProgramNameZh, p.ProgramNameEn)
}

// StaffPairing loads one of her pairings with the requests it served: two statements. Anyone else's pairing is not
// found.
func (s *Store) StaffPairing(ctx context.Context, staffID, pairingID int64) (StaffPairing, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		ID             int64
		Status         string
		ProgramNameZh  string
		ProgramNameEn  string
		StartedAt      time.Time
		EndedAt        *time.Time
		EndReason      string
		NoRepeat       bool
		VolunteerName  string
		VolunteerPhone *string
		RatingSum      int
		RatingCount    int
	}
	if err := db.Raw(`SELECT pa.id, pa.status, p.name_zh AS program_name_zh, p.name_en AS program_name_en, pa.started_at,
			pa.ended_at, pa.end_reason, pa.no_repeat, v.name AS volunteer_name, v.phone AS volunteer_phone,
			vp.rating_sum, vp.rating_count
		FROM pairings pa JOIN programs p ON p.id = pa.program_id JOIN users v ON v.id = pa.volunteer_id
		JOIN volunteer_profiles vp ON vp.user_id = pa.volunteer_id
		WHERE pa.id = ? AND pa.staff_id = ?`, pairingID, staffID).Scan(&rows).Error; err != nil {
		return StaffPairing{}, err
	}
	if len(rows) == 0 {
		return StaffPairing{}, domain.ErrNotFound
	}
	row := rows[0]
	p := StaffPairing{ID: row.ID, Status: row.Status, ProgramNameZh: row.ProgramNameZh, ProgramNameEn: row.ProgramNameEn,
		StartedAt: row.StartedAt, EndedAt: row.EndedAt, EndReason: row.EndReason, NoRepeat: row.NoRepeat}
	p.Volunteer = PairedVolunteer{PairingID: p.ID, PairingStatus: p.Status, Name: domain.MaskName(row.VolunteerName),
		RatingSum: row.RatingSum, RatingCount: row.RatingCount}
	if p.Status == domain.PairingActive {
		p.Volunteer.Phone = orZero(row.VolunteerPhone)
	}
	// A request it served keeps its pairing; one whose services it gave and that went to another volunteer later
	// (the pairing ended between two occurrences) is found through its services.
	err := db.Raw(staffRequestLineSQL+` WHERE r.staff_id = ? AND (r.pairing_id = ?
			OR r.id IN (SELECT sv.request_id FROM care_services sv WHERE sv.pairing_id = ?))
		ORDER BY r.starts_at DESC, r.id DESC LIMIT ?`, staffID, p.ID, p.ID, staffOpenShown).Scan(&p.Requests).Error
	for i := range p.Requests {
		p.Requests[i].VolunteerName = domain.MaskName(p.Requests[i].VolunteerName)
	}
	return p, err
}
