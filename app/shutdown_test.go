package app

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
)

// TestShutdownDrainsRequestsInFlight stops the server (as SIGTERM does) while a request's body is still arriving:
// the shutdown waits for it, the request is answered, and only then does the server return.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	ta := newTestApp(t)
	srv := newHTTPServer(ta.e)
	reading := make(chan struct{}, 1)
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateActive { // the server has begun reading a request on this connection
			select {
			case reading <- struct{}{}:
			default:
			}
		}
	}
	shuttingDown := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(shuttingDown) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, srv, ln, ta.app.log) }()

	body, feed := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/login", body)
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
	<-reading
	stop()
	<-shuttingDown
	select {
	case err := <-done:
		t.Fatalf("the server returned (%v) with a request in flight", err)
	default:
	}
	_, _ = feed.Write([]byte("00000001&password=x"))
	feed.Close()
	if status := <-answered; status <= 0 {
		t.Fatalf("the request in flight was cut off")
	}
	if err := <-done; err != nil {
		t.Fatalf("runServer: %v", err)
	}
}
