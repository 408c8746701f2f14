package loadrun

import (
	"net/url"
	"testing"
	"time"
)

func TestRoutePattern(t *testing.T) {
	for _, c := range []struct{ method, url, want string }{
		{"GET", "/", "GET /"},
		{"GET", "/admin/donations/123", "GET /admin/donations/:id"},
		{"POST", "/admin/statements/7/mapping", "POST /admin/statements/:id/mapping"},
		{"GET", "/admin/donations/new?donor=12", "GET /admin/donations/new?donor"},
		{"GET", "/admin/donors?q=%E6%9D%AD", "GET /admin/donors?q"},
		{"GET", "/transparency?page=3", "GET /transparency?page"},
		{"GET", "/admin/donations?to=2026-02-01&from=2026-01-01", "GET /admin/donations?from&to"},
		{"GET", "/admin/statements/9?show=all", "GET /admin/statements/:id?show"},
		{"GET", "/transparency/report?q=2026Q1", "GET /transparency/report?q"},
		{"GET", "/static/app.3f2a.css", "GET /static/app.3f2a.css"},
		{"GET", "/verify/9YYSQMX5GSW5FDKF7NMY", "GET /verify/:code"},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := routePattern(c.method, u); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.method, c.url, got, c.want)
		}
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 200; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{lat[:1], 99, time.Millisecond},
		{lat[:2], 50, time.Millisecond},
		{lat[:2], 51, 2 * time.Millisecond},
		{lat[:10], 95, 10 * time.Millisecond},
		{lat[:100], 50, 50 * time.Millisecond},
		{lat[:100], 99, 99 * time.Millisecond},
		{lat, 95, 190 * time.Millisecond},
		{lat, 99, 198 * time.Millisecond},
		{lat, 100, 200 * time.Millisecond},
		{lat, 0, time.Millisecond},
	} {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("p%v of %d: %v, want %v", c.p, len(c.sorted), got, c.want)
		}
	}
}

func TestRoutesSumUpEachRoute(t *testing.T) {
	r := recorder{}
	for _, ms := range []int{30, 10, 20, 40} {
		s := r.route("GET /admin")
		s.latencies = append(s.latencies, time.Duration(ms)*time.Millisecond)
	}
	r.route("GET /").latencies = []time.Duration{time.Millisecond}
	r.route("GET /").errors = 1
	got := r.routes(2 * time.Second)
	if len(got) != 2 || got[0].Route != "GET /" || got[1].Route != "GET /admin" {
		t.Fatalf("routes %+v", got)
	}
	a := got[1]
	if a.Requests != 4 || a.RPS != 2 || a.P50 != 20 || a.P95 != 40 || a.P99 != 40 || a.Max != 40 || a.Mean != 25 {
		t.Errorf("GET /admin: %+v", a)
	}
	if got[0].Errors != 1 {
		t.Errorf("GET /: %+v", got[0])
	}
}

func TestShareAddsUpToTheUsers(t *testing.T) {
	got, err := share(100, DefaultRoles)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range DefaultRoles {
		if got[name] != w {
			t.Errorf("%s: %d users, want %d", name, got[name], w)
		}
	}
	got, _ = share(10, map[string]int{"public": 1, "finance": 1, "staff": 1})
	if got["public"]+got["finance"]+got["staff"] != 10 || got["public"] != 4 || got["finance"] != 3 || got["admin"] != 0 {
		t.Errorf("10 users in three equal shares: %v", got)
	}
	for _, bad := range []map[string]int{{"public": 0}, {"doctor": 1}, {"public": -1}} {
		if _, err := share(10, bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestParseWeights(t *testing.T) {
	got, err := ParseWeights(" public=40, finance=0 ,")
	if err != nil || len(got) != 2 || got["public"] != 40 || got["finance"] != 0 {
		t.Errorf("got %v %v", got, err)
	}
	for _, bad := range []string{"public", "public=x", "public=-1", "public=1.5"} {
		if _, err := ParseWeights(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestMixChangesWeightsByName(t *testing.T) {
	rs, err := newRoles(map[string]int{"fund.import": 50, "public.home": 0})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin", "finance"} {
		if a, _ := rs[name].action("fund.import"); a.weight != 50 {
			t.Errorf("%s: fund.import weighs %d", name, a.weight)
		}
	}
	if a, _ := rs["public"].action("public.home"); a.weight != 0 {
		t.Errorf("public.home weighs %d", a.weight)
	}
	if _, err := newRoles(map[string]int{"fund.nothing": 1}); err == nil {
		t.Error("an unknown action: no error")
	}
	if err := (Options{URL: "localhost:8080"}).Check(); err == nil {
		t.Error("an address without http://: no error")
	}
	if err := (Options{URL: "http://x", First: []string{"fund.record", "nope"}}).Check(); err == nil {
		t.Error("an unknown first action: no error")
	}
}
