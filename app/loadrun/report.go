package loadrun

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is what a run measured. It is written as a table for people and as JSON (--json) for BENCHMARKS.md.
type Report struct {
	URL          string           `json:"url"`
	Seed         uint64           `json:"seed"`
	Users        map[string]int   `json:"users"`     // role → virtual users
	LoginSeconds float64          `json:"login_s"`   // logging them all in, before the run
	Seconds      float64          `json:"seconds"`   // the run, from the first request to the last answer
	Requests     int64            `json:"requests"`  // in the run
	Errors       int64            `json:"errors"`    // transport errors, statuses other than 2xx and 3xx, broken flows
	RPS          float64          `json:"rps"`       // requests per second over the run
	Roles        map[string]int64 `json:"role_reqs"` // role → requests its users made
	Routes       []Route          `json:"routes"`
	ErrorSamples []ErrorSample    `json:"error_samples"` // the first few errors
	Memory       Memory           `json:"memory"`
}

// ErrorSample is one error, as it happened.
type ErrorSample struct {
	Route   string `json:"route"`
	Role    string `json:"role"`
	Status  int    `json:"status"` // 0 for a transport error
	Message string `json:"message"`
}

func (rep *Report) fill(users []*user, elapsed time.Duration, samples []ErrorSample) {
	all := recorder{}
	rep.Roles = map[string]int64{}
	for _, u := range users {
		u.rec.mergeInto(all)
		rep.Roles[u.role.name] += u.rec.requests()
	}
	rep.Seconds = elapsed.Seconds()
	rep.Routes = all.routes(elapsed)
	for _, r := range rep.Routes {
		rep.Requests += r.Requests
		rep.Errors += r.Errors
	}
	if elapsed > 0 {
		rep.RPS = float64(rep.Requests) / elapsed.Seconds()
	}
	rep.ErrorSamples = samples
}

// WriteTable writes the report for people: the run, a line per route, the errors' first samples, the memory.
func (rep *Report) WriteTable(w io.Writer) error {
	var users []string
	total := 0
	for _, name := range Roles {
		if n := rep.Users[name]; n > 0 {
			users = append(users, fmt.Sprintf("%s %d", name, n))
			total += n
		}
	}
	fmt.Fprintf(w, "%s: %d users (%s), seed %d; logged in in %.1f s\n", rep.URL, total, strings.Join(users, ", "),
		rep.Seed, rep.LoginSeconds)
	fmt.Fprintf(w, "%d requests in %.1f s: %.1f req/s, %d errors\n\n", rep.Requests, rep.Seconds, rep.RPS, rep.Errors)

	width := len("route")
	for _, r := range rep.Routes {
		width = max(width, len(r.Route))
	}
	fmt.Fprintf(w, "%-*s %9s %8s %6s %8s %8s %8s %8s\n", width, "route", "requests", "req/s", "errors",
		"p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, r := range rep.Routes {
		fmt.Fprintf(w, "%-*s %9d %8.1f %6d %8.1f %8.1f %8.1f %8.1f\n", width, r.Route, r.Requests, r.RPS, r.Errors,
			r.P50, r.P95, r.P99, r.Max)
	}
	fmt.Fprintf(w, "%-*s %9d %8.1f %6d\n", width, "all", rep.Requests, rep.RPS, rep.Errors)

	var roles []string
	for _, name := range Roles {
		if n, ok := rep.Roles[name]; ok {
			roles = append(roles, fmt.Sprintf("%s %d", name, n))
		}
	}
	fmt.Fprintf(w, "\nrequests by role: %s\n", strings.Join(roles, ", "))
	if len(rep.ErrorSamples) > 0 {
		fmt.Fprintf(w, "\nfirst errors:\n")
		for _, s := range rep.ErrorSamples {
			fmt.Fprintf(w, "  %s (%s): %d %s\n", s.Route, s.Role, s.Status, s.Message)
		}
	}
	_, err := fmt.Fprintf(w, "\nserver memory: %s\n", rep.Memory)
	return err
}

func (m Memory) String() string {
	if m.Samples == 0 {
		return "not measured: " + m.Problem
	}
	s := fmt.Sprintf("peak RSS %.1f MiB (%d samples of %s)", mib(m.PeakRSS), m.Samples, m.Source)
	if m.HWM > 0 {
		s += fmt.Sprintf("; VmHWM %.1f MiB (the process's peak since it started)", mib(m.HWM))
	}
	if m.Problem != "" {
		s += "; then " + m.Problem
	}
	return s
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
