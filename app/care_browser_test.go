package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"guanai/domain"
)

// A ride asked for and given on phones 360 px wide, in Chinese, through the real pages: the nurse asks in the
// one-to-one program, three drivers are told, the first accepts and sees her details, the second is thanked, the
// driver checks in and out, and the nurse confirms the hours and rates the ride five stars.
func TestCareRideOnPhones(t *testing.T) {
	w := newStaffWorld(t) // 刘晓燕 in Shangcheng; 赵志强, 钱美玲, 孙浩然 drive there at any hour; Monday 2 March 08:00
	b := newBrowser(t, w.ta)
	shot := 0
	// page is what every page of the story gets: no sideways scrolling at 360 px and a screenshot.
	page := func(ctx context.Context, name string) {
		t.Helper()
		b.noSideways(ctx)
		shot++
		b.screenshot(ctx, fmt.Sprintf("care-ride-%02d-%s", shot, name))
	}
	press := func(ctx context.Context, what, css string) {
		t.Helper()
		if status := b.submit(ctx, what, chromedp.Tap(chromedp.CSS(css))); status != 200 {
			t.Fatalf("%s: status %d%s", what, status, b.where(ctx))
		}
	}
	gone := func(ctx context.Context, css string) {
		t.Helper()
		if n := eval[int](b, ctx, `document.querySelectorAll('`+css+`').length`); n != 0 {
			t.Errorf("%s still shows %s", b.path(ctx), css)
		}
	}

	// She asks for a ride.
	staff := b.phoneTab(360, "zh-CN")
	b.logIn(staff, "13900000001", testPassword)
	b.open(staff, "/staff")
	b.mainSays(staff, "志愿者一对一帮扶", "交通出行")
	page(staff, "staff-home")
	press(staff, "follow ask for help", `a.choice[href="/staff/requests/new?program=one_to_one"]`)
	if p := b.path(staff); p != "/staff/requests/new?program=one_to_one" {
		t.Fatalf("ask for help leads to %s", p)
	}
	if d := b.value(staff, "#district"); d != "shangcheng" {
		t.Errorf("the district is %q, want hers (shangcheng)", d)
	}
	b.do(staff, "fill the request form",
		chromedp.Tap(chromedp.CSS(`input[name="category"][value="transport"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="urgency"][value="normal"]`)),
		chromedp.Tap(chromedp.CSS(`input[name="schedule"][value="once"]`)),
		chromedp.SetValue(chromedp.ID("date"), "2026-03-03"),
		chromedp.SetValue(chromedp.ID("from"), "14:00"),
		chromedp.SetValue(chromedp.ID("to"), "16:00"),
		chromedp.SendKeys(chromedp.ID("pickup"), "庆春路79号"),
		chromedp.SendKeys(chromedp.ID("destination"), "杭州东站"),
		chromedp.SendKeys(chromedp.ID("details"), "行李较多，需要后备箱"),
	)
	page(staff, "staff-request-form")
	press(staff, "send the request", submitButton)
	requestPath := b.path(staff)
	if !regexp.MustCompile(`^/staff/requests/\d+$`).MatchString(requestPath) {
		t.Fatalf("the request was sent to %s, want its page", requestPath)
	}
	id := strings.TrimPrefix(requestPath, "/staff/requests/")
	b.mainSays(staff, "需求已提交", "派单中", "已提交", "已通知 3 位志愿者", "2026年3月3日 14:00–16:00", "庆春路79号", "杭州东站")
	page(staff, "staff-request-dispatching")

	// The second driver opens her offer and is still reading it when the first accepts his.
	late := b.phoneTab(360, "zh-CN")
	b.logIn(late, "13700000002", testPassword)
	b.open(late, "/volunteer/offers")
	press(late, "open the offer", `#open-offers a.row-main`)
	lateOffer := b.path(late)

	driver := b.phoneTab(360, "zh-CN")
	b.logIn(driver, "13700000001", testPassword)
	b.open(driver, "/volunteer/offers")
	b.mainSays(driver, "交通出行", "上城区")
	page(driver, "volunteer-offers")
	press(driver, "open the offer", `#open-offers a.row-main`)
	b.mainSays(driver, "志愿者一对一帮扶", "交通出行", "上城区", "2026年3月3日 14:00–16:00", "待回复")
	if html := eval[string](b, driver, `document.documentElement.outerHTML`); strings.Contains(html, "庆春路79号") ||
		strings.Contains(html, "杭州东站") || strings.Contains(html, "行李较多") || strings.Contains(html, "刘晓燕") {
		t.Errorf("before accepting, the offer page shows the nurse's details:\n%s", b.text(driver, "main"))
	}
	page(driver, "volunteer-offer")
	press(driver, "accept", `form[action$="/accept"] button`)
	if want := "/volunteer/requests/" + id; b.path(driver) != want {
		t.Fatalf("accepting leads to %s, want %s", b.path(driver), want)
	}
	b.mainSays(driver, "接单成功", "已接单", "庆春路79号", "杭州东站", "行李较多，需要后备箱", "2026年3月3日 14:00–16:00")
	page(driver, "volunteer-request-accepted")

	press(late, "accept too late", `form[action$="/accept"] button`)
	b.mainSays(late, "已被其他志愿者接单，谢谢你")
	if html := eval[string](b, late, `document.documentElement.outerHTML`); strings.Contains(html, "庆春路79号") {
		t.Error("the late volunteer is shown the pickup")
	}
	page(late, "volunteer-offer-taken")
	b.open(late, lateOffer)
	b.mainSays(late, "已撤回")
	gone(late, `form[action$="/accept"]`)
	page(late, "volunteer-offer-withdrawn")

	b.open(staff, requestPath)
	b.mainSays(staff, "已接单", "赵** 已接单", "13700000001")
	if strings.Contains(b.text(staff, "main"), "赵志强") {
		t.Error("the nurse sees the volunteer's full name")
	}
	page(staff, "staff-request-accepted")

	// Tuesday, ten minutes before the ride: he checks in; two hours later he checks out.
	w.clock.Set(time.Date(2026, 3, 3, 13, 50, 0, 0, domain.Shanghai))
	b.open(driver, "/volunteer/requests/"+id)
	press(driver, "check in", `form[action$="/checkin"] button`)
	b.mainSays(driver, "已签到")
	page(driver, "volunteer-checked-in")
	w.clock.Advance(2 * time.Hour)
	b.open(driver, "/volunteer/requests/"+id)
	b.do(driver, "write the note", chromedp.SendKeys(chromedp.ID("note"), "已安全送达"))
	press(driver, "check out", `form[action$="/checkout"] button`)
	b.mainSays(driver, "已签退", "已安全送达")
	page(driver, "volunteer-checked-out")

	// She sees it done, confirms the two hours and rates it.
	b.open(staff, requestPath)
	b.mainSays(staff, "已完成", "已签到", "已签退（120 分钟）", "已安全送达", "确认并评价")
	page(staff, "staff-request-completed")
	press(staff, "confirm the service", `form[action^="/staff/services/"] button`)
	b.mainSays(staff, "服务时长已确认")
	b.do(staff, "rate it",
		chromedp.Tap(chromedp.CSS(`input[name="rating"][value="5"]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "准时又细心，谢谢！"),
	)
	page(staff, "staff-request-rating")
	press(staff, "send the rating", `form[action$="/close"] button`)
	b.mainSays(staff, "谢谢您的评价", "已评价", "已评价 5 星", "★★★★★", "准时又细心，谢谢！")
	gone(staff, `form[action$="/close"]`)
	page(staff, "staff-request-rated")

	b.open(driver, "/volunteer")
	if h := b.text(driver, "#confirmed-hours"); h != "2 小时" {
		t.Errorf("the volunteer's confirmed hours read %q, want 2 小时", h)
	}
	page(driver, "volunteer-home")
}
