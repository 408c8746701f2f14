package simulate

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"guanai/domain"
)

// Params are everything the simulated week is drawn from. Defaults holds the documented defaults; a JSON file
// (--params) overrides any part of them: what it leaves out keeps its default.
type Params struct {
	Staff      int `json:"staff"`      // members of staff (about 95 % of them active)
	Volunteers int `json:"volunteers"` // volunteers (about 90 % active)
	// Start is the Monday the week begins (Shanghai), yyyy-mm-dd; Days its length (--days).
	Start string `json:"start"`
	Days  int    `json:"-"`
	// HomeAtHospital is the share of staff living in their hospital's district (the seed's 0.7); the others live
	// anywhere, the central districts more often. Where they live is where most of their help is asked.
	HomeAtHospital float64 `json:"home_at_hospital"`
	// WeekdayWeights share the week's help out over Monday..Sunday (hospitals run every day).
	WeekdayWeights [7]float64 `json:"weekday_weights"`
	// Demand by category of help (domain.Categories' codes).
	Demand map[string]CategoryDemand `json:"demand"`
	// Dispatch is every service program's dispatch settings (the app's defaults unless changed).
	Dispatch DispatchParams `json:"dispatch"`
	Response ResponseParams `json:"response"`
	// PairingEndShare is the share of pairings that one side ends once the request they were made for is done and
	// nothing else is booked on them (the rest stay active and count toward the volunteer's capacity).
	PairingEndShare float64 `json:"pairing_end_share"`
	// Bulk is when the scheduled part is planned in bulk, if an Assigner is given (see Options.Assigner).
	Bulk BulkParams `json:"bulk"`
}

// CategoryDemand is how often a category of help is asked for, and what its requests look like.
type CategoryDemand struct {
	// PerStaffWeek is requests a week per active member of staff — per parent for the children's categories.
	PerStaffWeek float64 `json:"per_staff_week"`
	// Urgency shares (emergency, urgent, normal); they need not add up to one.
	Urgency map[string]float64 `json:"urgency"`
	// Starts is the hour-of-day profile: when the help begins (Shanghai, minutes after midnight) and how often.
	Starts []TimeWeight `json:"starts"`
	// Lengths are how long the help takes, in minutes (one drawn evenly).
	Lengths []int `json:"lengths"`
	// RecurringShare of the normal requests is a weekly schedule of WeeksMin..WeeksMax occurrences.
	RecurringShare float64 `json:"recurring_share"`
	WeeksMin       int     `json:"weeks_min"`
	WeeksMax       int     `json:"weeks_max"`
}

// TimeWeight is one entry of an hour-of-day profile.
type TimeWeight struct {
	Minute int     `json:"minute"`
	Weight float64 `json:"weight"`
}

// DispatchParams are domain.DispatchSettings in minutes.
type DispatchParams struct {
	Offers   map[string]int `json:"offers"`  // per round, by urgency
	Minutes  map[string]int `json:"minutes"` // an offer's lifetime, by urgency
	DailyCap int            `json:"daily_cap"`
	// LeadMinutes is how long before the help begins a request is submitted, by urgency: [min, max] minutes.
	LeadMinutes map[string][2]int `json:"lead_minutes"`
}

// ResponseParams is the volunteers' response model. An offer is accepted with probability
//
//	Accept[urgency] × 0.5^(distance km / DistanceHalfKm) × (1 − LoadPenalty × load/capacity)
//
// (AcceptPaired instead of Accept for her paired volunteer), after a log-normal delay around
// DelayMedianMinutes[urgency] (NightFactor times longer for offers sent 23:00–07:00); of those who do not accept,
// DeclineShare press decline after such a delay, the rest let it expire. An answer that would come after the
// offer has run out never comes.
type ResponseParams struct {
	Accept             map[string]float64 `json:"accept"`
	AcceptPaired       float64            `json:"accept_paired"`
	DistanceHalfKm     float64            `json:"distance_half_km"`
	LoadPenalty        float64            `json:"load_penalty"`
	DeclineShare       float64            `json:"decline_share"`
	DelayMedianMinutes map[string]float64 `json:"delay_median_minutes"`
	DelaySigma         float64            `json:"delay_sigma"`
	NightFactor        float64            `json:"night_factor"`
}

// BulkParams: at Hour (Shanghai) every day, the normal requests whose help begins the next day and that were
// submitted before then are proposed in bulk instead of being sent out one by one on submission.
type BulkParams struct {
	Hour       int           `json:"hour"`
	Candidates int           `json:"candidates"` // the best-ranked candidates of each request the proposal weighs
	Weights    AssignWeights `json:"weights"`    // the programs' cost weights (domain.DefaultAssignmentWeights)
}

// AssignWeights are domain.AssignmentWeights in the parameters file.
type AssignWeights struct {
	Distance   int `json:"distance"`
	Load       int `json:"load"`
	Continuity int `json:"continuity"`
	Fairness   int `json:"fairness"`
}

func (w AssignWeights) weights() domain.AssignmentWeights {
	return domain.AssignmentWeights{Distance: w.Distance, Load: w.Load, Continuity: w.Continuity, Fairness: w.Fairness}
}

func tw(pairs ...float64) []TimeWeight {
	out := make([]TimeWeight, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, TimeWeight{Minute: int(pairs[i]), Weight: pairs[i+1]})
	}
	return out
}

func h(hh, mm int) float64 { return float64(hh*60 + mm) }

// Defaults are the parameters of a city week in a crisis (see docs/operations.md, "Simulating a city week"):
// the city seed's population, and demand several times the seed's twelve ordinary weeks, rides first — frontline
// staff coming off night shifts at 07:30–08:30 with public transport thin, and going to evening shifts.
func Defaults() Params {
	const e, u, n = domain.UrgencyEmergency, domain.UrgencyUrgent, domain.UrgencyNormal
	dw := domain.DefaultAssignmentWeights
	return Params{
		Staff: 20000, Volunteers: 60000, Start: "2026-03-02", HomeAtHospital: 0.7,
		WeekdayWeights: [7]float64{1, 1, 1, 1, 1, 0.9, 0.9},
		Demand: map[string]CategoryDemand{
			domain.CategoryTransport: {PerStaffWeek: 0.40, Urgency: map[string]float64{u: 0.3, n: 0.7},
				// off the night shift (the peak), to the early shift, off the day shift, to and off the evening shift
				Starts: tw(h(6, 30), 6, h(7, 0), 8, h(7, 30), 14, h(8, 0), 22, h(8, 30), 14, h(9, 0), 4,
					h(15, 0), 5, h(17, 0), 8, h(17, 30), 10, h(18, 0), 7, h(19, 0), 4, h(21, 0), 3, h(22, 30), 3),
				Lengths: []int{45, 60, 90}, RecurringShare: 0.08, WeeksMin: 2, WeeksMax: 4},
			domain.CategoryErrand: {PerStaffWeek: 0.15, Urgency: map[string]float64{u: 0.2, n: 0.8},
				Starts:  tw(h(9, 0), 3, h(10, 0), 4, h(14, 0), 3, h(15, 0), 3, h(16, 0), 3, h(18, 30), 4, h(19, 0), 3),
				Lengths: []int{60, 90, 120}, RecurringShare: 0.04, WeeksMin: 2, WeeksMax: 4},
			domain.CategoryEmergency: {PerStaffWeek: 0.03, Urgency: map[string]float64{e: 1},
				Starts:  tw(h(7, 0), 2, h(9, 0), 3, h(11, 0), 3, h(13, 0), 3, h(15, 0), 3, h(17, 0), 3, h(19, 0), 3, h(21, 0), 2, h(22, 30), 1),
				Lengths: []int{60, 120, 180}},
			domain.CategoryCounselling: {PerStaffWeek: 0.05, Urgency: map[string]float64{u: 0.15, n: 0.85},
				Starts:  tw(h(14, 0), 1, h(19, 0), 3, h(19, 30), 3, h(20, 0), 3, h(20, 30), 2, h(21, 0), 2),
				Lengths: []int{60}, RecurringShare: 0.35, WeeksMin: 2, WeeksMax: 6},
			domain.CategoryTutoring: {PerStaffWeek: 0.15, Urgency: map[string]float64{n: 1},
				Starts:  tw(h(9, 0), 2, h(10, 0), 2, h(14, 0), 2, h(15, 0), 2, h(18, 30), 4, h(19, 0), 4, h(19, 30), 3),
				Lengths: []int{90, 120}, RecurringShare: 0.6, WeeksMin: 2, WeeksMax: 8},
			domain.CategoryCompanionship: {PerStaffWeek: 0.10, Urgency: map[string]float64{n: 1},
				Starts:  tw(h(19, 0), 3, h(19, 30), 3, h(20, 0), 3, h(20, 30), 2),
				Lengths: []int{60}, RecurringShare: 0.6, WeeksMin: 2, WeeksMax: 6},
		},
		Dispatch: dispatchParamsOf(domain.DefaultDispatch()),
		Response: ResponseParams{
			Accept:       map[string]float64{e: 0.45, u: 0.35, n: 0.30},
			AcceptPaired: 0.85, DistanceHalfKm: 15, LoadPenalty: 0.5, DeclineShare: 0.35,
			DelayMedianMinutes: map[string]float64{e: 3, u: 8, n: 25}, DelaySigma: 0.9, NightFactor: 4,
		},
		PairingEndShare: 0.3,
		Bulk: BulkParams{Hour: 18, Candidates: 50, Weights: AssignWeights{Distance: dw.Distance, Load: dw.Load,
			Continuity: dw.Continuity, Fairness: dw.Fairness}},
	}
}

func dispatchParamsOf(s domain.DispatchSettings) DispatchParams {
	const e, u, n = domain.UrgencyEmergency, domain.UrgencyUrgent, domain.UrgencyNormal
	p := DispatchParams{Offers: map[string]int{}, Minutes: map[string]int{}, DailyCap: s.DailyCap,
		LeadMinutes: map[string][2]int{e: {15, 45}, u: {120, 480}, n: {18 * 60, 6 * 24 * 60}}}
	for _, urg := range domain.Urgencies {
		p.Offers[urg] = s.Offers[urg]
		p.Minutes[urg] = int(s.Lifetime[urg] / time.Minute)
	}
	return p
}

// settings are the dispatch settings as domain takes them.
func (d DispatchParams) settings() domain.DispatchSettings {
	s := domain.DispatchSettings{Offers: map[string]int{}, Lifetime: map[string]time.Duration{}, DailyCap: d.DailyCap}
	for _, u := range domain.Urgencies {
		s.Offers[u] = d.Offers[u]
		s.Lifetime[u] = time.Duration(d.Minutes[u]) * time.Minute
	}
	return s
}

// LoadParams reads a JSON file over the defaults.
func LoadParams(file string) (Params, error) {
	p := Defaults()
	if file == "" {
		return p, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %w", file, err)
	}
	return p, p.Check()
}

// Check refuses parameters the simulation cannot run with.
func (p Params) Check() error {
	switch {
	case p.Staff < 1 || p.Volunteers < 1:
		return fmt.Errorf("staff and volunteers must be at least one")
	case p.Dispatch.DailyCap < 1:
		return fmt.Errorf("dispatch.daily_cap must be at least one")
	case p.Bulk.Hour < 0 || p.Bulk.Hour > 23 || p.Bulk.Candidates < 1:
		return fmt.Errorf("bulk: hour 0-23 and at least one candidate")
	}
	for _, w := range []int{p.Bulk.Weights.Distance, p.Bulk.Weights.Load, p.Bulk.Weights.Continuity, p.Bulk.Weights.Fairness} {
		if w < 0 || w > domain.MaxAssignmentWeight {
			return fmt.Errorf("bulk.weights: each 0-%d", domain.MaxAssignmentWeight)
		}
	}
	if _, err := time.ParseInLocation(time.DateOnly, p.Start, domain.Shanghai); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	for _, u := range domain.Urgencies {
		if p.Dispatch.Offers[u] < 1 || p.Dispatch.Minutes[u] < 1 {
			return fmt.Errorf("dispatch: %s needs offers and minutes of at least one", u)
		}
		if l := p.Dispatch.LeadMinutes[u]; l[0] < 0 || l[1] < l[0] {
			return fmt.Errorf("dispatch.lead_minutes %s: [min, max] with 0 <= min <= max", u)
		}
	}
	for code, d := range p.Demand {
		if _, ok := domain.CategoryByCode(code); !ok {
			return fmt.Errorf("demand: unknown category %q", code)
		}
		if d.PerStaffWeek > 0 && (len(d.Starts) == 0 || len(d.Lengths) == 0) {
			return fmt.Errorf("demand %s: starts and lengths are needed", code)
		}
		if d.RecurringShare > 0 && (d.WeeksMin < 2 || d.WeeksMax < d.WeeksMin || d.WeeksMax > 8) {
			return fmt.Errorf("demand %s: 2 <= weeks_min <= weeks_max <= 8", code)
		}
	}
	return nil
}
