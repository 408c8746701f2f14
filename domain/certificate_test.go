package domain

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func TestCertificateCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c, err := NewCertificateCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := NormalizeCertificateCode(c); !ok || n != c || seen[c] {
			t.Fatalf("code %q: normalized %q %v, seen before %v", c, n, ok, seen[c])
		}
		seen[c] = true
	}
	// Every byte value maps into the alphabet, and a short read is an error.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	c, err := NewCertificateCode(bytes.NewReader(all))
	if err != nil || strings.ContainsAny(c, "ILOU") {
		t.Fatalf("code from every byte: %q %v", c, err)
	}
	if _, err := NewCertificateCode(bytes.NewReader([]byte{1, 2, 3})); err == nil {
		t.Fatal("a short read gave a code")
	}
	for _, tc := range []struct {
		typed, want string
		ok          bool
	}{
		{"0123456789abcdefghjk", "0123456789ABCDEFGHJK", true},
		{" 0123-4567-89AB-CDEF-GHJK ", "0123456789ABCDEFGHJK", true},
		{"O1234567890123456789", "01234567890123456789", true}, // O read as 0
		{"IL234567890123456789", "11234567890123456789", true}, // I and L as 1
		{"U1234567890123456789", "", false},                    // U is no character of the alphabet
		{"0123456789ABCDEFGHJ", "", false},                     // one short
		{"0123456789ABCDEFGHJKM", "", false},                   // one long
		{"", "", false},
		{"<script>alert(1)</sc", "", false},
	} {
		got, ok := NormalizeCertificateCode(tc.typed)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeCertificateCode(%q) = %q, %v; want %q, %v", tc.typed, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCertificatePeriod(t *testing.T) {
	today := time.Date(2026, 3, 7, 0, 0, 0, 0, Shanghai)
	from, to := DefaultCertificatePeriod(today)
	if from.Format(time.DateOnly) != "2025-03-08" || !to.Equal(today) {
		t.Errorf("default period %s–%s", from, to)
	}
	for _, tc := range []struct {
		from, to, field, key string
	}{
		{"2026-01-01", "2026-03-07", "", ""},
		{"２０２６-０１-０１", "2026-03-07", "", ""}, // full-width digits
		{"2026-03-07", "2026-03-07", "", ""},
		{"", "2026-03-07", "from", "error.required"},
		{"2026-01-01", "", "to", "error.required"},
		{"2026/01/01", "2026-03-07", "from", "certificate.error.date"},
		{"2026-01-01", "2026-03-08", "to", "certificate.error.future"},
		{"2026-03-07", "2026-03-06", "from", "certificate.error.order"},
		{"2016-03-06", "2026-03-07", "from", "certificate.error.too_long"},
		{"2016-03-07", "2026-03-07", "", ""},
	} {
		_, _, fe := CheckCertificatePeriod(tc.from, tc.to, today)
		if tc.field == "" && len(fe) > 0 || tc.field != "" && fe[tc.field] != tc.key {
			t.Errorf("%q–%q: %v, want %s=%s", tc.from, tc.to, fe, tc.field, tc.key)
		}
	}
	if n := CertificateNumber(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), 42); n != "GAZY-2027-000042" {
		t.Errorf("number issued on 1 January in Shanghai: %s", n)
	}
}

func TestSettingsForm(t *testing.T) {
	good := func() SettingsForm {
		return SettingsForm{Goal: "¥5,000,000", StarHours: "100, 300, 600, 1000, 1500", DailyCap: "5", AutoConfirmHours: "72",
			Offers:  map[string]string{UrgencyEmergency: "5", UrgencyUrgent: "3", UrgencyNormal: "3"},
			Minutes: map[string]string{UrgencyEmergency: "10", UrgencyUrgent: "30", UrgencyNormal: "120"}}
	}
	s, fe := good().Check()
	if len(fe) > 0 || s.Goal != 500000000 || len(s.StarHours) != 5 || s.AutoConfirm != 72*time.Hour ||
		s.Dispatch.Lifetime[UrgencyNormal] != 2*time.Hour || s.Dispatch.DailyCap != 5 {
		t.Fatalf("good settings: %+v %v", s, fe)
	}
	for _, tc := range []struct {
		edit       func(*SettingsForm)
		field, key string
	}{
		{func(f *SettingsForm) { f.Goal = "" }, "goal", "error.required"},
		{func(f *SettingsForm) { f.Goal = "abc" }, "goal", "error.amount_invalid"},
		{func(f *SettingsForm) { f.StarHours = "" }, "", ""}, // the default
		{func(f *SettingsForm) { f.StarHours = "１０、２０" }, "", ""},
		{func(f *SettingsForm) { f.StarHours = "10, 10" }, "star_hours", "settings.error.star_hours_rising"},
		{func(f *SettingsForm) { f.StarHours = "1,2,3,4,5,6" }, "star_hours", "settings.error.star_hours"},
		{func(f *SettingsForm) { f.StarHours = "0" }, "star_hours", "settings.error.star_hours"},
		{func(f *SettingsForm) { f.StarHours = "100001" }, "star_hours", "settings.error.star_hours"},
		{func(f *SettingsForm) { f.StarHours = "ten" }, "star_hours", "settings.error.star_hours"},
		{func(f *SettingsForm) { f.AutoConfirmHours = "721" }, "auto_confirm_hours", "settings.error.auto_confirm"},
		{func(f *SettingsForm) { f.AutoConfirmHours = "" }, "auto_confirm_hours", "error.required"},
		{func(f *SettingsForm) { f.Offers[UrgencyUrgent] = "51" }, "offers_urgent", "programs.error.offers"},
		{func(f *SettingsForm) { f.Minutes[UrgencyEmergency] = "0" }, "minutes_emergency", "programs.error.minutes"},
		{func(f *SettingsForm) { f.DailyCap = "101" }, "daily_offer_cap", "programs.error.daily_cap"},
	} {
		f := good()
		tc.edit(&f)
		_, fe := f.Check()
		if tc.field == "" && len(fe) > 0 || tc.field != "" && (fe[tc.field] != tc.key || len(fe) != 1) {
			t.Errorf("%+v: %v, want %s=%s", f, fe, tc.field, tc.key)
		}
	}
	if got := FormatStarHours([]int{1, 20, 300}); got != "1, 20, 300" {
		t.Errorf("FormatStarHours: %q", got)
	}
}
