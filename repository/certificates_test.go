package repository_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

// servedRide gives a one-hour ride on the day given (0 is careStart's) by v; confirmed when confirm is set.
func (w careWorld) servedRide(t *testing.T, v repository.Actor, day int, confirm bool) int64 {
	t.Helper()
	id := w.submit(t, ride(domain.UrgencyNormal, day))
	w.accept(t, v, w.offerOf(t, id, v).id)
	w.clock.Set(careStart.AddDate(0, 0, day).Add(2 * time.Hour)) // 10:00
	sv := w.serve(t, v, id)
	if confirm {
		if err := w.s.ConfirmService(ctx, w.staff, sv); err != nil {
			t.Fatal(err)
		}
	}
	return sv
}

// TestCertificateIssuedOnceAndNeverChanges: issuing twice, or eight times at once, gives one certificate; its
// figures are those of its issue, whatever is confirmed later; the database refuses to change or delete it; another
// volunteer's id and a forged code find nothing.
func TestCertificateIssuedOnceAndNeverChanges(t *testing.T) {
	w := newCareWorld(t)
	vs := w.drivers(t, 2)
	v, other := vs[0], vs[1]
	w.servedRide(t, v, 0, true)
	late := w.servedRide(t, v, 1, false) // checked out, not yet confirmed
	from, to := domain.Today(careStart).AddDate(0, -1, 0), domain.Today(careStart).AddDate(0, 0, 3)
	w.clock.Set(careStart.AddDate(0, 0, 3).Add(4 * time.Hour))

	const n = 8
	got := make([]repository.Certificate, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = w.s.IssueCertificate(ctx, v, from, to, domain.DefaultStarHours) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("issue %d: %v", i, errs[i])
		}
		if got[i].ID != got[0].ID || got[i].Code != got[0].Code {
			t.Fatalf("issue %d gave certificate %d (%s), issue 0 gave %d", i, got[i].ID, got[i].Number, got[0].ID)
		}
	}
	c := got[0]
	if rows := w.scalar(t, "SELECT count(*) FROM certificates WHERE volunteer_id = $1", v.UserID); rows != 1 {
		t.Fatalf("%d certificates after %d issues at once, want 1", rows, n)
	}
	if issued := w.scalar(t, "SELECT count(*) FROM audit_events WHERE action = 'certificate.issue'"); issued != 1 {
		t.Errorf("%d issue events, want 1", issued)
	}
	if c.Minutes != 60 || c.ServiceCount != 1 || len(c.Services.V) != 1 || c.Services.V[0].Date != "2026-12-07" ||
		len(c.Programs.V) != 1 || c.Programs.V[0].Minutes != 60 {
		t.Fatalf("certificate figures: %d minutes, %d services %+v, programs %+v", c.Minutes, c.ServiceCount, c.Services.V, c.Programs.V)
	}
	if !strings.HasPrefix(c.Number, "GAZY-2026-") || len(c.Code) != domain.CertificateCodeLen || c.HolderNameMasked == c.HolderName ||
		!strings.HasSuffix(c.HolderNameMasked, "**") || c.IDNumberMasked != "3301**********0011" {
		t.Fatalf("certificate: %+v", c)
	}

	// Confirmed later: the volunteer's total grows, the certificate does not — issued again, it is the same.
	if err := w.s.ConfirmService(ctx, w.staff, late); err != nil {
		t.Fatal(err)
	}
	again, err := w.s.IssueCertificate(ctx, v, from, to, domain.DefaultStarHours)
	if err != nil || again.ID != c.ID || again.Minutes != 60 || len(again.Services.V) != 1 {
		t.Fatalf("issued again after a later confirmation: %+v, %v", again, err)
	}
	read, err := w.s.VolunteerCertificate(ctx, v.UserID, c.ID)
	if err != nil || read.Minutes != 60 || read.Number != c.Number || !read.PeriodFrom.Equal(from) || !read.PeriodTo.Equal(to) {
		t.Fatalf("read back: %+v, %v (period %s–%s)", read, err, read.PeriodFrom, read.PeriodTo)
	}
	// A new period counts what is confirmed now: a certificate of its own.
	wider, err := w.s.IssueCertificate(ctx, v, from, to.AddDate(0, 0, 1), domain.DefaultStarHours)
	if err != nil || wider.ID == c.ID || wider.Minutes != 120 {
		t.Fatalf("another period: %+v, %v", wider, err)
	}

	// The database is the last line: no update of a figure, no delete.
	for _, q := range []string{
		"UPDATE certificates SET minutes = 999 WHERE id = $1",
		"UPDATE certificates SET services = '[]' WHERE id = $1",
		"UPDATE certificates SET holder_name = '别人' WHERE id = $1",
		"UPDATE certificates SET period_to = period_to + 1 WHERE id = $1",
		"DELETE FROM certificates WHERE id = $1",
	} {
		if _, err := w.s.SQL().ExecContext(ctx, q, c.ID); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}

	// Another volunteer's guess, and an empty period.
	if _, err := w.s.VolunteerCertificate(ctx, other.UserID, c.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another volunteer reads it: %v", err)
	}
	var fe domain.FieldErrors
	if _, err := w.s.IssueCertificate(ctx, other, from, to, domain.DefaultStarHours); !errors.As(err, &fe) || fe["from"] != "certificate.error.no_hours" {
		t.Errorf("a volunteer without hours issues: %v", err)
	}

	// Verification: the real code (typed in lower case too) and a forged one.
	for _, code := range []string{c.Code, strings.ToLower(c.Code)} {
		check, err := w.s.VerifyCertificate(ctx, code)
		if err != nil || check.Minutes != 60 || check.HolderNameMasked != c.HolderNameMasked || !check.PeriodFrom.Equal(from) {
			t.Errorf("verify %s: %+v, %v", code, check, err)
		}
	}
	forged := []byte(c.Code)
	forged[0] = map[bool]byte{true: '1', false: '0'}[forged[0] == '0']
	for _, code := range []string{string(forged), "", "not-a-code", strings.Repeat("U", domain.CertificateCodeLen)} {
		if _, err := w.s.VerifyCertificate(ctx, code); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("verify forged %q: %v", code, err)
		}
	}
}

// TestSettingsSavedAuditedAndUsed: bad values are refused field by field and nothing is written; good ones are
// saved, audited as old → new, read back at once through the cache, and used — a check-out waits the new delay
// and a new program starts with the new dispatch settings.
func TestSettingsSavedAuditedAndUsed(t *testing.T) {
	w := newCareWorld(t)
	admin := newOperator(t, w.s, domain.RoleAdmin, "13800000011")
	act := repository.Actor{UserID: admin.ID, Role: domain.RoleAdmin, IP: "test"}
	before, err := w.s.Settings(ctx)
	if err != nil || before.AutoConfirm != domain.AutoConfirmAfter || before.StarHours != nil || before.Goal != 500000000 {
		t.Fatalf("defaults: %+v, %v", before, err)
	}
	form := func() domain.SettingsForm {
		return domain.SettingsForm{Goal: "6,000,000", StarHours: "10, 20，30", DailyCap: "7", AutoConfirmHours: "24",
			Offers:  map[string]string{"emergency": "6", "urgent": "4", "normal": "3"},
			Minutes: map[string]string{"emergency": "15", "urgent": "30", "normal": "120"}}
	}
	bad := form()
	bad.Goal, bad.StarHours, bad.AutoConfirmHours, bad.Offers["urgent"] = "abc", "30, 20", "0", "99"
	err = w.s.UpdateSettings(ctx, act, bad)
	var fe domain.FieldErrors
	if !errors.As(err, &fe) || fe["goal"] == "" || fe["star_hours"] != "settings.error.star_hours_rising" ||
		fe["auto_confirm_hours"] == "" || fe["offers_urgent"] == "" || len(fe) != 4 {
		t.Fatalf("bad settings: %v", err)
	}
	if s, _ := w.s.Settings(ctx); s.Goal != before.Goal {
		t.Fatalf("a refused save changed the goal to %v", s.Goal)
	}
	if err := w.s.UpdateSettings(ctx, act, form()); err != nil {
		t.Fatal(err)
	}
	s, err := w.s.Settings(ctx)
	if err != nil || s.Goal != 600000000 || len(s.StarHours) != 3 || s.StarHours[2] != 30 || s.AutoConfirm != 24*time.Hour ||
		s.Dispatch.Offers["emergency"] != 6 || s.Dispatch.DailyCap != 7 {
		t.Fatalf("after the save: %+v, %v", s, err)
	}
	var b, a string
	if err := w.s.SQL().QueryRowContext(ctx, `SELECT before::text, after::text FROM audit_events WHERE action = 'settings.update'`).
		Scan(&b, &a); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"fundraising_goal": "¥5,000,000.00"`, `"auto_confirm_hours": 72`, `"star_hours": ""`, `"offers_emergency": 5`} {
		if !strings.Contains(b, want) {
			t.Errorf("audit before %s lacks %s", b, want)
		}
	}
	for _, want := range []string{`"fundraising_goal": "¥6,000,000.00"`, `"auto_confirm_hours": 24`, `"star_hours": "10, 20, 30"`} {
		if !strings.Contains(a, want) {
			t.Errorf("audit after %s lacks %s", a, want)
		}
	}
	if strings.Contains(a, "minutes_normal") {
		t.Errorf("audit after %s tells a setting that did not change", a)
	}
	// Saving the same again changes nothing and writes no event.
	if err := w.s.UpdateSettings(ctx, act, form()); err != nil {
		t.Fatal(err)
	}
	if n := w.scalar(t, "SELECT count(*) FROM audit_events WHERE action = 'settings.update'"); n != 1 {
		t.Errorf("%d settings events after saving the same twice, want 1", n)
	}

	// Used: a check-out now waits 24 hours, and a new program starts with 6 emergency offers.
	v := w.drivers(t, 1)[0]
	sv := w.servedRide(t, v, 0, false)
	if h := w.scalar(t, `SELECT extract(epoch FROM auto_confirm_at - checked_out_at)::bigint / 3600 FROM care_services WHERE id = $1`, sv); h != 24 {
		t.Errorf("the check-out waits %d hours to count by itself, want 24", h)
	}
	if h := w.scalar(t, `SELECT extract(epoch FROM j.scheduled_at - sv.checked_out_at)::bigint / 3600 FROM river_job j, care_services sv
		WHERE j.kind = 'care_auto_confirm' AND (j.args->>'service_id')::bigint = sv.id AND sv.id = $1`, sv); h != 24 {
		t.Errorf("the confirmation job runs %d hours after the check-out, want 24", h)
	}
	if _, err := w.s.SQL().ExecContext(ctx, `INSERT INTO programs (code, kind, name_zh, name_en, position)
		VALUES ('new_one', 'service', '新项目', 'New', 99)`); err != nil {
		t.Fatal(err)
	}
	if n := w.scalar(t, `SELECT offers_emergency * 100 + daily_offer_cap FROM programs WHERE code = 'new_one'`); n != 607 {
		t.Errorf("a new program's offers_emergency*100+daily_cap = %d, want 607", n)
	}
}
