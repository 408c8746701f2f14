package domain

import (
	"net/mail"
	"strings"
)

// EmailMaxLen is the longest address a mail server has to accept (RFC 5321's path limit less its brackets).
const EmailMaxLen = 254

// ErrEmailLinkInvalid is a verification link that is unknown, used, expired, or for an address since changed.
var ErrEmailLinkInvalid = refusal("email.link_invalid")

// NormalizeEmail reads a typed address: a bare address (no name, no brackets), its domain with a dot, at most
// EmailMaxLen characters; it is kept lower-cased, as people type their addresses either way and mean one. A bad
// one returns the message key saying why.
func NormalizeEmail(typed string) (string, string) {
	s := strings.ToLower(strings.TrimSpace(typed))
	if s == "" {
		return "", "error.required"
	}
	if len(s) > EmailMaxLen || !PlainText(s) {
		return "", "error.email_invalid"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", "error.email_invalid"
	}
	at := strings.LastIndexByte(s, '@')
	host := s[at+1:]
	if at < 1 || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", "error.email_invalid"
	}
	return s, ""
}
