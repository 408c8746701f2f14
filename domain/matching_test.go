package domain_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"guanai/domain"
)

// Tuesday 3 March 2026, Shanghai: every test's request is on or around it; "now" is the Monday before, 09:00.
var (
	matchNow = time.Date(2026, 3, 2, 9, 0, 0, 0, domain.Shanghai)
	tue      = time.Date(2026, 3, 3, 0, 0, 0, 0, domain.Shanghai)
)

func at(day time.Time, hh, mm int) time.Time {
	return day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

func win(day time.Time, fromH, fromM, toH, toM int) domain.Window {
	return domain.Window{Start: at(day, fromH, fromM), End: at(day, toH, toM)}
}

var allQuals = []string{domain.QualDriver, domain.QualErrands, domain.QualCounsellor, domain.QualTutor}

// allSlots is every slot of the weekly grid.
func allSlots() uint32 {
	var s []string
	for _, d := range domain.Weekdays {
		for _, p := range domain.DayParts {
			s = append(s, d+"_"+p)
		}
	}
	return domain.SlotMask(s)
}

// okCandidate passes every filter of okRequest, for any category.
func okCandidate() domain.Candidate {
	return domain.Candidate{VolunteerID: 1, Active: true, Verified: slices.Clone(allQuals), Districts: []string{"xihu"},
		Slots: allSlots(), Capacity: 2, Subjects: []string{"math", "english"}, GradeFrom: -1, GradeTo: -1}
}

// okRequest: a ride in Xihu on Tuesday 07:00–08:00.
func okRequest(category string) domain.MatchRequest {
	return domain.MatchRequest{StaffID: 100, Category: category, District: "xihu",
		Occurrences: []domain.Window{win(tue, 7, 0, 8, 0)}}
}

const dailyCap = 5

func TestFilters(t *testing.T) {
	only := func(quals ...string) func(*domain.MatchRequest, *domain.Candidate) {
		return func(_ *domain.MatchRequest, c *domain.Candidate) { c.Verified = quals }
	}
	slots := func(s ...string) func(*domain.MatchRequest, *domain.Candidate) {
		return func(_ *domain.MatchRequest, c *domain.Candidate) { c.Slots = domain.SlotMask(s) }
	}
	cases := []struct {
		name     string
		category string
		change   func(r *domain.MatchRequest, c *domain.Candidate)
		want     string // "" when the candidate passes
	}{
		{"all well", domain.CategoryTransport, func(*domain.MatchRequest, *domain.Candidate) {}, ""},
		{"inactive", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.Active = false }, domain.FailInactive},

		// qualification, per category
		{"transport needs a driver", domain.CategoryTransport, only(domain.QualErrands, domain.QualTutor), domain.FailQualification},
		{"transport with a driver", domain.CategoryTransport, only(domain.QualDriver), ""},
		{"errand needs errands", domain.CategoryErrand, only(domain.QualDriver), domain.FailQualification},
		{"errand with errands", domain.CategoryErrand, only(domain.QualErrands), ""},
		{"emergency needs nothing", domain.CategoryEmergency, only(), ""},
		{"counselling needs a licence", domain.CategoryCounselling, only(domain.QualTutor, domain.QualDriver), domain.FailQualification},
		{"counselling with a licence", domain.CategoryCounselling, only(domain.QualCounsellor), ""},
		{"tutoring needs a tutor", domain.CategoryTutoring, only(domain.QualCounsellor), domain.FailQualification},
		{"tutoring with a tutor", domain.CategoryTutoring, only(domain.QualTutor), ""},
		{"companionship needs a tutor", domain.CategoryCompanionship, only(domain.QualErrands), domain.FailQualification},
		{"companionship with a tutor", domain.CategoryCompanionship, only(domain.QualTutor), ""},
		{"an unverified qualification is none", domain.CategoryTransport, only(), domain.FailQualification},

		// subject and grades, for tutors
		{"a subject she teaches", domain.CategoryTutoring, func(r *domain.MatchRequest, _ *domain.Candidate) { r.Subject = "math" }, ""},
		{"a subject she does not teach", domain.CategoryTutoring, func(r *domain.MatchRequest, _ *domain.Candidate) { r.Subject = "physics" }, domain.FailSubject},
		{"companionship in a subject she does not teach", domain.CategoryCompanionship, func(r *domain.MatchRequest, _ *domain.Candidate) { r.Subject = "physics" }, domain.FailSubject},
		{"a subject does not matter for a ride", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) { r.Subject, c.Subjects = "physics", nil }, ""},
		{"any subject", domain.CategoryTutoring, func(r *domain.MatchRequest, c *domain.Candidate) { r.Subject, c.Subjects = "", nil }, ""},
		{"a child in her grades", domain.CategoryTutoring, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.ChildGrades, c.GradeFrom, c.GradeTo = []int{4, 6}, 4, 6
		}, ""},
		{"a child below her grades", domain.CategoryTutoring, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.ChildGrades, c.GradeFrom, c.GradeTo = []int{3}, 4, 6
		}, domain.FailGrade},
		{"one of two children above her grades", domain.CategoryTutoring, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.ChildGrades, c.GradeFrom, c.GradeTo = []int{5, 7}, 4, 6
		}, domain.FailGrade},
		{"no grade range teaches every grade", domain.CategoryTutoring, func(r *domain.MatchRequest, _ *domain.Candidate) {
			r.ChildGrades = []int{0, 12}
		}, ""},
		{"grades do not matter for counselling", domain.CategoryCounselling, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.ChildGrades, c.GradeFrom, c.GradeTo = []int{3}, 7, 9
		}, ""},

		// district
		{"another district", domain.CategoryTransport, func(r *domain.MatchRequest, _ *domain.Candidate) { r.District = "binjiang" }, domain.FailDistrict},
		{"a district served but not based in", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.District, c.Districts = "binjiang", []string{"xihu", "binjiang"}
		}, ""},
		{"tutoring at home is not remote", domain.CategoryTutoring, func(r *domain.MatchRequest, _ *domain.Candidate) { r.District = "binjiang" }, domain.FailDistrict},
		{"counselling ignores the district", domain.CategoryCounselling, func(r *domain.MatchRequest, _ *domain.Candidate) { r.District = "chunan" }, ""},
		{"companionship ignores the district", domain.CategoryCompanionship, func(r *domain.MatchRequest, _ *domain.Candidate) { r.District = "chunan" }, ""},

		// availability by weekly slot
		{"free that morning", domain.CategoryTransport, slots("tue_am"), ""},
		{"free only that afternoon", domain.CategoryTransport, slots("tue_pm", "mon_am", "wed_am"), domain.FailAvailability},
		{"am to pm needs both slots", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue, 11, 30, 12, 30)}
			c.Slots = domain.SlotMask([]string{"tue_am"})
		}, domain.FailAvailability},
		{"am to pm with both slots", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue, 11, 30, 12, 30)}
			c.Slots = domain.SlotMask([]string{"tue_am", "tue_pm"})
		}, ""},
		{"ending at noon needs no afternoon", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue, 11, 0, 12, 0)}
			c.Slots = domain.SlotMask([]string{"tue_am"})
		}, ""},
		{"a night window no slot covers", domain.CategoryTransport, func(r *domain.MatchRequest, _ *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue, 5, 0, 6, 30)}
		}, domain.FailAvailability},
		{"an evening until midnight", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue, 22, 0, 24, 0)}
			c.Slots = domain.SlotMask([]string{"tue_eve"})
		}, ""},
		{"an evening past midnight", domain.CategoryTransport, func(r *domain.MatchRequest, _ *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue, 23, 0, 25, 0)}
		}, domain.FailAvailability},
		{"every occurrence of a schedule must be free", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = append(r.Occurrences, win(tue.AddDate(0, 0, 1), 7, 0, 8, 0))
			c.Slots = domain.SlotMask([]string{"tue_am", "thu_am"})
		}, domain.FailAvailability},
		{"Sunday is the last day of the week", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = []domain.Window{win(tue.AddDate(0, 0, 5), 19, 0, 20, 0)}
			c.Slots = domain.SlotMask([]string{"sun_eve"})
		}, ""},

		// double booking
		{"booked at the same time", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) {
			c.Booked = []domain.Window{win(tue, 7, 30, 8, 30)}
		}, domain.FailBooked},
		{"booked around it", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) {
			c.Booked = []domain.Window{win(tue, 6, 0, 10, 0)}
		}, domain.FailBooked},
		{"booked right after", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) {
			c.Booked = []domain.Window{win(tue, 8, 0, 9, 0), win(tue, 6, 0, 7, 0)}
		}, ""},
		{"booked on another occurrence of the schedule", domain.CategoryTransport, func(r *domain.MatchRequest, c *domain.Candidate) {
			r.Occurrences = append(r.Occurrences, win(tue.AddDate(0, 0, 7), 7, 0, 8, 0))
			c.Booked = []domain.Window{win(tue.AddDate(0, 0, 7), 7, 45, 9, 0)}
		}, domain.FailBooked},

		// capacity
		{"at capacity", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.ActivePairings = 2 }, domain.FailCapacity},
		{"under capacity", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.ActivePairings = 1 }, ""},
		{"at capacity but already paired with her", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) {
			c.ActivePairings, c.PairedWithHer = 2, true
		}, ""},

		{"never pair us again", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.NoRepeat = true }, domain.FailNoRepeat},
		{"offered this request before", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.AlreadyOffered = true }, domain.FailOffered},
		{"at the daily cap", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.OffersToday = dailyCap }, domain.FailDailyCap},
		{"one under the daily cap", domain.CategoryTransport, func(_ *domain.MatchRequest, c *domain.Candidate) { c.OffersToday = dailyCap - 1 }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, c := okRequest(tc.category), okCandidate()
			tc.change(&r, &c)
			got := domain.Failures(r, &c, dailyCap)
			var want []string
			if tc.want != "" {
				want = []string{tc.want}
			}
			if !slices.Equal(got, want) {
				t.Errorf("Failures = %v, want %v", got, want)
			}
			if p := domain.Passes(r, &c, dailyCap); p != (len(got) == 0) {
				t.Errorf("Passes = %v but Failures = %v", p, got)
			}
		})
	}
}

func TestFailuresListsEveryFailure(t *testing.T) {
	r := okRequest(domain.CategoryTutoring)
	r.Subject, r.ChildGrades, r.District = "physics", []int{9}, "binjiang"
	c := domain.Candidate{VolunteerID: 1, GradeFrom: 1, GradeTo: 6, NoRepeat: true, AlreadyOffered: true,
		OffersToday: 9, Booked: []domain.Window{win(tue, 7, 0, 8, 0)}}
	want := []string{domain.FailInactive, domain.FailQualification, domain.FailSubject, domain.FailGrade,
		domain.FailDistrict, domain.FailAvailability, domain.FailBooked, domain.FailCapacity, domain.FailNoRepeat,
		domain.FailOffered, domain.FailDailyCap}
	if got := domain.Failures(r, &c, dailyCap); !slices.Equal(got, want) {
		t.Errorf("Failures = %v\nwant       %v", got, want)
	}
}

// Passes is the fast path of Failures: on any candidate whatever, they must agree.
func TestPassesAgreesWithFailures(t *testing.T) {
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	categories := append(slices.Clone(allCategoryCodes()), "unknown")
	failed := 0
	for i := range 20000 {
		r := randomRequest(rng, categories[rng.IntN(len(categories))])
		c := randomCandidate(rng, int64(i+1), r)
		fails := domain.Failures(r, &c, dailyCap)
		if p := domain.Passes(r, &c, dailyCap); p != (len(fails) == 0) {
			t.Errorf("seed %d, candidate %d: Passes = %v, Failures = %v\nrequest %+v\ncandidate %+v", seed, i, p, fails, r, c)
			if failed++; failed > 5 {
				break
			}
		}
	}
}

func allCategoryCodes() []string {
	var out []string
	for _, c := range domain.Categories {
		out = append(out, c.Code)
	}
	return out
}

func TestSlotMask(t *testing.T) {
	cases := []struct {
		slots []string
		want  uint32
	}{
		{nil, 0},
		{[]string{"mon_am"}, 1},
		{[]string{"mon_pm"}, 1 << 1},
		{[]string{"tue_am"}, 1 << 3},
		{[]string{"sun_eve"}, 1 << 20},
		{[]string{"mon_am", "mon_am", "mon_eve"}, 1 | 1<<2},
		{[]string{"mon_night", "funday_am", "mon", ""}, 0},
	}
	for _, c := range cases {
		if got := domain.SlotMask(c.slots); got != c.want {
			t.Errorf("SlotMask(%v) = %b, want %b", c.slots, got, c.want)
		}
	}
}

func TestSlotsOf(t *testing.T) {
	mask := func(s ...string) uint32 { return domain.SlotMask(s) }
	cases := []struct {
		name string
		w    domain.Window
		want uint32
		ok   bool
	}{
		{"morning", win(tue, 7, 0, 8, 0), mask("tue_am"), true},
		{"from six", win(tue, 6, 0, 7, 0), mask("tue_am"), true},
		{"am into pm", win(tue, 11, 30, 12, 30), mask("tue_am", "tue_pm"), true},
		{"the whole day", win(tue, 6, 0, 24, 0), mask("tue_am", "tue_pm", "tue_eve"), true},
		{"before six", win(tue, 5, 30, 7, 0), 0, false},
		{"into the night", win(tue, 23, 0, 24, 30), 0, false},
		{"given in UTC", domain.Window{Start: at(tue, 19, 0).UTC(), End: at(tue, 20, 0).UTC()}, mask("tue_eve"), true},
	}
	for _, c := range cases {
		got, ok := domain.SlotsOf(c.w)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: SlotsOf = %b, %v; want %b, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestWindowOverlaps(t *testing.T) {
	a := win(tue, 7, 0, 8, 0)
	cases := []struct {
		b    domain.Window
		want bool
	}{
		{win(tue, 8, 0, 9, 0), false},
		{win(tue, 6, 0, 7, 0), false},
		{win(tue, 7, 59, 9, 0), true},
		{win(tue, 7, 15, 7, 45), true},
		{win(tue, 6, 0, 9, 0), true},
	}
	for _, c := range cases {
		if a.Overlaps(c.b) != c.want || c.b.Overlaps(a) != c.want {
			t.Errorf("%v overlaps %v: want %v", a, c.b, c.want)
		}
	}
}

func TestDistrictDistanceKm(t *testing.T) {
	if d := domain.DistrictDistanceKm("xihu", "xihu"); d != 0 {
		t.Errorf("the same district is %d km away", d)
	}
	if d := domain.DistrictDistanceKm("xihu", "nowhere"); d != 0 {
		t.Errorf("an unknown district is %d km away", d)
	}
	near, far := domain.DistrictDistanceKm("xihu", "shangcheng"), domain.DistrictDistanceKm("xihu", "chunan")
	if near < 5 || near > 9 || far < 90 || far > 130 {
		t.Errorf("Xihu–Shangcheng %d km, Xihu–Chun'an %d km: not the city's geography", near, far)
	}
	for _, a := range domain.Reference.Districts {
		for _, b := range domain.Reference.Districts {
			if domain.DistrictDistanceKm(a.Code, b.Code) != domain.DistrictDistanceKm(b.Code, a.Code) {
				t.Errorf("%s–%s is not symmetric", a.Code, b.Code)
			}
		}
	}
}

// rankIDs ranks the candidates for a ride in Xihu and returns the volunteer ids in order.
func rankIDs(t *testing.T, cands ...domain.Candidate) []int64 {
	t.Helper()
	var ids []int64
	for _, rk := range domain.Rank(okRequest(domain.CategoryTransport), cands, dailyCap, matchNow) {
		ids = append(ids, rk.VolunteerID)
	}
	return ids
}

// cand is a candidate for the ranking tests: based in Xihu, load 0/2, unrated, never offered.
func cand(id int64, change func(c *domain.Candidate)) domain.Candidate {
	c := okCandidate()
	c.VolunteerID = id
	change(&c)
	return c
}

func rated(avg float64) func(c *domain.Candidate) {
	return func(c *domain.Candidate) { c.RatingSum, c.RatingCount = int(avg*10), 10 }
}

// Each tie-break: the better candidate has the higher id and is worse on every later key, so only this key can
// put them in the wanted order.
func TestRankTieBreaks(t *testing.T) {
	daysAgo := func(d float64) time.Time { return matchNow.Add(-time.Duration(d * float64(24*time.Hour))) }
	cases := []struct {
		name string
		a, b domain.Candidate // a should come first
	}{
		{"paired with her first", cand(9, func(c *domain.Candidate) {
			c.PairedWithHer, c.Districts = true, []string{"shangcheng", "xihu"}
			c.ActivePairings, c.Capacity, c.RatingSum, c.RatingCount, c.LastOfferAt = 2, 2, 30, 10, matchNow
		}), cand(1, func(c *domain.Candidate) { c.PairedBefore = true })},
		{"nearer first", cand(9, func(c *domain.Candidate) {
			c.ActivePairings, c.RatingSum, c.RatingCount, c.LastOfferAt = 1, 30, 10, matchNow
		}), cand(1, func(c *domain.Candidate) { c.Districts = []string{"shangcheng", "xihu"} })},
		{"nearer first among the far", cand(9, func(c *domain.Candidate) {
			c.Districts, c.ActivePairings = []string{"shangcheng", "xihu"}, 1
		}), cand(1, func(c *domain.Candidate) { c.Districts = []string{"fuyang", "xihu"} })},
		{"lower load first", cand(9, func(c *domain.Candidate) {
			c.ActivePairings, c.Capacity, c.RatingSum, c.RatingCount, c.LastOfferAt = 1, 3, 30, 10, matchNow
		}), cand(1, func(c *domain.Candidate) { c.ActivePairings, c.Capacity = 1, 2 })},
		{"load is a fraction of capacity", cand(9, func(c *domain.Candidate) {
			c.ActivePairings, c.Capacity, c.LastOfferAt = 2, 5, matchNow // 0.4
		}), cand(1, func(c *domain.Candidate) { c.ActivePairings, c.Capacity = 1, 2 })}, // 0.5
		{"higher rating first", cand(9, func(c *domain.Candidate) {
			c.RatingSum, c.RatingCount, c.LastOfferAt = 48, 10, matchNow
		}), cand(1, rated(4.5))},
		{"1.15 rounds up to 1.2, above 1.1", cand(9, func(c *domain.Candidate) {
			c.RatingSum, c.RatingCount, c.LastOfferAt = 23, 20, matchNow
		}), cand(1, func(c *domain.Candidate) { c.RatingSum, c.RatingCount = 11, 10 })},
		{"unrated before 3.9", cand(9, func(c *domain.Candidate) { c.LastOfferAt = matchNow }), cand(1, rated(3.9))},
		{"4.1 before unrated", cand(9, func(c *domain.Candidate) { rated(4.1)(c); c.LastOfferAt = matchNow }),
			cand(1, func(*domain.Candidate) {})},
		{"never offered first", cand(9, func(*domain.Candidate) {}),
			cand(1, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(60) })},
		{"unrated and 4.0 tie: never offered first", cand(9, func(*domain.Candidate) {}),
			cand(1, func(c *domain.Candidate) { rated(4.0)(c); c.LastOfferAt = daysAgo(60) })},
		{"longest since the last offer first", cand(9, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(10) }),
			cand(1, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(2) })},
		{"longest idle to the hour", cand(9, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(3.5) }),
			cand(1, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(3.1) })},
		{"then the lower id", cand(1, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(2) }),
			cand(9, func(c *domain.Candidate) { c.LastOfferAt = daysAgo(2) })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := []int64{tc.a.VolunteerID, tc.b.VolunteerID}
			for _, order := range [][]domain.Candidate{{tc.a, tc.b}, {tc.b, tc.a}} {
				if got := rankIDs(t, order...); !slices.Equal(got, want) {
					t.Errorf("Rank = %v, want %v", got, want)
				}
			}
		})
	}
}

func TestRatingTenthsRoundsHalfUp(t *testing.T) {
	for _, tc := range []struct{ sum, count, want int }{
		{23, 20, 12}, // 1.15: float64 arithmetic makes it 11.4999… tenths
		{9, 2, 45}, {14, 3, 47}, {13, 3, 43}, {5, 1, 50}, {1, 1, 10}, {89, 20, 45}, {4, 3, 13},
	} {
		if got := domain.RatingTenths(tc.sum, tc.count); got != tc.want {
			t.Errorf("RatingTenths(%d, %d) = %d, want %d", tc.sum, tc.count, got, tc.want)
		}
	}
}

func TestRankWholeKilometresTie(t *testing.T) {
	// Qiantang (36.8 km) and Lin'an (36.7 km) are both 37 whole kilometres from Xihu: the distance does not separate
	// them, the load does.
	if q, l := domain.DistrictDistanceKm("qiantang", "xihu"), domain.DistrictDistanceKm("linan", "xihu"); q != 37 || l != 37 {
		t.Fatalf("Qiantang %d km, Lin'an %d km from Xihu, want 37 and 37", q, l)
	}
	a := cand(9, func(c *domain.Candidate) { c.Districts = []string{"qiantang", "xihu"} })
	b := cand(1, func(c *domain.Candidate) { c.Districts, c.ActivePairings = []string{"linan", "xihu"}, 1 })
	if got := rankIDs(t, b, a); !slices.Equal(got, []int64{9, 1}) {
		t.Errorf("Rank = %v, want [9 1]: the lower load first at the same whole kilometre", got)
	}
}

func TestRankDropsWhoFailsAndIgnoresDistanceForRemoteHelp(t *testing.T) {
	far := cand(1, func(c *domain.Candidate) { c.Districts = []string{"chunan"} })
	near := cand(2, func(c *domain.Candidate) { c.ActivePairings = 1 })
	full := cand(3, func(c *domain.Candidate) { c.ActivePairings = 2 })
	r := okRequest(domain.CategoryCounselling)
	got := domain.Rank(r, []domain.Candidate{full, near, far}, dailyCap, matchNow)
	if len(got) != 2 || got[0].VolunteerID != 1 || got[1].VolunteerID != 2 {
		t.Fatalf("counselling: Rank = %+v, want 1 (idle, 0 km for remote help) then 2", got)
	}
	if got[0].DistanceKm != 0 || got[0].SameDistrict {
		t.Errorf("remote help has a distance: %+v", got[0])
	}
	if ids := rankIDs(t, full, near, far); !slices.Equal(ids, []int64{2}) {
		t.Errorf("a ride: Rank = %v, want only 2 (1 does not serve Xihu, 3 is full)", ids)
	}
	if got := domain.Rank(r, nil, dailyCap, matchNow); len(got) != 0 {
		t.Errorf("no candidates ranked as %v", got)
	}
}

func TestReasons(t *testing.T) {
	typical := cand(7, func(c *domain.Candidate) {
		c.PairedBefore, c.ActivePairings, c.Capacity = true, 1, 2
		c.RatingSum, c.RatingCount = 29, 6 // 4.83
		c.LastOfferAt = matchNow.Add(-3*24*time.Hour - 5*time.Hour)
	})
	far := cand(8, func(c *domain.Candidate) {
		c.PairedWithHer, c.Districts = true, []string{"binjiang", "xihu"}
	})
	remote := cand(9, func(c *domain.Candidate) { c.LastOfferAt = matchNow.Add(-time.Hour) })
	cases := []struct {
		name     string
		category string
		c        domain.Candidate
		want     []domain.Reason
		encoded  string
	}{
		{"typical", domain.CategoryTransport, typical, []domain.Reason{
			{Key: "paired_before"}, {Key: "same_district"},
			{Key: "load", Args: []string{"Load", "1", "Capacity", "2"}},
			{Key: "rating", Args: []string{"Rating", "4.8"}},
			{Key: "idle_days", Args: []string{"Days", "3"}},
		}, "paired_before|same_district|load:Load=1,Capacity=2|rating:Rating=4.8|idle_days:Days=3"},
		{"paired now, from another district, unrated, never offered", domain.CategoryTransport, far, []domain.Reason{
			{Key: "paired_now"},
			{Key: "distance", Args: []string{"Km", "12"}},
			{Key: "load", Args: []string{"Load", "0", "Capacity", "2"}},
			{Key: "unrated"}, {Key: "never_offered"},
		}, "paired_now|distance:Km=12|load:Load=0,Capacity=2|unrated|never_offered"},
		{"remote help says nothing of districts", domain.CategoryCompanionship, remote, []domain.Reason{
			{Key: "load", Args: []string{"Load", "0", "Capacity", "2"}},
			{Key: "unrated"},
			{Key: "idle_days", Args: []string{"Days", "0"}},
		}, "load:Load=0,Capacity=2|unrated|idle_days:Days=0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ranked := domain.Rank(okRequest(tc.category), []domain.Candidate{tc.c}, dailyCap, matchNow)
			if len(ranked) != 1 {
				t.Fatalf("the candidate did not pass: %v", domain.Failures(okRequest(tc.category), &tc.c, dailyCap))
			}
			got := ranked[0].Reasons()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Reasons = %v\nwant      %v", got, tc.want)
			}
			enc := domain.EncodeReasons(got)
			if enc != tc.encoded {
				t.Errorf("EncodeReasons = %q, want %q", enc, tc.encoded)
			}
			if back := domain.DecodeReasons(enc); !reflect.DeepEqual(back, got) {
				t.Errorf("DecodeReasons(EncodeReasons) = %v, want %v", back, got)
			}
		})
	}
	if got := domain.DecodeReasons(""); got != nil {
		t.Errorf("DecodeReasons(\"\") = %v", got)
	}
	if got := domain.EncodeReasons(nil); got != "" {
		t.Errorf("EncodeReasons(nil) = %q", got)
	}
}

// randomRequest is a request as the city asks them: mostly one window, sometimes a weekday schedule of up to four
// weeks, in the morning, afternoon or evening, now and then at night.
func randomRequest(rng *rand.Rand, category string) domain.MatchRequest {
	districts := domain.Reference.Districts
	r := domain.MatchRequest{StaffID: 100, Category: category, District: districts[rng.IntN(len(districts))].Code}
	if rng.IntN(3) == 0 {
		r.Subject = domain.Subjects[rng.IntN(len(domain.Subjects))]
	}
	for range rng.IntN(3) {
		r.ChildGrades = append(r.ChildGrades, rng.IntN(len(domain.Grades)))
	}
	day := tue.AddDate(0, 0, rng.IntN(14))
	from := 4 + rng.IntN(19) // 04:00 to 22:00
	length := 30 * (1 + rng.IntN(6))
	n := 1
	if rng.IntN(4) == 0 {
		n = 2 + rng.IntN(19)
	}
	for i := range n {
		d := day.AddDate(0, 0, i)
		start := at(d, from, 0)
		r.Occurrences = append(r.Occurrences, domain.Window{Start: start, End: start.Add(time.Duration(length) * time.Minute)})
	}
	return r
}

// randomCandidate is a volunteer as the seed makes them (repository/seed_people.go): one to three districts, the
// central ones more often; three to nine slots, evenings and weekends more often; capacity mostly 2; one or two
// qualifications, mostly verified; some bookings, ratings and past offers. Some are near to r so that they pass.
func randomCandidate(rng *rand.Rand, id int64, r domain.MatchRequest) domain.Candidate {
	all := domain.Reference.Districts
	c := domain.Candidate{VolunteerID: id, Active: rng.Float64() < 0.95, GradeFrom: -1, GradeTo: -1}
	for n := 1 + rng.IntN(3); len(c.Districts) < n; {
		u := rng.Float64()
		if d := all[int(u*u*float64(len(all)))].Code; !slices.Contains(c.Districts, d) {
			c.Districts = append(c.Districts, d)
		}
	}
	var slots []string
	for _, day := range domain.Weekdays {
		for _, part := range domain.DayParts {
			p := 0.2
			if part == "eve" || day == "sat" || day == "sun" {
				p = 0.45
			}
			if rng.Float64() < p {
				slots = append(slots, day+"_"+part)
			}
		}
	}
	c.Slots = domain.SlotMask(slots)
	if rng.IntN(8) == 0 { // a share close to the request, so that the ranking has work to do
		c.Districts = append([]string{r.District}, c.Districts...)
		for _, w := range r.Occurrences {
			need, _ := domain.SlotsOf(w)
			c.Slots |= need
		}
	}
	switch u := rng.Float64(); {
	case u < 0.25:
		c.Capacity = 1
	case u < 0.75:
		c.Capacity = 2
	case u < 0.95:
		c.Capacity = 3
	default:
		c.Capacity = 4 + rng.IntN(2)
	}
	c.ActivePairings = rng.IntN(c.Capacity + 1)
	for _, q := range []struct {
		code  string
		share float64
	}{{domain.QualErrands, 0.55}, {domain.QualDriver, 0.35}, {domain.QualTutor, 0.2}, {domain.QualCounsellor, 0.04}} {
		if rng.Float64() < q.share && rng.Float64() < 0.93 {
			c.Verified = append(c.Verified, q.code)
		}
	}
	if slices.Contains(c.Verified, domain.QualTutor) {
		for range 1 + rng.IntN(3) {
			c.Subjects = append(c.Subjects, domain.Subjects[rng.IntN(len(domain.Subjects))])
		}
		if rng.IntN(2) == 0 {
			c.GradeFrom = rng.IntN(len(domain.Grades))
			c.GradeTo = c.GradeFrom + rng.IntN(len(domain.Grades)-c.GradeFrom)
		}
	}
	c.PairedWithHer = rng.IntN(5000) == 0
	c.PairedBefore = !c.PairedWithHer && rng.IntN(100) == 0
	c.NoRepeat = rng.IntN(1000) == 0
	c.AlreadyOffered = rng.IntN(200) == 0
	for range rng.IntN(4) {
		start := at(tue.AddDate(0, 0, rng.IntN(21)), 6+rng.IntN(16), 30*rng.IntN(2))
		c.Booked = append(c.Booked, domain.Window{Start: start, End: start.Add(time.Duration(1+rng.IntN(3)) * time.Hour)})
	}
	if rng.Float64() < 0.7 {
		c.RatingCount = 1 + rng.IntN(30)
		c.RatingSum = c.RatingCount*3 + rng.IntN(2*c.RatingCount+1)
	}
	if rng.Float64() < 0.8 {
		c.LastOfferAt = matchNow.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		c.OffersToday = rng.IntN(7)
	}
	return c
}

// BenchmarkRank60000 ranks the whole volunteer base of the city for one request: the target is under
// 20 ms a call on the 2-core development machine.
func BenchmarkRank60000(b *testing.B) {
	const seed = 20260302
	requests := []struct {
		name string
		r    domain.MatchRequest
	}{
		{"ride", domain.MatchRequest{StaffID: 100, Category: domain.CategoryTransport, District: "xihu",
			Occurrences: []domain.Window{win(tue, 19, 0, 20, 0)}}},
		{"errand", domain.MatchRequest{StaffID: 100, Category: domain.CategoryErrand, District: "shangcheng",
			Occurrences: []domain.Window{win(tue.AddDate(0, 0, 4), 13, 0, 15, 0)}}},
		{"companionship_8_weeks", func() domain.MatchRequest {
			r := domain.MatchRequest{StaffID: 100, Category: domain.CategoryCompanionship, District: "xihu",
				Subject: "math", ChildGrades: []int{4}}
			for d := range 56 {
				if day := tue.AddDate(0, 0, d); day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
					r.Occurrences = append(r.Occurrences, win(day, 19, 0, 20, 0))
				}
			}
			return r
		}()},
	}
	for _, rq := range requests {
		b.Run(rq.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(seed, 0))
			cands := make([]domain.Candidate, 60000)
			for i := range cands {
				cands[i] = randomCandidate(rng, int64(i+1), rq.r)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var n int
			for b.Loop() {
				n = len(domain.Rank(rq.r, cands, dailyCap, matchNow))
			}
			b.ReportMetric(float64(n), "ranked")
		})
	}
}

// TestProgramQualificationIsRequiredToo: an administrator may ask more of a program's volunteers than its
// categories do, and the errand volunteer without it is then filtered out.
func TestProgramQualificationIsRequiredToo(t *testing.T) {
	r := okRequest(domain.CategoryErrand)
	r.Qualification = domain.QualDriver
	c := okCandidate()
	c.Verified = []string{domain.QualErrands}
	if got := domain.Failures(r, &c, 5); !slices.Equal(got, []string{domain.FailQualification}) || domain.Passes(r, &c, 5) {
		t.Errorf("errands only, program wants a driver: failures %v", got)
	}
	c.Verified = []string{domain.QualErrands, domain.QualDriver}
	if got := domain.Failures(r, &c, 5); len(got) != 0 || !domain.Passes(r, &c, 5) {
		t.Errorf("both held: failures %v", got)
	}
}
