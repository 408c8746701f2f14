package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository/mail/mailtest"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /account/email":                anyone,
		"POST /account/email":               anyone,
		"GET /account/notifications":        anyone,
		"POST /account/notifications":       anyone,
		"GET /account/email/verify/:token":  everyone, // the link is the proof: it works on a phone not signed in
		"POST /account/email/verify/:token": everyone,
	})
}

// newMailWorld is a care world at 08:00 on the coming Saturday (its volunteers are free on Saturdays) rather than
// careSaturday: River's maintenance compares the times it recorded by the store's clock with the machine's, and a
// clock months behind would have it rescue every running mail job as stuck, and send it again.
func newMailWorld(t *testing.T, env map[string]string) *careWorld {
	t.Helper()
	now := time.Now().In(domain.Shanghai)
	days := (int(time.Saturday) - int(now.Weekday()) + 7) % 7
	if days == 0 {
		days = 7 // ahead of the machine's clock all day
	}
	day := now.AddDate(0, 0, days)
	return newCareWorldAt(t, env, time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, domain.Shanghai))
}

// ride is a ride at 10:00 on the world's day.
func (w *careWorld) ride() domain.RequestForm {
	return domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
		Date: w.clock.Now().In(domain.Shanghai).Format(time.DateOnly), From: "10:00", To: "11:00", District: "shangcheng",
		Pickup: "浙大一院东门", Destination: "庆春路小区南门"}
}

// mailWait is how long a test waits for a background job's mail: River looks for due jobs every few seconds.
const mailWait = 30 * time.Second

var verifyLink = regexp.MustCompile(`https?://[^/\s]+(/account/email/verify/[A-Za-z0-9_-]+)`)

// verifyPath is the path of the verification link in a mail.
func verifyPath(t *testing.T, m mailtest.Message) string {
	t.Helper()
	found := verifyLink.FindStringSubmatch(m.Body)
	if found == nil {
		t.Fatalf("no verification link in the mail:\n%s", m.Body)
	}
	return found[1]
}

// mailJobsOf counts a person's mail jobs in a state ("" any). River soon deletes the finished ones (it reads the
// test's clock, months behind the machine's), so only unfinished states count reliably.
func (w *careWorld) mailJobsOf(userID int64, state string) int {
	w.t.Helper()
	return w.count(`SELECT count(*) FROM river_job WHERE kind IN ('mail_notification', 'mail_verify')
		AND (args->>'user_id')::bigint = $1 AND ($2 = '' OR state::text = $2)`, userID, state)
}

// mailsDone waits until none of a person's mail jobs is left to do: every mail queued so far has been sent, or
// given up.
func (w *careWorld) mailsDone(userID int64) {
	w.t.Helper()
	for deadline := time.Now().Add(mailWait); ; time.Sleep(100 * time.Millisecond) {
		var left string
		if err := w.ta.store.SQL().QueryRow(`SELECT coalesce(string_agg(kind || ' ' || state || ' ' || attempt || ' ' || scheduled_at, '; '), '')
			FROM river_job WHERE kind IN ('mail_notification', 'mail_verify') AND (args->>'user_id')::bigint = $1
			AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, userID).Scan(&left); err != nil {
			w.t.Fatal(err)
		}
		if left == "" {
			return
		}
		if time.Now().After(deadline) {
			dumpJobs(w.t, w.ta)
			w.t.Fatalf("waited %s for the mails to be done; left: %s", mailWait, left)
		}
	}
}

// From an address typed in to the offers arriving by mail: a bad address is refused with the form kept, a good
// one gets a link that verifies it once, the mail is in each person's language, a chosen kind is mailed and an
// unchosen one is not.
func TestEmailVerifiedByLinkThenNotificationsByMail(t *testing.T) {
	srv := mailtest.Start(t)
	w := newMailWorld(t, srv.Env())
	w.ta.startJobs()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	zhao := w.volunteer("赵志强", "shangcheng", 1, domain.QualDriver)
	zheng := w.volunteer("郑凯", "shangcheng", 2, domain.QualDriver)
	zheng.c.post("/lang", url.Values{"lang": {"en"}})

	mustContain(t, zhao.c.get("/account"), "未填写", `href="/account/email"`, "添加邮箱", `href="/account/notifications"`)
	form := zhao.c.get("/account/email")
	wantStatus(t, "the address form", form, http.StatusOK)
	mustContain(t, form, `action="/account/email"`, `name="email"`)
	mustNotContain(t, form, "本站尚未配置邮件发送", "删除邮箱")

	bad := zhao.c.post("/account/email", url.Values{"email": {"zhao@example"}})
	wantStatus(t, "a bad address", bad, http.StatusUnprocessableEntity)
	mustContain(t, bad, "请输入有效的电子邮箱", `value="zhao@example"`)
	if n := w.mailJobsOf(zhao.ID, ""); n != 0 {
		t.Fatalf("a refused address queued %d mails", n)
	}

	r := zhao.c.post("/account/email", url.Values{"email": {" Zhao@Example.ORG "}})
	if r.Status != http.StatusSeeOther || r.Location != "/account" {
		t.Fatalf("giving an address: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	mustContain(t, zhao.c.get("/account"), "验证邮件已发往 zhao@example.org，链接 24 小时内有效", "zhao@example.org", "待验证", "更改邮箱")

	m := srv.WaitFor(t, "zhao@example.org", 1, mailWait)[0]
	if m.Subject != "【关爱平台】请验证你的邮箱" || !strings.Contains(m.Body, "赵志强，你好") || !strings.Contains(m.Body, "24 小时内有效") {
		t.Fatalf("the verification mail: %q\n%s", m.Subject, m.Body)
	}
	link := verifyPath(t, m)

	// Followed on a phone that is not signed in: a page to confirm (opening it changes nothing), then the button.
	phone := w.ta.client()
	page := phone.get(link)
	wantStatus(t, "the link", page, http.StatusOK)
	mustContain(t, page, "确认 zhao@example.org 是 赵志强 的邮箱？", "确认验证")
	mustContain(t, zhao.c.get("/account"), "待验证")
	done := phone.post(link, nil)
	if done.Status != http.StatusSeeOther || done.Location != "/login" {
		t.Fatalf("verifying: %d %s", done.Status, done.Location)
	}
	mustContain(t, phone.get("/login"), "邮箱已验证")
	again := phone.post(link, nil)
	wantStatus(t, "the link a second time", again, http.StatusNotFound)
	mustContain(t, again, "这个验证链接已失效")
	wantStatus(t, "the link opened again", phone.get(link), http.StatusNotFound)
	account := zhao.c.get("/account")
	mustContain(t, account, "zhao@example.org", "已验证")
	mustNotContain(t, account, "待验证")

	// In English for the volunteer who reads the site in English; she follows it signed in.
	if r := zheng.c.post("/account/email", url.Values{"email": {"zheng@example.org"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("her address: %d", r.Status)
	}
	em := srv.WaitFor(t, "zheng@example.org", 1, mailWait)[0]
	if em.Subject != "[Guanai] Please verify your e-mail address" || !strings.Contains(em.Body, "Hello 郑凯") {
		t.Fatalf("the English verification mail: %q\n%s", em.Subject, em.Body)
	}
	if r := zheng.c.post(verifyPath(t, em), nil); r.Status != http.StatusSeeOther || r.Location != "/account" {
		t.Fatalf("verifying signed in: %d %s", r.Status, r.Location)
	}
	mustContain(t, zheng.c.get("/account"), "zheng@example.org", "verified", "Your address is verified")

	// Offers are mailed by default, a withdrawn offer is not; she chooses only the confirmation of her hours.
	choices := zhao.c.get("/account/notifications")
	wantStatus(t, "the choices", choices, http.StatusOK)
	mustContain(t, choices, "选择哪些消息同时发到 zhao@example.org", `value="offer" checked`, `value="taken">`, "有一个新的帮扶请求等你接单")
	if r := zheng.c.post("/account/notifications", url.Values{"kind": {"confirmed"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("her choices: %d", r.Status)
	}
	mine := zheng.c.get("/account/notifications")
	mustContain(t, mine, "Your mail notification choices are saved", `value="confirmed" checked`, `value="offer">`)

	ride := w.ask(lin, "one_to_one", w.ride())
	var note int64
	if err := w.ta.store.SQL().QueryRow(`SELECT id FROM notifications WHERE user_id = $1 AND kind = 'offer'`, zhao.ID).Scan(&note); err != nil {
		t.Fatal(err)
	}
	offer := srv.WaitFor(t, "zhao@example.org", 2, mailWait)[1]
	if offer.Subject != "【关爱平台】有一个新的帮扶请求等你接单" || !strings.Contains(offer.Body, "赵志强，你好") ||
		!strings.Contains(offer.Body, "/inbox/"+itoa64(note)) || !strings.Contains(offer.Body, "/account/notifications") {
		t.Fatalf("the offer's mail: %q\n%s", offer.Subject, offer.Body)
	}
	if to := zhao.c.get("/inbox/" + itoa64(note)); to.Location != "/volunteer/offers/"+itoa64(w.offerOf(zhao, ride)) {
		t.Errorf("the mail's link leads to %d %s", to.Status, to.Location)
	}

	// She accepts: his offer is withdrawn ("taken", not chosen): in his inbox, not in his mail.
	if r := zheng.c.post("/volunteer/offers/"+itoa64(w.offerOf(zheng, ride))+"/accept", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	if n := w.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'taken'`, zhao.ID); n != 1 {
		t.Fatalf("%d 'taken' notifications for him", n)
	}
	// Every mail queued for them by now has been worked: he has the verification and the offer, she her
	// verification alone (she chose not to get offers).
	w.mailsDone(zhao.ID)
	w.mailsDone(zheng.ID)
	if got := len(srv.To("zhao@example.org")); got != 2 {
		t.Errorf("%d mails to him, want 2", got)
	}
	if got := len(srv.To("zheng@example.org")); got != 1 {
		t.Errorf("%d mails to her, want 1", got)
	}
}

// A server that answers 451 (greylisting) gets the mail again a minute later by the store's clock; the link in
// the mail that arrives works (the first try's token was never delivered and works no more).
func TestMailRetriedAfterATemporaryRefusal(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse(451, "greylisted, try again later")
	w := newMailWorld(t, srv.Env())
	w.ta.startJobs()
	zhao := w.volunteer("赵志强", "shangcheng", 1, domain.QualDriver)
	if r := zhao.c.post("/account/email", url.Values{"email": {"zhao@example.org"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("giving an address: %d", r.Status)
	}
	waitFor(t, mailWait, "the first try", func() bool { return w.mailJobsOf(zhao.ID, "retryable") == 1 })
	if srv.Attempts() != 1 || len(srv.Messages()) != 0 {
		t.Fatalf("after the refusal: %d attempts, %d mails", srv.Attempts(), len(srv.Messages()))
	}
	w.clock.Advance(61 * time.Second)
	m := srv.WaitFor(t, "zhao@example.org", 1, mailWait)[0]
	if srv.Attempts() != 2 {
		t.Errorf("%d attempts, want 2", srv.Attempts())
	}
	if r := zhao.c.post(verifyPath(t, m), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("the retried mail's link: %d", r.Status)
	}
	mustContain(t, zhao.c.get("/account"), "已验证")
	if n := w.count(`SELECT count(*) FROM email_verifications WHERE user_id = $1`, zhao.ID); n != 1 {
		t.Errorf("%d tokens kept, want only the one delivered", n)
	}
}

// A 550 (no such mailbox) is not tried again: the job ends, however long one waits.
func TestMailRefusedForGoodIsNotRetried(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse(550, "no such mailbox")
	w := newMailWorld(t, srv.Env())
	w.ta.startJobs()
	zhao := w.volunteer("赵志强", "shangcheng", 1, domain.QualDriver)
	if r := zhao.c.post("/account/email", url.Values{"email": {"nobody@example.org"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("giving an address: %d", r.Status)
	}
	var errs string
	waitForJobs(t, w.ta, mailWait, "the job to give up", func() bool {
		_ = w.ta.store.SQL().QueryRow(`SELECT errors::text FROM river_job WHERE kind = 'mail_verify' AND state = 'cancelled'`).Scan(&errs)
		return errs != ""
	})
	dumpJobs(t, w.ta)
	w.clock.Advance(3 * time.Hour)
	time.Sleep(6 * time.Second) // longer than River takes to look for due jobs
	if srv.Attempts() != 1 || len(srv.Messages()) != 0 {
		t.Errorf("after a 550: %d attempts, %d mails; want 1 and none", srv.Attempts(), len(srv.Messages()))
	}
	if !strings.Contains(errs, "550") || strings.Contains(errs, "nobody@example.org") {
		t.Errorf("the job's record should say 550, without the address: %s", errs)
	}
	mustContain(t, zhao.c.get("/account"), "nobody@example.org", "待验证")
}

// With no mail server configured the pages say so, notifications are written as ever, the mail jobs end without
// sending, and nothing fails.
func TestNoMailServerSendsNothingAndFailsNothing(t *testing.T) {
	w := newMailWorld(t, nil)
	w.ta.startJobs()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	zhao := w.volunteer("赵志强", "shangcheng", 1, domain.QualDriver)
	mustContain(t, zhao.c.get("/account/email"), "本站尚未配置邮件发送")
	if r := zhao.c.post("/account/email", url.Values{"email": {"zhao@example.org"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("giving an address: %d", r.Status)
	}
	mustContain(t, zhao.c.get("/account/notifications"), "本站尚未配置邮件发送", "添加并验证邮箱后")
	if _, err := w.ta.store.SQL().Exec(`UPDATE users SET email_verified_at = now() WHERE id = $1`, zhao.ID); err != nil {
		t.Fatal(err)
	}
	ride := w.ask(lin, "one_to_one", w.ride())
	w.offerOf(zhao, ride)
	mustContain(t, zhao.c.get("/inbox"), "有一个新的帮扶请求等你接单")
	waitFor(t, mailWait, "the mail jobs to run", func() bool { return strings.Contains(w.ta.logs.String(), "no mail is sent") })
	w.mailsDone(zhao.ID)
	logs := w.ta.logs.String()
	if strings.Count(logs, "no mail is sent") != 1 || strings.Contains(logs, "level=ERROR") {
		t.Errorf("the log should say once that no mail is sent, and nothing failed:\n%s", logs)
	}
}

// budgetEmailLink is a verification link for the budget's staff member, to open its page.
func budgetEmailLink(ba *budgetApp) string {
	ba.t.Helper()
	const token = "budget-email-token"
	sum := sha256.Sum256([]byte(token))
	_, err := ba.store.SQL().Exec(`WITH u AS (UPDATE users SET email = 'budget@example.org', email_verified_at = NULL
			WHERE phone = '13900000001' RETURNING id)
		INSERT INTO email_verifications (user_id, email, token_hash, created_at, expires_at)
		SELECT id, 'budget@example.org', $1, now(), now() + interval '1 day' FROM u`, hex.EncodeToString(sum[:]))
	if err != nil {
		ba.t.Fatal(err)
	}
	return "/account/email/verify/" + token
}

// waitFor waits for cond, polling; the test fails after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
	}
}

// dumpJobs logs River's jobs, for a test that waited for one in vain.
func dumpJobs(t *testing.T, ta *testApp) {
	t.Helper()
	rows, err := ta.store.SQL().Query(`SELECT id, kind, state::text, attempt, coalesce(errors::text,''), scheduled_at, coalesce(attempted_at::text,''), coalesce(finalized_at::text, '') FROM river_job ORDER BY id`)
	if err != nil {
		t.Log(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k, st, e, at2, fin string
		var a int
		var at time.Time
		if err := rows.Scan(&id, &k, &st, &a, &e, &at, &at2, &fin); err != nil {
			t.Log(err)
			return
		}
		t.Logf("job %d %s %s attempt %d sched %v attempted %s finalized %s %s", id, k, st, a, at, at2, fin, e)
	}
}

// waitForJobs is waitFor that shows River's jobs when it gives up.
func waitForJobs(t *testing.T, ta *testApp, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			dumpJobs(t, ta)
			t.Fatalf("waited %s for %s", limit, what)
		}
	}
}
