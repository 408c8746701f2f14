package app

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /inbox":           anyone,
		"GET /inbox/:id":       anyone,
		"POST /inbox/read-all": anyone,
	})
}

// about is what a test notification points at (0: nothing).
type about struct{ request, offer, pairing int64 }

// notify writes a notification for a person as the dispatch code's notify does, at a moment of the test's choosing.
func (ta *testApp) notify(userID int64, kind, detail string, at time.Time, to about) int64 {
	ta.t.Helper()
	var id int64
	err := ta.store.SQL().QueryRow(`INSERT INTO notifications (user_id, kind, request_id, offer_id, pairing_id, detail, created_at)
		VALUES ($1, $2, nullif($3, 0), nullif($4, 0), nullif($5, 0), $6, $7) RETURNING id`,
		userID, kind, to.request, to.offer, to.pairing, detail, at).Scan(&id)
	if err != nil {
		ta.t.Fatal(err)
	}
	return id
}

// careRows makes a request of staff's, offered to volunteer, and their pairing: what notifications point at.
func (ta *testApp) careRows(staff, volunteer int64) about {
	ta.t.Helper()
	var a about
	db := ta.store.SQL()
	err := db.QueryRow(`INSERT INTO care_requests (staff_id, program_id, category, urgency, status, district, starts_at,
			ends_at, submitted_at, updated_at)
		SELECT $1, id, 'transport', 'normal', 'dispatching', 'xihu', now() + interval '1 day', now() + interval '25 hours',
			now(), now() FROM programs WHERE code = 'one_to_one' RETURNING id`, staff).Scan(&a.request)
	if err == nil {
		err = db.QueryRow(`INSERT INTO care_offers (request_id, volunteer_id, round, created_at, expires_at)
			VALUES ($1, $2, 1, now(), now() + interval '2 hours') RETURNING id`, a.request, volunteer).Scan(&a.offer)
	}
	if err == nil {
		err = db.QueryRow(`INSERT INTO pairings (staff_id, volunteer_id, program_id, started_at)
			SELECT $1, $2, id, now() FROM programs WHERE code = 'one_to_one' RETURNING id`, staff, volunteer).Scan(&a.pairing)
	}
	if err != nil {
		ta.t.Fatal(err)
	}
	return a
}

// The inbox tells each notification as a sentence in the reader's language, newest first, with its time in
// Shanghai; the unread ones are bold, and a detail follows its sentence.
func TestInboxInWords(t *testing.T) {
	ta := newTestApp(t)
	staff, u := ta.account(domain.RoleStaff, "13900000101")
	day := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	ta.notify(u.ID, repository.NoteAccepted, "", day, about{})
	read := ta.notify(u.ID, repository.NoteCheckedIn, "", day.Add(time.Hour), about{})
	ta.notify(u.ID, repository.NoteCheckedOut, "接送上班 · 40 分钟", day.Add(2*time.Hour), about{})
	ta.notify(u.ID, "a_kind_from_later", "", day.Add(3*time.Hour), about{})
	ta.notify(u.ID, repository.NoteEscalated, "no_candidates", day.Add(4*time.Hour), about{})
	if _, err := ta.store.SQL().Exec(`UPDATE notifications SET read_at = now() WHERE id = $1`, read); err != nil {
		t.Fatal(err)
	}

	zh := staff.get("/inbox")
	if zh.Status != http.StatusOK {
		t.Fatalf("inbox: %d", zh.Status)
	}
	inOrder(t, zh.Body, "<b>请求无人接单，已上报协调员：没有符合条件的志愿者</b>", "<b>你有一条新消息</b>", "<b>志愿者已签退，请确认服务：接送上班 · 40 分钟</b>", ">志愿者已签到<", "<b>志愿者已接单</b>")
	mustContain(t, zh, "2026年3月1日 10:00", "2026年3月1日 13:00", `datetime="2026-03-01T02:00:00Z"`,
		`href="/inbox/`+itoa(read)+`"`, `<a class="inbox" href="/inbox" aria-current="page" aria-label="消息，4 条未读">消息 <span class="badge">4</span></a>`,
		`name="upto"`)
	mustNotContain(t, zh, "<b>志愿者已签到</b>", "inbox.kind.", "a_kind_from_later", "no_candidates")

	en := staff.getIn("en", "/inbox")
	inOrder(t, en.Body, "<b>No one accepted the request; it has gone to a coordinator: ", "<b>You have a new message</b>", "<b>The volunteer has checked out — please confirm the service: 接送上班 · 40 分钟</b>",
		">The volunteer has checked in<", "<b>A volunteer has accepted your request</b>")
	mustContain(t, en, "1 Mar 2026 10:00", `aria-label="Inbox, 4 unread">Inbox <span class="badge">4</span>`)
	mustNotContain(t, en, "志愿者已签到", "inbox.kind.", "no_candidates")

	// A person with nothing in the inbox sees it empty, and no button to mark it read.
	other, _ := ta.account(domain.RoleVolunteer, "13700000101")
	empty := other.get("/inbox")
	mustContain(t, empty, "还没有消息。", `<a class="inbox" href="/inbox" aria-current="page">消息</a>`)
	mustNotContain(t, empty, "/inbox/read-all", `class="badge"`)
}

// inOrder checks that parts appear in body in the order given.
func inOrder(t *testing.T, body string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(body[at:], p)
		if i < 0 {
			t.Errorf("%q is not on the page after %q", p, body[max(0, at-80):at])
			return
		}
		at += i + len(p)
	}
}

// The header counts the unread notifications on every page of a signed-in person; opening one marks it read and
// takes the reader to what it is about, and the count goes when there is nothing left unread.
func TestInboxUnreadCountInTheHeader(t *testing.T) {
	ta := newTestApp(t)
	staff, s := ta.account(domain.RoleStaff, "13900000101")
	volunteer, v := ta.account(domain.RoleVolunteer, "13700000101")
	care := ta.careRows(s.ID, v.ID)
	now := time.Now()
	accepted := ta.notify(s.ID, repository.NoteAccepted, "", now, about{request: care.request, offer: care.offer, pairing: care.pairing})
	ended := ta.notify(s.ID, repository.NotePairingEnded, "", now, about{pairing: care.pairing})
	offer := ta.notify(v.ID, repository.NoteOffer, "", now, about{request: care.request, offer: care.offer})

	badge := func(c *client, want string) {
		t.Helper()
		r := c.get("/account")
		if r.Status != http.StatusOK {
			t.Fatalf("account: %d", r.Status)
		}
		if want == "" {
			mustContain(t, r, `<a class="inbox" href="/inbox">消息</a>`)
			mustNotContain(t, r, `class="badge"`)
		} else {
			mustContain(t, r, `<a class="inbox" href="/inbox" aria-label="消息，`+want+` 条未读">消息 <span class="badge">`+want+`</span></a>`)
		}
	}
	badge(staff, "2")
	badge(volunteer, "1")

	// Someone else's notification is not found, and stays unread for them.
	for _, id := range []string{itoa(offer), "999999", "0", "x"} {
		if r := staff.get("/inbox/" + id); r.Status != http.StatusNotFound {
			t.Errorf("staff opening notification %s: %d, want 404", id, r.Status)
		}
	}
	badge(volunteer, "1")

	for _, c := range []struct {
		who  *client
		user *domain.User
		id   int64
		want string
	}{
		{staff, &s, accepted, "/staff/requests/" + itoa(care.request)},
		{staff, &s, ended, "/staff/pairings/" + itoa(care.pairing)},
		{volunteer, &v, offer, "/volunteer/offers/" + itoa(care.offer)},
	} {
		// A page not served yet (they are being built) or not the reader's to open leads back to the inbox.
		if !ta.app.access.may(c.user, c.want) {
			c.want = "/inbox"
		}
		if r := c.who.get("/inbox/" + itoa(c.id)); r.Status != http.StatusSeeOther || r.Location != c.want {
			t.Errorf("opening %d: %d to %q, want 303 to %s", c.id, r.Status, r.Location, c.want)
		}
	}
	badge(staff, "")
	badge(volunteer, "")
	// Opened again, it still leads there.
	want := "/staff/requests/" + itoa(care.request)
	if !ta.app.access.may(&s, want) {
		want = "/inbox"
	}
	if r := staff.get("/inbox/" + itoa(accepted)); r.Location != want {
		t.Errorf("opened again: %d %q", r.Status, r.Location)
	}
	mustNotContain(t, staff.get("/inbox"), "<b>")

	// A visitor has no inbox: no link to it, nothing to count.
	mustNotContain(t, ta.client().get("/transparency"), `href="/inbox"`)
}

// Where a notification leads depends on who reads it and what it is about.
func TestInboxTargets(t *testing.T) {
	all := repository.Notification{RequestID: 7, OfferID: 8, PairingID: 9}
	for _, c := range []struct {
		role domain.Role
		n    repository.Notification
		want string
	}{
		{domain.RoleVolunteer, all, "/volunteer/offers/8"},
		{domain.RoleVolunteer, repository.Notification{RequestID: 7, PairingID: 9}, "/volunteer/requests/7"},
		{domain.RoleVolunteer, repository.Notification{PairingID: 9}, "/volunteer/pairings/9"},
		{domain.RoleVolunteer, repository.Notification{}, "/inbox"},
		{domain.RoleStaff, all, "/staff/requests/7"},
		{domain.RoleStaff, repository.Notification{OfferID: 8, PairingID: 9}, "/staff/pairings/9"},
		{domain.RoleStaff, repository.Notification{OfferID: 8}, "/inbox"},
		{domain.RoleCoordinator, all, "/admin/dispatch/requests/7"},
		{domain.RoleAdmin, repository.Notification{RequestID: 7}, "/admin/dispatch/requests/7"},
		{domain.RoleCoordinator, repository.Notification{PairingID: 9}, "/inbox"},
	} {
		if got := inboxTarget(c.role, c.n); got != c.want {
			t.Errorf("%s, %+v: %s, want %s", c.role, c.n, got, c.want)
		}
	}
}

var inboxLink = regexp.MustCompile(`href="/inbox/(\d+)"`)

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A long inbox comes a page at a time; "all read" marks what the reader saw, and one that came after stays unread.
func TestInboxPagesAndReadAll(t *testing.T) {
	ta := newTestApp(t)
	coord, u := ta.account(domain.RoleCoordinator, "13800000101")
	start := time.Now().Add(-time.Hour)
	total := repository.PageSize + 5
	for i := range total {
		ta.notify(u.ID, repository.NoteEscalated, fmt.Sprintf("请求 %d", i), start.Add(time.Duration(i)*time.Minute), about{})
	}

	first := coord.get("/inbox")
	ids := inboxLink.FindAllStringSubmatch(first.Body, -1)
	if len(ids) != repository.PageSize {
		t.Fatalf("first page: %d notifications, want %d", len(ids), repository.PageSize)
	}
	mustContain(t, first, fmt.Sprintf("请求 %d", total-1), `<span class="badge">30</span>`)
	mustNotContain(t, first, "请求 0<")
	next := regexp.MustCompile(`href="(/inbox\?after=\d+)" rel="next"`).FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatal("the first page has no link to the next")
	}
	second := coord.get(next[1])
	rest := inboxLink.FindAllStringSubmatch(second.Body, -1)
	if len(rest) != 5 || atoi(t, rest[0][1]) >= atoi(t, ids[len(ids)-1][1]) {
		t.Errorf("second page: %v after %v", rest, ids[len(ids)-1])
	}
	mustContain(t, second, "请求 0<", `rel="prev"`)
	mustNotContain(t, second, `rel="next"`, "/inbox/read-all") // the button is on the first page, with the newest

	upto := regexp.MustCompile(`name="upto" value="(\d+)"`).FindStringSubmatch(first.Body)
	if upto == nil || upto[1] != ids[0][1] {
		t.Fatalf("all read marks up to %v, want the newest, %s", upto, ids[0][1])
	}
	// One arrives after the reader looked.
	late := ta.notify(u.ID, repository.NoteEscalated, "后来的", time.Now(), about{})
	r := coord.post("/inbox/read-all", url.Values{"upto": {upto[1]}})
	if r.Status != http.StatusSeeOther || r.Location != "/inbox" {
		t.Fatalf("all read: %d %s", r.Status, r.Location)
	}
	after := coord.get("/inbox")
	mustContain(t, after, "已全部标为已读", "<b>请求无人接单，已上报协调员：后来的</b>", `<span class="badge">1</span>`,
		`href="/inbox/`+itoa(late)+`"`)
	if n := strings.Count(after.Body, "<b>请求无人接单"); n != 1 {
		t.Errorf("after all read, %d bold lines, want the late one", n)
	}
	// Without upto, all of them.
	if r := coord.post("/inbox/read-all", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("all read: %d", r.Status)
	}
	mustNotContain(t, coord.get("/account"), `class="badge"`)
	if r := coord.post("/inbox/read-all", url.Values{"upto": {"many"}}); r.Status != http.StatusBadRequest {
		t.Errorf("all read up to nonsense: %d, want 400", r.Status)
	}
}
