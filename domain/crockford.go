package domain

import (
	"io"
	"strings"
)

// Codes people type or scan — a voucher's, a certificate's — are written in Crockford's base32.

// crockford is Crockford's base32 alphabet by value: no I, L, O or U, so a code read aloud or typed is not misread.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// randomCrockford draws n symbols from r (crypto/rand.Reader in use): each byte gives one, its low five bits — 256
// is a multiple of 32, so every symbol is as likely.
func randomCrockford(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return string(b), nil
}

// readCrockford reads a code as typed or scanned: full-width characters made half-width, spaces, tabs, hyphens and
// underscores dropped, letters upper-cased, and O read as 0, I and L as 1, as Crockford says.
func readCrockford(typed string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(ToHalfWidth(typed)) {
		switch r {
		case ' ', '-', '\t', '\u3000', '_':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}
