package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"guanai/domain"
)

func TestDownloadAndCloseAccount(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client()
	c.post("/register/staff", staffForm("刘晓燕", "13900000031"))
	r := c.get("/account/data")
	if r.Status != http.StatusOK || r.Header.Get("Content-Disposition") == "" {
		t.Fatalf("download: %d %v", r.Status, r.Header)
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(r.Body), &data); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	mustContain(t, r, "13900000031", "小明", "privacy", "children_data")

	r = c.post("/account/close", url.Values{"password": {"wrong-password"}, "confirm": {"yes"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close with a wrong password: %d", r.Status)
	}
	r = c.post("/account/close", url.Values{"password": {testPassword}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close without confirming: %d", r.Status)
	}
	r = c.post("/account/close", url.Values{"password": {testPassword}, "confirm": {"yes"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	if r := c.get("/staff"); r.Status != http.StatusSeeOther {
		t.Fatalf("session after closing: %d", r.Status)
	}
	if _, err := ta.store.UserByPhone(context.Background(), "13900000031"); err != domain.ErrNotFound {
		t.Fatalf("phone still on an account: %v", err)
	}
	// The number is free: the person can register again.
	if r := ta.client().post("/register/staff", staffForm("刘晓燕", "13900000031")); r.Status != http.StatusSeeOther {
		t.Fatalf("register again: %d", r.Status)
	}
}
