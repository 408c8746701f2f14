package loadrun

import (
	"strings"
	"testing"
	"time"
)

func TestWriteTable(t *testing.T) {
	rec := recorder{}
	rec.route("GET /admin/donations/:id").latencies = []time.Duration{2 * time.Millisecond, 4 * time.Millisecond}
	rec.route("POST /admin/donations").latencies = []time.Duration{9 * time.Millisecond}
	rec.route("POST /admin/donations").errors = 1
	rep := &Report{URL: "http://127.0.0.1:8091", Users: map[string]int{"finance": 1}, Memory: Memory{Source: "/metrics", PeakRSS: 64 << 20, Samples: 3}}
	rep.fill([]*user{{role: &role{name: "finance"}, rec: rec}}, time.Second,
		[]ErrorSample{{Route: "POST /admin/donations", Role: "finance", Status: 422, Message: "请填写金额"}})
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"1 users (finance 1)", "3 requests in 1.0 s: 3.0 req/s, 1 errors",
		"GET /admin/donations/:id         2      2.0      0      2.0      4.0      4.0      4.0",
		"POST /admin/donations            1      1.0      1      9.0", "all                              3      3.0      1",
		"requests by role: finance 3", "POST /admin/donations (finance): 422 请填写金额",
		"server memory: peak RSS 64.0 MiB (3 samples of /metrics)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
