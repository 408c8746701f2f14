package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"guanai/domain"
	"guanai/repository"
)

// A nurse applies for a hardship grant on a phone 360 px wide, with a photo of the hospital bill chosen from her
// phone (a PNG), and reads 已提交 on her application's page — in Chinese glyphs, not boxes.
func TestGrantApplicationOnAPhone(t *testing.T) {
	ta := newTestApp(t)
	_, coordinator := ta.account(domain.RoleCoordinator, "13800000003")
	staffOfWorld(t, ta, repository.Actor{UserID: coordinator.ID, Role: domain.RoleCoordinator, IP: "test"}, "13900000001", "刘晓燕", "刘小满")
	bill := filepath.Join(t.TempDir(), "住院费用清单.png")
	if err := os.WriteFile(bill, billPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ta)

	tab := b.phoneTab(360, "zh-CN")
	b.logIn(tab, "13900000001", testPassword)
	b.open(tab, "/staff/grants")
	if status := b.submit(tab, "follow apply", chromedp.Tap(chromedp.CSS(`a.choice[href^="/staff/grants/new"]`))); status != 200 {
		t.Fatalf("the grant form: status %d%s", status, b.where(tab))
	}
	b.mainSays(tab, "申请补助", "金额")
	b.do(tab, "fill the application",
		chromedp.SendKeys(chromedp.ID("amount"), "3,000"),
		chromedp.SendKeys(chromedp.ID("reason"), "母亲住院手术，自付部分较多，家庭暂时困难。"),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{bill}),
	)
	b.noSideways(tab)
	b.screenshot(tab, "grant-01-form")
	if status := b.submit(tab, "send the application", chromedp.Tap(chromedp.CSS(`form[action="/staff/grants/upload"] button`))); status != 200 {
		t.Fatalf("send: status %d%s", status, b.where(tab))
	}
	if p := b.path(tab); !regexp.MustCompile(`^/staff/grants/\d+$`).MatchString(p) {
		t.Fatalf("the application was sent to %s, want its page%s", p, b.where(tab))
	}
	b.mainSays(tab, "申请已提交", "已提交", "¥3,000.00", "母亲住院手术", "住院费用清单.png")
	if s := b.text(tab, "h1 .status"); s != "已提交" {
		t.Errorf("the application's status reads %q, want 已提交", s)
	}
	b.noSideways(tab)
	b.screenshot(tab, "grant-02-submitted")

	// Chinese renders: two different characters of the status draw two different shapes in the page's own font
	// (a missing font draws the same box for both), and the screenshot has ink where the status is.
	same := eval[bool](b, tab, `(() => {
		const font = getComputedStyle(document.querySelector('h1 .status')).font;
		const draw = ch => { const c = document.createElement('canvas'); c.width = c.height = 40;
			const x = c.getContext('2d'); x.font = font; x.fillText(ch, 4, 30); return c.toDataURL(); };
		return draw('已') === draw('交'); })()`)
	if same {
		t.Error("已 and 交 draw the same shape: the page has no Chinese font")
	}
	// inside the pill's border: only what is written in it
	box := eval[[]float64](b, tab, `(() => { const r = document.querySelector('h1 .status').getBoundingClientRect();
		return [r.left + 4, r.top + window.scrollY + 4, r.width - 8, r.height - 8]; })()`)
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if ink := inkIn(t, shot, box); ink < 50 { // 已提交 draws some 200
		t.Errorf("the screenshot has %d dark pixels where 已提交 is: nothing drawn there", ink)
	}
}

// billPNG is a small picture of a bill: a white page with dark lines.
func billPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 240, 320))
	for y := range 320 {
		for x := range 240 {
			c := color.RGBA{255, 255, 255, 255}
			if y%24 < 3 && x > 20 && x < 220 {
				c = color.RGBA{30, 30, 30, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// inkIn counts the pixels of a screenshot within a box (CSS pixels; the phone tab draws at its device scale) whose
// lightness differs clearly from the box's commonest colour, its background: the strokes of what is written there.
func inkIn(t *testing.T, shot []byte, box []float64) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	scale := float64(img.Bounds().Dx()) / 360
	light := func(x, y int) int {
		r, g, b, _ := img.At(x, y).RGBA()
		return int(r+g+b) / 3 >> 8
	}
	x0, x1 := int(box[0]*scale), int((box[0]+box[2])*scale)
	y0, y1 := int(box[1]*scale), int((box[1]+box[3])*scale)
	seen := map[int]int{}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			seen[light(x, y)]++
		}
	}
	background, most := 0, 0
	for l, n := range seen {
		if n > most {
			background, most = l, n
		}
	}
	ink := 0
	for l, n := range seen {
		if l < background-60 || l > background+60 {
			ink += n
		}
	}
	return ink
}
