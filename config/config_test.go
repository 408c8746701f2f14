package config

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"defaults", map[string]string{}, ""},
		{"bad env", map[string]string{"GUANAI_ENV": "staging"}, "GUANAI_ENV"},
		{"production without secret", map[string]string{"GUANAI_ENV": "production"}, "GUANAI_ID_HASH_KEY"},
		{"production weak secret", map[string]string{"GUANAI_ENV": "production", "GUANAI_ID_HASH_KEY": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "GUANAI_ID_HASH_KEY"},
		{"production short secret", map[string]string{"GUANAI_ENV": "production", "GUANAI_ID_HASH_KEY": "short-Secret-1"}, "GUANAI_ID_HASH_KEY"},
		{"production good secret", map[string]string{"GUANAI_ENV": "production", "GUANAI_ID_HASH_KEY": "f3Kq9-zX2mPw7Lr4Tb8Nc1Vy6Hd0Gs5J"}, ""},
		{"bad database url", map[string]string{"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"},
		{"database url without db", map[string]string{"DATABASE_URL": "postgres://127.0.0.1:5432"}, "DATABASE_URL"},
		{"bad addr", map[string]string{"GUANAI_ADDR": "8080"}, "GUANAI_ADDR"},
		{"bad base url", map[string]string{"GUANAI_BASE_URL": "guanai.example.org"}, "GUANAI_BASE_URL"},
		{"bad proxy", map[string]string{"GUANAI_TRUSTED_PROXIES": "10.0.0.0/8, nonsense"}, "GUANAI_TRUSTED_PROXIES"},
		{"bad metrics network", map[string]string{"GUANAI_METRICS_NETWORKS": "10.0.0.0/33"}, "GUANAI_METRICS_NETWORKS"},
		{"reconciliation every half hour", map[string]string{"GUANAI_RECONCILE_EVERY": "30m"}, ""},
		{"reconciliation every second", map[string]string{"GUANAI_RECONCILE_EVERY": "1s"}, "GUANAI_RECONCILE_EVERY"},
		{"reconciliation every so often", map[string]string{"GUANAI_RECONCILE_EVERY": "hourly"}, "GUANAI_RECONCILE_EVERY"},
		{"profiler on loopback", map[string]string{"GUANAI_PPROF_ADDR": "127.0.0.1:6060"}, ""},
		{"profiler on every address", map[string]string{"GUANAI_PPROF_ADDR": ":6060"}, "GUANAI_PPROF_ADDR"},
		{"profiler on the network", map[string]string{"GUANAI_PPROF_ADDR": "10.0.0.5:6060"}, "GUANAI_PPROF_ADDR"},
		{"star levels", map[string]string{"GUANAI_STAR_HOURS": "10, 20,30"}, ""},
		{"star levels out of order", map[string]string{"GUANAI_STAR_HOURS": "100,300,200"}, "GUANAI_STAR_HOURS"},
		{"star levels not numbers", map[string]string{"GUANAI_STAR_HOURS": "100,lots"}, "GUANAI_STAR_HOURS"},
		{"too many star levels", map[string]string{"GUANAI_STAR_HOURS": "1,2,3,4,5,6"}, "GUANAI_STAR_HOURS"},
		{"no star levels", map[string]string{"GUANAI_STAR_HOURS": ","}, "GUANAI_STAR_HOURS"},
		{"smtp", map[string]string{"GUANAI_SMTP_HOST": "smtp.example.org", "GUANAI_SMTP_FROM": "关爱平台 <noreply@example.org>"}, ""},
		{"smtp without a sender", map[string]string{"GUANAI_SMTP_HOST": "smtp.example.org"}, "GUANAI_SMTP_FROM"},
		{"smtp with a bad sender", map[string]string{"GUANAI_SMTP_HOST": "smtp.example.org", "GUANAI_SMTP_FROM": "noreply"}, "GUANAI_SMTP_FROM"},
		{"smtp bad port", map[string]string{"GUANAI_SMTP_HOST": "h", "GUANAI_SMTP_FROM": "a@b.c", "GUANAI_SMTP_PORT": "70000"}, "GUANAI_SMTP_PORT"},
		{"smtp bad tls", map[string]string{"GUANAI_SMTP_HOST": "h", "GUANAI_SMTP_FROM": "a@b.c", "GUANAI_SMTP_TLS": "maybe"}, "GUANAI_SMTP_TLS"},
		{"smtp password without user", map[string]string{"GUANAI_SMTP_HOST": "h", "GUANAI_SMTP_FROM": "a@b.c", "GUANAI_SMTP_PASSWORD": "x"}, "GUANAI_SMTP_USERNAME"},
		{"the old name of the ID hash key", map[string]string{"GUANAI_SESSION_KEY": "f3Kq9-zX2mPw7Lr4Tb8Nc1Vy6Hd0Gs5J"}, "GUANAI_SESSION_KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(func(k string) string { return tc.env[k] })
			var ce *Error
			switch {
			case tc.wantVar == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantVar != "" && !errors.As(err, &ce):
				t.Fatalf("want an error naming %s, got %v", tc.wantVar, err)
			case tc.wantVar != "" && ce.Var != tc.wantVar:
				t.Fatalf("error names %s, want %s", ce.Var, tc.wantVar)
			case tc.wantVar == "" && c.IDHashKey == "":
				t.Fatal("no ID hash key after defaults")
			}
		})
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load(func(k string) string {
		if k == "GUANAI_TRUSTED_PROXIES" {
			return "10.0.0.0/8 192.168.1.5"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.168.1.5/32" {
		t.Fatalf("proxies = %v", c.TrustedProxies)
	}
}

func TestMetricsNetworks(t *testing.T) {
	c, err := Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.MetricsNetworks) != 2 || c.MetricsNetworks[0].String() != "127.0.0.0/8" || c.MetricsNetworks[1].String() != "::1/128" {
		t.Fatalf("default metrics networks = %v, want loopback only", c.MetricsNetworks)
	}
	c, err = Load(func(k string) string {
		if k == "GUANAI_METRICS_NETWORKS" {
			return "10.1.2.3/16"
		}
		return ""
	})
	if err != nil || len(c.MetricsNetworks) != 1 || c.MetricsNetworks[0].String() != "10.1.0.0/16" {
		t.Fatalf("metrics networks = %v, %v", c.MetricsNetworks, err)
	}
}

func TestBaseURLFollowsTheAddress(t *testing.T) {
	for addr, want := range map[string]string{"": "http://localhost:8080", ":9090": "http://localhost:9090",
		"127.0.0.1:7000": "http://127.0.0.1:7000", "[::1]:7000": "http://[::1]:7000", "0.0.0.0:80": "http://localhost:80"} {
		c, err := Load(func(k string) string {
			if k == "GUANAI_ADDR" {
				return addr
			}
			return ""
		})
		if err != nil || c.BaseURL != want {
			t.Errorf("GUANAI_ADDR=%q: base URL %q, %v; want %q", addr, c.BaseURL, err, want)
		}
	}
	c, err := Load(func(k string) string {
		return map[string]string{"GUANAI_ADDR": ":9090", "GUANAI_BASE_URL": "https://guanai.example.org/"}[k]
	})
	if err != nil || c.BaseURL != "https://guanai.example.org" {
		t.Errorf("an explicit base URL: %q, %v", c.BaseURL, err)
	}
}

func TestReconcileHourlyByDefault(t *testing.T) {
	c, err := Load(func(string) string { return "" })
	if err != nil || c.ReconcileEvery != time.Hour {
		t.Fatalf("reconcile every %v (%v), want an hour", c.ReconcileEvery, err)
	}
}

func TestStarHours(t *testing.T) {
	c, err := Load(func(string) string { return "" })
	if err != nil || !slices.Equal(c.StarHours, []int{100, 300, 600, 1000, 1500}) {
		t.Fatalf("default star hours %v (%v)", c.StarHours, err)
	}
	c, err = Load(func(k string) string { return map[string]string{"GUANAI_STAR_HOURS": "1,2"}[k] })
	if err != nil || !slices.Equal(c.StarHours, []int{1, 2}) {
		t.Fatalf("star hours %v (%v), want [1 2]", c.StarHours, err)
	}
}

func TestSMTPPortFollowsTheTLSMode(t *testing.T) {
	for mode, port := range map[string]int{"": 587, "starttls": 587, "tls": 465, "none": 25} {
		c, err := Load(func(k string) string {
			return map[string]string{"GUANAI_SMTP_HOST": "mail", "GUANAI_SMTP_FROM": "a@b.c", "GUANAI_SMTP_TLS": mode}[k]
		})
		if err != nil || c.SMTP.Port != port || !c.SMTP.Configured() {
			t.Errorf("GUANAI_SMTP_TLS=%q: port %d (%v), want %d", mode, c.SMTP.Port, err, port)
		}
	}
	if c, _ := Load(func(string) string { return "" }); c.SMTP.Configured() {
		t.Error("mail is configured with no GUANAI_SMTP_HOST")
	}
}
