package domain

import (
	"strconv"
	"strings"
	"time"
)

// Benefits (DESIGN §1, kind `benefit`): a staff member applies for a class or a venue visit; a coordinator approves
// it within the program's quota, which issues a voucher, or rejects it with a reason; the venue's desk redeems the
// voucher once, before it expires at the end of the application's period.

// What a benefit program's quota counts, and over which period.
const (
	QuotaPerChild = "child"
	QuotaPerStaff = "staff"
	PeriodTerm    = "term"
	PeriodYear    = "year"
	MaxQuota      = 100
	// MaxTermDays bounds a term: a term typed a year too long is a typo.
	MaxTermDays = 366
)

// Application states: submitted → approved (a voucher is issued) | rejected (with a reason). The database refuses
// any other move (00013_benefits.sql).
const (
	ApplicationSubmitted = "submitted"
	ApplicationApproved  = "approved"
	ApplicationRejected  = "rejected"
)

// BenefitForm is a benefit program's quota and period, as the admin typed them.
type BenefitForm struct {
	Quota, QuotaPer, Period string
	TermStart, TermEnd      string // yyyy-mm-dd; only a term program has them
}

// BenefitSettings are a benefit program's checked quota and period. A year program has no term dates.
type BenefitSettings struct {
	Quota              int
	QuotaPer, Period   string
	TermStart, TermEnd *time.Time
}

// Check reads the form, noting at each field what is wrong.
func (f BenefitForm) Check(fe FieldErrors) BenefitSettings {
	s := BenefitSettings{QuotaPer: strings.TrimSpace(f.QuotaPer), Period: strings.TrimSpace(f.Period)}
	s.Quota = programFigure(fe, "quota", f.Quota, MaxQuota, "benefits.error.quota")
	if s.QuotaPer != QuotaPerChild && s.QuotaPer != QuotaPerStaff {
		fe.Add("quota_per", "error.choose_one")
	}
	switch s.Period {
	case PeriodYear:
	case PeriodTerm:
		start := benefitDate(fe, "term_start", f.TermStart)
		end := benefitDate(fe, "term_end", f.TermEnd)
		if start == nil || end == nil {
			break
		}
		switch days := int(end.Sub(*start).Hours()/24 + 0.5); {
		case days < 0:
			fe.Add("term_end", "benefits.error.term_order")
		case days > MaxTermDays:
			fe.Add("term_end", "benefits.error.term_long")
		}
		s.TermStart, s.TermEnd = start, end
	default:
		fe.Add("period", "error.choose_one")
	}
	return s
}

func benefitDate(fe FieldErrors, field, typed string) *time.Time {
	if strings.TrimSpace(typed) == "" {
		fe.Add(field, "error.required")
		return nil
	}
	d, ok := ParseDate(typed)
	if !ok {
		fe.Add(field, "error.date_invalid")
		return nil
	}
	return &d
}

// BenefitPeriod is the period an application made on the Shanghai day of now falls in: the program's term, if now
// is in it, or the calendar year. ok is false when a term program has no term under way.
func (s BenefitSettings) BenefitPeriod(now time.Time) (start, end time.Time, ok bool) {
	today := Today(now)
	if s.Period == PeriodYear {
		y := today.Year()
		return time.Date(y, 1, 1, 0, 0, 0, 0, Shanghai), time.Date(y, 12, 31, 0, 0, 0, 0, Shanghai), true
	}
	if s.TermStart == nil || s.TermEnd == nil {
		return time.Time{}, time.Time{}, false
	}
	startDay, endDay := Today(*s.TermStart), Today(*s.TermEnd)
	if today.Before(startDay) || today.After(endDay) {
		return startDay, endDay, false
	}
	return startDay, endDay, true
}

// VoucherExpiry is when a voucher of a period ending on the Shanghai date end stops being valid: the end of that day.
func VoucherExpiry(end time.Time) time.Time {
	d := Today(end)
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, Shanghai)
}

// QuotaLeft is how many of a quota are left when used are taken (submitted or approved), never below zero.
func QuotaLeft(quota, used int) int { return max(quota-used, 0) }

// QuotaExhaustedError refuses an application or an approval over the quota, with the figures.
type QuotaExhaustedError struct {
	Quota, Used int
	PerChild    bool
}

func (e *QuotaExhaustedError) Error() string {
	return "quota exhausted: " + strconv.Itoa(e.Used) + " of " + strconv.Itoa(e.Quota)
}

// Message says how many the quota allows and that none are left.
func (e *QuotaExhaustedError) Message() (string, []string) {
	key := "benefits.error.quota_exhausted_staff"
	if e.PerChild {
		key = "benefits.error.quota_exhausted_child"
	}
	return key, []string{"Quota", strconv.Itoa(e.Quota), "Used", strconv.Itoa(e.Used), "Left", strconv.Itoa(QuotaLeft(e.Quota, e.Used))}
}

// The refusals of benefits.
var (
	ErrNotBenefit        = refusal("benefits.error.not_benefit")
	ErrBenefitInactive   = refusal("benefits.error.inactive")
	ErrNoTermUnderWay    = refusal("benefits.error.no_term")
	ErrPeriodOver        = refusal("benefits.error.period_over")
	ErrApplicationDone   = refusal("benefits.error.decided")
	ErrVoucherUnknown    = refusal("benefits.redeem.error.unknown")
	ErrVoucherOtherVenue = refusal("benefits.redeem.error.other_venue")
)

// BenefitApplicationForm is what a staff member chose: the place and, for a per-child program, which child and the
// separate consent for the child's data (PIPL Art. 31).
type BenefitApplicationForm struct {
	PlaceID string
	ChildID string
	Consent bool
}

// BenefitApplication is a checked application.
type BenefitApplication struct {
	PlaceID int64
	ChildID int64 // 0 for a per-staff program
}

// Check reads the choice against the program's active places and her children.
func (f BenefitApplicationForm) Check(perChild bool, places, children []int64) (BenefitApplication, FieldErrors) {
	fe := FieldErrors{}
	var a BenefitApplication
	a.PlaceID = chosenID(fe, "place", f.PlaceID, places)
	if perChild {
		if len(children) == 0 {
			fe.Add("child", "benefits.error.no_children")
		} else {
			a.ChildID = chosenID(fe, "child", f.ChildID, children)
		}
		if !f.Consent {
			fe.Add("consent", "benefits.error.consent_required")
		}
	}
	return a, fe
}

func chosenID(fe FieldErrors, field, typed string, among []int64) int64 {
	if strings.TrimSpace(typed) == "" {
		fe.Add(field, "error.choose_one")
		return 0
	}
	id, err := strconv.ParseInt(strings.TrimSpace(typed), 10, 64)
	for _, x := range among {
		if err == nil && x == id {
			return id
		}
	}
	fe.Add(field, "error.choose_one")
	return 0
}

// BenefitPlaceForm is a class or venue as the admin typed it.
type BenefitPlaceForm struct {
	NameZh, NameEn, Address string
	VenueID                 string
	Active                  bool
}

// BenefitPlace is a checked place.
type BenefitPlace struct {
	NameZh, NameEn, Address string
	VenueID                 int64
	Active                  bool
}

// PlaceAddressMaxLen bounds a place's address.
const PlaceAddressMaxLen = 100

// Check reads the place against the venue accounts there are.
func (f BenefitPlaceForm) Check(venues []int64) (BenefitPlace, FieldErrors) {
	fe := FieldErrors{}
	p := BenefitPlace{Active: f.Active}
	var key string
	if p.NameZh, key = cleanText(f.NameZh, ProgramNameMaxLen); key != "" {
		fe.Add("name_zh", key)
	}
	if p.NameEn, key = cleanText(f.NameEn, ProgramNameMaxLen); key != "" {
		fe.Add("name_en", key)
	}
	if p.Address = strings.TrimSpace(f.Address); p.Address != "" {
		if p.Address, key = cleanText(p.Address, PlaceAddressMaxLen); key != "" {
			fe.Add("address", key)
		}
	}
	p.VenueID = chosenID(fe, "venue", f.VenueID, venues)
	return p, fe
}

// VoucherRedeemedError refuses a second redemption, saying when the first was.
type VoucherRedeemedError struct{ At time.Time }

func (e *VoucherRedeemedError) Error() string { return "voucher redeemed already at " + e.At.String() }

// Message says when the voucher was redeemed (Shanghai time).
func (e *VoucherRedeemedError) Message() (string, []string) {
	return "benefits.redeem.error.redeemed", []string{"At", e.At.In(Shanghai).Format("2006-01-02 15:04")}
}

// VoucherExpiredError refuses a voucher past its period, saying when it ran out.
type VoucherExpiredError struct{ At time.Time }

func (e *VoucherExpiredError) Error() string { return "voucher expired at " + e.At.String() }

// Message names the last day the voucher was valid (Shanghai date).
func (e *VoucherExpiredError) Message() (string, []string) {
	return "benefits.redeem.error.expired", []string{"Date", e.At.In(Shanghai).Add(-time.Second).Format("2006-01-02")}
}

// VoucherFacts is what redeeming a voucher decides on.
type VoucherFacts struct {
	VenueID    int64 // the venue account of the voucher's place
	ExpiresAt  time.Time
	RedeemedAt *time.Time
}

// CheckRedeem says whether the desk of venue may redeem the voucher now: another venue's voucher is not this desk's
// (and it learns nothing more about it), then a redeemed one says when, then an expired one says since when.
func (v VoucherFacts) CheckRedeem(venue int64, now time.Time) error {
	switch {
	case v.VenueID != venue:
		return ErrVoucherOtherVenue
	case v.RedeemedAt != nil:
		return &VoucherRedeemedError{At: *v.RedeemedAt}
	case !now.Before(v.ExpiresAt):
		return &VoucherExpiredError{At: v.ExpiresAt}
	}
	return nil
}
