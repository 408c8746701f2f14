package loadrun

import "testing"

// A desk looks up only unused vouchers of its own places: a used or expired voucher's page is marked and not kept,
// and a desk whose list lacks the place finds nothing to look up.
func TestVoucherPoolKeepsUnusedCodesForTheirDesks(t *testing.T) {
	page := func(place, code, mark string) string {
		return `<article class="voucher"><h1>子女兴趣班</h1><p class="place">` + place + `</p>` + mark +
			`<img class="qr"><p class="code">` + code + `</p></article>`
	}
	var v voucherPool
	v.keep(page("少年宫 编程 &amp; 机器人", "7KQ2M-X9TPD-4", ""))
	v.keep(page("少年宫 美术", "AB3CD-EFGH1-Z", `<p><span class="mark">已使用 · 3月2日</span></p>`))
	first := func(int) int { return 0 }
	youth := `<h2>场所</h2><ul class="plain"><li>少年宫 编程 &amp; 机器人</li><li>少年宫 美术</li></ul>`
	if got := v.pickFor(youth, first); got != "7KQ2M-X9TPD-4" {
		t.Errorf("the youth centre's desk picked %q, want the unused voucher of its place", got)
	}
	museum := `<ul class="plain"><li>杭州科技馆 单次体验</li></ul>`
	if got := v.pickFor(museum, first); got != "" {
		t.Errorf("the museum's desk picked %q, a voucher of another venue", got)
	}
	if len(v.codes) != 1 {
		t.Errorf("kept %d codes, want only the unused one: %v", len(v.codes), v.codes)
	}
}
