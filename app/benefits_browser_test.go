package app

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// A nurse applies for her daughter's coding class on a phone 360 px wide, a coordinator approves it on a desktop,
// she opens her voucher and sees its QR code, and the youth centre's desk redeems it: a second desk screen that
// looked the same code up a moment before is told, when it presses confirm, that the voucher is used.
func TestVoucherOnPhones(t *testing.T) {
	ta := newTestAppOn(t, testdb.StoreWithClock(t, testdb.NewClock(benefitDay)), nil, nil) // the autumn term of 2026
	ctx := context.Background()
	_, admin := ta.account(domain.RoleAdmin, "13800000001")
	_, coordinator := ta.account(domain.RoleCoordinator, "13800000003")
	deskAccount, err := ta.store.CreateOperator(ctx, repository.Actor{IP: "test"}, repository.NewAccount{Phone: "13800000005",
		Password: testPassword, Name: "杭州市青少年活动中心前台", Role: domain.RoleVenue})
	if err != nil {
		t.Fatal(err)
	}
	staffOfWorld(t, ta, repository.Actor{UserID: coordinator.ID, Role: domain.RoleCoordinator, IP: "test"}, "13900000001", "刘晓燕", "刘小满")
	classes, _ := strconv.ParseInt(programID(t, ta, "interest_classes"), 10, 64)
	for _, p := range [][2]string{{"少儿绘画班（周六上午）", "Painting"}, {"少儿编程班", "Coding"}} {
		if _, err := ta.store.CreateBenefitPlace(ctx, repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "test"}, classes,
			domain.BenefitPlaceForm{NameZh: p[0], NameEn: p[1], Address: "上城区青少年活动中心", VenueID: itoa(deskAccount.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, ta)
	press := func(ctx context.Context, what, css string) int64 {
		t.Helper()
		return b.submit(ctx, what, chromedp.Tap(chromedp.CSS(css)))
	}
	// the value of the radio, the action of the form or the href of the link whose row mentions a text
	inRow := func(ctx context.Context, css, attr, text string) string {
		t.Helper()
		v := eval[string](b, ctx, `(() => { const e = Array.from(document.querySelectorAll('`+css+`'))
			.find(e => (e.closest('label, li, tr, section.card') || e).textContent.includes('`+text+`'));
			return e ? e.getAttribute('`+attr+`') : ''; })()`)
		if v == "" {
			t.Fatalf("%s: no %s next to %q%s", b.path(ctx), css, text, b.where(ctx))
		}
		return v
	}

	// She applies: three classes a term for each child.
	staff := b.phoneTab(360, "zh-CN")
	b.logIn(staff, "13900000001", testPassword)
	b.open(staff, "/staff/benefits/interest_classes")
	b.mainSays(staff, "子女兴趣班免费", "小满 · 剩余 3 / 3 个名额", "少儿编程班")
	place := inRow(staff, `input[name="place"]`, "value", "少儿编程班")
	b.do(staff, "fill the application",
		chromedp.Tap(chromedp.CSS(`input[name="child"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="place"][value="`+place+`"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="consent"]`)),
	)
	b.noSideways(staff)
	b.screenshot(staff, "voucher-01-apply")
	if status := press(staff, "apply", submitButton); status != 200 {
		t.Fatalf("apply: status %d%s", status, b.where(staff))
	}
	b.mainSays(staff, "申请已提交", "审核中", "剩余 2 / 3 个名额")

	// The coordinator approves it.
	coord := b.desktop()
	b.logIn(coord, "13800000003", testPassword)
	b.open(coord, "/admin/benefits")
	approve := inRow(coord, `form[action$="/approve"]`, "action", "少儿编程班")
	if status := press(coord, "approve", `form[action="`+approve+`"] button`); status != 200 {
		t.Fatalf("approve: status %d%s", status, b.where(coord))
	}

	// She opens her voucher: the QR code is there, whole, on her screen.
	b.open(staff, "/staff/benefits/interest_classes")
	voucher := inRow(staff, `a[href^="/staff/vouchers/"]`, "href", "少儿编程班")
	b.open(staff, voucher)
	b.do(staff, "wait for the QR code", chromedp.WaitVisible(chromedp.CSS(`img.qr`)))
	b.mainSays(staff, "少儿编程班", "杭州市青少年活动中心前台", "有效期至")
	qr := eval[[]float64](b, staff, `(() => { const i = document.querySelector('img.qr'), r = i.getBoundingClientRect();
		return [i.complete ? i.naturalWidth : 0, r.width, r.left, r.right, r.top]; })()`)
	if qr[0] == 0 || qr[1] < 150 || qr[2] < 0 || qr[3] > 360 {
		t.Errorf("the QR code: decoded width %v, shown %v px wide from %v to %v: want a decoded image, whole, on a 360 px screen",
			qr[0], qr[1], qr[2], qr[3])
	}
	b.noSideways(staff)
	b.screenshot(staff, "voucher-02-voucher")
	code := strings.ReplaceAll(b.text(staff, "p.code"), "-", "")
	if len(code) != 11 {
		t.Fatalf("the voucher's code reads %q", code)
	}

	// Two screens of the desk look it up; the first redeems it, the second is told it is used.
	lookUp := func(ctx context.Context) {
		t.Helper()
		b.logIn(ctx, "13800000005", testPassword)
		if p := b.path(ctx); p != "/venue/redeem" {
			t.Fatalf("the desk lands on %s, want /venue/redeem", p)
		}
		b.do(ctx, "type the code", chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(code)))
		if status := press(ctx, "look it up", `form[action="/venue/redeem"] button`); status != 200 {
			t.Fatalf("look up: status %d%s", status, b.where(ctx))
		}
		b.mainSays(ctx, "少儿编程班", "确认核销")
	}
	desk, other := b.phoneTab(360, "zh-CN"), b.phoneTab(360, "zh-CN")
	lookUp(desk)
	lookUp(other)
	b.screenshot(desk, "voucher-03-desk-found")
	if status := press(desk, "redeem", `form[action="/venue/redeem/confirm"] button`); status != 200 {
		t.Fatalf("redeem: status %d%s", status, b.where(desk))
	}
	b.mainSays(desk, "已核销：", "少儿编程班")
	b.noSideways(desk)
	if status := press(other, "redeem again", `form[action="/venue/redeem/confirm"] button`); status != 422 {
		t.Fatalf("the second redemption: status %d, want 422%s", status, b.where(other))
	}
	b.mainSays(other, "这张福利券已于", "使用过")
	b.noSideways(other)
	b.screenshot(other, "voucher-04-desk-used")

	b.open(staff, voucher)
	b.mainSays(staff, "已使用")
}
