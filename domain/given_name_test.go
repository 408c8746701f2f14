package domain

import "testing"

func TestGivenName(t *testing.T) {
	for name, want := range map[string]string{
		"刘小满":       "小满",
		"周子涵":       "子涵",
		"王芳":        "芳",
		"欧阳子轩":      "子轩",
		"司马":        "司马",
		"李":         "李",
		" 郑一诺 ":     "一诺",
		"Tom Smith": "Tom",
		"Anna":      "Anna",
		"买买提·艾力":    "买买提",
		"":          "",
	} {
		if got := GivenName(name); got != want {
			t.Errorf("GivenName(%q) = %q, want %q", name, got, want)
		}
	}
}
