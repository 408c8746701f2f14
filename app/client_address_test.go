package app

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// The client's address — used for login throttling, the audit log and the /metrics allow-list — comes from
// X-Forwarded-For only when the direct peer is a proxy named in GUANAI_TRUSTED_PROXIES; otherwise the header is
// anyone's to forge and is ignored. The test server's peer is always 127.0.0.1.
func TestClientAddressTrustsOnlyNamedProxies(t *testing.T) {
	cases := []struct {
		name, proxies, xff string
		wantIP             string
	}{
		{"no proxy configured: the header is ignored", "", "203.0.113.9", "127.0.0.1"},
		{"the peer is not the named proxy: ignored", "10.0.0.1", "203.0.113.9", "127.0.0.1"},
		{"the peer is the named proxy: believed", "127.0.0.1", "203.0.113.9", "203.0.113.9"},
		{"a range of proxies, several hops: the last untrusted one", "127.0.0.0/8", "198.51.100.1, 203.0.113.9", "203.0.113.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ta := newTestAppEnv(t, map[string]string{"GUANAI_TRUSTED_PROXIES": tc.proxies})
			req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+"/metrics", nil)
			req.Header.Set("X-Forwarded-For", tc.xff)
			r := ta.client().do(req)
			// /metrics answers loopback only, and never a request that came through a proxy nobody named.
			if r.Status != http.StatusForbidden {
				t.Errorf("/metrics with X-Forwarded-For %q: status %d, want 403", tc.xff, r.Status)
			}
			// The audit log records the same address.
			c := ta.client()
			form := staffForm("王芳", "13900001111")
			req2 := c.formRequest("/register/staff", form)
			req2.Header.Set("X-Forwarded-For", tc.xff)
			if r := c.do(req2); r.Status != http.StatusSeeOther {
				t.Fatalf("register: status %d", r.Status)
			}
			entries, err := ta.store.AuditLog(context.Background(), repository.AuditFilter{}, domain.Cursor{})
			if err != nil || len(entries.Rows) == 0 {
				t.Fatalf("audit log: %v", err)
			}
			if got := entries.Rows[0].ActorIP; got != tc.wantIP {
				t.Errorf("the registration was recorded from %s, want %s", got, tc.wantIP)
			}
		})
	}
}

// /metrics answers this machine, and not a request a proxy on this machine passes on from outside.
func TestMetricsOnlyForThisMachine(t *testing.T) {
	ta := newTestApp(t)
	if r := ta.client().get("/metrics"); r.Status != http.StatusOK || !strings.Contains(r.Body, "go_goroutines") {
		t.Fatalf("/metrics from loopback: %d", r.Status)
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP"} {
		req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+"/metrics", nil)
		req.Header.Set(h, "203.0.113.9")
		if r := ta.client().do(req); r.Status != http.StatusForbidden {
			t.Errorf("/metrics relayed with %s: %d, want 403", h, r.Status)
		}
	}
	other := newTestAppEnv(t, map[string]string{"GUANAI_METRICS_NETWORKS": "10.0.0.0/8"})
	if r := other.client().get("/metrics"); r.Status != http.StatusForbidden {
		t.Errorf("/metrics from outside the configured networks: %d", r.Status)
	}
}
