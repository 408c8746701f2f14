package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// The demo's care requests. The story of the past weeks is told once, through the same operations the pages use,
// on a clock set to when each step happened: a ride given and rated, a recurring online companionship under way,
// a counselling session waiting for her confirmation, a request cancelled, one nobody could take. What is live is
// made fresh on every run, so whenever the demo starts there are offers waiting in the volunteers' inboxes and an
// emergency with the coordinators.

// demoClock is the clock the demo's story is told on.
type demoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// demoCare is who the demo's requests are about.
type demoCare struct {
	store       *repository.Store
	past        *repository.Store // the same database, on clock
	clock       *demoClock
	staff       map[string]repository.Actor // by demo phone
	volunteers  map[string]repository.Actor
	coordinator repository.Actor
}

func seedDemoCare(ctx context.Context, store *repository.Store) error {
	d := &demoCare{store: store, clock: &demoClock{}, staff: map[string]repository.Actor{}, volunteers: map[string]repository.Actor{}}
	d.past = store.WithClock(d.clock)
	if err := d.lookUp(ctx); err != nil {
		return err
	}
	told, err := store.HasCareRequests(ctx)
	if err != nil {
		return err
	}
	if !told {
		if err := d.tellThePast(ctx); err != nil {
			return fmt.Errorf("the past weeks: %w", err)
		}
	}
	if err := d.freshen(ctx); err != nil {
		return err
	}
	return d.morningToPlan(ctx) // demo_assign.go
}

func (d *demoCare) lookUp(ctx context.Context) error {
	for i := range demoStaff {
		phone := fmt.Sprintf("1390000000%d", i+1)
		u, err := d.store.UserByPhone(ctx, phone)
		if err != nil {
			return err
		}
		d.staff[phone] = repository.Actor{UserID: u.ID, Role: domain.RoleStaff, IP: "demo"}
	}
	for i := range demoVolunteers {
		phone := fmt.Sprintf("137%08d", i+1)
		u, err := d.store.UserByPhone(ctx, phone)
		if err != nil {
			return err
		}
		d.volunteers[phone] = repository.Actor{UserID: u.ID, Role: domain.RoleVolunteer, IP: "demo"}
	}
	c, err := d.store.UserByPhone(ctx, demoOperators[2].Phone)
	d.coordinator = repository.Actor{UserID: c.ID, Role: domain.RoleCoordinator, IP: "demo"}
	return err
}

// Who is who in the story (see demoStaff and demoVolunteers).
const (
	liuXiaoyan   = "13900000001" // 上城区, a nurse: rides
	zhouJianguo  = "13900000002" // 西湖区, a doctor with two children: online companionship for the elder
	wuJing       = "13900000003" // 拱墅区: counselling
	sunLihua     = "13900000004" // 拱墅区: errands
	zhengHaifeng = "13900000005" // 萧山区, where no demo volunteer drives
	zhaoZhiqiang = "13700000001" // drives in 上城区 and 拱墅区, runs errands
	liYutong     = "13700000004" // tutors, runs errands in 拱墅区
	wangFang     = "13700000008" // a counsellor
)

// lastSaturday is the Saturday at least 14 days before now, at 08:00 in Shanghai.
func lastSaturday(now time.Time) time.Time {
	d := domain.Today(now).AddDate(0, 0, -14)
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, -1)
	}
	return d.Add(8 * time.Hour)
}

func (d *demoCare) tellThePast(ctx context.Context) error {
	sat := lastSaturday(d.store.Now())
	steps := []func(context.Context, time.Time) error{d.rideGivenAndRated, d.companionshipUnderWay,
		d.counsellingToConfirm, d.errandCancelled, d.rideNobodyCouldTake}
	for _, step := range steps {
		if err := step(ctx, sat); err != nil {
			return err
		}
	}
	return nil
}

func onDay(day time.Time, hhmm string) time.Time {
	t, _ := time.Parse("15:04", hhmm)
	return domain.Today(day).Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// submitAt submits a request as if at t.
func (d *demoCare) submitAt(ctx context.Context, t time.Time, staff, program string, f domain.RequestForm) (int64, error) {
	d.clock.set(t)
	return d.past.SubmitRequest(ctx, d.staff[staff], program, f)
}

// acceptAt has the volunteer accept their offer of the request at t; if they were not offered it, the first
// volunteer who was accepts, and that volunteer is returned.
func (d *demoCare) acceptAt(ctx context.Context, t time.Time, requestID int64, want string) (repository.Actor, error) {
	d.clock.set(t)
	offers, err := d.past.OffersOfRequest(ctx, requestID)
	if err != nil || len(offers) == 0 {
		return repository.Actor{}, cmpErr(err, fmt.Errorf("request %d was offered to nobody", requestID))
	}
	pick := offers[0]
	for _, o := range offers {
		if o.VolunteerID == d.volunteers[want].UserID {
			pick = o
		}
	}
	v := repository.Actor{UserID: pick.VolunteerID, Role: domain.RoleVolunteer, IP: "demo"}
	_, err = d.past.AcceptOffer(ctx, v, pick.ID)
	return v, err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// serveAt checks the volunteer in at in and out at out, and returns the service.
func (d *demoCare) serveAt(ctx context.Context, v repository.Actor, requestID int64, in, out time.Time, note string) (int64, error) {
	d.clock.set(in)
	sv, err := d.past.CheckIn(ctx, v, requestID)
	if err != nil {
		return 0, err
	}
	d.clock.set(out)
	return sv, d.past.CheckOut(ctx, v, sv, note)
}

func (d *demoCare) rideGivenAndRated(ctx context.Context, sat time.Time) error {
	id, err := d.submitAt(ctx, sat, liuXiaoyan, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport,
		Urgency: domain.UrgencyNormal, Date: sat.Format(time.DateOnly), From: "09:00", To: "10:00", District: "shangcheng",
		Pickup: "上城区庆春路79号", Destination: "浙江大学医学院附属第一医院", Details: "夜班后回家，需要接送，行李不多。"})
	if err != nil {
		return err
	}
	v, err := d.acceptAt(ctx, sat.Add(7*time.Minute), id, zhaoZhiqiang)
	if err != nil {
		return err
	}
	if _, err := d.serveAt(ctx, v, id, onDay(sat, "08:52"), onDay(sat, "09:48"), "已安全送达，路上顺利。"); err != nil {
		return err
	}
	d.clock.set(onDay(sat, "10:30"))
	return d.past.CloseRequest(ctx, d.staff[liuXiaoyan], id, 5, "准时又贴心，谢谢！")
}

// companionshipUnderWay: online companionship for 周子涵 every Saturday for five weeks, the past ones given.
func (d *demoCare) companionshipUnderWay(ctx context.Context, sat time.Time) error {
	children, err := d.past.ChildIDsOf(ctx, d.staff[zhouJianguo].UserID)
	if err != nil || len(children) == 0 {
		return cmpErr(err, errors.New("周建国 has no children on record"))
	}
	id, err := d.submitAt(ctx, sat.Add(10*time.Minute), zhouJianguo, "tutoring", domain.RequestForm{
		Category: domain.CategoryCompanionship, Urgency: domain.UrgencyNormal, Recurring: true, Weekdays: []string{"sat"},
		From: "10:00", To: "11:00", FirstDate: sat.Format(time.DateOnly), LastDate: sat.AddDate(0, 0, 28).Format(time.DateOnly),
		District: "xihu", ChildIDs: children[:1], Subject: "math", Consent: true,
		Details: "孩子初二，数学跟不上，希望每周陪她做作业、聊聊天。"})
	if err != nil {
		return err
	}
	v, err := d.acceptAt(ctx, sat.Add(40*time.Minute), id, "13700000003")
	if err != nil {
		return err
	}
	occ, err := d.past.OccurrencesOf(ctx, id)
	if err != nil {
		return err
	}
	for i, o := range occ {
		if o.End.After(d.store.Now().Add(-time.Hour)) {
			break
		}
		sv, err := d.serveAt(ctx, v, id, o.Start.Add(-5*time.Minute), o.End, "一起做了几何题，状态不错。")
		if err != nil {
			return err
		}
		if i == 0 {
			d.clock.set(o.End.Add(2 * time.Hour))
			if err := d.past.ConfirmService(ctx, d.staff[zhouJianguo], sv); err != nil {
				return err
			}
		}
	}
	return nil
}

// counsellingToConfirm: a session given on the latest evening or weekend morning a counsellor was free, which she
// has still to confirm.
func (d *demoCare) counsellingToConfirm(ctx context.Context, _ time.Time) error {
	day, from, to := latestFreeSlot(d.store.Now())
	id, err := d.submitAt(ctx, day.Add(-20*time.Hour), wuJing, "counselling", domain.RequestForm{
		Category: domain.CategoryCounselling, Urgency: domain.UrgencyNormal, Date: day.Format(time.DateOnly),
		From: from, To: to, District: "gongshu", Consent: true, Details: "连续值班后睡不好，想找人聊聊。"})
	if err != nil {
		return err
	}
	v, err := d.acceptAt(ctx, day.Add(-19*time.Hour), id, wangFang)
	if err != nil {
		return err
	}
	_, err = d.serveAt(ctx, v, id, onDay(day, from), onDay(day, to), "电话疏导一小时，约定下周再聊。")
	return err
}

// latestFreeSlot is the latest demo slot (Monday or Wednesday evening, a weekend morning) that ended over two hours
// ago, as its day and hours.
func latestFreeSlot(now time.Time) (day time.Time, from, to string) {
	for d := domain.Today(now); ; d = d.AddDate(0, 0, -1) {
		from, to = "", ""
		switch d.Weekday() {
		case time.Monday, time.Wednesday:
			from, to = "19:00", "20:00"
		case time.Saturday, time.Sunday:
			from, to = "09:00", "10:00"
		}
		if from != "" && onDay(d, to).Before(now.Add(-2*time.Hour)) {
			return d, from, to
		}
	}
}

func (d *demoCare) errandCancelled(ctx context.Context, sat time.Time) error {
	id, err := d.submitAt(ctx, sat.Add(15*time.Minute), sunLihua, "one_to_one", domain.RequestForm{
		Category: domain.CategoryErrand, Urgency: domain.UrgencyUrgent, Date: sat.Format(time.DateOnly), From: "09:00",
		To: "10:00", District: "gongshu", Place: "拱墅区明石路", Details: "帮忙去药店取药。"})
	if err != nil {
		return err
	}
	d.clock.set(sat.Add(25 * time.Minute))
	return d.past.CancelRequest(ctx, d.staff[sunLihua], id, "家人已经帮忙取了")
}

// rideNobodyCouldTake: nobody drives in 萧山区, so the request went to the coordinators, and its time passed.
func (d *demoCare) rideNobodyCouldTake(ctx context.Context, sat time.Time) error {
	_, err := d.submitAt(ctx, sat.Add(20*time.Minute), zhengHaifeng, "one_to_one", domain.RequestForm{
		Category: domain.CategoryTransport, Urgency: domain.UrgencyUrgent, Date: sat.Format(time.DateOnly), From: "09:00",
		To: "10:00", District: "xiaoshan", Pickup: "萧山区城厢街道", Destination: "杭州市萧山区第一人民医院"})
	return err
}

// freshen makes what must be live whenever the demo runs: a recurring weekend ride offered to her paired volunteer,
// an errand offered to two volunteers, and an emergency with the coordinators. A stale one (its offers run out, or
// its window begun) is cancelled and made again.
func (d *demoCare) freshen(ctx context.Context) error {
	now := d.store.Now()
	sat := domain.Today(now).AddDate(0, 0, 1)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	live := []struct {
		staff, program string
		form           domain.RequestForm
		escalated      bool
	}{
		{liuXiaoyan, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
			Recurring: true, Weekdays: []string{"sat", "sun"}, From: "09:00", To: "10:00", FirstDate: sat.Format(time.DateOnly),
			LastDate: sat.AddDate(0, 0, 8).Format(time.DateOnly), District: "shangcheng", Pickup: "上城区庆春路79号",
			Destination: "浙江大学医学院附属第一医院", Details: "周末两周的早班，每天 9 点前到医院。"}, false},
		{sunLihua, "one_to_one", domain.RequestForm{Category: domain.CategoryErrand, Urgency: domain.UrgencyUrgent,
			Date: sat.Format(time.DateOnly), From: "09:00", To: "10:00", District: "gongshu", Place: "拱墅区明石路",
			Details: "帮忙买一周的菜送到家门口。"}, false},
		{zhengHaifeng, "one_to_one", emergencyRide(now), true},
	}
	for _, l := range live {
		if err := d.keepLive(ctx, l.staff, l.program, l.form, l.escalated); err != nil {
			return err
		}
	}
	return nil
}

// emergencyRide is an emergency ride in 萧山区 starting within the next hours (not across midnight).
func emergencyRide(now time.Time) domain.RequestForm {
	start := now.In(domain.Shanghai).Truncate(10 * time.Minute).Add(70 * time.Minute)
	if start.Hour() >= 23 || start.Hour() < 6 {
		start = domain.Today(now).AddDate(0, 0, 1).Add(7 * time.Hour)
		if now.In(domain.Shanghai).Hour() < 6 {
			start = domain.Today(now).Add(7 * time.Hour)
		}
	}
	return domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyEmergency,
		Date: start.Format(time.DateOnly), From: start.Format("15:04"), To: start.Add(time.Hour).Format("15:04"),
		District: "xiaoshan", Pickup: "萧山区城厢街道", Destination: "杭州市萧山区第一人民医院",
		Details: "孩子高烧，夜班刚下，需要马上送医院。"}
}

// keepLive makes sure the staff member has a live request of the form's category: offers pending and not run out,
// or (escalated) with the coordinators and not begun.
func (d *demoCare) keepLive(ctx context.Context, staff, program string, f domain.RequestForm, escalated bool) error {
	open, err := d.store.RequestsOfStaff(ctx, d.staff[staff].UserID, domain.RequestDispatching, domain.RequestEscalated)
	if err != nil {
		return err
	}
	now := d.store.Now()
	for _, r := range open {
		if r.Category != f.Category || r.Urgency != f.Urgency {
			continue
		}
		fresh, err := d.isLive(ctx, r, now, escalated)
		if err != nil || fresh {
			return err
		}
		if err := d.store.CancelRequest(ctx, d.staff[staff], r.ID, "演示数据已更新"); err != nil {
			return err
		}
	}
	_, err = d.store.SubmitRequest(ctx, d.staff[staff], program, f)
	return err
}

func (d *demoCare) isLive(ctx context.Context, r repository.RequestBrief, now time.Time, escalated bool) (bool, error) {
	if !r.StartsAt.After(now.Add(30 * time.Minute)) {
		return false, nil
	}
	if escalated {
		return r.Status == domain.RequestEscalated, nil
	}
	offers, err := d.store.OffersOfRequest(ctx, r.ID)
	for _, o := range offers {
		if o.Status == domain.OfferPending && o.ExpiresAt.After(now.Add(15*time.Minute)) {
			return true, err
		}
	}
	return false, err
}
