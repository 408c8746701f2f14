package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /admin/programs":          readers,
		"GET /admin/programs/:id/edit": admin,
		"POST /admin/programs/:id":     admin,
		"GET /volunteer/profile":       {domain.RoleVolunteer},
		"POST /volunteer/profile":      {domain.RoleVolunteer},
	})
}

// programID is the id of the program with a code.
func programID(t *testing.T, ta *testApp, code string) string {
	t.Helper()
	var id int64
	if err := ta.store.SQL().QueryRow(`SELECT id FROM programs WHERE code = $1`, code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return itoa(id)
}

// counsellingForm is the counselling program's edit form as its page shows it, with changes.
func counsellingForm(changes url.Values) url.Values {
	f := url.Values{"name_zh": {"心理疏导"}, "name_en": {"Psychological counselling"},
		"description_zh": {"由持证心理咨询师提供一对一疏导。"}, "description_en": {"One-to-one support from a licensed counsellor."},
		"active": {"yes"}, "qualification": {"licensed_counsellor"}, "sensitive": {"yes"},
		"offers_emergency": {"5"}, "minutes_emergency": {"10"}, "offers_urgent": {"3"}, "minutes_urgent": {"30"},
		"offers_normal": {"3"}, "minutes_normal": {"120"}, "daily_offer_cap": {"5"}}
	for k, v := range changes {
		f[k] = v
	}
	return f
}

// auditChange is the before and after of the newest audit event of an action about a subject.
func auditChange(t *testing.T, ta *testApp, action string, subject string) (before, after map[string]any) {
	t.Helper()
	var b, a string
	err := ta.store.SQL().QueryRow(`SELECT coalesce(before::text, '{}'), coalesce(after::text, '{}') FROM audit_events
		WHERE action = $1 AND subject_id = $2 ORDER BY id DESC LIMIT 1`, action, subject).Scan(&b, &a)
	if err != nil {
		t.Fatalf("no %s event about %s: %v", action, subject, err)
	}
	if err := json.Unmarshal([]byte(b), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(a), &after); err != nil {
		t.Fatal(err)
	}
	return before, after
}

func TestAdminEditsAProgram(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	adm, _ := ta.account(domain.RoleAdmin, "13800000001")
	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")
	id := programID(t, ta, "counselling")

	// Everyone who runs or checks the care work reads the list; only the admin is offered the edit.
	list := coord.get("/admin/programs")
	mustContain(t, list, "心理疏导", "持证心理咨询师", "紧急 每轮 5 人，10 分钟", "普通 每轮 3 人，2 小时", "每人每天最多 5 个邀请", "关爱金")
	mustNotContain(t, list, "/admin/programs/"+id+"/edit")
	if r := coord.get("/admin/programs/" + id + "/edit"); r.Status != http.StatusForbidden {
		t.Errorf("a coordinator opens the edit form: %d", r.Status)
	}
	if r := coord.post("/admin/programs/"+id, counsellingForm(nil)); r.Status != http.StatusForbidden {
		t.Errorf("a coordinator saves a program: %d", r.Status)
	}
	mustContain(t, adm.get("/admin"), `href="/admin/programs"`)
	mustContain(t, adm.get("/admin/programs"), `href="/admin/programs/`+id+`/edit"`)

	edit := adm.get("/admin/programs/" + id + "/edit")
	mustContain(t, edit, `value="心理疏导"`, `name="active" value="yes" checked`, `name="sensitive" value="yes" checked`,
		`<option value="licensed_counsellor" selected>`, `name="offers_emergency" inputmode="numeric" maxlength="3" value="5"`,
		`name="minutes_normal" inputmode="numeric" maxlength="4" value="120"`, `name="daily_offer_cap" inputmode="numeric" maxlength="3" value="5"`)

	// Switched off, renamed, offered wider and faster: saved, shown, and audited before and after.
	r := adm.post("/admin/programs/"+id, counsellingForm(url.Values{"active": nil, "name_zh": {"心理疏导与陪伴"},
		"offers_emergency": {"8"}, "minutes_normal": {"９０"}, "daily_offer_cap": {"7"}, "qualification": {""}}))
	if r.Status != http.StatusSeeOther || r.Location != "/admin/programs" {
		t.Fatalf("save: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	list = adm.get(r.Location)
	mustContain(t, list, "项目已保存。", "心理疏导与陪伴", "已停用", "紧急 每轮 8 人，10 分钟", "普通 每轮 3 人，1 小时 30 分钟", "每人每天最多 7 个邀请")
	pid, _ := strconv.ParseInt(id, 10, 64)
	p, err := ta.store.ProgramForEdit(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Active || p.NameZh != "心理疏导与陪伴" || p.OffersEmergency != 8 || p.MinutesNormal != 90 || p.DailyOfferCap != 7 ||
		p.Qualification != nil || !p.Sensitive || p.MinutesEmergency != 10 {
		t.Errorf("stored %+v", p)
	}
	before, after := auditChange(t, ta, "program.update", itoa(pid))
	want := map[string][2]any{"active": {true, false}, "name_zh": {"心理疏导", "心理疏导与陪伴"}, "offers_emergency": {5.0, 8.0},
		"minutes_normal": {120.0, 90.0}, "daily_offer_cap": {5.0, 7.0}, "qualification": {"licensed_counsellor", nil}}
	for k, w := range want {
		if before[k] != w[0] || after[k] != w[1] {
			t.Errorf("audit %s: %v → %v, want %v → %v", k, before[k], after[k], w[0], w[1])
		}
	}
	if len(after) != len(want) {
		t.Errorf("audit after holds %v: want only what changed", after)
	}
	mustContain(t, adm.get("/admin/audit?area=programs"), "修改", `关爱项目 <span class="nowrap">#`+id+`</span>`, "紧急每轮邀请人数", "接受申请")

	// Bad input comes back with what was typed and the message at each field, in both languages; nothing is saved.
	bad := url.Values{"name_zh": {""}, "offers_urgent": {"0"}, "minutes_emergency": {"abc"}, "daily_offer_cap": {"101"},
		"description_en": {strings.Repeat("x", 501)}, "qualification": {"pilot"}}
	r = adm.post("/admin/programs/"+id, counsellingForm(bad))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", r.Status)
	}
	mustContain(t, r, `value="abc"`, `value="101"`, `value="0"`, "请填写此项", "请填写 1 到 50 之间的整数。",
		"请填写 1 到 1440 之间的整数（分钟）。", "请填写 1 到 100 之间的整数。", "请从列表中选择。", `href="#minutes_emergency"`)
	adm.post("/lang", url.Values{"lang": {"en"}})
	r = adm.post("/admin/programs/"+id, counsellingForm(bad))
	mustContain(t, r, `value="abc"`, "Enter a whole number from 1 to 50.", "Enter a whole number of minutes from 1 to 1440.",
		"Enter a whole number from 1 to 100.", "This is too long.", "Please fill this in.")
	adm.post("/lang", url.Values{"lang": {"zh-CN"}})
	if p, _ := ta.store.ProgramForEdit(ctx, pid); p.OffersUrgent != 3 || p.NameZh != "心理疏导与陪伴" {
		t.Errorf("a refused edit changed the program: %+v", p)
	}

	// A grant program has no volunteers to dispatch to: no qualification, no dispatch settings on its form.
	grant := programID(t, ta, "care_fund")
	edit = adm.get("/admin/programs/" + grant + "/edit")
	mustContain(t, edit, `value="关爱基金"`)
	mustNotContain(t, edit, `name="offers_emergency"`, `name="qualification"`)
	r = adm.post("/admin/programs/"+grant, url.Values{"name_zh": {"关爱基金"}, "name_en": {"Care fund grants"}, "active": {"yes"},
		"qualification": {"tutor"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a grant needing a tutor: %d", r.Status)
	}
	mustContain(t, r, "只有志愿服务类项目需要志愿者资质。")
	if r := adm.post("/admin/programs/"+grant, url.Values{"name_zh": {"关爱基金"}, "name_en": {"Care fund grants"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("switch the grant off: %d\n%s", r.Status, r.Body)
	}
	if r := adm.get("/admin/programs/999999/edit"); r.Status != http.StatusNotFound {
		t.Errorf("no such program: %d", r.Status)
	}
}

// The names the programs' pages compose from codes (printf "subject.%s"), which the scan of templates cannot see.
func TestProgramWordsAreTranslated(t *testing.T) {
	zh, en := loadMessages(t, "zh-CN"), loadMessages(t, "en")
	var keys []string
	for _, s := range domain.Subjects {
		keys = append(keys, "subject."+s)
	}
	for _, u := range domain.Urgencies {
		keys = append(keys, "programs.urgency_"+u)
	}
	for _, k := range []string{domain.ProgramService, domain.ProgramBenefit, domain.ProgramGrant} {
		keys = append(keys, "programs.kind_"+k)
	}
	for _, k := range keys {
		if zh[k] == "" || en[k] == "" {
			t.Errorf("%s: zh %q, en %q", k, zh[k], en[k])
		}
	}
}

func TestAuditWordsTellProgramsAndProfiles(t *testing.T) {
	tr := newTranslator()
	id := func(n int64) *int64 { return &n }
	vol := repository.AuditSubject{Found: true, Name: "赵志强", Role: domain.RoleVolunteer}
	for _, c := range []struct {
		name string
		lang string
		e    repository.AuditEntry
		want string
	}{
		{"a program switched off and offered wider", langZh,
			repository.AuditEntry{ActorID: id(1), ActorName: "张管理", Action: "program.update", SubjectType: "program", SubjectID: id(2),
				Before: `{"active":true,"offers_emergency":5,"qualification":"licensed_counsellor"}`,
				After:  `{"active":false,"offers_emergency":8,"qualification":null}`},
			"张管理 修改 关爱项目 #2 | 接受申请 是 → 否; 所需资质 持证心理咨询师 → —; 紧急每轮邀请人数 5 → 8"},
		{"a volunteer's facts", langEn,
			repository.AuditEntry{ActorID: id(5), ActorName: "赵志强", Action: "account.profile", SubjectType: "user", SubjectID: id(5), Subject: vol,
				Before: `{"districts":["shangcheng"],"availability":["mon_eve"],"capacity":2,"vehicle_seats":null,"subjects":null,"grade_from":null,"qualifications":{"driver":"verified","tutor":null}}`,
				After:  `{"districts":["xihu","gongshu"],"availability":["sat_am"],"capacity":3,"vehicle_seats":4,"subjects":["math"],"grade_from":7,"qualifications":{"driver":"pending","tutor":"pending"}}`},
			"赵志强 updated the volunteering details of 赵志强 · Volunteer | districts Shangcheng → Xihu, Gongshu; availability Mon evening → Sat morning; " +
				"pairings at once 2 → 3; passenger seats 4; subjects Maths; from grade Grade 7; Driver with own vehicle Verified → Pending check; Tutor Pending check"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Page{Lang: c.lang, loc: tr.localizer(c.lang), User: &domain.User{Role: domain.RoleAdmin},
				may: func(string) bool { return true }}
			if got := auditText(newAuditWords(p, nil).line(c.e)); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}
