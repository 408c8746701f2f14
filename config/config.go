// Package config reads Guanai's settings from the environment, with defaults and validation. It is loaded once in
// main and passed down; nothing reads the environment anywhere else.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"guanai/domain"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// DefaultIDHashKey is used in development only; production refuses it.
const DefaultIDHashKey = "guanai-development-key-not-secret"

// defaultMetricsNetworks may read /metrics when GUANAI_METRICS_NETWORKS is not set: this machine only.
const defaultMetricsNetworks = "127.0.0.0/8, ::1"

// Config is every setting.
type Config struct {
	DatabaseURL string
	Addr        string
	// IDHashKey keys the hash of volunteers' ID numbers, so two registrations with one ID number are told apart
	// without the number being stored. Changing it makes every stored hash useless: keep it for good.
	IDHashKey string
	// BaseURL is where people reach the site; an https base URL means TLS (directly or at a proxy).
	BaseURL string
	Env     string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed; empty means the direct peer is the client.
	TrustedProxies []netip.Prefix
	// MetricsNetworks are the networks whose clients may read /metrics.
	MetricsNetworks []netip.Prefix
	// ReconcileEvery is how often `serve` reconciles the ledger in the background.
	ReconcileEvery time.Duration
	// PprofAddr, when set, is a loopback address where `serve` offers Go's profiler (net/http/pprof), for a load
	// run: never on the site's own address.
	PprofAddr string
	// StarHours are the total confirmed hours of each star level a volunteer reaches, one to five, rising.
	StarHours []int
	// SMTP is where mail goes; with no host, nothing is mailed (and nothing fails for it).
	SMTP SMTP
}

// SMTP modes of transport security.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required (port 587)
	SMTPTLS      = "tls"      // TLS from the first byte (port 465)
	SMTPNone     = "none"     // no TLS: a relay on this machine or a private network only
)

// SMTP is the mail server Guanai hands its mails to.
type SMTP struct {
	Host     string // empty: mail is not configured
	Port     int
	Username string // empty: no authentication
	Password string
	From     string // the sender's address, possibly with a name: 关爱平台 <noreply@example.org>
	TLS      string // SMTPStartTLS, SMTPTLS or SMTPNone
}

// Configured reports whether mail is sent at all.
func (s SMTP) Configured() bool { return s.Host != "" }

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
		IDHashKey:   getenv("GUANAI_ID_HASH_KEY"),
		BaseURL:     getenv("GUANAI_BASE_URL"),
		Env:         or(getenv("GUANAI_ENV"), Development),
	}
	if getenv("GUANAI_SESSION_KEY") != "" && c.IDHashKey == "" {
		return c, &Error{"GUANAI_SESSION_KEY", "is now called GUANAI_ID_HASH_KEY (it keys the hash of ID numbers): rename it, keeping its value"}
	}
	if err := c.check(); err != nil {
		return c, err
	}
	var err error
	if c.TrustedProxies, err = parseNetworks("GUANAI_TRUSTED_PROXIES", getenv("GUANAI_TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if c.MetricsNetworks, err = parseNetworks("GUANAI_METRICS_NETWORKS", or(getenv("GUANAI_METRICS_NETWORKS"), defaultMetricsNetworks)); err != nil {
		return c, err
	}
	if c.ReconcileEvery, err = time.ParseDuration(or(getenv("GUANAI_RECONCILE_EVERY"), "1h")); err != nil || c.ReconcileEvery < time.Minute {
		return c, &Error{"GUANAI_RECONCILE_EVERY", "must be a duration of a minute or more, like 1h or 30m"}
	}
	if c.StarHours, err = parseStarHours(getenv("GUANAI_STAR_HOURS")); err != nil {
		return c, err
	}
	if c.SMTP, err = loadSMTP(getenv); err != nil {
		return c, err
	}
	if c.PprofAddr = getenv("GUANAI_PPROF_ADDR"); c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || !ip.IsLoopback() {
			return c, &Error{"GUANAI_PPROF_ADDR", "must be a loopback address and port, like 127.0.0.1:6060"}
		}
	}
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
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return &Error{"GUANAI_ADDR", "must be host:port or :port, like :8080"}
	}
	if c.BaseURL = strings.TrimSpace(c.BaseURL); c.BaseURL == "" {
		c.BaseURL = localURL(host, port)
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
		case c.IDHashKey == "":
			return &Error{"GUANAI_ID_HASH_KEY", "is required in production (32 or more random characters)"}
		case len(c.IDHashKey) < 32 || c.IDHashKey == DefaultIDHashKey || distinct(c.IDHashKey) < 8:
			return &Error{"GUANAI_ID_HASH_KEY", "is too weak: use 32 or more random characters"}
		}
	}
	if c.IDHashKey == "" {
		c.IDHashKey = DefaultIDHashKey
	}
	return nil
}

// parseNetworks reads addresses and CIDR ranges separated by commas or spaces.
func parseNetworks(name, s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, &Error{name, fmt.Sprintf("%q is not an address or CIDR range", f)}
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseStarHours reads the star levels' thresholds in hours, "100,300,600,1000,1500": one to five whole numbers,
// each above the one before. Unset is domain.DefaultStarHours.
func parseStarHours(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(domain.DefaultStarHours), nil
	}
	bad := &Error{"GUANAI_STAR_HOURS", "must be one to five whole numbers of hours, each larger than the one before, like 100,300,600,1000,1500"}
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		h, err := strconv.Atoi(f)
		if err != nil || h < 1 || len(out) > 0 && h <= out[len(out)-1] {
			return nil, bad
		}
		out = append(out, h)
	}
	if len(out) == 0 || len(out) > 5 {
		return nil, bad
	}
	return out, nil
}

// loadSMTP reads GUANAI_SMTP_*. Without a host the rest is not read: mail is simply off.
func loadSMTP(getenv func(string) string) (SMTP, error) {
	s := SMTP{Host: strings.TrimSpace(getenv("GUANAI_SMTP_HOST"))}
	if s.Host == "" {
		return s, nil
	}
	s.Username, s.Password = strings.TrimSpace(getenv("GUANAI_SMTP_USERNAME")), getenv("GUANAI_SMTP_PASSWORD")
	s.TLS = or(strings.ToLower(getenv("GUANAI_SMTP_TLS")), SMTPStartTLS)
	port := 587
	switch s.TLS {
	case SMTPStartTLS:
	case SMTPTLS:
		port = 465
	case SMTPNone:
		port = 25
	default:
		return s, &Error{"GUANAI_SMTP_TLS", fmt.Sprintf("must be %q, %q or %q, not %q", SMTPStartTLS, SMTPTLS, SMTPNone, s.TLS)}
	}
	if p := strings.TrimSpace(getenv("GUANAI_SMTP_PORT")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return s, &Error{"GUANAI_SMTP_PORT", "must be a port number, like 587"}
		}
		port = n
	}
	s.Port = port
	from := strings.TrimSpace(getenv("GUANAI_SMTP_FROM"))
	if a, err := mail.ParseAddress(from); from == "" || err != nil || !strings.Contains(a.Address, "@") {
		return s, &Error{"GUANAI_SMTP_FROM", "must be the sender's address when GUANAI_SMTP_HOST is set, like 关爱平台 <noreply@example.org>"}
	}
	s.From = from
	if s.Password != "" && s.Username == "" {
		return s, &Error{"GUANAI_SMTP_USERNAME", "is needed with GUANAI_SMTP_PASSWORD"}
	}
	return s, nil
}

// Production reports whether this is the production environment.
func (c Config) Production() bool { return c.Env == Production }

// Secure reports whether people reach the site over TLS, so cookies are Secure and HSTS is sent.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// localURL is where the site is reached on this machine when GUANAI_BASE_URL does not say: the address it
// listens on, with localhost for "every interface".
func localURL(host, port string) string {
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

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
