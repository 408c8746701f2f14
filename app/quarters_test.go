package app

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"guanai/domain"
	"guanai/repository"
)

// Finance closes last quarter once its report is out; a gift received then but recorded afterwards counts in this
// quarter, as its page says, and last quarter's published report does not move.
func TestClosingAQuarterThroughThePages(t *testing.T) {
	ta := newTestApp(t)
	fin, finUser := ta.account(domain.RoleFinance, "13800000002")
	auditor, _ := ta.account(domain.RoleAuditor, "13800000004")
	last := domain.QuarterOf(ta.store.Now()).Prev()
	inLast := last.Start().AddDate(0, 0, 10)
	give := func(key string, amount domain.Money) int64 {
		id, _, err := ta.store.RecordDonation(context.Background(), repository.Actor{UserID: finUser.ID, IP: "test"},
			repository.DonationRequest{Key: key, NewDonor: &domain.Donor{Kind: domain.DonorIndividual, Name: "陈爱心"},
				Input: domain.DonationInput{Amount: amount, Channel: "cash", ReceivedOn: inLast}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	give("q-1", 500_00)

	page := fin.get("/admin/quarters")
	mustContain(t, page, quarterName(ta.app.tr.zh, last), `name="quarter" value="`+last.String()+`"`, "未结账")
	mustNotContain(t, auditor.get("/admin/quarters"), `action="/admin/quarters/close"`)

	// Closing needs the confirmation that the report is published.
	r := fin.post("/admin/quarters/close", url.Values{"quarter": {last.String()}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close without confirming: %d", r.Status)
	}
	mustContain(t, r, "请先确认报告已经公布")
	report := fin.get("/transparency/report?q=" + last.String())
	mustNotContain(t, report, "已结账发布")
	if r := fin.post("/admin/quarters/close", url.Values{"quarter": {last.String()}, "published": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	mustContain(t, fin.get("/admin/quarters"), "已结账", "季度已结账。")
	published := ta.client().get("/transparency/report?q=" + last.String())
	mustContain(t, published, "已结账发布", "¥500.00")

	late := give("q-2", 80_00)
	mustContain(t, fin.get("/admin/donations/"+itoa(late)), "已结账，这笔捐赠计入"+quarterName(ta.app.tr.zh, last.Next()))
	again := ta.client().get("/transparency/report?q=" + last.String())
	if regexpFind(t, again.Body, `id="income">([^<]+)<`) != "¥500.00" {
		t.Errorf("the published quarter's income moved: %s", regexpFind(t, again.Body, `id="income">([^<]+)<`))
	}
	mustContain(t, ta.client().get("/transparency/report"), "以前已结账季度收到")
	// Closing it twice, or the quarter under way, is refused in words.
	r = fin.post("/admin/quarters/close", url.Values{"quarter": {last.String()}, "published": {"yes"}})
	mustContain(t, fin.get(r.Location), "这个季度已经结账了")
}
