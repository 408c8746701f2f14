package domain

import "testing"

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []Cursor{{ID: 1}, {ID: 9223372036854775807}, {Key: "2026-03-01", ID: 12345}, {Key: "3", ID: 7}} {
		got, ok := ParseCursor(c.String())
		if !ok || got != c {
			t.Errorf("ParseCursor(%q) = %+v, %v; want %+v", c.String(), got, ok, c)
		}
	}
}

func TestParseCursorRefusesWhatNoListWrote(t *testing.T) {
	for _, s := range []string{"", ",", "0", "-5", "+5", "05", "abc", "2026-03-01,", ",12", "2026-03-01,x", "1,2,3",
		"9223372036854775808", "12 ", "a-key-longer-than-twenty-characters,5", "1.5"} {
		if c, ok := ParseCursor(s); ok {
			t.Errorf("ParseCursor(%q) = %+v, want refused", s, c)
		}
	}
}

func TestCreditCodePrefix(t *testing.T) {
	for s, want := range map[string]string{"91110000": "91110000", " 9111 0000600037341l": "91110000600037341L",
		"９１１１": "9111", "911": "", "西湖科技": "", "9111000I": "", "5678": "5678"} {
		if got, ok := CreditCodePrefix(s); got != want || ok != (want != "") {
			t.Errorf("CreditCodePrefix(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
}
