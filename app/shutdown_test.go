package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"guanai/config"
	"guanai/repository/testdb"
)

// lockedWriter lets the test read what serve prints while serve is still writing.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestShutdownDrainsRequestsInFlight stops the server (as SIGTERM does) while a request's body is still arriving:
// the request is answered, and only then does serve return.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	store := testdb.Store(t)
	cfg, _ := config.Load(func(k string) string {
		if k == "GUANAI_ADDR" {
			return "127.0.0.1:0"
		}
		return ""
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &lockedWriter{}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, store, out) }()
	var addr string
	for i := 0; i < 100 && addr == ""; i++ {
		if m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("serve did not start: %q", out.String())
	}
	body, feed := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/login", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	answered := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- -1
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	_, _ = feed.Write([]byte("phone=139"))
	time.Sleep(200 * time.Millisecond) // the handler is now reading the body
	stop()
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) with a request in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	_, _ = feed.Write([]byte("00000001&password=x"))
	feed.Close()
	if status := <-answered; status <= 0 {
		t.Fatalf("the request in flight was cut off")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the last request")
	}
}
