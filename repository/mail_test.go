package repository_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/config"
	"guanai/domain"
	"guanai/repository"
	"guanai/repository/mail"
	"guanai/repository/mail/mailtest"
	"guanai/repository/testdb"
)

func mailJobs(t *testing.T, s *repository.Store, userID int64) int {
	t.Helper()
	var n int
	if err := s.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind IN ('mail_notification', 'mail_verify')
		AND (args->>'user_id')::bigint = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A notification's mail is queued in the notification's transaction: one that commits has its job, one rolled
// back has neither notification nor job; a kind not chosen (and off by default) queues nothing.
func TestMailIsQueuedOnlyWithItsNotification(t *testing.T) {
	s := testdb.Store(t)
	v := registerVolunteer(t, s, "赵志强", "13700000101", idNumber(101))
	if err := s.VerifyEmailNow(ctx, v.ID, "zhao@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := s.NotifyThenFail(ctx, repository.NoteOffer, v.ID); err != nil {
		t.Fatal(err)
	}
	if n := mailJobs(t, s, v.ID); n != 0 {
		t.Fatalf("a rolled-back notification left %d mail jobs", n)
	}
	if n := countRows(t, s, "notifications"); n != 0 {
		t.Fatalf("a rolled-back notification left %d notifications", n)
	}
	if err := s.Notify(ctx, repository.NoteTaken, 0, 0, 0, ""); err != nil { // nobody: nothing at all
		t.Fatal(err)
	}
	if err := s.Notify(ctx, repository.NoteTaken, 0, 0, 0, "", v.ID); err != nil { // off by default
		t.Fatal(err)
	}
	if n := mailJobs(t, s, v.ID); n != 0 {
		t.Fatalf("a kind off by default queued %d mail jobs", n)
	}
	if err := s.Notify(ctx, repository.NoteOffer, 0, 0, 0, "", v.ID); err != nil { // on by default
		t.Fatal(err)
	}
	if n := mailJobs(t, s, v.ID); n != 1 {
		t.Fatalf("an offer queued %d mail jobs, want 1", n)
	}
	// Chosen off, an offer is not mailed; chosen on, the kind off by default is.
	actor := repository.Actor{UserID: v.ID, Role: domain.RoleVolunteer, IP: "test"}
	if err := s.SetMailChoices(ctx, actor, map[string]bool{repository.NoteTaken: true, "not_a_kind": true}, "en"); err != nil {
		t.Fatal(err)
	}
	m, err := s.MailSettingsOf(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Choices {
		if c.Send != (c.Kind == repository.NoteTaken) {
			t.Errorf("after choosing only %q: %s is %v", repository.NoteTaken, c.Kind, c.Send)
		}
	}
	if m.Lang != "en" || !m.Verified() {
		t.Errorf("settings: %+v", m)
	}
	if err := s.Notify(ctx, repository.NoteOffer, 0, 0, 0, "", v.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, repository.NoteTaken, 0, 0, 0, "", v.ID); err != nil {
		t.Fatal(err)
	}
	if n := mailJobs(t, s, v.ID); n != 2 {
		t.Fatalf("%d mail jobs after an unchosen offer and a chosen 'taken', want 2", n)
	}
}

// Closing an account forgets its address and choices, drops its waiting mails, and its download had them.
func TestCloseAccountForgetsTheAddressAndItsMails(t *testing.T) {
	s := testdb.Store(t)
	v := registerVolunteer(t, s, "赵志强", "13700000102", idNumber(102))
	actor := repository.Actor{UserID: v.ID, Role: domain.RoleVolunteer, IP: "test"}
	if _, err := s.SetEmail(ctx, actor, "zhao@example.org", "zh-CN"); err != nil {
		t.Fatal(err)
	}
	d, err := s.ExportMyData(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	if d.Mail["address"] != "zhao@example.org" {
		t.Errorf("the download has no address: %s", b)
	}
	if err := s.VerifyEmailNow(ctx, v.ID, "zhao@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMailChoices(ctx, actor, map[string]bool{repository.NoteOffer: true}, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, repository.NoteOffer, 0, 0, 0, "", v.ID); err != nil {
		t.Fatal(err)
	}
	if n := mailJobs(t, s, v.ID); n != 2 { // the verification and the offer, neither worked
		t.Fatalf("%d mail jobs before closing, want 2", n)
	}
	if err := s.CloseAccount(ctx, actor, volunteerPassword); err != nil {
		t.Fatal(err)
	}
	if n := mailJobs(t, s, v.ID); n != 0 {
		t.Errorf("%d mail jobs left after closing", n)
	}
	var left int
	if err := s.SQL().QueryRow(`SELECT count(*) FROM users WHERE id = $1 AND email IS NOT NULL`, v.ID).Scan(&left); err != nil || left != 0 {
		t.Errorf("the address is still there (%v)", err)
	}
	for _, table := range []string{"email_verifications", "mail_preferences"} {
		if n := countRows(t, s, table); n != 0 {
			t.Errorf("%s keeps %d rows of a closed account", table, n)
		}
	}
}

// A link works once, however many press it at once; it stops working when it expires or the address changes.
func TestEmailLinkWorksOnce(t *testing.T) {
	clock := testdb.NewClock(careStart)
	s := testdb.StoreWithClock(t, clock)
	v := registerVolunteer(t, s, "赵志强", "13700000103", idNumber(103))
	token, err := s.EmailLinkNow(ctx, v.ID, "zhao@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if l, err := s.CheckEmailLink(ctx, token); err != nil || l.Email != "zhao@example.org" || l.Name != "赵志强" {
		t.Fatalf("the link: %+v %v", l, err)
	}
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := s.VerifyEmail(ctx, "test", token)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, domain.ErrEmailLinkInvalid):
			t.Errorf("a press at once: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d presses verified, want 1", ok)
	}
	if m, _ := s.MailSettingsOf(ctx, v.ID); !m.Verified() {
		t.Fatalf("not verified: %+v", m)
	}
	if n := count(auditActions(t, s, v.ID), "email.verify"); n != 1 {
		t.Errorf("%d verifications audited", n)
	}

	expired, _ := s.EmailLinkNow(ctx, v.ID, "zhao2@example.org")
	clock.Advance(repository.EmailLinkLifetime + time.Second)
	if _, err := s.VerifyEmail(ctx, "test", expired); !errors.Is(err, domain.ErrEmailLinkInvalid) {
		t.Errorf("an expired link: %v", err)
	}
	changed, _ := s.EmailLinkNow(ctx, v.ID, "zhao3@example.org")
	actor := repository.Actor{UserID: v.ID, Role: domain.RoleVolunteer, IP: "test"}
	if out, err := s.SetEmail(ctx, actor, "zhao4@example.org", "zh-CN"); err != nil || out != repository.EmailLinkSent {
		t.Fatalf("changing the address: %s %v", out, err)
	}
	if _, err := s.VerifyEmail(ctx, "test", changed); !errors.Is(err, domain.ErrEmailLinkInvalid) {
		t.Errorf("a link for the address before: %v", err)
	}
	for i := 2; i <= repository.EmailLinksPerHour; i++ { // the same address again: a new link each time, a few an hour
		if out, err := s.SetEmail(ctx, actor, "zhao4@example.org", "zh-CN"); err != nil || out != repository.EmailLinkSent {
			t.Fatalf("link %d: %s %v", i, out, err)
		}
	}
	if _, err := s.SetEmail(ctx, actor, "zhao4@example.org", "zh-CN"); !isFieldError(err, "email", "email.too_many") {
		t.Errorf("a link too many: %v", err)
	}
	clock.Advance(time.Hour)
	if out, err := s.SetEmail(ctx, actor, "zhao5@example.org", "zh-CN"); err != nil || out != repository.EmailLinkSent {
		t.Fatalf("an hour later: %s %v", out, err)
	}
	if out, err := s.SetEmail(ctx, actor, "", "zh-CN"); err != nil || out != repository.EmailRemoved {
		t.Fatalf("removing: %s %v", out, err)
	}
	if _, err := s.SetEmail(ctx, actor, "", "zh-CN"); err == nil {
		t.Error("removing no address: no refusal")
	}
}

// Worked by River against a real SMTP server: the notification of an action rolled back mails nothing, the one
// committed after it arrives, worded by the Mailer for its recipient.
func TestRolledBackNotificationMailsNothing(t *testing.T) {
	srv := mailtest.Start(t)
	cfg, err := config.Load(func(k string) string { return srv.Env()[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := testdb.Store(t)
	word := func(l repository.Letter) (string, string) {
		return "【关爱平台】" + l.Note.Kind + " " + strconv.FormatInt(l.Note.ID, 10), l.Name + "，你好"
	}
	startJobs(t, s, repository.JobOptions{Mail: repository.Mailer{Sender: mail.New(cfg.SMTP, nil), Word: word}})
	v := registerVolunteer(t, s, "赵志强", "13700000104", idNumber(104))
	if err := s.VerifyEmailNow(ctx, v.ID, "zhao@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := s.NotifyThenFail(ctx, repository.NoteOffer, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, repository.NoteAssigned, 0, 0, 0, "", v.ID); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, "zhao@example.org", 1, 30*time.Second)
	waitFor(t, 30*time.Second, "the mail jobs to end", func() bool { return pendingMailJobs(t, s) == 0 })
	got := srv.To("zhao@example.org")
	if len(got) != 1 || !strings.HasPrefix(got[0].Subject, "【关爱平台】assigned ") || strings.TrimSpace(got[0].Body) != "赵志强，你好" {
		t.Fatalf("mails: %+v", got)
	}
}

func pendingMailJobs(t *testing.T, s *repository.Store) int {
	t.Helper()
	var n int
	if err := s.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind LIKE 'mail_%'
		AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func isFieldError(err error, field, key string) bool {
	var fe domain.FieldErrors
	return errors.As(err, &fe) && fe[field] == key
}
