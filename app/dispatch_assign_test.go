package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func init() { authzMatrices = append(authzMatrices, assignMatrix) }

// The auditor reads a proposal (as they read the board); only dispatchers make and confirm one.
var assignMatrix = map[string][]domain.Role{
	"GET /admin/dispatch/assignments/new":          coord,
	"POST /admin/dispatch/assignments":             coord,
	"GET /admin/dispatch/assignments/:id":          readers,
	"POST /admin/dispatch/assignments/:id/confirm": coord,
}

// holdForPlan makes the one-to-one program keep its scheduled requests for the coordinator's plan.
func (f *dispatchFixture) holdForPlan() {
	f.t.Helper()
	if _, err := f.ta.store.SQL().Exec(`UPDATE programs SET plan_hours = 12 WHERE code = 'one_to_one'`); err != nil {
		f.t.Fatal(err)
	}
}

func TestCoordinatorProposesReviewsAndConfirmsABulkAssignment(t *testing.T) {
	f := newDispatchFixture(t)
	f.holdForPlan()
	// in the afternoon: the demo's own morning to plan is left out of this period
	first := f.ride(domain.UrgencyNormal, time.Saturday, "14:00", "15:00")
	second := f.ride(domain.UrgencyUrgent, time.Saturday, "15:00", "16:00")
	for _, id := range []int64{first, second} {
		if s := f.status(id); s != domain.RequestSubmitted {
			t.Fatalf("request %d is %s, want held for the plan", id, s)
		}
	}
	coord := f.login(coordinatorPhone)
	board := coord.get("/admin/dispatch")
	tomorrow := domain.Today(f.clock.Now()).AddDate(0, 0, 1).Format(time.DateOnly)
	mustContain(t, board, "建议分配", `action="/admin/dispatch/assignments"`, `value="`+tomorrow+`"`, `value="06:00"`,
		`value="10:00"`, `<option value="one_to_one" selected>`)

	r := coord.post("/admin/dispatch/assignments", url.Values{"program": {"one_to_one"}, "date": {f.day(time.Saturday)},
		"from": {"13:00"}, "to": {"17:00"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/dispatch/assignments/") {
		t.Fatalf("propose: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	page := r.Location
	if n := f.one(`SELECT count(*) FROM care_offers WHERE request_id IN ($1, $2)`, first, second); n != 0 {
		t.Fatalf("proposing sent %d offers", n)
	}
	r = coord.get(page)
	if r.Status != http.StatusOK {
		t.Fatalf("review: %d", r.Status)
	}
	mustContain(t, r, "分配建议", "分配 2 个需求，0 个未能分配", "#"+itoa(first)+" ", "#"+itoa(second)+" ",
		`name="keep" value="`+itoa(first)+`" checked`, `name="keep" value="`+itoa(second)+`" checked`,
		// she is paired with 赵志强 in the demo: both touching rides go to him, at no cost of continuity
		"赵志强", "结对中 · 同区 · 负载 1/2 · 近 7 天", "成本：距离 0 · 连续性 0 · 负载 0", "确认并发出邀请")

	// The auditor reads it, without the means to confirm.
	audit := f.login(auditorPhone).get(page)
	if audit.Status != http.StatusOK {
		t.Fatalf("auditor review: %d", audit.Status)
	}
	mustNotContain(t, audit, `name="keep"`, "确认并发出邀请")
	mustNotContain(t, f.login(auditorPhone).get("/admin/dispatch"), `action="/admin/dispatch/assignments"`)

	// The coordinator drops the second pair and confirms the first.
	r = coord.post(page+"/confirm", url.Values{"keep": {itoa(first)}})
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("confirm: %d %s", r.Status, r.Location)
	}
	r = coord.get(page)
	mustContain(t, r, "已发出 1 个邀请，跳过 0 个，去掉 1 个", "已发出邀请", "已去掉", "确认人")
	mustNotContain(t, r, `name="keep"`)
	if n := f.one(`SELECT count(*) FROM care_offers WHERE request_id = $1 AND status = 'pending' AND reasons LIKE 'bulk|%'`, first); n != 1 {
		t.Errorf("%d bulk offers of the first ride, want 1", n)
	}
	if s := f.status(second); s != domain.RequestSubmitted {
		t.Errorf("the dropped ride is %s, want still held", s)
	}
	// The board's request page shows the offer with the proposal's words.
	mustContain(t, coord.get("/admin/dispatch/requests/"+itoa(first)), "批量分配 · 结对中", "协调员批量分配给")

	// A second press (a double click, a colleague) is refused in words.
	r = coord.post(page+"/confirm", url.Values{"keep": {itoa(first), itoa(second)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("second confirm: %d", r.Status)
	}
	mustContain(t, coord.get(page), "这个分配建议已经确认过了")
	if n := f.one(`SELECT count(*) FROM care_offers WHERE request_id = $1`, second); n != 0 {
		t.Error("the second press sent the dropped ride's offer")
	}
	if n := f.one(`SELECT count(*) FROM audit_events WHERE action IN ('request.bulk_propose', 'request.bulk_confirm')`); n != 2 {
		t.Errorf("%d bulk audit events, want the proposal and the confirmation", n)
	}
	mustContain(t, coord.get("/admin/dispatch/assignments/new"), "最近的分配建议", "2 个需求中分配了 2 个", "已确认")
}

func TestBadPeriodBringsTheFormBackWithItsValues(t *testing.T) {
	f := newDispatchFixture(t)
	coord := f.login(coordinatorPhone)
	r := coord.post("/admin/dispatch/assignments", url.Values{"program": {"one_to_one"}, "date": {"2026-13-40"},
		"from": {"10:00"}, "to": {"9点"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad period: %d", r.Status)
	}
	mustContain(t, r, "请填写日期，如 2026-12-08", "请填写时间，如 06:00", `value="2026-13-40"`, `value="10:00"`, `value="9点"`)
	r = coord.post("/admin/dispatch/assignments", url.Values{"program": {"one_to_one"}, "date": {f.day(time.Saturday)},
		"from": {"10:00"}, "to": {"06:00"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reversed period: %d", r.Status)
	}
	mustContain(t, r, "结束时间须晚于开始时间")
	r = coord.post("/admin/dispatch/assignments", url.Values{"program": {"child_classes"}, "date": {f.day(time.Saturday)},
		"from": {"06:00"}, "to": {"10:00"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a benefit program: %d", r.Status)
	}
	if n := f.one(`SELECT count(*) FROM assignment_proposals`); n != 0 {
		t.Errorf("%d proposals kept from bad input", n)
	}
	// In English too.
	coord.post("/lang", url.Values{"lang": {"en"}})
	r = coord.post("/admin/dispatch/assignments", url.Values{"program": {"one_to_one"}, "date": {f.day(time.Saturday)},
		"from": {"10:00"}, "to": {"06:00"}})
	mustContain(t, r, "The end must be after the start")
}

// budgetAssignment is a kept proposal of two held rides, for the query budget.
func budgetAssignment(ta *testApp) string {
	ta.t.Helper()
	ctx := context.Background()
	staff, err := ta.store.UserByPhone(ctx, "13900000001")
	if err != nil {
		ta.t.Fatal(err)
	}
	coord, err := ta.store.UserByPhone(ctx, coordinatorPhone)
	if err != nil {
		ta.t.Fatal(err)
	}
	f := &dispatchFixture{t: ta.t, ta: ta, clock: testdb.NewClock(ta.store.Now()), staff: staff}
	f.holdForPlan()
	f.ride(domain.UrgencyNormal, time.Saturday, "08:00", "09:00")
	f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	id, err := ta.store.ProposeAssignment(ctx, repository.Actor{UserID: coord.ID, Role: domain.RoleCoordinator},
		domain.AssignmentForm{Program: "one_to_one", Date: f.day(time.Saturday), From: "06:00", To: "12:00"})
	if err != nil {
		ta.t.Fatal(err)
	}
	return "/admin/dispatch/assignments/" + itoa64(id)
}

func TestAdminSetsTheWeightsAndPlanHours(t *testing.T) {
	ta := newTestApp(t)
	adm, _ := ta.account(domain.RoleAdmin, "13800009001")
	id := programID(t, ta, "one_to_one")
	edit := adm.get("/admin/programs/" + id + "/edit")
	mustContain(t, edit, "批量分配", `name="assign_distance_weight" inputmode="numeric" maxlength="3" value="2"`,
		`name="assign_continuity_weight" inputmode="numeric" maxlength="3" value="40"`, `name="plan_hours" inputmode="numeric" maxlength="3" value="0"`)
	form := url.Values{"name_zh": {"志愿者一对一帮扶"}, "name_en": {"One-to-one help"}, "active": {"yes"},
		"offers_emergency": {"5"}, "minutes_emergency": {"10"}, "offers_urgent": {"3"}, "minutes_urgent": {"30"},
		"offers_normal": {"3"}, "minutes_normal": {"120"}, "daily_offer_cap": {"5"},
		"assign_distance_weight": {"101"}, "assign_load_weight": {"3"}, "assign_continuity_weight": {""},
		"assign_fairness_weight": {"5"}, "plan_hours": {"12"}}
	r := adm.post("/admin/programs/"+id, form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad weights: %d", r.Status)
	}
	mustContain(t, r, "请填写 0 到 100 的整数", `value="101"`, `value="12"`)
	form.Set("assign_distance_weight", "0")
	form.Set("assign_continuity_weight", "90")
	if r := adm.post("/admin/programs/"+id, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.Status, r.Body)
	}
	var dist, cont, plan int
	if err := ta.store.SQL().QueryRow(`SELECT assign_distance_weight, assign_continuity_weight, plan_hours FROM programs
		WHERE code = 'one_to_one'`).Scan(&dist, &cont, &plan); err != nil {
		t.Fatal(err)
	}
	if dist != 0 || cont != 90 || plan != 12 {
		t.Errorf("saved distance %d, continuity %d, plan hours %d", dist, cont, plan)
	}
	_, after := auditChange(t, ta, "program.update", id)
	if after["plan_hours"] != 12.0 || after["assign_continuity_weight"] != 90.0 {
		t.Errorf("audited %v", after)
	}
}

// The demo leaves a Saturday morning of rides waiting for the plan, which a coordinator can propose and confirm.
func TestDemoHasAMorningToPlan(t *testing.T) {
	f := newDispatchFixture(t)
	coord := f.login(coordinatorPhone)
	r := coord.post("/admin/dispatch/assignments", url.Values{"program": {"one_to_one"},
		"date": {demoPlanDay(f.clock.Now()).Format(time.DateOnly)}, "from": {"06:00"}, "to": {"10:00"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("propose: %d\n%s", r.Status, r.Body)
	}
	r = coord.get(r.Location)
	// one by one, 赵志强 would take her urgent ride and the one in 拱墅区 would find nobody
	mustContain(t, r, "分配 3 个需求，0 个未能分配", "赵志强", "郑凯", "确认并发出邀请")
	mustNotContain(t, r, "逐个派单也能分配同样多")
	if n := f.one(`SELECT count(*) FROM audit_events WHERE action = 'program.update'`); n != 2 {
		t.Errorf("%d program updates in the demo, want the plan hours set and set back", n)
	}
	if n := f.one(`SELECT plan_hours FROM programs WHERE code = 'one_to_one'`); n != 0 {
		t.Errorf("the demo left the program holding requests for %d hours", n)
	}
}
