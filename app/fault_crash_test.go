package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
	"guanai/repository/testdb"
)

// giftLoad is finance pressing "record donation" over and over from several browsers while visitors read the
// public page: each gift has its own form key, and one that gets no answer or a 503 is sent again with the same
// key, as a person would press again.
type giftLoad struct {
	base   string
	donor  int64
	mu     sync.Mutex
	status map[int]int    // responses by status
	acked  map[string]int // form key → times the server said it recorded it (303)
	sent   atomic.Int64
	lastOK atomic.Int64 // when (unix nanoseconds) a request last succeeded
}

func newGiftLoad(base string, donor int64) *giftLoad {
	return &giftLoad{base: base, donor: donor, status: map[int]int{}, acked: map[string]int{}}
}

func (g *giftLoad) note(status int, key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status[status]++
	if status == http.StatusSeeOther && key != "" {
		g.acked[key]++
	}
	if status < 400 {
		g.lastOK.Store(time.Now().UnixNano())
	}
}

// run sends gifts as one finance browser until stop is closed.
func (g *giftLoad) run(t *testing.T, c *client, worker int, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("fault-%d-%d", worker, i)
		form := url.Values{"key": {key}, "donor_id": {fmt.Sprint(g.donor)}, "amount": {"10.00"}, "channel": {"bank_transfer"},
			"received_on": {domain.Today(time.Now()).Format(time.DateOnly)}, "reference": {"FAULT-" + key}}
		for attempt := 0; attempt < 50; attempt++ {
			status := g.post(c, form)
			g.note(status, key)
			if status == http.StatusSeeOther || status == http.StatusUnprocessableEntity {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		g.note(g.get("/transparency"), "")
	}
}

// post sends the form with the browser's CSRF token; 0 is no answer at all (the server is gone).
func (g *giftLoad) post(c *client, form url.Values) int {
	g.sent.Add(1)
	token, err := c.token(g.base)
	if err != nil {
		return 0
	}
	form.Set("_csrf", token)
	resp, err := c.http.PostForm(g.base+"/admin/donations", form)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
	resp.Body.Close()
	return resp.StatusCode
}

func (g *giftLoad) get(path string) int {
	resp, err := http.Get(g.base + path)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
	resp.Body.Close()
	return resp.StatusCode
}

// token is the CSRF token of the browser's session: the cookie a page sets, which its forms carry back.
func (c *client) token(base string) (string, error) {
	u, _ := url.Parse(base)
	if t := csrfCookie(c.http.Jar.Cookies(u)); t != "" {
		return t, nil
	}
	resp, err := c.http.Get(base + "/privacy")
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the cookie matters
	resp.Body.Close()
	if t := csrfCookie(c.http.Jar.Cookies(u)); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("no CSRF cookie (status %d)", resp.StatusCode)
}

func csrfCookie(cookies []*http.Cookie) string {
	for _, k := range cookies {
		if k.Name == "guanai_csrf" {
			return k.Value
		}
	}
	return ""
}

// checkGiftsWhole fails unless the ledger reconciles and every gift the server acknowledged is there exactly once.
func checkGiftsWhole(t *testing.T, store *repository.Store, g *giftLoad) {
	t.Helper()
	checks, err := store.VerifyLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		for _, p := range c.Problems {
			t.Errorf("after the fault, reconciliation %s: %s", c.Name, p)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for key := range g.acked {
		var n int
		if err := store.SQL().QueryRow(`SELECT count(*) FROM donations WHERE idempotency_key = $1`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("gift %s was acknowledged but is recorded %d times", key, n)
		}
	}
	if len(g.acked) == 0 {
		t.Error("no gift was recorded at all: the load did not run")
	}
}

// TestDatabaseCrashDuringLoad crashes PostgreSQL (an immediate stop: no checkpoint, every connection cut) while
// finance records gifts and visitors read, and starts it again. Meanwhile requests get 503, never a 500; after
// it, the same app serves again without a restart; nothing is half-written and no acknowledged gift is lost.
func TestDatabaseCrashDuringLoad(t *testing.T) {
	cluster := testdb.NewCluster(t)
	ctx := context.Background()
	dbURL := cluster.URL("guanai")
	if _, err := repository.EnsureDatabase(ctx, dbURL); err != nil {
		t.Fatal(err)
	}
	store, err := repository.Open(ctx, dbURL, repository.Options{IDKey: []byte("test-id-key")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := repository.Migrate(ctx, store.SQL()); err != nil {
		t.Fatal(err)
	}
	ta := newTestAppOn(t, store, nil, nil)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	donor, err := store.CreateDonor(ctx, repository.Actor{IP: "test"}, domain.Donor{Kind: domain.DonorIndividual, Name: "故障测试"})
	if err != nil {
		t.Fatal(err)
	}
	g := newGiftLoad(ta.srv.URL, donor)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() { g.run(t, fin, w, stop) })
	}
	time.Sleep(time.Second)
	cluster.Crash()
	down := time.Now()
	time.Sleep(1500 * time.Millisecond)
	cluster.Start()
	up := time.Now()
	// Keep going until every browser has been served again, or give up after 20 s.
	for time.Since(up) < 20*time.Second && time.Unix(0, g.lastOK.Load()).Before(up.Add(500*time.Millisecond)) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	t.Logf("down %s; responses %v; %d gifts acknowledged", up.Sub(down).Round(time.Millisecond), g.status, len(g.acked))
	for status, n := range g.status {
		if status >= 500 && status != http.StatusServiceUnavailable {
			t.Errorf("%d responses with status %d: only 503 may answer while the database is down\n%s", n, status, ta.logs.String())
		}
	}
	if g.status[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 while the database was down: the crash was not seen")
	}
	if time.Unix(0, g.lastOK.Load()).Before(up) {
		t.Error("the app did not serve again after the database came back")
	}
	checkGiftsWhole(t, store, g)
}

// TestAppKilledDuringDonations kills the app process (SIGKILL: no drain, no deferred anything) while finance
// records gifts, then starts it again: nothing is half-written, every acknowledged gift is there once, and a
// background job queued while the app was down runs once it is back.
func TestAppKilledDuringDonations(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "guanai")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbURL := testdb.NewDatabaseURL(t)
	port := testdbFreePort(t)
	base := "http://127.0.0.1:" + port
	server := startApp(t, bin, "demo", dbURL, port)

	ctx := context.Background()
	store, err := repository.Open(ctx, dbURL, repository.Options{IDKey: []byte("test-id-key")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var donor int64
	if err := store.SQL().QueryRow(`SELECT min(id) FROM donors`).Scan(&donor); err != nil {
		t.Fatal(err)
	}
	fin := (&testApp{t: t, srv: &httptest.Server{URL: base}}).client()
	if r := fin.login("13800000002", DemoPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.Status)
	}
	g := newGiftLoad(base, donor)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() { g.run(t, fin, w, stop) })
	}
	time.Sleep(1500 * time.Millisecond)
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	server.Wait() //nolint:errcheck // killed: its status says so
	close(stop)
	wg.Wait()
	checkGiftsWhole(t, store, g)

	// A job queued while nobody runs them waits in its table, and runs when the app is back.
	before, _, err := store.LastReconciliation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.RequestReconciliation(ctx, repository.Actor{IP: "test"}); err != nil {
		t.Fatal(err)
	}
	startApp(t, bin, "serve", dbURL, port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		last, pending, err := store.LastReconciliation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if last != nil && !pending && (before == nil || last.FinishedAt.After(before.FinishedAt)) {
			if !last.OK {
				t.Errorf("the reconciliation after the restart failed: %+v", last)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reconciliation queued while the app was down did not run after it came back")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startApp runs the built binary with a command (demo or serve) and waits until it answers /readyz.
func startApp(t *testing.T, bin, command, dbURL, port string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, command)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "GUANAI_ADDR=127.0.0.1:"+port)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // it may have exited
		cmd.Wait()         //nolint:errcheck // killed
		if t.Failed() {
			t.Logf("guanai %s:\n%s", command, logs.String())
		}
	})
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get("http://127.0.0.1:" + port + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
	}
	t.Fatalf("guanai %s did not become ready:\n%s", command, logs.String())
	return nil
}

func testdbFreePort(t *testing.T) string {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
