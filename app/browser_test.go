package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"guanai/domain"
)

func TestBrowserRegisterAndVerifyOnAPhone(t *testing.T) {
	start := time.Now()
	ta := newTestApp(t)
	b := newBrowser(t, ta)
	ctx := context.Background()

	// A nurse registers on her phone.
	nurse := b.phone()
	b.open(nurse, "/register/staff")
	if lang := eval[string](b, nurse, `document.documentElement.lang`); lang != "zh-CN" {
		t.Fatalf("a Chinese phone got a page in %q", lang)
	}
	b.noSideways(nurse)
	if h := eval[float64](b, nurse, `document.querySelector('`+submitButton+`').getBoundingClientRect().height`); h < 44 {
		t.Errorf("the submit button is %.0f px tall; a thumb needs at least 44", h)
	}
	b.fillStaffForm(nurse, "刘晓燕", "139 0000 1111")
	b.screenshot(nurse, "phone-register-staff")
	if status := b.submit(nurse, "send the staff registration", chromedp.Tap(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("after registering the nurse sees status %d%s", status, b.where(nurse))
	}
	if p := b.path(nurse); p != "/staff" {
		t.Fatalf("after registering the nurse is at %s, want /staff%s", p, b.where(nurse))
	}
	b.mainSays(nurse, "刘晓燕", "等待协调员审核", "杭州市西溪医院")
	b.noSideways(nurse)
	b.screenshot(nurse, "phone-staff-home")
	b.open(nurse, "/")
	b.noSideways(nurse)
	b.open(nurse, "/staff") // she leaves her home page open while she waits

	// A volunteer registers on his phone.
	volunteer := b.phone()
	b.open(volunteer, "/register/volunteer")
	b.noSideways(volunteer)
	steps := typeInto(
		[2]string{"name", "赵志强"},
		[2]string{"phone", "13700001111"},
		[2]string{"password", testPassword},
		[2]string{"id_number", testIDNumber},
	)
	steps = append(steps,
		chromedp.Tap(chromedp.CSS(`input[name="districts"][value="xihu"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="qualifications"][value="errands"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="availability"][value="sat_am"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="privacy_consent"]`)),
	)
	b.do(volunteer, "fill the volunteer registration form", steps...)
	b.screenshot(volunteer, "phone-register-volunteer")
	if status := b.submit(volunteer, "send the volunteer registration", chromedp.Tap(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("after registering the volunteer sees status %d%s", status, b.where(volunteer))
	}
	if p := b.path(volunteer); p != "/volunteer" {
		t.Fatalf("after registering the volunteer is at %s, want /volunteer%s", p, b.where(volunteer))
	}
	b.mainSays(volunteer, "赵志强", "等待协调员审核", "生活帮办")
	b.noSideways(volunteer)

	staff, err := ta.store.UserByPhone(ctx, "13900001111")
	if err != nil {
		t.Fatal(err)
	}
	vol, err := ta.store.UserByPhone(ctx, "13700001111")
	if err != nil {
		t.Fatal(err)
	}

	// A coordinator at her desk logs in through the form and approves both.
	ta.account(domain.RoleCoordinator, "13800000001")
	coord := b.desktop()
	b.open(coord, "/login")
	b.do(coord, "fill the login form", typeInto([2]string{"phone", "13800000001"}, [2]string{"password", testPassword})...)
	if status := b.submit(coord, "log in", chromedp.Click(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("after logging in the coordinator sees status %d%s", status, b.where(coord))
	}
	if p := b.path(coord); p == "/login" {
		t.Fatalf("the coordinator is still on the login page%s", b.where(coord))
	}
	b.open(coord, "/admin/verification")
	b.mainSays(coord, "刘晓燕", "赵志强", "杭州市西溪医院", "139****1111", "1101**********002X")
	b.screenshot(coord, "desktop-verification-queue")
	for _, u := range []domain.User{staff, vol} {
		approve := chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/admin/people/%d/approve"] button`, u.ID)))
		if status := b.submit(coord, "approve "+u.Name, approve); status != 200 {
			t.Fatalf("after approving %s the coordinator sees status %d%s", u.Name, status, b.where(coord))
		}
		b.mainSays(coord, "已通过")
	}
	if n := eval[int](b, coord, `document.querySelectorAll('form[action$="/approve"]').length`); n != 0 {
		t.Errorf("after approving both, %d approve buttons are still on the queue", n)
	}

	// Back on her phone, the nurse reloads and sees she is verified.
	b.do(nurse, "reload the staff home", chromedp.Reload())
	b.mainSays(nurse, "您的身份已认证")
	if main := b.text(nurse, "main"); strings.Contains(main, "等待协调员审核") {
		t.Errorf("the verified nurse still sees the waiting message:\n%s", main)
	}
	b.screenshot(nurse, "phone-staff-home-verified")
	b.do(volunteer, "reload the volunteer home", chromedp.Reload())
	if main := b.text(volunteer, "main"); strings.Contains(main, "等待协调员审核") {
		t.Errorf("the approved volunteer still sees the waiting message:\n%s", main)
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

func TestBrowserBadInputKeepsValues(t *testing.T) {
	ta := newTestApp(t)
	b := newBrowser(t, ta)
	nurse := b.phone()
	b.open(nurse, "/register/staff")
	b.fillStaffForm(nurse, "周建国", "12345")
	if status := b.submit(nurse, "send the form with a bad phone", chromedp.Tap(chromedp.CSS(submitButton))); status != 422 {
		t.Fatalf("a bad phone gave status %d, want 422%s", status, b.where(nurse))
	}
	if p := b.path(nurse); p != "/register/staff" {
		t.Fatalf("after a bad phone the nurse is at %s%s", p, b.where(nurse))
	}
	if msg := b.text(nurse, "#phone-err"); !strings.Contains(msg, "请输入 11 位手机号") {
		t.Errorf("beside the phone field: %q, want the 11-digit message", msg)
	}
	// The message is right under the phone field, not somewhere else on the page.
	gap := eval[float64](b, nurse, `document.getElementById('phone-err').getBoundingClientRect().top -
		document.getElementById('phone').getBoundingClientRect().bottom`)
	if gap < 0 || gap > 24 {
		t.Errorf("the phone message is %.0f px from the phone field, want it just below", gap)
	}
	if s := b.text(nurse, "main"); !strings.Contains(s, "表单有需要修改的地方") {
		t.Errorf("the page does not say the form needs changes:\n%s", s)
	}
	for id, want := range map[string]string{
		"name": "周建国", "phone": "12345", "hospital": "杭州市西溪医院", "department": "感染科",
		"position": "护士", "category": "designated", "district": "xihu", "address": "西湖区文一西路",
	} {
		if got := b.value(nurse, "#"+id); got != want {
			t.Errorf("after the error, %s holds %q, want %q", id, got, want)
		}
	}
	if !eval[bool](b, nurse, `document.querySelector('input[name="privacy_consent"]').checked`) {
		t.Error("after the error, the privacy consent is no longer ticked")
	}
	b.noSideways(nurse)
	b.screenshot(nurse, "phone-register-staff-error")
}

func TestBrowserLanguageSwitch(t *testing.T) {
	ta := newTestApp(t)
	b := newBrowser(t, ta)
	tab := b.phone()
	b.open(tab, "/login")
	if s := b.text(tab, "main"); !strings.Contains(s, "手机号") {
		t.Fatalf("the login page starts out not in Chinese:\n%s", s)
	}
	if status := b.submit(tab, "press English", chromedp.Tap(chromedp.CSS(`header form.lang button[value="en"]`))); status != 200 {
		t.Fatalf("after switching language the page has status %d%s", status, b.where(tab))
	}
	if p := b.path(tab); p != "/login" {
		t.Errorf("switching language moved the page to %s, want it to stay on /login", p)
	}
	if lang := eval[string](b, tab, `document.documentElement.lang`); lang != "en" {
		t.Errorf("<html lang> is %q after switching to English", lang)
	}
	b.mainSays(tab, "Mobile number")
	if s := b.text(tab, "header"); !strings.Contains(s, "中文") {
		t.Errorf("the header offers no way back to Chinese:\n%s", s)
	}
	// The choice sticks: the next page is English too.
	b.open(tab, "/register/staff")
	if lang := eval[string](b, tab, `document.documentElement.lang`); lang != "en" {
		t.Errorf("the next page is in %q; the choice of English did not stick", lang)
	}
}
