package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	v := []domain.Role{domain.RoleVolunteer}
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /volunteer/certificates/new": v,
		"POST /volunteer/certificates":    v,
		"GET /volunteer/certificates/:id": v,
		"GET /verify/:code":               everyone,
		"GET /admin/settings":             admin,
		"POST /admin/settings":            admin,
	})
}

// servedHour: v gives s a ride of an hour on the day given (2006-01-02), assigned by the coordinator, and she
// confirms it.
func (w *careWorld) servedHour(s, v carePerson, day string) {
	w.t.Helper()
	ctx := context.Background()
	id := w.ask(s, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
		Date: day, From: "10:00", To: "11:00", District: "shangcheng", Pickup: "浙大一院东门", Destination: "庆春路小区南门"})
	if err := w.ta.store.AssignByHand(ctx, w.coordinator, id, v.ID, ""); err != nil {
		w.t.Fatal(err)
	}
	start, _ := domain.ParseDate(day)
	w.clock.Set(start.Add(9*time.Hour + 55*time.Minute))
	sv, err := w.ta.store.CheckIn(ctx, v.actor, id)
	if err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	if err := w.ta.store.CheckOut(ctx, v.actor, sv, ""); err != nil {
		w.t.Fatal(err)
	}
	if err := w.ta.store.ConfirmService(ctx, s.actor, sv); err != nil {
		w.t.Fatal(err)
	}
}

// A volunteer issues the certificate of his hours, prints it, issues it again (and twice at once) and gets the
// same one; another volunteer's guess of its id finds nothing; anyone checks it by its code and reads only the
// masked name, the hours and the period; a forged code is told as not genuine, in the visitor's language.
func TestVolunteerCertificateIssuedAndVerified(t *testing.T) {
	w := newCareWorld(t)
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v := w.volunteer("赵志强", "shangcheng", 2, domain.QualDriver)
	other := w.volunteer("郑凯", "shangcheng", 2, domain.QualDriver)
	w.servedHour(lin, v, "2026-03-07")
	w.clock.Set(careSaturday.Add(8 * time.Hour))

	form := v.c.get("/volunteer/certificates/new")
	wantStatus(t, "form", form, http.StatusOK)
	mustContain(t, form, `value="2025-03-08"`, `value="2026-03-07"`) // the last twelve months

	for _, bad := range []struct{ from, to, message string }{
		{"2026-03-07", "2026-03-01", "开始日期不能晚于截止日期"},
		{"2026-03-01", "2026-03-08", "截止日期不能晚于今天"},
		{"2026-3-x", "2026-03-07", "请按 2026-03-01 的格式填写日期"},
		{"2026-01-01", "2026-03-06", "这段时间内没有已确认的服务时长"},
	} {
		r := v.c.post("/volunteer/certificates", url.Values{"from": {bad.from}, "to": {bad.to}})
		wantStatus(t, "bad period "+bad.from+"–"+bad.to, r, http.StatusUnprocessableEntity)
		mustContain(t, r, bad.message, `value="`+bad.from+`"`, `value="`+bad.to+`"`)
	}
	if n := w.count(`SELECT count(*) FROM certificates`); n != 0 {
		t.Fatalf("%d certificates after refused periods", n)
	}

	// A double click: two issues at once, one certificate.
	period := url.Values{"from": {"2026-01-01"}, "to": {"2026-03-07"}}
	var wg sync.WaitGroup
	where := make([]string, 2)
	for i := range where {
		wg.Go(func() {
			r := v.c.post("/volunteer/certificates", url.Values{"from": period["from"], "to": period["to"]})
			if r.Status == http.StatusSeeOther {
				where[i] = r.Location
			}
		})
	}
	wg.Wait()
	if where[0] == "" || where[0] != where[1] || !strings.HasPrefix(where[0], "/volunteer/certificates/") {
		t.Fatalf("two issues at once went to %q and %q", where[0], where[1])
	}
	if r := v.c.post("/volunteer/certificates", period); r.Location != where[0] {
		t.Fatalf("issued again: %d %s, want %s", r.Status, r.Location, where[0])
	}
	if n := w.count(`SELECT count(*) FROM certificates`); n != 1 {
		t.Fatalf("%d certificates, want 1", n)
	}
	var number, code string
	if err := w.ta.store.SQL().QueryRow(`SELECT number, code FROM certificates`).Scan(&number, &code); err != nil {
		t.Fatal(err)
	}

	page := v.c.get(where[0])
	wantStatus(t, "certificate", page, http.StatusOK)
	mustContain(t, page, "志愿服务证明", "赵志强", "3301**********", number, "1 小时", "共 1 次服务", "志愿者一对一帮扶",
		"2026年1月1日", "2026年3月7日", "★☆☆☆☆", domain.CertificateIssuerZh, `<svg xmlns="http://www.w3.org/2000/svg"`, "/verify/"+code,
		"/static/certificate.")
	if r := other.c.get(where[0]); r.Status != http.StatusNotFound {
		t.Errorf("another volunteer opens the certificate: %d", r.Status)
	}
	mustContain(t, v.c.get("/volunteer"), `href="`+where[0]+`"`, number, `href="/volunteer/certificates/new"`)
	mustNotContain(t, other.c.get("/volunteer"), number)

	// A service confirmed later leaves the certificate as it was issued.
	w.servedHour(lin, v, "2026-03-14")
	w.clock.Set(careSaturday.AddDate(0, 0, 7).Add(8 * time.Hour))
	mustContain(t, v.c.get(where[0]), "1 小时", "共 1 次服务")
	mustNotContain(t, v.c.get(where[0]), "2 小时", "2026年3月14日")

	// The public check.
	visitor := w.ta.client()
	check := visitor.get("/verify/" + code)
	wantStatus(t, "verify", check, http.StatusOK)
	mustContain(t, check, "真实有效", "赵**", "1 小时", "2026年1月1日", "2026年3月7日")
	mustNotContain(t, check, "赵志强", "3301", number, v.Phone, domain.MaskPhone(v.Phone), "志愿者一对一帮扶", "林晓梅",
		"浙大一院", "星", "★")
	wantStatus(t, "verify lower case", visitor.get("/verify/"+strings.ToLower(code)), http.StatusOK)
	forged := strings.Repeat("Z", domain.CertificateCodeLen)
	for _, c := range []string{forged, "GAZY-2026-000001", "x"} {
		r := visitor.get("/verify/" + c)
		wantStatus(t, "forged "+c, r, http.StatusNotFound)
		mustContain(t, r, "不是本平台开具的真实证明")
		mustNotContain(t, r, "赵")
	}
	req, _ := http.NewRequest(http.MethodGet, w.ta.srv.URL+"/verify/"+forged, nil)
	req.Header.Set("Accept-Language", "en")
	if r := visitor.do(req); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "not a genuine certificate") {
		t.Errorf("forged code in English: %d", r.Status)
	}

	// The data download holds it; closing the account keeps it under the masked name, figures unchanged.
	data := v.c.get("/account/data")
	wantStatus(t, "data", data, http.StatusOK)
	var mine struct {
		Certificates []struct {
			Number  string `json:"number"`
			Minutes int64  `json:"minutes"`
			Code    string `json:"verification_code"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(data.Body), &mine); err != nil || len(mine.Certificates) != 1 ||
		mine.Certificates[0].Number != number || mine.Certificates[0].Minutes != 60 || mine.Certificates[0].Code != code {
		t.Fatalf("the data download's certificates: %+v, %v", mine.Certificates, err)
	}
	if r := v.c.post("/account/close", url.Values{"password": {testPassword}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	var name, id string
	var minutes int64
	if err := w.ta.store.SQL().QueryRow(`SELECT holder_name, id_number_masked, minutes FROM certificates WHERE number = $1`, number).
		Scan(&name, &id, &minutes); err != nil || name != "赵**" || id != "" || minutes != 60 {
		t.Errorf("after closing: %q %q %d, %v", name, id, minutes, err)
	}
	mustContain(t, visitor.get("/verify/"+code), "赵**", "1 小时")
}

// The admin edits the settings on one page: bad values come back at their fields as typed, good ones are saved,
// audited, and used at once — the volunteer's star level by the new thresholds, the hint by the new delay.
func TestAdminSettings(t *testing.T) {
	w := newCareWorld(t)
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v := w.volunteer("赵志强", "shangcheng", 2, domain.QualDriver)
	w.servedHour(lin, v, "2026-03-07")
	adminC, _ := w.ta.account(domain.RoleAdmin, "13800009902")
	coordC, _ := w.ta.account(domain.RoleCoordinator, "13800009903")
	if r := coordC.get("/admin/settings"); r.Status != http.StatusForbidden {
		t.Errorf("a coordinator opens the settings: %d", r.Status)
	}
	page := adminC.get("/admin/settings")
	wantStatus(t, "settings", page, http.StatusOK)
	mustContain(t, page, `value="5000000.00"`, `value="72"`, `placeholder="1, 2, 3, 4, 5"`, `name="offers_emergency"`)
	mustContain(t, v.c.get("/volunteer"), "1 星志愿者", "签退 72 小时后自动确认")

	good := url.Values{"goal": {"6000000"}, "star_hours": {"2, 4, 6"}, "auto_confirm_hours": {"48"}, "daily_offer_cap": {"5"},
		"offers_emergency": {"5"}, "minutes_emergency": {"10"}, "offers_urgent": {"3"}, "minutes_urgent": {"30"},
		"offers_normal": {"3"}, "minutes_normal": {"120"}}
	bad := url.Values{}
	for k, vs := range good {
		bad[k] = vs
	}
	bad.Set("goal", "-5")
	bad.Set("star_hours", "6, 4")
	bad.Set("minutes_normal", "2000")
	r := adminC.post("/admin/settings", bad)
	wantStatus(t, "bad settings", r, http.StatusUnprocessableEntity)
	mustContain(t, r, "每一级的小时数要比上一级大", `value="6, 4"`, `value="-5"`, `value="2000"`, `value="48"`)
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'settings.update'`); n != 0 {
		t.Fatalf("a refused save is audited %d times", n)
	}
	r = adminC.post("/admin/settings", good)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/settings" {
		t.Fatalf("save: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	mustContain(t, adminC.get("/admin/settings"), "设置已保存", `value="6000000.00"`, `value="2, 4, 6"`, `value="48"`)
	home := v.c.get("/volunteer")
	mustContain(t, home, "还没有星级", "签退 48 小时后自动确认") // 1 hour, the first star now needs 2
	mustContain(t, adminC.get("/admin"), "¥6,000,000.00")
	log := adminC.get("/admin/audit")
	mustContain(t, log, "修改了系统设置", "募集目标", "¥5,000,000.00", "¥6,000,000.00", "星级门槛（小时）", "2, 4, 6")

	// The thresholds and the delay in force are the store's for every page: nothing re-reads them per request.
	s, err := w.ta.store.Settings(context.Background())
	if err != nil || s.AutoConfirm != 48*time.Hour || len(s.StarHours) != 3 {
		t.Fatalf("settings in force: %+v, %v", s, err)
	}
	_ = repository.Actor{}
}

// demoCertificateCode is the verification code of the demo's certificate, for the query budget.
func demoCertificateCode(ba *budgetApp) string {
	ba.t.Helper()
	var c string
	if err := ba.store.SQL().QueryRow(`SELECT min(code) FROM certificates`).Scan(&c); err != nil {
		ba.t.Fatal(err)
	}
	return c
}
