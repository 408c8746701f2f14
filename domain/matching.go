package domain

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Matching: for one request and what is known of the volunteers who might help, which of them may be offered it
// (the hard filters) and in which order (the ranking), each with the reasons for its place in words a coordinator
// reads. Pure: the repository loads the facts, this decides.

// Window is a span of time: one occurrence of a request, or a service a volunteer is booked for.
type Window struct {
	Start, End time.Time
}

// Overlaps reports whether two windows share any moment (touching ends do not).
func (w Window) Overlaps(o Window) bool { return w.Start.Before(o.End) && o.Start.Before(w.End) }

// MatchRequest is what matching needs of a request.
type MatchRequest struct {
	StaffID  int64
	Category string
	District string
	// Qualification is what the program asks of its volunteers besides the category's ("" for nothing more): an
	// administrator may require one of a service program.
	Qualification string
	Subject       string   // tutoring: "" when any subject will do
	ChildGrades   []int    // tutoring: the chosen children's grades, as GradeIndex
	Occurrences   []Window // at least one
}

// Candidate is what matching knows of one volunteer. The repository fills it from one row per volunteer.
type Candidate struct {
	VolunteerID    int64
	Active         bool     // the account is active (verified, not suspended or closed)
	Verified       []string // the qualifications a coordinator has verified
	Districts      []string // served; the first is where they are based
	Slots          uint32   // weekly availability, as SlotMask
	Capacity       int
	ActivePairings int
	PairedWithHer  bool // an active pairing with this staff member in this program
	PairedBefore   bool // an ended pairing with her, not refused
	NoRepeat       bool // either side ended a pairing with "don't pair us again"
	AlreadyOffered bool // this request was offered to them before
	Booked         []Window
	Subjects       []string
	GradeFrom      int // -1 when not set
	GradeTo        int
	RatingSum      int
	RatingCount    int
	LastOfferAt    time.Time // zero: never offered anything
	OffersToday    int       // offers received on the Shanghai day of now
}

// Filter failures, as message keys under "match.", in the order Failures lists them.
const (
	FailInactive      = "inactive"
	FailQualification = "qualification"
	FailSubject       = "subject"
	FailGrade         = "grade"
	FailDistrict      = "district"
	FailAvailability  = "availability"
	FailBooked        = "booked"
	FailCapacity      = "capacity"
	FailNoRepeat      = "no_repeat"
	FailOffered       = "offered"
	FailDailyCap      = "daily_cap"
)

// Failures lists every hard filter the candidate fails for the request, in the order above; none means they may
// be offered it. dailyCap is the program's offers-per-day limit.
func Failures(r MatchRequest, c *Candidate, dailyCap int) []string {
	m := newMatcher(r, dailyCap)
	return m.failures(c)
}

// Passes reports whether the candidate passes every hard filter (Failures is empty), without building the list.
func Passes(r MatchRequest, c *Candidate, dailyCap int) bool {
	m := newMatcher(r, dailyCap)
	return m.passes(c)
}

// matcher is a request made ready to be matched against many candidates: what does not depend on the volunteer
// (the category, the slots the occurrences need, their span) is worked out once, not once per volunteer — Rank
// runs the filters over the whole volunteer base of the city.
type matcher struct {
	r        MatchRequest
	cat      Category
	tutor    bool
	need     uint32 // every slot some occurrence touches
	night    bool   // some occurrence falls in the night, which no slot covers: no one is available
	span     Window // from the earliest start to the latest end: a booking outside it overlaps no occurrence
	dailyCap int
}

func newMatcher(r MatchRequest, dailyCap int) matcher {
	cat, _ := CategoryByCode(r.Category)
	m := matcher{r: r, cat: cat, tutor: cat.Qualification == QualTutor, dailyCap: dailyCap}
	for i, w := range r.Occurrences {
		need, ok := SlotsOf(w)
		m.need |= need
		m.night = m.night || !ok
		if i == 0 || w.Start.Before(m.span.Start) {
			m.span.Start = w.Start
		}
		if i == 0 || w.End.After(m.span.End) {
			m.span.End = w.End
		}
	}
	return m
}

func (m *matcher) failures(c *Candidate) []string {
	var out []string
	if !c.Active {
		out = append(out, FailInactive)
	}
	if !m.qualified(c) {
		out = append(out, FailQualification)
	}
	if m.tutor {
		if !m.teachesSubject(c) {
			out = append(out, FailSubject)
		}
		if !gradesFit(m.r.ChildGrades, c) {
			out = append(out, FailGrade)
		}
	}
	if !m.servesDistrict(c) {
		out = append(out, FailDistrict)
	}
	if !m.available(c) {
		out = append(out, FailAvailability)
	}
	if m.booked(c) {
		out = append(out, FailBooked)
	}
	if !m.hasRoom(c) {
		out = append(out, FailCapacity)
	}
	if c.NoRepeat {
		out = append(out, FailNoRepeat)
	}
	if c.AlreadyOffered {
		out = append(out, FailOffered)
	}
	if m.atDailyCap(c) {
		out = append(out, FailDailyCap)
	}
	return out
}

// passes is failures without the list, the cheapest filters first.
func (m *matcher) passes(c *Candidate) bool {
	return c.Active && !c.NoRepeat && !c.AlreadyOffered && !m.atDailyCap(c) && m.hasRoom(c) && m.available(c) &&
		m.qualified(c) && m.servesDistrict(c) &&
		(!m.tutor || m.teachesSubject(c) && gradesFit(m.r.ChildGrades, c)) &&
		!m.booked(c)
}

func (m *matcher) qualified(c *Candidate) bool {
	return (m.cat.Qualification == "" || slices.Contains(c.Verified, m.cat.Qualification)) &&
		(m.r.Qualification == "" || slices.Contains(c.Verified, m.r.Qualification))
}

func (m *matcher) teachesSubject(c *Candidate) bool {
	return m.r.Subject == "" || slices.Contains(c.Subjects, m.r.Subject)
}

func (m *matcher) servesDistrict(c *Candidate) bool {
	return m.cat.Remote || slices.Contains(c.Districts, m.r.District)
}

// available: free in every slot every occurrence touches, and no occurrence at night.
func (m *matcher) available(c *Candidate) bool { return !m.night && c.Slots&m.need == m.need }

// hasRoom: under capacity, unless already paired with her (the request adds no pairing then).
func (m *matcher) hasRoom(c *Candidate) bool { return c.PairedWithHer || c.ActivePairings < c.Capacity }

func (m *matcher) atDailyCap(c *Candidate) bool { return m.dailyCap > 0 && c.OffersToday >= m.dailyCap }

// booked: some booking overlaps some occurrence (touching ends do not).
func (m *matcher) booked(c *Candidate) bool {
	for _, b := range c.Booked {
		if !b.Overlaps(m.span) {
			continue
		}
		for _, w := range m.r.Occurrences {
			if b.Overlaps(w) {
				return true
			}
		}
	}
	return false
}

// gradesFit: a tutor without a grade range is taken to teach any grade; with one, every chosen child is in it.
func gradesFit(grades []int, c *Candidate) bool {
	if c.GradeFrom < 0 || c.GradeTo < 0 {
		return true
	}
	for _, g := range grades {
		if g < c.GradeFrom || g > c.GradeTo {
			return false
		}
	}
	return true
}

// The parts of the day of the weekly grid, in Shanghai hours: am 06–12, pm 12–18, eve 18–24. Night has no slot.
var dayPartHours = [][2]int{{6, 12}, {12, 18}, {18, 24}}

// SlotMask packs slots such as "mon_am" into bits: bit day*3+part. An unknown slot counts for none.
func SlotMask(slots []string) uint32 {
	var m uint32
	for _, s := range slots {
		m |= slotBits[s]
	}
	return m
}

// slotBits is each slot's bit: a bulk proposal packs the slots of a hundred thousand candidates.
var slotBits = func() map[string]uint32 {
	bits := map[string]uint32{}
	for d, day := range Weekdays {
		for p, part := range DayParts {
			bits[day+"_"+part] = 1 << (d*3 + p)
		}
	}
	return bits
}()

// SlotsOf is the mask of the slots a window touches (in Shanghai), and false when part of it falls in the night,
// which no slot covers.
func SlotsOf(w Window) (uint32, bool) {
	var m uint32
	t := w.Start.In(Shanghai)
	end := w.End.In(Shanghai)
	for t.Before(end) {
		day := (int(t.Weekday()) + 6) % 7 // Monday is 0
		part := -1
		for i, h := range dayPartHours {
			if t.Hour() >= h[0] && t.Hour() < h[1] {
				part = i
			}
		}
		if part < 0 {
			return 0, false
		}
		m |= 1 << (day*3 + part)
		// on to the start of the next part of the day
		next := time.Date(t.Year(), t.Month(), t.Day(), dayPartHours[part][1], 0, 0, 0, Shanghai)
		t = next
	}
	return m, true
}

// Ranked is a candidate who passed, with what placed them.
type Ranked struct {
	VolunteerID   int64
	PairedWithHer bool
	PairedBefore  bool
	SameDistrict  bool
	DistanceKm    int // from where they are based to her district, whole kilometres; 0 for remote help
	Load          int
	Capacity      int
	Rating        float64 // 0 when unrated
	Rated         bool
	IdleDays      int  // whole days since their last offer
	NeverOffered  bool // no offer ever: the longest idle of all
	lastOfferAt   time.Time
}

// Rank returns the candidates who pass every hard filter, best first. The order is deterministic: an active
// pairing with her first, then distance (whole kilometres between district centres; ignored for remote help), then
// load (active pairings over capacity, lowest first), then rating (highest first; an unrated volunteer counts as
// 4.0), then the longest since their last offer first, then the lower volunteer id.
func Rank(r MatchRequest, cands []Candidate, dailyCap int, now time.Time) []Ranked {
	m := newMatcher(r, dailyCap)
	// Who passes first, then one slice of the right size: growing it by appending cost more than the filters.
	var pass []int
	for i := range cands {
		if m.passes(&cands[i]) {
			pass = append(pass, i)
		}
	}
	if len(pass) == 0 {
		return nil
	}
	out := make([]Ranked, len(pass))
	for j, i := range pass {
		out[j] = rankedOf(r, m.cat, &cands[i], now)
	}
	slices.SortFunc(out, compareRanked)
	return out
}

func rankedOf(r MatchRequest, cat Category, c *Candidate, now time.Time) Ranked {
	rk := Ranked{VolunteerID: c.VolunteerID, PairedWithHer: c.PairedWithHer, PairedBefore: c.PairedBefore,
		Load: c.ActivePairings, Capacity: c.Capacity, lastOfferAt: c.LastOfferAt, NeverOffered: c.LastOfferAt.IsZero()}
	if !cat.Remote {
		rk.SameDistrict = len(c.Districts) > 0 && c.Districts[0] == r.District
		if len(c.Districts) > 0 {
			rk.DistanceKm = DistrictDistanceKm(c.Districts[0], r.District)
		}
	}
	if c.RatingCount > 0 {
		rk.Rated = true
		rk.Rating = float64(RatingTenths(c.RatingSum, c.RatingCount)) / 10
	}
	if !rk.NeverOffered {
		rk.IdleDays = int(now.Sub(c.LastOfferAt) / (24 * time.Hour))
	}
	return rk
}

const unratedCountsAs = 40 // tenths: an unrated volunteer counts as 4.0

func compareRanked(a, b Ranked) int {
	if a.PairedWithHer != b.PairedWithHer {
		if a.PairedWithHer {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.DistanceKm, b.DistanceKm); c != 0 {
		return c
	}
	// load as a fraction of capacity: a*cb vs b*ca avoids floats
	if c := cmp.Compare(a.Load*b.Capacity, b.Load*a.Capacity); c != 0 {
		return c
	}
	if c := cmp.Compare(b.ratingForOrder(), a.ratingForOrder()); c != 0 {
		return c
	}
	if a.NeverOffered != b.NeverOffered {
		if a.NeverOffered {
			return -1
		}
		return 1
	}
	if c := a.lastOfferAt.Compare(b.lastOfferAt); c != 0 {
		return c
	}
	return cmp.Compare(a.VolunteerID, b.VolunteerID)
}

func (r Ranked) ratingForOrder() int {
	if !r.Rated {
		return unratedCountsAs
	}
	return int(math.Round(r.Rating * 10))
}

// RatingTenths is an average rating in tenths, rounded half up: 23 stars over 20 ratings are 12 (1.2). It is
// whole-number arithmetic, not float64(sum)/float64(count)*10, whose 1.15*10 is 11.4999… and would round down,
// so the candidate query can order by the same number in SQL as ranking does here.
func RatingTenths(sum, count int) int { return (20*sum + count) / (2 * count) }

// Reason is one word of why a candidate is where they are: a message key under "match." and its values.
type Reason struct {
	Key  string
	Args []string
}

// Reasons says in words why the candidate is placed where they are, in the order of the ranking's keys (the
// pairing first): "曾结对 · 同区 · 负载 1/2 · 评分 4.8 · 3 天未派单".
func (r Ranked) Reasons() []Reason {
	var out []Reason
	switch {
	case r.PairedWithHer:
		out = append(out, Reason{Key: "paired_now"})
	case r.PairedBefore:
		out = append(out, Reason{Key: "paired_before"})
	}
	switch {
	case r.SameDistrict:
		out = append(out, Reason{Key: "same_district"})
	case r.DistanceKm > 0:
		out = append(out, Reason{Key: "distance", Args: []string{"Km", strconv.Itoa(r.DistanceKm)}})
	}
	out = append(out, Reason{Key: "load", Args: []string{"Load", strconv.Itoa(r.Load), "Capacity", strconv.Itoa(r.Capacity)}})
	if r.Rated {
		out = append(out, Reason{Key: "rating", Args: []string{"Rating", strconv.FormatFloat(r.Rating, 'f', 1, 64)}})
	} else {
		out = append(out, Reason{Key: "unrated"})
	}
	if r.NeverOffered {
		out = append(out, Reason{Key: "never_offered"})
	} else {
		out = append(out, Reason{Key: "idle_days", Args: []string{"Days", strconv.Itoa(r.IdleDays)}})
	}
	return out
}

// EncodeReasons writes reasons as one line to store with an offer ("load:Load=1,Capacity=2|rating:Rating=4.8");
// DecodeReasons reads it back, so the board shows them in the reader's language.
func EncodeReasons(rs []Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		var kv []string
		for j := 0; j+1 < len(r.Args); j += 2 {
			kv = append(kv, r.Args[j]+"="+r.Args[j+1])
		}
		parts[i] = r.Key
		if len(kv) > 0 {
			parts[i] += ":" + strings.Join(kv, ",")
		}
	}
	return strings.Join(parts, "|")
}

// DecodeReasons is the inverse of EncodeReasons.
func DecodeReasons(s string) []Reason {
	if s == "" {
		return nil
	}
	var out []Reason
	for _, part := range strings.Split(s, "|") {
		key, rest, _ := strings.Cut(part, ":")
		r := Reason{Key: key}
		if rest != "" {
			for _, kv := range strings.Split(rest, ",") {
				k, v, _ := strings.Cut(kv, "=")
				r.Args = append(r.Args, k, v)
			}
		}
		out = append(out, r)
	}
	return out
}

// DistrictDistanceKm is the distance between two districts' centres in whole kilometres (0 for the same or an
// unknown district), by the haversine formula.
func DistrictDistanceKm(a, b string) int {
	if a == b {
		return 0
	}
	return districtKm[a+"|"+b]
}

var districtKm = func() map[string]int {
	m := map[string]int{}
	for _, a := range Reference.Districts {
		for _, b := range Reference.Districts {
			m[a.Code+"|"+b.Code] = int(math.Round(haversineKm(a.Lat, a.Lng, b.Lat, b.Lng)))
		}
	}
	return m
}()

func haversineKm(lat1, lng1, lat2, lng2 float64) float64 {
	const earthKm = 6371.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthKm * math.Asin(math.Sqrt(h))
}
