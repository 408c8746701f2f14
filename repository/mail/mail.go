// Package mail hands Guanai's mails to an SMTP server (github.com/wneessen/go-mail). It knows nothing of what the
// mails say or whom they are for: repository decides that and words them through app; this only delivers text.
// With no server configured it delivers nothing and says so once in the log.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"guanai/config"
)

// sendTimeout bounds one delivery (connect, the dialogue and the message): a job that hangs holds a worker.
const sendTimeout = 30 * time.Second

// Sender delivers plain-text mails through the SMTP server the configuration names, or nowhere.
type Sender struct {
	cfg      config.SMTP
	log      *slog.Logger
	offNoted sync.Once
}

// New is the sender for cfg; with no host, Send does nothing and fails nothing.
func New(cfg config.SMTP, log *slog.Logger) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg, log: log}
}

// Configured reports whether mails go anywhere.
func (s *Sender) Configured() bool { return s.cfg.Configured() }

// PermanentError is a refusal that trying again will not change: the server answered 5xx (no such mailbox, the
// sender not accepted). The job that sent it gives up rather than retrying it for hours.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "refused for good: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks the error as not worth retrying, for callers that cannot import this package's types.
func (e *PermanentError) Permanent() bool { return true }

// Send delivers one plain-text mail in UTF-8. A 5xx answer is a *PermanentError; anything else (a 4xx answer, a
// server that does not answer) is worth trying again later.
func (s *Sender) Send(ctx context.Context, to, subject, body string) error {
	if !s.cfg.Configured() {
		s.offNoted.Do(func() { s.log.Info("mail: GUANAI_SMTP_HOST is not set, so no mail is sent") })
		return nil
	}
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	if err := m.From(s.cfg.From); err != nil {
		return &PermanentError{fmt.Errorf("sender %q: %w", s.cfg.From, err)}
	}
	if err := m.To(to); err != nil {
		return &PermanentError{errors.New("the recipient's address is not one a mail can go to")} // not the address: logs carry no one's data
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated") // no out-of-office replies, please
	m.SetBodyString(gomail.TypeTextPlain, body)
	c, err := s.client()
	if err != nil {
		return &PermanentError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	err = c.DialAndSendWithContext(ctx, m)
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err // nil, or the server did not answer: worth trying again
	}
	// The server's own words and go-mail's list of recipients may hold the address: the error says only what
	// failed, and the code, for logs and River's record of attempts.
	e := fmt.Errorf("smtp: %s: %d %s", se.Reason, se.ErrorCode(), se.EnhancedStatusCode())
	if se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return &PermanentError{e}
	}
	return e
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(sendTimeout)}
	switch s.cfg.TLS {
	case config.SMTPTLS:
		opts = append(opts, gomail.WithSSL())
	case config.SMTPNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}
