package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

func TestCoordinatorVerifiesStaffAndVolunteer(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")
	staff := registerTestStaff(t, ta, "13900000011", "孙丽华")
	volClient := ta.client()
	if r := volClient.post("/register/volunteer", volunteerForm("13700000011", testIDNumber)); r.Status != http.StatusSeeOther {
		t.Fatalf("volunteer: %d", r.Status)
	}
	vol, _ := ta.store.UserByPhone(ctx, "13700000011")

	q := coord.get("/admin/verification")
	mustContain(t, q, "孙丽华", "赵志强", "139****0011")
	mustNotContain(t, q, "13900000011")

	// Rejecting needs a reason; the form says so and nothing changes.
	r := coord.post("/admin/people/"+itoa(staff.ID)+"/reject", url.Values{"reason": {""}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reject without reason: %d", r.Status)
	}
	mustContain(t, r, "请填写原因")
	// The home's figures are kept for half a minute, but a decision taken here shows in them at once.
	pending := `<span class="num">%d</span><span>待审核人员</span>`
	mustContain(t, coord.get("/admin"), fmt.Sprintf(pending, 2), "数据截至")
	if r := coord.post("/admin/people/"+itoa(staff.ID)+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	mustContain(t, coord.get("/admin"), fmt.Sprintf(pending, 1))
	if u, _ := ta.store.UserByID(ctx, staff.ID); u.Status != domain.StatusActive {
		t.Fatalf("staff status %s", u.Status)
	}
	// A second approval (another coordinator a moment later) is reported, not applied twice.
	coord.post("/admin/people/"+itoa(staff.ID)+"/approve", nil)
	mustContain(t, coord.get("/admin/verification"), "其他协调员已经处理过这一项")

	if r := coord.post("/admin/people/"+itoa(vol.ID)+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve volunteer: %d", r.Status)
	}
	p, err := ta.store.PersonByID(ctx, vol.ID)
	if err != nil || len(p.Qualifications) != 2 {
		t.Fatalf("qualifications %+v %v", p.Qualifications, err)
	}
	driver, errands := p.Qualifications[0], p.Qualifications[1]
	coord.post("/admin/qualifications/"+itoa(driver.ID)+"/verify", nil)
	coord.post("/admin/qualifications/"+itoa(errands.ID)+"/reject", url.Values{"reason": {"请补充说明"}})
	home := volClient.get("/volunteer")
	mustContain(t, home, "已核验", "未通过", "请补充说明")
	// Nothing is left in the queue.
	mustContain(t, coord.get("/admin/verification"), "没有待审核的人员")
}

func TestRejectedStaffSeesReason(t *testing.T) {
	ta := newTestApp(t)
	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")
	staff := registerTestStaff(t, ta, "13900000012", "郑海峰")
	coord.post("/admin/people/"+itoa(staff.ID)+"/reject", url.Values{"reason": {"不在一线名单且无法核实"}})
	r := ta.client().login("13900000012", testPassword)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("rejected login: %d", r.Status)
	}
	mustContain(t, r, "不在一线名单且无法核实")
}

func TestRevealIsAudited(t *testing.T) {
	ta := newTestApp(t)
	auditor, who := ta.account(domain.RoleAuditor, "13800000004")
	staff := registerTestStaff(t, ta, "13900000013", "吴静")
	page := auditor.get("/admin/people/" + itoa(staff.ID))
	mustContain(t, page, "139****0013", "查看完整号码")
	mustNotContain(t, page, "13900000013")
	list := auditor.get("/admin/people?role=staff")
	mustContain(t, list, "139****0013")
	mustNotContain(t, list, "13900000013")

	r := auditor.post("/admin/people/"+itoa(staff.ID)+"/reveal", nil)
	mustContain(t, r, "13900000013", "本次查看已记录")
	log, err := ta.store.AuditLog(context.Background(), repository.AuditFilter{SubjectUserID: staff.ID}, domain.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if events := log.Rows; len(events) == 0 || events[0].Action != "phone.reveal" || events[0].ActorID == nil || *events[0].ActorID != who.ID {
		t.Fatalf("newest event %+v, want a reveal by the auditor", events)
	}
	mustContain(t, auditor.get("/admin/audit"), "查看完整手机号", "吴静")
}

func TestCoordinatorCannotTouchOperatorAccounts(t *testing.T) {
	ta := newTestApp(t)
	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")
	_, adminUser := ta.account(domain.RoleAdmin, "13800000001")
	for _, path := range []string{"/reset-link", "/reveal"} {
		r := coord.post("/admin/people/"+itoa(adminUser.ID)+path, nil)
		if r.Status != http.StatusNotFound {
			t.Errorf("coordinator POST %s on the admin: %d, want 404", path, r.Status)
		}
		mustNotContain(t, r, "/reset/", "13800000001")
	}
	if r := coord.get("/admin/people/" + itoa(adminUser.ID)); r.Status != http.StatusNotFound {
		t.Errorf("coordinator sees the admin's page: %d", r.Status)
	}
}
