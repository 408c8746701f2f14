package simulate

import (
	"math"
	"slices"
	"time"

	"guanai/domain"
)

// The week's demand: for each category, its requests a week (per active member of staff, or per parent), each
// given a day by the weekday weights, a start by the hour-of-day profile, an urgency, a length, maybe a weekly
// schedule, and a submission the urgency's lead time before it. "The week" is the week the help begins in: a
// normal request for Monday morning may be submitted the week before.

type request struct {
	staff     int32
	cat       domain.Category
	urgency   string
	match     domain.MatchRequest
	need      uint32 // the weekly slots the occurrences touch
	night     bool   // an occurrence in the night, which no slot covers
	submitted time.Time
	scheduled bool // normal, submitted before the planning hour of the day before: the bulk assignment's part

	status      string
	round       int
	offers      []int32
	escalation  string // the first escalation's reason
	escalatedAt time.Time
	vol         int32 // -1 until matched
	pairing     int32
	acceptedAt  time.Time
	services    []service
}

type service struct{ status string }

func (r *request) start() time.Time { return r.match.Occurrences[0].Start }
func (r *request) end() time.Time   { return r.match.Occurrences[len(r.match.Occurrences)-1].End }

func (s *sim) buildDemand() {
	start, _ := time.ParseInLocation(time.DateOnly, s.p.Start, domain.Shanghai)
	s.weekStart = start
	var dayW weightedPicker
	for d := range s.p.Days {
		dayW.add(int32(d), s.p.WeekdayWeights[d%7])
	}
	for _, cat := range domain.Categories { // in a fixed order: the draws must not follow a map's
		d, ok := s.p.Demand[cat.Code]
		if !ok || d.PerStaffWeek <= 0 {
			continue
		}
		askers := &s.askers
		if cat.Children {
			askers = &s.parents
		}
		if len(askers.items) == 0 {
			continue
		}
		count := int(math.Round(d.PerStaffWeek * float64(len(askers.items)) * float64(s.p.Days) / 7))
		var startW weightedPicker
		for i, t := range d.Starts {
			startW.add(int32(i), t.Weight)
		}
		var urg weightedPicker
		for i, u := range domain.Urgencies {
			urg.add(int32(i), d.Urgency[u])
		}
		for range count {
			r := &request{staff: askers.pick(s), cat: cat, vol: -1, pairing: -1}
			r.urgency = domain.Urgencies[urg.pick(s)]
			st := &s.staff[r.staff]
			r.match = domain.MatchRequest{StaffID: st.id, Category: cat.Code, District: st.home}
			if s.rng.Float64() < 0.15 {
				r.match.District = st.hospital
			}
			if cat.Children {
				r.match.ChildGrades = st.grades
				if len(st.grades) > 1 && s.rng.Float64() < 0.7 {
					r.match.ChildGrades = st.grades[s.rng.IntN(len(st.grades)):][:1]
				}
				if cat.Qualification == domain.QualTutor && !cat.Remote && s.rng.Float64() < 0.7 {
					r.match.Subject = s.subjectFor(r.match.ChildGrades)
				}
			}
			day := s.weekStart.AddDate(0, 0, int(dayW.pick(s)))
			first := day.Add(time.Duration(d.Starts[startW.pick(s)].Minute) * time.Minute)
			length := time.Duration(d.Lengths[s.rng.IntN(len(d.Lengths))]) * time.Minute
			weeks := 1
			if r.urgency == domain.UrgencyNormal && s.rng.Float64() < d.RecurringShare {
				weeks = d.WeeksMin + s.rng.IntN(d.WeeksMax-d.WeeksMin+1)
			}
			for k := range weeks {
				o := first.AddDate(0, 0, 7*k)
				r.match.Occurrences = append(r.match.Occurrences, domain.Window{Start: o, End: o.Add(length)})
			}
			lead := s.p.Dispatch.LeadMinutes[r.urgency]
			r.submitted = first.Add(-time.Duration(lead[0]+s.rng.IntN(lead[1]-lead[0]+1)) * time.Minute)
			for _, w := range r.match.Occurrences {
				m, ok := domain.SlotsOf(w)
				r.need |= m
				r.night = r.night || !ok
			}
			if r.urgency == domain.UrgencyNormal {
				plan := domain.Today(first).AddDate(0, 0, -1).Add(time.Duration(s.p.Bulk.Hour) * time.Hour)
				r.scheduled = r.submitted.Before(plan)
			}
			s.reqs = append(s.reqs, r)
		}
	}
	// in order of submission, so a request's number says when it came
	slices.SortStableFunc(s.reqs, func(a, b *request) int { return a.submitted.Compare(b.submitted) })
}

// subjectFor is a subject some tutor of the city teaches at every one of the grades.
func (s *sim) subjectFor(grades []int) string {
	var fit []string
	for _, t := range tutorOffers {
		ok := true
		for _, g := range grades {
			ok = ok && g >= t.from && g <= t.to
		}
		if ok {
			fit = append(fit, t.subjects...)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return fit[s.rng.IntN(len(fit))]
}
