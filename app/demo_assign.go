package app

import (
	"context"
	"strconv"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// The demo's morning to plan: three rides next Saturday morning held for the coordinator's plan, so 建议分配 on the
// board (with that Saturday as the date) has something to propose. They are asked while the admin has the
// one-to-one program hold its scheduled requests for 12 hours, which is then set back, so the demo's other live
// requests keep going out at once. Made again only when none of them is still waiting.

// demoPlanHours is how long the demo's held rides wait for the plan.
const demoPlanHours = 12

// demoPlanDay is the Saturday of the demo's morning to plan: the next one far enough ahead to hold rides for.
func demoPlanDay(now time.Time) time.Time {
	sat := domain.Today(now).AddDate(0, 0, 1)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	if sat.Add(7 * time.Hour).Add(-demoPlanHours * time.Hour).Before(now) {
		sat = sat.AddDate(0, 0, 7) // this Saturday is too close to hold anything for
	}
	return sat
}

func (d *demoCare) morningToPlan(ctx context.Context) error {
	now := d.store.Now()
	sat := demoPlanDay(now)
	// One by one, her urgent ride goes to 赵志强, her paired volunteer, and the ride in 拱墅区 at the same time, which
	// only he can give, to nobody; the proposal gives hers to 郑凯 and all three go.
	rides := []struct{ staff, urgency, from, to, district, pickup string }{
		{liuXiaoyan, domain.UrgencyUrgent, "07:00", "08:00", "shangcheng", "上城区庆春路79号"},
		{wuJing, domain.UrgencyNormal, "07:30", "08:30", "gongshu", "拱墅区莫干山路"},
		{sunLihua, domain.UrgencyNormal, "08:30", "09:30", "shangcheng", "上城区解放路"},
	}
	for _, r := range rides {
		held, err := d.store.RequestsOfStaff(ctx, d.staff[r.staff].UserID, domain.RequestSubmitted)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Category == domain.CategoryTransport && h.StartsAt.After(now) {
				return nil // the morning is still waiting for its plan
			}
		}
	}
	admin, err := d.store.UserByPhone(ctx, demoOperators[0].Phone)
	if err != nil {
		return err
	}
	adminActor := repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "demo"}
	if err := d.setPlanHours(ctx, adminActor, demoPlanHours); err != nil {
		return err
	}
	for _, r := range rides {
		if _, err := d.store.SubmitRequest(ctx, d.staff[r.staff], "one_to_one", domain.RequestForm{
			Category: domain.CategoryTransport, Urgency: r.urgency, Date: sat.Format(time.DateOnly),
			From: r.from, To: r.to, District: r.district, Pickup: r.pickup, Destination: "浙江大学医学院附属第一医院",
			Details: "周六早班，8 点前到医院。"}); err != nil {
			return err
		}
	}
	return d.setPlanHours(ctx, adminActor, 0)
}

// setPlanHours is the admin changing the one-to-one program's plan hours, as the program's edit page would.
func (d *demoCare) setPlanHours(ctx context.Context, admin repository.Actor, hours int) error {
	progs, err := d.store.ProgramList(ctx)
	if err != nil {
		return err
	}
	for _, pr := range progs {
		if pr.Code != "one_to_one" {
			continue
		}
		f := programFormOf(pr)
		f.Assignment["plan_hours"] = strconv.Itoa(hours)
		return d.store.UpdateProgram(ctx, admin, pr.ID, f)
	}
	return nil
}
