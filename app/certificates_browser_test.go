package app

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The demo volunteer's certificate on a phone (one column, nothing sideways) and on paper: printed, it is one A4
// page without the site's header and buttons; its QR link opens the public check.
func TestCertificateOnAPhoneAndOnPaper(t *testing.T) {
	ta := newTestApp(t)
	if err := seedDemo(context.Background(), ta.store); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ta)
	tab := b.phoneTab(360, "zh-CN")
	b.logIn(tab, zhaoZhiqiang, DemoPassword)
	b.open(tab, "/volunteer")
	b.mainSays(tab, "我的志愿服务证明", "开具志愿服务证明")
	b.do(tab, "open the certificate", chromedp.Click(chromedp.CSS(`#certificates a.row-main`)))
	b.do(tab, "wait for it", chromedp.WaitVisible(chromedp.CSS(`#certificate`)))
	b.mainSays(tab, "志愿服务证明", "赵志强", "证明编号", "计入的服务", "杭州市医务人员关爱基金")
	b.phoneChecks(tab, 360, 0)
	b.screenshot(tab, "certificate-360")

	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	hidden := eval[[]bool](b, tab, `[getComputedStyle(document.querySelector('header.top')).display === 'none',
		getComputedStyle(document.querySelector('p.actions')).display === 'none']`)
	if !hidden[0] || !hidden[1] {
		t.Errorf("printed, the header is hidden %v and the buttons %v", hidden[0], hidden[1])
	}
	yes := true
	pdf, err := chromedp.Call(tab, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
	if err != nil {
		t.Fatal(err)
	}
	pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf.Data, -1)
	a4 := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12](\.\d+)?\s*\]`).Match(pdf.Data)
	if len(pages) != 1 || !a4 {
		t.Errorf("printed: %d pages, A4 %v", len(pages), a4)
	}
	file := filepath.Join(os.TempDir(), "guanai-screenshots", "certificate.pdf")
	if err := os.WriteFile(file, pdf.Data, 0o644); err == nil {
		t.Logf("pdf: %s", file)
	}

	// How the sheet looks: the page at A4's width (96 dpi), as printed.
	paper := b.tab(chromedp.EmulateViewport(794, 1123))
	b.logIn(paper, zhaoZhiqiang, DemoPassword)
	b.open(paper, b.path(tab))
	if _, err := chromedp.Call(paper, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	b.screenshot(paper, "certificate-a4")

	link := eval[string](b, tab, `document.querySelector('.qr .url').textContent`)
	if !strings.Contains(link, "/verify/") || eval[int](b, tab, `document.querySelectorAll('.qr svg path').length`) != 1 {
		t.Fatalf("the QR code's link %q", link)
	}
	// The link is on GUANAI_BASE_URL: the test server is elsewhere, so its path is opened there.
	_, path, _ := strings.Cut(link, "/verify/")
	visitor := b.phoneTab(360, "en")
	b.open(visitor, "/verify/"+path)
	b.mainSays(visitor, "genuine certificate", "赵**")
	b.phoneChecks(visitor, 360, 0)
}
