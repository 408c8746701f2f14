package domain

import (
	"strconv"
	"strings"
)

// Money is an amount of CNY in fen (1/100 yuan). It is never a float, not even while parsing.
type Money int64

// MaxAmount is the most one entry (a donation, a disbursement, an imported line) may be: ¥100,000,000.00.
const MaxAmount Money = 100_000_000_00

// MoneyError says why ParseMoney refused an amount. Key is the message key the web layer translates.
//
// ParseMoney only ever returns one of the ErrAmount… values below, so callers may either compare with
// errors.Is(err, domain.ErrAmountZero) or take the key with errors.As and put it in a FieldErrors.
type MoneyError struct {
	Key string
}

func (e *MoneyError) Error() string { return "amount refused: " + e.Key }

// The reasons ParseMoney refuses an amount, one per message key.
var (
	ErrAmountRequired = &MoneyError{Key: "error.required"}
	ErrAmountInvalid  = &MoneyError{Key: "error.amount_invalid"}
	ErrAmountNegative = &MoneyError{Key: "error.amount_negative"}
	ErrAmountZero     = &MoneyError{Key: "error.amount_zero"}
	ErrAmountDecimals = &MoneyError{Key: "error.amount_decimals"}
	ErrAmountTooLarge = &MoneyError{Key: "error.amount_too_large"}
)

// ParseMoney reads an amount as people type it: 1234, 1,234.56, ¥1234.5, ￥1,234.50, 1234元, RMB 12, CNY 12,
// with surrounding spaces and full-width digits or punctuation. It accepts only 0.01 to MaxAmount.
//
// When an input has several problems the first of these is reported: required (nothing typed), invalid (not a
// number: letters, exponents, hex, a separator out of place, thousands groups not of three digits), negative,
// decimals (a non-zero digit after the second decimal place), zero, too large. Zeros beyond the second decimal
// place (1.230, as spreadsheets export) are accepted: the amount is exact, nothing is rounded.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(ToHalfWidth(s))
	if s == "" {
		return 0, ErrAmountRequired
	}
	neg := false
	if rest, ok := cutMinus(s); ok {
		neg, s = true, rest
	}
	s = cutCurrencyPrefix(s)
	if rest, ok := cutMinus(s); ok && !neg {
		neg, s = true, rest // ¥-5
	}
	if rest, ok := strings.CutSuffix(s, "元"); ok {
		s = strings.TrimSpace(rest)
	}

	// "5." and ".5" are unambiguous and accepted; a lone "." (or a bare ¥) is not a number.
	intPart, fracPart, _ := strings.Cut(s, ".")
	if intPart == "" && fracPart == "" || !validMoneyInt(intPart) || !allASCIIDigits(fracPart) {
		return 0, ErrAmountInvalid
	}

	// Accumulate in fen, stopping at anything over MaxAmount so that no number of digits can overflow.
	var fen uint64
	tooLarge, nonZero, extraDecimals := false, false, false
	add := func(d byte) {
		if d != '0' {
			nonZero = true
		}
		if !tooLarge {
			fen = fen*10 + uint64(d-'0')
			if fen > uint64(MaxAmount) {
				tooLarge = true
			}
		}
	}
	for i := 0; i < len(intPart); i++ {
		if intPart[i] != ',' {
			add(intPart[i])
		}
	}
	for i := 0; i < 2; i++ {
		if i < len(fracPart) {
			add(fracPart[i])
		} else {
			add('0')
		}
	}
	for i := 2; i < len(fracPart); i++ {
		if fracPart[i] != '0' {
			extraDecimals, nonZero = true, true
		}
	}

	switch {
	case neg && nonZero:
		return 0, ErrAmountNegative
	case extraDecimals:
		return 0, ErrAmountDecimals
	case !nonZero:
		return 0, ErrAmountZero
	case tooLarge:
		return 0, ErrAmountTooLarge
	}
	return Money(fen), nil
}

// cutMinus removes a leading ASCII hyphen-minus or U+2212 MINUS SIGN and the spaces after it.
func cutMinus(s string) (string, bool) {
	for _, minus := range []string{"-", "\u2212"} {
		if rest, ok := strings.CutPrefix(s, minus); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return s, false
}

// cutCurrencyPrefix removes one of ¥, ￥ (U+FFE5, which ToHalfWidth leaves alone), RMB or CNY.
func cutCurrencyPrefix(s string) string {
	for _, p := range []string{"¥", "\uFFE5"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return strings.TrimSpace(rest)
		}
	}
	if len(s) >= 3 {
		if p := strings.ToUpper(s[:3]); p == "RMB" || p == "CNY" {
			return strings.TrimSpace(s[3:])
		}
	}
	return s
}

// validMoneyInt reports whether s is ASCII digits, either plain or in thousands groups of three (1,234,567).
// Empty is valid (".5"). Grouped numbers may not start with 0: "0,123" is more likely a decimal comma.
func validMoneyInt(s string) bool {
	if !strings.Contains(s, ",") {
		return allASCIIDigits(s)
	}
	groups := strings.Split(s, ",")
	if first := groups[0]; len(first) < 1 || len(first) > 3 || first[0] == '0' || !allASCIIDigits(first) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allASCIIDigits(g) {
			return false
		}
	}
	return true
}

// allASCIIDigits is deliberately not unicode.IsDigit: ١٢٣ or ๑๒๓ are not amounts here.
func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// split returns the sign and the absolute value in whole yuan and fen. uint64 so that the smallest int64 has a
// magnitude too.
func (m Money) split() (neg bool, yuan, fen uint64) {
	abs := uint64(m)
	if m < 0 {
		neg, abs = true, -abs
	}
	return neg, abs / 100, abs % 100
}

// String is the amount for people: ¥1,234.56, always two decimals; -¥1,234.56 for a negative ledger amount.
func (m Money) String() string {
	neg, yuan, fen := m.split()
	digits := strconv.FormatUint(yuan, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("¥")
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	b.WriteByte('.')
	b.WriteByte(byte('0' + fen/10))
	b.WriteByte(byte('0' + fen%10))
	return b.String()
}

// Plain is the amount for CSV exports and form values: 1234.56, no symbol, no separators.
// ParseMoney(m.Plain()) == m for every amount ParseMoney accepts.
func (m Money) Plain() string {
	neg, yuan, fen := m.split()
	s := strconv.FormatUint(yuan, 10) + "." + string([]byte{byte('0' + fen/10), byte('0' + fen%10)})
	if neg {
		return "-" + s
	}
	return s
}

var capitalDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}

// Capitals writes the amount in Chinese financial capitals (大写金额) for receipts, following the rules for
// filling in 票据 in 《支付结算办法》 (附件一):
//
//   - Every digit is written with its unit, a leading ten included: 10 元 is 壹拾元整, never 拾元整.
//   - A run of zeros between non-zero digits is written as one 零 (1,409 is 壹仟肆佰零玖元; 6,007 is 陆仟零柒元),
//     also when the run takes in the 万, 亿 or 元 place. The unit of that place is written first, then the 零:
//     1,001,000 is 壹佰万零壹仟元, 1,680.32 is 壹仟陆佰捌拾元零叁角贰分, 107,000.53 is 壹拾万零柒仟元零伍角叁分.
//     (The rules allow leaving out the 零 at the 万 and 元 places; writing it always is one spelling everywhere,
//     and no digit can be slipped in front of a 万 or a 元.)
//   - 角 zero and 分 not: 零 after 元 (1,000.05 is 壹仟元零伍分). Under one yuan there is no 元: 0.05 is 伍分.
//   - 整 after 元 (壹仟贰佰叁拾肆元整) and also after 角 (壹佰元零伍角整, 伍角整): the rules make it optional after
//     角 and one spelling everywhere is easier to check; never after 分.
//   - Zero is 零元整. A negative amount starts with 负. The 人民币 prefix is left to the receipt template.
//
// Amounts above 9,999 亿 (far beyond MaxAmount) carry on with 亿 sections, e.g. 壹万亿 and 壹亿亿.
func (m Money) Capitals() string {
	neg, yuan, fen := m.split()
	var w capitalWriter
	if neg {
		w.b.WriteString("负")
	}
	if yuan == 0 && fen == 0 {
		w.b.WriteString("零元整")
		return w.b.String()
	}
	if yuan > 0 {
		w.integer(yuan)
		w.b.WriteString("元")
	}
	w.digit(fen/10, "角")
	w.digit(fen%10, "分")
	if fen%10 == 0 {
		w.b.WriteString("整")
	}
	return w.b.String()
}

// capitalWriter writes digits from the most significant down, holding back a 零 for a run of zeros until the next
// non-zero digit shows that the zeros were between two digits.
type capitalWriter struct {
	b       strings.Builder
	started bool // a non-zero digit has been written
	zero    bool // zeros since the last non-zero digit
}

func (w *capitalWriter) digit(d uint64, unit string) {
	if d == 0 {
		w.zero = w.started
		return
	}
	if w.zero {
		w.b.WriteString("零")
	}
	w.b.WriteString(capitalDigits[d] + unit)
	w.started, w.zero = true, false
}

// integer writes n > 0: the 亿 sections above, then the 万 section and the last four digits.
func (w *capitalWriter) integer(n uint64) {
	const wan, yi = 10_000, 100_000_000
	if n >= yi {
		w.integer(n / yi)
		w.b.WriteString("亿")
		n %= yi
	}
	if high := n / wan; high > 0 {
		w.section(high)
		w.b.WriteString("万")
	} else {
		w.section(0) // four zeros of the 万 section, when it is below a 亿
	}
	w.section(n % wan)
}

// section writes the four digits of 0..9999 with their units.
func (w *capitalWriter) section(n uint64) {
	units := [4]string{"仟", "佰", "拾", ""}
	for i, div := 0, uint64(1000); i < 4; i, div = i+1, div/10 {
		w.digit(n/div%10, units[i])
	}
}
