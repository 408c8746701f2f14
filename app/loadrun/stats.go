package loadrun

import (
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
)

// routePattern names the route a request went to, so that its latencies are counted together: numbers in the
// path become :id, and of the query only the names stay, sorted ("GET /admin/donors?q", "GET /transparency?page").
func routePattern(method string, u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		switch {
		case s != "" && strings.Trim(s, "0123456789") == "":
			segs[i] = ":id"
		case i == 2 && segs[1] == "verify": // a certificate's verification code
			segs[i] = ":code"
		}
	}
	route := method + " " + strings.Join(segs, "/")
	if u.RawQuery == "" {
		return route
	}
	var keys []string
	for k := range u.Query() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return route + "?" + strings.Join(keys, "&")
}

// routeOf is the route of a request to path, a path on the site with or without a query.
func routeOf(method, path string) string {
	u, err := url.Parse(path)
	if err != nil {
		return method + " " + path
	}
	return routePattern(method, u)
}

// recorder keeps one virtual user's latencies by route; each user has its own, so recording takes no lock, and the
// run merges them at the end.
type recorder map[string]*series

type series struct {
	latencies []time.Duration
	errors    int64
}

func (r recorder) route(route string) *series {
	s := r[route]
	if s == nil {
		s = &series{}
		r[route] = s
	}
	return s
}

func (r recorder) requests() int64 {
	var n int64
	for _, s := range r {
		n += int64(len(s.latencies))
	}
	return n
}

func (r recorder) mergeInto(all recorder) {
	for route, s := range r {
		t := all.route(route)
		t.latencies = append(t.latencies, s.latencies...)
		t.errors += s.errors
	}
}

// Route is what a run measured of one route. Latencies are in milliseconds, from sending the request to having
// read the whole response.
type Route struct {
	Route    string  `json:"route"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	Mean     float64 `json:"mean_ms"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

// routes sums up every route over a run of the given length, in the order of their names.
func (r recorder) routes(elapsed time.Duration) []Route {
	var out []Route
	for name, s := range r {
		lat := slices.Clone(s.latencies)
		slices.Sort(lat)
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		rt := Route{Route: name, Requests: int64(len(lat)), Errors: s.errors,
			P50: ms(percentile(lat, 50)), P95: ms(percentile(lat, 95)), P99: ms(percentile(lat, 99))}
		if len(lat) > 0 {
			rt.Mean, rt.Max = ms(sum/time.Duration(len(lat))), ms(lat[len(lat)-1])
		}
		if elapsed > 0 {
			rt.RPS = float64(rt.Requests) / elapsed.Seconds()
		}
		out = append(out, rt)
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.Route, b.Route) })
	return out
}

// percentile is the nearest-rank percentile of sorted latencies: the smallest one that p percent of them do not
// exceed. Taken from the same sorted samples, p50 ≤ p95 ≤ p99 always.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
