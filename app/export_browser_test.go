package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserExportsOnAPhone(t *testing.T) {
	f := newExportFixture(t)
	b := newBrowser(t, f.ta)
	tab := b.phone()
	b.open(tab, "/login?next=/admin/exports")
	b.do(tab, "log in", typeInto([2]string{"phone", "13700000001"}, [2]string{"password", testPassword})...)
	if status := b.submit(tab, "log in", chromedp.Tap(chromedp.CSS(submitButton))); status != http.StatusOK {
		t.Fatalf("login: status %d%s", status, b.where(tab))
	}
	if p := b.path(tab); p != "/admin/exports" {
		t.Fatalf("after login at %s%s", p, b.where(tab))
	}
	b.mainSays(tab, "导出", "捐赠明细", "支出明细", "账本分录", "仅非定向资金", "下载")
	b.noSideways(tab)
	b.screenshot(tab, "phone-exports")

	b.do(tab, "choose the ledger and the care fund", chromedp.Tap(chromedp.CSS(`input[name="what"][value="ledger"]`)),
		chromedp.SetValue(chromedp.ID("program"), "care_fund"))
	// A date picker is the phone's own; the dates go in as it would leave them, the wrong way round.
	eval[string](b, tab, `document.getElementById('from').value = '2026-03-31'; document.getElementById('to').value = '2026-03-01'`)
	if status := b.submit(tab, "ask for the file", chromedp.Tap(chromedp.CSS(submitButton))); status != http.StatusUnprocessableEntity {
		t.Fatalf("dates the wrong way round: status %d%s", status, b.where(tab))
	}
	if msg := b.text(tab, "#to-err"); !strings.Contains(msg, "截止日期不能早于起始日期") {
		t.Errorf("beside the end date: %q", msg)
	}
	for id, want := range map[string]string{"from": "2026-03-31", "to": "2026-03-01", "program": "care_fund"} {
		if got := b.value(tab, "#"+id); got != want {
			t.Errorf("after the error %s holds %q, want %q", id, got, want)
		}
	}
	if !eval[bool](b, tab, `document.querySelector('input[name="what"][value="ledger"]').checked`) {
		t.Error("after the error the ledger is no longer chosen")
	}
	b.noSideways(tab)
	b.screenshot(tab, "phone-exports-error")
}
