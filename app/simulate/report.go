package simulate

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"guanai/domain"
)

// accumulator counts what the report cannot read off the final state.
type accumulator struct {
	noLongerFits   int   // acceptances refused by the second look (domain.ErrNoLongerFits)
	serviceMinutes int64 // minutes of help given, by the occurrences' windows
	bulkProposed   int   // scheduled requests the Assigner gave a volunteer
}

// Report is what a run found. Every request of the week ends in exactly one of Matched, EscalatedUnresolved,
// ExpiredUnescalated or Open (Open is zero: the run goes on until the last window is over).
type Report struct {
	Seed             uint64 `json:"seed"`
	Days             int    `json:"days"`
	Staff            int    `json:"staff"`
	Volunteers       int    `json:"volunteers"`
	ActiveVolunteers int    `json:"active_volunteers"`

	Requests               int     `json:"requests"`
	Occurrences            int     `json:"occurrences"`
	Matched                int     `json:"matched"`
	MatchedAfterEscalation int     `json:"matched_after_escalation"` // of Matched: a late acceptance of an offer still out
	EscalatedUnresolved    int     `json:"escalated_unresolved"`     // escalated, never matched: the coordinators' to place
	ExpiredUnescalated     int     `json:"expired_unescalated"`      // the window passed, never escalated
	Open                   int     `json:"open"`
	MatchedShare           float64 `json:"matched_share"`

	ByCategory  []CategoryFigures `json:"by_category"`
	Acceptance  []Times           `json:"time_to_acceptance"` // by urgency, most urgent first
	Escalations map[string]int    `json:"escalations"`        // requests by the reason they were first escalated

	Offers         int            `json:"offers"`
	OffersByStatus map[string]int `json:"offers_by_status"`
	NoLongerFits   int            `json:"acceptances_refused_no_longer_fits"`
	Rounds         int            `json:"rounds"`
	// Available volunteers passed every hard filter (domain.Rank returned them) in at least one round of at least
	// one request of the week; Offered of them got at least one offer. Gini is over offers per available volunteer.
	Available    int     `json:"available_volunteers"`
	Offered      int     `json:"offered_volunteers"`
	OfferedShare float64 `json:"offered_share"`
	Gini         float64 `json:"gini_offers"`
	// ByDistrict is the same by the district volunteers are based in, with the requests asked there: where
	// demand is thin, the volunteers based there wait.
	ByDistrict []DistrictFigures `json:"by_district"`
	// FirstRoundWins are the requests matched in the round of offers they started with.
	FirstRoundWins int `json:"first_round_wins"`

	Pairings       int     `json:"pairings"`
	VolunteerHours float64 `json:"volunteer_hours"`

	// Scheduled is the part a bulk assignment plans: normal requests submitted before the planning hour of the
	// day before their help.
	Scheduled ScheduledFigures `json:"scheduled"`
}

// CategoryFigures are one category's requests and how many were matched.
type CategoryFigures struct {
	Category string  `json:"category"`
	Requests int     `json:"requests"`
	Matched  int     `json:"matched"`
	Share    float64 `json:"matched_share"`
}

// DistrictFigures are the available and offered volunteers based in a district, and the requests asked there.
type DistrictFigures struct {
	District  string  `json:"district"`
	Requests  int     `json:"requests"`
	Available int     `json:"available"`
	Offered   int     `json:"offered"`
	Share     float64 `json:"offered_share"`
	// OffersSent are the offers of the requests asked there: however they are spread, no more of the volunteers
	// based there can be reached by the district's own requests.
	OffersSent int `json:"offers_sent"`
}

// Times is the time from submission to acceptance of one urgency's matched requests, in minutes.
type Times struct {
	Urgency  string  `json:"urgency"`
	Requests int     `json:"requests"`
	Matched  int     `json:"matched"`
	Median   float64 `json:"median_minutes"`
	P90      float64 `json:"p90_minutes"`
	P99      float64 `json:"p99_minutes"`
}

// ScheduledFigures compare bulk assignment with one-by-one dispatch on the scheduled part.
type ScheduledFigures struct {
	PlanningHour  int     `json:"planning_hour"`
	Requests      int     `json:"requests"`
	Matched       int     `json:"matched"`
	MatchedShare  float64 `json:"matched_share"`
	Proposed      int     `json:"bulk_proposed"` // given a volunteer by the Assigner (0 without one)
	FirstRoundWon int     `json:"first_round_won"`
	Offers        int     `json:"offers"`
	MeanKm        float64 `json:"mean_distance_km"` // from the matched volunteer's base to her district (not remote help)
	MedianLead    float64 `json:"median_hours_accepted_before_start"`
	Acceptance    Times   `json:"time_to_acceptance"` // from submission
	Escalated     int     `json:"escalated"`
	OfferedShare  float64 `json:"offered_share"` // of the week's available volunteers, offered a scheduled task
	Gini          float64 `json:"gini_offers"`   // of scheduled offers per available volunteer
}

func (s *sim) report(seed uint64) Report {
	rep := Report{Seed: seed, Days: s.p.Days, Staff: len(s.staff), Volunteers: len(s.vols),
		ActiveVolunteers: s.activeVolunteers, Requests: len(s.reqs), Escalations: map[string]int{},
		OffersByStatus: map[string]int{}, Offers: len(s.offers), NoLongerFits: s.reportAcc.noLongerFits,
		Pairings: len(s.pairings), VolunteerHours: float64(s.reportAcc.serviceMinutes) / 60}
	times := map[string][]time.Duration{}
	byUrg := map[string]*Times{}
	for _, u := range domain.Urgencies {
		byUrg[u] = &Times{Urgency: u}
	}
	byCat := map[string]*CategoryFigures{}
	for _, c := range domain.Categories {
		byCat[c.Code] = &CategoryFigures{Category: c.Code}
	}
	for _, r := range s.reqs {
		rep.Occurrences += len(r.match.Occurrences)
		rep.Rounds += r.round
		byUrg[r.urgency].Requests++
		byCat[r.cat.Code].Requests++
		if r.escalation != "" {
			rep.Escalations[r.escalation]++
		}
		matched := r.vol >= 0
		if matched && s.offers[r.offers[len(r.offers)-1]].round == 1 {
			rep.FirstRoundWins++
		}
		switch {
		case matched:
			rep.Matched++
			byCat[r.cat.Code].Matched++
			byUrg[r.urgency].Matched++
			times[r.urgency] = append(times[r.urgency], r.acceptedAt.Sub(r.submitted))
			if r.escalation != "" {
				rep.MatchedAfterEscalation++
			}
		case domain.RequestOpen(r.status):
			rep.Open++
		case r.escalation != "":
			rep.EscalatedUnresolved++
		default:
			rep.ExpiredUnescalated++
		}
	}
	rep.MatchedShare = share(rep.Matched, rep.Requests)
	for _, c := range domain.Categories {
		f := byCat[c.Code]
		f.Share = share(f.Matched, f.Requests)
		rep.ByCategory = append(rep.ByCategory, *f)
	}
	for _, u := range domain.Urgencies {
		t := byUrg[u]
		d := times[u]
		slices.Sort(d)
		t.Median, t.P90, t.P99 = minutes(percentile(d, 0.5)), minutes(percentile(d, 0.9)), minutes(percentile(d, 0.99))
		rep.Acceptance = append(rep.Acceptance, *t)
	}
	for _, o := range s.offers {
		rep.OffersByStatus[o.status]++
	}
	var counts []int
	byDistrict := map[string]*DistrictFigures{}
	for _, d := range domain.Reference.Districts {
		byDistrict[d.Code] = &DistrictFigures{District: d.Code}
	}
	for _, r := range s.reqs {
		byDistrict[r.match.District].Requests++
		byDistrict[r.match.District].OffersSent += len(r.offers)
	}
	for i := range s.vols {
		if v := &s.vols[i]; v.available {
			counts = append(counts, v.offers)
			f := byDistrict[v.c.Districts[0]]
			f.Available++
			if v.offers > 0 {
				rep.Offered++
				f.Offered++
			}
		}
	}
	for _, d := range domain.Reference.Districts {
		f := byDistrict[d.Code]
		f.Share = share(f.Offered, f.Available)
		rep.ByDistrict = append(rep.ByDistrict, *f)
	}
	rep.Available = len(counts)
	rep.OfferedShare = share(rep.Offered, rep.Available)
	rep.Gini = domain.Gini(counts)
	rep.Scheduled = s.scheduledFigures()
	return rep
}

// scheduledFigures are the figures of the scheduled part alone, for comparing bulk assignment with one by one.
// The share offered and the Gini are over the week's available volunteers, and count offers of scheduled
// requests only.
func (s *sim) scheduledFigures() ScheduledFigures {
	sc := ScheduledFigures{Proposed: s.reportAcc.bulkProposed, PlanningHour: s.p.Bulk.Hour}
	var km, kmN int
	var leads, waits []time.Duration
	offers := make([]int, len(s.vols))
	for _, r := range s.reqs {
		if !r.scheduled {
			continue
		}
		sc.Requests++
		sc.Offers += len(r.offers)
		for _, o := range r.offers {
			offers[s.offers[o].vol]++
		}
		if r.escalation != "" {
			sc.Escalated++
		}
		if r.vol < 0 {
			continue
		}
		sc.Matched++
		if s.offers[r.offers[len(r.offers)-1]].round == 1 {
			sc.FirstRoundWon++
		}
		if !r.cat.Remote {
			km += domain.DistrictDistanceKm(s.vols[r.vol].c.Districts[0], r.match.District)
			kmN++
		}
		leads = append(leads, r.start().Sub(r.acceptedAt))
		waits = append(waits, r.acceptedAt.Sub(r.submitted))
	}
	sc.MatchedShare = share(sc.Matched, sc.Requests)
	if kmN > 0 {
		sc.MeanKm = float64(km) / float64(kmN)
	}
	slices.Sort(leads)
	sc.MedianLead = percentile(leads, 0.5).Hours()
	slices.Sort(waits)
	sc.Acceptance = Times{Urgency: domain.UrgencyNormal, Requests: sc.Requests, Matched: sc.Matched,
		Median: minutes(percentile(waits, 0.5)), P90: minutes(percentile(waits, 0.9)), P99: minutes(percentile(waits, 0.99))}
	var counts []int
	offered := 0
	for i := range s.vols {
		if s.vols[i].available {
			counts = append(counts, offers[i])
			offered += boolInt(offers[i] > 0)
		}
	}
	sc.OfferedShare = share(offered, len(counts))
	sc.Gini = domain.Gini(counts)
	return sc
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func minutes(d time.Duration) float64 { return float64(d.Round(time.Second)) / float64(time.Minute) }

// percentile is the nearest-rank percentile of sorted durations (0 for none).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// WriteTable prints the report for a person.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	pct := func(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }
	fmt.Fprintf(tw, "city week (seed %d, %d days)\t%d staff, %d volunteers (%d active)\n", r.Seed, r.Days, r.Staff, r.Volunteers, r.ActiveVolunteers)
	fmt.Fprintf(tw, "requests\t%d (%d occurrences, %d rounds of offers)\n", r.Requests, r.Occurrences, r.Rounds)
	fmt.Fprintf(tw, "matched\t%d  %s  (of them %d after escalation)\n", r.Matched, pct(r.MatchedShare), r.MatchedAfterEscalation)
	fmt.Fprintf(tw, "escalated, unresolved\t%d\n", r.EscalatedUnresolved)
	fmt.Fprintf(tw, "expired, not escalated\t%d\n", r.ExpiredUnescalated)
	var esc []string
	for _, k := range []string{domain.EscalationNoCandidates, domain.EscalationWindowStarted} {
		esc = append(esc, fmt.Sprintf("%s %d", k, r.Escalations[k]))
	}
	fmt.Fprintf(tw, "escalations\t%s\n", strings.Join(esc, ", "))
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "category\trequests\tmatched\t")
	for _, c := range r.ByCategory {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", c.Category, c.Requests, pct(c.Share))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "time to acceptance\trequests\tmatched\tmedian\tp90\tp99\t")
	for _, t := range r.Acceptance {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f min\t%.1f min\t%.1f min\t\n", t.Urgency, t.Requests, t.Matched, t.Median, t.P90, t.P99)
	}
	fmt.Fprintln(tw)
	var st []string
	for _, k := range domain.OfferStates {
		st = append(st, fmt.Sprintf("%s %d", k, r.OffersByStatus[k]))
	}
	fmt.Fprintf(tw, "offers\t%d (%s)\n", r.Offers, strings.Join(st, ", "))
	fmt.Fprintf(tw, "acceptances refused (no longer fits)\t%d\n", r.NoLongerFits)
	fmt.Fprintf(tw, "available volunteers\t%d (passed every hard filter in at least one round)\n", r.Available)
	fmt.Fprintf(tw, "offered at least one task\t%d  %s of the available\n", r.Offered, pct(r.OfferedShare))
	fmt.Fprintf(tw, "Gini of offers per available volunteer\t%.3f\n", r.Gini)
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "based in\trequests\toffers sent\tavailable\toffered\t")
	for _, d := range r.ByDistrict {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t\n", d.District, d.Requests, d.OffersSent, d.Available, pct(d.Share))
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "matched in their first round\t%d\n", r.FirstRoundWins)
	fmt.Fprintf(tw, "pairings made\t%d\n", r.Pairings)
	fmt.Fprintf(tw, "volunteer hours\t%.0f\n", r.VolunteerHours)
	sc := r.Scheduled
	fmt.Fprintf(tw, "scheduled part\t%d requests, matched %s, %d in the first round, %d offers\n",
		sc.Requests, pct(sc.MatchedShare), sc.FirstRoundWon, sc.Offers)
	return tw.Flush()
}
