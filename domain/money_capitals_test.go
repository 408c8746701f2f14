package domain_test

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"guanai/domain"
)

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
