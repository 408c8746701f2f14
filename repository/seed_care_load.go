package repository

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"guanai/domain"
)

// The live part of the seeded care requests, and the loading of all of them.

// live makes the requests that are open as the seed finishes, about one per hundred members of staff: offers out
// now (their round's expiry still to come), requests the coordinators have for the next hours, and help matched
// for the next days.
func (cs *careSeed) live() {
	if len(cs.staff) == 0 {
		return
	}
	n := max(len(cs.sd.staff)/100, 5)
	kinds := []func(*careReq) bool{cs.liveDispatching, cs.liveDispatching, cs.liveEscalated, cs.liveMatched, cs.liveMatched}
	for i := range n {
		for range 30 {
			r := cs.newRequest(pickW(cs, careShares))
			if r != nil && kinds[i%len(kinds)](r) {
				r.live = true
				break
			}
		}
	}
	for range max(len(cs.sd.staff)/200, 3) {
		for range 30 {
			if r := cs.newRequest(domain.CategoryTransport); r != nil && cs.liveHeld(r) {
				r.live = true
				break
			}
		}
	}
}

// seedPlanHours is how long before its help the seeded city's one-to-one program holds a scheduled request for the
// coordinator's plan: the evening before a morning's rides, as a city whose coordinators plan each morning would
// set it (the admin's setting on the program's page; the demo leaves it at 0).
const seedPlanHours = 12

// liveHeld: a normal ride tomorrow morning (06:00–09:45; the morning after when tomorrow's is too close to hold),
// asked in the last hours and held for the plan — never offered, its release queued for seedPlanHours before the
// help — so that 建议分配 on the seeded city's board has a morning to propose.
func (cs *careSeed) liveHeld(r *careReq) bool {
	now := cs.clock
	r.urgency = domain.UrgencyNormal
	length := time.Duration(pickOf(cs, careLengths[r.cat.Code])) * time.Minute
	start := dayAt(now, 1, 360+15*cs.rng.IntN(16))
	if !start.Add(-seedPlanHours * time.Hour).After(now.Add(time.Hour)) {
		start = start.AddDate(0, 0, 1)
	}
	r.schedule(start, length, 1)
	r.submitted = now.Add(-cs.minutes(5, 240)).Truncate(time.Second)
	if r.night {
		return false
	}
	cs.submit(r)
	r.event(r.submitted, "held_for_plan", 0, 0, seedPlanHours, "")
	r.held = true
	return true
}

// liveStart is when live help is wanted: a normal request a day to four days ahead at the category's usual
// times (a schedule of up to four weeks), an urgent one in two to eight hours, an emergency within the hour.
func (cs *careSeed) liveStart(r *careReq) {
	now := cs.clock
	length := time.Duration(pickOf(cs, careLengths[r.cat.Code])) * time.Minute
	switch r.urgency {
	case domain.UrgencyEmergency:
		r.schedule(now.Add(cs.minutes(15, 40)).Truncate(5*time.Minute).Add(5*time.Minute), length, 1)
	case domain.UrgencyUrgent:
		start := now.Add(cs.minutes(120, 480)).Truncate(30 * time.Minute)
		if h := start.In(domain.Shanghai).Hour(); h >= 21 || h < 6 {
			start = dayAt(start.Add(-6*time.Hour), 1, 420+30*cs.rng.IntN(4))
		}
		r.schedule(start, length, 1)
	default:
		count := 1
		if cs.rng.Float64() < recurringShare[r.cat.Code] {
			count = 2 + cs.rng.IntN(3)
		}
		r.schedule(dayAt(now, 1+cs.rng.IntN(4), pickOf(cs, careStarts[r.cat.Code])), length, count)
	}
}

// liveDispatching: a round of offers out now, some already declined, at least one pending until after now; one
// in three is its second round, the first having run out.
func (cs *careSeed) liveDispatching(r *careReq) bool {
	now := cs.clock
	if r.cat.Code != domain.CategoryEmergency && cs.rng.Float64() < 0.25 {
		r.urgency = domain.UrgencyUrgent
	}
	cs.liveStart(r)
	if r.night {
		return false
	}
	lifetime := r.prog.settings.Lifetime[r.urgency]
	sent := now.Add(-time.Duration(float64(lifetime) * (0.05 + 0.75*cs.rng.Float64()))).Truncate(time.Second)
	second := cs.rng.Float64() < 1.0/3
	r.submitted = sent
	if second {
		r.submitted = sent.Add(-lifetime)
	}
	if !r.submitted.Before(r.start()) || len(cs.candidates(r, r.submitted, 1)) == 0 {
		return false
	}
	cs.submit(r)
	if second {
		offers, _ := cs.sendRound(r, r.submitted)
		for _, o := range offers {
			o.status, o.answered = domain.OfferExpired, o.expires
		}
		sent = maxTime(sent, r.deadline)
	}
	offers, _ := cs.sendRound(r, sent)
	if len(offers) == 0 {
		cs.escalate(r, sent, "no_candidates")
		return true
	}
	for _, o := range offers[1:] {
		if cs.rng.Float64() < 0.25 && now.Sub(sent) > time.Minute {
			o.status, o.answered, o.decline = domain.OfferDeclined, cs.between(sent, now.Add(-30*time.Second)), pickOf(cs, declineReasons)
		}
	}
	return true
}

// liveEscalated: with the coordinators, the window hours away — a ride before six in the morning nobody's week
// covers, or a request every volunteer asked has declined.
func (cs *careSeed) liveEscalated(r *careReq) bool {
	now := cs.clock
	if r.cat.Code == domain.CategoryTransport && cs.rng.Float64() < 0.5 {
		start := dayAt(now, 0, pickOf(cs, []int{270, 300, 330}))
		for start.Before(now.Add(time.Hour)) {
			start = start.AddDate(0, 0, 1)
		}
		r.schedule(start, time.Hour, 1)
		r.submitted = now.Add(-cs.minutes(10, 180)).Truncate(time.Second)
		cs.submit(r)
		cs.escalate(r, r.submitted, "no_candidates")
		return true
	}
	if r.cat.Code != domain.CategoryEmergency {
		r.urgency = domain.UrgencyUrgent
	}
	cs.liveStart(r)
	r.submitted = now.Add(-cs.minutes(30, 120)).Truncate(time.Second)
	if r.night || !r.submitted.Before(r.start()) || len(cs.candidates(r, r.submitted, 1)) == 0 {
		return false
	}
	cs.submit(r)
	offers, _ := cs.sendRound(r, r.submitted)
	last := r.submitted
	for _, o := range offers {
		o.status, o.answered, o.decline = domain.OfferDeclined, cs.between(r.submitted, minTime(r.deadline, now.Add(-time.Minute))), pickOf(cs, declineReasons)
		last = maxTime(last, o.answered)
	}
	cs.escalate(r, last, "no_candidates")
	return true
}

// liveMatched: help accepted for the next days (a schedule, sometimes), asked for in the last two days.
func (cs *careSeed) liveMatched(r *careReq) bool {
	now := cs.clock
	if r.cat.Code == domain.CategoryEmergency {
		return false
	}
	r.urgency = domain.UrgencyNormal
	cs.liveStart(r)
	r.submitted = now.Add(-cs.minutes(60, 48*60)).Truncate(time.Second)
	if p := cs.pairedFor(r); p != nil && cs.rng.Float64() < 0.8 {
		cs.retime(r, p.vol, now.AddDate(0, 0, 40))
		if !r.start().After(now) {
			cs.liveStart(r)
		}
	}
	if r.night || len(cs.candidates(r, r.submitted, 1)) == 0 {
		return false
	}
	cs.submit(r)
	offers, _ := cs.sendRound(r, r.submitted)
	if len(offers) == 0 {
		cs.escalate(r, r.submitted, "no_candidates")
		return true
	}
	win := pickOf(cs, offers)
	at := r.submitted.Add(cs.acceptDelay(r.urgency, r.deadline.Sub(r.submitted)))
	if !at.Before(now) {
		at = r.submitted.Add(now.Sub(r.submitted) / 2).Truncate(time.Second)
	}
	cs.answer(offers, r.submitted, at, win)
	cs.match(r, win.vol, at, false)
	return true
}

// load gives everything its ids in time order and loads it, queues the live requests' jobs, and settles the
// volunteers' figures from the rows.
func (cs *careSeed) load() error {
	sd := cs.sd
	if _, err := sd.tx.Exec(sd.ctx, `UPDATE programs SET plan_hours = $1 WHERE code = 'one_to_one'`, seedPlanHours); err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, t := range []string{"consents", "pairings", "care_requests", "care_occurrences", "care_offers", "care_services",
		"care_events", "notifications"} {
		id, err := sd.nextID(t)
		if err != nil {
			return err
		}
		ids[t] = id
	}
	next := func(table string) int64 {
		id := ids[table]
		ids[table]++
		return id
	}
	reqs := cs.requests
	slices.SortStableFunc(reqs, func(a, b *careReq) int { return a.submitted.Compare(b.submitted) })
	var consents []*careConsent
	var occs []careOccRow
	var offers []*careOffer
	nEvents := 0
	for _, r := range reqs {
		r.id = next("care_requests")
		if r.consent != nil {
			r.consent.id = next("consents")
			consents = append(consents, r.consent)
		}
		for _, o := range r.occ {
			o.id = next("care_occurrences")
			occs = append(occs, careOccRow{r.id, o})
		}
		offers = append(offers, r.offers...)
		slices.SortStableFunc(r.events, func(a, b careEv) int { return a.at.Compare(b.at) })
		nEvents += len(r.events)
	}
	slices.SortStableFunc(offers, func(a, b *careOffer) int { return a.created.Compare(b.created) })
	for _, o := range offers {
		o.id = next("care_offers")
	}
	slices.SortStableFunc(cs.pairings, func(a, b *carePairing) int { return a.started.Compare(b.started) })
	for _, p := range cs.pairings {
		p.id = next("pairings")
	}
	slices.SortStableFunc(cs.services, func(a, b *careService) int { return a.in.Compare(b.in) })
	for _, sv := range cs.services {
		sv.id = next("care_services")
	}
	slices.SortStableFunc(cs.notes, func(a, b *careNote) int { return a.at.Compare(b.at) })
	for _, n := range cs.notes {
		n.id = next("notifications")
	}
	return sd.withoutForeignKeys("care: references checked", careTables, func() error { return cs.copyCare(reqs, consents, occs, offers, nEvents, next) })
}

// careTables are the tables of care requests the seed loads.
var careTables = []string{"pairings", "care_requests", "care_occurrences", "care_offers", "care_services", "care_events", "notifications"}

func (cs *careSeed) copyCare(reqs []*careReq, consents []*careConsent, occs []careOccRow, offers []*careOffer, nEvents int,
	next func(string) int64) error {
	sd := cs.sd
	if err := sd.copyRows("care: consents", "consents", []string{"id", "user_id", "kind", "version", "ip", "given_at"},
		len(consents), func(i int) []any {
			c := consents[i]
			return []any{c.id, c.user, c.kind, domain.CareConsentVersion, "seed", c.at}
		}); err != nil {
		return err
	}
	if err := sd.copyRows("care: pairings", "pairings", []string{"id", "staff_id", "volunteer_id", "program_id", "status",
		"started_at", "ended_at", "ended_by", "end_reason", "no_repeat"}, len(cs.pairings), func(i int) []any {
		p := cs.pairings[i]
		status, by := domain.PairingActive, any(nil)
		if !p.ended.IsZero() {
			status, by = domain.PairingEnded, p.endedBy
		}
		return []any{p.id, p.staff, p.vol.id, p.prog, status, p.started, orNull(p.ended), by, p.reason, p.noRepeat}
	}); err != nil {
		return err
	}
	if err := sd.copyRows("care: requests", "care_requests", careRequestColumns, len(reqs), func(i int) []any { return reqs[i].row() }); err != nil {
		return err
	}
	if err := sd.copyRows("care: occurrences", "care_occurrences", []string{"id", "request_id", "starts_at", "ends_at"}, len(occs),
		func(i int) []any { return []any{occs[i].o.id, occs[i].req, occs[i].o.start, occs[i].o.end} }); err != nil {
		return err
	}
	return cs.copyCareRest(offers, nEvents, next)
}

type careOccRow struct {
	req int64
	o   *careOcc
}

var careRequestColumns = []string{"id", "staff_id", "program_id", "category", "urgency", "status", "district", "pickup",
	"destination", "place", "details", "child_ids", "subject", "consent_id", "weekdays", "first_date", "last_date",
	"starts_at", "ends_at", "round", "volunteer_id", "pairing_id", "submitted_at", "first_offer_at", "matched_at",
	"completed_at", "closed_at", "escalated_at", "escalation", "cancelled_at", "cancelled_by", "cancel_reason", "rating",
	"rating_comment", "updated_at"}

func (r *careReq) row() []any {
	var consent, first, last, vol, pairing, cancelledBy, rating any
	weekdays := []string{} // a single window has none (as the app writes it)
	if r.consent != nil {
		consent = r.consent.id
	}
	if r.recurring {
		start := r.start().In(domain.Shanghai)
		weekdays = []string{domain.Weekdays[(int(start.Weekday())+6)%7]}
		first, last = domain.Today(start), domain.Today(r.occ[len(r.occ)-1].start)
	}
	if r.vol != nil {
		vol, pairing = r.vol.id, r.pairing.id
	}
	if !r.cancelled.IsZero() {
		cancelledBy = r.staff.id
	}
	if r.rating > 0 {
		rating = r.rating
	}
	return []any{r.id, r.staff.id, r.prog.id, r.cat.Code, r.urgency, r.status, r.district, r.pickup, r.destination,
		r.place, r.details, r.childIDs, r.subject, consent, weekdays, first, last, r.start(), r.end(), r.round, vol,
		pairing, r.submitted, orNull(r.firstOffer), orNull(r.matched), orNull(r.completed), orNull(r.closed),
		orNull(r.escalated), r.escalation, orNull(r.cancelled), cancelledBy, r.cancelNote, rating, r.comment, r.updated}
}

// orNull is a time for COPY: NULL when zero.
func orNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func idOrNull(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (cs *careSeed) copyCareRest(offers []*careOffer, nEvents int, next func(string) int64) error {
	sd := cs.sd
	if err := sd.copyRows("care: offers", "care_offers", []string{"id", "request_id", "volunteer_id", "round", "status",
		"reasons", "created_at", "expires_at", "answered_at", "decline_reason"}, len(offers), func(i int) []any {
		o := offers[i]
		return []any{o.id, o.req.id, o.vol.id, o.round, o.status, o.reasons, o.created, o.expires, orNull(o.answered), o.decline}
	}); err != nil {
		return err
	}
	if err := sd.copyRows("care: services", "care_services", []string{"id", "request_id", "occurrence_id", "pairing_id",
		"volunteer_id", "staff_id", "status", "checked_in_at", "checked_out_at", "confirmed_at", "confirmed_by", "minutes",
		"note"}, len(cs.services), func(i int) []any {
		sv := cs.services[i]
		var by any
		if sv.by != "" {
			by = sv.by
		}
		return []any{sv.id, sv.req.id, sv.occ.id, sv.pairing.id, sv.req.vol.id, sv.req.staff.id, sv.status, sv.in,
			orNull(sv.out), orNull(sv.confirmed), by, sv.minutes, sv.note}
	}); err != nil {
		return err
	}
	ri, ei := 0, 0
	if err := sd.copyRows("care: timelines", "care_events", []string{"id", "request_id", "at", "kind", "actor_id",
		"volunteer_id", "count", "detail"}, nEvents, func(int) []any {
		for ei == len(cs.requests[ri].events) {
			ri, ei = ri+1, 0
		}
		r := cs.requests[ri]
		ev := r.events[ei]
		ei++
		return []any{next("care_events"), r.id, ev.at, ev.kind, idOrNull(ev.actor), idOrNull(ev.vol), ev.count, ev.detail}
	}); err != nil {
		return err
	}
	if err := sd.copyRows("care: notifications", "notifications", []string{"id", "user_id", "kind", "request_id",
		"offer_id", "pairing_id", "detail", "created_at", "read_at"}, len(cs.notes), func(i int) []any {
		n := cs.notes[i]
		var req, offer, pairing any
		if n.req != nil {
			req = n.req.id
		}
		if n.offer != nil {
			offer = n.offer.id
		}
		if n.pairing != nil {
			pairing = n.pairing.id
		}
		return []any{n.id, n.user, n.kind, req, offer, pairing, n.detail, n.at, orNull(n.read)}
	}); err != nil {
		return err
	}
	slices.SortStableFunc(cs.audits, func(a, b careAudit) int { return a.at.Compare(b.at) })
	var failed error
	if err := sd.copyRows("care: audit log", "audit_events", []string{"at", "actor_id", "actor_ip", "action", "subject_type",
		"subject_id", "after"}, len(cs.audits), func(i int) []any {
		a := cs.audits[i]
		subject := a.req
		id := int64(0)
		if subject != nil {
			id = subject.id
		} else {
			id = a.pairing.id
		}
		after, err := json.Marshal(a.after)
		if err != nil {
			failed = err
		}
		return []any{a.at, a.actor, "seed", a.action, a.subject, id, json.RawMessage(after)}
	}); err != nil {
		return err
	}
	return failed
}

// queueJobs inserts the River jobs the app would have inserted for what is still to come: each live request's
// window start and end, the expiry of the round out now, the automatic confirmation of a service not yet confirmed.
func (cs *careSeed) queueJobs() error {
	var jobs []river.InsertManyParams
	add := func(args jobArgs, at time.Time) {
		jobs = append(jobs, river.InsertManyParams{Args: args, InsertOpts: insertAt(at)})
	}
	for _, r := range cs.requests {
		if !r.live {
			continue
		}
		if r.status == domain.RequestDispatching {
			add(offerRoundArgs{RequestID: r.id, Round: r.round}, r.deadline)
		}
		if r.held {
			add(planReleaseArgs{RequestID: r.id}, r.start().Add(-seedPlanHours*time.Hour))
		}
		add(windowStartArgs{RequestID: r.id}, r.start())
		add(windowEndArgs{RequestID: r.id}, r.end())
	}
	for _, sv := range cs.services {
		if sv.status == domain.ServiceCheckedOut {
			add(autoConfirmArgs{ServiceID: sv.id}, sv.out.Add(domain.AutoConfirmAfter))
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	cs.sd.o.Progress(SeedProgress{Stage: "care: jobs", Done: 0, Total: len(jobs)})
	if _, err := cs.sd.jobs.InsertManyFastTx(cs.sd.ctx, cs.sd.tx, jobs); err != nil {
		return fmt.Errorf("care jobs: %w", err)
	}
	cs.sd.o.Progress(SeedProgress{Stage: "care: jobs", Done: len(jobs), Total: len(jobs)})
	return nil
}
