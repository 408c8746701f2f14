package app

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

func init() {
	venue := []domain.Role{domain.RoleVenue}
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /staff/benefits/:code":        {domain.RoleStaff},
		"POST /staff/benefits/:code":       {domain.RoleStaff},
		"GET /staff/vouchers/:id":          {domain.RoleStaff},
		"GET /admin/benefits":              readers, // coordinators decide, as they verify people; the auditor reads
		"POST /admin/benefits/:id/approve": coord,
		"POST /admin/benefits/:id/reject":  coord,
		"POST /admin/programs/:id/places":  admin,
		"POST /admin/places/:id":           admin,
		"GET /admin/venues":                admin,
		"POST /admin/venues":               admin,
		"GET /venue":                       venue,
		"GET /venue/redeem":                venue,
		"POST /venue/redeem":               venue,
		"POST /venue/redeem/confirm":       venue,
	})
}

// benefitDay is in the seeded autumn term of 2026.
var benefitDay = time.Date(2026, 10, 12, 9, 0, 0, 0, domain.Shanghai)

// A nurse applies for her daughter's painting class on her phone, a coordinator approves it, she opens the voucher,
// and the youth centre's desk redeems it once; each refusal on the way says why in her (or the desk's) words.
func TestBenefitFromApplicationToRedemption(t *testing.T) {
	clock := testdb.NewClock(benefitDay)
	ta := newTestAppOn(t, testdb.StoreWithClock(t, clock), nil, nil)
	ctx := context.Background()
	adminC, _ := ta.account(domain.RoleAdmin, "13800000001")
	coordC, coordU := ta.account(domain.RoleCoordinator, "13800000003")
	verifier := repository.Actor{UserID: coordU.ID, Role: domain.RoleCoordinator, IP: "test"}
	staff, _, child := staffOfWorld(t, ta, verifier, "13900000001", "刘晓燕", "刘小满")
	other, _, _ := staffOfWorld(t, ta, verifier, "13900000002", "周建国", "周子涵")
	classes := programID(t, ta, "interest_classes")

	// The admin creates the youth centre's desk: a bad phone comes back with the name kept.
	r := adminC.post("/admin/venues", url.Values{"name": {"青少年活动中心前台"}, "phone": {"1380000000x"}, "password": {"venue-pass-1"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad venue account: %d", r.Status)
	}
	mustContain(t, r, `value="青少年活动中心前台"`)
	for _, v := range []struct{ name, phone string }{{"青少年活动中心前台", "13800000005"}, {"科技馆服务台", "13800000006"}} {
		if r := adminC.post("/admin/venues", url.Values{"name": {v.name}, "phone": {v.phone}, "password": {"venue-pass-1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("create venue %s: %d %s", v.name, r.Status, r.Body)
		}
	}
	mustContain(t, adminC.get("/admin/venues"), "青少年活动中心前台", "科技馆服务台")
	deskA, _ := ta.store.UserByPhone(ctx, "13800000005")
	mustContain(t, adminC.get("/admin/people/"+itoa(deskA.ID)), "青少年活动中心前台", "场馆核销")
	if r := coordC.get("/admin/people/" + itoa(deskA.ID)); r.Status != http.StatusNotFound {
		t.Errorf("a coordinator opening a venue desk's account: %d, want 404 (the admin's business)", r.Status)
	}

	// The program's page: a place without a name comes back at its field; then the painting class at desk A.
	edit := "/admin/programs/" + classes
	r = adminC.post(edit+"/places", url.Values{"place_name_zh": {""}, "place_name_en": {"Painting"}, "place_venue": {itoa(deskA.ID)}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("place without a name: %d", r.Status)
	}
	mustContain(t, r, `value="Painting"`, "请填写")
	for _, p := range []struct{ zh, en string }{{"少儿绘画班", "Painting"}, {"少儿书法班", "Calligraphy"}} {
		if r := adminC.post(edit+"/places", url.Values{"place_name_zh": {p.zh}, "place_name_en": {p.en}, "place_venue": {itoa(deskA.ID)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("add place: %d %s", r.Status, r.Body)
		}
	}
	// The quota and the term: a term ending before it starts is refused at its field, the rest kept.
	settings := url.Values{"name_zh": {"子女兴趣班免费"}, "name_en": {"Free interest classes for children"}, "active": {"yes"},
		"sensitive": {"yes"}, "quota": {"2"}, "quota_per": {"child"}, "period": {"term"}, "term_start": {"2026-09-01"}, "term_end": {"2026-08-01"}}
	r = adminC.post(edit, settings)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("backwards term: %d", r.Status)
	}
	mustContain(t, r, "结束日期不能早于开始日期", `value="2026-08-01"`, "少儿绘画班")
	settings.Set("term_end", "2027-01-31")
	if r := adminC.post(edit, settings); r.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.Status, r.Body)
	}
	mustContain(t, adminC.get(edit+"/edit"), `value="2"`, `value="2027-01-31"`)

	// Her home offers the program; its page says how many are left.
	mustContain(t, staff.get("/staff"), "/staff/benefits/interest_classes")
	page := staff.get("/staff/benefits/interest_classes")
	mustContain(t, page, "剩余 2 / 2 个名额", "少儿绘画班", "少儿书法班")
	painting := regexpFind(t, page.Body, `name="place" value="(\d+)"`)
	apply := url.Values{"child": {itoa(child)}, "place": {painting}}
	r = staff.post("/staff/benefits/interest_classes", apply)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("without consent: %d", r.Status)
	}
	mustContain(t, r, "请勾选同意，我们才能为孩子办理")
	apply.Set("consent", "yes")
	for range 2 {
		if r := staff.post("/staff/benefits/interest_classes", apply); r.Status != http.StatusSeeOther {
			t.Fatalf("apply: %d %s", r.Status, r.Body)
		}
	}
	r = staff.post("/staff/benefits/interest_classes", apply)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("over the quota: %d", r.Status)
	}
	mustContain(t, r, "这名子女本周期的 2 个名额已用完（已申请 2 个，剩余 0 个）", `value="`+painting+`" checked`)

	// The coordinator approves one and rejects the other with a reason.
	queue := coordC.get("/admin/benefits")
	mustContain(t, queue, "刘晓燕", "小满", "少儿绘画班")
	ids := regexp.MustCompile(`/admin/benefits/(\d+)/approve`).FindAllStringSubmatch(queue.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d applications in the queue, want 2", len(ids))
	}
	if r := coordC.post("/admin/benefits/"+ids[0][1]+"/reject", url.Values{"reason": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("reject without a reason: %d", r.Status)
	}
	if r := coordC.post("/admin/benefits/"+ids[0][1]+"/reject", url.Values{"reason": {"该班本学期已满"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.Status)
	}
	if r := coordC.post("/admin/benefits/"+ids[1][1]+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	home := staff.get("/staff")
	mustContain(t, home, "原因：该班本学期已满", "已发券")
	voucher := regexpFind(t, home.Body, `href="(/staff/vouchers/\d+)"`)
	vp := staff.get(voucher)
	mustContain(t, vp, `src="data:image/png;base64,`, "小满", "少儿绘画班", "2027年1月31日", "/static/voucher.")
	grouped := regexpFind(t, vp.Body, `<p class="code">([0-9A-Z*~$=]{5}-[0-9A-Z]{5}-[0-9A-Z*~$=U])</p>`)
	grouped = html.UnescapeString(grouped)
	code := strings.ReplaceAll(grouped, "-", "")
	if !domain.ValidVoucherCode(code) {
		t.Fatalf("the voucher page shows %q", grouped)
	}
	// Nobody else reaches it by its id.
	if r := other.get(voucher); r.Status != http.StatusNotFound {
		t.Errorf("another staff member opening %s: %d, want 404", voucher, r.Status)
	}
	// The approval is in her inbox and leads to the voucher.
	inbox := staff.get("/inbox")
	mustContain(t, inbox, "你的福利券申请已批准", "你的福利券申请未通过：该班本学期已满")
	note := regexpFind(t, inbox.Body, `href="(/inbox/\d+)"`) // the newest: the approval
	if r := staff.get(note); r.Location != voucher {
		t.Errorf("the approval's notification leads to %q, want %s", r.Location, voucher)
	}

	// The desk: the other venue's desk may not redeem it; a mistyped code, an unknown one, then the real one.
	desk := ta.client()
	if r := desk.login("13800000005", "venue-pass-1"); r.Status != http.StatusSeeOther || r.Location != "/venue/redeem" {
		t.Fatalf("desk login: %d %s", r.Status, r.Location)
	}
	deskOther := ta.client()
	deskOther.login("13800000006", "venue-pass-1")
	mustContain(t, deskOther.post("/venue/redeem", url.Values{"code": {code}}), "这张福利券不在本场馆使用")
	typo := code[:2] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[2])+1)%32]) + code[3:]
	mustContain(t, desk.post("/venue/redeem", url.Values{"code": {typo}}), "券码有一位输入错误")
	unknown := "0000000000" + string(domain.VoucherCheckSymbol("0000000000"))
	mustContain(t, desk.post("/venue/redeem", url.Values{"code": {unknown}}), "没有这张福利券")
	mustContain(t, desk.post("/venue/redeem", url.Values{"code": {"12"}}), "这不是福利券的券码")
	found := desk.post("/venue/redeem", url.Values{"code": {strings.ToLower(grouped)}})
	mustContain(t, found, "孩子：小满", "少儿绘画班", "确认核销")
	mustNotContain(t, found, "刘小满", "刘晓燕")
	if r := desk.post("/venue/redeem/confirm", url.Values{"code": {code}}); r.Status != http.StatusSeeOther {
		t.Fatalf("redeem: %d %s", r.Status, r.Body)
	}
	mustContain(t, desk.get("/venue/redeem"), "已核销：小满 · 少儿绘画班")
	again := desk.post("/venue/redeem/confirm", url.Values{"code": {code}})
	if again.Status != http.StatusUnprocessableEntity {
		t.Fatalf("second redemption: %d", again.Status)
	}
	mustContain(t, again, "这张福利券已于 2026-10-12 09:00 使用过")
	mustContain(t, staff.get("/staff"), "已使用")
	// In English the desk reads English.
	req := desk.formRequest("/venue/redeem", url.Values{"code": {code}})
	req.Header.Set("Accept-Language", "en")
	req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	mustContain(t, desk.do(req), "This voucher was used at 2026-10-12 09:00")

	// A voucher left unused past its term has expired.
	if _, err := ta.store.SQL().Exec(`UPDATE benefit_applications SET status = 'submitted', decided_at = NULL, decided_by = NULL,
		reason = '' WHERE id = $1`, ids[0][1]); err == nil {
		t.Fatal("the database let a rejected application be reopened")
	}
	second := staffApplyAndApprove(t, ta, staff, coordC, "interest_classes", url.Values{"child": {itoa(child)}, "consent": {"yes"},
		"place": {regexpFind(t, page.Body, `name="place" value="(\d+)"[^>]*>\s*<span>少儿书法班`)}})
	clock.Set(time.Date(2027, 2, 1, 8, 0, 0, 0, domain.Shanghai))
	vp2 := staff.get(second)
	code2 := strings.ReplaceAll(html.UnescapeString(regexpFind(t, vp2.Body, `<p class="code">([^<]+)</p>`)), "-", "")
	mustContain(t, vp2, "已过期")
	mustContain(t, desk.post("/venue/redeem", url.Values{"code": {code2}}), "这张福利券已过期（有效期至 2027-01-31）")
}

// staffApplyAndApprove applies as staff (after the quota was raised to make room) and has the coordinator approve
// it; it returns the voucher's page.
func staffApplyAndApprove(t *testing.T, ta *testApp, staff, coord *client, code string, form url.Values) string {
	t.Helper()
	if _, err := ta.store.SQL().Exec(`UPDATE programs SET quota = quota + 1 WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	if r := staff.post("/staff/benefits/"+code, form); r.Status != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", r.Status, r.Body)
	}
	id := regexpFind(t, coord.get("/admin/benefits").Body, `/admin/benefits/(\d+)/approve`)
	if r := coord.post("/admin/benefits/"+id+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	return regexpFind(t, staff.get("/staff").Body, `href="(/staff/vouchers/\d+)"`)
}
