package repository

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"guanai/domain"
)

// The seeded city's care requests: twelve weeks of them, about one and a half per active member of staff, told in
// order of submission the way dispatch would have told them (domain/care.go, domain/matching.go) — rounds of
// offers to volunteers who pass the hard filters, the first acceptance winning, her volunteer asked alone first
// the next time, services checked in and out, confirmed and rated — and then, relative to the store's clock, the
// requests that are live as the seed finishes: offers out, requests with the coordinators, rides booked for the
// next days, with their River jobs. Everything is told in memory first, before the volunteers are loaded (their
// profiles are loaded with the figures the requests leave them: pairings, ratings, hours, offers), and given its
// ids in time order, so that an inbox or a timeline read by id is read in time order; then it is loaded with COPY.
//
// The stage draws on random generators of its own: the fund's data is the same with or without it, and the
// twelve weeks are the same all day — only the live requests follow the clock.

const careWeeks = 12

var (
	careShares = []weighted[string]{{domain.CategoryTransport, 35}, {domain.CategoryErrand, 25}, {domain.CategoryEmergency, 5},
		{domain.CategoryCounselling, 10}, {domain.CategoryTutoring, 15}, {domain.CategoryCompanionship, 10}}
	// recurringShare: how many of a category's requests are a weekly schedule.
	recurringShare = map[string]float64{domain.CategoryTransport: 0.08, domain.CategoryErrand: 0.04,
		domain.CategoryCounselling: 0.35, domain.CategoryTutoring: 0.55, domain.CategoryCompanionship: 0.6}
	urgentShare = map[string]float64{domain.CategoryTransport: 0.2, domain.CategoryErrand: 0.15, domain.CategoryCounselling: 0.1}
	ratings     = []weighted[int]{{5, 62}, {4, 27}, {3, 7}, {2, 3}, {1, 1}}
)

// carePlan is how a past request's story ends (before chance has its say: nobody may be found).
type carePlan int

const (
	planServe         carePlan = iota // matched, served, then mostly closed and rated
	planCancelEarly                   // she calls it off while the offers are out
	planCancelLate                    // she calls it off once matched (a schedule: after some of it)
	planNoCandidates                  // a window nobody can cover (before six in the morning): the coordinators
	planNobodyAccepts                 // short notice, every round runs out: the window starts, the coordinators
)

var carePlans = []weighted[carePlan]{{planServe, 82}, {planCancelEarly, 4}, {planCancelLate, 5}, {planNoCandidates, 6}, {planNobodyAccepts, 3}}

type careProgram struct {
	id       int64
	code     string
	qual     string // what the program asks of its volunteers besides the category's ("" for nothing more)
	settings domain.DispatchSettings
}

type careStaff struct {
	*seedPerson
	children []seedChild
	usual    string // the one-to-one help she asked for first: rides or errands
	home     string // the district she lives in
}

type seedChild struct {
	id    int64
	grade int // index into domain.Grades
}

type careReq struct {
	id          int64
	staff       *careStaff
	prog        *careProgram
	cat         domain.Category
	urgency     string
	status      string
	district    string
	pickup      string
	destination string
	place       string
	details     string
	childIDs    []int64
	grades      []int
	subject     string
	consent     *careConsent
	recurring   bool
	occ         []*careOcc
	need        uint32 // the weekly slots the occurrences touch
	night       bool   // some occurrence falls in the night: nobody is available
	round       int
	deadline    time.Time // the round under way's offers run out then
	vol         *seedVolunteer
	pairing     *carePairing
	offers      []*careOffer
	services    []*careService
	live        bool // still open when the seed finishes: its jobs are queued
	held        bool // held for the coordinator's plan (liveHeld)
	submitted   time.Time
	firstOffer  time.Time
	matched     time.Time
	completed   time.Time
	closed      time.Time
	escalated   time.Time
	escalation  string
	cancelled   time.Time
	cancelNote  string
	rating      int
	comment     string
	updated     time.Time
	events      []careEv
}

type careOcc struct {
	id         int64
	start, end time.Time
}

type careConsent struct {
	id   int64
	user int64
	kind string
	at   time.Time
}

type careOffer struct {
	id       int64
	req      *careReq
	vol      *seedVolunteer
	round    int
	status   string
	reasons  string
	created  time.Time
	expires  time.Time
	answered time.Time
	decline  string
}

type carePairing struct {
	id       int64
	staff    int64
	vol      *seedVolunteer
	prog     int64
	started  time.Time
	ended    time.Time
	endedBy  int64
	reason   string
	noRepeat bool
	lastUse  time.Time // the end of the last help it was for: it may end after that
}

type careService struct {
	id        int64
	req       *careReq
	occ       *careOcc
	pairing   *carePairing
	status    string
	in, out   time.Time
	confirmed time.Time
	by        string
	minutes   int
	note      string
}

type careEv struct {
	at     time.Time
	kind   string
	actor  int64
	vol    int64
	count  int
	detail string
}

type careNote struct {
	id      int64
	user    int64
	kind    string
	req     *careReq
	offer   *careOffer
	pairing *carePairing
	detail  string
	at      time.Time
	read    time.Time
}

type careAudit struct {
	at      time.Time
	actor   int64
	action  string
	subject string
	req     *careReq
	pairing *carePairing
	after   map[string]any
}

type pairKey struct{ staff, vol, prog int64 }

// careSeed is the care stage under way: the city's facts, what has happened so far, and what it made.
type careSeed struct {
	sd           *seeder
	rng          *rand.Rand
	until        time.Time // the past ends here (the start of today); the live requests are about clock
	clock        time.Time
	limit        time.Time    // now, for the story being told: until, then clock
	staff        []*careStaff // active members of staff
	weights      []float64    // cumulative request weights of staff
	parents      []*careStaff
	parentW      []float64
	programs     map[string]*careProgram
	coordinators []int64
	pools        map[string][]int32 // "qualification|district" (or "qualification" for remote help) → volunteers
	active       map[pairKey]*carePairing
	hers         map[[2]int64][]*carePairing // (staff, program) → her active pairings, oldest first
	pairedBefore map[[2]int64]bool
	noRepeat     map[[2]int64]bool
	// lastPairOffer is the last offer of one of her requests to a volunteer
	lastPairOffer map[[2]int64]time.Time
	offersOn      map[[2]int64]int // (volunteer, Shanghai day) → offers that day

	requests []*careReq
	pairings []*carePairing
	services []*careService
	notes    []*careNote
	audits   []careAudit
}

// planCare tells the twelve weeks of requests, then the live ones, in memory, and works out from them the figures
// the volunteers' profiles are loaded with.
func (sd *seeder) planCare() error {
	cs := &careSeed{sd: sd, rng: rand.New(rand.NewPCG(sd.o.Seed^0x6361726573656564, sd.o.Seed+0x2545f4914f6cdd1d)),
		until: sd.now, clock: sd.clock, limit: sd.now, programs: map[string]*careProgram{}, pools: map[string][]int32{},
		active: map[pairKey]*carePairing{}, hers: map[[2]int64][]*carePairing{}, pairedBefore: map[[2]int64]bool{},
		noRepeat: map[[2]int64]bool{}, offersOn: map[[2]int64]int{}, lastPairOffer: map[[2]int64]time.Time{}}
	if cs.clock.Before(cs.until) {
		cs.clock = cs.until
	}
	sd.care = cs
	if err := cs.lookUp(); err != nil {
		return err
	}
	cs.past()
	cs.endQuietPairings()
	// The live requests are drawn from a generator of their own: how many draws they take depends on the time of
	// day, and the past must not.
	cs.rng = rand.New(rand.NewPCG(sd.o.Seed^0x6c697665, uint64(cs.clock.Unix())))
	cs.limit = cs.clock
	cs.live()
	cs.figures()
	return nil
}

// loadCare loads the planned requests and queues their jobs.
func (sd *seeder) loadCare() error {
	if err := sd.care.load(); err != nil {
		return err
	}
	return sd.care.queueJobs()
}

// figures counts what the rows say of each volunteer, as the transactions that keep the figures would have:
// active pairings, the ratings of closed requests, confirmed minutes, and the last offer's time and the offers of
// its Shanghai day (a coordinator's hand assignment is no offer).
func (cs *careSeed) figures() {
	byID := map[int64]*volunteerFigures{}
	for i := range cs.sd.volunteers {
		v := &cs.sd.volunteers[i]
		v.figures = volunteerFigures{}
		byID[v.id] = &v.figures
	}
	for _, p := range cs.pairings {
		if p.ended.IsZero() {
			byID[p.vol.id].activePairings++
		}
	}
	for _, sv := range cs.services {
		if sv.status == domain.ServiceConfirmed {
			byID[sv.req.vol.id].confirmedMinutes += int64(sv.minutes)
		}
	}
	for _, r := range cs.requests {
		if r.status == domain.RequestClosed {
			f := byID[r.vol.id]
			f.ratingSum += r.rating
			f.ratingCount++
		}
		for _, o := range r.offers {
			if o.reasons != "manual" && o.created.After(byID[o.vol.id].lastOffer) {
				byID[o.vol.id].lastOffer = o.created
			}
		}
	}
	for _, r := range cs.requests {
		for _, o := range r.offers {
			if f := byID[o.vol.id]; o.reasons != "manual" && domain.Today(o.created).Equal(domain.Today(f.lastOffer)) {
				f.offersThatDay++
			}
		}
	}
}

// lookUp reads the programs' dispatch settings, the coordinators and the staff's children, and indexes the
// active volunteers by what they may be offered.
func (cs *careSeed) lookUp() error {
	sd := cs.sd
	rows, err := sd.tx.Query(sd.ctx, `SELECT id, code, coalesce(qualification, ''), offers_emergency, minutes_emergency,
		offers_urgent, minutes_urgent, offers_normal, minutes_normal, daily_offer_cap FROM programs WHERE kind = 'service'`)
	if err != nil {
		return err
	}
	progs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID                                    int64
		Code, Qual                            string
		OE, ME, OU, MU, ON, MN, DailyOfferCap int
	}])
	if err != nil {
		return err
	}
	for _, p := range progs {
		row := careProgramRow{OffersEmergency: p.OE, MinutesEmergency: p.ME, OffersUrgent: p.OU, MinutesUrgent: p.MU,
			OffersNormal: p.ON, MinutesNormal: p.MN, DailyOfferCap: p.DailyOfferCap}
		cs.programs[p.Code] = &careProgram{id: p.ID, code: p.Code, qual: p.Qual, settings: row.dispatch()}
	}
	rows, err = sd.tx.Query(sd.ctx, `SELECT id FROM users WHERE role = $1 AND status = 'active' ORDER BY id`, domain.RoleCoordinator)
	if err != nil {
		return err
	}
	if cs.coordinators, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return err
	}
	if len(sd.staff) == 0 || len(sd.volunteers) == 0 {
		return nil
	}
	rows, err = sd.tx.Query(sd.ctx, `SELECT id, user_id, grade FROM staff_children WHERE user_id BETWEEN $1 AND $2 ORDER BY id`,
		sd.staff[0].id, sd.staff[len(sd.staff)-1].id)
	if err != nil {
		return err
	}
	kids, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID, UserID int64
		Grade      string
	}])
	if err != nil {
		return err
	}
	children := map[int64][]seedChild{}
	for _, k := range kids {
		children[k.UserID] = append(children[k.UserID], seedChild{k.ID, domain.GradeIndex(k.Grade)})
	}
	total, parents := 0.0, 0.0
	for i := range sd.staff {
		p := &sd.staff[i]
		if p.status != domain.StatusActive {
			continue
		}
		// Some ask often, most now and then: a log-normal share of the requests.
		w := math.Exp(1.1 * cs.rng.NormFloat64())
		st := &careStaff{seedPerson: p, children: children[p.id]}
		cs.staff = append(cs.staff, st)
		total += w
		cs.weights = append(cs.weights, total)
		if len(st.children) > 0 {
			cs.parents = append(cs.parents, st)
			parents += w
			cs.parentW = append(cs.parentW, parents)
		}
	}
	for i := range sd.volunteers {
		v := &sd.volunteers[i]
		if v.status != domain.StatusActive {
			continue
		}
		quals := append([]string{""}, v.verified...) // "": the help any volunteer may give
		for _, q := range quals {
			cs.pools[q] = append(cs.pools[q], int32(i))
			for _, d := range v.districts {
				cs.pools[q+"|"+d] = append(cs.pools[q+"|"+d], int32(i))
			}
		}
	}
	return nil
}

// pickStaff chooses who asks, by her share of the requests; children's categories are asked by parents.
func (cs *careSeed) pickStaff(cat domain.Category) *careStaff {
	list, w := cs.staff, cs.weights
	if cat.Children {
		list, w = cs.parents, cs.parentW
	}
	if len(list) == 0 {
		return nil
	}
	u := cs.rng.Float64() * w[len(w)-1]
	i, _ := slices.BinarySearch(w, u)
	return list[min(i, len(list)-1)]
}

func (cs *careSeed) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(cs.rng.Int64N(int64(to.Sub(from)))))
}

func (cs *careSeed) minutes(from, to int) time.Duration {
	return time.Duration(from+cs.rng.IntN(to-from+1)) * time.Minute
}

// logMinutes is a log-normal delay around a median, in minutes.
func (cs *careSeed) logMinutes(median, sigma float64) time.Duration {
	return time.Duration(median * math.Exp(sigma*cs.rng.NormFloat64()) * float64(time.Minute))
}

func pickOf[T any](cs *careSeed, list []T) T { return list[cs.rng.IntN(len(list))] }

func pickW[T any](cs *careSeed, list []weighted[T]) T {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	r := cs.rng.IntN(total)
	for _, w := range list {
		if r < w.weight {
			return w.v
		}
		r -= w.weight
	}
	return list[len(list)-1].v
}

// newRequest draws who asks for what, where, and the words of it; the window comes later.
func (cs *careSeed) newRequest(catCode string) *careReq {
	cat, _ := domain.CategoryByCode(catCode)
	st := cs.pickStaff(cat)
	if st == nil {
		return nil
	}
	// Rides or errands: she mostly asks for the same again (and so her volunteer can keep helping her).
	if catCode == domain.CategoryTransport || catCode == domain.CategoryErrand {
		if st.usual == "" {
			st.usual = catCode
		} else if st.usual != catCode && cs.rng.Float64() < 0.75 {
			cat, _ = domain.CategoryByCode(st.usual)
		}
	}
	r := &careReq{staff: st, prog: cs.programs[cat.Program], cat: cat, urgency: domain.UrgencyNormal, childIDs: []int64{}}
	if r.prog == nil {
		return nil
	}
	switch {
	case cat.Code == domain.CategoryEmergency:
		r.urgency = domain.UrgencyEmergency
	case cs.rng.Float64() < urgentShare[cat.Code]:
		r.urgency = domain.UrgencyUrgent
	}
	if st.home == "" {
		// where she lives: mostly where she works, else elsewhere in the city, the central districts more often
		// (as in seeder.districts)
		st.home = st.hospital.District
		if cs.rng.Float64() < 0.3 {
			all := domain.Reference.Districts
			u := cs.rng.Float64()
			st.home = all[int(u*u*float64(len(all)))].Code
		}
	}
	r.district = st.home
	if cs.rng.Float64() < 0.15 {
		r.district = st.hospital.District
	}
	home := st.address
	switch cat.Code {
	case domain.CategoryTransport:
		switch u := cs.rng.Float64(); {
		case u < 0.45:
			r.pickup, r.destination = home, st.hospital.Zh
		case u < 0.8:
			r.pickup, r.destination = st.hospital.Zh, home
		default:
			r.pickup, r.destination = home, pickOf(cs, rideDestinations)
		}
		r.details = pickOf(cs, rideDetails)
	case domain.CategoryErrand:
		r.place, r.details = "家中（"+home+"）", pickOf(cs, errandDetails)
	case domain.CategoryEmergency:
		r.place, r.details = home, pickOf(cs, emergencyDetails)
	case domain.CategoryCounselling:
		r.details = pickOf(cs, counsellingDetails)
	case domain.CategoryTutoring:
		r.place, r.details = "家中（"+home+"）", pickOf(cs, tutoringDetails)
	case domain.CategoryCompanionship:
		r.details = pickOf(cs, companionshipDetails)
	}
	if cat.Children {
		kids := st.children
		if len(kids) > 1 && cs.rng.Float64() < 0.7 {
			kids = kids[cs.rng.IntN(len(kids)):][:1]
		}
		for _, k := range kids {
			r.childIDs = append(r.childIDs, k.id)
			r.grades = append(r.grades, k.grade)
		}
	}
	return r
}

var (
	rideDestinations     = []string{"杭州东站", "杭州西站", "萧山国际机场", "孩子学校门口", "社区卫生服务中心"}
	rideDetails          = []string{"夜班后太累，不敢自己开车", "早班，公交还没开", "车送去保养了，需要接送一下", "", "", "带着孩子，麻烦准备安全座椅"}
	errandDetails        = []string{"帮忙买菜并送到家", "代取快递和药品", "帮家里老人去社区医院配药", "代缴物业费和水电费", "家里要收一件大件家具，需要有人在家"}
	emergencyDetails     = []string{"家中老人突发不适，需要有人陪同去医院", "孩子发烧，本人在岗走不开，需要人帮忙送医", "家里水管爆裂，需要有人上门看看", "老人在家摔倒，需要有人过去照看"}
	counsellingDetails   = []string{"连续夜班后失眠、焦虑，想找人聊聊", "最近工作压力很大，情绪低落", "经历了一次抢救失败，心里一直过不去", ""}
	tutoringDetails      = []string{"孩子数学跟不上，希望有人辅导", "期中考试前想补一补", "我们夫妻都在一线，没时间辅导作业", ""}
	companionshipDetails = []string{"晚上值班时希望有人线上陪孩子写作业、聊聊天", "孩子一个人在家，想有人视频陪伴一会儿", ""}
	declineReasons       = []string{"", "", "这个时间段在上班", "离得有点远", "临时有事", "车辆今天限行"}
	cancelReasons        = []string{"行程有变，不需要了", "已经自己解决了", "排班调整，时间冲突", "家人可以帮忙了", "孩子生病，这周先暂停"}
	serviceNotes         = []string{"", "", "已安全送达", "一切顺利", "按约定完成"}
	ratingComments       = map[int][]string{5: {"非常准时，服务很贴心", "谢谢！帮了大忙", "沟通顺畅，很专业", ""},
		4: {"整体不错", "稍微晚到了几分钟，其他都好", ""}, 3: {"迟到较久", ""}, 2: {"沟通不太顺畅"}, 1: {"约好的时间没有来"}}
)

// A category's usual times of day (Shanghai), as minutes after midnight, and how long the help takes.
var (
	careStarts = map[string][]int{
		domain.CategoryTransport:     {390, 420, 450, 480, 1050, 1080, 1140, 1200, 1260},
		domain.CategoryErrand:        {540, 600, 840, 900, 960, 1110, 1140},
		domain.CategoryEmergency:     {600, 840, 1140},
		domain.CategoryCounselling:   {1140, 1170, 1200, 1230, 840},
		domain.CategoryTutoring:      {1110, 1140, 1170, 540, 600, 840, 900},
		domain.CategoryCompanionship: {1140, 1170, 1200, 1230},
	}
	careLengths = map[string][]int{
		domain.CategoryTransport: {60, 90}, domain.CategoryErrand: {60, 90, 120}, domain.CategoryEmergency: {60, 120, 180},
		domain.CategoryCounselling: {60}, domain.CategoryTutoring: {90, 120}, domain.CategoryCompanionship: {60},
	}
)

// schedule sets the request's occurrences: count of them a week apart, the first starting at start.
func (r *careReq) schedule(start time.Time, length time.Duration, count int) {
	r.occ = r.occ[:0]
	r.recurring = count > 1
	for k := range count {
		s := start.AddDate(0, 0, 7*k)
		r.occ = append(r.occ, &careOcc{start: s, end: s.Add(length)})
	}
	r.needs()
}

// needs works out the weekly slots the occurrences touch, and whether one falls in the night.
func (r *careReq) needs() {
	r.need, r.night = 0, false
	for _, o := range r.occ {
		m, ok := domain.SlotsOf(domain.Window{Start: o.start, End: o.end})
		r.need |= m
		r.night = r.night || !ok
	}
}

func (r *careReq) start() time.Time { return r.occ[0].start }
func (r *careReq) end() time.Time   { return r.occ[len(r.occ)-1].end }

// dayAt is a time of day (minutes after midnight) on the Shanghai day of t, days later.
func dayAt(t time.Time, days, minute int) time.Time {
	d := domain.Today(t).AddDate(0, 0, days)
	return d.Add(time.Duration(minute) * time.Minute)
}

// window gives the request its occurrences and its submission for a plan, the submission falling at or after
// from: a normal request a day to a week ahead at the category's usual times, an urgent one hours ahead, an
// emergency within the hour; planNoCandidates before six in the morning, planNobodyAccepts at an hour's notice.
func (cs *careSeed) window(r *careReq, from time.Time, plan carePlan) {
	lengths := careLengths[r.cat.Code]
	length := time.Duration(pickOf(cs, lengths)) * time.Minute
	count := 1
	if r.urgency == domain.UrgencyNormal && plan != planNoCandidates && plan != planNobodyAccepts &&
		cs.rng.Float64() < recurringShare[r.cat.Code] {
		count = 2 + cs.rng.IntN(5)
	}
	switch {
	case plan == planNoCandidates:
		r.submitted = dayAt(from, 0, 480+cs.rng.IntN(900))
		r.schedule(dayAt(r.submitted, 1+cs.rng.IntN(3), pickOf(cs, []int{270, 300, 330})), time.Hour, 1)
	case plan == planNobodyAccepts:
		r.submitted = dayAt(from, 0, 420+cs.rng.IntN(780))
		r.schedule(r.submitted.Add(cs.minutes(40, 100)).Truncate(5*time.Minute), length, 1)
	case r.urgency == domain.UrgencyEmergency:
		r.submitted = dayAt(from, 0, 390+cs.rng.IntN(810))
		r.schedule(r.submitted.Add(cs.minutes(15, 45)).Truncate(5*time.Minute), length, 1)
	case r.urgency == domain.UrgencyUrgent:
		r.submitted = dayAt(from, 0, 360+cs.rng.IntN(720))
		start := r.submitted.Add(cs.minutes(120, 480)).Truncate(30 * time.Minute)
		if h := start.In(domain.Shanghai).Hour(); h >= 21 || h < 6 {
			start = dayAt(start.Add(-6*time.Hour), 1, 420)
		}
		r.schedule(start, length, 1)
	default:
		r.submitted = dayAt(from, 0, 420+cs.rng.IntN(990))
		r.schedule(dayAt(r.submitted, 1+cs.rng.IntN(6), pickOf(cs, careStarts[r.cat.Code])), length, count)
	}
	if r.submitted.Before(from) {
		d := from.Sub(r.submitted).Truncate(24*time.Hour) + 24*time.Hour
		r.submitted = r.submitted.Add(d)
		for _, o := range r.occ {
			o.start, o.end = o.start.Add(d), o.end.Add(d)
		}
		r.needs()
	}
}

// past tells the twelve weeks before today, in order of submission.
func (cs *careSeed) past() {
	n := int(math.Round(1.5 * float64(len(cs.staff))))
	from := cs.until.AddDate(0, 0, -7*careWeeks)
	type planned struct {
		r    *careReq
		plan carePlan
	}
	var list []planned
	for range n {
		r := cs.newRequest(pickW(cs, careShares))
		if r == nil {
			continue
		}
		plan := pickW(cs, carePlans)
		oneToOne := r.cat.Program == "one_to_one"
		if plan == planNoCandidates && r.cat.Code != domain.CategoryTransport || plan == planNobodyAccepts && !oneToOne {
			plan = planServe
		}
		if plan == planNobodyAccepts && r.urgency == domain.UrgencyNormal {
			r.urgency = domain.UrgencyUrgent
		}
		ok := false
		for range 20 {
			cs.window(r, cs.between(from, cs.until), plan)
			if r.end().Before(cs.until) {
				ok = true
				break
			}
		}
		if ok {
			list = append(list, planned{r, plan})
		}
	}
	slices.SortStableFunc(list, func(a, b planned) int { return a.r.submitted.Compare(b.r.submitted) })
	for _, p := range list {
		cs.tell(p.r, p.plan)
	}
}

// tell plays a past request through from its submission. Now and then she has ended a pairing in the program
// since it last helped her, before asking again.
func (cs *careSeed) tell(r *careReq, plan carePlan) {
	for _, p := range slices.Clone(cs.hers[[2]int64{r.staff.id, r.prog.id}]) {
		if quiet := cs.quietSince(p); quiet.Before(r.submitted.Add(-24*time.Hour)) && cs.rng.Float64() < 0.06 {
			cs.endPairing(p, cs.between(quiet.Add(time.Hour), r.submitted.Add(-time.Hour)).Truncate(time.Second))
		}
	}
	if (plan == planServe || plan == planCancelLate) && r.urgency == domain.UrgencyNormal && cs.rng.Float64() < 0.9 {
		if p := cs.pairedFor(r); p != nil {
			cs.retime(r, p.vol, cs.until)
		}
	}
	cs.submit(r)
	matched := cs.dispatch(r, plan, cs.until)
	if !matched && domain.RequestOpen(r.status) && plan == planNoCandidates && cs.rng.Float64() < 0.4 {
		at := r.escalated.Add(cs.minutes(10, 60))
		if at.Before(r.start().Add(-15 * time.Minute)) {
			matched = cs.assignByHand(r, at)
		}
	}
	if !matched {
		if domain.RequestOpen(r.status) {
			cs.expire(r)
		}
		return
	}
	served := len(r.occ)
	if plan == planCancelLate {
		served = 0
		if len(r.occ) >= 3 && cs.rng.Float64() < 0.5 {
			served = 1 + cs.rng.IntN(len(r.occ)-1)
		}
	}
	for _, o := range r.occ[:served] {
		cs.serve(r, o)
	}
	if served < len(r.occ) {
		from := r.matched
		if served > 0 {
			from = r.occ[served-1].end
		}
		next := r.occ[served].start
		at := from.Add(next.Sub(from) / 2)
		if next.Sub(from) > time.Hour {
			at = cs.between(from.Add(10*time.Minute), next.Add(-20*time.Minute))
		}
		cs.cancel(r, at.Truncate(time.Second))
		cs.confirmServices(r, time.Time{}, cs.until)
		return
	}
	cs.finish(r, cs.until)
}

// pairedFor is her first active pairing in the program with a volunteer who qualifies for the request.
func (cs *careSeed) pairedFor(r *careReq) *carePairing {
	for _, p := range cs.hers[[2]int64{r.staff.id, r.prog.id}] {
		if cs.qualifies(r, p.vol) {
			return p
		}
	}
	return nil
}

// retime moves a request to a time her volunteer is free, as she arranges it with them (a day to a week after she
// asks, at the category's usual times); it stays where it was when no such time ends before limit.
func (cs *careSeed) retime(r *careReq, v *seedVolunteer, limit time.Time) {
	length, count := r.occ[0].end.Sub(r.occ[0].start), len(r.occ)
	was := r.start()
	for range 12 {
		r.schedule(dayAt(r.submitted, 1+cs.rng.IntN(6), pickOf(cs, careStarts[r.cat.Code])), length, count)
		if !r.night && v.mask&r.need == r.need && r.end().Before(limit) && !cs.booked(r, v) {
			return
		}
	}
	r.schedule(was, length, count)
}

// submit records the request: the timeline's first line, and the separate consent a sensitive one needs.
func (cs *careSeed) submit(r *careReq) {
	r.status, r.updated = domain.RequestSubmitted, r.submitted
	if r.cat.Sensitive {
		kind := domain.ConsentChildren
		if r.cat.Code == domain.CategoryCounselling {
			kind = domain.ConsentCounselling
		}
		r.consent = &careConsent{user: r.staff.id, kind: kind, at: r.submitted}
	}
	if r.cat.Code == domain.CategoryTutoring {
		r.subject = cs.tutoringSubject(r)
	}
	r.event(r.submitted, "submitted", r.staff.id, 0, len(r.occ), "")
	cs.requests = append(cs.requests, r)
}

// tutoringSubject is what she asks to be taught: what a tutor who fits her children's grades teaches, or any.
func (cs *careSeed) tutoringSubject(r *careReq) string {
	if cs.rng.Float64() < 0.3 {
		return ""
	}
	if p := cs.pairedFor(r); p != nil && gradesFit(r.grades, p.vol) {
		return pickOf(cs, p.vol.subjects)
	}
	pool := cs.pools[r.cat.Qualification+"|"+r.district]
	for range 30 {
		if len(pool) == 0 {
			break
		}
		v := &cs.sd.volunteers[pool[cs.rng.IntN(len(pool))]]
		if gradesFit(r.grades, v) {
			return pickOf(cs, v.subjects)
		}
	}
	return ""
}

func gradesFit(grades []int, v *seedVolunteer) bool {
	if v.gradeFrom < 0 {
		return true
	}
	for _, g := range grades {
		if g < v.gradeFrom || g > v.gradeTo {
			return false
		}
	}
	return true
}

func (r *careReq) event(at time.Time, kind string, actor, vol int64, count int, detail string) {
	r.events = append(r.events, careEv{at: at, kind: kind, actor: actor, vol: vol, count: count, detail: detail})
	if at.After(r.updated) {
		r.updated = at
	}
}

// note writes to someone's inbox. What is older than two days has mostly been read; of the rest, about half.
func (cs *careSeed) note(user int64, kind string, at time.Time, r *careReq, o *careOffer, p *carePairing, detail string) {
	n := &careNote{user: user, kind: kind, req: r, offer: o, pairing: p, detail: detail, at: at}
	share := 0.45
	if cs.limit.Sub(at) > 48*time.Hour {
		share = 0.96
	}
	if cs.rng.Float64() < share {
		n.read = minTime(at.Add(max(cs.logMinutes(40, 1.2), time.Minute)), cs.limit.Add(-time.Minute)).Truncate(time.Second)
		if n.read.Before(at) {
			n.read = time.Time{}
		}
	}
	cs.notes = append(cs.notes, n)
}

// dispatch sends rounds of offers from the submission until someone accepts (true), she cancels, nobody is left
// to ask or the window starts (the coordinators then have it). The story stops at until.
func (cs *careSeed) dispatch(r *careReq, plan carePlan, until time.Time) bool {
	t := r.submitted
	var cancelAt time.Time
	if plan == planCancelEarly {
		cancelAt = t.Add(time.Duration(float64(min(time.Hour, r.start().Sub(t)/2)) * (0.1 + 0.8*cs.rng.Float64())))
	}
	for {
		if !cancelAt.IsZero() && !cancelAt.After(t) {
			cs.cancel(r, cancelAt)
			return false
		}
		if !t.Before(r.start()) {
			cs.escalate(r, r.start(), "window_started")
			return false
		}
		offers, alone := cs.sendRound(r, t)
		if len(offers) == 0 {
			cs.escalate(r, t, "no_candidates")
			return false
		}
		var win *careOffer
		var winAt time.Time
		if plan == planServe || plan == planCancelLate {
			p := []float64{0.8, 0.9, 0.97}[min(r.round, 3)-1]
			if alone {
				p = 0.88
			}
			if cs.rng.Float64() < p {
				win = pickOf(cs, offers)
				winAt = t.Add(cs.acceptDelay(r.urgency, r.deadline.Sub(t)))
			}
		}
		if !cancelAt.IsZero() && cancelAt.Before(r.deadline) && (win == nil || cancelAt.Before(winAt)) {
			cs.answer(offers, t, cancelAt, nil)
			cs.cancel(r, cancelAt)
			return false
		}
		if win != nil {
			cs.answer(offers, t, winAt, win)
			cs.match(r, win.vol, winAt, false)
			return true
		}
		t = cs.runOut(offers, t, r.deadline)
		if t.After(until) {
			return false
		}
	}
}

// acceptDelay: volunteers answer within minutes, faster the more urgent, always before the offer runs out.
func (cs *careSeed) acceptDelay(urgency string, lifetime time.Duration) time.Duration {
	median := map[string]float64{domain.UrgencyEmergency: 3, domain.UrgencyUrgent: 8, domain.UrgencyNormal: 18}[urgency]
	d := max(cs.logMinutes(median, 0.7), 30*time.Second)
	if d >= lifetime {
		d = time.Duration(float64(lifetime) * (0.2 + 0.7*cs.rng.Float64()))
	}
	return d.Truncate(time.Second)
}

// answer settles a round that ends at end, won by win (nil: she cancelled then): a few declined before, the
// winner accepted, the others withdrawn (told it is taken, or that the request ended).
func (cs *careSeed) answer(offers []*careOffer, sent, end time.Time, win *careOffer) {
	note := NoteTaken
	if win == nil {
		note = NoteWithdrawn
	}
	for _, o := range offers {
		switch {
		case o == win:
			o.status, o.answered = domain.OfferAccepted, end
		case cs.rng.Float64() < 0.25 && end.Sub(sent) > time.Minute:
			o.status, o.answered, o.decline = domain.OfferDeclined, cs.between(sent, end), pickOf(cs, declineReasons)
		default:
			o.status, o.answered = domain.OfferWithdrawn, end
			cs.note(o.vol.id, note, end, o.req, o, nil, "")
		}
	}
}

// runOut settles a round nobody accepted: some declined, the others expired at the deadline. The next round goes
// out at the deadline, or at once when the last of them declined.
func (cs *careSeed) runOut(offers []*careOffer, sent, deadline time.Time) time.Time {
	last, all := sent, true
	for _, o := range offers {
		if cs.rng.Float64() < 0.35 {
			o.status, o.answered, o.decline = domain.OfferDeclined, cs.between(sent, deadline), pickOf(cs, declineReasons)
			if o.answered.After(last) {
				last = o.answered
			}
		} else {
			o.status, o.answered, all = domain.OfferExpired, deadline, false
		}
	}
	if all {
		return last
	}
	return deadline
}

// sendRound sends the next round at t: to her paired volunteer alone when one fits and was not asked yet,
// otherwise to as many candidates as the program's settings say. None: nobody passes the filters.
func (cs *careSeed) sendRound(r *careReq, t time.Time) (offers []*careOffer, alone bool) {
	var to []*seedVolunteer
	for _, p := range cs.hers[[2]int64{r.staff.id, r.prog.id}] {
		if cs.qualifies(r, p.vol) && cs.fits(r, p.vol, t) {
			to, alone = []*seedVolunteer{p.vol}, true
			break
		}
	}
	if to == nil {
		to = cs.candidates(r, t, r.prog.settings.Offers[r.urgency])
	}
	if len(to) == 0 {
		return nil, false
	}
	r.round++
	r.deadline = r.prog.settings.OfferDeadline(r.urgency, t, r.start())
	if r.firstOffer.IsZero() {
		r.firstOffer = t
	}
	r.status = domain.RequestDispatching
	for _, v := range to {
		o := &careOffer{req: r, vol: v, round: r.round, status: domain.OfferPending, created: t, expires: r.deadline,
			reasons: domain.EncodeReasons(cs.ranked(r, v, t).Reasons())}
		r.offers = append(r.offers, o)
		offers = append(offers, o)
		v.lastOffer = t
		cs.lastPairOffer[[2]int64{r.staff.id, v.id}] = maxTime(cs.lastPairOffer[[2]int64{r.staff.id, v.id}], t)
		cs.offersOn[[2]int64{v.id, dayNumber(t)}]++
		cs.note(v.id, NoteOffer, t, r, o, nil, "")
	}
	r.event(t, "offered", 0, 0, len(offers), "")
	return offers, alone
}

func dayNumber(t time.Time) int64 { return domain.Today(t).Unix() / 86400 }

// candidates are up to n volunteers who pass every hard filter, those based in her district first (matching
// ranks by distance): a bounded look through the volunteers of the category's qualification who serve the
// district (any district, for remote help), from a random place.
func (cs *careSeed) candidates(r *careReq, t time.Time, n int) []*seedVolunteer {
	key := r.cat.Qualification
	if !r.cat.Remote {
		key += "|" + r.district
	}
	pool := cs.pools[key]
	if len(pool) == 0 || r.night {
		return nil
	}
	var near, far []*seedVolunteer
	start := cs.rng.IntN(len(pool))
	for k := 0; k < min(len(pool), 400) && len(near) < n; k++ {
		v := &cs.sd.volunteers[pool[(start+k)%len(pool)]]
		if !cs.fits(r, v, t) {
			continue
		}
		if !r.cat.Remote && v.districts[0] == r.district || r.cat.Remote {
			near = append(near, v)
		} else {
			far = append(far, v)
		}
	}
	return append(near, far[:min(len(far), n-len(near))]...)
}

// qualifies: the category's qualification verified and the district served (the pools hold only such volunteers).
func (cs *careSeed) qualifies(r *careReq, v *seedVolunteer) bool {
	return v.status == domain.StatusActive && (r.cat.Qualification == "" || slices.Contains(v.verified, r.cat.Qualification)) &&
		(r.cat.Remote || slices.Contains(v.districts, r.district))
}

// fits is the rest of domain's hard filters at t, for a volunteer who qualifies.
func (cs *careSeed) fits(r *careReq, v *seedVolunteer, t time.Time) bool {
	return cs.fitsBut(r, v, t, false)
}

// fitsBut is fits, leaving out the weekly availability and the daily cap when byHand (what a coordinator may
// override with a reason).
func (cs *careSeed) fitsBut(r *careReq, v *seedVolunteer, t time.Time, byHand bool) bool {
	paired := cs.active[pairKey{r.staff.id, v.id, r.prog.id}] != nil
	if !paired && v.active >= v.capacity || cs.noRepeat[[2]int64{r.staff.id, v.id}] ||
		r.prog.qual != "" && !slices.Contains(v.verified, r.prog.qual) {
		return false
	}
	if !byHand && (r.night || v.mask&r.need != r.need || cs.offersOn[[2]int64{v.id, dayNumber(t)}] >= r.prog.settings.DailyCap) {
		return false
	}
	for _, o := range r.offers {
		if o.vol == v {
			return false
		}
	}
	if r.cat.Qualification == domain.QualTutor && (r.subject != "" && !slices.Contains(v.subjects, r.subject) || !gradesFit(r.grades, v)) {
		return false
	}
	return !cs.booked(r, v)
}

// booked: the volunteer is matched to help at a time that overlaps one of the request's occurrences.
func (cs *careSeed) booked(r *careReq, v *seedVolunteer) bool {
	for _, b := range v.booked {
		for _, o := range r.occ {
			if b.Overlaps(domain.Window{Start: o.start, End: o.end}) {
				return true
			}
		}
	}
	return false
}

// ranked is what matching would have said of the volunteer's place, for the offer's reasons.
func (cs *careSeed) ranked(r *careReq, v *seedVolunteer, t time.Time) domain.Ranked {
	rk := domain.Ranked{VolunteerID: v.id, PairedWithHer: cs.active[pairKey{r.staff.id, v.id, r.prog.id}] != nil,
		PairedBefore: cs.pairedBefore[[2]int64{r.staff.id, v.id}], Load: v.active, Capacity: v.capacity,
		NeverOffered: v.lastOffer.IsZero()}
	if !r.cat.Remote {
		rk.SameDistrict = v.districts[0] == r.district
		rk.DistanceKm = domain.DistrictDistanceKm(v.districts[0], r.district)
	}
	if v.ratingCount > 0 {
		rk.Rated = true
		rk.Rating = float64(domain.RatingTenths(v.ratingSum, v.ratingCount)) / 10
	}
	if !rk.NeverOffered {
		rk.IdleDays = int(t.Sub(v.lastOffer) / (24 * time.Hour))
	}
	return rk
}

// match pairs the request with the volunteer at t: her active pairing with them in the program, or a new one.
func (cs *careSeed) match(r *careReq, v *seedVolunteer, t time.Time, byHand bool) {
	key := pairKey{r.staff.id, v.id, r.prog.id}
	p := cs.active[key]
	if p == nil {
		p = &carePairing{staff: r.staff.id, vol: v, prog: r.prog.id, started: t}
		cs.active[key] = p
		her := [2]int64{r.staff.id, r.prog.id}
		cs.hers[her] = append(cs.hers[her], p)
		cs.pairings = append(cs.pairings, p)
		v.active++
	}
	r.status, r.vol, r.pairing, r.matched = domain.RequestMatched, v, p, t
	for _, occ := range r.occ {
		v.booked = append(v.booked, domain.Window{Start: occ.start, End: occ.end})
	}
	p.lastUse = maxTime(p.lastUse, r.end())
	cs.note(r.staff.id, NoteAccepted, t, r, nil, p, "")
	if byHand {
		r.event(t, "assigned", cs.coordinators[0], v.id, 0, "")
		cs.note(v.id, NoteAssigned, t, r, nil, nil, "")
	} else {
		r.event(t, "accepted", v.id, v.id, 0, "")
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// escalate hands the request to the coordinators.
func (cs *careSeed) escalate(r *careReq, t time.Time, why string) {
	r.status, r.escalated, r.escalation = domain.RequestEscalated, t, why
	for _, c := range cs.coordinators {
		cs.note(c, NoteEscalated, t, r, nil, nil, why)
	}
	r.event(t, "escalated", 0, 0, 0, why)
}

// assignByHand is a coordinator matching an escalated request with a volunteer who qualifies, serves the district
// and has room — at an hour no weekly slot covers, overriding the availability with a reason.
func (cs *careSeed) assignByHand(r *careReq, t time.Time) bool {
	if len(cs.coordinators) == 0 {
		return false
	}
	pool := cs.pools[r.cat.Qualification+"|"+r.district]
	if len(pool) == 0 {
		return false
	}
	var v *seedVolunteer
	start := cs.rng.IntN(len(pool))
	for k := 0; k < min(len(pool), 200) && v == nil; k++ {
		if c := &cs.sd.volunteers[pool[(start+k)%len(pool)]]; cs.fitsBut(r, c, t, true) {
			v = c
		}
	}
	if v == nil {
		return false
	}
	fails := domain.Failures(cs.matchRequest(r), cs.candidateOf(r, v), r.prog.settings.DailyCap)
	override := ""
	if len(fails) > 0 {
		override = "夜间时段无人排班，已电话确认志愿者可以出车"
	}
	o := &careOffer{req: r, vol: v, round: r.round, status: domain.OfferAccepted, reasons: "manual", created: t, expires: t, answered: t}
	r.offers = append(r.offers, o)
	cs.match(r, v, t, true)
	cs.audits = append(cs.audits, careAudit{at: t, actor: cs.coordinators[0], action: "request.assign", subject: "care_request",
		req: r, after: map[string]any{"volunteer_id": v.id, "failures": fails, "override": override}})
	return true
}

func (cs *careSeed) matchRequest(r *careReq) domain.MatchRequest {
	m := domain.MatchRequest{StaffID: r.staff.id, Category: r.cat.Code, Qualification: r.prog.qual, District: r.district,
		Subject: r.subject, ChildGrades: r.grades}
	for _, o := range r.occ {
		m.Occurrences = append(m.Occurrences, domain.Window{Start: o.start, End: o.end})
	}
	return m
}

func (cs *careSeed) candidateOf(r *careReq, v *seedVolunteer) *domain.Candidate {
	c := &domain.Candidate{VolunteerID: v.id, Active: v.status == domain.StatusActive, Verified: v.verified,
		Districts: v.districts, Slots: v.mask, Capacity: v.capacity, ActivePairings: v.active, Subjects: v.subjects,
		GradeFrom: v.gradeFrom, GradeTo: v.gradeTo, RatingSum: v.ratingSum, RatingCount: v.ratingCount,
		PairedWithHer: cs.active[pairKey{r.staff.id, v.id, r.prog.id}] != nil}
	return c
}

// cancel is her calling it off at t: offers still out withdrawn, her volunteer told.
func (cs *careSeed) cancel(r *careReq, t time.Time) {
	for _, o := range r.offers {
		if o.status == domain.OfferPending {
			o.status, o.answered = domain.OfferWithdrawn, t
			cs.note(o.vol.id, NoteWithdrawn, t, r, o, nil, "")
		}
	}
	reason := pickOf(cs, cancelReasons)
	r.status, r.cancelled, r.cancelNote = domain.RequestCancelled, t, reason
	if r.vol != nil {
		cs.note(r.vol.id, NoteCancelled, t, r, nil, nil, reason)
		r.pairing.lastUse = t
	}
	r.event(t, "cancelled", r.staff.id, 0, 0, reason)
}

// expire: the window passed with nobody matched.
func (cs *careSeed) expire(r *careReq) {
	t := r.end()
	for _, o := range r.offers {
		if o.status == domain.OfferPending {
			o.status, o.answered = domain.OfferWithdrawn, t
			cs.note(o.vol.id, NoteWithdrawn, t, r, o, nil, "")
		}
	}
	r.status = domain.RequestExpired
	r.event(t, "expired", 0, 0, 0, "")
}

// serve is one occurrence's service: checked in a little before it, out around its end.
func (cs *careSeed) serve(r *careReq, o *careOcc) {
	v := r.vol
	in := o.start.Add(-cs.minutes(0, 15))
	if !in.After(r.matched) {
		in = r.matched.Add(cs.minutes(2, 10))
	}
	out := o.end.Add(cs.minutes(-10, 20))
	if out.Sub(in) < 15*time.Minute {
		out = in.Add(cs.minutes(15, 40))
	}
	in, out = in.Truncate(time.Second), out.Add(time.Duration(cs.rng.IntN(60))*time.Second)
	sv := &careService{req: r, occ: o, pairing: r.pairing, status: domain.ServiceCheckedOut, in: in, out: out,
		minutes: domain.ServiceMinutes(in, out), note: pickOf(cs, serviceNotes)}
	cs.services = append(cs.services, sv)
	r.services = append(r.services, sv)
	r.status = domain.RequestInService
	r.event(in, "checked_in", v.id, v.id, 0, "")
	cs.note(r.staff.id, NoteCheckedIn, in, r, nil, nil, "")
	r.event(out, "checked_out", v.id, v.id, sv.minutes, "")
	cs.note(r.staff.id, NoteCheckedOut, out, r, nil, nil, "")
	r.status = domain.RequestMatched
	r.pairing.lastUse = maxTime(r.pairing.lastUse, out)
}

// finish completes a served request and, before until, confirms its services (by her, or by themselves 72 hours
// after check-out) and mostly closes it with a rating.
func (cs *careSeed) finish(r *careReq, until time.Time) {
	last := r.services[len(r.services)-1].out
	r.status, r.completed = domain.RequestCompleted, last
	r.event(last, "completed", 0, 0, 0, "")
	var closeAt time.Time
	if cs.rng.Float64() < 0.92 {
		closeAt = last.Add(max(cs.logMinutes(300, 1.3), 10*time.Minute)).Truncate(time.Second)
		if !closeAt.Before(until) {
			closeAt = time.Time{}
		}
	}
	cs.confirmServices(r, closeAt, until)
	if closeAt.IsZero() {
		return
	}
	r.rating = pickW(cs, ratings)
	r.comment = pickOf(cs, ratingComments[r.rating])
	r.status, r.closed = domain.RequestClosed, closeAt
	r.vol.ratingSum += r.rating
	r.vol.ratingCount++
	r.event(closeAt, "closed", r.staff.id, 0, r.rating, "")
}

// confirmServices confirms the request's services before until: by her within the day now and then, else by
// themselves 72 hours after check-out, or all at once when she closes the request at closeAt (zero: she has not).
func (cs *careSeed) confirmServices(r *careReq, closeAt, until time.Time) {
	for _, sv := range r.services {
		auto := sv.out.Add(domain.AutoConfirmAfter)
		if mineAt := sv.out.Add(cs.minutes(10, 20*60)); cs.rng.Float64() < 0.45 && mineAt.Before(until) &&
			(closeAt.IsZero() || mineAt.Before(closeAt)) && mineAt.Before(auto) {
			cs.confirm(r, sv, mineAt, "staff")
			continue
		}
		switch {
		case !closeAt.IsZero() && auto.Before(closeAt), closeAt.IsZero() && auto.Before(until):
			cs.confirm(r, sv, auto, "auto")
		case !closeAt.IsZero():
			cs.confirm(r, sv, closeAt, "staff")
		}
	}
}

func (cs *careSeed) confirm(r *careReq, sv *careService, t time.Time, by string) {
	sv.status, sv.confirmed, sv.by = domain.ServiceConfirmed, t, by
	cs.note(r.vol.id, NoteConfirmed, t, r, nil, nil, "")
	r.event(t, "confirmed", 0, r.vol.id, sv.minutes, by)
}

// endQuietPairings ends some of the pairings nobody has used for three weeks, as either side (or a coordinator)
// does when the help is no longer needed; a few ask not to be paired again. Ended pairings make room.
func (cs *careSeed) endQuietPairings() {
	for _, p := range cs.pairings {
		quiet := cs.quietSince(p)
		if !p.ended.IsZero() || !quiet.Before(cs.until.AddDate(0, 0, -21)) || cs.rng.Float64() >= 0.35 {
			continue
		}
		at := cs.between(quiet.Add(24*time.Hour), minTime(quiet.AddDate(0, 0, 20), cs.until.Add(-time.Hour)))
		cs.endPairing(p, at.Truncate(time.Second))
	}
}

// quietSince is when a pairing last helped, or its pair last had an offer (whichever is later): it may end after.
func (cs *careSeed) quietSince(p *carePairing) time.Time {
	return maxTime(p.lastUse, cs.lastPairOffer[[2]int64{p.staff, p.vol.id}])
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

var (
	staffEndReasons     = []string{"孩子已经适应，暂时不需要了", "时间总是对不上", "工作调整，暂时不需要帮助了"}
	volunteerEndReasons = []string{"工作调动，时间不够了", "搬家了，不在这个区了", "近期身体原因，需要暂停"}
	noRepeatReasons     = []string{"沟通不顺畅，希望换一位", "双方时间难以协调"}
)

// endPairing ends a pairing at t: by her, by the volunteer, or by a coordinator; the other side is told.
func (cs *careSeed) endPairing(p *carePairing, t time.Time) {
	by, reason := p.staff, pickOf(cs, staffEndReasons)
	switch u := cs.rng.Float64(); {
	case u < 0.35:
		by, reason = p.vol.id, pickOf(cs, volunteerEndReasons)
	case u < 0.5 && len(cs.coordinators) > 0:
		by, reason = cs.coordinators[0], "志愿者长期未响应，解除结对"
	}
	if (by == p.staff || by == p.vol.id) && cs.rng.Float64() < 0.15 {
		p.noRepeat, reason = true, pickOf(cs, noRepeatReasons)
		cs.noRepeat[[2]int64{p.staff, p.vol.id}] = true
	}
	p.ended, p.endedBy, p.reason = t, by, reason
	p.vol.active--
	delete(cs.active, pairKey{p.staff, p.vol.id, p.prog})
	her := [2]int64{p.staff, p.prog}
	cs.hers[her] = slices.DeleteFunc(cs.hers[her], func(q *carePairing) bool { return q == p })
	cs.pairedBefore[[2]int64{p.staff, p.vol.id}] = true
	for _, u := range []int64{p.staff, p.vol.id} {
		if u != by {
			cs.note(u, NotePairingEnded, t, nil, nil, p, reason)
		}
	}
	cs.audits = append(cs.audits, careAudit{at: t, actor: by, action: "pairing.end", subject: "pairing", pairing: p,
		after: map[string]any{"reason": reason, "no_repeat": p.noRepeat}})
}
