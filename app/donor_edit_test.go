package app

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

func TestEditAndMergeDonors(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	fin, u := ta.account(domain.RoleFinance, "13800000002")
	auditor, _ := ta.account(domain.RoleAuditor, "13800000004")
	actor := repository.Actor{UserID: u.ID}
	kept, _ := ta.store.CreateDonor(ctx, actor, domain.Donor{Kind: "individual", Name: "林小红", PublishName: true})
	dup, _ := ta.store.CreateDonor(ctx, actor, domain.Donor{Kind: "individual", Name: "林小红"})
	for i, donor := range []int64{kept, dup, dup} {
		if _, _, err := ta.store.RecordDonation(ctx, actor, repository.DonationRequest{Key: "m" + itoa(int64(i)), DonorID: donor,
			Input: domain.DonationInput{Amount: 100_00, Channel: "cash", ReceivedOn: domain.Today(ta.store.Now())}}); err != nil {
			t.Fatal(err)
		}
	}
	mustNotContain(t, auditor.get("/admin/donors/"+itoa(kept)), "/edit", "/merge")

	// Withdrawn consent: the public list stops naming her at once. Bad input keeps what was typed.
	edit := fin.get("/admin/donors/" + itoa(kept) + "/edit")
	mustContain(t, edit, `value="林小红"`, `name="publish_name" value="yes" checked`)
	r := fin.post("/admin/donors/"+itoa(kept), url.Values{"donor_kind": {"individual"}, "donor_name": {"林小红"},
		"donor_email": {"not-an-email"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad e-mail: %d", r.Status)
	}
	mustContain(t, r, "not-an-email", "请输入有效的电子邮箱")
	if r := fin.post("/admin/donors/"+itoa(kept), url.Values{"donor_kind": {"individual"}, "donor_name": {"林小红"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.Status)
	}
	mustNotContain(t, ta.client().get("/transparency"), "林小红")

	merge := fin.get("/admin/donors/" + itoa(kept) + "/merge")
	mustContain(t, merge, `name="duplicate" value="`+itoa(dup)+`"`)
	mustNotContain(t, merge, `name="duplicate" value="`+itoa(kept)+`"`)
	r = fin.post("/admin/donors/"+itoa(kept)+"/merge", url.Values{"duplicate": {itoa(dup)}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("merge without confirming: %d", r.Status)
	}
	mustContain(t, r, "请先勾选确认是同一捐赠人")
	r = fin.post("/admin/donors/"+itoa(kept)+"/merge", url.Values{"duplicate": {itoa(dup)}, "same": {"yes"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("merge: %d", r.Status)
	}
	page := fin.get(r.Location)
	mustContain(t, page, "已合并", "¥300.00")
	if r := fin.get("/admin/donors/" + itoa(dup)); r.Location != "/admin/donors/"+itoa(kept) {
		t.Errorf("the duplicate's page: %d %q", r.Status, r.Location)
	}
	// Merging it again is refused in words.
	r = fin.post("/admin/donors/"+itoa(kept)+"/merge", url.Values{"duplicate": {itoa(dup)}, "same": {"yes"}})
	mustContain(t, fin.get(r.Location), "已被合并")
}
