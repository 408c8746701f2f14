package domain_test

import (
	"strings"
	"testing"

	"guanai/domain"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery", "密码是八个字以上的", "        ", strings.Repeat("x", domain.PasswordMaxLen)} {
		h, err := domain.HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, pw) {
			t.Errorf("hash %q: want an argon2id PHC string without the password", h)
		}
		ok, err := domain.PasswordMatches(h, pw)
		if err != nil || !ok {
			t.Errorf("PasswordMatches(hash of %q, same) = %v, %v; want true", pw, ok, err)
		}
		for _, wrong := range []string{pw + "!", strings.ToUpper(pw) + "A", "", pw[:len(pw)-1]} {
			if ok, err := domain.PasswordMatches(h, wrong); err != nil || ok {
				t.Errorf("PasswordMatches(hash of %q, %q) = %v, %v; want false", pw, wrong, ok, err)
			}
		}
	}
}

func TestPasswordHashesAreSalted(t *testing.T) {
	a, err := domain.HashPassword("same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := domain.HashPassword("same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestPasswordMatchesRejectsUnknownHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "closed:0011", "$2a$10$abcdefghijklmnopqrstuv", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5"} {
		if ok, err := domain.PasswordMatches(h, "anything"); ok || err == nil {
			t.Errorf("PasswordMatches(%q) = %v, %v; want false and an error", h, ok, err)
		}
	}
}

func TestDummyPasswordHashMatchesNoPassword(t *testing.T) {
	if ok, err := domain.PasswordMatches(domain.DummyPasswordHash, "password1"); err != nil || ok {
		t.Errorf("the dummy hash matched a guess (%v, %v)", ok, err)
	}
}

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		pw, key string
	}{
		{"", "error.required"},
		{"1234567", "error.password_short"},
		{"12345678", ""},
		{"密码密码密码密码", ""}, // eight characters, though 24 bytes
		{"密码密码密码密", "error.password_short"},
		{strings.Repeat("a", domain.PasswordMaxLen), ""},
		{strings.Repeat("a", domain.PasswordMaxLen+1), "error.password_long"},
	}
	for _, c := range cases {
		if got := domain.CheckPassword(c.pw); got != c.key {
			t.Errorf("CheckPassword(%q) = %q, want %q", c.pw, got, c.key)
		}
	}
}
