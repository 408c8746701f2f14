package app

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func init() {
	v := []domain.Role{domain.RoleVolunteer}
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /volunteer/offers":                 v,
		"GET /volunteer/offers/:id":             v,
		"POST /volunteer/offers/:id/accept":     v,
		"POST /volunteer/offers/:id/decline":    v,
		"GET /volunteer/pairings":               v,
		"GET /volunteer/pairings/:id":           v,
		"POST /volunteer/pairings/:id/end":      v,
		"GET /volunteer/requests/:id":           v,
		"POST /volunteer/requests/:id/checkin":  v,
		"POST /volunteer/services/:id/checkout": v,
	})
}

// careWorld is an app on a clock that stands at a Saturday morning in Hangzhou, with a coordinator to verify
// people and the staff members and volunteers a test adds.
type careWorld struct {
	t           *testing.T
	ta          *testApp
	clock       *testdb.Clock
	coordinator repository.Actor
	n           int // people added, for their phones and ID numbers
}

// careSaturday is 8 o'clock on Saturday 7 March 2026, Shanghai time.
var careSaturday = time.Date(2026, 3, 7, 8, 0, 0, 0, domain.Shanghai)

func newCareWorld(t *testing.T) *careWorld {
	t.Helper()
	return newCareWorldEnv(t, nil)
}

// newCareWorldEnv is newCareWorld configured by env as well (a mail server's settings).
func newCareWorldEnv(t *testing.T, env map[string]string) *careWorld {
	t.Helper()
	return newCareWorldAt(t, env, careSaturday)
}

// newCareWorldAt is a care world whose clock starts at start.
func newCareWorldAt(t *testing.T, env map[string]string, start time.Time) *careWorld {
	t.Helper()
	clock := testdb.NewClock(start)
	// Low star thresholds, so an hour of service earns a star.
	all := map[string]string{"GUANAI_STAR_HOURS": "1,2,3,4,5"}
	maps.Copy(all, env)
	ta := newTestAppOn(t, testdb.StoreWithClock(t, clock), all, nil)
	_, coord := ta.account(domain.RoleCoordinator, "13800009901")
	return &careWorld{t: t, ta: ta, clock: clock, coordinator: repository.Actor{UserID: coord.ID, Role: domain.RoleCoordinator, IP: "test"}}
}

// carePerson is an account of the world, logged in.
type carePerson struct {
	domain.User
	c     *client
	actor repository.Actor
}

func (w *careWorld) login(u domain.User) carePerson {
	w.t.Helper()
	c := w.ta.client()
	if r := c.login(u.Phone, testPassword); r.Status != http.StatusSeeOther {
		w.t.Fatalf("login %s: %d", u.Name, r.Status)
	}
	return carePerson{User: u, c: c, actor: repository.Actor{UserID: u.ID, Role: u.Role, IP: "test"}}
}

// staff registers a verified staff member.
func (w *careWorld) staff(name, district, address string, children ...domain.Child) carePerson {
	w.t.Helper()
	w.n++
	ctx := context.Background()
	u, err := w.ta.store.RegisterStaff(ctx, "test", domain.StaffRegistration{
		Account: domain.Account{Name: name, Phone: fmt.Sprintf("139000070%02d", w.n), Password: testPassword, PrivacyConsent: true},
		Profile: domain.StaffProfile{Hospital: "杭州市西溪医院", Department: "感染科", Position: "护士", Category: "designated",
			District: district, Address: address, Children: children},
		ChildrenConsent: len(children) > 0})
	if err != nil {
		w.t.Fatal(err)
	}
	if u.Status == domain.StatusPending {
		if err := w.ta.store.DecideAccount(ctx, w.coordinator, u.ID, true, ""); err != nil {
			w.t.Fatal(err)
		}
	}
	return w.login(u)
}

// volunteer registers a volunteer whose qualifications are all verified, free on Saturdays.
func (w *careWorld) volunteer(name, district string, capacity int, quals ...string) carePerson {
	w.t.Helper()
	w.n++
	ctx := context.Background()
	var claims []domain.QualificationClaim
	for _, q := range quals {
		claims = append(claims, domain.QualificationClaim{Code: q, Detail: "核验材料"})
	}
	id17 := fmt.Sprintf("33010219900101%03d", w.n)
	u, err := w.ta.store.RegisterVolunteer(ctx, "test", domain.VolunteerRegistration{
		Account: domain.Account{Name: name, Phone: fmt.Sprintf("137000070%02d", w.n), Password: testPassword, PrivacyConsent: true},
		Profile: domain.VolunteerProfile{IDNumber: id17 + string(domain.IDCheckChar(id17)), Districts: []string{district},
			Qualifications: claims, Availability: []string{"sat_am", "sat_pm"}, Capacity: capacity}})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := verifyAll(ctx, w.ta.store, w.coordinator, u.ID); err != nil {
		w.t.Fatal(err)
	}
	return w.login(u)
}

// ask submits a request through the repository, as the staff member.
func (w *careWorld) ask(s carePerson, program string, f domain.RequestForm) int64 {
	w.t.Helper()
	id, err := w.ta.store.SubmitRequest(context.Background(), s.actor, program, f)
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	return id
}

// offerOf is the volunteer's offer of a request.
func (w *careWorld) offerOf(v carePerson, requestID int64) int64 {
	w.t.Helper()
	var id int64
	if err := w.ta.store.SQL().QueryRow(`SELECT id FROM care_offers WHERE volunteer_id = $1 AND request_id = $2`,
		v.ID, requestID).Scan(&id); err != nil {
		w.t.Fatalf("%s has no offer of request %d: %v", v.Name, requestID, err)
	}
	return id
}

func (w *careWorld) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.ta.store.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r.Body)
	}
}

// A ride from the first offer to the hours on the home page: the offer hides who asks, the first acceptance wins
// and shows her contact (each view audited), the second is thanked, nobody reaches another's records, and the
// hours count once she confirms.
func TestVolunteerAcceptsServesAndEarnsHours(t *testing.T) {
	w := newCareWorld(t)
	ctx := context.Background()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	zhou := w.staff("周丽华", "shangcheng", "上城区解放路12号")
	v1 := w.volunteer("赵志强", "shangcheng", 1, domain.QualDriver)
	v2 := w.volunteer("郑凯", "shangcheng", 2, domain.QualDriver)
	v3 := w.volunteer("周伟", "xihu", 2, domain.QualDriver) // another district: no offer
	ride := w.ask(lin, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
		Date: "2026-03-07", From: "10:00", To: "11:00", District: "shangcheng",
		Pickup: "浙大一院东门", Destination: "庆春路小区南门", Details: "请帮忙带一把折叠轮椅"})
	later := w.ask(zhou, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
		Date: "2026-03-07", From: "14:00", To: "15:00", District: "shangcheng", Pickup: "解放路口", Destination: "市一医院"})
	offer1, offer2, laterOffer1, laterOffer2 := w.offerOf(v1, ride), w.offerOf(v2, ride), w.offerOf(v1, later), w.offerOf(v2, later)
	herData := []string{"林晓梅", lin.Phone, domain.MaskPhone(lin.Phone), "庆春路79号", "浙大一院东门", "庆春路小区南门", "折叠轮椅"}

	home := v1.c.get("/volunteer")
	wantStatus(t, "home", home, http.StatusOK)
	mustContain(t, home, "有 2 个邀请等你回复", `href="/volunteer/offers"`, "0 分钟", "还没有星级")

	inbox := v1.c.get("/volunteer/offers")
	wantStatus(t, "inbox", inbox, http.StatusOK)
	mustContain(t, inbox, "/volunteer/offers/"+itoa(offer1), "/volunteer/offers/"+itoa(laterOffer1), "还剩 2 小时", "交通出行")
	mustNotContain(t, inbox, herData...)

	page := v1.c.get("/volunteer/offers/" + itoa(offer1))
	wantStatus(t, "offer", page, http.StatusOK)
	mustContain(t, page, "志愿者一对一帮扶", "交通出行", "上城区", "2026年3月7日 10:00–11:00", "一般", "还剩 2 小时",
		`action="/volunteer/offers/`+itoa(offer1)+`/accept"`, `action="/volunteer/offers/`+itoa(offer1)+`/decline"`)
	mustNotContain(t, page, herData...)
	mustNotContain(t, page, "13900007", "共 1 次") // no phone of anyone who asked; a single window is no schedule

	// Another volunteer's offer, pairing, request and service are not there for them.
	for _, v := range []carePerson{v2, v3} {
		if r := v.c.get("/volunteer/offers/" + itoa(offer1)); r.Status != http.StatusNotFound {
			t.Errorf("%s opens another's offer: %d", v.Name, r.Status)
		}
		if r := v.c.post("/volunteer/offers/"+itoa(offer1)+"/accept", nil); r.Status != http.StatusNotFound {
			t.Errorf("%s accepts another's offer: %d", v.Name, r.Status)
		}
		if r := v.c.post("/volunteer/offers/"+itoa(offer1)+"/decline", nil); r.Status != http.StatusNotFound {
			t.Errorf("%s declines another's offer: %d", v.Name, r.Status)
		}
	}

	w.clock.Advance(5 * time.Minute)
	r := v1.c.post("/volunteer/offers/"+itoa(offer1)+"/accept", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer/requests/"+itoa(ride) {
		t.Fatalf("accept: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	req := v1.c.get(r.Location)
	wantStatus(t, "request", req, http.StatusOK)
	mustContain(t, req, "接单成功", "浙大一院东门", "庆春路小区南门", "折叠轮椅", "已接单", "2026年3月7日 10:00–11:00",
		`action="/volunteer/requests/`+itoa(ride)+`/checkin"`)

	mustContain(t, v1.c.get("/volunteer"), `href="/volunteer/requests/`+itoa(ride)+`"`, "2026年3月7日 10:00–11:00",
		`href="/volunteer/pairings/`, "结对 1/1")

	// The late acceptance is thanked, not refused.
	late := v2.c.post("/volunteer/offers/"+itoa(offer2)+"/accept", nil)
	wantStatus(t, "late accept", late, http.StatusOK)
	mustContain(t, late, "已被其他志愿者接单，谢谢你", `href="/volunteer/offers"`)
	mustNotContain(t, late, herData...)
	mustContain(t, v2.c.get("/volunteer/offers/"+itoa(offer2)), "已撤回")

	// At capacity (one pairing), the second request no longer fits: its offer page says so.
	r = v1.c.post("/volunteer/offers/"+itoa(laterOffer1)+"/accept", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer/offers/"+itoa(laterOffer1) {
		t.Fatalf("accept at capacity: %d %s", r.Status, r.Location)
	}
	mustContain(t, v1.c.get(r.Location), "结对人数已满")

	// A decline with a reason too long comes back as typed; then it goes through.
	long := strings.Repeat("忙", 201)
	r = v2.c.post("/volunteer/offers/"+itoa(laterOffer2)+"/decline", url.Values{"reason": {long}})
	wantStatus(t, "long decline", r, http.StatusUnprocessableEntity)
	mustContain(t, r, long)
	r = v2.c.post("/volunteer/offers/"+itoa(laterOffer2)+"/decline", url.Values{"reason": {"下午要值班"}})
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer/offers" {
		t.Fatalf("decline: %d %s", r.Status, r.Location)
	}
	mustContain(t, v2.c.get("/volunteer/offers"), "已婉拒这个邀请", "已婉拒")

	// The pairing shows her contact, and each view is on the record.
	var pairing int64
	if err := w.ta.store.SQL().QueryRow(`SELECT pairing_id FROM care_requests WHERE id = $1`, ride).Scan(&pairing); err != nil {
		t.Fatal(err)
	}
	list := v1.c.get("/volunteer/pairings")
	wantStatus(t, "pairings", list, http.StatusOK)
	mustContain(t, list, "/volunteer/pairings/"+itoa(pairing), "结对中")
	mustNotContain(t, list, lin.Phone)
	views := func() int {
		return w.count(`SELECT count(*) FROM audit_events WHERE action = 'pairing.view_contact' AND subject_type = 'pairing'
			AND subject_id = $1 AND actor_id = $2`, pairing, v1.ID)
	}
	if n := views(); n != 0 {
		t.Fatalf("%d contact views before any", n)
	}
	for i := 1; i <= 2; i++ {
		pp := v1.c.get("/volunteer/pairings/" + itoa(pairing))
		wantStatus(t, "pairing", pp, http.StatusOK)
		mustContain(t, pp, "林晓梅", lin.Phone, "上城区庆春路79号3幢", "/volunteer/requests/"+itoa(ride))
		if n := views(); n != i {
			t.Errorf("after %d views of the contact, %d audit events", i, n)
		}
	}

	// Check in (from two hours before), and nobody else reaches the request, the pairing or the service.
	w.clock.Set(time.Date(2026, 3, 7, 9, 55, 0, 0, domain.Shanghai))
	r = v1.c.post("/volunteer/requests/"+itoa(ride)+"/checkin", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer/requests/"+itoa(ride) {
		t.Fatalf("check in: %d %s", r.Status, r.Location)
	}
	req = v1.c.get(r.Location)
	mustContain(t, req, "已签到，服务开始", "服务中", "签到 2026年3月7日 09:55")
	mustContain(t, v1.c.get("/volunteer"), "服务中")
	service := regexpFind(t, req.Body, `action="/volunteer/services/(\d+)/checkout"`)
	for _, v := range []carePerson{v2, v3} {
		for _, path := range []string{"/volunteer/requests/" + itoa(ride), "/volunteer/pairings/" + itoa(pairing)} {
			if r := v.c.get(path); r.Status != http.StatusNotFound {
				t.Errorf("%s opens %s: %d", v.Name, path, r.Status)
			}
		}
		for _, path := range []string{"/volunteer/requests/" + itoa(ride) + "/checkin", "/volunteer/services/" + service + "/checkout"} {
			if r := v.c.post(path, url.Values{"note": {"x"}}); r.Status != http.StatusNotFound {
				t.Errorf("%s posts %s: %d", v.Name, path, r.Status)
			}
		}
		if r := v.c.post("/volunteer/pairings/"+itoa(pairing)+"/end", url.Values{"reason": {"搞错了"}}); r.Status != http.StatusNotFound {
			t.Errorf("%s ends another's pairing: %d", v.Name, r.Status)
		}
	}
	if n := views(); n != 2 {
		t.Errorf("refused views wrote audit events: %d", n)
	}

	// Check out with a note (one too long comes back first), 70 minutes in.
	w.clock.Set(time.Date(2026, 3, 7, 11, 5, 0, 0, domain.Shanghai))
	r = v1.c.post("/volunteer/services/"+service+"/checkout", url.Values{"note": {strings.Repeat("好", 501)}})
	wantStatus(t, "long note", r, http.StatusUnprocessableEntity)
	mustContain(t, r, strings.Repeat("好", 501))
	r = v1.c.post("/volunteer/services/"+service+"/checkout", url.Values{"note": {"已安全送到小区门口"}})
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer/requests/"+itoa(ride) {
		t.Fatalf("check out: %d %s", r.Status, r.Location)
	}
	req = v1.c.get(r.Location)
	mustContain(t, req, "已签退，谢谢你", "已完成", "时长 1 小时 10 分钟", "已安全送到小区门口", "等待对方确认；2026年3月10日 11:05 前未确认将自动确认")
	mustContain(t, v1.c.get("/volunteer"), "0 分钟", "还没有星级")

	// Her confirmation counts the hours: 70 minutes, past the first star (1 h), 50 minutes short of the second.
	id, _ := parseID(service)
	if err := w.ta.store.ConfirmService(ctx, lin.actor, id); err != nil {
		t.Fatal(err)
	}
	home = v1.c.get("/volunteer")
	mustContain(t, home, "1 小时 10 分钟", "★☆☆☆☆", "1 星志愿者", "再服务 1 小时可升为 2 星")
	mustContain(t, v1.c.get("/volunteer/requests/"+itoa(ride)), "对方已确认 · 2026年3月7日 11:05")

	// Ending the pairing needs a reason; once ended, her contact and details are hidden again, and not audited.
	r = v1.c.post("/volunteer/pairings/"+itoa(pairing)+"/end", url.Values{"no_repeat": {"yes"}})
	wantStatus(t, "end without reason", r, http.StatusUnprocessableEntity)
	mustContain(t, r, `name="no_repeat" value="yes" checked`)
	before := views()
	r = v1.c.post("/volunteer/pairings/"+itoa(pairing)+"/end", url.Values{"reason": {"服务已完成"}, "no_repeat": {"yes"}})
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer/pairings/"+itoa(pairing) {
		t.Fatalf("end pairing: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	pp := v1.c.get(r.Location)
	mustContain(t, pp, "结对已结束", "已结束", "服务已完成", "不再配对")
	mustNotContain(t, pp, herData...)
	req = v1.c.get("/volunteer/requests/" + itoa(ride))
	wantStatus(t, "request after the pairing", req, http.StatusOK)
	mustContain(t, req, "对方的具体信息不再显示")
	mustNotContain(t, req, herData...)
	if n := views(); n != before {
		t.Errorf("an ended pairing's page wrote %d contact views", n-before)
	}
}

func parseID(s string) (int64, error) {
	var id int64
	_, err := fmt.Sscan(s, &id)
	return id, err
}

// A tutoring offer — every Saturday for three weeks — shows each occurrence and names none of her children; once
// accepted, the tutor sees their given names and grades only.
func TestTutoringOfferHidesTheChildren(t *testing.T) {
	w := newCareWorld(t)
	mum := w.staff("郑海燕", "gongshu", "拱墅区莫干山路88号", domain.Child{Name: "郑一诺", BirthYear: 2016, Grade: "g4"},
		domain.Child{Name: "郑一鸣", BirthYear: 2019, Grade: "k"})
	tutor := w.volunteer("李雨桐", "gongshu", 2, domain.QualTutor)
	var child int64
	if err := w.ta.store.SQL().QueryRow(`SELECT id FROM staff_children WHERE user_id = $1 AND name = '郑一诺'`, mum.ID).Scan(&child); err != nil {
		t.Fatal(err)
	}
	req := w.ask(mum, "tutoring", domain.RequestForm{Category: domain.CategoryTutoring, Urgency: domain.UrgencyNormal,
		Recurring: true, Weekdays: []string{"sat"}, FirstDate: "2026-03-07", LastDate: "2026-03-21", From: "14:00", To: "15:30",
		District: "gongshu", Place: "家中书房", Details: "分数应用题总出错",
		ChildIDs: []int64{child}, Consent: true}) // any subject: the volunteer's profile names none yet
	offer := w.offerOf(tutor, req)
	page := tutor.c.get("/volunteer/offers/" + itoa(offer))
	wantStatus(t, "offer", page, http.StatusOK)
	mustContain(t, page, "学业辅导", "拱墅区", "共 3 次", "2026年3月7日 14:00–15:30", "2026年3月14日 14:00–15:30",
		"2026年3月21日 14:00–15:30")
	mustNotContain(t, page, "郑海燕", mum.Phone, "莫干山路", "家中书房", "分数应用题", "郑一诺", "一诺", "郑一鸣", "一鸣", "四年级")

	r := tutor.c.post("/volunteer/offers/"+itoa(offer)+"/accept", nil)
	wantStatus(t, "accept", r, http.StatusSeeOther)
	view := tutor.c.get(r.Location)
	mustContain(t, view, "一诺 · 四年级", "家中书房", "分数应用题总出错")
	mustNotContain(t, view, "郑一诺", "一鸣")
}

// The query budget's volunteer pages: a request of a demo staff member, assigned by a coordinator to the demo
// volunteer who opens them (13700000001), so there is an offer, a pairing and a request of his to open.
var volunteerBudgetIDs sync.Map // *budgetApp -> [3]string

func volunteerBudgetPage(ba *budgetApp, route string) struct{ path, phone string } {
	ba.t.Helper()
	ids, ok := volunteerBudgetIDs.Load(ba)
	if !ok {
		ids = volunteerBudgetSetup(ba)
		volunteerBudgetIDs.Store(ba, ids)
	}
	i := map[string]int{"/volunteer/offers/:id": 0, "/volunteer/pairings/:id": 1, "/volunteer/requests/:id": 2}[route]
	return struct{ path, phone string }{strings.Replace(route, ":id", ids.([3]string)[i], 1), "13700000001"}
}

func volunteerBudgetSetup(ba *budgetApp) [3]string {
	t := ba.t
	ctx := context.Background()
	user := func(phone string) repository.Actor {
		u, err := ba.store.UserByPhone(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		return repository.Actor{UserID: u.ID, Role: u.Role, IP: "test"}
	}
	staff, volunteer, coordinator := user("13900000001"), user("13700000001"), user("13800000003")
	day := domain.Today(ba.store.Now()).AddDate(0, 0, 7)
	req, err := ba.store.SubmitRequest(ctx, staff, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport,
		Urgency: domain.UrgencyNormal, Date: day.Format(time.DateOnly), From: "09:00", To: "10:00", District: "shangcheng",
		Pickup: "浙大一院", Destination: "庆春路", Details: "预算测试"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ba.store.AssignByHand(ctx, coordinator, req, volunteer.UserID, "预算测试"); err != nil {
		t.Fatal(err)
	}
	var ids [3]string
	if err := ba.store.SQL().QueryRow(`SELECT o.id::text, r.pairing_id::text, r.id::text FROM care_requests r
		JOIN care_offers o ON o.request_id = r.id AND o.volunteer_id = r.volunteer_id WHERE r.id = $1`, req).
		Scan(&ids[0], &ids[1], &ids[2]); err != nil {
		t.Fatal(err)
	}
	return ids
}
