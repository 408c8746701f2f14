package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CareConsentVersion is the version of the separate consent a request about counselling or children records.
const CareConsentVersion = "2026-12-v1"

// ConsentCounselling is the consent kind of a counselling request (PIPL Art. 28: health data is sensitive).
const ConsentCounselling = "counselling"

// The limits of a request form.
const (
	DetailsMaxLen   = 500
	PlaceMaxLen     = 100
	MaxScheduleDays = 8 * 7 // a recurring schedule covers at most eight weeks
	MaxRequestAhead = 90    // days: a window further ahead is a typo more often than a plan
)

// ProgramInfo is what the request form needs to know of the program asked in.
type ProgramInfo struct {
	ID     int64
	Code   string
	Kind   string
	Active bool
}

// RequestForm is a request for help as typed.
type RequestForm struct {
	Category    string
	Urgency     string
	Recurring   bool
	Date        string   // single window: the day
	From, To    string   // "07:00": the window's start and end on each day
	Weekdays    []string // recurring: "mon".."sun"
	FirstDate   string   // recurring
	LastDate    string   // recurring
	District    string
	Pickup      string
	Destination string
	Place       string
	Details     string
	ChildIDs    []int64
	Subject     string
	Consent     bool
}

// CareRequest is a checked request, ready to store.
type CareRequest struct {
	ProgramID   int64
	Category    string
	Urgency     string
	District    string
	Pickup      string
	Destination string
	Place       string
	Details     string
	ChildIDs    []int64
	Subject     string
	Weekdays    []string // nil for a single window
	FirstDate   time.Time
	LastDate    time.Time
	Occurrences []Window
	// ConsentKind is the separate consent the request needs ("" when none): counselling or children_data.
	ConsentKind string
}

// Window is the span from the first occurrence's start to the last one's end.
func (r CareRequest) Window() Window {
	return Window{Start: r.Occurrences[0].Start, End: r.Occurrences[len(r.Occurrences)-1].End}
}

// Check turns the form into a request, or says at each field what is wrong. myChildren are the ids of her
// children: a child who is not hers is refused like one that does not exist.
func (f RequestForm) Check(p ProgramInfo, now time.Time, myChildren []int64) (CareRequest, FieldErrors) {
	fe := FieldErrors{}
	r := CareRequest{ProgramID: p.ID, Category: f.Category, Urgency: f.Urgency, District: f.District}
	switch {
	case p.Kind != "service":
		fe.Add("program", "care.error.not_service")
	case !p.Active:
		fe.Add("program", "care.error.program_inactive")
	}
	cat, ok := CategoryByCode(f.Category)
	if !ok || cat.Program != p.Code {
		fe.Add("category", "error.choose_one")
	}
	if !slices.Contains(Urgencies, f.Urgency) {
		fe.Add("urgency", "error.choose_one")
	}
	if !IsDistrict(f.District) {
		fe.Add("district", "error.choose_one")
	}
	r.Details = f.checkText(fe, "details", f.Details, DetailsMaxLen, false)
	if cat.Code == CategoryTransport {
		r.Pickup = f.checkText(fe, "pickup", f.Pickup, PlaceMaxLen, true)
		r.Destination = f.checkText(fe, "destination", f.Destination, PlaceMaxLen, true)
	} else {
		r.Place = f.checkText(fe, "place", f.Place, PlaceMaxLen, !cat.Remote)
	}
	if cat.Children {
		r.ChildIDs = f.checkChildren(fe, myChildren)
		if f.Subject != "" && !slices.Contains(Subjects, f.Subject) {
			fe.Add("subject", "error.choose_one")
		}
		r.Subject = f.Subject
	}
	if cat.Sensitive {
		r.ConsentKind = ConsentChildren
		if cat.Code == CategoryCounselling {
			r.ConsentKind = ConsentCounselling
		}
		if !f.Consent {
			fe.Add("consent", "care.error.consent_required")
		}
	}
	r.Occurrences = f.checkWindow(fe, now, &r)
	return r, fe
}

func (f RequestForm) checkText(fe FieldErrors, field, s string, maxLen int, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		fe.Add(field, "error.required")
	case utf8.RuneCountInString(s) > maxLen:
		fe.Add(field, "error.too_long")
	case !PlainText(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(s)):
		fe.Add(field, "error.invalid_characters")
	}
	return s
}

func (f RequestForm) checkChildren(fe FieldErrors, mine []int64) []int64 {
	if len(f.ChildIDs) == 0 {
		fe.Add("children", "care.error.choose_child")
	}
	var out []int64
	for _, id := range f.ChildIDs {
		if !slices.Contains(mine, id) {
			fe.Add("children", "error.choose_one")
			continue
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkWindow reads the single window or the recurring schedule into occurrences.
func (f RequestForm) checkWindow(fe FieldErrors, now time.Time, r *CareRequest) []Window {
	from, okFrom := parseClock(f.From)
	to, okTo := parseClock(f.To)
	if !okFrom {
		fe.Add("from", "care.error.time")
	}
	if !okTo {
		fe.Add("to", "care.error.time")
	}
	if okFrom && okTo && to <= from {
		fe.Add("to", "care.error.ends_before_start")
	}
	var days []time.Time
	datesOK := true
	if f.Recurring {
		days, datesOK = f.scheduleDays(fe, r)
	} else if d, ok := ParseDate(f.Date); !ok {
		fe.Add("date", "error.date_invalid")
		datesOK = false
	} else {
		days = []time.Time{d}
	}
	// Good dates in which none of the chosen weekdays falls: said even when another field is wrong too, so that
	// she does not fix one mistake only to be shown the next.
	if datesOK && len(days) == 0 {
		fe.Add("weekdays", "care.error.no_occurrence")
	}
	if !okFrom || !okTo || to <= from || len(days) == 0 {
		return nil
	}
	var out []Window
	for _, d := range days {
		out = append(out, Window{Start: d.Add(from), End: d.Add(to)})
	}
	field := "date"
	if f.Recurring {
		field = "first_date"
	}
	switch {
	case !out[0].Start.After(now):
		fe.Add(field, "care.error.in_past")
	case out[0].Start.After(now.AddDate(0, 0, MaxRequestAhead)):
		fe.Add(field, "care.error.too_far")
	}
	return out
}

// scheduleDays are the days of a recurring schedule: each chosen weekday from the first date to the last; false
// when it reported a problem with the weekdays or the dates.
func (f RequestForm) scheduleDays(fe FieldErrors, r *CareRequest) ([]time.Time, bool) {
	var wd []string
	for _, d := range Weekdays {
		if slices.Contains(f.Weekdays, d) {
			wd = append(wd, d)
		}
	}
	ok := true
	if len(wd) == 0 || len(wd) != len(f.Weekdays) {
		fe.Add("weekdays", "care.error.choose_weekday")
		ok = false
	}
	first, ok1 := ParseDate(f.FirstDate)
	last, ok2 := ParseDate(f.LastDate)
	if !ok1 {
		fe.Add("first_date", "error.date_invalid")
	}
	if !ok2 {
		fe.Add("last_date", "error.date_invalid")
	}
	if !ok1 || !ok2 || len(wd) == 0 {
		return nil, false
	}
	if last.Before(first) {
		fe.Add("last_date", "care.error.ends_before_start")
		return nil, false
	}
	if last.Sub(first) >= MaxScheduleDays*24*time.Hour {
		fe.Add("last_date", "care.error.schedule_too_long")
		return nil, false
	}
	r.Weekdays, r.FirstDate, r.LastDate = wd, first, last
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		if slices.Contains(wd, Weekdays[(int(d.Weekday())+6)%7]) {
			days = append(days, d)
		}
	}
	return days, ok
}

// parseClock reads "07:00" (or "7:00", full-width digits) as the time since midnight.
func parseClock(s string) (time.Duration, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(ToHalfWidth(s)))
	if err != nil {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}
