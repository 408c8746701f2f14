package app

// Browser tests: a real headless Chromium drives the fully wired app the way a person does — typing into fields,
// ticking boxes, tapping buttons — and the tests check what that person would notice on the screen. They need
// Chromium at /usr/bin/chromium; without it they fail (they are never skipped).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browserBudget bounds one test's whole browser session, so a hung page fails the test instead of stalling it.
const browserBudget = 60 * time.Second

// browser is one headless Chromium process serving one test. Each person in a test gets a tab in a browser
// context of their own (separate cookies, like separate phones).
type browser struct {
	t    *testing.T
	ta   *testApp
	root context.Context
}

func newBrowser(t *testing.T, ta *testApp) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (%v); install it with: "+
			"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk",
			chromiumPath, err)
	}
	profile, err := os.MkdirTemp("", "guanai-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		// A phone in China: the browser asks for Chinese, as the app's users' phones do.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
	)
	budget, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(budget, opts...)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelRoot()
		cancelAlloc() // waits for the browser process to exit
		cancelBudget()
		// Chromium's helpers can write into the profile for a moment after the main process exits.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if t.Failed() {
			t.Logf("app log:\n%s", ta.logs.String())
		}
	})
	if err := chromedp.Do(root); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ta: ta, root: root}
}

// phone opens a tab in a fresh browser context with a 360×740 mobile viewport (touch, portrait).
func (b *browser) phone() context.Context {
	b.t.Helper()
	return b.tab(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
}

// desktop opens a tab in a fresh browser context with a 1280×900 desktop viewport.
func (b *browser) desktop() context.Context {
	b.t.Helper()
	return b.tab(chromedp.EmulateViewport(1280, 900))
}

func (b *browser) tab(viewport chromedp.Action[chromedp.Void]) context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	b.do(ctx, "set the viewport", viewport)
	return ctx
}

// do runs steps in a tab and fails the test, saying what it was doing and where, if one fails.
func (b *browser) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v%s", what, err, b.where(ctx))
	}
}

// where describes the tab's page for a failure message.
func (b *browser) where(ctx context.Context) string {
	if ctx.Err() != nil || errors.Is(b.root.Err(), context.DeadlineExceeded) {
		return " (the browser budget ran out)"
	}
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(short, chromedp.Location())
	body, _ := chromedp.Run(short, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(body) > 1500 {
		body = body[:1500] + "…"
	}
	return fmt.Sprintf("\n  at %s\n  page text:\n%s", loc, body)
}

// open navigates to a path of the app and waits for the page to load.
func (b *browser) open(ctx context.Context, path string) {
	b.t.Helper()
	b.do(ctx, "open "+path, chromedp.Navigate(b.ta.srv.URL+path))
}

// submit presses a button that sends a form and waits for the next page; it returns that page's HTTP status.
func (b *browser) submit(ctx context.Context, what string, press chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(ctx, press)
	if err != nil {
		b.t.Fatalf("%s: %v%s", what, err, b.where(ctx))
	}
	return resp.Status
}

// path is the path of the tab's current page.
func (b *browser) path(ctx context.Context) string {
	b.t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.ta.srv.URL)
}

// text is the visible text of the first element matching a CSS selector.
func (b *browser) text(ctx context.Context, css string) string {
	b.t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("read the text of %s: %v%s", css, err, b.where(ctx))
	}
	return s
}

func (b *browser) value(ctx context.Context, css string) string {
	b.t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("read the value of %s: %v%s", css, err, b.where(ctx))
	}
	return s
}

func eval[T any](b *browser, ctx context.Context, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v%s", js, err, b.where(ctx))
	}
	return v
}

// mainSays checks that the page's main area shows every part, as a person reading it would see.
func (b *browser) mainSays(ctx context.Context, parts ...string) {
	b.t.Helper()
	main := b.text(ctx, "main")
	for _, p := range parts {
		if !strings.Contains(main, p) {
			b.t.Errorf("%s does not show %q; it shows:\n%s", b.path(ctx), p, main)
		}
	}
}

// noSideways checks that a person on a phone never has to scroll sideways, naming what sticks out if they do.
func (b *browser) noSideways(ctx context.Context) {
	b.t.Helper()
	m := eval[[]float64](b, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if m[1] != 360 {
		b.t.Errorf("%s: the layout viewport is %v px wide, want 360 (is the viewport meta tag missing?)", b.path(ctx), m[1])
	}
	if m[0] > m[1] {
		wide := eval[[]string](b, ctx, `Array.from(document.querySelectorAll('body *'))
			.filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
			.slice(0, 8)
			.map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '') +
				' right=' + Math.round(e.getBoundingClientRect().right))`)
		b.t.Errorf("%s scrolls sideways at 360 px: document is %v px wide in a %v px window; sticking out: %s",
			b.path(ctx), m[0], m[1], strings.Join(wide, ", "))
	}
}

// screenshot saves a full-page PNG under os.TempDir()/guanai-screenshots and logs its path.
func (b *browser) screenshot(ctx context.Context, name string) {
	b.t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(os.TempDir(), "guanai-screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", file)
}

// typeInto types each value, key by key, into the field with that id.
func typeInto(fields ...[2]string) []chromedp.Action[chromedp.Void] {
	steps := make([]chromedp.Action[chromedp.Void], 0, len(fields))
	for _, f := range fields {
		steps = append(steps, chromedp.SendKeys(chromedp.ID(f[0]), f[1]))
	}
	return steps
}

// fillStaffForm fills /register/staff as a nurse would on her phone: typing, choosing from the lists, ticking
// the privacy consent. No children are entered, so no guardian's consent is needed.
func (b *browser) fillStaffForm(ctx context.Context, name, phone string) {
	b.t.Helper()
	steps := typeInto(
		[2]string{"name", name},
		[2]string{"phone", phone},
		[2]string{"password", testPassword},
		[2]string{"hospital", "杭州市西溪医院"},
		[2]string{"department", "感染科"},
		[2]string{"position", "护士"},
	)
	steps = append(steps,
		chromedp.SetValue(chromedp.ID("category"), "designated"),
		chromedp.SetValue(chromedp.ID("district"), "xihu"),
		chromedp.SendKeys(chromedp.ID("address"), "西湖区文一西路"),
		chromedp.Tap(chromedp.CSS(`input[name="privacy_consent"]`)),
	)
	b.do(ctx, "fill the staff registration form", steps...)
}

const submitButton = `form.form button[type="submit"]`
