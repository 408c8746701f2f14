package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"guanai/domain"
)

func TestDownloadAndCloseAccount(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	c.post("/register/staff", staffForm("刘晓燕", "13900000031"))
	r := c.get("/account/data")
	if r.Status != http.StatusOK || r.Header.Get("Content-Disposition") == "" {
		t.Fatalf("download: %d %v", r.Status, r.Header)
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(r.Body), &data); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	mustContain(t, r, "13900000031", "小明", "privacy", "children_data")

	r = c.post("/account/close", url.Values{"password": {"wrong-password"}, "confirm": {"yes"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close with a wrong password: %d", r.Status)
	}
	r = c.post("/account/close", url.Values{"password": {testPassword}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close without confirming: %d", r.Status)
	}
	r = c.post("/account/close", url.Values{"password": {testPassword}, "confirm": {"yes"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	if r := c.get("/staff"); r.Status != http.StatusSeeOther {
		t.Fatalf("session after closing: %d", r.Status)
	}
	if _, err := ta.store.UserByPhone(context.Background(), "13900000031"); err != domain.ErrNotFound {
		t.Fatalf("phone still on an account: %v", err)
	}
	// The number is free: the person can register again.
	if r := ta.client().post("/register/staff", staffForm("刘晓燕", "13900000031")); r.Status != http.StatusSeeOther {
		t.Fatalf("register again: %d", r.Status)
	}
}

// busiestVolunteer is the phone of the seeded volunteer with the most services (and so offers and pairings).
func busiestVolunteer(ba *budgetApp) string {
	ba.t.Helper()
	var phone string
	if err := ba.store.SQL().QueryRow(`SELECT u.phone FROM users u JOIN care_services sv ON sv.volunteer_id = u.id
		WHERE u.status = 'active' GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1`).Scan(&phone); err != nil {
		ba.t.Fatalf("the busiest volunteer: %v", err)
	}
	return phone
}

// A staff member and her volunteer download their data with a ride done and one booked; then she closes her
// account: the booked ride is cancelled, their pairing ends, and he reads both in his inbox, in words that are
// nobody's.
func TestCareInTheDownloadAndTheClose(t *testing.T) {
	w := newCareWorld(t)
	ctx := context.Background()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v := w.volunteer("赵志强", "shangcheng", 2, domain.QualDriver)
	rideAt := func(from, to string) domain.RequestForm {
		return domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal, Date: "2026-03-07",
			From: from, To: to, District: "shangcheng", Pickup: "浙大一院东门", Destination: "庆春路小区南门", Details: "请带一把折叠轮椅"}
	}
	done := w.ask(lin, "one_to_one", rideAt("10:00", "11:00"))
	if _, err := w.ta.store.AcceptOffer(ctx, v.actor, w.offerOf(v, done)); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(careSaturday.Add(2 * time.Hour))
	sv, err := w.ta.store.CheckIn(ctx, v.actor, done)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	if err := w.ta.store.CheckOut(ctx, v.actor, sv, "顺利送达"); err != nil {
		t.Fatal(err)
	}
	if err := w.ta.store.CloseRequest(ctx, lin.actor, done, 5, "非常细心"); err != nil {
		t.Fatal(err)
	}
	booked := w.ask(lin, "one_to_one", rideAt("14:00", "15:00"))
	if _, err := w.ta.store.AcceptOffer(ctx, v.actor, w.offerOf(v, booked)); err != nil {
		t.Fatal(err)
	}

	hers := lin.c.get("/account/data")
	wantStatus(t, "her download", hers, http.StatusOK)
	var data map[string]any
	if err := json.Unmarshal([]byte(hers.Body), &data); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, section := range []string{"care_requests", "pairings", "services", "ratings"} {
		if _, ok := data[section]; !ok {
			t.Errorf("her download has no %s", section)
		}
	}
	mustContain(t, hers, "浙大一院东门", "折叠轮椅", "非常细心", `"赵**"`, `"hours": "1.00"`)
	mustNotContain(t, hers, "赵志强", v.Phone)

	his := v.c.get("/account/data")
	wantStatus(t, "his download", his, http.StatusOK)
	mustContain(t, his, `"offers"`, `"services"`, "顺利送达", "非常细心", `"林**"`, `"status": "accepted"`)
	mustNotContain(t, his, "林晓梅", lin.Phone, "庆春路79号", "浙大一院东门")

	if r := lin.c.post("/account/close", url.Values{"password": {testPassword}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", r.Status, r.Body)
	}
	if n := w.count(`SELECT count(*) FROM care_requests WHERE id = $1 AND status = 'cancelled'`, booked); n != 1 {
		t.Errorf("her booked ride was not cancelled")
	}
	inbox := v.c.get("/inbox")
	wantStatus(t, "his inbox", inbox, http.StatusOK)
	mustContain(t, inbox, "对方已取消请求：账户已注销", "结对已结束：账户已注销")
	var pairing int64
	if err := w.ta.store.SQL().QueryRow(`SELECT id FROM pairings WHERE volunteer_id = $1`, v.ID).Scan(&pairing); err != nil {
		t.Fatal(err)
	}
	page := v.c.get("/volunteer/pairings/" + itoa(pairing))
	wantStatus(t, "his pairing", page, http.StatusOK)
	mustContain(t, page, "账户已注销")
	mustNotContain(t, page, "林晓梅", "庆春路79号", lin.Phone)
	// His hours and her rating of him stand.
	home := v.c.get("/volunteer")
	mustContain(t, home, "1 小时")
	if n := w.count(`SELECT rating_sum FROM volunteer_profiles WHERE user_id = $1`, v.ID); n != 5 {
		t.Errorf("his rating sum %d, want 5", n)
	}
}

// A volunteer in the middle of a ride cannot close his account: the form says to check out first, and nothing
// changes.
func TestVolunteerCheckedInCannotClose(t *testing.T) {
	w := newCareWorld(t)
	ctx := context.Background()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v := w.volunteer("赵志强", "shangcheng", 2, domain.QualDriver)
	ride := w.ask(lin, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
		Date: "2026-03-07", From: "10:00", To: "11:00", District: "shangcheng", Pickup: "浙大一院东门", Destination: "庆春路"})
	if _, err := w.ta.store.AcceptOffer(ctx, v.actor, w.offerOf(v, ride)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ta.store.CheckIn(ctx, v.actor, ride); err != nil {
		t.Fatal(err)
	}
	r := v.c.post("/account/close", url.Values{"password": {testPassword}, "confirm": {"yes"}})
	wantStatus(t, "close while checked in", r, http.StatusUnprocessableEntity)
	mustContain(t, r, "你正在一次服务中，请先签退再注销账户。")
	if u, err := w.ta.store.UserByID(ctx, v.ID); err != nil || u.Status != domain.StatusActive {
		t.Errorf("after the refused close: %+v %v, want the account active", u, err)
	}
	if n := w.count(`SELECT count(*) FROM pairings WHERE volunteer_id = $1 AND status = 'active'`, v.ID); n != 1 {
		t.Errorf("%d active pairings after the refused close, want 1", n)
	}
}

// The privacy notice says what an e-mail address is used for (its version, which registrations record, is 2026-12-01
// since it does).
func TestPrivacyNoticeTellsOfEmail(t *testing.T) {
	ta := newTestApp(t)
	r := ta.client().get("/privacy")
	mustContain(t, r, "版本 "+domain.PrivacyNoticeVersion, "电子邮箱是选填的", "注销账户时它会被删除")
}
