package domain

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// A volunteer's hours certificate (志愿服务证明): the confirmed hours of a period, issued once per period and never
// changed, with a public verification link whose code is unguessable.

// The organisation that issues certificates, as it signs them.
const (
	CertificateIssuerZh = "杭州市医务人员关爱基金"
	CertificateIssuerEn = "Hangzhou Care Fund for Medical Staff"
)

// CertificateCodeLen is the length of a verification code: 20 characters of Crockford's base32, 100 bits from
// crypto/rand — nobody finds a certificate by trying codes, so /verify needs no throttle of its own.
const CertificateCodeLen = 20

// NewCertificateCode draws a verification code from r (crypto/rand.Reader): each byte gives one character, its
// low five bits, so every character is equally likely.
func NewCertificateCode(r io.Reader) (string, error) {
	return randomCrockford(r, CertificateCodeLen)
}

// NormalizeCertificateCode reads a code as typed or scanned (readCrockford): case, spaces and dashes do not
// matter, and O, I and L are read as the digits they look like. ok is false for anything that cannot be a code.
func NormalizeCertificateCode(typed string) (code string, ok bool) {
	s := readCrockford(typed)
	if len(s) != CertificateCodeLen {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(crockford, r) {
			return "", false
		}
	}
	return s, true
}

// CertificateNumber is a certificate's number as printed: GAZY-2026-000123, the year of issue and its id.
func CertificateNumber(issued time.Time, id int64) string {
	return fmt.Sprintf("GAZY-%d-%06d", issued.In(Shanghai).Year(), id)
}

// MaxCertificateYears is the longest period one certificate covers.
const MaxCertificateYears = 10

// DefaultCertificatePeriod is the last twelve months up to today: from the day after this day a year ago.
func DefaultCertificatePeriod(today time.Time) (from, to time.Time) {
	return today.AddDate(-1, 0, 1), today
}

// CheckCertificatePeriod reads a period as typed (2006-01-02): both days given, the first not after the last, the
// last not after today, at most MaxCertificateYears long.
func CheckCertificatePeriod(fromTyped, toTyped string, today time.Time) (from, to time.Time, fe FieldErrors) {
	fe = FieldErrors{}
	day := func(field, s string) time.Time {
		s = strings.TrimSpace(ToHalfWidth(s))
		if s == "" {
			fe.Add(field, "error.required")
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, s, Shanghai)
		if err != nil {
			fe.Add(field, "certificate.error.date")
		}
		return d
	}
	from, to = day("from", fromTyped), day("to", toTyped)
	if len(fe) > 0 {
		return from, to, fe
	}
	switch {
	case to.After(today):
		fe.Add("to", "certificate.error.future")
	case from.After(to):
		fe.Add("from", "certificate.error.order")
	case from.Before(to.AddDate(-MaxCertificateYears, 0, 0)):
		fe.Add("from", "certificate.error.too_long")
	}
	return from, to, fe
}
