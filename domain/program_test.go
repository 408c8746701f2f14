package domain_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"guanai/domain"
)

func validProgramForm() domain.ProgramForm {
	return domain.ProgramForm{NameZh: " 心理疏导 ", NameEn: "Psychological counselling", DescriptionZh: "由持证心理咨询师提供。\r\n每次一小时。",
		Active: true, Qualification: "licensed_counsellor", Sensitive: true,
		Offers:   map[string]string{"emergency": "5", "urgent": "3", "normal": "３"},
		Minutes:  map[string]string{"emergency": "10", "urgent": "30", "normal": "120"},
		DailyCap: "5"}
}

func TestProgramFormCheckReadsTheSettings(t *testing.T) {
	s, fe := validProgramForm().Check(domain.ProgramService)
	if len(fe) != 0 {
		t.Fatalf("a valid form got errors %v", fe)
	}
	if s.NameZh != "心理疏导" || s.DescriptionZh != "由持证心理咨询师提供。\n每次一小时。" || s.Qualification != "licensed_counsellor" || !s.Sensitive || !s.Active {
		t.Errorf("settings %+v", s)
	}
	// The form's figures are the defaults: a program starts with what DefaultDispatch says.
	def := domain.DefaultDispatch()
	for _, u := range domain.Urgencies {
		if s.Dispatch.Offers[u] != def.Offers[u] || s.Dispatch.Lifetime[u] != def.Lifetime[u] || s.Dispatch.Minutes(u) != int(def.Lifetime[u]/time.Minute) {
			t.Errorf("%s: %d offers for %v, want %d for %v", u, s.Dispatch.Offers[u], s.Dispatch.Lifetime[u], def.Offers[u], def.Lifetime[u])
		}
	}
	if s.Dispatch.DailyCap != def.DailyCap {
		t.Errorf("daily cap %d, want %d", s.Dispatch.DailyCap, def.DailyCap)
	}
}

// yearly is a benefit program's quota as the venue vouchers have it: two per staff member a year.
var yearly = domain.BenefitForm{Quota: "2", QuotaPer: domain.QuotaPerStaff, Period: domain.PeriodYear}

func TestProgramFormCheck(t *testing.T) {
	cases := []struct {
		name   string
		kind   string
		change func(f *domain.ProgramForm)
		want   domain.FieldErrors
	}{
		{"no Chinese name", domain.ProgramService, func(f *domain.ProgramForm) { f.NameZh = "  " }, domain.FieldErrors{"name_zh": "error.required"}},
		{"English name of 51", domain.ProgramService, func(f *domain.ProgramForm) { f.NameEn = strings.Repeat("a", 51) },
			domain.FieldErrors{"name_en": "error.too_long"}},
		{"names of 50", domain.ProgramService, func(f *domain.ProgramForm) { f.NameZh, f.NameEn = strings.Repeat("关", 50), strings.Repeat("a", 50) },
			domain.FieldErrors{}},
		{"a NUL in a name", domain.ProgramService, func(f *domain.ProgramForm) { f.NameEn = "Care\x00" },
			domain.FieldErrors{"name_en": "error.invalid_characters"}},
		{"description of 501", domain.ProgramService, func(f *domain.ProgramForm) { f.DescriptionEn = strings.Repeat("b", 501) },
			domain.FieldErrors{"description_en": "error.too_long"}},
		{"description of 500 and none", domain.ProgramService, func(f *domain.ProgramForm) { f.DescriptionZh, f.DescriptionEn = strings.Repeat("关", 500), "" },
			domain.FieldErrors{}},
		{"a control character in a description", domain.ProgramService, func(f *domain.ProgramForm) { f.DescriptionZh = "关\x07爱" },
			domain.FieldErrors{"description_zh": "error.invalid_characters"}},
		{"unknown qualification", domain.ProgramService, func(f *domain.ProgramForm) { f.Qualification = "pilot" },
			domain.FieldErrors{"qualification": "error.choose_one"}},
		{"no qualification", domain.ProgramService, func(f *domain.ProgramForm) { f.Qualification = "" }, domain.FieldErrors{}},
		{"a qualification for a grant", domain.ProgramGrant, func(f *domain.ProgramForm) {},
			domain.FieldErrors{"qualification": "programs.error.qualification_service"}},
		{"a benefit without one", domain.ProgramBenefit, func(f *domain.ProgramForm) { f.Qualification, f.Benefit = "", yearly }, domain.FieldErrors{}},
		{"a benefit does not dispatch", domain.ProgramBenefit, func(f *domain.ProgramForm) {
			f.Qualification, f.Offers, f.Minutes, f.DailyCap, f.Benefit = "", nil, nil, "", yearly
		}, domain.FieldErrors{}},
		{"a benefit needs its quota and period", domain.ProgramBenefit, func(f *domain.ProgramForm) { f.Qualification = "" },
			domain.FieldErrors{"quota": "error.required", "quota_per": "error.choose_one", "period": "error.choose_one"}},
		{"no offers", domain.ProgramService, func(f *domain.ProgramForm) { f.Offers["urgent"] = "" },
			domain.FieldErrors{"offers_urgent": "error.required"}},
		{"zero offers", domain.ProgramService, func(f *domain.ProgramForm) { f.Offers["emergency"] = "0" },
			domain.FieldErrors{"offers_emergency": "programs.error.offers"}},
		{"51 offers", domain.ProgramService, func(f *domain.ProgramForm) { f.Offers["normal"] = "51" },
			domain.FieldErrors{"offers_normal": "programs.error.offers"}},
		{"1 and 50 offers", domain.ProgramService, func(f *domain.ProgramForm) { f.Offers["normal"], f.Offers["urgent"] = "1", "50" },
			domain.FieldErrors{}},
		{"minutes not a number", domain.ProgramService, func(f *domain.ProgramForm) { f.Minutes["normal"] = "2h" },
			domain.FieldErrors{"minutes_normal": "programs.error.minutes"}},
		{"a day and a minute", domain.ProgramService, func(f *domain.ProgramForm) { f.Minutes["urgent"] = "1441" },
			domain.FieldErrors{"minutes_urgent": "programs.error.minutes"}},
		{"one minute and a day", domain.ProgramService, func(f *domain.ProgramForm) { f.Minutes["emergency"], f.Minutes["normal"] = "1", "1440" },
			domain.FieldErrors{}},
		{"daily cap 0", domain.ProgramService, func(f *domain.ProgramForm) { f.DailyCap = "0" },
			domain.FieldErrors{"daily_offer_cap": "programs.error.daily_cap"}},
		{"daily cap 101", domain.ProgramService, func(f *domain.ProgramForm) { f.DailyCap = "101" },
			domain.FieldErrors{"daily_offer_cap": "programs.error.daily_cap"}},
		{"daily cap 100", domain.ProgramService, func(f *domain.ProgramForm) { f.DailyCap = "100" }, domain.FieldErrors{}},
		{"negative", domain.ProgramService, func(f *domain.ProgramForm) { f.Minutes["urgent"] = "-5" },
			domain.FieldErrors{"minutes_urgent": "programs.error.minutes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := validProgramForm()
			c.change(&f)
			if _, got := f.Check(c.kind); !maps.Equal(got, c.want) {
				t.Errorf("Check = %v, want %v", got, c.want)
			}
		})
	}
}
