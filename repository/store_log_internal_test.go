package repository

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log the pool's connections may write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The log names a slow statement and a failed one, without the values they were given, and says nothing of the
// statements that went well and fast. (It reads nothing of the fund: the server's own maintenance database does.)
func TestStatementsLoggedWhenSlowOrFailed(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	var out lockedBuffer
	ctx := context.Background()
	s, err := Open(ctx, url, Options{Log: slog.New(slog.NewJSONHandler(&out, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.db.Raw("SELECT count(*) FROM pg_class WHERE relname = ?", "13911112222").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "SQL executed") {
		t.Fatalf("a fast statement was logged: %s", out.String())
	}
	if err := s.db.Exec("SELECT pg_sleep(0.25), ?::text", "13933334444").Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pg_sleep") {
		t.Errorf("the slow statement was not logged: %s", out.String())
	}
	if err := s.db.Exec("SELECT no_such_column FROM pg_class WHERE relname = ?", "13955556666").Error; err == nil {
		t.Fatal("a statement on a missing column went through")
	}
	if !strings.Contains(out.String(), "no_such_column") {
		t.Errorf("the failed statement was not logged: %s", out.String())
	}
	if strings.Contains(out.String(), "1393333") || strings.Contains(out.String(), "1395555") {
		t.Errorf("a statement's values reached the log: %s", out.String())
	}
}
