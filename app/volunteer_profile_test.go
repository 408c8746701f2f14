package app

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// profileForm is a volunteer's profile form: a driver (with the plate registered) who also runs errands, with
// changes.
func profileForm(changes url.Values) url.Values {
	f := url.Values{"districts": {"shangcheng", "gongshu"}, "qualifications": {"driver", "errands"},
		"detail_driver": {"浙A·D12345"}, "vehicle_seats": {"4"}, "availability": {"mon_eve", "sat_am"}, "capacity": {"2"}}
	for k, v := range changes {
		f[k] = v
	}
	return f
}

func TestVolunteerKeepsTheirFacts(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	vol := ta.client()
	if r := vol.post("/register/volunteer", volunteerForm("13700001111", testIDNumber)); r.Status != http.StatusSeeOther {
		t.Fatalf("register: %d", r.Status)
	}
	u, err := ta.store.UserByPhone(ctx, "13700001111")
	if err != nil {
		t.Fatal(err)
	}
	_, coordinator := ta.account(domain.RoleCoordinator, "13800000003")
	person := func() repository.Person {
		t.Helper()
		p, err := ta.store.PersonByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, q := range person().Qualifications {
		if _, err := ta.store.DecideQualification(ctx, repository.Actor{UserID: coordinator.ID, Role: domain.RoleCoordinator}, q.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	status := func() map[string]domain.QualificationStatus {
		out := map[string]domain.QualificationStatus{}
		for _, q := range person().Qualifications {
			out[q.Code] = q.Status
		}
		return out
	}

	mustContain(t, vol.get("/volunteer"), `href="/volunteer/profile"`)
	page := vol.get("/volunteer/profile")
	mustContain(t, page, `name="districts" value="shangcheng" checked`, `value="浙A·D12345"`, `value="mon_eve"`, "已核验",
		`name="capacity" inputmode="numeric" maxlength="2" value="2"`, "数学", "幼儿园")
	mustNotContain(t, page, `name="districts" value="xihu" checked`)

	// A new plate and a new qualification go back to a coordinator; the errands, unchanged, stay verified.
	r := vol.post("/volunteer/profile", profileForm(url.Values{"districts": {"xihu"}, "qualifications": {"driver", "errands", "tutor"},
		"detail_driver": {"浙A·D99999"}, "vehicle_seats": {"6"}, "detail_tutor": {"初中数学、物理"}, "subjects": {"math", "physics"},
		"grade_from": {"g7"}, "grade_to": {"g9"}, "availability": {"sat_am", "sun_pm"}, "capacity": {"3"}}))
	if r.Status != http.StatusSeeOther || r.Location != "/volunteer" {
		t.Fatalf("save: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	mustContain(t, vol.get(r.Location), "新增或改动的资质将由协调员重新核验", "浙A·D99999")
	want := map[string]domain.QualificationStatus{"driver": domain.QualificationPending, "errands": domain.QualificationVerified,
		"tutor": domain.QualificationPending}
	if got := status(); !maps.Equal(got, want) {
		t.Errorf("qualifications %v, want %v", got, want)
	}
	p := person()
	for _, q := range p.Qualifications {
		if q.Code == "driver" && (q.DecidedAt != nil || q.Detail != "浙A·D99999") {
			t.Errorf("the driver's new plate keeps the old decision: %+v", q)
		}
	}
	v := p.Volunteer
	if !slices.Equal(v.Districts, []string{"xihu"}) || !slices.Equal(v.Availability, []string{"sat_am", "sun_pm"}) || v.Capacity != 3 ||
		v.VehicleSeats == nil || *v.VehicleSeats != 6 || !slices.Equal(v.Subjects, []string{"math", "physics"}) ||
		v.GradeFrom == nil || *v.GradeFrom != 7 || v.GradeTo == nil || *v.GradeTo != 9 {
		t.Errorf("stored %+v", v)
	}
	before, after := auditChange(t, ta, "account.profile", itoa(u.ID))
	bq, aq := before["qualifications"].(map[string]any), after["qualifications"].(map[string]any)
	if bq["driver"] != "verified" || aq["driver"] != "pending" || aq["errands"] != "verified" || bq["tutor"] != nil || aq["tutor"] != "pending" {
		t.Errorf("audit qualifications %v → %v", bq, aq)
	}
	if after["capacity"] != 3.0 || before["capacity"] != 2.0 || after["vehicle_seats"] != 6.0 {
		t.Errorf("audit %v → %v", before, after)
	}
	coord := ta.client()
	coord.login("13800000003", testPassword)
	mustContain(t, coord.get("/admin/verification"), "浙A·D99999", "初中数学、物理")
	mustContain(t, coord.get("/admin/people/"+itoa(u.ID)), "西湖区", "<dd>6</dd>", "数学、物理", "初一–初三")

	// The same facts again change no status; a qualification unticked is gone, and with it what only it needed.
	if r := vol.post("/volunteer/profile", profileForm(url.Values{"districts": {"xihu"}, "qualifications": {"driver", "errands"},
		"detail_driver": {"浙A·D99999"}, "vehicle_seats": {"6"}, "subjects": {"math"}, "grade_from": {"g1"}})); r.Status != http.StatusSeeOther {
		t.Fatalf("drop the tutoring: %d\n%s", r.Status, r.Body)
	}
	want = map[string]domain.QualificationStatus{"driver": domain.QualificationPending, "errands": domain.QualificationVerified}
	if got := status(); !maps.Equal(got, want) {
		t.Errorf("qualifications %v, want %v", got, want)
	}
	if v := person().Volunteer; v.Subjects == nil || len(v.Subjects) != 0 || v.GradeFrom != nil || v.GradeTo != nil {
		t.Errorf("a volunteer who no longer tutors keeps subjects %v and grades %v–%v", v.Subjects, v.GradeFrom, v.GradeTo)
	}

	// Bad input comes back with what was typed and the message at the field; nothing changes.
	for _, c := range []struct {
		name    string
		changes url.Values
		typed   string
		message string
	}{
		{"grades backwards", url.Values{"qualifications": {"driver", "tutor"}, "detail_tutor": {"小学数学"}, "subjects": {"math"},
			"grade_from": {"g6"}, "grade_to": {"g2"}}, `<option value="g6" selected>`, "结束年级不能早于开始年级。"},
		{"no seats", url.Values{"vehicle_seats": {"0"}}, `value="0"`, "请填写 1 到 9 之间的数字。"},
		{"unknown district", url.Values{"districts": {"xihu", "pudong"}}, `value="xihu" checked`, "请从列表中选择。"},
		{"capacity 11", url.Values{"capacity": {"11"}}, `value="11"`, "请填写 1 到 10 之间的数字。"},
		{"no availability", url.Values{"availability": nil}, `value="浙A·D12345"`, "请至少选择一项。"},
	} {
		r := vol.post("/volunteer/profile", profileForm(c.changes))
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", c.name, r.Status)
			continue
		}
		mustContain(t, r, c.typed, c.message, `class="flash error error-summary"`)
	}
	vol.post("/lang", url.Values{"lang": {"en"}})
	r = vol.post("/volunteer/profile", profileForm(url.Values{"vehicle_seats": {"10"}, "capacity": {"0"}}))
	mustContain(t, r, `value="10"`, "Enter a number from 1 to 9.", "Enter a number from 1 to 10.", "Passenger seats in your car")
	if v := person().Volunteer; v.Capacity != 2 || *v.VehicleSeats != 6 || !slices.Equal(v.Districts, []string{"xihu"}) {
		t.Errorf("a refused edit changed the profile: %+v", v)
	}
}
