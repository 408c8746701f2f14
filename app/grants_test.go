package app

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

func init() {
	s, v := []domain.Role{domain.RoleStaff}, []domain.Role{domain.RoleVolunteer}
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /staff/grants":              s,
		"GET /staff/grants/new":          s,
		"POST /staff/grants/upload":      s,
		"GET /staff/grants/:id":          s,
		"GET /staff/claims":              s,
		"GET /staff/claims/:id":          s,
		"POST /staff/claims/:id/confirm": s,
		"POST /staff/claims/:id/reject":  s,
		"GET /volunteer/claims":          v,
		"GET /volunteer/claims/new":      v,
		"POST /volunteer/claims/upload":  v,
		"GET /volunteer/claims/:id":      v,
		"GET /admin/grants":              ops,
		"GET /admin/grants/:id":          ops,
		"POST /admin/grants/:id/review":  coord,
		"POST /admin/grants/:id/approve": coord,
		"POST /admin/grants/:id/reject":  coord,
		"GET /admin/claims":              ops,
		"GET /admin/claims/:id":          ops,
		"POST /admin/claims/:id/confirm": coord,
		"POST /admin/claims/:id/reject":  coord,
		"GET /files/:id":                 anyone,
	})
}

// upFile is a file a test uploads: its name as the browser sends it, and its bytes.
type upFile struct {
	name string
	body []byte
}

// uploadForm submits a multipart form with the CSRF token, its fields and files (all as "files").
func (c *client) uploadForm(path string, fields url.Values, files ...upFile) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.csrf())
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := w.CreateFormFile("files", f.name)
		_, _ = fw.Write(f.body)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.ta.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept-Language", "zh-CN")
	return c.do(req)
}

// testPNG and testJPEG are small real pictures, as a phone would send (only larger).
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const testPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// grantWorld is a care world with money in the fund, two finance operators and an admin.
type grantWorld struct {
	*careWorld
	coord, finance, finance2, auditor *client
	coordUser                         domain.User
}

func newGrantWorld(t *testing.T) *grantWorld {
	t.Helper()
	w := &grantWorld{careWorld: newCareWorld(t)}
	ctx := context.Background()
	w.coord = w.login(mustUser(t, w.ta, "13800009901")).c
	w.coordUser = mustUser(t, w.ta, "13800009901")
	var fin domain.User
	w.finance, fin = w.ta.account(domain.RoleFinance, "13800009902")
	w.finance2, _ = w.ta.account(domain.RoleFinance, "13800009903")
	w.auditor, _ = w.ta.account(domain.RoleAuditor, "13800009904")
	donor, err := w.ta.store.CreateDonor(ctx, repository.Actor{UserID: fin.ID}, domain.Donor{Kind: "individual", Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	in := domain.DonationInput{Amount: 50_000_00, Channel: "cash"}
	in.ReceivedOn, _ = domain.ParseDate("2026-03-01")
	if _, _, err := w.ta.store.RecordDonation(ctx, repository.Actor{UserID: fin.ID}, repository.DonationRequest{Key: "k1", DonorID: donor, Input: in}); err != nil {
		t.Fatal(err)
	}
	return w
}

func mustUser(t *testing.T, ta *testApp, phone string) domain.User {
	t.Helper()
	u, err := ta.store.UserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestGrantAppliedApprovedAndPaid follows a hardship grant from the phone form to the ledger: she applies with a
// photo of a bill, a coordinator reviews it (every view of the photo audited) and approves it, which drafts the
// disbursement; finance — the two-person rule — approves and pays it; she reads 已拨付 with the date, and the ledger
// has the payment.
func TestGrantAppliedApprovedAndPaid(t *testing.T) {
	w := newGrantWorld(t)
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")

	home := lin.c.get("/staff")
	mustContain(t, home, `href="/staff/grants"`)
	page := lin.c.get("/staff/grants")
	wantStatus(t, "her grants", page, http.StatusOK)
	mustContain(t, page, `href="/staff/grants/new?program=care_fund"`, "最多 ¥10,000.00", "还没有申请")
	form := lin.c.get("/staff/grants/new?program=care_fund")
	wantStatus(t, "form", form, http.StatusOK)
	mustContain(t, form, `enctype="multipart/form-data"`, `inputmode="decimal"`, `type="file"`, "最多 ¥10,000.00")

	// Above the ceiling: refused at the amount, what she wrote kept.
	r := lin.c.uploadForm("/staff/grants/upload", url.Values{"program": {"care_fund"}, "amount": {"12000"}, "reason": {"住院手术自付部分"}},
		upFile{"账单.jpg", testJPEG(t)})
	wantStatus(t, "above the ceiling", r, http.StatusUnprocessableEntity)
	mustContain(t, r, "超过了这个项目的补助上限", "住院手术自付部分", `value="12000"`)

	r = lin.c.uploadForm("/staff/grants/upload", url.Values{"program": {"care_fund"}, "amount": {"3,000"}, "reason": {"住院手术自付部分"}},
		upFile{"账单.jpg", testJPEG(t)}, upFile{"诊断证明.pdf", []byte(testPDF)})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", r.Status, r.Body)
	}
	grant := r.Location
	id := strings.TrimPrefix(grant, "/staff/grants/")
	mine := lin.c.get(grant)
	wantStatus(t, "her application", mine, http.StatusOK)
	mustContain(t, mine, "申请已提交", "已提交", "¥3,000.00", "住院手术自付部分", "账单.jpg", "诊断证明.pdf")

	// The coordinator: the queue, the application with its documents, each view of a document audited.
	queue := w.coord.get("/admin/grants")
	mustContain(t, queue, "/admin/grants/"+id, "林晓梅", "¥3,000.00")
	review := w.coord.get("/admin/grants/" + id)
	wantStatus(t, "review", review, http.StatusOK)
	mustContain(t, review, "住院手术自付部分", "杭州市西溪医院", `action="/admin/grants/`+id+`/approve"`)
	photo := regexpFind(t, review.Body, `<img src="(/files/\d+)"`)
	doc := w.coord.get(photo)
	wantStatus(t, "the photo", doc, http.StatusOK)
	if doc.Header.Get("Content-Type") != "image/jpeg" || doc.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("photo served as %q, nosniff %q", doc.Header.Get("Content-Type"), doc.Header.Get("X-Content-Type-Options"))
	}
	pdf := regexpFind(t, review.Body, `<a class="row-main" href="(/files/\d+)" download>`)
	if d := w.coord.get(pdf); !strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment") || d.Body != testPDF {
		t.Errorf("the PDF: %q %q", d.Header.Get("Content-Disposition"), d.Body)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'document.view' AND actor_id = $1`, w.coordUser.ID); n != 2 {
		t.Errorf("%d views audited, want 2", n)
	}
	if d := lin.c.get(photo); d.Status != http.StatusOK { // her own: not audited
		t.Errorf("her own photo: %d", d.Status)
	}

	r = w.coord.post("/admin/grants/"+id+"/review", nil)
	mustContain(t, w.coord.get(r.Location), "已开始审核")
	mustContain(t, lin.c.get(grant), "审核中")
	// A rejection needs a reason.
	r = w.coord.post("/admin/grants/"+id+"/reject", url.Values{"reason": {""}})
	mustContain(t, w.coord.get(r.Location), "请填写原因")
	r = w.coord.post("/admin/grants/"+id+"/approve", nil)
	approved := w.coord.get(r.Location)
	mustContain(t, approved, "已批准，支出草稿已交财务审批")
	mustContain(t, lin.c.get(grant), "已批准 ¥3,000.00")
	// Approving again is refused, and makes no second draft.
	r = w.coord.post("/admin/grants/"+id+"/approve", nil)
	mustContain(t, w.coord.get(r.Location), "这份申请已经处理过了")
	if n := w.count(`SELECT count(*) FROM disbursements WHERE source_type = 'grant'`); n != 1 {
		t.Fatalf("%d drafts", n)
	}

	// Finance: the draft names its application, both ways; the coordinator made it, so finance may check it.
	var did int64
	if err := w.ta.store.SQL().QueryRow(`SELECT id FROM disbursements WHERE source_type = 'grant'`).Scan(&did); err != nil {
		t.Fatal(err)
	}
	mustContain(t, w.finance.get("/admin/grants/"+id), `href="/admin/disbursements/`+itoa(did)+`"`)
	d := w.finance.get("/admin/disbursements/" + itoa(did))
	mustContain(t, d, "补助申请 #"+id, `href="/admin/grants/`+id+`"`, "林晓梅", "¥3,000.00")
	if r := w.finance.post("/admin/disbursements/"+itoa(did)+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	w.clock.Advance(24 * time.Hour)
	if r := w.finance2.post("/admin/disbursements/"+itoa(did)+"/pay", url.Values{"bank_reference": {"BANK-778"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("pay: %d", r.Status)
	}
	paid := lin.c.get(grant)
	mustContain(t, paid, "已拨付 2026年3月8日")
	mustContain(t, lin.c.get("/staff/grants"), "已拨付 2026年3月8日")
	en := lin.c.getLang(grant, "en")
	mustContain(t, en, "Paid 8 Mar 2026")
	ledger := w.finance.get("/admin/ledger")
	mustContain(t, ledger, "关爱基金困难补助（申请 #"+id+"）", "¥3,000.00")
	inbox := lin.c.get("/inbox")
	mustContain(t, inbox, "您的补助申请正在审核", "您的补助申请已批准", "您的补助已拨付")
	mustContain(t, w.finance.get("/inbox"), "有一笔补助或报销的支出待审批")
}

// getLang opens a page in a language.
func (c *client) getLang(path, lang string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.ta.srv.URL+path, nil)
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// TestDocumentUploadsAreRefused: a renamed executable, a file over 5 MB, a "PNG" that is an HTML page, a PNG that
// is broken and a sixth file are each refused with their own message on the form, what she typed kept, and
// nothing stored.
func TestDocumentUploadsAreRefused(t *testing.T) {
	w := newGrantWorld(t)
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	zh := loadMessages(t, "zh-CN")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 200)...)
	big := append(testJPEG(t), bytes.Repeat([]byte{0}, domain.MaxDocumentBytes)...)
	html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	broken := testPNG(t)[:60]
	six := make([]upFile, 6)
	for i := range six {
		six[i] = upFile{fmt.Sprintf("账单%d.png", i+1), testPNG(t)}
	}
	for _, c := range []struct {
		what  string
		files []upFile
		key   string
		named string
	}{
		{"a renamed executable", []upFile{{"账单.jpg", exe}}, "uploads.document_type", "账单.jpg"},
		{"a file over 5 MB", []upFile{{"大照片.jpg", big}}, "uploads.document_too_big", "大照片.jpg"},
		{"a PNG that is HTML", []upFile{{"收据.png", html}}, "uploads.document_type", "收据.png"},
		{"a broken PNG", []upFile{{"坏图.png", broken}}, "uploads.document_unreadable", "坏图.png"},
		{"a sixth file", six, "uploads.document_too_many", ""},
	} {
		r := lin.c.uploadForm("/staff/grants/upload", url.Values{"program": {"care_fund"}, "amount": {"2000"},
			"reason": {"孩子住院"}}, c.files...)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", c.what, r.Status)
			continue
		}
		mustContain(t, r, template.HTMLEscapeString(zh[c.key]), `value="2000"`, "孩子住院", `action="/staff/grants/upload"`)
		if c.named != "" {
			mustContain(t, r, c.named+"：")
		}
	}
	if n := w.count(`SELECT count(*) FROM grant_applications`) + w.count(`SELECT count(*) FROM documents`); n != 0 {
		t.Errorf("%d rows stored", n)
	}
	// The claim form refuses the same way.
	v, sv := w.servedRide(lin)
	r := v.c.uploadForm("/volunteer/claims/upload", url.Values{"service": {itoa(sv)}, "category": {"parking"}, "amount": {"15"}},
		upFile{"停车.png", html})
	wantStatus(t, "claim with HTML", r, http.StatusUnprocessableEntity)
	mustContain(t, r, template.HTMLEscapeString(zh["uploads.document_type"]), `value="15"`)
	r = v.c.uploadForm("/volunteer/claims/upload", url.Values{"service": {itoa(sv)}, "category": {"parking"}, "amount": {"15"}})
	wantStatus(t, "claim without a receipt", r, http.StatusUnprocessableEntity)
	mustContain(t, r, "请附上票据照片")
	if n := w.count(`SELECT count(*) FROM expense_claims`); n != 0 {
		t.Errorf("%d claims stored", n)
	}
}

// TestCheckDocumentReencodesImages: a picture comes out as a picture of the same size with nothing appended; a
// JPEG's EXIF orientation is applied.
func TestCheckDocumentReencodesImages(t *testing.T) {
	withScript := append(testPNG(t), []byte("<script>alert(1)</script>")...)
	u, key := checkDocument(withScript)
	if key != "" || u.ContentType != domain.DocumentPNG || bytes.Contains(u.Content, []byte("<script>")) {
		t.Fatalf("a PNG with a script appended: %q %q, script kept %v", key, u.ContentType, bytes.Contains(u.Content, []byte("<script>")))
	}
	img, err := png.Decode(bytes.NewReader(u.Content))
	if err != nil || img.Bounds().Dx() != 40 || img.Bounds().Dy() != 30 {
		t.Fatalf("re-encoded PNG: %v %v", err, img)
	}
	// A JPEG whose EXIF says "turn 90° clockwise" (6) comes out upright: 30 wide, 40 high.
	rotated := withOrientation(testJPEG(t), 6)
	if jpegOrientation(rotated) != 6 {
		t.Fatalf("orientation read as %d", jpegOrientation(rotated))
	}
	u, key = checkDocument(rotated)
	if key != "" {
		t.Fatal(key)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(u.Content))
	if err != nil || cfg.Width != 30 || cfg.Height != 40 {
		t.Errorf("upright JPEG: %v %dx%d", err, cfg.Width, cfg.Height)
	}
	if bytes.Contains(u.Content, []byte("Exif")) {
		t.Error("the EXIF is kept")
	}
}

// withOrientation puts an EXIF block with an orientation tag after a JPEG's SOI marker.
func withOrientation(jpg []byte, orientation uint16) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, byte(orientation >> 8), byte(orientation), 0, 0, 0, 0, 0, 0}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	return append(append(append([]byte{}, jpg[:2]...), app1...), jpg[2:]...)
}

// servedRide gives the staff member a ride by a new volunteer, served and checked out: the service he may claim
// for.
func (w *grantWorld) servedRide(s carePerson) (carePerson, int64) {
	w.t.Helper()
	ctx := context.Background()
	w.n += 10
	v := w.volunteer(fmt.Sprintf("赵志强%d", w.n), "shangcheng", 2, domain.QualDriver)
	ride := w.ask(s, "one_to_one", domain.RequestForm{Category: domain.CategoryTransport, Urgency: domain.UrgencyNormal,
		Date: "2026-03-07", From: "10:00", To: "11:00", District: "shangcheng", Pickup: "浙大一院东门", Destination: "庆春路"})
	if _, err := w.ta.store.AcceptOffer(ctx, v.actor, w.offerOf(v, ride)); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Set(time.Date(2026, 3, 7, 9, 55, 0, 0, domain.Shanghai))
	sv, err := w.ta.store.CheckIn(ctx, v.actor, ride)
	if err != nil {
		w.t.Fatal(err)
	}
	w.clock.Set(time.Date(2026, 3, 7, 10, 50, 0, 0, domain.Shanghai))
	if err := w.ta.store.CheckOut(ctx, v.actor, sv, ""); err != nil {
		w.t.Fatal(err)
	}
	return v, sv
}

// TestClaimConfirmedAndReimbursed: the volunteer claims his parking with the receipt; she confirms it (within the
// ceiling); finance pays it from the fund; he reads it reimbursed. A claim above the ceiling is the coordinator's.
func TestClaimConfirmedAndReimbursed(t *testing.T) {
	w := newGrantWorld(t)
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v, sv := w.servedRide(lin)

	list := v.c.get("/volunteer/claims")
	wantStatus(t, "his claims", list, http.StatusOK)
	mustContain(t, list, "/volunteer/claims/new?service="+itoa(sv), "林**")
	form := v.c.get("/volunteer/claims/new?service=" + itoa(sv))
	mustContain(t, form, "停车费", "¥200.00 以内由受助人确认")
	r := v.c.uploadForm("/volunteer/claims/upload", url.Values{"service": {itoa(sv)}, "category": {"parking"}, "amount": {"15"},
		"note": {"医院地下停车场"}}, upFile{"停车票.jpg", testJPEG(t)})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("claim: %d\n%s", r.Status, r.Body)
	}
	claim := r.Location
	id := strings.TrimPrefix(claim, "/volunteer/claims/")
	mustContain(t, v.c.get(claim), "待确认", "¥15.00", "停车票.jpg")
	// A second parking claim for the same service is refused; fuel is another claim.
	r = v.c.uploadForm("/volunteer/claims/upload", url.Values{"service": {itoa(sv)}, "category": {"parking"}, "amount": {"15"}},
		upFile{"停车票.jpg", testJPEG(t)})
	wantStatus(t, "second parking", r, http.StatusUnprocessableEntity)
	mustContain(t, r, "这次服务已经报销过这一类费用")
	r = v.c.uploadForm("/volunteer/claims/upload", url.Values{"service": {itoa(sv)}, "category": {"fuel"}, "amount": {"260"}},
		upFile{"加油.png", testPNG(t)})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("fuel claim: %d", r.Status)
	}
	fuel := strings.TrimPrefix(r.Location, "/volunteer/claims/")

	// She sees both, confirms the parking; the fuel is above the ceiling: the coordinator's.
	mustContain(t, lin.c.get("/staff/claims"), "/staff/claims/"+id, "/staff/claims/"+fuel)
	page := lin.c.get("/staff/claims/" + id)
	mustContain(t, page, "医院地下停车场", `action="/staff/claims/`+id+`/confirm"`)
	mustNotContain(t, page, "/files/") // the receipt is the volunteer's and the operators'
	fuelPage := lin.c.get("/staff/claims/" + fuel)
	mustContain(t, fuelPage, "金额超过项目上限，由协调员确认")
	mustNotContain(t, fuelPage, `/confirm"`)
	r = lin.c.post("/staff/claims/"+fuel+"/confirm", nil)
	mustContain(t, lin.c.get(r.Location), "金额超过上限，需要协调员确认")
	r = lin.c.post("/staff/claims/"+id+"/confirm", nil)
	mustContain(t, lin.c.get(r.Location), "已确认，报销已交财务拨付")
	mustContain(t, v.c.get(claim), "已确认 ¥15.00，待拨付")
	mustContain(t, w.coord.get("/admin/claims"), "/admin/claims/"+fuel)
	r = w.coord.post("/admin/claims/"+fuel+"/reject", url.Values{"reason": {"请附上加油发票而不是小票"}})
	mustContain(t, w.coord.get(r.Location), "已告知志愿者")
	mustContain(t, v.c.get("/volunteer/claims/"+fuel), "未通过", "请附上加油发票而不是小票")

	var did int64
	if err := w.ta.store.SQL().QueryRow(`SELECT id FROM disbursements WHERE source_type = 'claim' AND source_id = $1`, id).Scan(&did); err != nil {
		t.Fatal(err)
	}
	mustContain(t, w.finance.get("/admin/disbursements/"+itoa(did)), "费用报销 #"+id, `href="/admin/claims/`+id+`"`)
	mustContain(t, w.finance.get("/admin/claims/"+id), "/admin/disbursements/"+itoa(did))
	if r := w.finance.post("/admin/disbursements/"+itoa(did)+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	if r := w.finance.post("/admin/disbursements/"+itoa(did)+"/pay", url.Values{"bank_reference": {"WX-15"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("pay: %d", r.Status)
	}
	mustContain(t, v.c.get(claim), "已报销 2026年3月7日")
	mustContain(t, v.c.get("/inbox"), "您的报销已确认", "您的报销已拨付", "您的报销未通过")
	mustContain(t, w.finance.get("/admin/ledger"), "志愿者垫付费用报销（报销 #"+id+"）")
}

// TestClaimConfirmedOnceAtOnce: she and a coordinator, and her double click, confirm the same claim at the same
// moment: exactly one confirmation wins and exactly one disbursement is drafted.
func TestClaimConfirmedOnceAtOnce(t *testing.T) {
	w := newGrantWorld(t)
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v, sv := w.servedRide(lin)
	ctx := context.Background()
	id, err := w.ta.store.SubmitClaim(ctx, v.actor, sv, domain.ClaimForm{Category: "parking", Amount: "15"},
		[]repository.Upload{{Name: "p.png", ContentType: domain.DocumentPNG, Content: testPNG(t)}})
	if err != nil {
		t.Fatal(err)
	}
	coordActor := repository.Actor{UserID: w.coordUser.ID, Role: domain.RoleCoordinator, IP: "test"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, decided := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor, byStaff := lin.actor, true
			if i%2 == 1 {
				actor, byStaff = coordActor, false
			}
			_, err := w.ta.store.ConfirmClaim(ctx, actor, id, byStaff)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case err == domain.ErrClaimDecided:
				decided++
			default:
				t.Errorf("confirm: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || decided != 7 {
		t.Errorf("%d confirmations won, %d found it decided", wins, decided)
	}
	if n := w.count(`SELECT count(*) FROM disbursements WHERE source_type = 'claim' AND source_id = $1`, id); n != 1 {
		t.Errorf("%d disbursements", n)
	}
	// And through the pages: a double click on confirm.
	id2, err := w.ta.store.SubmitClaim(ctx, v.actor, sv, domain.ClaimForm{Category: "fuel", Amount: "30"},
		[]repository.Upload{{Name: "f.png", ContentType: domain.DocumentPNG, Content: testPNG(t)}})
	if err != nil {
		t.Fatal(err)
	}
	var statuses [2]int
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = lin.c.post("/staff/claims/"+itoa(id2)+"/confirm", nil).Status
		}()
	}
	wg.Wait()
	if statuses != [2]int{http.StatusSeeOther, http.StatusSeeOther} {
		t.Errorf("double click: %v", statuses)
	}
	if n := w.count(`SELECT count(*) FROM disbursements WHERE source_type = 'claim' AND source_id = $1`, id2); n != 1 {
		t.Errorf("double click: %d disbursements", n)
	}
}

// TestGrantsAndClaimsAreTheirOwnersOnly: another staff member, a volunteer and the one who asked can each reach
// only their own application, claim and files; every other id answers 404, the same as one that does not exist.
func TestGrantsAndClaimsAreTheirOwnersOnly(t *testing.T) {
	w := newGrantWorld(t)
	ctx := context.Background()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	zhou := w.staff("周丽华", "shangcheng", "上城区解放路12号")
	v, sv := w.servedRide(lin)
	other := w.volunteer("钱七", "shangcheng", 2, domain.QualDriver)
	gid, err := w.ta.store.ApplyForGrant(ctx, lin.actor, "care_fund", domain.GrantForm{Amount: "1000", Reason: "困难"},
		[]repository.Upload{{Name: "bill.png", ContentType: domain.DocumentPNG, Content: testPNG(t)}})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := w.ta.store.SubmitClaim(ctx, v.actor, sv, domain.ClaimForm{Category: "parking", Amount: "10"},
		[]repository.Upload{{Name: "p.png", ContentType: domain.DocumentPNG, Content: testPNG(t)}})
	if err != nil {
		t.Fatal(err)
	}
	var gdoc, cdoc int64
	_ = w.ta.store.SQL().QueryRow(`SELECT id FROM documents WHERE grant_id = $1`, gid).Scan(&gdoc)
	_ = w.ta.store.SQL().QueryRow(`SELECT id FROM documents WHERE claim_id = $1`, cid).Scan(&cdoc)
	for _, c := range []struct {
		who  carePerson
		path string
	}{
		{zhou, "/staff/grants/" + itoa(gid)}, {zhou, "/files/" + itoa(gdoc)}, {zhou, "/staff/claims/" + itoa(cid)},
		{zhou, "/files/" + itoa(cdoc)}, {v, "/files/" + itoa(gdoc)}, {other, "/volunteer/claims/" + itoa(cid)},
		{other, "/files/" + itoa(cdoc)}, {lin, "/files/" + itoa(cdoc)}, {lin, "/files/999999"},
		{other, "/volunteer/claims/new?service=" + itoa(sv)},
	} {
		if r := c.who.c.get(c.path); r.Status != http.StatusNotFound {
			t.Errorf("%s opens %s: %d", c.who.Name, c.path, r.Status)
		}
	}
	for _, c := range []struct {
		who  carePerson
		path string
	}{{zhou, "/staff/claims/" + itoa(cid) + "/confirm"}, {zhou, "/staff/claims/" + itoa(cid) + "/reject"}} {
		if r := c.who.c.post(c.path, url.Values{"reason": {"x"}}); r.Status != http.StatusNotFound {
			t.Errorf("%s posts %s: %d", c.who.Name, c.path, r.Status)
		}
	}
	r := other.c.uploadForm("/volunteer/claims/upload", url.Values{"service": {itoa(sv)}, "category": {"fuel"}, "amount": {"10"}},
		upFile{"p.png", testPNG(t)})
	if r.Status != http.StatusNotFound {
		t.Errorf("a claim for another's service: %d", r.Status)
	}
	// The owners and the operators read them; only the operators' views are audited.
	for _, c := range []struct {
		c    *client
		path string
	}{{lin.c, "/files/" + itoa(gdoc)}, {v.c, "/files/" + itoa(cdoc)}, {w.auditor, "/files/" + itoa(gdoc)}, {w.finance, "/files/" + itoa(cdoc)}} {
		if r := c.c.get(c.path); r.Status != http.StatusOK {
			t.Errorf("%s: %d", c.path, r.Status)
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'document.view'`); n != 2 {
		t.Errorf("%d views audited, want 2", n)
	}
}

// TestGrantsAndClaimsInOwnData: the download holds her applications and his claims with the names of their files;
// closing the account keeps the amounts and states and drops the reasons, notes, files and the payee's name.
func TestGrantsAndClaimsInOwnData(t *testing.T) {
	w := newGrantWorld(t)
	ctx := context.Background()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	v, sv := w.servedRide(lin)
	gid, err := w.ta.store.ApplyForGrant(ctx, lin.actor, "care_fund", domain.GrantForm{Amount: "1000", Reason: "手术自付"},
		[]repository.Upload{{Name: "医院账单.png", ContentType: domain.DocumentPNG, Content: testPNG(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ta.store.ApproveGrant(ctx, repository.Actor{UserID: w.coordUser.ID, Role: domain.RoleCoordinator}, gid); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ta.store.SubmitClaim(ctx, v.actor, sv, domain.ClaimForm{Category: "parking", Amount: "12", Note: "地下车库"},
		[]repository.Upload{{Name: "停车票.png", ContentType: domain.DocumentPNG, Content: testPNG(t)}}); err != nil {
		t.Fatal(err)
	}
	data := lin.c.get("/account/data")
	mustContain(t, data, `"grant_applications"`, "手术自付", "医院账单.png", "¥1,000.00")
	mustContain(t, v.c.get("/account/data"), `"expense_claims"`, "地下车库", "停车票.png", "¥12.00")

	if r := lin.c.post("/account/close", url.Values{"password": {testPassword}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	var reason, payee string
	var amount int64
	if err := w.ta.store.SQL().QueryRow(`SELECT g.reason, g.amount, d.payee FROM grant_applications g
		JOIN disbursements d ON d.id = g.disbursement_id WHERE g.id = $1`, gid).Scan(&reason, &amount, &payee); err != nil {
		t.Fatal(err)
	}
	if reason != "" || amount != 1000_00 || payee != domain.ClosedAccountName {
		t.Errorf("after closing: reason %q, amount %d, payee %q", reason, amount, payee)
	}
	if n := w.count(`SELECT count(*) FROM documents WHERE owner_id = $1`, lin.ID); n != 0 {
		t.Errorf("%d of her files kept", n)
	}
	mustContain(t, w.coord.get("/admin/grants/"+itoa(gid)), "申请人已注销账户")
}

// TestProgramCeilingsAreEdited: the admin sets the grant ceiling and a service program's claim ceiling on the
// program's edit page; the form and the rule follow it.
func TestProgramCeilingsAreEdited(t *testing.T) {
	w := newGrantWorld(t)
	admin, _ := w.ta.account(domain.RoleAdmin, "13800009905")
	var fund, ride int64
	_ = w.ta.store.SQL().QueryRow(`SELECT id FROM programs WHERE code = 'care_fund'`).Scan(&fund)
	_ = w.ta.store.SQL().QueryRow(`SELECT id FROM programs WHERE code = 'one_to_one'`).Scan(&ride)
	edit := admin.get(fmt.Sprintf("/admin/programs/%d/edit", fund))
	mustContain(t, edit, `name="grant_ceiling"`, `value="10000.00"`)
	mustNotContain(t, edit, `name="claim_ceiling"`)
	form := url.Values{"name_zh": {"关爱基金"}, "name_en": {"Care fund grants"}, "active": {"yes"}, "grant_ceiling": {"abc"}}
	r := admin.post(fmt.Sprintf("/admin/programs/%d", fund), form)
	wantStatus(t, "a bad ceiling", r, http.StatusUnprocessableEntity)
	mustContain(t, r, `value="abc"`)
	form.Set("grant_ceiling", "5,000")
	if r := admin.post(fmt.Sprintf("/admin/programs/%d", fund), form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	mustContain(t, lin.c.get("/staff/grants/new"), "最多 ¥5,000.00")
	_, err := w.ta.store.ApplyForGrant(context.Background(), lin.actor, "care_fund", domain.GrantForm{Amount: "5000.01", Reason: "x"}, nil)
	if fe, ok := fieldErrors(err); !ok || fe["amount"] != "grants.error.above_ceiling" {
		t.Errorf("above the new ceiling: %v", err)
	}
	mustContain(t, admin.get(fmt.Sprintf("/admin/programs/%d/edit", ride)), `name="claim_ceiling"`, `value="200.00"`)
	mustContain(t, admin.get("/admin/audit"), "补助上限")
}

// grantBudgetPages are the grant and claim pages of the query budget, on the demo's grant and claim.
func grantBudgetPages(ba *budgetApp) map[string]struct{ path, phone string } {
	ba.t.Helper()
	one := func(q string) string {
		var id int64
		if err := ba.store.SQL().QueryRow(q).Scan(&id); err != nil {
			ba.t.Fatalf("%s: %v", q, err)
		}
		return itoa(id)
	}
	grant := one(`SELECT min(g.id) FROM grant_applications g JOIN users u ON u.id = g.staff_id WHERE u.phone = '13900000001'`)
	claim := one(`SELECT min(id) FROM expense_claims`)
	service := one(`SELECT sv.id FROM care_services sv JOIN users u ON u.id = sv.volunteer_id
		WHERE u.phone = '13700000001' AND sv.status <> 'checked_in' ORDER BY sv.id LIMIT 1`)
	return map[string]struct{ path, phone string }{
		"/staff/grants/:id":     {"/staff/grants/" + grant, "13900000001"},
		"/staff/claims/:id":     {"/staff/claims/" + claim, one(`SELECT u.phone::bigint FROM expense_claims c JOIN users u ON u.id = c.staff_id ORDER BY c.id LIMIT 1`)},
		"/volunteer/claims/:id": {"/volunteer/claims/" + claim, "13700000001"},
		"/volunteer/claims/new": {"/volunteer/claims/new?service=" + service, "13700000001"},
		"/admin/grants/:id":     {"/admin/grants/" + grant, "13800000003"},
		"/admin/claims/:id":     {"/admin/claims/" + claim, "13800000003"},
		"/files/:id":            {"/files/" + one(`SELECT min(id) FROM documents WHERE grant_id IS NOT NULL`), "13800000003"},
	}
}

// TestGrantDecidedOnceAtOnce: two coordinators approve (and one rejects) the same application at the same moment:
// one decision wins, one disbursement is drafted. When finance then rejects the payment, she reads that it was
// returned, with finance's reason, and the coordinator who approved it hears too.
func TestGrantDecidedOnceAtOnce(t *testing.T) {
	w := newGrantWorld(t)
	ctx := context.Background()
	lin := w.staff("林晓梅", "shangcheng", "上城区庆春路79号3幢")
	_, second := w.ta.account(domain.RoleCoordinator, "13800009906")
	coords := []repository.Actor{{UserID: w.coordUser.ID, Role: domain.RoleCoordinator}, {UserID: second.ID, Role: domain.RoleCoordinator}}
	id, err := w.ta.store.ApplyForGrant(ctx, lin.actor, "care_fund", domain.GrantForm{Amount: "800", Reason: "困难"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 5 {
				errs[i] = w.ta.store.RejectGrant(ctx, coords[i%2], id, "材料不足")
				return
			}
			_, errs[i] = w.ta.store.ApproveGrant(ctx, coords[i%2], id)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case err != domain.ErrGrantDecided:
			t.Errorf("decide: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d decisions won", won)
	}
	var status string
	_ = w.ta.store.SQL().QueryRow(`SELECT status FROM grant_applications WHERE id = $1`, id).Scan(&status)
	n := w.count(`SELECT count(*) FROM disbursements WHERE source_type = 'grant' AND source_id = $1`, id)
	if status == domain.GrantApproved && n != 1 || status == domain.GrantRejected && n != 0 {
		t.Fatalf("%s with %d disbursements", status, n)
	}
	if status != domain.GrantApproved {
		return // the rejection won: nothing to pay
	}
	var did int64
	_ = w.ta.store.SQL().QueryRow(`SELECT disbursement_id FROM grant_applications WHERE id = $1`, id).Scan(&did)
	if r := w.finance.post("/admin/disbursements/"+itoa(did)+"/reject", url.Values{"reason": {"收款账户信息有误"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject the payment: %d", r.Status)
	}
	mustContain(t, lin.c.get("/staff/grants/"+itoa(id)), "已批准，拨付被退回", "收款账户信息有误")
	mustContain(t, lin.c.get("/inbox"), "补助的拨付被财务退回")
}

func TestHeaderValueEscape(t *testing.T) {
	for in, want := range map[string]string{"a.pdf": "a.pdf", "账单 1;x.pdf": "%E8%B4%A6%E5%8D%95%201%3Bx.pdf", `"q'`: "%22q%27"} {
		if got := headerValueEscape(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
