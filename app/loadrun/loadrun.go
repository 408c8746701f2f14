// Package loadrun is `guanai bench`: it logs in virtual users of every role on a running Guanai and has them use
// it at once for a set time, then reports requests per second, latency percentiles and errors by route, and the
// server's peak memory.
//
// It speaks only HTTP, as browsers do — cookies, CSRF tokens read from the forms, one-time keys, redirects — so it
// measures a server anywhere, and imports nothing of Guanai's (architecture_test.go holds it to the standard
// library and golang.org/x/net/html).
package loadrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options say what to run. The zero value of a field is its default.
type Options struct {
	URL      string        // the server, e.g. http://127.0.0.1:8080
	Users    int           // virtual users (default 100), shared out among the roles by Roles
	Duration time.Duration // how long the mix runs (default 60 s), logins not counted
	Seed     uint64        // seeds each user's choices, so a run can be repeated
	Roles    map[string]int
	Mix      map[string]int // action name → weight, changing the default mix; 0 leaves an action out
	// First names actions every user whose role has them does once before the mix, so that even a short run
	// records a gift and imports a statement.
	First    []string
	Think    time.Duration // pause between one user's actions, on average (default none: each goes flat out)
	Timeout  time.Duration // for one request (default 30 s)
	Password string        // of the demo accounts (default guanai-demo)
	PID      int           // when set, memory is read from /proc/PID/status rather than /metrics
	Progress io.Writer     // where to say how it goes every ProgressEvery (default 5 s); nil says nothing
	// ProgressEvery is how often progress is printed.
	ProgressEvery time.Duration
}

func (o Options) withDefaults() Options {
	o.URL = strings.TrimRight(o.URL, "/")
	if o.Users == 0 {
		o.Users = 100
	}
	if o.Duration == 0 {
		o.Duration = 60 * time.Second
	}
	if o.Roles == nil {
		o.Roles = DefaultRoles
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Password == "" {
		o.Password = "guanai-demo"
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = 5 * time.Second
	}
	return o
}

// Check reports the first mistake in the options: an address that is not http(s), a role or an action that does
// not exist, a negative count or duration.
func (o Options) Check() error {
	o = o.withDefaults()
	if !strings.HasPrefix(o.URL, "http://") && !strings.HasPrefix(o.URL, "https://") {
		return fmt.Errorf("url %q: want http://host:port", o.URL)
	}
	if o.Users < 0 || o.Duration < 0 || o.Think < 0 || o.Timeout < 0 {
		return errors.New("users, duration, think and timeout may not be negative")
	}
	if _, err := newRoles(o.Mix); err != nil {
		return err
	}
	for _, name := range o.First {
		if !slices.Contains(ActionNames(), name) {
			return fmt.Errorf("first: no action %q (there are %s)", name, strings.Join(ActionNames(), ", "))
		}
	}
	_, err := share(o.Users, o.Roles)
	return err
}

// run is what the users of one run share: where the server is, the counters progress reads, the error samples.
type run struct {
	ctx      context.Context
	base     string
	tag      string // marks this run's references, unique across runs
	timeout  time.Duration
	requests atomic.Int64
	errors   atomic.Int64
	mu       sync.Mutex
	samples  []ErrorSample
	codes    codePool    // verification codes seen on certificates (certificates.go)
	vouchers voucherPool // unused vouchers seen on staff members' pages (benefits.go)
}

// maxSamples is how many errors are kept to show; the count goes on.
const maxSamples = 10

func (r *run) sample(s ErrorSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) < maxSamples {
		r.samples = append(r.samples, s)
	}
}

// loginWorkers is how many logins go at once: each checks an argon2 hash (19 MiB, some 20 ms of a core), and a
// hundred at once would measure that rather than the pages.
const loginWorkers = 4

// Run logs the users in, runs the mix for the duration and reports. It fails when a user cannot log in (trying no
// account twice, which would lock it) or the options are wrong; errors of the mix itself are in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	roles, _ := newRoles(o.Mix)          // checked
	counts, _ := share(o.Users, o.Roles) // checked
	transport := &http.Transport{MaxIdleConns: o.Users + 8, MaxIdleConnsPerHost: o.Users + 8,
		IdleConnTimeout: 90 * time.Second}
	defer transport.CloseIdleConnections()
	r := &run{ctx: ctx, base: o.URL, tag: strconv.FormatInt(time.Now().UnixNano(), 36), timeout: o.Timeout}
	users := newUsers(r, roles, counts, transport, o.Seed)

	loginStart := time.Now()
	if err := logIn(users, o.Password); err != nil {
		return nil, err
	}
	rep := &Report{URL: o.URL, Seed: o.Seed, Users: counts, LoginSeconds: time.Since(loginStart).Seconds()}
	for _, u := range users {
		u.rec = recorder{}
	}

	mem := watchMemory(ctx, o, transport)
	start := time.Now()
	stopProgress := r.progress(o.Progress, o.ProgressEvery, start)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() { u.work(start.Add(o.Duration), o.First, o.Think) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	rep.Memory = mem()
	rep.fill(users, elapsed, r.samples)
	return rep, nil
}

// newUsers makes each role's users, taking turns over its accounts: many users may share one, each with its own
// session.
func newUsers(r *run, roles map[string]*role, counts map[string]int, transport http.RoundTripper, seed uint64) []*user {
	var users []*user
	for _, name := range Roles {
		ro := roles[name]
		for i := range counts[name] {
			phone := ""
			if len(ro.phones) > 0 {
				phone = ro.phones[i%len(ro.phones)]
			}
			users = append(users, newUser(len(users), ro, phone, r, transport, seed))
		}
	}
	return users
}

// logIn logs in every user that has an account, a few at a time. One user of each account goes first, and the
// others only when all of those got in: a wrong password is then tried once per account, not once per user, and
// locks nothing (the app locks a phone after five failures).
func logIn(users []*user, password string) error {
	var first, rest []*user
	seen := map[string]bool{}
	for _, u := range users {
		switch {
		case u.phone == "":
		case !seen[u.phone]:
			seen[u.phone] = true
			first = append(first, u)
		default:
			rest = append(rest, u)
		}
	}
	if err := logInAll(first, password); err != nil {
		return err
	}
	return logInAll(rest, password)
}

// logInAll logs users in, loginWorkers at a time, and stops at the first failure: the server is down, or the
// password wrong, and trying on would only say so again.
func logInAll(users []*user, password string) error {
	next := make(chan *user)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range loginWorkers {
		wg.Go(func() {
			for u := range next {
				if err := u.login(password); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, u := range users {
		mu.Lock()
		failed := len(errs) > 0
		mu.Unlock()
		if failed {
			break
		}
		next <- u
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// progress prints the elapsed time, the requests and errors so far and the recent rate, every so often, until the
// function it returns is called.
func (r *run) progress(w io.Writer, every time.Duration, start time.Time) (stop func()) {
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		last, lastAt := int64(0), start
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				n := r.requests.Load()
				fmt.Fprintf(w, "%6s  %8d requests  %5d errors  %7.0f req/s\n", now.Sub(start).Round(time.Second), n,
					r.errors.Load(), float64(n-last)/now.Sub(lastAt).Seconds())
				last, lastAt = n, now
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
