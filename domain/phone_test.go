package domain_test

import (
	"strings"
	"testing"

	"guanai/domain"
)

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"13800138000", "13800138000"},
		{"138 0013 8000", "13800138000"},
		{"138-0013-8000", "13800138000"},
		{"  13800138000  ", "13800138000"},
		{"１３８００１３８０００", "13800138000"},
		{"１３８　００１３　８０００", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"+86-138-0013-8000", "13800138000"},
		{"+8613800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{"＋８６ １３８００１３８０００", "13800138000"},
		{"(+86) 138-0013-8000", "13800138000"},
		{"tel: 139 1234 5678", "13912345678"},
		{"12345", "12345"},
		{"", ""},
	}
	for _, c := range cases {
		if got := domain.NormalizePhone(c.in); got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"13800138000", true},
		{"19912345678", true},
		{"15000000000", true},
		{"12800138000", false}, // no mobile network starts 12
		{"10800138000", false},
		{"23800138000", false},
		{"1380013800", false},   // 10 digits
		{"138001380001", false}, // 12 digits
		{"138 0013 8000", false},
		{"１３８００１３８０００", false}, // not normalised
		{"", false},
	}
	for _, c := range cases {
		if got := domain.ValidPhone(c.in); got != c.want {
			t.Errorf("ValidPhone(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestCheckPhone(t *testing.T) {
	cases := []struct {
		in, phone, key string
	}{
		{"+86 139-0000-1111", "13900001111", ""},
		{"１３９００００１１１１", "13900001111", ""},
		{"", "", "error.required"},
		{"   ", "", "error.required"},
		{"12345", "12345", "error.phone_invalid"},
		{"not a phone", "", "error.phone_characters"},
		{"139o0001111", "1390001111", "error.phone_characters"},
		{"tel: 139 0000 1111", "13900001111", "error.phone_characters"},
		{"(+86) 139.0000.1111", "13900001111", ""},
		{"12900001111", "12900001111", "error.phone_not_mobile"},
		{"12345678901", "12345678901", "error.phone_not_mobile"},
		{"1390000111", "1390000111", "error.phone_invalid"},
	}
	for _, c := range cases {
		phone, key := domain.CheckPhone(c.in)
		if phone != c.phone || key != c.key {
			t.Errorf("CheckPhone(%q) = %q, %q; want %q, %q", c.in, phone, key, c.phone, c.key)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"13812341234", "138****1234"},
		{"19900005678", "199****5678"},
		{"1381234", "***"},
		{"", "***"},
		{"138123412345", "***"},
	}
	for _, c := range cases {
		if got := domain.MaskPhone(c.in); got != c.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"13800138000", "+86 138 0013 8000", "１３８００１３８０００", "138-0013-8000", "8613800138000",
		"＋８６１３８００１３８０００", "", "+", "+86", "86", "\u3000", "\xff\xfe", "1\x0038", "+++8613800138000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := domain.NormalizePhone(s)
		if !domain.ValidPhone(p) {
			return
		}
		if again := domain.NormalizePhone(p); again != p {
			t.Errorf("NormalizePhone(%q) = %q, not stable: again %q", s, p, again)
		}
		if len(p) != 11 {
			t.Fatalf("NormalizePhone(%q) = %q: ValidPhone accepted %d bytes", s, p, len(p))
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				t.Fatalf("NormalizePhone(%q) = %q: ValidPhone accepted a non-digit", s, p)
			}
		}
		m := domain.MaskPhone(p)
		if len(m) != 11 || !strings.HasPrefix(m, p[:3]) || !strings.HasSuffix(m, p[7:]) || m[3:7] != "****" {
			t.Fatalf("MaskPhone(%q) = %q, want the first 3 and last 4 digits with the middle hidden", p, m)
		}
	})
}
