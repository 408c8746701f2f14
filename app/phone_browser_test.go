package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The operators' pages on the phones people have (390 and 360 px wide), in both languages, on the demo's data: no
// sideways scrolling, a header of one row, money, dates and labels never broken inside, and lists that are a few
// screens long rather than a dozen.

// phoneTab is a tab on a phone of the given width that asks for a language.
func (b *browser) phoneTab(width int64, lang string) context.Context {
	b.t.Helper()
	ctx := b.tab(chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	// Headless Chromium ignores --lang for Accept-Language: the header is set on the tab instead.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": lang}}); err != nil {
		b.t.Fatal(err)
	}
	return ctx
}

// logIn logs in through the form, as a person does.
func (b *browser) logIn(ctx context.Context, phone, password string) {
	b.t.Helper()
	b.open(ctx, "/login")
	b.do(ctx, "type the login", typeInto([2]string{"phone", phone}, [2]string{"password", password})...)
	if status := b.submit(ctx, "log in", chromedp.Tap(chromedp.CSS(`main form button`))); status != 200 {
		b.t.Fatalf("login as %s: status %d", phone, status)
	}
}

// phoneChecks are the checks every page gets on a phone.
func (b *browser) phoneChecks(ctx context.Context, width int64, maxHeight float64) {
	b.t.Helper()
	path := b.path(ctx)
	m := eval[[]float64](b, ctx, `[document.documentElement.scrollWidth, window.innerWidth,
		document.querySelector('header.top').getBoundingClientRect().height, document.documentElement.scrollHeight]`)
	if m[1] != float64(width) {
		b.t.Errorf("%s: the layout viewport is %v px wide, want %d", path, m[1], width)
	}
	if m[0] > m[1] {
		b.t.Errorf("%s scrolls sideways at %d px: the document is %v px wide", path, width, m[0])
	}
	if m[2] > 64 {
		b.t.Errorf("%s: the header takes %v px at %d px wide, want one row", path, m[2], width)
	}
	if maxHeight > 0 && m[3] > maxHeight {
		b.t.Errorf("%s is %v px long at %d px wide, want at most %v", path, m[3], width, maxHeight)
	}
	broken := eval[[]string](b, ctx, `Array.from(document.querySelectorAll('main .num, main .amt, main td.side, main time, main .date, main .status, main .nowrap'))
		.filter(e => e.offsetParent !== null && e.textContent.trim() !== '')
		.filter(e => {
			// The text's line boxes: more than one distinct top means it wrapped.
			const r = document.createRange();
			r.selectNodeContents(e);
			const tops = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top)));
			return tops.size > 1;
		})
		.slice(0, 5).map(e => JSON.stringify(e.textContent.trim()))`)
	if len(broken) > 0 {
		b.t.Errorf("%s at %d px breaks inside %s", path, width, strings.Join(broken, ", "))
	}
}

// phonePage is a page to try on phones, and how long it may be (0: any length).
type phonePage struct {
	path      string
	maxHeight float64
}

// tryOnPhones logs in as a demo operator on each phone width and language and gives every page the phone checks;
// the last page is saved as a screenshot at 360 px.
func tryOnPhones(t *testing.T, phone string, pages []phonePage) {
	ta := newTestApp(t)
	if err := seedDemo(context.Background(), ta.store); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ta)
	for _, width := range []int64{390, 360} {
		for _, lang := range []string{"zh-CN", "en"} {
			tab := b.phoneTab(width, lang)
			b.logIn(tab, phone, DemoPassword)
			for _, p := range pages {
				b.open(tab, p.path)
				b.phoneChecks(tab, width, p.maxHeight)
			}
			if width == 360 {
				b.screenshot(tab, fmt.Sprintf("%s-%d-%s", strings.ReplaceAll(pages[len(pages)-1].path[1:], "/", "-"), width, lang))
			}
		}
	}
}

func TestBrowserFinancePagesOnPhones(t *testing.T) {
	tryOnPhones(t, "13800000002", []phonePage{
		{"/admin", 0}, {"/admin/ledger", 0}, {"/admin/donations/1", 0}, {"/admin/receipts/1", 0}, {"/admin/quarters", 0},
		{"/admin/exports", 0}, {"/transparency", 0}, {"/admin/donors", 3000}, {"/admin/disbursements", 2600},
		{"/admin/donations", 3600},
	})
}

func TestBrowserAdminPagesOnPhones(t *testing.T) {
	tryOnPhones(t, "13800000001", []phonePage{
		{"/admin", 0}, {"/admin/verification", 0}, {"/admin/eligibility/imports/2", 0}, {"/register/staff", 0},
		{"/admin/audit", 4200}, {"/admin/people", 2600},
	})
}
