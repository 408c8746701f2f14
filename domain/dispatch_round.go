package domain

import (
	"slices"
	"time"
)

// Dispatch rounds: what the next round of offers for a request is, and when a round that is over sends another or
// hands the request to the coordinators. Pure, like matching: repository/care_dispatch.go asks it inside the
// transaction that sends the offers, and app/simulate asks the same functions in its simulated city week.

// Why a request goes to the coordinators (care_requests.escalation).
const (
	EscalationNoCandidates  = "no_candidates"  // nobody left who passes the filters
	EscalationWindowStarted = "window_started" // the help was due with nobody matched
)

// NextRound chooses who the next round is offered to, from the candidates Rank returned (best first): her paired
// volunteer alone when they come first (continuity: if they cannot, the round after goes wide), otherwise as many
// of the best as the program's settings say for the urgency. With nobody ranked it sends nothing and says why the
// request must be escalated.
//
// A round of FairPlaceFrom offers or more keeps its last place for a volunteer who is waiting (Ranked.Waiting): if
// none of the best is, the best-ranked waiting candidate takes the last place. Ranking by distance alone sends
// every request of a busy district to the volunteers based there and leaves those who serve it from further away
// with no offer all week (the city-week simulation: a quarter of the available volunteers); one place in three
// reaches them, and the two nearest still go first.
func NextRound(ranked []Ranked, s DispatchSettings, urgency string) (offer []Ranked, escalation string) {
	if len(ranked) == 0 {
		return nil, EscalationNoCandidates
	}
	n := s.Offers[urgency]
	if ranked[0].PairedWithHer {
		n = 1
	}
	n = min(max(n, 1), len(ranked))
	if !WantsWaiting(ranked[:n]) {
		return ranked[:n], ""
	}
	if i := slices.IndexFunc(ranked[n:], Ranked.Waiting); i >= 0 {
		return append(slices.Clone(ranked[:n-1]), ranked[n+i]), ""
	}
	return ranked[:n], ""
}

// FairPlaceFrom is the smallest round that keeps a place for a waiting volunteer.
const FairPlaceFrom = 3

// WaitingDays is how long without an offer makes a volunteer waiting.
const WaitingDays = 7

// Waiting: no offer in the last WaitingDays days, or never.
func (r Ranked) Waiting() bool { return r.NeverOffered || r.IdleDays >= WaitingDays }

// WantsWaiting reports whether a round of these best candidates would give its last place to a waiting volunteer
// from further down the ranking: it is wide enough and none of them is waiting.
func WantsWaiting(best []Ranked) bool {
	return len(best) >= FairPlaceFrom && !slices.ContainsFunc(best, Ranked.Waiting)
}

// AfterRound is what follows a round that is over (every offer expired or declined) at now: another round, or,
// once the help should have begun, the coordinators (the escalation returned; "" for another round).
func AfterRound(now, windowStart time.Time) (escalation string) {
	if !now.Before(windowStart) {
		return EscalationWindowStarted
	}
	return ""
}

// DeclineEndsRound reports whether a decline ends its round at once, so the next goes out now rather than at the
// round's expiry: it was the last offer still open, and the request still waits on that very round.
func DeclineEndsRound(stillPending int, requestStatus string, requestRound, offerRound int) bool {
	return stillPending == 0 && requestStatus == RequestDispatching && requestRound == offerRound
}

// CountOffer is a volunteer's offers of the day after one more sent at: the day's count goes on, or starts again
// at one on a new Shanghai day (volunteer_profiles.offers_day and offers_that_day).
func CountOffer(day time.Time, count int, at time.Time) (newDay time.Time, newCount int) {
	today := Today(at)
	if day.Equal(today) {
		return today, count + 1
	}
	return today, 1
}
