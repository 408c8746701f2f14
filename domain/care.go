package domain

import (
	"slices"
	"time"
)

// The state machines of DESIGN §4. migrations/00011_care.sql refuses the same moves in the database.
//
//	request:  submitted → dispatching → matched → in_service → completed → closed
//	                    ↘ escalated (no one accepted in time; a coordinator assigns by hand or re-opens dispatch)
//	          cancelled (by the staff member, before completion)   expired (window passed, never matched)
//	offer:    pending → accepted | declined | expired | withdrawn
//	pairing:  active → ended
//	service:  checked_in → checked_out → confirmed
const (
	RequestSubmitted   = "submitted"
	RequestDispatching = "dispatching"
	RequestMatched     = "matched"
	RequestInService   = "in_service"
	RequestCompleted   = "completed"
	RequestClosed      = "closed"
	RequestEscalated   = "escalated"
	RequestCancelled   = "cancelled"
	RequestExpired     = "expired"

	OfferPending   = "pending"
	OfferAccepted  = "accepted"
	OfferDeclined  = "declined"
	OfferExpired   = "expired"
	OfferWithdrawn = "withdrawn"

	PairingActive = "active"
	PairingEnded  = "ended"

	ServiceCheckedIn  = "checked_in"
	ServiceCheckedOut = "checked_out"
	ServiceConfirmed  = "confirmed"
)

// RequestStates lists a request's states in the order of the workflow, the side roads last.
var RequestStates = []string{RequestSubmitted, RequestDispatching, RequestMatched, RequestInService,
	RequestCompleted, RequestClosed, RequestEscalated, RequestCancelled, RequestExpired}

// OfferStates, PairingStates and ServiceStates likewise.
var (
	OfferStates   = []string{OfferPending, OfferAccepted, OfferDeclined, OfferExpired, OfferWithdrawn}
	PairingStates = []string{PairingActive, PairingEnded}
	ServiceStates = []string{ServiceCheckedIn, ServiceCheckedOut, ServiceConfirmed}
)

// careMoves lists where each state of each machine can go. A matched request goes back to dispatching when its
// pairing ends before the service; an in-service request goes back to matched between two occurrences of a
// recurring schedule.
var careMoves = map[string]map[string][]string{
	"request": {
		RequestSubmitted:   {RequestDispatching, RequestMatched, RequestEscalated, RequestCancelled, RequestExpired},
		RequestDispatching: {RequestMatched, RequestEscalated, RequestCancelled, RequestExpired},
		RequestEscalated:   {RequestDispatching, RequestMatched, RequestCancelled, RequestExpired},
		RequestMatched:     {RequestInService, RequestDispatching, RequestCancelled},
		RequestInService:   {RequestMatched, RequestCompleted, RequestCancelled},
		RequestCompleted:   {RequestClosed},
	},
	"offer":   {OfferPending: {OfferAccepted, OfferDeclined, OfferExpired, OfferWithdrawn}},
	"pairing": {PairingActive: {PairingEnded}},
	"service": {ServiceCheckedIn: {ServiceCheckedOut}, ServiceCheckedOut: {ServiceConfirmed}},
}

// CanMoveRequest, CanMoveOffer, CanMovePairing and CanMoveService report whether a state may go to another.
func CanMoveRequest(from, to string) bool { return slices.Contains(careMoves["request"][from], to) }
func CanMoveOffer(from, to string) bool   { return slices.Contains(careMoves["offer"][from], to) }
func CanMovePairing(from, to string) bool { return slices.Contains(careMoves["pairing"][from], to) }
func CanMoveService(from, to string) bool { return slices.Contains(careMoves["service"][from], to) }

// RequestOpen reports whether a request still waits for a volunteer (dispatch may still offer it).
func RequestOpen(status string) bool {
	return status == RequestSubmitted || status == RequestDispatching || status == RequestEscalated
}

// RequestCancellable reports whether the staff member may still cancel: anything before completion.
func RequestCancellable(status string) bool { return CanMoveRequest(status, RequestCancelled) }

// Urgencies, most urgent first.
const (
	UrgencyEmergency = "emergency"
	UrgencyUrgent    = "urgent"
	UrgencyNormal    = "normal"
)

// Urgencies lists the urgencies, most urgent first (the dispatch board's order).
var Urgencies = []string{UrgencyEmergency, UrgencyUrgent, UrgencyNormal}

// UrgencyRank is an urgency's place in Urgencies (0 is the most urgent); an unknown one sorts last.
func UrgencyRank(u string) int {
	if i := slices.Index(Urgencies, u); i >= 0 {
		return i
	}
	return len(Urgencies)
}

// Categories of help, by program. A category decides which qualification a volunteer needs and whether the help
// is remote (any district will do).
const (
	CategoryTransport     = "transport"
	CategoryErrand        = "errand"
	CategoryEmergency     = "emergency"
	CategoryCounselling   = "counselling"
	CategoryTutoring      = "tutoring"
	CategoryCompanionship = "companionship" // online: a remote category
)

// Category is a kind of help a service program offers.
type Category struct {
	Code          string
	Program       string // the program's code
	Qualification string // what the volunteer must hold, verified; "" when any verified volunteer may help
	Remote        bool   // given online or by phone: the district does not matter
	Children      bool   // about her children: she chooses which, and the separate consent is needed
	Sensitive     bool   // needs the separate consent (counselling, children)
}

// Categories lists every category of help, in the order of the request form.
var Categories = []Category{
	{Code: CategoryTransport, Program: "one_to_one", Qualification: QualDriver},
	{Code: CategoryErrand, Program: "one_to_one", Qualification: QualErrands},
	{Code: CategoryEmergency, Program: "one_to_one"},
	{Code: CategoryCounselling, Program: "counselling", Qualification: QualCounsellor, Remote: true, Sensitive: true},
	{Code: CategoryTutoring, Program: "tutoring", Qualification: QualTutor, Children: true, Sensitive: true},
	{Code: CategoryCompanionship, Program: "tutoring", Qualification: QualTutor, Remote: true, Children: true, Sensitive: true},
}

// CategoryByCode finds a category.
func CategoryByCode(code string) (Category, bool) {
	for _, c := range Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// ProgramCategories lists the categories of a program, in form order.
func ProgramCategories(program string) []Category {
	var out []Category
	for _, c := range Categories {
		if c.Program == program {
			out = append(out, c)
		}
	}
	return out
}

// Subjects a tutor can teach.
var Subjects = []string{"chinese", "math", "english", "physics", "chemistry", "biology", "history", "geography",
	"politics", "music", "art", "pe", "reading"}

// GradeIndex is a grade's place in Grades (0 is kindergarten), -1 when unknown.
func GradeIndex(g string) int { return slices.Index(Grades, g) }

// DispatchSettings are a program's rules for rounds of offers: how many offers a round sends, how long they stay
// open, by urgency; and how many offers one volunteer gets in a day at most.
type DispatchSettings struct {
	Offers   map[string]int           // urgency -> offers per round
	Lifetime map[string]time.Duration // urgency -> how long an offer stays open
	DailyCap int
}

// DefaultDispatch are the settings a program starts with: emergency 5 offers for 10 minutes, urgent 3 for 30
// minutes, normal 3 for 2 hours, at most 5 offers a day per volunteer.
func DefaultDispatch() DispatchSettings {
	return DispatchSettings{
		Offers:   map[string]int{UrgencyEmergency: 5, UrgencyUrgent: 3, UrgencyNormal: 3},
		Lifetime: map[string]time.Duration{UrgencyEmergency: 10 * time.Minute, UrgencyUrgent: 30 * time.Minute, UrgencyNormal: 2 * time.Hour},
		DailyCap: 5,
	}
}

// OfferDeadline is when an offer sent at sent runs out: its lifetime, but never after the window has started for
// an offer that must be answered before the help begins (an offer at 06:55 for a 07:00 ride lasts 5 minutes).
func (d DispatchSettings) OfferDeadline(urgency string, sent, windowStart time.Time) time.Time {
	end := sent.Add(d.Lifetime[urgency])
	if windowStart.After(sent) && windowStart.Before(end) {
		return windowStart
	}
	return end
}

// DefaultStarHours are the total confirmed hours of each star level, one to five.
var DefaultStarHours = []int{100, 300, 600, 1000, 1500}

// StarLevel is the number of stars (0–5) a volunteer's confirmed minutes earn against the thresholds in hours.
func StarLevel(minutes int64, thresholds []int) int {
	stars := 0
	for _, h := range thresholds {
		if minutes >= int64(h)*60 {
			stars++
		}
	}
	return stars
}

// OfferGoneError says an offer can no longer be accepted, and why: "taken" (another volunteer accepted),
// "expired" (its time ran out) or "ended" (the request was cancelled or closed). The volunteer is thanked, not
// shown an error.
type OfferGoneError struct{ Why string }

func (e *OfferGoneError) Error() string { return "offer gone: " + e.Why }

// Message is the thank-you the volunteer reads.
func (e *OfferGoneError) Message() (key string, args []string) {
	return "care.offer_gone." + e.Why, nil
}

// The refusals of care requests.
var (
	ErrCareWrongState   = refusal("care.error.wrong_state")
	ErrNoLongerFits     = refusal("care.error.no_longer_fits")
	ErrCheckInTooEarly  = refusal("care.error.check_in_too_early")
	ErrNothingToCheckIn = refusal("care.error.nothing_to_check_in")
	ErrAlreadyCheckedIn = refusal("care.error.already_checked_in")
	ErrNoShowTooEarly   = refusal("care.error.no_show_too_early")
	ErrNoCandidates     = refusal("care.error.no_candidates")
	// ErrStaffNotVerified refuses a request from a staff member a coordinator has not verified (or no longer
	// lets in: suspended, closed).
	ErrStaffNotVerified = refusal("care_staff.not_verified")
)

// CheckInLead is how long before an occurrence's start its volunteer may check in.
const CheckInLead = 2 * time.Hour

// NoShowAfter is how long after an occurrence's start, with nobody checked in, she may say her volunteer did not
// come: long enough for a late arrival to check in, short enough to find someone else while it still helps.
const NoShowAfter = 15 * time.Minute

// NoShowReportable reports whether, at now, she may say the volunteer did not come to an occurrence starting at
// start that nobody has checked in for.
func NoShowReportable(start, now time.Time) bool { return !now.Before(start.Add(NoShowAfter)) }

// AutoConfirmAfter is how long after check-out a service counts as confirmed when the staff member has not said.
const AutoConfirmAfter = 72 * time.Hour

// ServiceMinutes is how long a service lasted, in whole minutes, at least one.
func ServiceMinutes(in, out time.Time) int {
	m := int(out.Sub(in).Round(time.Minute) / time.Minute)
	return max(m, 1)
}
