package repository

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"guanai/domain"
)

// Loading what matching needs. The SQL narrows 60,000 volunteers to those the indexes can rule in (active, the
// qualification verified, the district served, the slots free, under capacity or paired with her, under the daily
// cap, not offered this request yet; a tutor's subject and grades); domain then checks every filter again and
// ranks. Nothing the SQL leaves out could pass domain's filters, so the SQL decides nothing domain does not.

// matchContext is one request as matching reads it, with the program it is asked in.
type matchContext struct {
	req     careRequestRow
	prog    careProgramRow
	occ     []occurrenceRow
	match   domain.MatchRequest
	cat     domain.Category
	pairedV []int64 // volunteers with an active pairing with her in this program, newest first
}

func loadMatchContext(tx *gorm.DB, req careRequestRow) (*matchContext, error) {
	mc := &matchContext{req: req}
	if err := tx.Take(&mc.prog, req.ProgramID).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("request_id = ?", req.ID).Order("starts_at").Find(&mc.occ).Error; err != nil {
		return nil, err
	}
	mc.cat, _ = domain.CategoryByCode(req.Category)
	mc.match = domain.MatchRequest{StaffID: req.StaffID, Category: req.Category, District: req.District,
		Subject: req.Subject}
	if q := mc.prog.Qualification; q != nil {
		mc.match.Qualification = *q
	}
	for _, o := range mc.occ {
		mc.match.Occurrences = append(mc.match.Occurrences, o.window())
	}
	if len(req.ChildIDs) > 0 {
		var grades []string
		if err := tx.Table("staff_children").Where("id IN ? AND user_id = ?", []int64(req.ChildIDs), req.StaffID).
			Pluck("grade", &grades).Error; err != nil {
			return nil, err
		}
		for _, g := range grades {
			mc.match.ChildGrades = append(mc.match.ChildGrades, domain.GradeIndex(g))
		}
	}
	err := tx.Model(&pairingRow{}).Where("staff_id = ? AND program_id = ? AND status = 'active'", req.StaffID, req.ProgramID).
		Order("started_at DESC, id DESC").Pluck("volunteer_id", &mc.pairedV).Error
	return mc, err
}

// neededSlots are the weekly slots every occurrence touches; ok is false when one falls in the night.
func (mc *matchContext) neededSlots() ([]string, bool) {
	var mask uint32
	for _, w := range mc.match.Occurrences {
		m, ok := domain.SlotsOf(w)
		if !ok {
			return nil, false
		}
		mask |= m
	}
	var out []string
	for d, day := range domain.Weekdays {
		for p, part := range domain.DayParts {
			if mask&(1<<(d*3+p)) != 0 {
				out = append(out, day+"_"+part)
			}
		}
	}
	return out, true
}

type candidateRow struct {
	UserID         int64
	Status         string
	Districts      textArray
	Availability   textArray
	Capacity       int
	ActivePairings int
	Subjects       textArray
	GradeFrom      *int
	GradeTo        *int
	RatingSum      int
	RatingCount    int
	LastOfferAt    *time.Time
	OffersDay      *time.Time
	OffersThatDay  int
	Verified       textArray
}

const candidateColumns = `vp.user_id, u.status, vp.districts, vp.availability, vp.capacity, vp.active_pairings,
	vp.subjects, vp.grade_from, vp.grade_to, vp.rating_sum, vp.rating_count, vp.last_offer_at, vp.offers_day,
	vp.offers_that_day,
	ARRAY(SELECT q.code FROM volunteer_qualifications q WHERE q.user_id = vp.user_id AND q.status = 'verified') AS verified`

// scanCandidates reads the rows of a query that selects candidateColumns. It scans each row's columns in
// their order, not through gorm's matching of columns to fields by reflection: a bulk proposal reads a hundred
// thousand such rows, and gorm's scanning was a fifth of its CPU.
func scanCandidates(q *gorm.DB) ([]candidateRow, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidateRow
	for rows.Next() {
		var r candidateRow
		if err := rows.Scan(&r.UserID, &r.Status, &r.Districts, &r.Availability, &r.Capacity, &r.ActivePairings,
			&r.Subjects, &r.GradeFrom, &r.GradeTo, &r.RatingSum, &r.RatingCount, &r.LastOfferAt, &r.OffersDay,
			&r.OffersThatDay, &r.Verified); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// candidates are the volunteers who may be offered the request, as domain's facts (before domain's own checks).
func (mc *matchContext) candidates(tx *gorm.DB, at time.Time) ([]domain.Candidate, error) {
	q, ok := mc.candidateQuery(tx, at, false)
	if !ok {
		return nil, nil // a window in the night: no weekly slot covers it, so nobody is available
	}
	rows, err := scanCandidates(q)
	if err != nil {
		return nil, err
	}
	return mc.facts(tx, rows, domain.Today(at), false)
}

// bestMargin is how many more than it shows the dispatch page reads in ranking's order: room for the first ones
// that domain's own checks (a booking at that time, say) rule out.
const bestMargin = 30

// best are the limit best candidates, in Rank's order, without loading thousands. Rank puts her paired volunteers
// first, then (unless the help is remote) those based in her district, 0 km away, in the order of rankKeys; the
// indexes of migration 00020 hold the profiles in that order, each district's and all. So best reads her paired
// volunteers, then walks the index for the first limit + margin others, of her district or (remote) of any, and
// domain checks and ranks them. Every candidate left unread comes after every one read, so when limit of the read
// ones pass domain's checks they are the limit best of all; when fewer pass, every candidate is loaded and ranked.
// (A round of offers reads them all: it gives a place to the best volunteer waiting longest, from anywhere.)
// tx is a transaction: the planner's settings below hold until it ends.
func (mc *matchContext) best(tx *gorm.DB, at time.Time, limit, margin int) ([]domain.Ranked, error) {
	if _, ok := mc.neededSlots(); !ok {
		return nil, nil // a window in the night: nobody is available
	}
	if err := tx.Exec(plannedForEach).Error; err != nil {
		return nil, err
	}
	rows, err := mc.bestRows(tx, at, limit+margin)
	if err != nil {
		return nil, err
	}
	cands, err := mc.facts(tx, rows, domain.Today(at), false)
	if err != nil {
		return nil, err
	}
	ranked := domain.Rank(mc.match, cands, mc.prog.DailyOfferCap, at)
	if len(ranked) < limit {
		if cands, err = mc.candidates(tx, at); err != nil {
			return nil, err
		}
		ranked = domain.Rank(mc.match, cands, mc.prog.DailyOfferCap, at)
	}
	return ranked[:min(limit, len(ranked))], nil
}

// plannedForEach has PostgreSQL plan best's statements for each request's own values until the transaction ends.
// After five runs of a statement it may settle on a generic plan, which cannot know how many profiles her district
// has: it ANDs the bitmaps of the slot and the district and sorts thousands (100 ms) instead of walking the index
// for the first fifty (2-5 ms).
const plannedForEach = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"

// bestRows are her paired candidates and the first read others in rankKeys's order: of those based in her district
// (the stored districts are the reference data's, so no one's home is unknown to DistrictDistanceKm, which would
// count it as 0 km), or of every district for remote help. Not for a window in the night.
func (mc *matchContext) bestRows(tx *gorm.DB, at time.Time, read int) ([]candidateRow, error) {
	var rows []candidateRow
	if len(mc.pairedV) > 0 {
		q, _ := mc.candidateQuery(tx, at, false)
		paired, err := scanCandidates(q.Where("vp.user_id IN ?", mc.pairedV))
		if err != nil {
			return nil, err
		}
		rows = paired
	}
	q, _ := mc.candidateQuery(tx, at, !mc.cat.Remote)
	others, err := scanCandidates(q.Order(rankKeys).Limit(read))
	for _, r := range others {
		if !slices.Contains(mc.pairedV, r.UserID) {
			rows = append(rows, r)
		}
	}
	return rows, err
}

// rankKeys are the keys of domain.Rank's order after the pairing and the distance, in SQL: the load as a fraction
// of capacity (float8 division is exact enough: equal fractions divide to the same number, and different ones of
// such small numbers never meet), the rating in tenths (domain.RatingTenths in PostgreSQL's integer arithmetic,
// which truncates as Go does for positive numbers; an unrated volunteer as 4.0), never offered, the oldest last
// offer, the lower id. Only her paired volunteers can have no capacity; they are read apart. The indexes of
// migration 00020 are on these expressions, written the same way.
const rankKeys = `vp.active_pairings::float8 / NULLIF(vp.capacity, 0),
	CASE WHEN vp.rating_count > 0 THEN (20 * vp.rating_sum + vp.rating_count) / (2 * vp.rating_count) ELSE 40 END DESC,
	vp.last_offer_at IS NULL DESC, vp.last_offer_at, vp.user_id`

// candidateSQL is the candidate query as SQL with its values written in, for EXPLAIN; "" for a window in the
// night, which needs no query.
func (mc *matchContext) candidateSQL(tx *gorm.DB, at time.Time) string {
	if _, ok := mc.neededSlots(); !ok {
		return ""
	}
	return tx.ToSQL(func(tx *gorm.DB) *gorm.DB {
		q, _ := mc.candidateQuery(tx, at, false)
		var rows []candidateRow
		return q.Scan(&rows)
	})
}

// candidateQuery is the query of candidates; ok is false for a window in the night. basedHere asks only for those
// based in her district rather than all who serve it: one condition, not the two that the planner would take for
// independent and so expect a tenth of the rows.
func (mc *matchContext) candidateQuery(tx *gorm.DB, at time.Time, basedHere bool) (*gorm.DB, bool) {
	slots, ok := mc.neededSlots()
	if !ok {
		return nil, false
	}
	today := domain.Today(at)
	q := tx.Table("volunteer_profiles vp").Select(candidateColumns).
		Joins("JOIN users u ON u.id = vp.user_id").
		Where("u.role = 'volunteer' AND u.status = 'active'").
		Where("vp.availability @> ?::text[]", textArray(slots)).
		Where("(vp.active_pairings < vp.capacity OR vp.user_id IN ?)", append([]int64{0}, mc.pairedV...)).
		Where("(vp.offers_day IS DISTINCT FROM ? OR vp.offers_that_day < ?)", today, mc.prog.DailyOfferCap).
		Where("NOT EXISTS (SELECT 1 FROM care_offers o WHERE o.request_id = ? AND o.volunteer_id = vp.user_id)", mc.req.ID).
		Where("NOT EXISTS (SELECT 1 FROM pairings p WHERE p.staff_id = ? AND p.volunteer_id = vp.user_id AND p.no_repeat)", mc.req.StaffID)
	switch {
	case basedHere:
		q = q.Where("vp.districts[1] = ?", mc.req.District)
	case !mc.cat.Remote:
		q = q.Where("vp.districts @> ARRAY[?]::text[]", mc.req.District)
	}
	if mc.cat.Qualification == domain.QualTutor { // a tutor teaches the subject and her children's grades
		if mc.match.Subject != "" {
			q = q.Where("vp.subjects @> ARRAY[?]::text[]", mc.match.Subject)
		}
		for _, g := range slices.Compact(slices.Sorted(slices.Values(mc.match.ChildGrades))) {
			q = q.Where("(vp.grade_from IS NULL OR vp.grade_to IS NULL OR ? BETWEEN vp.grade_from AND vp.grade_to)", g)
		}
	}
	for i, qual := range []string{mc.cat.Qualification, mc.match.Qualification} {
		if qual != "" && (i == 0 || qual != mc.cat.Qualification) { // asked once when the program asks the category's
			q = q.Where(`EXISTS (SELECT 1 FROM volunteer_qualifications q WHERE q.user_id = vp.user_id AND q.code = ?
				AND q.status = 'verified')`, qual)
		}
	}
	return q, true
}

// candidate is one volunteer's facts for the request, whatever they are: for an acceptance's second look and a
// coordinator's hand assignment. found is false when they are no volunteer.
func (mc *matchContext) candidate(tx *gorm.DB, volunteerID int64, at time.Time) (domain.Candidate, bool, error) {
	var rows []candidateRow
	err := tx.Table("volunteer_profiles vp").Select(candidateColumns).Joins("JOIN users u ON u.id = vp.user_id").
		Where("vp.user_id = ? AND u.role = 'volunteer'", volunteerID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return domain.Candidate{}, false, err
	}
	facts, err := mc.facts(tx, rows, domain.Today(at), true)
	if err != nil {
		return domain.Candidate{}, false, err
	}
	return facts[0], true, nil
}

// facts completes the rows with what is known of the pair and the volunteers' bookings. lookOffered reads whether
// each was offered the request already (the candidate query has left those out).
func (mc *matchContext) facts(tx *gorm.DB, rows []candidateRow, today time.Time, lookOffered bool) ([]domain.Candidate, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	booked, err := bookings(tx, ids, mc.req.ID, mc.match)
	if err != nil {
		return nil, err
	}
	// every pairing she has had: a handful, cheaper than naming thousands of candidates
	var pairs []pairingRow
	if err := tx.Where("staff_id = ?", mc.req.StaffID).Find(&pairs).Error; err != nil {
		return nil, err
	}
	var offered []int64
	if lookOffered {
		if err := tx.Model(&offerRow{}).Where("request_id = ? AND volunteer_id IN ?", mc.req.ID, append(ids, 0)).
			Pluck("volunteer_id", &offered).Error; err != nil {
			return nil, err
		}
	}
	out := make([]domain.Candidate, len(rows))
	for i, r := range rows {
		c := domain.Candidate{VolunteerID: r.UserID, Active: r.Status == string(domain.StatusActive),
			Verified: r.Verified, Districts: r.Districts, Slots: domain.SlotMask(r.Availability),
			Capacity: r.Capacity, ActivePairings: r.ActivePairings, Subjects: r.Subjects, GradeFrom: -1, GradeTo: -1,
			RatingSum: r.RatingSum, RatingCount: r.RatingCount, Booked: booked[r.UserID],
			AlreadyOffered: slices.Contains(offered, r.UserID)}
		if r.GradeFrom != nil && r.GradeTo != nil {
			c.GradeFrom, c.GradeTo = *r.GradeFrom, *r.GradeTo
		}
		if r.LastOfferAt != nil {
			c.LastOfferAt = *r.LastOfferAt
		}
		if r.OffersDay != nil && sameDate(*r.OffersDay, today) {
			c.OffersToday = r.OffersThatDay
		}
		for _, p := range pairs {
			if p.VolunteerID != r.UserID {
				continue
			}
			switch {
			case p.NoRepeat:
				c.NoRepeat = true
			case p.Status == domain.PairingActive && p.ProgramID == mc.req.ProgramID:
				c.PairedWithHer = true
			default:
				c.PairedBefore = true
			}
		}
		out[i] = c
	}
	return out, nil
}

// sameDate reports whether two times fall on the same date, each in its own zone (as Format(time.DateOnly) would
// say, without formatting both for every candidate of every request).
func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// bookings are the occurrences the volunteers are booked for, other than this request's, that could overlap it.
const namedCandidates = 100

func bookings(tx *gorm.DB, ids []int64, requestID int64, m domain.MatchRequest) (map[int64][]domain.Window, error) {
	out := map[int64][]domain.Window{}
	if len(ids) == 0 || len(m.Occurrences) == 0 {
		return out, nil
	}
	var rows []struct {
		VolunteerID      int64
		StartsAt, EndsAt time.Time
	}
	q := tx.Table("care_requests r").Select("r.volunteer_id, o.starts_at, o.ends_at").
		Joins("JOIN care_occurrences o ON o.request_id = r.id").
		Where("r.status IN ('matched', 'in_service') AND r.id <> ?", requestID).
		Where("o.ends_at > ? AND o.starts_at < ?", m.Occurrences[0].Start, m.Occurrences[len(m.Occurrences)-1].End)
	// A few candidates are named; for thousands, every booking in the window is read (the requests under way are
	// few beside the volunteers, and the list of ids would cost more than the rows it saves).
	if len(ids) <= namedCandidates {
		q = q.Where("r.volunteer_id IN ?", ids)
	}
	err := q.Scan(&rows).Error
	for _, r := range rows {
		out[r.VolunteerID] = append(out[r.VolunteerID], domain.Window{Start: r.StartsAt, End: r.EndsAt})
	}
	return out, err
}
