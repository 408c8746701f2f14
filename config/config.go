// Package config reads Guanai's settings from the environment, with defaults and validation. It is loaded once in
// main and passed down; nothing reads the environment anywhere else.
package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// DefaultSessionKey is used in development only; production refuses it.
const DefaultSessionKey = "guanai-development-key-not-secret"

// Config is every setting.
type Config struct {
	DatabaseURL string
	Addr        string
	// SessionKey keys the hash of volunteers' ID numbers and other server secrets.
	SessionKey string
	// BaseURL is where people reach the site; an https base URL means TLS (directly or at a proxy).
	BaseURL string
	Env     string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed; empty means the direct peer is the client.
	TrustedProxies []netip.Prefix
}

// Error names the variable whose value is bad.
type Error struct {
	Var, Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: or(getenv("DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/guanai?sslmode=disable"),
		Addr:        or(getenv("GUANAI_ADDR"), ":8080"),
		SessionKey:  getenv("GUANAI_SESSION_KEY"),
		BaseURL:     or(getenv("GUANAI_BASE_URL"), "http://localhost:8080"),
		Env:         or(getenv("GUANAI_ENV"), Development),
	}
	if err := c.check(); err != nil {
		return c, err
	}
	proxies, err := parseProxies(getenv("GUANAI_TRUSTED_PROXIES"))
	if err != nil {
		return c, err
	}
	c.TrustedProxies = proxies
	return c, nil
}

func (c *Config) check() error {
	if c.Env != Development && c.Env != Production {
		return &Error{"GUANAI_ENV", fmt.Sprintf("must be %q or %q, not %q", Development, Production, c.Env)}
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
		return &Error{"DATABASE_URL", "must be a postgres:// URL naming a database"}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return &Error{"GUANAI_ADDR", "must be host:port or :port, like :8080"}
	}
	b, err := url.Parse(c.BaseURL)
	if err != nil || (b.Scheme != "http" && b.Scheme != "https") || b.Host == "" {
		return &Error{"GUANAI_BASE_URL", "must be an http:// or https:// URL, like https://guanai.example.org"}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c.checkSecret()
}

// A production secret must be long and not the development default; development falls back to the default.
func (c *Config) checkSecret() error {
	if c.Env == Production {
		switch {
		case c.SessionKey == "":
			return &Error{"GUANAI_SESSION_KEY", "is required in production (32 or more random characters)"}
		case len(c.SessionKey) < 32 || c.SessionKey == DefaultSessionKey || distinct(c.SessionKey) < 8:
			return &Error{"GUANAI_SESSION_KEY", "is too weak: use 32 or more random characters"}
		}
	}
	if c.SessionKey == "" {
		c.SessionKey = DefaultSessionKey
	}
	return nil
}

func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, &Error{"GUANAI_TRUSTED_PROXIES", fmt.Sprintf("%q is not an address or CIDR range", f)}
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out, nil
}

// Secure reports whether people reach the site over TLS, so cookies are Secure and HSTS is sent.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func or(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}
