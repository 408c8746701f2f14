// Package mailtest is a real SMTP server for tests (github.com/emersion/go-smtp, in process, on a random port of
// 127.0.0.1), which keeps the mails it accepts and can be told to refuse. Only tests import it.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is a mail the server accepted, its subject and body decoded.
type Message struct {
	From, To      string
	Subject, Body string
	Header        mail.Header
}

// Server is the running server.
type Server struct {
	Host string
	Port int

	mu       sync.Mutex
	messages []Message
	refusals []*smtp.SMTPError // given, in order, to the next recipients offered
	attempts int               // recipients offered, accepted or refused
	arrived  chan struct{}
}

// Start serves until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, arrived: make(chan struct{}, 1000)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "mailtest.local"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Env is the configuration that sends the app's mail here.
func (s *Server) Env() map[string]string {
	return map[string]string{"GUANAI_SMTP_HOST": s.Host, "GUANAI_SMTP_PORT": strconv.Itoa(s.Port),
		"GUANAI_SMTP_TLS": "none", "GUANAI_SMTP_FROM": "关爱平台 <noreply@guanai.test>"}
}

// Refuse makes the next recipient offered get code (451: try later; 550: no such mailbox) instead of being
// accepted; several calls refuse that many in turn.
func (s *Server) Refuse(code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = append(s.refusals, &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message})
}

// Attempts is how many recipients have been offered so far, accepted or refused.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Messages are the mails accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// To are the mails accepted so far for one address.
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// WaitFor waits until n mails have arrived for addr and returns them; the test fails after limit.
func (s *Server) WaitFor(t testing.TB, addr string, n int, limit time.Duration) []Message {
	t.Helper()
	deadline := time.After(limit)
	for {
		if got := s.To(addr); len(got) >= n {
			return got
		}
		select {
		case <-s.arrived:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waited %s for %d mails to %s; got %d (%d mails in all)", limit, n, addr, len(s.To(addr)), len(s.Messages()))
		}
	}
}

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.attempts++
	if len(x.s.refusals) > 0 {
		r := x.s.refusals[0]
		x.s.refusals = x.s.refusals[1:]
		return r
	}
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	if x.to == "" {
		return errors.New("no recipient")
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := decode(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "unreadable: " + err.Error()}
	}
	m.From, m.To = x.from, x.to
	x.s.mu.Lock()
	x.s.messages = append(x.s.messages, m)
	x.s.mu.Unlock()
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

// decode reads a single-part text mail as a mail client shows it: the subject's encoded words and the body's
// transfer encoding undone.
func decode(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(msg.Body)
	case "base64":
		return Message{}, errors.New("base64 bodies are not expected here")
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return Message{}, err
	}
	return Message{Subject: subject, Body: strings.ReplaceAll(string(b), "\r\n", "\n"), Header: msg.Header}, nil
}
