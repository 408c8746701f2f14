package app

import (
	"context"
	"testing"
)

// On the narrowest phone the header stays one row with the inbox's badge at its widest (99+), in both languages, and
// the inbox itself passes the phone checks.
func TestBrowserInboxOnPhones(t *testing.T) {
	ta := newTestApp(t)
	if err := seedDemo(context.Background(), ta.store); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.SQL().Exec(`INSERT INTO notifications (user_id, kind, detail, created_at)
		SELECT u.id, 'pairing_ended', '工作调动，无法继续', now() - (121 - n) * interval '1 minute'
		FROM users u, generate_series(1, 120) n WHERE u.phone = '13900000001'`); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ta)
	const width = 360
	for _, lang := range []string{"zh-CN", "en"} {
		tab := b.phoneTab(width, lang)
		b.logIn(tab, "13900000001", DemoPassword)
		for _, path := range []string{"/staff", "/inbox"} {
			b.open(tab, path)
			b.phoneChecks(tab, width, 0)
			if badge := eval[string](b, tab, `document.querySelector('header .inbox .badge').textContent`); badge != "99+" {
				t.Errorf("%s in %s: the badge reads %q, want 99+", path, lang, badge)
			}
		}
		b.screenshot(tab, "inbox-360-"+lang)
	}
}
