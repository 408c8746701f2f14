package domain_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

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
