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

func init() { authzMatrices = append(authzMatrices, dispatchMatrix) }

var dispatchMatrix = map[string][]domain.Role{
	"GET /admin/dispatch":                          readers,
	"GET /admin/dispatch/requests/:id":             readers,
	"POST /admin/dispatch/requests/:id/assign":     coord,
	"POST /admin/dispatch/requests/:id/redispatch": coord,
}

// dispatchFixture is the demo city on a clock the test moves, with one round of offers going to one volunteer
// (so a second round has someone left to ask): two drivers serve 上城区 on Saturday mornings, 赵志强 and 郑凯.
type dispatchFixture struct {
	t     *testing.T
	ta    *testApp
	clock *testdb.Clock
	staff domain.User
}

func newDispatchFixture(t *testing.T) *dispatchFixture {
	t.Helper()
	ctx := context.Background()
	clock := testdb.NewClock(time.Now().Truncate(time.Minute))
	ta := newTestAppOn(t, testdb.StoreWithClock(t, clock), nil, nil)
	if err := seedDemo(ctx, ta.store); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.SQL().Exec(`UPDATE programs SET offers_normal = 1, offers_urgent = 1 WHERE code = 'one_to_one'`); err != nil {
		t.Fatal(err)
	}
	staff, err := ta.store.UserByPhone(ctx, "13900000001") // 刘晓燕, 上城区
	if err != nil {
		t.Fatal(err)
	}
	return &dispatchFixture{t: t, ta: ta, clock: clock, staff: staff}
}

// saturday is the next Saturday at least two days ahead, as a date for the request form.
func (f *dispatchFixture) day(weekday time.Weekday) string {
	d := domain.Today(f.clock.Now()).AddDate(0, 0, 2)
	for d.Weekday() != weekday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format(time.DateOnly)
}

// ride asks for a ride in 上城区 as the demo staff member.
func (f *dispatchFixture) ride(urgency string, day time.Weekday, from, to string) int64 {
	f.t.Helper()
	return f.submit(domain.RequestForm{Category: domain.CategoryTransport, Urgency: urgency, Date: f.day(day),
		From: from, To: to, District: "shangcheng", Pickup: "庆春路79号", Destination: "浙大一院"})
}

func (f *dispatchFixture) submit(form domain.RequestForm) int64 {
	f.t.Helper()
	id, err := f.ta.store.SubmitRequest(context.Background(), repository.Actor{UserID: f.staff.ID, Role: domain.RoleStaff, IP: "test"},
		"one_to_one", form)
	if err != nil {
		f.t.Fatalf("submit %+v: %v", form, err)
	}
	return id
}

func (f *dispatchFixture) login(phone string) *client {
	f.t.Helper()
	c := f.ta.client()
	if r := c.login(phone, DemoPassword); r.Status != http.StatusSeeOther {
		f.t.Fatalf("login %s: %d", phone, r.Status)
	}
	return c
}

func (f *dispatchFixture) volunteer(phone string) domain.User {
	f.t.Helper()
	u, err := f.ta.store.UserByPhone(context.Background(), phone)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *dispatchFixture) one(query string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.ta.store.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (f *dispatchFixture) status(id int64) string {
	f.t.Helper()
	var s string
	if err := f.ta.store.SQL().QueryRow(`SELECT status FROM care_requests WHERE id = $1`, id).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

const (
	coordinatorPhone = "13800000003"
	auditorPhone     = "13800000004"
	zhaoPhone        = "13700000001" // 赵志强: driver, 上城区 first
	qianPhone        = "13700000002" // 钱美玲: counsellor, 西湖区 — no driver, not 上城区
	zhengPhone       = "13700000007" // 郑凯: driver, 上城区
)

func TestDispatchBoardListsEscalatedFirstThenByUrgency(t *testing.T) {
	f := newDispatchFixture(t)
	normal := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	urgent := f.ride(domain.UrgencyUrgent, time.Sunday, "09:00", "10:00") // later, but more urgent
	// Emergency help at night: no weekly slot covers it, so nobody can be asked and it goes to the coordinators.
	emergency := f.submit(domain.RequestForm{Category: domain.CategoryEmergency, Urgency: domain.UrgencyEmergency,
		Date: f.day(time.Saturday), From: "02:00", To: "03:00", District: "shangcheng", Place: "庆春路79号"})
	if s := f.status(emergency); s != domain.RequestEscalated {
		t.Fatalf("the night emergency is %s, want escalated", s)
	}
	r := f.login(coordinatorPhone).get("/admin/dispatch")
	if r.Status != http.StatusOK {
		t.Fatalf("board: %d", r.Status)
	}
	mustContain(t, r, "已上报，需协调员处理", "没有符合条件的志愿者", "特急", "1 个邀请待回复", "还剩")
	at := func(id int64) int {
		i := strings.Index(r.Body, `href="/admin/dispatch/requests/`+itoa(id)+`"`)
		if i < 0 {
			t.Fatalf("request %d is not on the board", id)
		}
		return i
	}
	if !(at(emergency) < at(urgent) && at(urgent) < at(normal)) {
		t.Errorf("board order: emergency at %d, urgent at %d, normal at %d; want escalated first, then by urgency",
			at(emergency), at(urgent), at(normal))
	}
	// Offers run out on the board's clock: the round's time left is what remains of the first offer's lifetime.
	f.clock.Advance(30 * time.Minute)
	r = f.login(coordinatorPhone).get("/admin/dispatch")
	mustContain(t, r, "还剩 1 小时 30 分钟")
}

func TestCoordinatorAssignsACandidateByHand(t *testing.T) {
	f := newDispatchFixture(t)
	id := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	zhao, zheng := f.volunteer(zhaoPhone), f.volunteer(zhengPhone)
	coord := f.login(coordinatorPhone)
	page := "/admin/dispatch/requests/" + itoa(id)
	r := coord.get(page)
	if r.Status != http.StatusOK {
		t.Fatalf("request page: %d", r.Status)
	}
	// 赵志强 was offered it (round 1, with his reasons); 郑凯 is the candidate left, with the reasons for his place.
	mustContain(t, r, "赵志强", "待回复", "第 1 轮", "郑凯", "同区 · 负载 ",
		"刘晓燕", "139****0001", `href="/admin/people/`+itoa(f.staff.ID)+`"`, "庆春路79号")
	mustNotContain(t, r, "13900000001", zhengPhone)
	cands := r.Body[strings.Index(r.Body, "候选志愿者"):strings.Index(r.Body, "邀请记录")]
	if strings.Contains(cands, "赵志强") {
		t.Error("the volunteer already offered it is listed again among the candidates")
	}
	if !strings.Contains(cands, "同区 · 负载 ") {
		t.Error("the candidate's reasons are not shown")
	}
	if !strings.Contains(cands, `name="volunteer" value="`+itoa(zheng.ID)+`"`) {
		t.Error("no assign button for the candidate")
	}

	r = coord.post(page+"/assign", url.Values{"volunteer": {itoa(zheng.ID)}})
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("assign: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	if s := f.status(id); s != domain.RequestMatched {
		t.Fatalf("request is %s after the assignment, want matched", s)
	}
	if n := f.one(`SELECT count(*) FROM care_requests WHERE id = $1 AND volunteer_id = $2`, id, zheng.ID); n != 1 {
		t.Error("the request is not matched with the volunteer assigned")
	}
	if n := f.one(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'accepted' AND request_id = $2`, f.staff.ID, id); n != 1 {
		t.Errorf("%d 'accepted' notifications for her, want 1", n)
	}
	if n := f.one(`SELECT count(*) FROM audit_events WHERE action = 'request.assign' AND subject_id = $1`, id); n != 1 {
		t.Errorf("%d request.assign audit events, want 1", n)
	}
	if n := f.one(`SELECT count(*) FROM care_offers WHERE request_id = $1 AND volunteer_id = $2 AND status = 'withdrawn'`, id, zhao.ID); n != 1 {
		t.Error("the other volunteer's pending offer was not withdrawn")
	}
	r = coord.get(page)
	mustContain(t, r, "已指派 郑凯", "已接单", "协调员指派 郑凯", "协调员指派")
	mustNotContain(t, r, "候选志愿者", `/redispatch"`) // matched: nothing left to dispatch

	// Once matched, assigning again is refused in words, not an error page.
	r = coord.post(page+"/assign", url.Values{"volunteer": {itoa(zhao.ID)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("assign a matched request: %d", r.Status)
	}
	mustContain(t, coord.get(page), "这个请求现在不能这样操作")
}

func TestAssigningAVolunteerWhoFailsAFilterNeedsAReason(t *testing.T) {
	f := newDispatchFixture(t)
	id := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	qian := f.volunteer(qianPhone)
	coord := f.login(coordinatorPhone)
	page := "/admin/dispatch/requests/" + itoa(id)

	for _, typed := range []string{"", "abc", "13800000002", "99999999"} {
		r := coord.post(page+"/assign", url.Values{"volunteer": {typed}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("assign %q: %d, want the page again", typed, r.Status)
		}
		mustContain(t, r, `<span class="err" role="alert">`)
	}

	// By phone, as people type it: she is no driver and does not serve 上城区.
	r := coord.post(page+"/assign", url.Values{"volunteer": {"137 0000 0002"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("assign someone who fails the filters: %d", r.Status)
	}
	mustContain(t, r, "指派 钱美玲？", "这位志愿者不符合以下条件", "缺少已审核的资质", "不服务该区", `name="reason"`,
		`name="volunteer" value="`+itoa(qian.ID)+`"`)
	if s := f.status(id); s != domain.RequestDispatching {
		t.Fatalf("request is %s before a reason was given", s)
	}
	// The form again without a reason: asked again, at the field.
	r = coord.post(page+"/assign", url.Values{"volunteer": {itoa(qian.ID)}, "reason": {"  "}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("override without a reason: %d", r.Status)
	}
	mustContain(t, r, "缺少已审核的资质", "请填写原因")
	// A reason too long to keep: the reason's form again, with what is wrong at the field.
	r = coord.post(page+"/assign", url.Values{"volunteer": {itoa(qian.ID)}, "reason": {strings.Repeat("长", 501)}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("override with a reason too long: %d", r.Status)
	}
	mustContain(t, r, "指派 钱美玲？", `<textarea id="reason"`, "内容太长了。")

	r = coord.post(page+"/assign", url.Values{"volunteer": {itoa(qian.ID)}, "reason": {"她自己有车，熟悉这位护士"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("override with a reason: %d\n%s", r.Status, r.Body)
	}
	if s := f.status(id); s != domain.RequestMatched {
		t.Fatalf("request is %s after the override, want matched", s)
	}
	if n := f.one(`SELECT count(*) FROM audit_events WHERE action = 'request.assign' AND subject_id = $1
		AND after->>'override' = '她自己有车，熟悉这位护士' AND after->'failures' ? 'qualification'`, id); n != 1 {
		t.Error("the override is not audited with its reason and the failures")
	}
	mustContain(t, coord.get(page), "协调员指派")
}

func TestRedispatchSendsANewRound(t *testing.T) {
	f := newDispatchFixture(t)
	id := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	zheng := f.volunteer(zhengPhone)
	coord := f.login(coordinatorPhone)
	page := "/admin/dispatch/requests/" + itoa(id)

	r := coord.post(page+"/redispatch", nil)
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("redispatch: %d %s", r.Status, r.Location)
	}
	if n := f.one(`SELECT count(*) FROM care_offers WHERE request_id = $1 AND volunteer_id = $2 AND round = 2 AND status = 'pending'`, id, zheng.ID); n != 1 {
		t.Error("no second-round offer to the next candidate")
	}
	if n := f.one(`SELECT count(*) FROM audit_events WHERE action = 'request.redispatch' AND subject_id = $1`, id); n != 1 {
		t.Error("the re-dispatch is not audited")
	}
	r = coord.get(page)
	mustContain(t, r, "已发出新一轮邀请。", "第 2 轮", "协调员重新派单")
	// Nobody left: said in words, and nothing changes.
	r = coord.post(page+"/redispatch", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("redispatch with nobody left: %d", r.Status)
	}
	mustContain(t, coord.get(page), "暂时没有其他符合条件的志愿者。")
	if n := f.one(`SELECT max(round) FROM care_offers WHERE request_id = $1`, id); n != 2 {
		t.Errorf("round %d after a re-dispatch with nobody left, want 2", n)
	}
	if r := coord.get("/admin/dispatch/requests/999999"); r.Status != http.StatusNotFound {
		t.Errorf("a request that does not exist: %d", r.Status)
	}
	if r := coord.post("/admin/dispatch/requests/999999/redispatch", nil); r.Status != http.StatusNotFound {
		t.Errorf("re-dispatch a request that does not exist: %d", r.Status)
	}
}

func TestDispatchBoardIsReadOnlyForTheAuditorAndClosedToOthers(t *testing.T) {
	f := newDispatchFixture(t)
	id := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	page := "/admin/dispatch/requests/" + itoa(id)
	zheng := f.volunteer(zhengPhone)

	auditor := f.login(auditorPhone)
	mustContain(t, auditor.get("/admin/dispatch"), "派单台", `href="`+page+`"`)
	r := auditor.get(page)
	if r.Status != http.StatusOK {
		t.Fatalf("auditor reads the request: %d", r.Status)
	}
	mustContain(t, r, "郑凯", "同区")
	mustNotContain(t, r, page+"/assign", page+"/redispatch")
	for _, action := range []string{"/assign", "/redispatch"} {
		if r := auditor.post(page+action, url.Values{"volunteer": {itoa(zheng.ID)}}); r.Status != http.StatusForbidden {
			t.Errorf("auditor %s: %d, want 403", action, r.Status)
		}
	}
	for _, phone := range []string{"13900000001", zhaoPhone, "13800000002"} { // staff, volunteer, finance
		c := f.login(phone)
		for _, path := range []string{"/admin/dispatch", page} {
			if r := c.get(path); r.Status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", phone, path, r.Status)
			}
		}
		if r := c.post(page+"/assign", url.Values{"volunteer": {itoa(zheng.ID)}}); r.Status != http.StatusForbidden {
			t.Errorf("%s assign: %d, want 403", phone, r.Status)
		}
	}
	if s := f.status(id); s != domain.RequestDispatching {
		t.Errorf("request is %s: someone not allowed changed it", s)
	}
	// The coordinator's home links to the board; the finance officer's does not.
	mustContain(t, f.login(coordinatorPhone).get("/admin"), `href="/admin/dispatch"`)
	mustNotContain(t, f.login("13800000002").get("/admin"), `href="/admin/dispatch"`)
}

func TestDispatchFiguresShowTheTimeToAcceptance(t *testing.T) {
	f := newDispatchFixture(t)
	f.clock.Advance(20 * 7 * 24 * time.Hour)                            // past the demo's own weeks: these weeks hold this test's requests alone
	id := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00") // offered at once: first offer in under a minute
	f.clock.Advance(7 * time.Minute)
	coord := f.login(coordinatorPhone)
	if r := coord.post("/admin/dispatch/requests/"+itoa(id)+"/assign", url.Values{"volunteer": {itoa(f.volunteer(zhengPhone).ID)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("assign: %d", r.Status)
	}
	f.ride(domain.UrgencyNormal, time.Sunday, "09:00", "10:00") // another, still waiting: not decided yet
	r := coord.get("/admin/dispatch")
	figures := r.Body[strings.Index(r.Body, "派单数据"):]
	year, week := domain.Today(f.clock.Now()).ISOWeek()
	mustContain(t, response{Body: figures}, "志愿者一对一帮扶",
		"年第 "+itoa(int64(week))+" 周", itoa(int64(year))+" 年",
		`<td data-label="请求数">2</td>`,
		`<td data-label="首次派单用时中位数">不到 1 分钟</td>`,
		`<td data-label="接单用时中位数">7 分钟</td>`, `<td data-label="接单用时 P90">7 分钟</td>`,
		`>100%</td>`, // matched 1 of the 1 decided
		`>0%</td>`)   // completed 0 of the 1 matched
}

// budgetDispatchRequest is the request page the query budget counts: a ride the demo staff member asks for on
// the seeded city, still waiting, so the page ranks the city's volunteers for it.
func budgetDispatchRequest(ta *testApp) string {
	ta.t.Helper()
	ctx := context.Background()
	staff, err := ta.store.UserByPhone(ctx, "13900000001")
	if err != nil {
		ta.t.Fatal(err)
	}
	f := &dispatchFixture{t: ta.t, ta: ta, clock: testdb.NewClock(ta.store.Now()), staff: staff}
	id := f.ride(domain.UrgencyNormal, time.Saturday, "09:00", "10:00")
	return "/admin/dispatch/requests/" + itoa(id)
}

func TestSpansAndRatesReadAsWords(t *testing.T) {
	p := &Page{Lang: langZh, loc: newTranslator().localizer(langZh)}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "不到 1 分钟"}, {7 * time.Minute, "7 分钟"}, {59*time.Minute + 40*time.Second, "1 小时"},
		{125 * time.Minute, "2 小时 5 分钟"}, {48 * time.Hour, "2 天"}, {50*time.Hour + 10*time.Minute, "2 天 2 小时"},
	} {
		if got := spanWords(p, c.d); got != c.want {
			t.Errorf("spanWords(%s) = %q, want %q", c.d, got, c.want)
		}
	}
	for _, c := range []struct {
		part, whole int64
		want        string
	}{{0, 0, "—"}, {1, 3, "33%"}, {2, 3, "67%"}, {3, 3, "100%"}} {
		if got := rate(c.part, c.whole); got != c.want {
			t.Errorf("rate(%d, %d) = %q, want %q", c.part, c.whole, got, c.want)
		}
	}
}
