package domain_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"guanai/domain"
)

const symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func TestVoucherCheckSymbol(t *testing.T) {
	// The body's value mod 37, written with the body's alphabet and the five reserves *~$=U for 32–36.
	for _, c := range []struct{ body, want string }{
		{"0000000000", "0"},
		{"0000000001", "1"},
		{"000000000Z", "Z"},    // 31
		{"0000000010", "*"},    // 32
		{"0000000011", "~"},    // 33
		{"0000000012", "$"},    // 34
		{"0000000013", "="},    // 35
		{"0000000014", "U"},    // 36
		{"0000000015", "0"},    // 37
		{"000000001Z", "T"},    // 63 mod 37 = 26
		{"000000000a", "\x00"}, // not a symbol: no check
	} {
		if got := string(domain.VoucherCheckSymbol(c.body)); got != c.want {
			t.Errorf("check of %s = %q, want %q", c.body, got, c.want)
		}
	}
}

func TestNormalizeVoucherCode(t *testing.T) {
	code := "7K3QM2XH9P" + string(domain.VoucherCheckSymbol("7K3QM2XH9P"))
	grouped := domain.GroupVoucherCode(code)
	wrongCheck := code[:10] + string(symbols[(strings.IndexByte(symbols, code[10])+1)%32])
	for _, c := range []struct {
		typed string
		want  string
		err   error
	}{
		{code, code, nil},
		{grouped, code, nil},
		{strings.ToLower(grouped), code, nil},
		{" " + code[:5] + " " + code[5:] + " ", code, nil},
		{"７Ｋ３ＱＭ" + code[5:], code, nil}, // full-width, as a phone keyboard may type
		{"", "", domain.ErrVoucherCodeEmpty},
		{" - ", "", domain.ErrVoucherCodeEmpty},
		{code[:10], code[:10], domain.ErrVoucherCodeShape},   // the check symbol left off
		{code + "0", code + "0", domain.ErrVoucherCodeShape}, // one too many
		{"7K3QM2XH9P!", "7K3QM2XH9P!", domain.ErrVoucherCodeShape},
		{"7K3QMUXH9P" + code[10:], "7K3QMUXH9P" + code[10:], domain.ErrVoucherCodeShape}, // U only checks
		{wrongCheck, wrongCheck, domain.ErrVoucherCodeMistyped},
	} {
		got, err := domain.NormalizeVoucherCode(c.typed)
		if !errors.Is(err, c.err) || err == nil && got != c.want {
			t.Errorf("NormalizeVoucherCode(%q) = %q, %v; want %q, %v", c.typed, got, err, c.want, c.err)
		}
	}
	// Crockford reads O as 0 and I, L as 1.
	body := "0011ABCDEF"
	c := body + string(domain.VoucherCheckSymbol(body))
	if got, err := domain.NormalizeVoucherCode("OOIL" + c[4:]); err != nil || got != c {
		t.Errorf("O, I, L: got %q, %v; want %q", got, err, c)
	}
	if grouped != code[:5]+"-"+code[5:10]+"-"+code[10:] {
		t.Errorf("grouped %q", grouped)
	}
}

func TestNewVoucherCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		code, err := domain.RandomVoucherCode()
		if err != nil {
			t.Fatal(err)
		}
		if !domain.ValidVoucherCode(code) || len(code) != domain.VoucherCodeLen {
			t.Fatalf("drawn code %q is not valid", code)
		}
		if seen[code] {
			t.Fatalf("code %q drawn twice in 2,000 (50 bits each)", code)
		}
		seen[code] = true
	}
	// Every symbol of the body comes out: 256 byte values map evenly onto 32.
	code, err := domain.NewVoucherCode(bytes.NewReader([]byte{0, 1, 2, 31, 32, 63, 64, 255, 30, 29}))
	if err != nil || code[:10] != "012Z0Z0ZYX" {
		t.Errorf("code from fixed bytes = %q, %v", code, err)
	}
	if _, err := domain.NewVoucherCode(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("a short source gave a code")
	}
}

// A code with any one character changed, or two neighbours swapped, never passes its check: the weights 32^k mod
// 37 are never 0 and 37 is prime, so no difference smaller than 37 can vanish.
func TestVoucherCheckCatchesSingleErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := symbols + "*~$=U"
	for range 300 {
		b := make([]byte, 10)
		for i := range b {
			b[i] = symbols[r.IntN(32)]
		}
		code := string(b) + string(domain.VoucherCheckSymbol(string(b)))
		assertCatches(t, code, check)
	}
}

func assertCatches(t *testing.T, code, check string) {
	t.Helper()
	for i := 0; i < len(code); i++ {
		alphabet := symbols
		if i == 10 {
			alphabet = check
		}
		for j := 0; j < len(alphabet); j++ {
			if alphabet[j] == code[i] {
				continue
			}
			typo := code[:i] + string(alphabet[j]) + code[i+1:]
			if domain.ValidVoucherCode(typo) {
				t.Fatalf("%s with position %d typed %c passes as %s", code, i, alphabet[j], typo)
			}
		}
		if i+1 < 10 && code[i] != code[i+1] {
			swapped := code[:i] + string(code[i+1]) + string(code[i]) + code[i+2:]
			if domain.ValidVoucherCode(swapped) {
				t.Fatalf("%s with positions %d and %d swapped passes", code, i, i+1)
			}
		}
	}
}

// FuzzVoucherCheck: whatever ten symbols and whatever single change, the check catches it; and whatever is typed,
// NormalizeVoucherCode either refuses it or returns a valid code.
func FuzzVoucherCheck(f *testing.F) {
	f.Add([]byte("7K3QM2XH9P"), uint8(3), uint8(7), "7k3qm-2xh9p-t")
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, uint8(10), uint8(1), "")
	f.Fuzz(func(t *testing.T, raw []byte, pos, sym uint8, typed string) {
		if len(raw) < 10 {
			return
		}
		b := make([]byte, 10)
		for i := range b {
			b[i] = symbols[raw[i]&31]
		}
		code := string(b) + string(domain.VoucherCheckSymbol(string(b)))
		if !domain.ValidVoucherCode(code) {
			t.Fatalf("%s fails its own check", code)
		}
		i := int(pos) % 11
		alphabet := symbols
		if i == 10 {
			alphabet = symbols + "*~$=U"
		}
		c := alphabet[int(sym)%len(alphabet)]
		if c != code[i] {
			if typo := code[:i] + string(c) + code[i+1:]; domain.ValidVoucherCode(typo) {
				t.Fatalf("%s → %s passes", code, typo)
			}
		}
		if got, err := domain.NormalizeVoucherCode(typed); err == nil && !domain.ValidVoucherCode(got) {
			t.Fatalf("NormalizeVoucherCode(%q) = %q, not a valid code", typed, got)
		}
	})
}
