package repository

import (
	"slices"
	"testing"
)

func TestTextArrayRoundTrip(t *testing.T) {
	for _, in := range []textArray{{}, {"xihu"}, {"xihu", "shangcheng"}, {`a,b`, `say "hi"`, `back\slash`, "two words", "{}", "NULL", "西湖区"}} {
		v, err := in.Value()
		if err != nil {
			t.Fatalf("Value(%q): %v", in, err)
		}
		var out textArray
		if err := out.Scan(v); err != nil {
			t.Fatalf("Scan(%v): %v", v, err)
		}
		if !slices.Equal(out, in) {
			t.Errorf("%q went out as %v and came back as %q", in, v, out)
		}
	}
}
