// Package simulate is `guanai simulate`: a discrete-event simulation of a city week through the real matching and
// dispatch code. Candidates are filtered and ranked by domain.Rank on domain.Candidate values; the rounds are
// domain.NextRound, domain.AfterRound and domain.DeclineEndsRound, the offers' lifetimes
// domain.DispatchSettings.OfferDeadline — the functions repository/care_dispatch.go and care_actions.go call in
// their transactions — and every change of state of a request, offer, pairing or service is asked of
// domain.CanMoveRequest, CanMoveOffer, CanMovePairing or CanMoveService first: a move domain refuses is a bug in
// the simulation, and it panics.
//
// It runs in memory, not on a database: a city week through PostgreSQL (tens of thousands of dispatch
// transactions, each a candidate query over 60,000 volunteers) would take far longer than its two-minute budget,
// and one thread taking events off a heap ordered by (time, sequence number), with one PCG random source seeded
// from --seed, gives the same week for the same seed on any machine. What the database adds — locks, River jobs
// — decides nothing here: every job becomes an event at the time River would run it, and the request's row lock
// is the event loop itself, which handles one event at a time.
//
// As the SQL candidate query narrows 60,000 volunteers to those its indexes can rule in, the simulation indexes
// the active volunteers by (qualification, district) and narrows by the same conditions (slots free, room or
// paired with her, under the daily cap, not offered this request); domain then checks every filter again and
// ranks.
package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"guanai/domain"
)

// Options for a run.
type Options struct {
	Seed   uint64
	Params Params // Defaults() unless changed; Params.Days is set from Days
	Days   int    // the week's length in days (7)
	// Progress, when set, is told how far the run has got: a stage, and done of total.
	Progress func(stage string, done, total int)
	// Assigner, when set, proposes the scheduled part in bulk (see bulk.go); nil sends everything one by one.
	Assigner Assigner
}

// sim is one run: the city, the requests, the clock and the events to come.
type sim struct {
	p   Params
	rng *rand.Rand
	now time.Time

	staff            []staffMember
	askers, parents  weightedPicker
	vols             []volunteer
	activeVolunteers int
	hot              []hot
	pools            map[string]*pool // "qualification|district" (or "qualification" for remote help)

	weekStart time.Time
	reqs      []*request
	offers    []offer
	pairings  []pairing
	active    map[pairKey]int32    // (staff, volunteer, program) → active pairing
	hers      map[[2]int32][]int32 // (staff, program) → her active pairings, oldest first
	before    map[int32][]int32    // staff → volunteers a pairing with whom has ended
	settings  domain.DispatchSettings
	assigner  Assigner

	events eventHeap
	seq    uint64

	// scratch for one dispatch: marks of who was offered the request and who is paired with her
	mark       []uint32
	pairMark   []uint32
	beforeMark []uint32
	epoch      uint32
	candBuf    []domain.Candidate
	narrowed   bool // the last rank was the first look only: those based elsewhere were left out
	reportAcc  accumulator
}

type pairKey struct {
	staff, vol int32
	prog       uint8
}

type offer struct {
	req, vol int32
	round    int
	status   string
	sent     time.Time
	expires  time.Time
}

type pairing struct {
	staff, vol int32
	prog       uint8
	status     string
	open       int // requests matched to it not yet done
}

// programs: the three service programs, by the index a pairing keeps.
var programs = []string{"one_to_one", "counselling", "tutoring"}

func programIndex(code string) uint8 {
	for i, p := range programs {
		if p == code {
			return uint8(i)
		}
	}
	panic("simulate: unknown program " + code)
}

// Run simulates the week and reports its figures.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Days <= 0 {
		o.Days = 7
	}
	o.Params.Days = o.Days
	if err := o.Params.Check(); err != nil {
		return Report{}, err
	}
	progress := o.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	return newSim(o).run(ctx, progress, o.Seed)
}

// newSim is a run about to start: one random source, from the seed.
func newSim(o Options) *sim {
	return &sim{p: o.Params, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		pools: map[string]*pool{}, active: map[pairKey]int32{}, hers: map[[2]int32][]int32{},
		before: map[int32][]int32{}, settings: o.Params.Dispatch.settings(), assigner: o.Assigner}
}

func (s *sim) run(ctx context.Context, progress func(string, int, int), seed uint64) (Report, error) {
	progress("simulate: the city's people", 0, 2)
	s.buildStaff()
	progress("simulate: the city's people", 1, 2)
	s.buildVolunteers()
	s.mark, s.pairMark, s.beforeMark = make([]uint32, len(s.vols)), make([]uint32, len(s.vols)), make([]uint32, len(s.vols))
	progress("simulate: the city's people", 2, 2)
	s.buildDemand()
	if len(s.reqs) == 0 {
		return s.report(seed), nil
	}
	for i, r := range s.reqs {
		s.at(r.submitted, event{kind: evSubmit, req: int32(i)})
	}
	if s.assigner != nil {
		first := domain.Today(s.reqs[0].submitted)
		for d := first; d.Before(s.weekStart.AddDate(0, 0, s.p.Days)); d = d.AddDate(0, 0, 1) {
			s.at(d.Add(time.Duration(s.p.Bulk.Hour)*time.Hour), event{kind: evPlan})
		}
	}
	from := s.reqs[0].submitted
	var last time.Time
	for _, r := range s.reqs {
		if r.end().After(last) {
			last = r.end()
		}
	}
	span := int(last.Sub(from)/time.Minute) + 1
	n := 0
	for s.events.Len() > 0 {
		e := s.events.pop()
		s.now = e.at
		s.handle(e)
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return Report{}, err
			}
			progress("simulate: the week", min(int(s.now.Sub(from)/time.Minute), span), span)
		}
	}
	progress("simulate: the week", span, span)
	return s.report(seed), nil
}

// at schedules an event.
func (s *sim) at(t time.Time, e event) {
	s.seq++
	e.at, e.seq = t, s.seq
	s.events.push(e)
}

func (s *sim) handle(e event) {
	r := s.reqs[e.req]
	switch e.kind {
	case evSubmit:
		s.submit(e.req, r)
	case evPlan:
		s.plan()
	case evRoundOver:
		s.roundOver(e.req, r, e.round)
	case evAccept:
		s.accept(e.offer)
	case evDecline:
		s.decline(e.offer)
	case evWindowStart:
		if r.status == domain.RequestSubmitted || r.status == domain.RequestDispatching {
			s.escalate(r, domain.EscalationWindowStarted)
		}
	case evWindowEnd:
		if domain.RequestOpen(r.status) {
			s.endOffers(r, domain.OfferWithdrawn, -1)
			s.moveRequest(r, domain.RequestExpired)
		}
	case evCheckIn:
		s.checkIn(r, e.occ)
	case evCheckOut:
		s.checkOut(e.req, r, e.occ)
	case evClose:
		s.close(r)
	case evEndPairing:
		s.endPairing(e.pairing)
	}
}

// moveRequest and the others: every change of state is asked of domain first.
func (s *sim) moveRequest(r *request, to string) {
	if r.status != to && !domain.CanMoveRequest(r.status, to) {
		panic(fmt.Sprintf("simulate: request %s → %s refused by domain", r.status, to))
	}
	r.status = to
}

func (s *sim) moveOffer(o *offer, to string) {
	if !domain.CanMoveOffer(o.status, to) {
		panic(fmt.Sprintf("simulate: offer %s → %s refused by domain", o.status, to))
	}
	o.status = to
}

func (s *sim) movePairing(p *pairing, to string) {
	if !domain.CanMovePairing(p.status, to) {
		panic(fmt.Sprintf("simulate: pairing %s → %s refused by domain", p.status, to))
	}
	p.status = to
}

func (s *sim) moveService(sv *service, to string) {
	if sv.status != "" && !domain.CanMoveService(sv.status, to) || sv.status == "" && to != domain.ServiceCheckedIn {
		panic(fmt.Sprintf("simulate: service %q → %s refused by domain", sv.status, to))
	}
	sv.status = to
}

// submit records the request and sends its first round (SubmitRequest), or, for the scheduled part when an
// Assigner plans it in bulk, leaves it for the planning hour of the day before.
func (s *sim) submit(id int32, r *request) {
	r.status = domain.RequestSubmitted
	r.services = make([]service, len(r.match.Occurrences))
	s.at(r.start(), event{kind: evWindowStart, req: id})
	s.at(r.end(), event{kind: evWindowEnd, req: id})
	if s.assigner != nil && r.scheduled {
		return
	}
	s.dispatch(id, r, nil)
}

// dispatch is repository's dispatch: the candidates narrowed, ranked by domain, the round chosen by domain.
// only, when set, is the one volunteer a bulk proposal chose.
func (s *sim) dispatch(id int32, r *request, only *domain.Ranked) {
	var to []domain.Ranked
	if only != nil {
		to = []domain.Ranked{*only}
	} else {
		var escalation string
		to, escalation = s.chooseRound(r)
		if escalation != "" {
			s.escalate(r, escalation)
			return
		}
	}
	s.sendOffers(id, r, to)
}

// chooseRound is who the request's next round goes to (domain.NextRound), from the first look's ranking when that
// is the whole pool's first choice.
func (s *sim) chooseRound(r *request) ([]domain.Ranked, string) {
	to, escalation := domain.NextRound(s.rank(r, s.settings.Offers[r.urgency]), s.settings, r.urgency)
	if s.narrowed && domain.WantsWaiting(to) {
		// nobody waiting among those the first look ranked: the whole pool's ranking may have one further down
		return domain.NextRound(s.rank(r, 0), s.settings, r.urgency)
	}
	return to, escalation
}

// rank narrows the volunteers as the candidate query does and hands them to domain.Rank. need is how many of the
// best the caller will use (0: all of them, in order).
//
// Ranking the whole pool of a central district for every round is most of the run's time, and most of it is
// spent ordering volunteers who cannot come near the top: domain ranks her paired volunteers first and then by
// distance, and nobody based in another district is at distance 0. So the first look ranks only those who can
// (her paired volunteers, those based in her district, everyone for remote help); if at least need of them pass,
// the full ranking's first need are exactly theirs (the order is total: a restriction of it is the same order).
// Otherwise the whole pool is ranked. Either way the volunteers the first look left out are still checked with
// domain.Passes until each is known to be available, so the share offered is measured over everyone who passed.
func (s *sim) rank(r *request, need int) []domain.Ranked {
	s.narrowed = false
	if r.night {
		return nil // a window in the night: no weekly slot covers it (the repository runs no query)
	}
	key := r.cat.Qualification
	if !r.cat.Remote {
		key += "|" + r.match.District
	}
	s.epoch++
	for _, o := range r.offers {
		s.mark[s.offers[o].vol] = s.epoch
	}
	prog := programIndex(r.cat.Program)
	for _, p := range s.hers[[2]int32{r.staff, int32(prog)}] {
		s.pairMark[s.pairings[p].vol] = s.epoch
	}
	for _, v := range s.before[r.staff] {
		s.beforeMark[v] = s.epoch
	}
	today := dayNumber(s.now)
	pl := s.pools[key]
	if pl == nil {
		return nil
	}
	cands := s.candBuf[:0]
	// the candidate query's conditions, on the small array
	narrowed := func(i int32) (paired bool, offersToday int, ok bool) {
		h := &s.hot[i]
		paired = s.pairMark[i] == s.epoch
		if h.offersDay == today {
			offersToday = int(h.offersThatDay)
		}
		ok = h.slots&r.need == r.need && (paired || h.activePairings < h.capacity) &&
			offersToday < s.settings.DailyCap && s.mark[i] != s.epoch
		return paired, offersToday, ok
	}
	take := func(list []int32) {
		for _, i := range list {
			if paired, n, ok := narrowed(i); ok {
				cands = append(cands, s.candidateOf(i, paired, n))
			}
		}
	}
	take(pl.near)
	if need == 0 {
		take(pl.far)
	} else {
		// her paired volunteers rank first wherever they are based
		for _, p := range s.hers[[2]int32{r.staff, int32(prog)}] {
			if i := s.pairings[p].vol; s.vols[i].c.Districts[0] != r.match.District && !r.cat.Remote {
				v := &s.vols[i]
				if paired, n, ok := narrowed(i); ok && v.c.Active && slices.Contains(v.c.Districts, r.match.District) &&
					(r.cat.Qualification == "" || slices.Contains(v.c.Verified, r.cat.Qualification)) {
					cands = append(cands, s.candidateOf(i, paired, n))
				}
			}
		}
	}
	s.candBuf = cands
	ranked := domain.Rank(r.match, cands, s.settings.DailyCap, s.now)
	if need > 0 && len(ranked) < need {
		return s.rank(r, 0) // too few near: the whole pool, as the repository ranks it
	}
	s.narrowed = need > 0 && len(pl.far) > 0
	for _, rk := range ranked {
		s.vols[rk.VolunteerID-volunteerBase].available = true
	}
	if need > 0 {
		// those left out still count as available once they pass domain's filters for some request
		unknown := pl.farUnknown[:0]
		for _, i := range pl.farUnknown {
			if s.vols[i].available {
				continue
			}
			if paired, n, ok := narrowed(i); ok {
				if c := s.candidateOf(i, paired, n); domain.Passes(r.match, &c, s.settings.DailyCap) {
					s.vols[i].available = true
					continue
				}
			}
			unknown = append(unknown, i)
		}
		pl.farUnknown = unknown
	}
	return ranked
}

// candidateOf is a volunteer's facts for the request being ranked (the marks of s.epoch say what she has with
// them).
func (s *sim) candidateOf(i int32, paired bool, offersToday int) domain.Candidate {
	c := s.vols[i].c
	c.PairedWithHer, c.OffersToday = paired, offersToday
	c.PairedBefore = s.beforeMark[i] == s.epoch
	return c
}

// sendOffers is repository's sendOffers: the offers out with their deadline, the volunteers' figures counted,
// the request dispatching, and the round's expiry queued.
func (s *sim) sendOffers(id int32, r *request, to []domain.Ranked) {
	expires := s.settings.OfferDeadline(r.urgency, s.now, r.start())
	r.round++
	for _, rk := range to {
		vi := int32(rk.VolunteerID - volunteerBase)
		v := &s.vols[vi]
		oid := int32(len(s.offers))
		s.offers = append(s.offers, offer{req: id, vol: vi, round: r.round, status: domain.OfferPending, sent: s.now, expires: expires})
		r.offers = append(r.offers, oid)
		v.c.LastOfferAt = s.now
		v.offersDay, v.offersThatDay = domain.CountOffer(v.offersDay, v.offersThatDay, s.now)
		v.offers++
		s.sync(vi)
		s.respond(oid, r, rk)
	}
	s.moveRequest(r, domain.RequestDispatching)
	s.at(expires, event{kind: evRoundOver, req: id, round: r.round})
}

// roundOver is expireRound: the round's unanswered offers expire, and if the request still waits on it, the next
// round follows.
func (s *sim) roundOver(id int32, r *request, round int) {
	for _, o := range r.offers {
		if of := &s.offers[o]; of.round == round && of.status == domain.OfferPending && !of.expires.After(s.now) {
			s.moveOffer(of, domain.OfferExpired)
		}
	}
	if r.status != domain.RequestDispatching || r.round != round {
		return
	}
	s.nextRound(id, r)
}

func (s *sim) nextRound(id int32, r *request) {
	if escalation := domain.AfterRound(s.now, r.start()); escalation != "" {
		s.escalate(r, escalation)
		return
	}
	s.dispatch(id, r, nil)
}

func (s *sim) escalate(r *request, why string) {
	if r.status == domain.RequestEscalated {
		return
	}
	s.moveRequest(r, domain.RequestEscalated)
	if r.escalation == "" {
		r.escalation, r.escalatedAt = why, s.now
	}
}

// endOffers closes the request's pending offers but one.
func (s *sim) endOffers(r *request, status string, except int32) {
	for _, o := range r.offers {
		if of := &s.offers[o]; o != except && of.status == domain.OfferPending {
			s.moveOffer(of, status)
		}
	}
}

// accept is AcceptOffer: a late one is thanked (nothing changes); the winner is checked again against every
// filter (they may have taken an overlapping request since), then matched.
func (s *sim) accept(oid int32) {
	of := &s.offers[oid]
	r := s.reqs[of.req]
	if of.status != domain.OfferPending || !s.now.Before(of.expires) || r.vol >= 0 || !domain.RequestOpen(r.status) {
		return // domain.OfferGoneError: taken, expired or ended
	}
	v := &s.vols[of.vol]
	prog := programIndex(r.cat.Program)
	_, paired := s.active[pairKey{r.staff, of.vol, prog}]
	c := v.c
	c.PairedWithHer = paired
	c.AlreadyOffered, c.OffersToday = false, 0 // the offer itself is why they are here
	if !domain.Passes(r.match, &c, s.settings.DailyCap) {
		s.reportAcc.noLongerFits++
		return // domain.ErrNoLongerFits: the offer stays open until it runs out
	}
	s.moveOffer(of, domain.OfferAccepted)
	s.endOffers(r, domain.OfferWithdrawn, oid)
	p, ok := s.active[pairKey{r.staff, of.vol, prog}]
	if !ok {
		p = int32(len(s.pairings))
		s.pairings = append(s.pairings, pairing{staff: r.staff, vol: of.vol, prog: prog, status: domain.PairingActive})
		s.active[pairKey{r.staff, of.vol, prog}] = p
		her := [2]int32{r.staff, int32(prog)}
		s.hers[her] = append(s.hers[her], p)
		v.c.ActivePairings++
		s.sync(of.vol)
	}
	s.pairings[p].open++
	s.moveRequest(r, domain.RequestMatched)
	r.vol, r.pairing, r.acceptedAt = of.vol, p, s.now
	for k, w := range r.match.Occurrences {
		v.c.Booked = append(v.c.Booked, w)
		v.bookedReq = append(v.bookedReq, of.req)
		s.at(w.Start, event{kind: evCheckIn, req: of.req, occ: int16(k)})
		s.at(w.End, event{kind: evCheckOut, req: of.req, occ: int16(k)})
	}
}

// decline is DeclineOffer: with the round's last open offer declined, the next round goes out at once.
func (s *sim) decline(oid int32) {
	of := &s.offers[oid]
	if of.status != domain.OfferPending {
		return // expired or withdrawn meanwhile
	}
	s.moveOffer(of, domain.OfferDeclined)
	r := s.reqs[of.req]
	pending := 0
	for _, o := range r.offers {
		if s.offers[o].status == domain.OfferPending {
			pending++
		}
	}
	if domain.DeclineEndsRound(pending, r.status, r.round, of.round) {
		s.nextRound(of.req, r)
	}
}

// checkIn is the volunteer arriving for an occurrence (CheckIn): a service checked in, the request in service.
func (s *sim) checkIn(r *request, k int16) {
	if r.status != domain.RequestMatched {
		return
	}
	s.moveService(&r.services[k], domain.ServiceCheckedIn)
	s.moveRequest(r, domain.RequestInService)
}

// checkOut ends the occurrence's service (CheckOut): the request matched again, or completed with every
// occurrence served; the booking is over.
func (s *sim) checkOut(id int32, r *request, k int16) {
	sv := &r.services[k]
	if sv.status != domain.ServiceCheckedIn {
		return
	}
	s.moveService(sv, domain.ServiceCheckedOut)
	v := &s.vols[r.vol]
	w := r.match.Occurrences[k]
	for i := range v.c.Booked {
		if v.bookedReq[i] == id && v.c.Booked[i].Start.Equal(w.Start) {
			v.c.Booked = append(v.c.Booked[:i], v.c.Booked[i+1:]...)
			v.bookedReq = append(v.bookedReq[:i], v.bookedReq[i+1:]...)
			break
		}
	}
	s.reportAcc.serviceMinutes += int64(w.End.Sub(w.Start) / time.Minute)
	if int(k) < len(r.services)-1 {
		s.moveRequest(r, domain.RequestMatched)
		return
	}
	s.moveRequest(r, domain.RequestCompleted)
	// she confirms and rates within a day or so (CloseRequest); the seed's ratings
	s.at(s.now.Add(time.Duration(30+s.rng.IntN(24*60))*time.Minute), event{kind: evClose, req: id})
}

var ratingShares = []struct{ stars, weight int }{{5, 62}, {4, 27}, {3, 7}, {2, 3}, {1, 1}}

// close is CloseRequest: her services confirmed, the request closed, its rating counted toward the volunteer's.
// Then, now and then, one side ends the pairing when nothing more is booked on it.
func (s *sim) close(r *request) {
	for k := range r.services {
		s.moveService(&r.services[k], domain.ServiceConfirmed)
	}
	s.moveRequest(r, domain.RequestClosed)
	u := s.rng.IntN(100)
	for _, rs := range ratingShares {
		if u < rs.weight {
			s.vols[r.vol].c.RatingSum += rs.stars
			s.vols[r.vol].c.RatingCount++
			break
		}
		u -= rs.weight
	}
	p := &s.pairings[r.pairing]
	p.open--
	if p.open == 0 && s.rng.Float64() < s.p.PairingEndShare {
		s.at(s.now.Add(time.Duration(1+s.rng.IntN(48))*time.Hour), event{kind: evEndPairing, pairing: r.pairing})
	}
}

// endPairing is EndPairing, for a pairing nothing is booked on any more (none is sent out again).
func (s *sim) endPairing(id int32) {
	p := &s.pairings[id]
	if p.status != domain.PairingActive || p.open > 0 {
		return
	}
	s.movePairing(p, domain.PairingEnded)
	delete(s.active, pairKey{p.staff, p.vol, p.prog})
	her := [2]int32{p.staff, int32(p.prog)}
	list := s.hers[her]
	for i, q := range list {
		if q == id {
			s.hers[her] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if !slices.Contains(s.before[p.staff], p.vol) {
		s.before[p.staff] = append(s.before[p.staff], p.vol)
	}
	v := &s.vols[p.vol]
	v.c.ActivePairings = max(v.c.ActivePairings-1, 0)
	s.sync(p.vol)
}

// respond draws the volunteer's answer to an offer: an acceptance or a decline at a time, or silence.
func (s *sim) respond(oid int32, r *request, rk domain.Ranked) {
	rp := s.p.Response
	p := rp.Accept[r.urgency]
	if rk.PairedWithHer {
		p = rp.AcceptPaired
	}
	if rp.DistanceHalfKm > 0 {
		p *= math.Exp2(-float64(rk.DistanceKm) / rp.DistanceHalfKm)
	}
	if rk.Capacity > 0 {
		p *= 1 - rp.LoadPenalty*float64(rk.Load)/float64(rk.Capacity)
	}
	accept := s.rng.Float64() < p
	declines := !accept && s.rng.Float64() < rp.DeclineShare
	delay := time.Duration(rp.DelayMedianMinutes[r.urgency] * math.Exp(rp.DelaySigma*s.rng.NormFloat64()) * float64(time.Minute))
	if h := s.now.In(domain.Shanghai).Hour(); h >= 23 || h < 7 {
		delay = time.Duration(float64(delay) * rp.NightFactor)
	}
	delay = max(delay, 20*time.Second).Truncate(time.Second)
	of := &s.offers[oid]
	switch {
	case !s.now.Add(delay).Before(of.expires): // the answer would come too late: the offer expires
	case accept:
		s.at(s.now.Add(delay), event{kind: evAccept, offer: oid})
	case declines:
		s.at(s.now.Add(delay), event{kind: evDecline, offer: oid})
	}
}
