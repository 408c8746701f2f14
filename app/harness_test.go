package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"guanai/config"
	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// testApp is the fully wired application on a fresh database, served over a real listener so cookies, CSRF and
// the error handler all take part.
type testApp struct {
	t     *testing.T
	app   *App
	e     *echo.Echo
	store *repository.Store
	srv   *httptest.Server
	logs  *syncBuffer
	jobs  bool // startJobs was called: background jobs are worked
}

// syncBuffer collects the app's log for a failing test to show.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	return newTestAppEnv(t, nil)
}

// newTestAppEnv is newTestApp configured by the environment variables in env.
func newTestAppEnv(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	return newTestAppOn(t, testdb.Store(t), env, nil)
}

// newTestAppOn serves the app on store, configured by env; wrap, when set, stands between the listener and the
// app (the query budget test counts statements there).
func newTestAppOn(t *testing.T, store *repository.Store, env map[string]string, wrap func(http.Handler) http.Handler) *testApp {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, e, err := New(cfg, store, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = e
	if wrap != nil {
		h = wrap(e)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testApp{t: t, app: a, e: e, store: store, srv: srv, logs: logs}
}

// client is one browser: its own cookie jar, never following redirects so tests see them.
type client struct {
	t    *testing.T
	ta   *testApp
	http *http.Client
}

func (ta *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: ta.t, ta: ta, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.ta.srv.URL+path, nil)
	req.Header.Set("Accept-Language", "zh-CN")
	return c.do(req)
}

// csrf returns the client's CSRF token, as a browser has it: the cookie the first page it opened set, which
// every form it submits carries back.
func (c *client) csrf() string {
	c.t.Helper()
	token, err := c.token(c.ta.srv.URL)
	if err != nil {
		c.t.Fatal(err)
	}
	return token
}

// post submits a form with the CSRF token, as a browser would.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.do(c.formRequest(path, form))
}

// formRequest is the request post sends, for a test that adds headers of its own.
func (c *client) formRequest(path string, form url.Values) *http.Request {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf())
	}
	return c.rawRequest(path, form)
}

// postRaw submits exactly the form given, without adding a token.
func (c *client) postRaw(path string, form url.Values) response {
	c.t.Helper()
	return c.do(c.rawRequest(path, form))
}

func (c *client) rawRequest(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, c.ta.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "zh-CN")
	return req
}

func (c *client) login(phone, password string) response {
	c.t.Helper()
	return c.post("/login", url.Values{"phone": {phone}, "password": {password}})
}

const testPassword = "correct-horse-9"

// account creates an active account with a role and returns a client logged in as it.
func (ta *testApp) account(role domain.Role, phone string) (*client, domain.User) {
	ta.t.Helper()
	u, err := ta.store.CreateOperator(context.Background(), repository.Actor{IP: "test"},
		repository.NewAccount{Phone: phone, Password: testPassword, Name: "测试" + string(role), Role: role})
	if err != nil {
		ta.t.Fatalf("create %s: %v", role, err)
	}
	c := ta.client()
	if r := c.login(phone, testPassword); r.Status != http.StatusSeeOther {
		ta.t.Fatalf("login as %s: status %d", role, r.Status)
	}
	return c, u
}

func mustContain(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Errorf("page (status %d) lacks %q", r.Status, p)
		}
	}
}

func mustNotContain(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(r.Body, p) {
			t.Errorf("page (status %d) contains %q", r.Status, p)
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s", pattern)
	}
	return m[1]
}
