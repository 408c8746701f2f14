package app

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"guanai/domain"
)

// A signed-in page goes gzipped to a browser that takes it, and is the same page once unpacked; a short answer (a
// health check) and a browser that does not take gzip get it plain.
func TestPagesAreGzippedForBrowsersThatTakeIt(t *testing.T) {
	ta := newTestApp(t)
	c, _ := ta.account(domain.RoleFinance, "13800000002")
	plain := c.get("/admin/donations")
	if plain.Status != http.StatusOK || len(plain.Body) < gzipMinLength {
		t.Fatalf("the donation list: %d, %d bytes", plain.Status, len(plain.Body))
	}
	fetch := func(path, encoding string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+path, nil)
		req.Header.Set("Accept-Language", "zh-CN")
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		for _, ck := range c.http.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent unpacking: the bytes as sent
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := fetch("/admin/donations", "gzip, deflate, br")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	// The page carries the time it was made nowhere, so two views of it are the same bytes.
	if string(body) != plain.Body {
		t.Errorf("the unpacked page (%d bytes) is not the page (%d bytes)", len(body), len(plain.Body))
	}
	if v := resp.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Encoding") {
		t.Errorf("Vary %v: a cache would give the gzipped page to a browser that cannot read it", v)
	}

	if r := fetch("/admin/donations", ""); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("a browser that takes no gzip got %q", r.Header.Get("Content-Encoding"))
	}
	if short := fetch("/healthz", "gzip"); short.StatusCode != http.StatusOK || short.Header.Get("Content-Encoding") != "" {
		t.Errorf("a short answer (%d) was gzipped (%q)", short.StatusCode, short.Header.Get("Content-Encoding"))
	}
}
