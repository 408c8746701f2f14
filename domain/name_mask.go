package domain

import (
	"strings"
	"unicode/utf8"
)

// MaskName shows a person's name as its first character and two stars, whatever its length: 王** for 王芳 and
// 王小明 alike, so that not even the name's length is told. A staff member sees her volunteer this way.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(name)
	return string(r) + "**"
}
