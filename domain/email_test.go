package domain

import "testing"

func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct{ typed, want, key string }{
		{"  Wang.Fang@Example.ORG ", "wang.fang@example.org", ""},
		{"li+care@mail.hospital.cn", "li+care@mail.hospital.cn", ""},
		{"", "", "error.required"},
		{"wang", "", "error.email_invalid"},
		{"wang@localhost", "", "error.email_invalid"},
		{"王芳 <wang@example.org>", "", "error.email_invalid"},
		{"<wang@example.org>", "", "error.email_invalid"},
		{"wang@example.org.", "", "error.email_invalid"},
		{"a@b.c\n", "a@b.c", ""},
		{"a\x00@b.c", "", "error.email_invalid"},
		{"two@ats@example.org", "", "error.email_invalid"},
	} {
		got, key := NormalizeEmail(c.typed)
		if got != c.want || key != c.key {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want %q, %q", c.typed, got, key, c.want, c.key)
		}
	}
}
