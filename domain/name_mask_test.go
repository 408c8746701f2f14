package domain

import "testing"

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"王芳": "王**", "王小明": "王**", "欧阳娜娜": "欧**", " 李 ": "李**",
		"Wang Fang": "W**", "": ""} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
