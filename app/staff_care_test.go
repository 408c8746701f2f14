package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /staff/requests/new":          {domain.RoleStaff},
		"POST /staff/requests":             {domain.RoleStaff},
		"GET /staff/requests/:id":          {domain.RoleStaff},
		"POST /staff/requests/:id/cancel":  {domain.RoleStaff},
		"POST /staff/requests/:id/close":   {domain.RoleStaff},
		"POST /staff/requests/:id/no-show": {domain.RoleStaff},
		"POST /staff/services/:id/confirm": {domain.RoleStaff},
		"GET /staff/pairings/:id":          {domain.RoleStaff},
		"POST /staff/pairings/:id/end":     {domain.RoleStaff},
	})
}

// staffMonday is when the care tests begin: Monday 2 March 2026, 08:00 in Shanghai.
var staffMonday = time.Date(2026, 3, 2, 8, 0, 0, 0, domain.Shanghai)

// staffWorld is a verified staff member in Shangcheng with a child, a second staff member with a child of her own,
// and three verified drivers who serve Shangcheng at any hour, on a clock the test moves.
type staffWorld struct {
	ta         *testApp
	clock      *testdb.Clock
	staff      *client
	staffUser  domain.User
	child      int64
	other      *client
	otherUser  domain.User
	otherChild int64
	volunteers []domain.User
}

func newStaffWorld(t *testing.T) *staffWorld {
	t.Helper()
	ctx := context.Background()
	w := &staffWorld{clock: testdb.NewClock(staffMonday)}
	w.ta = newTestAppOn(t, testdb.StoreWithClock(t, w.clock), nil, nil)
	coord, err := w.ta.store.CreateOperator(ctx, repository.Actor{IP: "test"}, repository.NewAccount{Phone: "13800000003",
		Password: testPassword, Name: "张协调", Role: domain.RoleCoordinator})
	if err != nil {
		t.Fatal(err)
	}
	verifier := repository.Actor{UserID: coord.ID, Role: domain.RoleCoordinator, IP: "test"}
	w.staff, w.staffUser, w.child = staffOfWorld(t, w.ta, verifier, "13900000001", "刘晓燕", "刘小满")
	w.other, w.otherUser, w.otherChild = staffOfWorld(t, w.ta, verifier, "13900000002", "周建国", "周子涵")
	all := []string{}
	for _, d := range domain.Weekdays {
		for _, p := range domain.DayParts {
			all = append(all, d+"_"+p)
		}
	}
	for i, name := range []string{"赵志强", "钱美玲", "孙浩然"} {
		id := fmt.Sprintf("33010219900101%03d", i+1)
		u, err := w.ta.store.RegisterVolunteer(ctx, "test", domain.VolunteerRegistration{
			Account: domain.Account{Name: name, Phone: fmt.Sprintf("1370000000%d", i+1), Password: testPassword, PrivacyConsent: true},
			Profile: domain.VolunteerProfile{IDNumber: id + string(domain.IDCheckChar(id)), Districts: []string{"shangcheng"},
				Qualifications: []domain.QualificationClaim{{Code: domain.QualDriver, Detail: "浙A·D1234" + fmt.Sprint(i)}, {Code: domain.QualErrands}},
				Availability:   all, Capacity: 2},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyAll(ctx, w.ta.store, verifier, u.ID); err != nil {
			t.Fatal(err)
		}
		w.volunteers = append(w.volunteers, u)
	}
	return w
}

// staffOfWorld registers a staff member with one child, verifies her and logs her in.
func staffOfWorld(t *testing.T, ta *testApp, verifier repository.Actor, phone, name, child string) (*client, domain.User, int64) {
	t.Helper()
	ctx := context.Background()
	u, err := ta.store.RegisterStaff(ctx, "test", domain.StaffRegistration{
		Account: domain.Account{Name: name, Phone: phone, Password: testPassword, PrivacyConsent: true},
		Profile: domain.StaffProfile{Hospital: "浙江大学医学院附属第一医院", Department: "呼吸内科", Position: "护士",
			Category: "hubei_team", District: "shangcheng", Address: "上城区庆春路79号",
			Children: []domain.Child{{Name: child, BirthYear: 2016, Grade: "g4"}}},
		ChildrenConsent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.store.DecideAccount(ctx, verifier, u.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	p, err := ta.store.PersonByID(ctx, u.ID)
	if err != nil || len(p.Children) != 1 {
		t.Fatalf("staff %s: %+v %v", name, p.Children, err)
	}
	c := ta.client()
	if r := c.login(phone, testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", phone, r.Status)
	}
	return c, u, p.Children[0].ID
}

// staffRideForm is a ride on Tuesday afternoon, as she fills it in.
func staffRideForm() url.Values {
	return url.Values{"program": {"one_to_one"}, "category": {"transport"}, "urgency": {"normal"}, "schedule": {"once"},
		"date": {"2026-03-03"}, "from": {"14:00"}, "to": {"16:00"}, "district": {"shangcheng"},
		"pickup": {"庆春路79号"}, "destination": {"杭州东站"}, "details": {"行李较多，需要后备箱"}}
}

// submit posts a request form and returns the new request's id.
func (w *staffWorld) submit(t *testing.T, c *client, f url.Values) int64 {
	t.Helper()
	r := c.post("/staff/requests", f)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/staff/requests/") {
		t.Fatalf("submit: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	var id int64
	if _, err := fmt.Sscanf(r.Location, "/staff/requests/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *staffWorld) one(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.ta.store.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func staffWorldVolunteer(u domain.User) repository.Actor {
	return repository.Actor{UserID: u.ID, Role: domain.RoleVolunteer, IP: "test"}
}

// She asks for a ride on her phone; three drivers are offered it; the first accepts, checks in and out; she sees
// each step on the request's timeline, confirms the service, rates it, and the volunteer's rating changes.
func TestStaffAsksForARideAndRatesIt(t *testing.T) {
	w := newStaffWorld(t)
	ctx := context.Background()

	home := w.staff.get("/staff")
	mustContain(t, home, "志愿者一对一帮扶", "交通出行", `href="/staff/requests/new?program=one_to_one"`, "心理疏导", "还没有需求")
	// A benefit program is not asked for with a request: it has its own page (app/benefit_staff.go).
	mustNotContain(t, home, `href="/staff/requests/new?program=interest_classes"`)
	mustContain(t, home, `href="/staff/benefits/interest_classes"`)
	form := w.staff.get("/staff/requests/new?program=one_to_one")
	if form.Status != http.StatusOK {
		t.Fatalf("form: %d", form.Status)
	}
	mustContain(t, form, `<option value="shangcheng" selected>`, `value="transport"`, `name="weekdays"`, "接单前，志愿者只能看到")
	mustNotContain(t, form, `name="consent"`, `name="children"`) // nothing sensitive in this program

	id := w.submit(t, w.staff, staffRideForm())
	page := w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "需求已提交", "派单中", "已提交", "已通知 3 位志愿者", "庆春路79号", "杭州东站", "行李较多",
		"2026年3月3日 14:00–16:00", "未开始", "取消这个需求")
	mustNotContain(t, page, "共 1 次", "每周")
	if n := w.one(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND status = 'pending'", id); n != 3 {
		t.Fatalf("%d offers out, want 3", n)
	}
	mustContain(t, w.staff.get("/staff"), fmt.Sprintf(`href="/staff/requests/%d"`, id), "派单中")

	vol := w.volunteers[0]
	offer := w.one(t, "SELECT id FROM care_offers WHERE request_id = $1 AND volunteer_id = $2", id, vol.ID)
	if _, err := w.ta.store.AcceptOffer(ctx, staffWorldVolunteer(vol), offer); err != nil {
		t.Fatal(err)
	}
	page = w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "已接单", "赵** 已接单", "13700000001", "暂无评分", "查看结对")
	mustNotContain(t, page, "赵志强")
	pairing := w.one(t, "SELECT pairing_id FROM care_requests WHERE id = $1", id)
	home = w.staff.get("/staff")
	mustContain(t, home, fmt.Sprintf(`href="/staff/pairings/%d"`, pairing), "赵**")
	mustNotContain(t, home, "赵志强")

	w.clock.Set(time.Date(2026, 3, 3, 13, 50, 0, 0, domain.Shanghai))
	service, err := w.ta.store.CheckIn(ctx, staffWorldVolunteer(vol), id)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(2 * time.Hour)
	if err := w.ta.store.CheckOut(ctx, staffWorldVolunteer(vol), service, "已安全送达"); err != nil {
		t.Fatal(err)
	}
	page = w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "已签到", "已签退（120 分钟）", "· 120 分钟", "已完成", "已安全送达",
		fmt.Sprintf(`action="/staff/services/%d/confirm"`, service), "确认并评价", `name="rating" value="5"`)
	mustNotContain(t, page, "取消这个需求") // completed: too late to cancel

	if r := w.staff.post(fmt.Sprintf("/staff/services/%d/confirm", service), nil); r.Status != http.StatusSeeOther ||
		r.Location != fmt.Sprintf("/staff/requests/%d", id) {
		t.Fatalf("confirm: %d %s", r.Status, r.Location)
	}
	if m := w.one(t, "SELECT confirmed_minutes FROM volunteer_profiles WHERE user_id = $1", vol.ID); m != 120 {
		t.Fatalf("confirmed minutes %d, want 120", m)
	}
	page = w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "已确认服务", "服务时长已确认")
	mustNotContain(t, page, fmt.Sprintf(`action="/staff/services/%d/confirm"`, service))

	// Without stars the rating is refused at the stars, and what she wrote stays.
	r := w.staff.post(fmt.Sprintf("/staff/requests/%d/close", id), url.Values{"comment": {"准时又细心"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close without stars: %d", r.Status)
	}
	mustContain(t, r, "请选择 1 到 5 星", "准时又细心")
	r = w.staff.post(fmt.Sprintf("/staff/requests/%d/close", id), url.Values{"rating": {"4"}, "comment": {"准时又细心"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	if sum, n := w.one(t, "SELECT rating_sum FROM volunteer_profiles WHERE user_id = $1", vol.ID),
		w.one(t, "SELECT rating_count FROM volunteer_profiles WHERE user_id = $1", vol.ID); sum != 4 || n != 1 {
		t.Fatalf("rating %d/%d, want 4/1", sum, n)
	}
	page = w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "谢谢您的评价", "已评价", "已评价 4 星", "4.0", "1 次评价", "★★★★☆", "准时又细心")
	mustNotContain(t, page, "确认并评价", "暂无评分")
	home = w.staff.get("/staff")
	mustContain(t, home, "已结束的需求")
	mustNotContain(t, home, "每周")

	// The pairing: the volunteer's phone while it lasts, the request it served; ending it needs a reason and hides
	// the phone again.
	pp := w.staff.get(fmt.Sprintf("/staff/pairings/%d", pairing))
	mustContain(t, pp, "与 赵** 结对", "结对中", "13700000001", fmt.Sprintf(`href="/staff/requests/%d"`, id), "4.0")
	mustNotContain(t, pp, "赵志强")
	r = w.staff.post(fmt.Sprintf("/staff/pairings/%d/end", pairing), url.Values{"no_repeat": {"yes"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("end without a reason: %d", r.Status)
	}
	mustContain(t, r, "请填写原因", `name="no_repeat" value="yes" checked`)
	r = w.staff.post(fmt.Sprintf("/staff/pairings/%d/end", pairing), url.Values{"reason": {"已调回原科室"}, "no_repeat": {"yes"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("end: %d", r.Status)
	}
	pp = w.staff.get(fmt.Sprintf("/staff/pairings/%d", pairing))
	mustContain(t, pp, "结对已结束", "已结束", "已调回原科室", "以后不会再安排这位志愿者", "结对结束后不再显示")
	mustNotContain(t, pp, "13700000001", "结束结对")
	mustNotContain(t, w.staff.get(fmt.Sprintf("/staff/requests/%d", id)), "13700000001")
	if noRepeat := w.one(t, "SELECT count(*) FROM pairings WHERE id = $1 AND no_repeat", pairing); noRepeat != 1 {
		t.Fatal("the pairing does not say: don't pair us again")
	}
}

// A weekly ride on Mondays, Wednesdays and Fridays for two weeks is one request with six occurrences.
func TestStaffRecurringRequest(t *testing.T) {
	w := newStaffWorld(t)
	f := staffRideForm()
	f.Set("schedule", "repeat")
	f["weekdays"] = []string{"mon", "wed", "fri"}
	f.Set("first_date", "2026-03-03")
	f.Set("last_date", "2026-03-16")
	f.Set("from", "18:30")
	f.Set("to", "19:30")
	id := w.submit(t, w.staff, f)
	if n := w.one(t, "SELECT count(*) FROM care_occurrences WHERE request_id = $1", id); n != 6 {
		t.Fatalf("%d occurrences, want 6 (4, 6, 9, 11, 13 and 16 March)", n)
	}
	page := w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "每周一、周三、周五 18:30–19:30", "共 6 次", "2026年3月4日 18:30–19:30", "2026年3月16日 18:30–19:30")
	mustNotContain(t, page, "2026年3月3日 18:30")
	mustContain(t, w.staff.get("/staff"), "每周一、周三、周五 18:30–19:30 · 2026年3月4日 – 2026年3月16日")
}

// Every kind of bad input comes back as the form, with what she typed and the message at the field, and writes
// nothing.
func TestStaffRequestBadInput(t *testing.T) {
	w := newStaffWorld(t)
	if _, err := w.ta.store.SQL().Exec("UPDATE programs SET active = false WHERE code = 'counselling'"); err != nil {
		t.Fatal(err)
	}
	tutoring := func(child int64) url.Values {
		return url.Values{"program": {"tutoring"}, "category": {"tutoring"}, "urgency": {"normal"}, "schedule": {"once"},
			"date": {"2026-03-04"}, "from": {"18:30"}, "to": {"19:30"}, "district": {"shangcheng"}, "place": {"家里书房"},
			"children": {fmt.Sprint(child)}, "subject": {"math"}, "consent": {"yes"}}
	}
	cases := []struct {
		name    string
		form    func() url.Values
		message string
		kept    string // something she typed, shown again
	}{
		{"window in the past", func() url.Values { f := staffRideForm(); f.Set("date", "2026-03-01"); return f },
			"时间已过，请选择以后的时间。", `value="2026-03-01"`},
		{"end before start", func() url.Values { f := staffRideForm(); f.Set("from", "16:00"); f.Set("to", "14:00"); return f },
			"结束时间须晚于开始时间。", `value="杭州东站"`},
		{"schedule over 8 weeks", func() url.Values {
			f := staffRideForm()
			f.Set("schedule", "repeat")
			f["weekdays"] = []string{"mon"}
			f.Set("first_date", "2026-03-03")
			f.Set("last_date", "2026-05-05")
			return f
		}, "重复请求最长 8 周。", `name="weekdays" value="mon" checked`},
		{"no weekday", func() url.Values {
			f := staffRideForm()
			f.Set("schedule", "repeat")
			f.Set("first_date", "2026-03-03")
			f.Set("last_date", "2026-03-16")
			return f
		}, "请至少选择一天。", `value="2026-03-16"`},
		{"unknown district", func() url.Values { f := staffRideForm(); f.Set("district", "atlantis"); return f },
			"请从列表中选择。", `value="庆春路79号"`},
		{"details over 500", func() url.Values { f := staffRideForm(); f.Set("details", strings.Repeat("长", 501)); return f },
			"内容太长了。", strings.Repeat("长", 501)},
		{"a child not hers", func() url.Values { return tutoring(w.otherChild) }, "请从列表中选择。", `value="家里书房"`},
		{"inactive program", func() url.Values {
			f := tutoring(w.child)
			f.Set("program", "counselling")
			f.Set("category", "counselling")
			return f
		}, "这个项目已暂停，暂不接受新的请求。", `value="家里书房"`},
		{"program of another kind", func() url.Values { f := staffRideForm(); f.Set("program", "interest_classes"); return f },
			"这个项目不接受帮扶请求。", `value="2026-03-03"`},
		{"no such program", func() url.Values { f := staffRideForm(); f.Set("program", "no_such_program"); return f },
			"没有这个帮扶项目", `value="2026-03-03"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.staff.post("/staff/requests", tc.form())
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.Status)
			}
			// the message beside its field (the summary at the top links to it too)
			mustContain(t, r, `role="alert">`+tc.message, tc.kept, "表单有需要修改的地方", `action="/staff/requests"`)
		})
	}
	// The same child is fine for the mother it belongs to: the refusal was about whose child it is.
	if id := w.submit(t, w.other, tutoring(w.otherChild)); id == 0 {
		t.Fatal("no request")
	}
	if n := w.one(t, "SELECT count(*) FROM care_requests WHERE staff_id = $1", w.staffUser.ID); n != 0 {
		t.Fatalf("%d requests written by bad forms", n)
	}
	if n := w.one(t, "SELECT count(*) FROM consents WHERE user_id = $1 AND kind <> 'privacy'", w.staffUser.ID); n != 1 {
		t.Fatalf("%d separate consents for her, want only the registration's children consent", n)
	}

	// In English, the message is in English.
	if r := w.staff.get("/lang?lang=en&back=/staff"); r.Status != http.StatusSeeOther {
		t.Fatalf("lang: %d", r.Status)
	}
	f := staffRideForm()
	f.Set("date", "2026-03-01")
	r := w.staff.post("/staff/requests", f)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r, `role="alert">That time has passed; choose a later one.`, `value="2026-03-01"`, "Ask for help")

	// Opening the form of a program that takes no requests says so, with no form to fill in.
	for _, tc := range []struct {
		program, message string
		status           int
	}{{"counselling", "This program is paused", http.StatusOK}, {"interest_classes", "This program does not take requests", http.StatusOK},
		{"no_such_program", "There is no such care program", http.StatusNotFound}} {
		r := w.staff.get("/staff/requests/new?program=" + tc.program)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.program, r.Status, tc.status)
		}
		mustContain(t, r, tc.message)
		mustNotContain(t, r, `action="/staff/requests"`)
	}
}

// The sensitive programs ask for the separate consent, record it with its version, and refuse without it.
func TestStaffTutoringNeedsConsent(t *testing.T) {
	w := newStaffWorld(t)
	form := w.staff.get("/staff/requests/new?program=tutoring")
	mustContain(t, form, `name="consent"`, "同意书版本 "+domain.CareConsentVersion, "刘小满",
		fmt.Sprintf(`name="children" value="%d" checked`, w.child), `name="subject"`)
	f := url.Values{"program": {"tutoring"}, "category": {"tutoring"}, "urgency": {"normal"}, "schedule": {"once"},
		"date": {"2026-03-04"}, "from": {"18:30"}, "to": {"19:30"}, "district": {"shangcheng"}, "place": {"家里书房"},
		"children": {fmt.Sprint(w.child)}, "subject": {"math"}}
	r := w.staff.post("/staff/requests", f)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("without consent: %d", r.Status)
	}
	mustContain(t, r, "请勾选同意")
	f.Set("consent", "yes")
	id := w.submit(t, w.staff, f)
	page := w.staff.get(fmt.Sprintf("/staff/requests/%d", id))
	mustContain(t, page, "学业辅导", "刘小满", "数学", "同意书版本 "+domain.CareConsentVersion)
}

// She cancels with a reason, and not without one.
func TestStaffCancelsARequest(t *testing.T) {
	w := newStaffWorld(t)
	id := w.submit(t, w.staff, staffRideForm())
	path := fmt.Sprintf("/staff/requests/%d", id)
	r := w.staff.post(path+"/cancel", url.Values{"reason": {"  "}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("cancel without a reason: %d", r.Status)
	}
	mustContain(t, r, "请填写原因", "派单中")
	if n := w.one(t, "SELECT count(*) FROM care_requests WHERE id = $1 AND status = 'dispatching'", id); n != 1 {
		t.Fatal("a cancellation without a reason changed the request")
	}
	r = w.staff.post(path+"/cancel", url.Values{"reason": {"临时有事，改天再约"}})
	if r.Status != http.StatusSeeOther || r.Location != path {
		t.Fatalf("cancel: %d %s", r.Status, r.Location)
	}
	page := w.staff.get(path)
	mustContain(t, page, "需求已取消", "已取消", "已取消：临时有事，改天再约")
	mustNotContain(t, page, "取消这个需求", "未开始")
	if n := w.one(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND status = 'pending'", id); n != 0 {
		t.Fatalf("%d offers still pending after the cancellation", n)
	}
	// Cancelling again is refused in words, on the request's page.
	r = w.staff.post(path+"/cancel", url.Values{"reason": {"再取消一次"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("cancel again: %d", r.Status)
	}
	mustContain(t, w.staff.get(path), "这个请求现在不能这样操作")
	mustContain(t, w.staff.get("/staff"), "已结束的需求")
}

// Her driver has not come a quarter of an hour after the start: she says so on the request's page, the ride goes to
// the coordinators at once (the help has begun), the volunteer is told and is not offered it again, and the
// pairing stays. Before the quarter of an hour, and once someone checked in, there is no button and the step is
// refused in words.
func TestStaffReportsANoShow(t *testing.T) {
	w := newStaffWorld(t)
	ctx := context.Background()
	id := w.submit(t, w.staff, staffRideForm())
	path := fmt.Sprintf("/staff/requests/%d", id)
	vol := w.volunteers[0]
	offer := w.one(t, "SELECT id FROM care_offers WHERE request_id = $1 AND volunteer_id = $2", id, vol.ID)
	if _, err := w.ta.store.AcceptOffer(ctx, staffWorldVolunteer(vol), offer); err != nil {
		t.Fatal(err)
	}
	pairing := w.one(t, "SELECT pairing_id FROM care_requests WHERE id = $1", id)

	w.clock.Set(time.Date(2026, 3, 3, 14, 10, 0, 0, domain.Shanghai))
	mustNotContain(t, w.staff.get(path), "报告志愿者未到")
	if r := w.staff.post(path+"/no-show", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("too early: %d", r.Status)
	}
	mustContain(t, w.staff.get(path), "服务开始 15 分钟后仍无人签到，才能报告志愿者未到", "已接单")

	w.clock.Set(time.Date(2026, 3, 3, 14, 16, 0, 0, domain.Shanghai))
	mustContain(t, w.staff.get(path), "志愿者没有来？", "报告志愿者未到", fmt.Sprintf(`action="%s/no-show"`, path))
	if r := w.staff.post(path+"/no-show", nil); r.Status != http.StatusSeeOther || r.Location != path {
		t.Fatalf("no-show: %d %s", r.Status, r.Location)
	}
	page := w.staff.get(path)
	mustContain(t, page, "已报告，协调员会尽快为您另找志愿者", "赵** 未到场，已重新派单", "已上报协调员")
	mustNotContain(t, page, "报告志愿者未到")
	if n := w.one(t, `SELECT count(*) FROM care_requests WHERE id = $1 AND status = 'escalated' AND volunteer_id IS NULL
		AND pairing_id IS NULL`, id); n != 1 {
		t.Fatal("the ride is not with the coordinators, free of its volunteer")
	}
	if n := w.one(t, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'no_show' AND request_id = $2", vol.ID, id); n != 1 {
		t.Fatalf("the volunteer was told %d times", n)
	}
	if n := w.one(t, "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.role = 'coordinator' AND n.kind = 'escalated' AND n.request_id = $1", id); n != 1 {
		t.Fatalf("%d coordinators told", n)
	}
	if n := w.one(t, "SELECT count(*) FROM pairings WHERE id = $1 AND status = 'active'", pairing); n != 1 {
		t.Fatal("the no-show ended the pairing: that is hers to choose")
	}
	if n := w.one(t, "SELECT count(*) FROM audit_events WHERE action = 'request.no_show' AND subject_id = $1", id); n != 1 {
		t.Fatalf("%d audit entries", n)
	}
	// Reported twice (a second tap): refused, nothing changes.
	w.staff.post(path+"/no-show", nil)
	mustContain(t, w.staff.get(path), "这个请求现在不能这样操作")
	if n := w.one(t, "SELECT count(*) FROM care_events WHERE request_id = $1 AND kind = 'no_show'", id); n != 1 {
		t.Fatalf("%d no-show events", n)
	}

	// A ride her volunteer checked in for has no such button, whatever the time.
	second := staffRideForm()
	second.Set("date", "2026-03-05")
	id2 := w.submit(t, w.staff, second)
	path2 := fmt.Sprintf("/staff/requests/%d", id2)
	if n := w.one(t, "SELECT count(*) FROM care_offers WHERE request_id = $1 AND volunteer_id = $2", id2, vol.ID); n != 1 {
		t.Fatal("her paired volunteer was not offered the next ride")
	}
	if _, err := w.ta.store.AcceptOffer(ctx, staffWorldVolunteer(vol), w.one(t, "SELECT id FROM care_offers WHERE request_id = $1", id2)); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(time.Date(2026, 3, 5, 14, 5, 0, 0, domain.Shanghai))
	if _, err := w.ta.store.CheckIn(ctx, staffWorldVolunteer(vol), id2); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(time.Date(2026, 3, 5, 14, 30, 0, 0, domain.Shanghai))
	mustNotContain(t, w.staff.get(path2), "报告志愿者未到")
	w.staff.post(path2+"/no-show", nil)
	mustContain(t, w.staff.get(path2), "这个请求现在不能这样操作", "已签到")
}

// Nobody reaches another staff member's request, service or pairing by changing the id: each is not found.
func TestStaffCareOthersAreNotFound(t *testing.T) {
	w := newStaffWorld(t)
	ctx := context.Background()
	id := w.submit(t, w.staff, staffRideForm())
	vol := w.volunteers[1]
	offer := w.one(t, "SELECT id FROM care_offers WHERE request_id = $1 AND volunteer_id = $2", id, vol.ID)
	if _, err := w.ta.store.AcceptOffer(ctx, staffWorldVolunteer(vol), offer); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(time.Date(2026, 3, 3, 13, 50, 0, 0, domain.Shanghai))
	service, err := w.ta.store.CheckIn(ctx, staffWorldVolunteer(vol), id)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ta.store.CheckOut(ctx, staffWorldVolunteer(vol), service, ""); err != nil {
		t.Fatal(err)
	}
	pairing := w.one(t, "SELECT pairing_id FROM care_requests WHERE id = $1", id)
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{http.MethodGet, fmt.Sprintf("/staff/requests/%d", id), nil},
		{http.MethodGet, fmt.Sprintf("/staff/pairings/%d", pairing), nil},
		{http.MethodPost, fmt.Sprintf("/staff/requests/%d/cancel", id), url.Values{"reason": {"不是我的"}}},
		{http.MethodPost, fmt.Sprintf("/staff/requests/%d/cancel", id), url.Values{}},
		{http.MethodPost, fmt.Sprintf("/staff/requests/%d/close", id), url.Values{"rating": {"1"}}},
		{http.MethodPost, fmt.Sprintf("/staff/services/%d/confirm", service), nil},
		{http.MethodPost, fmt.Sprintf("/staff/pairings/%d/end", pairing), url.Values{"reason": {"不是我的"}}},
		{http.MethodPost, fmt.Sprintf("/staff/pairings/%d/end", pairing), url.Values{}},
		{http.MethodGet, "/staff/requests/999999", nil},
		{http.MethodGet, "/staff/requests/abc", nil},
	} {
		var r response
		if tc.method == http.MethodGet {
			r = w.other.get(tc.path)
		} else {
			r = w.other.post(tc.path, tc.form)
		}
		if r.Status != http.StatusNotFound {
			t.Errorf("%s %s as another staff member: %d, want 404", tc.method, tc.path, r.Status)
		}
		mustNotContain(t, r, "庆春路79号", "13700000002")
	}
	if n := w.one(t, "SELECT count(*) FROM care_services WHERE id = $1 AND status = 'checked_out'", service); n != 1 {
		t.Fatal("another staff member's confirmation changed the service")
	}
	if n := w.one(t, "SELECT count(*) FROM pairings WHERE id = $1 AND status = 'active'", pairing); n != 1 {
		t.Fatal("another staff member ended the pairing")
	}
	// Her own pages open.
	for _, p := range []string{fmt.Sprintf("/staff/requests/%d", id), fmt.Sprintf("/staff/pairings/%d", pairing)} {
		if r := w.staff.get(p); r.Status != http.StatusOK {
			t.Errorf("%s as her: %d", p, r.Status)
		}
	}
}

// A staff member a coordinator has not verified yet sees no programs and cannot ask.
func TestUnverifiedStaffCannotAsk(t *testing.T) {
	ta := newTestApp(t)
	registerTestStaff(t, ta, "13900000011", "孙丽华")
	c := ta.client()
	if r := c.login("13900000011", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.Status)
	}
	home := c.get("/staff")
	mustContain(t, home, "等待协调员审核")
	mustNotContain(t, home, "/staff/requests/new")
	r := c.get("/staff/requests/new?program=one_to_one")
	if r.Status != http.StatusConflict {
		t.Fatalf("form: %d", r.Status)
	}
	mustContain(t, r, "审核通过后才能提交需求")
	if r := c.post("/staff/requests", staffRideForm()); r.Status != http.StatusConflict {
		t.Fatalf("submit: %d", r.Status)
	}
}

// staffCareBudgetPath is a page of a demo staff member's care on a budget city: 周建国's weekly online
// companionship for his child, under way with its services (the demo's story), or the pairing that serves it.
func staffCareBudgetPath(ba *budgetApp, page string) string {
	ba.t.Helper()
	var id, pairing int64
	if err := ba.store.SQL().QueryRow(`SELECT r.id, r.pairing_id FROM care_requests r JOIN users u ON u.id = r.staff_id
		WHERE u.phone = '13900000002' AND cardinality(r.child_ids) > 0 AND r.pairing_id IS NOT NULL
			AND EXISTS (SELECT 1 FROM care_services sv WHERE sv.request_id = r.id)
		ORDER BY r.id LIMIT 1`).Scan(&id, &pairing); err != nil {
		ba.t.Fatalf("the demo's companionship: %v", err)
	}
	if page == "pairing" {
		return fmt.Sprintf("/staff/pairings/%d", pairing)
	}
	return fmt.Sprintf("/staff/requests/%d", id)
}
