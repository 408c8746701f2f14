package domain_test

import (
	"errors"
	"testing"
	"time"

	"guanai/domain"
)

func TestBenefitFormCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		f    domain.BenefitForm
		want map[string]string
	}{
		{"a term", domain.BenefitForm{Quota: "3", QuotaPer: "child", Period: "term", TermStart: "2026-09-01", TermEnd: "2027-01-31"}, nil},
		{"a year needs no dates", domain.BenefitForm{Quota: "２", QuotaPer: "staff", Period: "year"}, nil},
		{"no quota", domain.BenefitForm{QuotaPer: "staff", Period: "year"}, map[string]string{"quota": "error.required"}},
		{"quota out of range", domain.BenefitForm{Quota: "101", QuotaPer: "staff", Period: "year"}, map[string]string{"quota": "benefits.error.quota"}},
		{"quota zero", domain.BenefitForm{Quota: "0", QuotaPer: "staff", Period: "year"}, map[string]string{"quota": "benefits.error.quota"}},
		{"counts what", domain.BenefitForm{Quota: "1", QuotaPer: "family", Period: "week"},
			map[string]string{"quota_per": "error.choose_one", "period": "error.choose_one"}},
		{"a term without dates", domain.BenefitForm{Quota: "3", QuotaPer: "child", Period: "term"},
			map[string]string{"term_start": "error.required", "term_end": "error.required"}},
		{"a term backwards", domain.BenefitForm{Quota: "3", QuotaPer: "child", Period: "term", TermStart: "2027-01-31", TermEnd: "2026-09-01"},
			map[string]string{"term_end": "benefits.error.term_order"}},
		{"a term of two years", domain.BenefitForm{Quota: "3", QuotaPer: "child", Period: "term", TermStart: "2026-09-01", TermEnd: "2028-09-01"},
			map[string]string{"term_end": "benefits.error.term_long"}},
		{"not a date", domain.BenefitForm{Quota: "3", QuotaPer: "child", Period: "term", TermStart: "9月1日", TermEnd: "2027-01-31"},
			map[string]string{"term_start": "error.date_invalid"}},
	} {
		fe := domain.FieldErrors{}
		c.f.Check(fe)
		if len(fe) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, fe, c.want)
			continue
		}
		for k, v := range c.want {
			if fe[k] != v {
				t.Errorf("%s: %s = %q, want %q", c.name, k, fe[k], v)
			}
		}
	}
}

func TestBenefitPeriod(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, domain.Shanghai) }
	start, end := day(2026, 9, 1), day(2027, 1, 31)
	term := domain.BenefitSettings{Quota: 3, QuotaPer: "child", Period: "term", TermStart: &start, TermEnd: &end}
	year := domain.BenefitSettings{Quota: 2, QuotaPer: "staff", Period: "year"}
	for _, c := range []struct {
		name     string
		s        domain.BenefitSettings
		now      time.Time
		from, to time.Time
		open     bool
	}{
		{"in the term", term, time.Date(2026, 10, 12, 10, 0, 0, 0, domain.Shanghai), start, end, true},
		{"its first day, early in Shanghai", term, time.Date(2026, 8, 31, 16, 30, 0, 0, time.UTC), start, end, true},
		{"its last evening", term, time.Date(2027, 1, 31, 23, 59, 0, 0, domain.Shanghai), start, end, true},
		{"after it", term, time.Date(2027, 2, 1, 0, 0, 0, 0, domain.Shanghai), start, end, false},
		{"before it", term, day(2026, 8, 20), start, end, false},
		{"a year", year, time.Date(2026, 12, 31, 23, 0, 0, 0, domain.Shanghai), day(2026, 1, 1), day(2026, 12, 31), true},
		{"New Year in Shanghai, still 2026 in UTC", year, time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), day(2027, 1, 1), day(2027, 12, 31), true},
		{"a term with no dates", domain.BenefitSettings{Period: "term"}, day(2026, 10, 1), time.Time{}, time.Time{}, false},
	} {
		from, to, open := c.s.BenefitPeriod(c.now)
		if !from.Equal(c.from) || !to.Equal(c.to) || open != c.open {
			t.Errorf("%s: %v–%v open %v, want %v–%v open %v", c.name, from, to, open, c.from, c.to, c.open)
		}
	}
	if got, want := domain.VoucherExpiry(end), day(2027, 2, 1); !got.Equal(want) {
		t.Errorf("a voucher of a term ending %v expires %v, want %v", end, got, want)
	}
}

func TestCheckRedeem(t *testing.T) {
	now := time.Date(2026, 10, 12, 10, 0, 0, 0, domain.Shanghai)
	expires := time.Date(2027, 2, 1, 0, 0, 0, 0, domain.Shanghai)
	redeemed := now.Add(-time.Hour)
	for _, c := range []struct {
		name string
		v    domain.VoucherFacts
		at   time.Time
		want string
	}{
		{"good", domain.VoucherFacts{VenueID: 7, ExpiresAt: expires}, now, ""},
		{"another venue's, even redeemed", domain.VoucherFacts{VenueID: 8, ExpiresAt: expires, RedeemedAt: &redeemed}, now,
			"benefits.redeem.error.other_venue"},
		{"redeemed, even expired", domain.VoucherFacts{VenueID: 7, ExpiresAt: now, RedeemedAt: &redeemed}, now.Add(time.Hour),
			"benefits.redeem.error.redeemed"},
		{"expired at the stroke", domain.VoucherFacts{VenueID: 7, ExpiresAt: expires}, expires, "benefits.redeem.error.expired"},
		{"a minute before", domain.VoucherFacts{VenueID: 7, ExpiresAt: expires}, expires.Add(-time.Minute), ""},
	} {
		err := c.v.CheckRedeem(7, c.at)
		var key string
		var p domain.Problem
		if errors.As(err, &p) {
			key, _ = p.Message()
		}
		if key != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	e := &domain.QuotaExhaustedError{Quota: 3, Used: 3, PerChild: true}
	if key, args := e.Message(); key != "benefits.error.quota_exhausted_child" || len(args) != 6 || args[5] != "0" {
		t.Errorf("quota message %s %v", key, args)
	}
}

func TestBenefitApplicationFormCheck(t *testing.T) {
	places, children := []int64{4, 5}, []int64{9}
	if a, fe := (domain.BenefitApplicationForm{PlaceID: "5", ChildID: "9", Consent: true}).Check(true, places, children); len(fe) > 0 || a.PlaceID != 5 || a.ChildID != 9 {
		t.Errorf("good: %+v %v", a, fe)
	}
	if _, fe := (domain.BenefitApplicationForm{PlaceID: "6", ChildID: "8"}).Check(true, places, children); fe["place"] == "" || fe["child"] == "" || fe["consent"] == "" {
		t.Errorf("bad: %v", fe)
	}
	if _, fe := (domain.BenefitApplicationForm{PlaceID: "4"}).Check(true, places, nil); fe["child"] != "benefits.error.no_children" {
		t.Errorf("no children: %v", fe)
	}
	if a, fe := (domain.BenefitApplicationForm{PlaceID: "4", ChildID: "9"}).Check(false, places, nil); len(fe) > 0 || a.ChildID != 0 {
		t.Errorf("per staff: %+v %v", a, fe)
	}
}
