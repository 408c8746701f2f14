package domain

import (
	"strings"
	"time"
)

// What surrounds a proposal: the period a coordinator plans, the requests held for the plan, and the check of each
// pair again at confirmation.

// MaxBulkRequests is the most requests one proposal takes (the benchmark's size): a longer period is refused.
const MaxBulkRequests = 2000

// AssignmentForm is the coordinator's choice of a program and a period, as typed: a Shanghai day and two times.
type AssignmentForm struct {
	Program  string
	Date     string // 2026-12-08
	From, To string // 06:00, 10:00
}

// DefaultAssignmentForm is tomorrow morning, 06:00–10:00 in Shanghai.
func DefaultAssignmentForm(now time.Time) AssignmentForm {
	return AssignmentForm{Date: Today(now).AddDate(0, 0, 1).Format(time.DateOnly), From: "06:00", To: "10:00"}
}

// Check reads the period, or says at each field what is wrong. The program is checked by whoever knows them.
func (f AssignmentForm) Check() (Window, FieldErrors) {
	fe := FieldErrors{}
	var w Window
	if strings.TrimSpace(f.Program) == "" {
		fe.Add("program", "error.choose_one")
	}
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(ToHalfWidth(f.Date)), Shanghai)
	if err != nil {
		fe.Add("date", "assign.error.date")
	}
	from, okFrom := clockTime(f.From)
	to, okTo := clockTime(f.To)
	if !okFrom {
		fe.Add("from", "assign.error.time")
	}
	if !okTo {
		fe.Add("to", "assign.error.time")
	}
	if err == nil && okFrom && okTo {
		w = Window{Start: day.Add(from), End: day.Add(to)}
		if !w.Start.Before(w.End) {
			fe.Add("to", "assign.error.order")
		}
	}
	return w, fe
}

// clockTime reads "06:00" (or "24:00", the end of the day) as the time since midnight.
func clockTime(s string) (time.Duration, bool) {
	s = strings.TrimSpace(ToHalfWidth(s))
	if s == "24:00" {
		return 24 * time.Hour, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

// PlanRelease says whether a request just submitted is held for the coordinator's plan and until when: a program
// with plan hours holds a request that is not an emergency and starts more than that long after now, until that
// long before its start, when ordinary dispatch begins unless a confirmed proposal has offered it first.
func PlanRelease(planHours int, urgency string, start, now time.Time) (time.Time, bool) {
	if planHours <= 0 || urgency == UrgencyEmergency {
		return time.Time{}, false
	}
	release := start.Add(-time.Duration(planHours) * time.Hour)
	return release, now.Before(release)
}

// AssignmentBatch is what a confirmation has offered so far, each volunteer's requests and new pairings, so that
// each next pair is checked against it as well as against the volunteer's facts (which do not count offers as
// bookings or pairings).
type AssignmentBatch struct {
	windows  map[int64][]Window
	newPairs map[int64]int
}

// Failures are the rules the pair would break on top of the batch: an overlap with an offer of the batch
// (FailBooked), or more new pairings than the volunteer has room for (FailCapacity).
func (b *AssignmentBatch) Failures(r MatchRequest, c *Candidate) []string {
	var out []string
	for _, w := range r.Occurrences {
		if overlapsAny(w, b.windows[c.VolunteerID]) {
			out = append(out, FailBooked)
			break
		}
	}
	if !c.PairedWithHer && c.ActivePairings+b.newPairs[c.VolunteerID] >= c.Capacity {
		out = append(out, FailCapacity)
	}
	return out
}

// Add counts the pair into the batch.
func (b *AssignmentBatch) Add(r MatchRequest, c *Candidate) {
	if b.windows == nil {
		b.windows, b.newPairs = map[int64][]Window{}, map[int64]int{}
	}
	b.windows[c.VolunteerID] = append(b.windows[c.VolunteerID], r.Occurrences...)
	if !c.PairedWithHer {
		b.newPairs[c.VolunteerID]++
	}
}

func overlapsAny(w Window, ws []Window) bool {
	for _, o := range ws {
		if w.Overlaps(o) {
			return true
		}
	}
	return false
}

// ErrAssignmentConfirmed refuses a second confirmation of a proposal (a double click, two coordinators).
var ErrAssignmentConfirmed = refusal("assign.error.confirmed")
