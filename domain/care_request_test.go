package domain_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"guanai/domain"
)

// Monday 2 March 2026, 09:00 in Shanghai.
var formNow = time.Date(2026, 3, 2, 9, 0, 0, 0, domain.Shanghai)

var (
	oneToOne    = domain.ProgramInfo{ID: 1, Code: "one_to_one", Kind: "service", Active: true}
	counselling = domain.ProgramInfo{ID: 2, Code: "counselling", Kind: "service", Active: true}
	tutoring    = domain.ProgramInfo{ID: 3, Code: "tutoring", Kind: "service", Active: true}
	vouchers    = domain.ProgramInfo{ID: 4, Code: "venue_vouchers", Kind: "benefit", Active: true}
	myChildren  = []int64{7, 8}
)

// aRide is a good request: a ride to the hospital tomorrow, Tuesday, 07:00–08:00.
func aRide() domain.RequestForm {
	return domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal, Date: "2026-03-03",
		From: "07:00", To: "08:00", District: "xihu", Pickup: " 文一西路 100 号 ", Destination: "浙大一院",
		Details: "两件行李"}
}

// aLesson is a good tutoring request for one of her children.
func aLesson() domain.RequestForm {
	return domain.RequestForm{Category: domain.CategoryTutoring, Urgency: domain.UrgencyNormal, Date: "2026-03-04",
		From: "19:00", To: "20:30", District: "xihu", Place: "家中", ChildIDs: []int64{8}, Subject: "math",
		Consent: true}
}

func TestRequestFormSingleWindow(t *testing.T) {
	r, fe := aRide().Check(oneToOne, formNow, myChildren)
	if len(fe) != 0 {
		t.Fatalf("a good ride got errors %v", fe)
	}
	if len(r.Occurrences) != 1 {
		t.Fatalf("%d occurrences, want 1", len(r.Occurrences))
	}
	w := r.Occurrences[0]
	if got := w.Start.UTC().Format(time.RFC3339); got != "2026-03-02T23:00:00Z" {
		t.Errorf("starts at %s, want 07:00 in Shanghai (23:00 UTC the day before)", got)
	}
	if got := w.End.In(domain.Shanghai).Format("2006-01-02 15:04"); got != "2026-03-03 08:00" {
		t.Errorf("ends at %s, want 2026-03-03 08:00", got)
	}
	if r.Window() != w || r.Weekdays != nil || r.ProgramID != 1 {
		t.Errorf("request %+v: a single window is its own span, with no weekdays", r)
	}
	if r.Pickup != "文一西路 100 号" || r.Destination != "浙大一院" || r.ConsentKind != "" {
		t.Errorf("pickup %q destination %q consent %q", r.Pickup, r.Destination, r.ConsentKind)
	}
}

func TestRequestFormRecurring(t *testing.T) {
	f := aRide()
	f.Recurring, f.Date = true, ""
	f.Weekdays = []string{"fri", "mon", "wed"}
	f.FirstDate, f.LastDate = "2026-03-09", "2026-03-22" // two weeks, Monday to Sunday
	r, fe := f.Check(oneToOne, formNow, myChildren)
	if len(fe) != 0 {
		t.Fatalf("a good schedule got errors %v", fe)
	}
	var got []string
	for _, w := range r.Occurrences {
		got = append(got, w.Start.In(domain.Shanghai).Format("Mon 01-02 15:04")+"–"+w.End.In(domain.Shanghai).Format("15:04"))
	}
	want := []string{"Mon 03-09 07:00–08:00", "Wed 03-11 07:00–08:00", "Fri 03-13 07:00–08:00",
		"Mon 03-16 07:00–08:00", "Wed 03-18 07:00–08:00", "Fri 03-20 07:00–08:00"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("occurrences\n%v\nwant\n%v", got, want)
	}
	if strings.Join(r.Weekdays, ",") != "mon,wed,fri" {
		t.Errorf("weekdays %v, want them in week order", r.Weekdays)
	}
	span := r.Window()
	if span.Start != r.Occurrences[0].Start || span.End != r.Occurrences[5].End {
		t.Errorf("the request's span %v is not first start to last end", span)
	}
	if !r.FirstDate.Equal(time.Date(2026, 3, 9, 0, 0, 0, 0, domain.Shanghai)) ||
		!r.LastDate.Equal(time.Date(2026, 3, 22, 0, 0, 0, 0, domain.Shanghai)) {
		t.Errorf("first %v last %v", r.FirstDate, r.LastDate)
	}
}

func TestRequestFormEightWeeksExactly(t *testing.T) {
	f := aRide()
	f.Recurring, f.Weekdays = true, []string{"mon"}
	f.FirstDate, f.LastDate = "2026-03-09", "2026-05-03" // 56 days, Monday to Sunday
	r, fe := f.Check(oneToOne, formNow, myChildren)
	if len(fe) != 0 || len(r.Occurrences) != 8 {
		t.Errorf("eight weeks: errors %v, %d occurrences, want none and 8", fe, len(r.Occurrences))
	}
}

func TestRequestFormChildrenAndConsent(t *testing.T) {
	f := aLesson()
	f.ChildIDs = []int64{8, 8, 7}
	r, fe := f.Check(tutoring, formNow, myChildren)
	if len(fe) != 0 {
		t.Fatalf("a good lesson got errors %v", fe)
	}
	if len(r.ChildIDs) != 2 || r.ChildIDs[0] != 8 || r.ChildIDs[1] != 7 || r.Subject != "math" {
		t.Errorf("children %v subject %q", r.ChildIDs, r.Subject)
	}
	if r.ConsentKind != domain.ConsentChildren {
		t.Errorf("tutoring records consent %q, want %q", r.ConsentKind, domain.ConsentChildren)
	}
	c := domain.RequestForm{Category: domain.CategoryCounselling, Urgency: domain.UrgencyUrgent, Date: "2026-03-02",
		From: "20:00", To: "21:00", District: "binjiang", Consent: true}
	r, fe = c.Check(counselling, formNow, myChildren)
	if len(fe) != 0 || r.ConsentKind != domain.ConsentCounselling || r.Place != "" {
		t.Errorf("counselling by phone tonight: errors %v, consent %q (no place needed)", fe, r.ConsentKind)
	}
}

func TestRequestFormCheck(t *testing.T) {
	recurring := func(f *domain.RequestForm) {
		f.Recurring, f.Date = true, ""
		f.Weekdays, f.FirstDate, f.LastDate = []string{"mon", "wed", "fri"}, "2026-03-09", "2026-03-22"
	}
	cases := []struct {
		name    string
		program domain.ProgramInfo
		form    func() domain.RequestForm
		change  func(f *domain.RequestForm)
		want    domain.FieldErrors
	}{
		{"window in the past", oneToOne, aRide, func(f *domain.RequestForm) { f.Date, f.From, f.To = "2026-03-02", "08:00", "08:30" },
			domain.FieldErrors{"date": "care.error.in_past"}},
		{"window starting now", oneToOne, aRide, func(f *domain.RequestForm) { f.Date, f.From, f.To = "2026-03-02", "09:00", "10:00" },
			domain.FieldErrors{"date": "care.error.in_past"}},
		{"schedule starting in the past", oneToOne, aRide, func(f *domain.RequestForm) { recurring(f); f.FirstDate = "2026-02-27" },
			domain.FieldErrors{"first_date": "care.error.in_past"}},
		{"more than 90 days ahead", oneToOne, aRide, func(f *domain.RequestForm) { f.Date = "2026-06-05" },
			domain.FieldErrors{"date": "care.error.too_far"}},
		{"ends before it starts", oneToOne, aRide, func(f *domain.RequestForm) { f.From, f.To = "08:00", "07:00" },
			domain.FieldErrors{"to": "care.error.ends_before_start"}},
		{"ends as it starts", oneToOne, aRide, func(f *domain.RequestForm) { f.From, f.To = "08:00", "08:00" },
			domain.FieldErrors{"to": "care.error.ends_before_start"}},
		{"no time", oneToOne, aRide, func(f *domain.RequestForm) { f.From, f.To = "", "25:00" },
			domain.FieldErrors{"from": "care.error.time", "to": "care.error.time"}},
		{"no date", oneToOne, aRide, func(f *domain.RequestForm) { f.Date = "3/3" },
			domain.FieldErrors{"date": "error.date_invalid"}},
		{"schedule longer than 8 weeks", oneToOne, aRide, func(f *domain.RequestForm) { recurring(f); f.LastDate = "2026-05-04" },
			domain.FieldErrors{"last_date": "care.error.schedule_too_long"}},
		{"schedule ending before it starts", oneToOne, aRide, func(f *domain.RequestForm) { recurring(f); f.LastDate = "2026-03-08" },
			domain.FieldErrors{"last_date": "care.error.ends_before_start"}},
		{"no weekday", oneToOne, aRide, func(f *domain.RequestForm) { recurring(f); f.Weekdays = nil },
			domain.FieldErrors{"weekdays": "care.error.choose_weekday"}},
		{"an unknown weekday", oneToOne, aRide, func(f *domain.RequestForm) { recurring(f); f.Weekdays = []string{"mon", "funday"} },
			domain.FieldErrors{"weekdays": "care.error.choose_weekday"}},
		{"no chosen weekday in the dates", oneToOne, aRide, func(f *domain.RequestForm) {
			recurring(f)
			f.Weekdays, f.FirstDate, f.LastDate = []string{"sat"}, "2026-03-09", "2026-03-12"
		}, domain.FieldErrors{"weekdays": "care.error.no_occurrence"}},
		{"no chosen weekday in the dates, and no pickup", oneToOne, aRide, func(f *domain.RequestForm) {
			recurring(f)
			f.Weekdays, f.FirstDate, f.LastDate, f.Pickup = []string{"sat"}, "2026-03-09", "2026-03-12", ""
		}, domain.FieldErrors{"weekdays": "care.error.no_occurrence", "pickup": "error.required"}},
		{"unknown district", oneToOne, aRide, func(f *domain.RequestForm) { f.District = "haidian" },
			domain.FieldErrors{"district": "error.choose_one"}},
		{"unknown urgency", oneToOne, aRide, func(f *domain.RequestForm) { f.Urgency = "asap" },
			domain.FieldErrors{"urgency": "error.choose_one"}},
		{"details over 500 characters", oneToOne, aRide, func(f *domain.RequestForm) { f.Details = strings.Repeat("字", 501) },
			domain.FieldErrors{"details": "error.too_long"}},
		{"details with a control character", oneToOne, aRide, func(f *domain.RequestForm) { f.Details = "行李\x00" },
			domain.FieldErrors{"details": "error.invalid_characters"}},
		{"a child who is not hers", tutoring, aLesson, func(f *domain.RequestForm) { f.ChildIDs = []int64{8, 99} },
			domain.FieldErrors{"children": "error.choose_one"}},
		{"no child", tutoring, aLesson, func(f *domain.RequestForm) { f.ChildIDs = nil },
			domain.FieldErrors{"children": "care.error.choose_child"}},
		{"an unknown subject", tutoring, aLesson, func(f *domain.RequestForm) { f.Subject = "alchemy" },
			domain.FieldErrors{"subject": "error.choose_one"}},
		{"an inactive program", domain.ProgramInfo{ID: 1, Code: "one_to_one", Kind: "service"}, aRide, func(*domain.RequestForm) {},
			domain.FieldErrors{"program": "care.error.program_inactive"}},
		{"a benefit program", vouchers, aRide, func(*domain.RequestForm) {},
			domain.FieldErrors{"program": "care.error.not_service", "category": "error.choose_one"}},
		{"counselling without consent", counselling, aRide, func(f *domain.RequestForm) { f.Category = domain.CategoryCounselling },
			domain.FieldErrors{"consent": "care.error.consent_required"}},
		{"tutoring without consent", tutoring, aLesson, func(f *domain.RequestForm) { f.Consent = false },
			domain.FieldErrors{"consent": "care.error.consent_required"}},
		{"companionship without consent", tutoring, aLesson, func(f *domain.RequestForm) {
			f.Category, f.Place, f.Consent = domain.CategoryCompanionship, "", false
		}, domain.FieldErrors{"consent": "care.error.consent_required"}},
		{"a ride without pickup", oneToOne, aRide, func(f *domain.RequestForm) { f.Pickup = "  " },
			domain.FieldErrors{"pickup": "error.required"}},
		{"a ride without destination", oneToOne, aRide, func(f *domain.RequestForm) { f.Destination = "" },
			domain.FieldErrors{"destination": "error.required"}},
		{"an errand without a place", oneToOne, aRide, func(f *domain.RequestForm) { f.Category = domain.CategoryErrand },
			domain.FieldErrors{"place": "error.required"}},
		{"a category of another program", oneToOne, aRide, func(f *domain.RequestForm) {
			f.Category, f.Consent = domain.CategoryCounselling, true
		}, domain.FieldErrors{"category": "error.choose_one"}},
		{"no category", oneToOne, aRide, func(f *domain.RequestForm) { f.Category = "" },
			domain.FieldErrors{"category": "error.choose_one", "place": "error.required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.form()
			tc.change(&f)
			_, fe := f.Check(tc.program, formNow, myChildren)
			if !maps.Equal(fe, tc.want) {
				t.Errorf("errors %v, want %v", fe, tc.want)
			}
		})
	}
}

func TestRequestFormLimitsAreInclusive(t *testing.T) {
	f := aRide()
	f.Details = strings.Repeat("字", domain.DetailsMaxLen)
	f.Pickup = strings.Repeat("路", domain.PlaceMaxLen)
	f.From, f.To = "０７:００", "8:00" // full-width digits, as a Chinese keyboard types them
	r, fe := f.Check(oneToOne, formNow, myChildren)
	if len(fe) != 0 {
		t.Fatalf("details of 500 and a pickup of 100 characters got errors %v", fe)
	}
	if h := r.Occurrences[0].Start.In(domain.Shanghai).Hour(); h != 7 {
		t.Errorf("full-width 07:00 read as %d o'clock", h)
	}
}
