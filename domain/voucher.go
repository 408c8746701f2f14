package domain

import (
	"crypto/rand"
	"io"
	"strings"
)

// A voucher code is what a venue's desk types or scans: 10 characters of Crockford's base32 (50 random bits from
// crypto/rand, so a code cannot be guessed) and a check symbol, Crockford's value mod 37, which catches every
// single mistyped character and every swap of two neighbours. It is shown in groups (7K3QM-2XH9P-T); spaces,
// hyphens, lower case and the letters Crockford reads as digits (O as 0, I and L as 1) are accepted when typed.
const (
	VoucherBodyLen = 10
	VoucherCodeLen = VoucherBodyLen + 1
)

// crockfordCheck adds to the body's 32 symbols the five Crockford reserves for check values 32–36.
const crockfordCheck = crockford + "*~$=U"

// NewVoucherCode draws a new code from r (crypto/rand.Reader in use; a test may pass its own).
func NewVoucherCode(r io.Reader) (string, error) {
	body, err := randomCrockford(r, VoucherBodyLen)
	if err != nil {
		return "", err
	}
	return body + string(VoucherCheckSymbol(body)), nil
}

// RandomVoucherCode draws a code from crypto/rand.
func RandomVoucherCode() (string, error) { return NewVoucherCode(rand.Reader) }

// VoucherCheckSymbol is the check symbol of a body of Crockford symbols: its value mod 37. A body with a symbol
// outside the alphabet has none (0).
func VoucherCheckSymbol(body string) byte {
	var v uint64
	for i := 0; i < len(body); i++ {
		d := strings.IndexByte(crockford, body[i])
		if d < 0 {
			return 0
		}
		v = (v*32 + uint64(d)) % 37
	}
	return crockfordCheck[v]
}

// Voucher code problems, each with its own message for the desk.
var (
	ErrVoucherCodeEmpty    = &Refusal{Key: "benefits.redeem.error.empty"}
	ErrVoucherCodeShape    = &Refusal{Key: "benefits.redeem.error.shape"}
	ErrVoucherCodeMistyped = &Refusal{Key: "benefits.redeem.error.mistyped"}
)

// NormalizeVoucherCode reads a typed or scanned code: full-width characters, spaces and hyphens are dropped,
// letters upper-cased, O read as 0 and I, L as 1. It returns the code, or why it cannot be one: nothing typed,
// the wrong length or a character no code has, or a check symbol that does not fit (a mistyped character).
func NormalizeVoucherCode(typed string) (string, error) {
	code := readCrockford(typed)
	switch {
	case code == "":
		return "", ErrVoucherCodeEmpty
	case len(code) != VoucherCodeLen || !validVoucherShape(code):
		return code, ErrVoucherCodeShape
	case VoucherCheckSymbol(code[:VoucherBodyLen]) != code[VoucherBodyLen]:
		return code, ErrVoucherCodeMistyped
	}
	return code, nil
}

// ValidVoucherCode reports whether code is a code as stored: the right shape and its check symbol.
func ValidVoucherCode(code string) bool {
	return len(code) == VoucherCodeLen && validVoucherShape(code) && VoucherCheckSymbol(code[:VoucherBodyLen]) == code[VoucherBodyLen]
}

func validVoucherShape(code string) bool {
	for i := 0; i < VoucherBodyLen; i++ {
		if strings.IndexByte(crockford, code[i]) < 0 {
			return false
		}
	}
	return strings.IndexByte(crockfordCheck, code[VoucherBodyLen]) >= 0
}

// GroupVoucherCode writes a code the way people read it aloud: 7K3QM-2XH9P-T.
func GroupVoucherCode(code string) string {
	if len(code) != VoucherCodeLen {
		return code
	}
	return code[:5] + "-" + code[5:10] + "-" + code[10:]
}
