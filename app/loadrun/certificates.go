package loadrun

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Hours certificates: a volunteer opens one of his certificates from his home, or issues the one of the last
// twelve months (the form's default period: the same certificate again, but for the first time of the day) and
// checks it by its QR code once; a visitor checks a certificate by a code a volunteer's page showed in the run, as
// a person who scanned its QR code would.

func volunteerCertificate(u *user) error {
	id, err := u.pickID("/volunteer", "/volunteer/certificates/")
	if err != nil || id == "" {
		return err
	}
	p, err := u.browse("/volunteer/certificates/" + id)
	if err == nil {
		u.run.codes.keep(p.body)
	}
	return err
}

// issueCertificate issues the certificate of the form's period when the home shows confirmed hours (without them
// the form answers that there is nothing to certify, a refusal rather than a page to time).
func issueCertificate(u *user) error {
	home, err := u.browse("/volunteer", "/volunteer/certificates/")
	if err != nil {
		return err
	}
	if h, ok := between(home.body, `id="confirmed-hours">`, "<"); !ok || strings.HasPrefix(h, "0 ") {
		return nil
	}
	const formPath = "/volunteer/certificates/new"
	p, err := u.get(formPath)
	if err != nil {
		return err
	}
	f, ok := postForm(p.body, "/volunteer/certificates")
	if !ok {
		return u.fail(routeOf("GET", formPath), p.status, "no certificate form on the page")
	}
	next, err := u.post("/volunteer/certificates", f, "/volunteer/certificates/")
	if err != nil {
		return err
	}
	c, err := u.get(next)
	if err != nil {
		return err
	}
	// He scans the QR code of what he has just printed, as a person checks a new certificate once.
	if code := u.run.codes.keep(c.body); code != "" {
		_, err = u.get("/verify/" + code)
	}
	return err
}

// verifyCertificate checks a code a volunteer's certificate showed in this run; none seen yet, it waits its turn.
func verifyCertificate(u *user) error {
	code := u.run.codes.pick(u.rng.IntN)
	if code == "" {
		return nil
	}
	_, err := u.get("/verify/" + code)
	return err
}

func between(s, from, to string) (string, bool) {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, to)
	return v, ok
}

// codePool holds the verification codes the run's volunteers have seen on their certificates.
type codePool struct {
	mu    sync.Mutex
	codes []string
}

var verifyLink = regexp.MustCompile(`/verify/([0-9A-HJKMNP-TV-Z]{20})`)

// maxCodes bounds the pool: a few hundred codes are as good as all of them.
const maxCodes = 500

// keep adds the code a certificate's page shows, and returns it ("" when the page shows none).
func (c *codePool) keep(body string) string {
	m := verifyLink.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.codes, m[1]) && len(c.codes) < maxCodes {
		c.codes = append(c.codes, m[1])
	}
	return m[1]
}

func (c *codePool) pick(intN func(int) int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.codes) == 0 {
		return ""
	}
	return c.codes[intN(len(c.codes))]
}
