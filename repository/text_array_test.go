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

// What PostgreSQL writes is read back: quoted elements with escapes, bare ones, Chinese, an empty string.
func TestTextArrayReadsPostgreSQLOutput(t *testing.T) {
	var out textArray
	if err := out.Scan(`{"a,b","say \"hi\"","back\\slash","two words","{}","NULL",西湖区,""}`); err != nil {
		t.Fatal(err)
	}
	want := textArray{"a,b", `say "hi"`, `back\slash`, "two words", "{}", "NULL", "西湖区", ""}
	if !slices.Equal(out, want) {
		t.Errorf("read %q, want %q", out, want)
	}
	var ids int64Array
	if err := ids.Scan([]byte("{3,-1,9223372036854775807}")); err != nil || !slices.Equal(ids, int64Array{3, -1, 9223372036854775807}) {
		t.Errorf("bigint[]: %v (%v)", ids, err)
	}
	for _, bad := range []string{"", "a,b", "{a,}", `{"a}`, "{a,NULL}", `{a"b}`, "{{a},{b}}"} {
		if err := out.Scan(bad); err == nil {
			t.Errorf("%q read as %q, want an error", bad, out)
		}
	}
	if err := ids.Scan("{1,x}"); err == nil {
		t.Errorf("{1,x} read as %v", ids)
	}
}
