package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guanai/domain"
)

func staffForm(name, phone string) url.Values {
	return url.Values{
		"name": {name}, "phone": {phone}, "password": {testPassword},
		"hospital": {"杭州市西溪医院"}, "department": {"感染科"}, "position": {"护士"},
		"category": {"designated"}, "district": {"xihu"}, "address": {"西湖区文一西路"},
		"child_name": {"小明", "", ""}, "child_birth_year": {"2016", "", ""}, "child_grade": {"g4", "", ""},
		"privacy_consent": {"yes"}, "children_consent": {"yes"},
	}
}

// registerTestStaff registers a staff member through the page and returns the account.
func registerTestStaff(t *testing.T, ta *testApp, phone, name string) domain.User {
	t.Helper()
	r := ta.client().post("/register/staff", staffForm(name, phone))
	if r.Status != http.StatusSeeOther || r.Location != "/staff" {
		t.Fatalf("register staff: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	u, err := ta.store.UserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestStaffRegistrationWaitsForVerification(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	r := c.post("/register/staff", staffForm("刘晓燕", "139 0000 1111"))
	if r.Status != http.StatusSeeOther || r.Location != "/staff" {
		t.Fatalf("got %d %s", r.Status, r.Location)
	}
	home := c.get("/staff")
	mustContain(t, home, "刘晓燕", "等待协调员审核", "杭州市西溪医院", "小明")
	u, err := ta.store.UserByPhone(context.Background(), "13900001111")
	if err != nil || u.Status != domain.StatusPending {
		t.Fatalf("account %+v, %v: want pending", u, err)
	}
}

func TestRegistrationBadInput(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	cases := []struct {
		name   string
		change func(url.Values)
		field  string
		msg    string
	}{
		{"bad phone", func(f url.Values) { f.Set("phone", "12345") }, "phone", "请输入 11 位手机号"},
		{"short password", func(f url.Values) { f.Set("password", "short") }, "password", "密码至少 8 位"},
		{"no consent", func(f url.Values) { f.Del("privacy_consent") }, "privacy_consent", "请阅读并同意隐私声明"},
		{"children without consent", func(f url.Values) { f.Del("children_consent") }, "children_consent", "监护人单独同意"},
		{"huge name", func(f url.Values) { f.Set("name", strings.Repeat("长", 10000)) }, "name", "内容太长了"},
		{"unknown district", func(f url.Values) { f.Set("district", "atlantis") }, "district", "请从列表中选择"},
		{"bad birth year", func(f url.Values) { f["child_birth_year"] = []string{"1800", "", ""} }, "child_birth_year_0", "四位出生年份"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := staffForm("周建国", "13900002222")
			tc.change(f)
			r := c.post("/register/staff", f)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.Status)
			}
			mustContain(t, r, tc.msg, "表单有需要修改的地方")
			// The other values are kept.
			mustContain(t, r, `value="感染科"`, `value="西湖区文一西路"`)
			mustNotContain(t, r, testPassword)
		})
	}
	// Nothing was half-written by any of those.
	if _, err := ta.store.UserByPhone(context.Background(), "13900002222"); err != domain.ErrNotFound {
		t.Fatalf("a refused registration left an account: %v", err)
	}
}

func TestScriptInNameIsEscaped(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	r := c.post("/register/staff", staffForm("<script>alert(1)</script>", "13900003333"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("status %d", r.Status)
	}
	home := c.get("/staff")
	mustNotContain(t, home, "<script>alert(1)</script>")
	mustContain(t, home, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

func TestPhoneTakenKeepsForm(t *testing.T) {
	ta := newTestApp(t)
	registerTestStaff(t, ta, "13900004444", "吴静")
	r := ta.client().post("/register/staff", staffForm("吴静", "13900004444"))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r, "该手机号已注册", `value="13900004444"`)
}

func volunteerForm(phone, id string) url.Values {
	return url.Values{
		"name": {"赵志强"}, "phone": {phone}, "password": {testPassword}, "id_number": {id},
		"districts": {"shangcheng", "gongshu"}, "qualifications": {"driver", "errands"}, "detail_driver": {"浙A·D12345"},
		"availability": {"mon_eve", "sat_am"}, "capacity": {"2"}, "privacy_consent": {"yes"},
	}
}

const testIDNumber = "11010519491231002X" // the standard's own example, with a valid check character

func TestVolunteerRegistration(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	r := c.post("/register/volunteer", volunteerForm("13700001111", testIDNumber))
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer" {
		t.Fatalf("got %d %s\n%s", r.Status, r.Location, r.Body)
	}
	home := c.get("/volunteer")
	mustContain(t, home, "赵志强", "司机(自有车辆)", "待核验")
	// The full ID number is on no page, the operators' included.
	coordClient, _ := ta.account(domain.RoleCoordinator, "13800009999")
	q := coordClient.get("/admin/verification")
	mustContain(t, q, "1101**********002X")
	mustNotContain(t, q, testIDNumber)

	again := ta.client().post("/register/volunteer", volunteerForm("13700002222", testIDNumber))
	if again.Status != http.StatusUnprocessableEntity {
		t.Fatalf("second registration with one ID: %d", again.Status)
	}
	mustContain(t, again, "该身份证号已注册")
}

func TestVolunteerBadInput(t *testing.T) {
	ta := newTestApp(t)
	f := volunteerForm("13700003333", "110105194912310021")
	f.Del("districts")
	f.Set("detail_driver", "")
	r := ta.client().post("/register/volunteer", f)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r, "身份证号不正确", "请至少选择一项", "请填写此项", `value="13700003333"`)
}

// A long form that comes back with problems lists them at the top, each a link to its field; the phone's message
// says what is wrong with it; a second child's block opens only when it holds something.
func TestRegistrationErrorSummaryLinksToTheFields(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	empty := c.get("/register/staff")
	mustContain(t, empty, `<details class="child-more">`)
	mustNotContain(t, empty, `<details class="child-more" open>`, `id="error-summary"`)

	form := staffForm("王芳", "12345678901")
	form.Del("privacy_consent")
	form["child_name"] = []string{"小明", "小红", ""}
	form["child_birth_year"] = []string{"2016", "1900", ""}
	form["child_grade"] = []string{"g4", "g1", ""}
	r := c.post("/register/staff", form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad registration: %d", r.Status)
	}
	mustContain(t, r, `id="error-summary"`, `<a href="#phone">这不是大陆手机号`, `<a href="#child_birth_year_1">`,
		`<a href="#privacy_consent">`, `id="privacy_consent"`, `id="child_birth_year_1"`, `<details class="child-more" open>`)
	summary := r.Body[strings.Index(r.Body, `id="error-summary"`):]
	if p, b := strings.Index(summary, "#phone"), strings.Index(summary, "#child_birth_year_1"); p < 0 || b < 0 || p > b {
		t.Errorf("the summary is not in the order of the form")
	}
	if r := c.post("/register/staff", staffForm("王芳", "139abc00001")); !strings.Contains(r.Body, "手机号只能包含数字") {
		t.Errorf("a phone with letters is not refused in words")
	}
}
