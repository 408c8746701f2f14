package simulate

import (
	"math"
	"slices"
	"time"

	"guanai/domain"
)

// The city's people, drawn in the proportions of the city seed (repository/seed_people.go): districts,
// availability, capacity, qualifications and a tutor's subjects and grades for volunteers; a hospital, a home and
// children for staff.

type staffMember struct {
	id       int64
	active   bool
	hospital string // the hospital's district
	home     string // where she lives: mostly where she works
	grades   []int  // her children's grades (domain.GradeIndex)
	weight   float64
}

type volunteer struct {
	c             domain.Candidate // the facts matching reads, kept up to date as the week goes on
	bookedReq     []int32          // the request of each of c.Booked
	offersDay     time.Time
	offersThatDay int
	offers        int  // offers received in the simulation
	available     bool // passed every hard filter for at least one round of one request
}

const (
	staffBase     = 1_000_000 // staff ids start here
	volunteerBase = 2_000_000 // volunteer ids start here: id − volunteerBase is the index
)

func (s *sim) buildStaff() {
	hospitals := domain.Reference.Hospitals
	all := domain.Reference.Districts
	s.staff = make([]staffMember, s.p.Staff)
	for i := range s.staff {
		st := &s.staff[i]
		st.id = staffBase + int64(i)
		st.active = s.rng.Float64() >= 0.05 // pending, suspended, rejected: the seed's 3 + 1 + 1 %
		st.hospital = hospitals[s.rng.IntN(len(hospitals))].District
		st.home = st.hospital
		if s.rng.Float64() < 1-s.p.HomeAtHospital {
			u := s.rng.Float64()
			st.home = all[int(u*u*float64(len(all)))].Code
		}
		switch u := s.rng.Float64(); {
		case u < 0.10:
			st.grades = []int{childGrade(s), childGrade(s)}
		case u < 0.45:
			st.grades = []int{childGrade(s)}
		}
		// some ask often, most now and then (the seed's log-normal share of the requests)
		st.weight = math.Exp(1.1 * s.rng.NormFloat64())
		if st.active {
			s.askers.add(int32(i), st.weight)
			if len(st.grades) > 0 {
				s.parents.add(int32(i), st.weight)
			}
		}
	}
}

// childGrade: a child of 3 to 17, kindergarten until six, then a grade a year (repository's gradeAt).
func childGrade(s *sim) int {
	age := 3 + s.rng.IntN(15)
	return min(max(age-5, 0), len(domain.Grades)-1)
}

// qualShares and tutorOffers are the city seed's (repository/seed_people.go).
var qualShares = []struct {
	code  string
	share float64
}{{domain.QualErrands, 0.55}, {domain.QualDriver, 0.35}, {domain.QualTutor, 0.2}, {domain.QualCounsellor, 0.04}}

var tutorOffers = []struct {
	subjects []string
	from, to int
}{
	{[]string{"math"}, 1, 6}, {[]string{"chinese", "english"}, 1, 6}, {[]string{"chinese", "math", "english"}, 1, 6},
	{[]string{"reading", "chinese"}, 0, 2}, {[]string{"math", "physics"}, 7, 9}, {[]string{"english"}, 7, 9},
	{[]string{"physics", "chemistry", "biology"}, 8, 9}, {[]string{"math"}, 10, 12}, {[]string{"chemistry"}, 10, 12},
	{[]string{"history", "geography", "politics"}, 10, 12}, {[]string{"music"}, 0, 9}, {[]string{"art"}, 0, 9},
	{[]string{"pe"}, 1, 9},
}

// pool is the volunteers who may be offered one kind of help in one district: near are based there (the first
// of their districts), far serve it from elsewhere; farUnknown are those of far not yet known to be available.
// Remote help has one pool for the city, all near.
type pool struct {
	near, far, farUnknown []int32
}

func (s *sim) pool(key string) *pool {
	p := s.pools[key]
	if p == nil {
		p = &pool{}
		s.pools[key] = p
	}
	return p
}

// hot is what the narrowing reads of every volunteer of a pool, in a small array of its own: the scan over a
// central district's thousands of volunteers each round is the run's inner loop.
type hot struct {
	slots          uint32
	offersDay      int32 // days since 1970 (Shanghai) of offersThatDay
	activePairings int16
	capacity       int16
	offersThatDay  int16
}

// sync copies a volunteer's figures into hot after they change.
func (s *sim) sync(i int32) {
	v := &s.vols[i]
	s.hot[i] = hot{slots: v.c.Slots, offersDay: dayNumber(v.offersDay), activePairings: int16(v.c.ActivePairings),
		capacity: int16(v.c.Capacity), offersThatDay: int16(v.offersThatDay)}
}

func dayNumber(t time.Time) int32 {
	if t.IsZero() {
		return -1
	}
	y, m, d := t.In(domain.Shanghai).Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (s *sim) buildVolunteers() {
	s.vols = make([]volunteer, s.p.Volunteers)
	s.hot = make([]hot, s.p.Volunteers)
	for i := range s.vols {
		v := &s.vols[i]
		active := true
		u := s.rng.Float64()
		switch {
		case u < 0.06: // pending
			active = false
		case u < 0.08: // suspended
			active = false
		case u < 0.10: // rejected
			active = false
		}
		v.c = domain.Candidate{VolunteerID: volunteerBase + int64(i), Active: active, Districts: s.districts(),
			Slots: s.availability(), Capacity: s.capacity(), GradeFrom: -1, GradeTo: -1}
		s.qualifications(v, u >= 0.06 && u < 0.08, u >= 0.08 && u < 0.10)
		s.sync(int32(i))
		if !active {
			continue
		}
		s.activeVolunteers++
		// indexed by what they may be offered, as the SQL candidate query narrows: "" is the help any volunteer
		// may give (emergency help)
		for _, q := range append([]string{""}, v.c.Verified...) {
			s.pool(q).near = append(s.pool(q).near, int32(i))
			for k, d := range v.c.Districts {
				pl := s.pool(q + "|" + d)
				if k == 0 {
					pl.near = append(pl.near, int32(i))
				} else {
					pl.far = append(pl.far, int32(i))
				}
			}
		}
	}
	for _, p := range s.pools {
		p.farUnknown = slices.Clone(p.far)
	}
}

// districts: one to three, the central districts more often than the outlying counties.
func (s *sim) districts() []string {
	all := domain.Reference.Districts
	n := 1 + s.rng.IntN(3)
	out := make([]string, 0, n)
	for len(out) < n {
		u := s.rng.Float64()
		d := all[int(u*u*float64(len(all)))].Code
		seen := false
		for _, o := range out {
			seen = seen || o == d
		}
		if !seen {
			out = append(out, d)
		}
	}
	return out
}

// availability: slots of the weekly grid, evenings and weekends more often (the seed's shares).
func (s *sim) availability() uint32 {
	var m uint32
	for d, day := range domain.Weekdays {
		for p, part := range domain.DayParts {
			share := 0.2
			if part == "eve" || day == "sat" || day == "sun" {
				share = 0.45
			}
			if s.rng.Float64() < share {
				m |= 1 << (d*3 + p)
			}
		}
	}
	if m == 0 {
		m = domain.SlotMask([]string{"sat_am"})
	}
	return m
}

func (s *sim) capacity() int {
	switch u := s.rng.Float64(); {
	case u < 0.25:
		return 1
	case u < 0.75:
		return 2
	case u < 0.95:
		return 3
	}
	return 4 + s.rng.IntN(2)
}

// qualifications: one or more, in the seed's shares; an active (or suspended) volunteer's are verified 93 % of the
// time, a rejected volunteer's never.
func (s *sim) qualifications(v *volunteer, suspended, rejected bool) {
	codes := map[string]bool{}
	for len(codes) == 0 {
		for _, q := range qualShares {
			if s.rng.Float64() < q.share {
				codes[q.code] = true
			}
		}
	}
	for _, q := range qualShares {
		if !codes[q.code] {
			continue
		}
		if q.code == domain.QualTutor {
			t := tutorOffers[s.rng.IntN(len(tutorOffers))]
			v.c.Subjects, v.c.GradeFrom, v.c.GradeTo = t.subjects, t.from, t.to
		}
		if (v.c.Active || suspended) && !rejected && s.rng.Float64() < 0.93 {
			v.c.Verified = append(v.c.Verified, q.code)
		}
	}
}

// weightedPicker draws an index by weight.
type weightedPicker struct {
	items []int32
	cum   []float64
}

func (w *weightedPicker) add(item int32, weight float64) {
	total := weight
	if n := len(w.cum); n > 0 {
		total += w.cum[n-1]
	}
	w.items = append(w.items, item)
	w.cum = append(w.cum, total)
}

func (w *weightedPicker) pick(s *sim) int32 {
	u := s.rng.Float64() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return w.items[lo]
}
