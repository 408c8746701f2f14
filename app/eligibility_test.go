package app

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"guanai/domain"
)

// upload posts a file to the eligibility list as the browser's multipart form does.
func (c *client) upload(path, filename string, content []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.csrf())
	fw, _ := w.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.ta.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept-Language", "zh-CN")
	return c.do(req)
}

const eligibilityCSV = "姓名,手机号,医院,类别\n" +
	"周建国,13900000021,杭州市西溪医院,定点医院一线医务人员\n" +
	"孙丽华,13900000022,杭州市疾病预防控制中心,cdc\n" +
	"坏数据,12345,杭州市西溪医院,designated\n"

func TestEligibilityImportActivatesMatchingStaff(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	coord, _ := ta.account(domain.RoleCoordinator, "13800000003")
	waiting := registerTestStaff(t, ta, "13900000021", "周建国")

	gbk, err := simplifiedchinese.GBK.NewEncoder().String(eligibilityCSV)
	if err != nil {
		t.Fatal(err)
	}
	r := coord.upload("/admin/eligibility/upload", "名单.csv", []byte(gbk))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	preview := coord.get(r.Location)
	mustContain(t, preview, "2 行可导入，1 行有问题", "手机号不正确", "周建国", "确认导入 2 行")
	// Nothing is written before confirmation.
	if u, _ := ta.store.UserByID(ctx, waiting.ID); u.Status != domain.StatusPending {
		t.Fatalf("activated before confirmation: %s", u.Status)
	}
	confirm := coord.post(r.Location+"/confirm", nil)
	if confirm.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", confirm.Status)
	}
	mustContain(t, coord.get(confirm.Location), "新增 2", "跳过 1", "自动认证 1 人")
	if u, _ := ta.store.UserByID(ctx, waiting.ID); u.Status != domain.StatusActive {
		t.Fatalf("matching staff not activated: %s", u.Status)
	}
	coord.post(r.Location+"/confirm", nil)
	mustContain(t, coord.get(r.Location), "这份名单已经导入过了")

	// The same list again as XLSX, with one hospital changed: one update, no duplicates.
	x := excelize.NewFile()
	rows := [][]any{{"name", "phone", "hospital", "category"},
		{"周建国", "13900000021", "浙江省人民医院", "designated"}, {"孙丽华", "13900000022", "杭州市疾病预防控制中心", "cdc"}}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = x.SetSheetRow("Sheet1", cell, &row)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r = coord.upload("/admin/eligibility/upload", "list.xlsx", buf.Bytes())
	if r.Status != http.StatusSeeOther {
		t.Fatalf("xlsx upload: %d %s", r.Status, r.Body)
	}
	confirm = coord.post(r.Location+"/confirm", nil)
	mustContain(t, coord.get(confirm.Location), "新增 0，更新 1，未变 1")
	counts, _ := ta.store.HomeCounts(ctx)
	if counts.EligibilityEntries != 2 {
		t.Fatalf("%d entries after importing twice, want 2", counts.EligibilityEntries)
	}
	// A staff member on the list who registers now is active at once.
	c := ta.client()
	c.post("/register/staff", staffForm("孙丽华", "13900000022"))
	mustContain(t, c.get("/staff"), "您的身份已认证")
}

func TestEligibilityUploadProblems(t *testing.T) {
	ta := newTestApp(t)
	coord, _ := ta.account(domain.RoleAdmin, "13800000001")
	r := coord.upload("/admin/eligibility/upload", "list.csv", []byte("foo,bar\n1,2\n"))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad header: %d", r.Status)
	}
	mustContain(t, r, "第一行缺少这些列", "name, phone, hospital, category")
	r = coord.upload("/admin/eligibility/upload", "list.pdf", []byte("%PDF-1.4"))
	mustContain(t, r, "无法读取此文件")
	r = coord.upload("/admin/eligibility/upload", "list.xlsx", []byte("not a zip"))
	mustContain(t, r, "无法读取此文件")
	big := strings.Repeat("x", 13<<20)
	r = coord.upload("/admin/eligibility/upload", "big.csv", []byte(big))
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("13 MB upload: %d", r.Status)
	}
	mustContain(t, r, "文件太大")
}
