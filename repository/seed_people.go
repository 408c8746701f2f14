package repository

import (
	"fmt"
	"time"

	"guanai/domain"
)

// seedPerson is one generated member of staff or volunteer, kept while the stage that made them loads.
type seedPerson struct {
	id        int64
	name      string
	phone     string
	status    domain.Status
	createdAt time.Time
	hospital  domain.Hospital
	address   string // staff: where she lives
}

var userColumns = []string{"id", "phone", "password_hash", "name", "role", "status", "status_reason", "created_at", "updated_at"}

var (
	departments = []string{"急诊科", "重症医学科", "呼吸内科", "感染科", "发热门诊", "心内科", "儿科", "麻醉科", "检验科", "放射科", "护理部", "院前急救"}
	positions   = []string{"护士", "护师", "主管护师", "护士长", "住院医师", "主治医师", "副主任医师", "主任医师", "医技师", "急救医生"}
	streets     = []string{"庆春路", "延安路", "文一西路", "莫干山路", "滨盛路", "金城路", "建设一路", "文三路", "天目山路", "湖墅南路"}
)

// person generates a name, a join time within the seeded years, and a status with the given shares.
func (sd *seeder) person(id int64, phone string, pending, suspended, rejected float64) seedPerson {
	p := seedPerson{id: id, name: sd.personName(), phone: phone, status: domain.StatusActive, createdAt: sd.timeBetween(sd.start, sd.now)}
	switch u := sd.rng.Float64(); {
	case u < pending:
		p.status = domain.StatusPending
	case u < pending+suspended:
		p.status = domain.StatusSuspended
	case u < pending+suspended+rejected:
		p.status = domain.StatusRejected
	}
	return p
}

func (sd *seeder) userRow(p seedPerson, role domain.Role) []any {
	reason := ""
	switch p.status {
	case domain.StatusSuspended:
		reason = "长期未登录，暂停使用"
	case domain.StatusRejected:
		reason = "未能核实身份"
	}
	return []any{p.id, p.phone, sd.hash, p.name, role, p.status, reason, p.createdAt, p.createdAt}
}

// loadStaff loads the medical staff: accounts, profiles at the city's hospitals, the health authority's list that
// verified them, their children and their consents.
func (sd *seeder) loadStaff() error {
	n := sd.o.Scale.Staff
	first, err := sd.nextID("users")
	if err != nil {
		return err
	}
	hospitals := domain.Reference.Hospitals
	sd.staff = make([]seedPerson, n)
	for i := range sd.staff {
		// 1391xxxxxxx: clear of the demo's 1390000000x.
		sd.staff[i] = sd.person(first+int64(i), fmt.Sprintf("1391%07d", i), 0.03, 0.01, 0.01)
		sd.staff[i].hospital = hospitals[sd.rng.IntN(len(hospitals))]
	}
	if err := sd.copyRows("staff", "users", userColumns, n, func(i int) []any { return sd.userRow(sd.staff[i], domain.RoleStaff) }); err != nil {
		return err
	}
	entryID, err := sd.nextID("eligibility_entries")
	if err != nil {
		return err
	}
	if err := sd.copyRows("staff: health authority's list", "eligibility_entries",
		[]string{"id", "phone", "name", "hospital", "category", "updated_at"}, n, func(i int) []any {
			p := sd.staff[i]
			return []any{entryID + int64(i), p.phone, p.name, p.hospital.Zh, p.hospital.Category, p.createdAt}
		}); err != nil {
		return err
	}
	if err := sd.copyRows("staff: profiles", "staff_profiles",
		[]string{"user_id", "hospital", "department", "position", "category", "district", "address", "eligibility_entry_id"}, n,
		func(i int) []any {
			p := sd.staff[i]
			var entry any
			if p.status != domain.StatusPending && p.status != domain.StatusRejected {
				entry = entryID + int64(i)
			}
			dept, pos := pick(sd, departments), pick(sd, positions)
			sd.staff[i].address = fmt.Sprintf("%s%d号", pick(sd, streets), 1+sd.rng.IntN(300))
			return []any{p.id, p.hospital.Zh, dept, pos, p.hospital.Category, p.hospital.District, sd.staff[i].address, entry}
		}); err != nil {
		return err
	}
	if err := sd.loadChildren(); err != nil {
		return err
	}
	return sd.loadConsents("staff: consents", sd.staff)
}

// loadChildren gives about four in ten staff members a child and one in ten a second.
func (sd *seeder) loadChildren() error {
	type child struct {
		parent    int64
		name      string
		birthYear int
	}
	var kids []child
	for _, p := range sd.staff {
		count := 0
		switch u := sd.rng.Float64(); {
		case u < 0.10:
			count = 2
		case u < 0.45:
			count = 1
		}
		surname := []rune(p.name)[:1]
		for range count {
			kids = append(kids, child{p.id, string(surname) + sd.givenName(), sd.now.Year() - 3 - sd.rng.IntN(15)})
		}
	}
	sd.childParents = map[int64]bool{}
	for _, k := range kids {
		sd.childParents[k.parent] = true
	}
	return sd.copyRows("staff: children", "staff_children", []string{"user_id", "name", "birth_year", "grade"}, len(kids),
		func(i int) []any {
			k := kids[i]
			return []any{k.parent, k.name, k.birthYear, gradeAt(sd.now.Year() - k.birthYear)}
		})
}

// gradeAt is the school grade of a child of that age: kindergarten until six, then one grade a year.
func gradeAt(age int) string {
	g := min(max(age-5, 0), len(domain.Grades)-1)
	return domain.Grades[g]
}

// loadConsents records the privacy notice each person accepted, and the children's-data consent of every parent.
func (sd *seeder) loadConsents(stage string, people []seedPerson) error {
	type consent struct {
		user int64
		kind string
		at   time.Time
	}
	var rows []consent
	for _, p := range people {
		rows = append(rows, consent{p.id, domain.ConsentPrivacy, p.createdAt})
		if sd.childParents[p.id] {
			rows = append(rows, consent{p.id, domain.ConsentChildren, p.createdAt})
		}
	}
	return sd.copyRows(stage, "consents", []string{"user_id", "kind", "version", "ip", "given_at"}, len(rows), func(i int) []any {
		return []any{rows[i].user, rows[i].kind, domain.PrivacyNoticeVersion, "seed", rows[i].at}
	})
}

// seedVolunteer is one generated volunteer with the facts matching reads, kept for the care requests; the running
// figures (active pairings, ratings, bookings, last offer) are the care stage's as it goes through the weeks.
type seedVolunteer struct {
	seedPerson
	idNumber  string
	districts []string
	slots     []string
	mask      uint32 // slots as domain.SlotMask
	capacity  int
	quals     []seedQual
	verified  []string // the codes of the verified qualifications
	seats     int      // drivers: the seats of their car; 0 otherwise
	subjects  []string // tutors: what they teach
	gradeFrom int      // tutors: the grades they teach, as indexes into domain.Grades; -1 otherwise
	gradeTo   int

	active      int // active pairings
	ratingSum   int
	ratingCount int
	lastOffer   time.Time
	booked      []domain.Window

	figures volunteerFigures // as the care requests' rows leave them, for the profile
}

// volunteerFigures are the figures of volunteer_profiles that matching ranks by.
type volunteerFigures struct {
	activePairings, ratingSum, ratingCount, offersThatDay int
	confirmedMinutes                                      int64
	lastOffer                                             time.Time
}

type seedQual struct {
	code, detail string
	status       string
	decided      bool
	decidedAt    time.Time
}

// planVolunteers generates the volunteers: accounts, profiles (districts, weekly availability, capacity, a
// driver's seats, a tutor's subjects and grades) and their qualifications, most of them verified. They are loaded
// after the care requests are planned, with the figures those requests leave them.
func (sd *seeder) planVolunteers() error {
	first, err := sd.nextID("users")
	if err != nil {
		return err
	}
	sd.volunteers = make([]seedVolunteer, sd.o.Scale.Volunteers)
	for i := range sd.volunteers {
		v := &sd.volunteers[i]
		v.seedPerson = sd.person(first+int64(i), fmt.Sprintf("1371%07d", i), 0.06, 0.02, 0.02)
		v.idNumber = seedIDNumber(i, sd.rng.IntN(len(idRegions)))
		v.districts, v.slots, v.capacity = sd.districts(), sd.availability(), sd.capacity()
		v.mask = domain.SlotMask(v.slots)
		sd.qualifications(v)
	}
	return nil
}

// loadVolunteers loads the planned volunteers, their profiles with the figures of their care requests, their
// qualifications and their consents.
func (sd *seeder) loadVolunteers() error {
	n := len(sd.volunteers)
	people := make([]seedPerson, n)
	for i := range sd.volunteers {
		people[i] = sd.volunteers[i].seedPerson
	}
	if err := sd.copyRows("volunteers", "users", userColumns, n, func(i int) []any { return sd.userRow(people[i], domain.RoleVolunteer) }); err != nil {
		return err
	}
	if err := sd.copyRows("volunteers: profiles", "volunteer_profiles",
		[]string{"user_id", "id_number_masked", "id_number_hash", "districts", "availability", "capacity",
			"vehicle_seats", "subjects", "grade_from", "grade_to", "active_pairings", "rating_sum", "rating_count",
			"confirmed_minutes", "last_offer_at", "offers_day", "offers_that_day"}, n, func(i int) []any {
			v := &sd.volunteers[i]
			var seats, from, to, lastOffer, offersDay any
			if v.seats > 0 {
				seats = v.seats
			}
			if v.gradeFrom >= 0 {
				from, to = v.gradeFrom, v.gradeTo
			}
			f := v.figures
			if !f.lastOffer.IsZero() {
				lastOffer, offersDay = f.lastOffer, domain.Today(f.lastOffer)
			}
			return []any{v.id, domain.MaskIDNumber(v.idNumber), domain.HashIDNumber(sd.idKey, v.idNumber), v.districts,
				v.slots, v.capacity, seats, v.subjects, from, to, f.activePairings, f.ratingSum, f.ratingCount,
				f.confirmedMinutes, lastOffer, offersDay, f.offersThatDay}
		}); err != nil {
		return err
	}
	if err := sd.loadQualifications(); err != nil {
		return err
	}
	return sd.loadConsents("volunteers: consents", people)
}

var idRegions = []string{"330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330122", "330127"}

// seedIDNumber makes the i-th volunteer's ID number: valid, and unique because the birth day and the sequence
// number together encode i.
func seedIDNumber(i, region int) string {
	birth := time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i/1000)*97%13000)
	first17 := fmt.Sprintf("%s%s%03d", idRegions[region], birth.Format("20060102"), i%1000)
	return first17 + string(domain.IDCheckChar(first17))
}

// districts: one to three, the central districts more often than the outlying counties.
func (sd *seeder) districts() []string {
	all := domain.Reference.Districts
	n := 1 + sd.rng.IntN(3)
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		// The square of a uniform number favours the first (central) districts of the list.
		u := sd.rng.Float64()
		d := all[int(u*u*float64(len(all)))].Code
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// availability: three to nine slots of the weekly grid, evenings and weekends more often.
func (sd *seeder) availability() []string {
	var out []string
	for _, day := range domain.Weekdays {
		for _, part := range domain.DayParts {
			p := 0.2
			if part == "eve" || day == "sat" || day == "sun" {
				p = 0.45
			}
			if sd.rng.Float64() < p {
				out = append(out, day+"_"+part)
			}
		}
	}
	if len(out) == 0 {
		out = []string{"sat_am"}
	}
	return out
}

func (sd *seeder) capacity() int {
	switch u := sd.rng.Float64(); {
	case u < 0.25:
		return 1
	case u < 0.75:
		return 2
	case u < 0.95:
		return 3
	}
	return 4 + sd.rng.IntN(2)
}

// qualShares: the share of volunteers holding each qualification.
var qualShares = []struct {
	code  string
	share float64
}{{domain.QualErrands, 0.55}, {domain.QualDriver, 0.35}, {domain.QualTutor, 0.2}, {domain.QualCounsellor, 0.04}}

// tutorOffers are what tutors write they teach, with the subjects (domain.Subjects) and grades (indexes into
// domain.Grades) that says.
var tutorOffers = []struct {
	detail   string
	subjects []string
	from, to int
}{
	{"小学数学", []string{"math"}, 1, 6},
	{"小学语文、英语", []string{"chinese", "english"}, 1, 6},
	{"小学语文、数学、英语", []string{"chinese", "math", "english"}, 1, 6},
	{"幼小衔接、绘本阅读", []string{"reading", "chinese"}, 0, 2},
	{"初中数学、物理", []string{"math", "physics"}, 7, 9},
	{"初中英语", []string{"english"}, 7, 9},
	{"初中物理、化学、生物", []string{"physics", "chemistry", "biology"}, 8, 9},
	{"高中数学", []string{"math"}, 10, 12},
	{"高中化学", []string{"chemistry"}, 10, 12},
	{"高中历史、地理、政治", []string{"history", "geography", "politics"}, 10, 12},
	{"钢琴陪练", []string{"music"}, 0, 9},
	{"少儿美术", []string{"art"}, 0, 9},
	{"少儿体能、篮球", []string{"pe"}, 1, 9},
}

var plateLetters = []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K"}

// qualifications gives a volunteer one or two of errands, driving, tutoring and counselling, in the proportions a
// city's volunteer base has; the active ones' are mostly verified by the coordinator. A driver has a car of four
// to seven seats; a tutor teaches what the qualification's text says.
func (sd *seeder) qualifications(v *seedVolunteer) {
	v.gradeFrom, v.gradeTo = -1, -1
	v.subjects = []string{}
	codes := map[string]bool{}
	for len(codes) == 0 {
		for _, q := range qualShares {
			if sd.rng.Float64() < q.share {
				codes[q.code] = true
			}
		}
	}
	for _, qs := range qualShares {
		code := qs.code
		if !codes[code] {
			continue
		}
		q := seedQual{code: code, status: "pending"}
		switch code {
		case domain.QualDriver:
			q.detail = fmt.Sprintf("浙%s·%05d", pick(sd, plateLetters), sd.rng.IntN(100000))
			v.seats = 4 + sd.rng.IntN(4)
		case domain.QualTutor:
			t := pick(sd, tutorOffers)
			q.detail, v.subjects, v.gradeFrom, v.gradeTo = t.detail, t.subjects, t.from, t.to
		case domain.QualCounsellor:
			q.detail = fmt.Sprintf("心理咨询师二级 20%02d-3301-%04d", 10+sd.rng.IntN(16), sd.rng.IntN(10000))
		}
		if v.status == domain.StatusActive || v.status == domain.StatusSuspended {
			if sd.rng.Float64() < 0.93 {
				q.status, q.decided = "verified", true
			}
		}
		if v.status == domain.StatusRejected {
			q.status, q.decided = "rejected", true
		}
		q.decidedAt = v.createdAt.Add(time.Duration(1+sd.rng.IntN(72)) * time.Hour)
		if q.status == "verified" {
			v.verified = append(v.verified, code)
		}
		v.quals = append(v.quals, q)
	}
}

// loadQualifications loads the volunteers' qualifications as generated.
func (sd *seeder) loadQualifications() error {
	type qual struct {
		user int64
		q    *seedQual
	}
	var rows []qual
	for i := range sd.volunteers {
		v := &sd.volunteers[i]
		for j := range v.quals {
			rows = append(rows, qual{v.id, &v.quals[j]})
		}
	}
	return sd.copyRows("volunteers: qualifications", "volunteer_qualifications",
		[]string{"user_id", "code", "detail", "status", "reason", "decided_by", "decided_at"}, len(rows), func(i int) []any {
			q := rows[i].q
			var by, at any
			reason := ""
			if q.decided {
				by, at = sd.coord, q.decidedAt
			}
			if q.status == "rejected" {
				reason = "证件无法核实"
			}
			return []any{rows[i].user, q.code, q.detail, q.status, reason, by, at}
		})
}

// personName: a common surname, weighted towards the most frequent, and one or two given-name characters.
func (sd *seeder) personName() string {
	s := sd.names.Surnames
	u := sd.rng.Float64()
	return s[int(u*u*float64(len(s)))] + sd.givenName()
}

func (sd *seeder) givenName() string {
	g := pick(sd, sd.names.Given)
	if sd.rng.Float64() < 0.7 {
		g += pick(sd, sd.names.Given)
	}
	return g
}

func pick[T any](sd *seeder, list []T) T { return list[sd.rng.IntN(len(list))] }

// timeBetween is a uniformly random moment in [from, to).
func (sd *seeder) timeBetween(from, to time.Time) time.Time {
	return from.Add(time.Duration(sd.rng.Int64N(int64(to.Sub(from)))))
}
