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
//   - Zeros between non-zero digits are written as one 零: 1,409 is 壹仟肆佰零玖元; 6,007 is 陆仟零柒元.
//     A section (万, 亿) that ends in zeros needs no 零, its unit stands for them; the section below gets a 零
//     when it does not start at its top digit: 1,000,100 is 壹佰万零壹佰元, 1,001,000 is 壹佰万壹仟元,
//     100,001,000 is 壹亿零壹仟元.
//   - Where the rules allow either (the 万 or 元 digit is 0 but the next digit down is not) no 零 is written:
//     107,000.53 is 壹拾万柒仟元伍角叁分 and 1,680.32 is 壹仟陆佰捌拾元叁角贰分.
//   - 角 zero and 分 not: 零 after 元 (1,000.05 is 壹仟元零伍分). Under one yuan there is no 元: 0.05 is 伍分.
//   - 整 after 元 (壹仟贰佰叁拾肆元整) and also after 角 (壹佰元伍角整, 伍角整): the rules make it optional after
//     角 and one spelling everywhere is easier to check; never after 分.
//   - Zero is 零元整. A negative amount starts with 负. The 人民币 prefix is left to the receipt template.
//
// Amounts above 9,999 亿 (far beyond MaxAmount) carry on with 亿 sections, e.g. 壹万亿 and 壹亿亿.
func (m Money) Capitals() string {
	neg, yuan, fen := m.split()
	jiao, fen := fen/10, fen%10
	var b strings.Builder
	if neg {
		b.WriteString("负")
	}
	switch {
	case yuan == 0 && jiao == 0 && fen == 0:
		b.WriteString("零元整")
		return b.String()
	case yuan > 0:
		writeCapitalInt(&b, yuan)
		b.WriteString("元")
	}
	if jiao > 0 {
		b.WriteString(capitalDigits[jiao] + "角")
	} else if fen > 0 && yuan > 0 {
		b.WriteString("零")
	}
	if fen > 0 {
		b.WriteString(capitalDigits[fen] + "分")
	} else {
		b.WriteString("整")
	}
	return b.String()
}

// writeCapitalInt writes n > 0 by sections: above 亿, then 万, then the last four digits.
func writeCapitalInt(b *strings.Builder, n uint64) {
	const wan, yi = 10_000, 100_000_000
	var low, unit uint64
	var unitName string
	switch {
	case n >= yi:
		low, unit, unitName = n%yi, yi, "亿"
		writeCapitalInt(b, n/yi)
	case n >= wan:
		low, unit, unitName = n%wan, wan, "万"
		writeCapitalSection(b, n/wan)
	default:
		writeCapitalSection(b, n)
		return
	}
	b.WriteString(unitName)
	if low == 0 {
		return
	}
	if low < unit/10 { // the section below does not start at its top digit: 壹佰万零壹佰
		b.WriteString("零")
	}
	writeCapitalInt(b, low)
}

// writeCapitalSection writes 1..9999; inner zeros become one 零, trailing zeros nothing.
func writeCapitalSection(b *strings.Builder, n uint64) {
	units := [4]string{"仟", "佰", "拾", ""}
	started, zero := false, false
	for i, div := 0, uint64(1000); i < 4; i, div = i+1, div/10 {
		d := n / div % 10
		switch {
		case d == 0:
			zero = started
		default:
			if zero {
				b.WriteString("零")
			}
			b.WriteString(capitalDigits[d] + units[i])
			started, zero = true, false
		}
	}
}
