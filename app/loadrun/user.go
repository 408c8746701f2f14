package loadrun

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// user is one virtual user: a browser with its own cookies (session, CSRF token, language), running its role's
// mix one request at a time.
type user struct {
	n        int // its number in the run, for references no other user makes
	role     *role
	phone    string // the account it logs in as; "" for the public
	client   *http.Client
	run      *run
	rng      *rand.Rand
	rec      recorder // nil while logging in, which is not part of the measured mix
	signedIn bool
	made     int                 // gifts and statements made, for unique references
	ids      map[string][]string // link prefix → the ids on the last list page that had any
	pages    map[string]string   // list path → its first page's "next" link ("" for a list of one page)
	filters  map[string][]string // "path select" → the options of a list's filter
}

func newUser(n int, r *role, phone string, rn *run, transport http.RoundTripper, seed uint64) *user {
	jar, _ := cookiejar.New(nil) // no error without options
	return &user{n: n, role: r, phone: phone, run: rn, rng: rand.New(rand.NewPCG(seed, uint64(n))),
		// Redirects are not followed: a 303 after a POST is the answer to check, and each request is timed alone.
		client: &http.Client{Transport: transport, Jar: jar, Timeout: rn.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		ids: map[string][]string{}, pages: map[string]string{}, filters: map[string][]string{}}
}

// page is what came back: the status, where a redirect points, the (decompressed) body.
type page struct {
	status   int
	location string
	body     string
}

// errInterrupted ends an action when the run itself was stopped (Ctrl-C): what was in flight is not a failure.
var errInterrupted = errors.New("interrupted")

func (u *user) get(path string) (page, error) {
	req, err := http.NewRequestWithContext(u.run.ctx, http.MethodGet, u.run.base+path, nil)
	if err != nil {
		return page{}, err
	}
	return u.send(req)
}

// post sends a form and expects what a successful action answers: a redirect (303) to a page under next, which it
// returns.
func (u *user) post(path string, form url.Values, next string) (string, error) {
	req, err := u.formRequest(path, form)
	if err != nil {
		return "", err
	}
	return u.submit(req, next)
}

// postPage sends a form that answers with a page rather than a redirect (a look-up), and returns the page.
func (u *user) postPage(path string, form url.Values) (page, error) {
	req, err := u.formRequest(path, form)
	if err != nil {
		return page{}, err
	}
	return u.send(req)
}

func (u *user) formRequest(path string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequestWithContext(u.run.ctx, http.MethodPost, u.run.base+path, strings.NewReader(form.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, err
}

// upload sends a form with a file, as multipart/form-data, and expects a redirect under next.
func (u *user) upload(path string, form url.Values, filename string, content []byte, next string) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v) // writes to memory
		}
	}
	fw, _ := w.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = w.Close()
	req, err := http.NewRequestWithContext(u.run.ctx, http.MethodPost, u.run.base+path, &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return u.submit(req, next)
}

func (u *user) submit(req *http.Request, next string) (string, error) {
	p, err := u.send(req)
	if err != nil {
		return "", err
	}
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, next) {
		return "", u.fail(routePattern(req.Method, req.URL), p.status,
			fmt.Sprintf("want a 303 to %s…, got %d %s %s", next, p.status, p.location, snippet(p.body)))
	}
	return p.location, nil
}

// send makes one request, reads the whole response, and records its latency under its route. A transport error
// or a status other than 2xx and 3xx is an error of that route; so is a signed-in user sent to the login page.
func (u *user) send(req *http.Request) (page, error) {
	start := time.Now()
	resp, err := u.client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	took := time.Since(start)
	if err != nil && u.run.ctx.Err() != nil {
		return page{}, errInterrupted
	}
	route := routePattern(req.Method, req.URL)
	if u.rec != nil {
		s := u.rec.route(route)
		s.latencies = append(s.latencies, took)
		u.run.requests.Add(1)
	}
	if err != nil {
		return page{}, u.fail(route, 0, err.Error())
	}
	p := page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
	switch {
	case p.status < 200 || p.status >= 400:
		return p, u.fail(route, p.status, snippet(p.body))
	case u.signedIn && p.status/100 == 3 && strings.HasPrefix(p.location, "/login"):
		return p, u.fail(route, p.status, "sent to the login page: the session ended")
	}
	return p, nil
}

// fail counts an error against a route and keeps it as a sample; the error it returns ends the action.
func (u *user) fail(route string, status int, msg string) error {
	if u.rec != nil {
		u.rec.route(route).errors++
		u.run.errors.Add(1)
		u.run.sample(ErrorSample{Route: route, Role: u.role.name, Status: status, Message: msg})
	}
	if status == 0 {
		return fmt.Errorf("%s: %s", route, msg)
	}
	return fmt.Errorf("%s: status %d: %s", route, status, msg)
}

// login logs in through the login page's form, as a person does: its CSRF token comes with the page.
func (u *user) login(password string) error {
	p, err := u.get("/login")
	if err != nil {
		return fmt.Errorf("log in as %s: %w", u.phone, err)
	}
	f, ok := postForm(p.body, "/login")
	if !ok {
		return fmt.Errorf("log in as %s: GET /login (status %d) shows no login form", u.phone, p.status)
	}
	f.Set("phone", u.phone)
	f.Set("password", password)
	if _, err := u.post("/login", f, "/"); err != nil {
		return fmt.Errorf("log in as %s: %w", u.phone, err)
	}
	u.signedIn = true
	return nil
}

// work runs actions until the deadline: first those named in first (when the role has them), then the mix.
// An action under way when the time is up is finished, so no flow is cut in two.
func (u *user) work(deadline time.Time, first []string, think time.Duration) {
	for _, name := range first {
		if a, ok := u.role.action(name); ok && u.run.ctx.Err() == nil {
			_ = a.run(u) // a failure is recorded where it happened
		}
	}
	for u.run.ctx.Err() == nil && time.Now().Before(deadline) {
		a, ok := u.role.pick(u.rng)
		if !ok {
			return
		}
		_ = a.run(u)
		u.pause(think)
	}
}

// pause waits between actions, as a person reads a page: a random time around think, on average think.
func (u *user) pause(think time.Duration) {
	if think <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(u.rng.Int64N(int64(2 * think))))
	defer t.Stop()
	select {
	case <-t.C:
	case <-u.run.ctx.Done():
	}
}

// reference is a bank reference no one else has used: this run's tag, the user, and a counter.
func (u *user) reference() string {
	u.made++
	return fmt.Sprintf("BENCH-%s-%d-%d", u.run.tag, u.n, u.made)
}
