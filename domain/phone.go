package domain

import (
	"regexp"
	"strings"
)

var phonePattern = regexp.MustCompile(`^1[3-9]\d{9}$`)

// NormalizePhone turns what people type — spaces, dashes, full-width digits, a +86 prefix — into 11 ASCII digits.
// It does not check the result; ValidPhone does.
func NormalizePhone(s string) string {
	s = ToHalfWidth(s)
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '+' {
			b.WriteRune(r)
		}
	}
	p := b.String()
	p = strings.TrimPrefix(p, "+86")
	if len(p) == 13 && strings.HasPrefix(p, "86") {
		p = p[2:]
	}
	return p
}

// ValidPhone reports whether p is a mainland Chinese mobile number (already normalised).
func ValidPhone(p string) bool { return phonePattern.MatchString(p) }

// MaskPhone shows the first three and last four digits: 138****1234.
func MaskPhone(p string) string {
	if len(p) != 11 {
		return "***"
	}
	return p[:3] + "****" + p[7:]
}

// ToHalfWidth maps full-width ASCII (０-９, Ａ-Ｚ, ．, ，, ￥ ...) and the ideographic space to their ASCII forms.
func ToHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		}
		return r
	}, s)
}
