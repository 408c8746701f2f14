package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

func sessionCookie(c *client) string {
	u, _ := url.Parse(c.ta.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "guanai_session" {
			return ck.Value
		}
	}
	return ""
}

func TestLoginGoesHomeAndBack(t *testing.T) {
	ta := newTestApp(t)
	_, _ = ta.account(domain.RoleCoordinator, "13800000003")
	c := ta.client()
	r := c.get("/admin/verification")
	if r.Status != http.StatusSeeOther || r.Location != "/login?next=%2Fadmin%2Fverification" {
		t.Fatalf("anonymous: %d %s", r.Status, r.Location)
	}
	r = c.post("/login", url.Values{"phone": {"138 0000 0003"}, "password": {testPassword}, "next": {"/admin/verification"}})
	if r.Status != http.StatusSeeOther || r.Location != "/admin/verification" {
		t.Fatalf("login with next: %d %s", r.Status, r.Location)
	}
	// A next that points at another site is dropped.
	c2 := ta.client()
	r = c2.post("/login", url.Values{"phone": {"13800000003"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if r.Location != "/admin" {
		t.Fatalf("next to another host: went to %q", r.Location)
	}
}

func TestLoginRenewsSession(t *testing.T) {
	ta := newTestApp(t)
	ta.account(domain.RoleStaff, "13900000001")
	c := ta.client()
	c.get("/login")
	// Put something in the session before login, so it has an id to steal.
	c.post("/lang", url.Values{"lang": {"zh-CN"}, "back": {"/login"}})
	r := c.post("/login", url.Values{"phone": {"13900000001"}, "password": {"wrong-password"}})
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.Status)
	}
	before := sessionCookie(c)
	if r := c.login("13900000001", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.Status)
	}
	after := sessionCookie(c)
	if after == "" || after == before {
		t.Fatalf("session id not renewed at login: before %q after %q", before, after)
	}
}

func TestWrongPasswordMessageAndLockout(t *testing.T) {
	ta := newTestApp(t)
	ta.account(domain.RoleVolunteer, "13700000001")
	c := ta.client()
	for i := 0; i < domain.PhoneFailLimit-1; i++ {
		r := c.post("/login", url.Values{"phone": {"13700000001"}, "password": {"nope-nope"}})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
		mustContain(t, r, "手机号或密码不正确", `value="13700000001"`)
	}
	r := c.post("/login", url.Values{"phone": {"13700000001"}, "password": {"nope-nope"}})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("fifth failure: %d, want 429", r.Status)
	}
	mustContain(t, r, "尝试次数过多", "之后再试")
	// Locked even with the right password, and from another browser.
	r = ta.client().post("/login", url.Values{"phone": {"13700000001"}, "password": {testPassword}})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: %d", r.Status)
	}
}

func TestCSRFRequired(t *testing.T) {
	ta := newTestApp(t)
	ta.account(domain.RoleStaff, "13900000001")
	c := ta.client()
	c.get("/login")
	r := c.postRaw("/login", url.Values{"phone": {"13900000001"}, "password": {testPassword}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("POST without token: %d, want 403", r.Status)
	}
	mustContain(t, r, "页面已过期")
	r = c.postRaw("/login", url.Values{"_csrf": {"forged"}, "phone": {"13900000001"}, "password": {testPassword}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("POST with a forged token: %d, want 403", r.Status)
	}
}

func TestSuspensionEndsSessionsAtOnce(t *testing.T) {
	ta := newTestApp(t)
	staff, u := ta.account(domain.RoleStaff, "13900000001")
	adminClient, _ := ta.account(domain.RoleAdmin, "13800000001")
	if r := staff.get("/staff"); r.Status != http.StatusOK {
		t.Fatalf("staff home: %d", r.Status)
	}
	r := adminClient.post("/admin/people/"+itoa(u.ID)+"/suspend", url.Values{"reason": {"离职"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", r.Status)
	}
	if r := staff.get("/staff"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("suspended staff still in: %d %s", r.Status, r.Location)
	}
	r = ta.client().login("13900000001", testPassword)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("suspended login: %d", r.Status)
	}
	mustContain(t, r, "该账户已停用")
	if r := adminClient.post("/admin/people/"+itoa(u.ID)+"/reactivate", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("reactivate: %d", r.Status)
	}
	if r := ta.client().login("13900000001", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("login after reactivation: %d", r.Status)
	}
}

func TestPasswordChangeAndResetLink(t *testing.T) {
	ta := newTestApp(t)
	staff, u := ta.account(domain.RoleStaff, "13900000001")
	other := ta.client()
	other.login("13900000001", testPassword)

	r := staff.post("/account/password", url.Values{"current": {"wrong-one"}, "password": {"new-password-1"}, "confirm": {"new-password-1"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current: %d", r.Status)
	}
	mustContain(t, r, "密码不正确")
	r = staff.post("/account/password", url.Values{"current": {testPassword}, "password": {"new-password-1"}, "confirm": {"new-password-2"}})
	mustContain(t, r, "两次输入的密码不一致")
	r = staff.post("/account/password", url.Values{"current": {testPassword}, "password": {"new-password-1"}, "confirm": {"new-password-1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := staff.get("/staff"); r.Status != http.StatusOK {
		t.Fatalf("own session after change: %d", r.Status)
	}
	if r := other.get("/staff"); r.Status != http.StatusSeeOther {
		t.Fatalf("other session survived a password change: %d", r.Status)
	}

	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")
	r = coord.post("/admin/people/"+itoa(u.ID)+"/reset-link", nil)
	link := regexpFind(t, r.Body, `value="http://localhost:8080(/reset/[^"]+)"`)
	anon := ta.client()
	if r := anon.get(link); r.Status != http.StatusOK {
		t.Fatalf("reset form: %d", r.Status)
	}
	if r := anon.post(link, url.Values{"password": {"reset-password-1"}, "confirm": {"reset-password-1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if r := anon.post(link, url.Values{"password": {"reset-password-2"}, "confirm": {"reset-password-2"}}); r.Status != http.StatusNotFound {
		t.Fatalf("second use of a reset link: %d", r.Status)
	}
	if r := ta.client().login("13900000001", "reset-password-1"); r.Status != http.StatusSeeOther {
		t.Fatalf("login with reset password: %d", r.Status)
	}
	if r := staff.get("/staff"); r.Status != http.StatusSeeOther {
		t.Fatalf("session survived a reset: %d", r.Status)
	}
	events, err := ta.store.AuditLog(context.Background(), repository.AuditFilter{SubjectUserID: u.ID}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range events.Rows {
		actions[e.Action] = true
	}
	for _, want := range []string{"password.change", "password.reset_link", "password.reset"} {
		if !actions[want] {
			t.Errorf("no %s in the audit log", want)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	mustContain(t, c.get("/login"), `<html lang="zh-CN">`, "手机号")
	r := c.post("/lang", url.Values{"lang": {"en"}, "back": {"/login"}})
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("switch: %d %s", r.Status, r.Location)
	}
	mustContain(t, c.get("/login"), `<html lang="en">`, "Mobile number")
	// Without a cookie, Accept-Language decides.
	req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+"/login", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	mustContain(t, ta.client().do(req), "Mobile number")
}

func TestErrorPagesInTheUsersLanguage(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	r := c.get("/no-such-page")
	if r.Status != http.StatusNotFound {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r, "页面不存在")
	c.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, c.get("/no-such-page"), "Page not found")
	staff, _ := ta.account(domain.RoleStaff, "13900000001")
	r = staff.get("/admin")
	if r.Status != http.StatusForbidden {
		t.Fatalf("staff on /admin: %d", r.Status)
	}
	mustContain(t, r, "没有权限")
}

func TestSecurityHeaders(t *testing.T) {
	ta := newTestApp(t)
	r := ta.client().get("/login")
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("Referrer-Policy") == "" {
		t.Errorf("headers %v", r.Header)
	}
	if r.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain http")
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	for _, ck := range r.Header.Values("Set-Cookie") {
		if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
			t.Errorf("cookie %q lacks HttpOnly or SameSite=Lax", ck)
		}
	}
}

func TestStaticFilesAreFingerprintedAndCached(t *testing.T) {
	ta := newTestApp(t)
	page := ta.client().get("/login")
	css := regexpFind(t, page.Body, `href="(/static/app\.[0-9a-f]{8}\.css)"`)
	r := ta.client().get(css)
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("%s: %d %q", css, r.Status, r.Header.Get("Cache-Control"))
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	if r := c.get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("healthz %d", r.Status)
	}
	if r := c.get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("readyz %d", r.Status)
	}
	c.get("/login")
	r := c.get("/metrics")
	mustContain(t, r, `guanai_http_requests_total{method="GET",route="/login",status="200"}`, `go_sql_max_open_connections{db_name="guanai"}`)
}

func TestSafeRedirect(t *testing.T) {
	for target, want := range map[string]string{
		"/admin/donations?page=2":         "/admin/donations?page=2",
		"/transparency/report?q=2026Q3#x": "/transparency/report?q=2026Q3#x",
		"/":                               "/",
		"":                                "",
		"admin":                           "",
		"//evil.example":                  "",
		"/\\evil.example":                 "",
		"\\\\evil.example":                "",
		"/\t/evil.example":                "",
		"/\n/evil.example":                "",
		"/%0a":                            "/%0a",
		"/a\\b":                           "",
		"https://evil.example/":           "",
		"/ /evil.example":                 "",
		"javascript:alert(1)":             "",
		"/\x00":                           "",
	} {
		if got := safeRedirect(target); got != want {
			t.Errorf("safeRedirect(%q) = %q, want %q", target, got, want)
		}
	}
}

// A language switch comes back to the page it was pressed on, query and all: a past quarter's report stays that
// quarter's.
func TestLanguageSwitchKeepsTheQuery(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	r := c.get("/transparency/report?q=2026Q1")
	back := regexpFind(t, r.Body, `name="back" value="([^"]+)"`)
	if back != "/transparency/report?q=2026Q1" {
		t.Fatalf("the language form comes back to %q", back)
	}
	r = c.post("/lang", url.Values{"lang": {"en"}, "back": {back}})
	if r.Status != http.StatusSeeOther || r.Location != "/transparency/report?q=2026Q1" {
		t.Fatalf("switch: %d to %q", r.Status, r.Location)
	}
	if r := c.post("/lang", url.Values{"lang": {"en"}, "back": {"//evil.example/x"}}); r.Location != "/" {
		t.Errorf("a switch sent back to another host: %q", r.Location)
	}
}

func TestHealthzAnswersHead(t *testing.T) {
	ta := newTestApp(t)
	req, _ := http.NewRequest(http.MethodHead, ta.srv.URL+"/healthz", nil)
	if r := ta.client().do(req); r.Status != http.StatusOK || r.Body != "" {
		t.Fatalf("HEAD /healthz: %d %q", r.Status, r.Body)
	}
}
