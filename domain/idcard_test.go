package domain_test

import (
	"testing"

	"guanai/domain"
)

func TestValidIDNumber(t *testing.T) {
	cases := []struct {
		name string
		id   string
		want bool
	}{
		{"GB 11643 example", "11010519491231002X", true},
		{"GB 11643 second example", "440524188001010014", true},
		{"wrong check character", "110105194912310021", false},
		{"check digit where X belongs", "110105194912310020", false},
		{"lower-case x is not normalised", "11010519491231002x", false},
		{"17 characters", "11010519491231002", false},
		{"19 characters", "11010519491231002X1", false},
		{"letter among the digits", "1101051949123100AX", false},
		{"15-digit first generation card", "110105491231002", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := domain.ValidIDNumber(c.id); got != c.want {
				t.Errorf("ValidIDNumber(%q) = %v, want %v", c.id, got, c.want)
			}
		})
	}
}

func TestIDCheckCharMakesValidNumbers(t *testing.T) {
	if c := domain.IDCheckChar("11010519491231002"); c != 'X' {
		t.Fatalf("IDCheckChar of the GB 11643 example = %q, want 'X'", c)
	}
	for _, first17 := range []string{"33010619800101123", "33010619900315456", "11010519491231001", "44052418800101001"} {
		id := first17 + string(domain.IDCheckChar(first17))
		if !domain.ValidIDNumber(id) {
			t.Errorf("%s with its computed check character is not valid", id)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"11010519491231002X", "11010519491231002X"},
		{"11010519491231002x", "11010519491231002X"},
		{" 110105 19491231 002x ", "11010519491231002X"},
		{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"},
		{"１１０１０５　１９４９１２３１　００２ｘ", "11010519491231002X"},
	}
	for _, c := range cases {
		got := domain.NormalizeIDNumber(c.in)
		if got != c.want {
			t.Errorf("NormalizeIDNumber(%q) = %q, want %q", c.in, got, c.want)
		}
		if !domain.ValidIDNumber(got) {
			t.Errorf("NormalizeIDNumber(%q) = %q is not accepted by ValidIDNumber", c.in, got)
		}
	}
}

func TestMaskIDNumber(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"11010519491231002X", "1101**********002X"},
		{"440524188001010014", "4405**********0014"},
		{"1101051949", "******"},
		{"", "******"},
	}
	for _, c := range cases {
		if got := domain.MaskIDNumber(c.in); got != c.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHashIDNumber(t *testing.T) {
	key := []byte("k1")
	a := domain.HashIDNumber(key, "11010519491231002X")
	if a != domain.HashIDNumber(key, "11010519491231002X") {
		t.Error("the same ID number hashes differently twice: duplicates could not be found")
	}
	if a == domain.HashIDNumber(key, "440524188001010014") {
		t.Error("two ID numbers share a hash")
	}
	if a == domain.HashIDNumber([]byte("k2"), "11010519491231002X") {
		t.Error("the hash does not depend on the key")
	}
	if len(a) != 64 {
		t.Errorf("hash %q: want 64 hex characters", a)
	}
}
