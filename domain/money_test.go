package domain_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"guanai/domain"
)

func TestParseMoney(t *testing.T) {
	const (
		required = "error.required"
		invalid  = "error.amount_invalid"
		negative = "error.amount_negative"
		zero     = "error.amount_zero"
		decimals = "error.amount_decimals"
		tooLarge = "error.amount_too_large"
	)
	cases := []struct {
		in   string
		want domain.Money
		key  string // empty when the input is accepted
	}{
		// Accepted.
		{in: "1234", want: 123400},
		{in: "1,234.56", want: 123456},
		{in: "¥1234.5", want: 123450},
		{in: "￥1,234.50", want: 123450},
		{in: "1234元", want: 123400},
		{in: "1234 元", want: 123400},
		{in: "¥1,234.56元", want: 123456},
		{in: "  1234  ", want: 123400},
		{in: "\t1234\n", want: 123400},
		{in: "\u30001234\u3000", want: 123400}, // ideographic spaces
		{in: "１２３４", want: 123400},
		{in: "１，２３４．５６", want: 123456},
		{in: "￥１２３４．５", want: 123450},
		{in: "¥ 1,234", want: 123400},
		{in: "RMB 12", want: 1200},
		{in: "CNY 12", want: 1200},
		{in: "RMB12.5", want: 1250},
		{in: "cny 12", want: 1200},
		{in: "ＲＭＢ １２", want: 1200},
		{in: "0.01", want: 1},
		{in: "0.1", want: 10},
		{in: ".5", want: 50},
		{in: "5.", want: 500},
		{in: "007", want: 700},
		{in: "1.230", want: 123},  // zeros past the fen are exact, not rounded
		{in: "1.5000", want: 150}, // as spreadsheets export
		{in: "1,234,567.89", want: 123456789},
		{in: "100000000", want: domain.MaxAmount},
		{in: "100,000,000.00", want: domain.MaxAmount},
		{in: "¥100,000,000.00", want: domain.MaxAmount},
		{in: "99999999.99", want: domain.MaxAmount - 1},

		// Nothing typed.
		{in: "", key: required},
		{in: "   ", key: required},
		{in: "\u3000", key: required},

		// Negative.
		{in: "-5", key: negative},
		{in: "-1,234.56", key: negative},
		{in: "-¥5", key: negative},
		{in: "¥-5", key: negative},
		{in: "- 5", key: negative},
		{in: "RMB -5", key: negative},
		{in: "\u22125", key: negative}, // U+2212 MINUS SIGN
		{in: "-¥1,234.56", key: negative},
		{in: "-0.001", key: negative},
		{in: "-1" + strings.Repeat("0", 40), key: negative},

		// Zero.
		{in: "0", key: zero},
		{in: "0.00", key: zero},
		{in: "000", key: zero},
		{in: "¥0", key: zero},
		{in: "0元", key: zero},
		{in: "-0", key: zero},
		{in: ".0", key: zero},

		// More than two decimals.
		{in: "1.234", key: decimals},
		{in: "0.001", key: decimals},
		{in: "1.2345678", key: decimals},
		{in: "1.001", key: decimals},
		{in: "¥1,234.567", key: decimals},
		{in: "1.00" + strings.Repeat("0", 40) + "1", key: decimals},

		// Too large.
		{in: "100000000.01", key: tooLarge},
		{in: "100,000,001", key: tooLarge},
		{in: "¥1,000,000,000", key: tooLarge},
		{in: "18446744073709551617", key: tooLarge}, // 2^64 + 1: would wrap in uint64
		{in: "9223372036854775808", key: tooLarge},  // 2^63: would wrap in int64
		{in: strings.Repeat("9", 40), key: tooLarge},
		{in: "1" + strings.Repeat("0", 39) + ".00", key: tooLarge},

		// Not a number.
		{in: "abc", key: invalid},
		{in: "1.2.3", key: invalid},
		{in: "1,23,4", key: invalid},
		{in: "12,34", key: invalid},
		{in: "1,2345", key: invalid},
		{in: ",123", key: invalid},
		{in: "123,", key: invalid},
		{in: "1,234,", key: invalid},
		{in: "0,123", key: invalid}, // a decimal comma, not a thousands group
		{in: "1.234,5", key: invalid},
		{in: "12e3", key: invalid},
		{in: "1E2", key: invalid},
		{in: "0x10", key: invalid},
		{in: "１２3abc", key: invalid},
		{in: ".", key: invalid},
		{in: "¥", key: invalid},
		{in: "元", key: invalid},
		{in: "RMB", key: invalid},
		{in: "-", key: invalid},
		{in: "--5", key: invalid},
		{in: "+5", key: invalid},
		{in: "5-", key: invalid},
		{in: "(5)", key: invalid},
		{in: "¥¥5", key: invalid},
		{in: "5元元", key: invalid},
		{in: "1..2", key: invalid},
		{in: "1 234", key: invalid},
		{in: "1_000", key: invalid},
		{in: "NaN", key: invalid},
		{in: "Inf", key: invalid},
		{in: "١٢٣", key: invalid}, // Arabic-Indic digits are digits to unicode, not to us
		{in: "五百", key: invalid},
		{in: "12 CNY", key: invalid},
		{in: "\xff12", key: invalid},
	}
	for _, c := range cases {
		got, err := domain.ParseMoney(c.in)
		if c.key == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseMoney(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
			continue
		}
		var me *domain.MoneyError
		if !errors.As(err, &me) || me.Key != c.key || got != 0 {
			t.Errorf("ParseMoney(%q) = %d, %v; want error %s", c.in, got, err, c.key)
		}
	}
}

func TestParseMoneySentinels(t *testing.T) {
	for in, want := range map[string]error{
		"":              domain.ErrAmountRequired,
		"x":             domain.ErrAmountInvalid,
		"-1":            domain.ErrAmountNegative,
		"0":             domain.ErrAmountZero,
		"0.001":         domain.ErrAmountDecimals,
		"1e9":           domain.ErrAmountInvalid,
		"2亿":            domain.ErrAmountInvalid,
		"1,000,000,000": domain.ErrAmountTooLarge,
	} {
		if _, err := domain.ParseMoney(in); !errors.Is(err, want) {
			t.Errorf("ParseMoney(%q) error = %v, want %v", in, err, want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	cases := []struct {
		m           domain.Money
		text, plain string
	}{
		{0, "¥0.00", "0.00"},
		{1, "¥0.01", "0.01"},
		{10, "¥0.10", "0.10"},
		{100, "¥1.00", "1.00"},
		{99999, "¥999.99", "999.99"},
		{100000, "¥1,000.00", "1000.00"},
		{123456, "¥1,234.56", "1234.56"},
		{12345678, "¥123,456.78", "123456.78"},
		{123456789, "¥1,234,567.89", "1234567.89"},
		{domain.MaxAmount, "¥100,000,000.00", "100000000.00"},
		{-5, "-¥0.05", "-0.05"},
		{-123456, "-¥1,234.56", "-1234.56"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07", "92233720368547758.07"},
		{math.MinInt64, "-¥92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, c := range cases {
		if got := c.m.String(); got != c.text {
			t.Errorf("Money(%d).String() = %q, want %q", int64(c.m), got, c.text)
		}
		if got := c.m.Plain(); got != c.plain {
			t.Errorf("Money(%d).Plain() = %q, want %q", int64(c.m), got, c.plain)
		}
	}
}

func TestMoneyCapitals(t *testing.T) {
	cases := []struct {
		fen  domain.Money
		want string
	}{
		// From the issue.
		{123456, "壹仟贰佰叁拾肆元伍角陆分"},
		{123400, "壹仟贰佰叁拾肆元整"},
		{100005, "壹仟元零伍分"},
		{10050, "壹佰元零伍角整"},
		{1000, "壹拾元整"},
		{10000000, "壹拾万元整"},
		{10001000, "壹拾万零壹拾元整"},
		{100100000, "壹佰万零壹仟元整"},
		{100010000, "壹佰万零壹佰元整"},
		{5, "伍分"},
		{50, "伍角整"},
		{0, "零元整"},
		{domain.MaxAmount, "壹亿元整"},

		// The examples in 《支付结算办法》 附件一: ¥1,409.50, ¥6,007.14, ¥1,680.32 (its first spelling),
		// ¥107,000.53 (the rules show 壹拾万柒仟元零伍角叁分 and 壹拾万零柒仟元伍角叁分, each leaving out one of the
		// two optional 零; this writes both), ¥16,409.02 and ¥325.04; with 整 after 角.
		{140950, "壹仟肆佰零玖元伍角整"},
		{600714, "陆仟零柒元壹角肆分"},
		{168032, "壹仟陆佰捌拾元零叁角贰分"},
		{10700053, "壹拾万零柒仟元零伍角叁分"},
		{1640902, "壹万陆仟肆佰零玖元零贰分"},
		{32504, "叁佰贰拾伍元零肆分"},

		// Small amounts: no 元 under one yuan.
		{1, "壹分"},
		{10, "壹角整"},
		{15, "壹角伍分"},
		{55, "伍角伍分"},
		{100, "壹元整"},
		{105, "壹元零伍分"},
		{150, "壹元伍角整"},

		// Zeros inside a section.
		{1100, "壹拾壹元整"},
		{11000, "壹佰壹拾元整"},
		{10100, "壹佰零壹元整"},
		{100100, "壹仟零壹元整"},
		{101000, "壹仟零壹拾元整"},
		{100110, "壹仟零壹元壹角整"},

		// Zeros across the 万 boundary, and runs that take in the 万 or the 元 place.
		{10000050, "壹拾万元零伍角整"},
		{100050, "壹仟元零伍角整"},
		{1005000, "壹万零伍拾元整"},
		{2000300000, "贰仟万零叁仟元整"},
		{10000001, "壹拾万元零壹分"},
		{1000000, "壹万元整"},
		{1000100, "壹万零壹元整"},
		{1001000, "壹万零壹拾元整"},
		{1010000, "壹万零壹佰元整"},
		{1100000, "壹万壹仟元整"},
		{2000000, "贰万元整"},
		{10000100, "壹拾万零壹元整"},
		{20020000, "贰拾万零贰佰元整"},
		{20002000, "贰拾万零贰拾元整"},
		{1020304, "壹万零贰佰零叁元零肆分"},
		{101010101, "壹佰零壹万零壹佰零壹元零壹分"},
		{100000001, "壹佰万元零壹分"},
		{5000000005, "伍仟万元零伍分"},
		{1000000000, "壹仟万元整"},
		{1234567890, "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"},
		{domain.MaxAmount - 1, "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},

		// Beyond MaxAmount (not accepted as one entry, but ledger totals may be).
		{domain.MaxAmount + 100, "壹亿零壹元整"},
		{10000100000, "壹亿零壹仟元整"},
		{10100000000, "壹亿零壹佰万元整"},
		{11000000000, "壹亿壹仟万元整"},
		{123456789000000, "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万元整"},

		// Negative ledger amounts and the int64 edges.
		{-123456, "负壹仟贰佰叁拾肆元伍角陆分"},
		{-5, "负伍分"},
		{math.MaxInt64, "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"},
		{math.MinInt64, "负玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分"},
	}
	for _, c := range cases {
		if got := c.fen.Capitals(); got != c.want {
			t.Errorf("Money(%d).Capitals() = %s, want %s", int64(c.fen), got, c.want)
		}
		if v, ok := decodeCapitals(c.want); !ok || v != c.fen {
			t.Errorf("the expected capitals %s decode to %d (ok=%v), not %d: the table is wrong", c.want, v, ok, int64(c.fen))
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"1234", "1,234.56", "¥1234.5", "￥1,234.50", "1234元", " 1234 ", "１２３４．５６", "RMB 12", "CNY 12",
		"", "-5", "0", "1.234", "100000000.01", strings.Repeat("9", 40), "abc", "1.2.3", "1,23,4", "12e3",
		"0x10", "１２3abc", ".", ".5", "5.", "1.230", "-¥1,234.56", "¥100,000,000.00", "0,123", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := domain.ParseMoney(s)
		if err != nil {
			var me *domain.MoneyError
			if !errors.As(err, &me) || !knownMoneyKey[me.Key] {
				t.Fatalf("ParseMoney(%q) error %v is not one of the documented keys", s, err)
			}
			if m != 0 {
				t.Fatalf("ParseMoney(%q) = %d with error %v", s, m, err)
			}
			return
		}
		if m < 1 || m > domain.MaxAmount {
			t.Fatalf("ParseMoney(%q) = %d, out of 1..MaxAmount", s, m)
		}
		for _, text := range []string{m.String(), m.Plain()} {
			if back, err := domain.ParseMoney(text); err != nil || back != m {
				t.Fatalf("ParseMoney(%q) = %d, but ParseMoney(%q) = %d, %v", s, m, text, back, err)
			}
		}
		// Plain ASCII digits are whole yuan: check against strconv.
		if n, err := strconv.ParseUint(s, 10, 64); err == nil && n*100 != uint64(m) {
			t.Fatalf("ParseMoney(%q) = %d, want %d", s, m, n*100)
		}
	})
}

func FuzzMoneyRoundTrip(f *testing.F) {
	for _, x := range []int64{
		1, 5, 10, 99, 100, 105, 1000, 100005, 123456, 10001000, 100010000, 100100000,
		int64(domain.MaxAmount) - 1, int64(domain.MaxAmount), 0, -1, math.MaxInt64, math.MinInt64,
	} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x int64) {
		// Formatting must hold for any int64, ledger balances and negatives included.
		checkCapitals(t, domain.Money(x))
		_ = domain.Money(x).String()
		_ = domain.Money(x).Plain()

		// Round trips for what one entry may be; fold other values into 1..MaxAmount.
		m := domain.Money(x)
		if m < 1 || m > domain.MaxAmount {
			m = domain.Money(uint64(x)%uint64(domain.MaxAmount)) + 1
		}
		for _, text := range []string{m.String(), m.Plain()} {
			if back, err := domain.ParseMoney(text); err != nil || back != m {
				t.Fatalf("Money(%d) formats as %q, which parses as %d, %v", int64(m), text, back, err)
			}
		}
		checkCapitals(t, m)
	})
}

var knownMoneyKey = map[string]bool{
	"error.required":         true,
	"error.amount_invalid":   true,
	"error.amount_negative":  true,
	"error.amount_zero":      true,
	"error.amount_decimals":  true,
	"error.amount_too_large": true,
}

// checkCapitals checks what can be checked of any amount's capitals without a second implementation of the
// zero rules: the value reads back, and the text has the shape the receipts convention requires.
func checkCapitals(t *testing.T, m domain.Money) {
	t.Helper()
	c := m.Capitals()
	if strings.ContainsAny(c, "0123456789") {
		t.Fatalf("Money(%d).Capitals() = %s contains ASCII digits", int64(m), c)
	}
	if v, ok := decodeCapitals(c); !ok || v != m {
		t.Fatalf("Money(%d).Capitals() = %s, which reads back as %d (ok=%v)", int64(m), c, v, ok)
	}
	body := strings.TrimPrefix(c, "负")
	if body == "零元整" {
		if m != 0 {
			t.Fatalf("Money(%d).Capitals() = %s", int64(m), c)
		}
		return
	}
	for _, bad := range []string{"零零", "零万", "零亿", "零元", "零角", "零分", "零整", "分整", "万万", "拾零"} {
		if strings.Contains(body, bad) {
			t.Fatalf("Money(%d).Capitals() = %s contains %s", int64(m), c, bad)
		}
	}
	if strings.HasPrefix(body, "零") || strings.HasPrefix(body, "拾") {
		t.Fatalf("Money(%d).Capitals() = %s starts badly", int64(m), c)
	}
	if fen := m % 10; fen != 0 && !strings.HasSuffix(c, "分") || fen == 0 && !strings.HasSuffix(c, "整") {
		t.Fatalf("Money(%d).Capitals() = %s ends badly", int64(m), c)
	}
}

// decodeCapitals reads financial capitals back into fen: a test oracle for the value, not for the zero rules.
func decodeCapitals(s string) (domain.Money, bool) {
	neg := false
	if rest, ok := strings.CutPrefix(s, "负"); ok {
		neg, s = true, rest
	}
	digitOf := map[rune]uint64{'壹': 1, '贰': 2, '叁': 3, '肆': 4, '伍': 5, '陆': 6, '柒': 7, '捌': 8, '玖': 9}
	unitOf := map[rune]uint64{'拾': 10, '佰': 100, '仟': 1000}
	var total, section, digit, yuan, jiao, fen uint64
	haveDigit := false
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if d, ok := digitOf[r]; ok {
			if haveDigit {
				return 0, false
			}
			digit, haveDigit = d, true
			continue
		}
		if u, ok := unitOf[r]; ok {
			if !haveDigit { // 拾 alone: the convention always writes 壹拾
				return 0, false
			}
			section += digit * u
			digit, haveDigit = 0, false
			continue
		}
		switch r {
		case '零':
			if haveDigit {
				return 0, false
			}
		case '万':
			section = (section + digit) * 10_000
			digit, haveDigit = 0, false
		case '亿':
			total = (total + section + digit) * 100_000_000
			section, digit, haveDigit = 0, 0, false
		case '元':
			yuan = total + section + digit
			total, section, digit, haveDigit = 0, 0, 0, false
		case '角':
			if !haveDigit {
				return 0, false
			}
			jiao, digit, haveDigit = digit, 0, false
		case '分':
			if !haveDigit {
				return 0, false
			}
			fen, digit, haveDigit = digit, 0, false
		case '整':
			if s != "" {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	if haveDigit || total != 0 || section != 0 {
		return 0, false // digits with no unit after them
	}
	v := yuan*100 + jiao*10 + fen
	if neg {
		return domain.Money(-v), true
	}
	return domain.Money(v), true
}
