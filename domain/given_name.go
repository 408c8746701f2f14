package domain

import (
	"cmp"
	"strings"
	"unicode"
)

// compoundSurnames are the two-character family names common enough to meet among a city's families.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
	"司徒", "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "轩辕", "呼延", "澹台", "百里", "钟离", "闻人", "赫连"}

// GivenName is the part of a name a volunteer calls a child by, without the family name: 小满 of 刘小满, 子轩 of
// 欧阳子轩, Tom of "Tom Smith". A name of one character, or one that is all family name, is kept whole.
func GivenName(name string) string {
	name = strings.TrimSpace(name)
	if first, _, ok := strings.Cut(name, " "); ok && !hasHan(first) {
		return first // a name written in Latin letters, given name first
	}
	if i := strings.IndexAny(name, "·•"); i > 0 {
		return name[:i] // a transliterated name, given name first: 买买提·艾力
	}
	r := []rune(name)
	if !hasHan(name) || len(r) < 2 {
		return name
	}
	for _, s := range compoundSurnames {
		if rest, ok := strings.CutPrefix(name, s); ok {
			return cmp.Or(rest, name)
		}
	}
	return string(r[1:])
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
