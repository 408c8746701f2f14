package config

import (
	"errors"
	"testing"
)

func TestLoad(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"defaults", map[string]string{}, ""},
		{"bad env", map[string]string{"GUANAI_ENV": "staging"}, "GUANAI_ENV"},
		{"production without secret", map[string]string{"GUANAI_ENV": "production"}, "GUANAI_SESSION_KEY"},
		{"production weak secret", map[string]string{"GUANAI_ENV": "production", "GUANAI_SESSION_KEY": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "GUANAI_SESSION_KEY"},
		{"production short secret", map[string]string{"GUANAI_ENV": "production", "GUANAI_SESSION_KEY": "short-Secret-1"}, "GUANAI_SESSION_KEY"},
		{"production good secret", map[string]string{"GUANAI_ENV": "production", "GUANAI_SESSION_KEY": "f3Kq9-zX2mPw7Lr4Tb8Nc1Vy6Hd0Gs5J"}, ""},
		{"bad database url", map[string]string{"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"},
		{"database url without db", map[string]string{"DATABASE_URL": "postgres://127.0.0.1:5432"}, "DATABASE_URL"},
		{"bad addr", map[string]string{"GUANAI_ADDR": "8080"}, "GUANAI_ADDR"},
		{"bad base url", map[string]string{"GUANAI_BASE_URL": "guanai.example.org"}, "GUANAI_BASE_URL"},
		{"bad proxy", map[string]string{"GUANAI_TRUSTED_PROXIES": "10.0.0.0/8, nonsense"}, "GUANAI_TRUSTED_PROXIES"},
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
			case tc.wantVar == "" && c.SessionKey == "":
				t.Fatal("no session key after defaults")
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
