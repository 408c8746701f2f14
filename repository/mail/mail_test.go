package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"guanai/config"
	"guanai/repository/mail"
	"guanai/repository/mail/mailtest"
)

func senderFor(t *testing.T, env map[string]string) *mail.Sender {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return mail.New(cfg.SMTP, nil)
}

// The real client against a real server: a Chinese subject and body arrive as written; a 4xx answer is worth
// trying again, a 5xx one is not.
func TestSendThroughARealServer(t *testing.T) {
	srv := mailtest.Start(t)
	s := senderFor(t, srv.Env())
	ctx := context.Background()
	if err := s.Send(ctx, "wang@example.org", "【关爱】有一个新的帮扶请求等你接单", "王芳，你好：\n请打开 https://guanai.test/inbox/1\n"); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "wang@example.org", 1, 5*time.Second)[0]
	if got.Subject != "【关爱】有一个新的帮扶请求等你接单" || !strings.Contains(got.Body, "王芳，你好") ||
		!strings.Contains(got.Body, "https://guanai.test/inbox/1") || got.From != "noreply@guanai.test" {
		t.Fatalf("arrived: %+v", got)
	}
	if got.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted: %q", got.Header.Get("Auto-Submitted"))
	}

	var p *mail.PermanentError
	srv.Refuse(451, "greylisted, try again later")
	if err := s.Send(ctx, "li@example.org", "s", "b"); err == nil || errors.As(err, &p) {
		t.Fatalf("451: %v, want an error worth retrying", err)
	}
	srv.Refuse(550, "no such mailbox")
	if err := s.Send(ctx, "nobody@example.org", "s", "b"); !errors.As(err, &p) {
		t.Fatalf("550: %v, want a permanent error", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d mails accepted, want only the first", n)
	}
}

func TestUnconfiguredSendsNothingAndSaysSoOnce(t *testing.T) {
	var logs bytes.Buffer
	s := mail.New(config.SMTP{}, slog.New(slog.NewTextHandler(&logs, nil)))
	for range 3 {
		if err := s.Send(context.Background(), "a@example.org", "s", "b"); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(logs.String(), "no mail is sent"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
}
