package app

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"guanai/domain"
)

func init() {
	authzMatrices = append(authzMatrices, map[string][]domain.Role{
		"GET /admin/statements":              fundReaders,
		"POST /admin/statements/upload":      fundWriters,
		"GET /admin/statements/:id":          fundReaders,
		"GET /admin/statements/:id/mapping":  fundWriters,
		"POST /admin/statements/:id/mapping": fundWriters,
		"POST /admin/statements/:id/confirm": fundWriters,
	})
}

var (
	selectField   = regexp.MustCompile(`(?s)<select id="(col_[a-z]+)".*?</select>`)
	selectedValue = regexp.MustCompile(`<option value="(\d+)" selected>`)
	hiddenHeader  = regexp.MustCompile(`name="header_row" value="(\d+)"`)
	versionField  = regexp.MustCompile(`name="version" value="([0-9a-f]+)"`)
)

func TestStatementImportGBKAndXLSX(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	day := statementDay("2006/1/2")
	csv := gbkStatement(t,
		day+`,王芳,,"1,234.56",B0001,抗疫捐款`,
		day+`,杭州某某科技有限公司,,50000.00,B0002,捐赠医务人员`,
		day+`,杭州市西溪医院,"8,000.00",,B0003,拨付`,
	)
	r := fin.upload("/admin/statements/upload", "工行对账单.csv", csv)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d", r.Status)
	}
	mapping := fin.get(r.Location)
	// The header is found under the account details, the columns guessed, and the first lines shown.
	mustContain(t, mapping, "选择各列的含义", `name="header_row" value="3"`, `<option value="3" selected>D · 贷方金额</option>`,
		`<option value="2" selected>C · 借方金额</option>`, "杭州某某科技有限公司", "1,234.56")

	previewURL, preview := previewStatement(t, fin, "工行对账单.csv", csv)
	mustContain(t, preview, "导入预览", "行将导入，合计 ¥51,234.56", "支出，不是捐赠", "新捐赠人 · 单位", "新捐赠人 · 个人",
		"确认导入 2 行（¥51,234.56）", "B0002")
	if n := ta.count("SELECT count(*) FROM donations"); n != 0 {
		t.Fatalf("%d donations before confirmation", n)
	}
	done := confirmStatement(t, fin, previewURL, preview, nil)
	if done.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", done.Status, done.Body)
	}
	mustContain(t, fin.get(done.Location), "导入完成：新增 2 笔捐赠（¥51,234.56）", "导入结果", "已入账")

	// An XLSX export: dates as date cells (one in Excel's short date format), amounts as numbers.
	x := excelize.NewFile()
	yesterday := time.Now().In(domain.Shanghai).AddDate(0, 0, -1)
	cellDay := time.Date(yesterday.Year(), yesterday.Month(), yesterday.Day(), 0, 0, 0, 0, time.UTC)
	rows := [][]any{{"记账日期", "付款人名称", "收入金额（元）", "凭证号", "用途"},
		{cellDay, "李强", 200, "X0001", "捐款"}, {cellDay, "赵敏", 88.8, "X0002", ""}}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	short, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	_ = x.SetCellStyle("Sheet1", "A3", "A3", short)
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	previewURL, preview = previewStatement(t, fin, "statement.xlsx", buf.Bytes())
	mustContain(t, preview, "确认导入 2 行（¥288.80）", yesterday.Format("2006-01-02"))
	mustNotContain(t, preview, "交易日期无法识别")
	if r := confirmStatement(t, fin, previewURL, preview, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("confirm xlsx: %d", r.Status)
	}
	if n := ta.count("SELECT count(*) FROM donations WHERE import_id IS NOT NULL"); n != 4 {
		t.Errorf("%d imported donations, want 4", n)
	}
	// The public sees the new donors as 爱心人士 until someone with their consent changes that.
	if n := ta.count("SELECT count(*) FROM donors WHERE publish_name"); n != 0 {
		t.Errorf("%d imported donors are published", n)
	}
	mustContain(t, fin.get("/admin/statements"), "工行对账单.csv", "statement.xlsx", "新增 2 笔（¥288.80）")
	ta.ledgerOK()
}

func TestSameStatementTwiceAddsNothingAndSameDayGiftsBothCount(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	day := statementDay("20060102")
	csv := gbkStatement(t,
		day+",王芳,,100.00,S0001,",
		day+",王芳,,100.00,S0002,", // the same payer, day and amount: a second gift, with its own reference
		day+",李强,,50.00,S0003,",
	)
	previewURL, preview := previewStatement(t, fin, "march.csv", csv)
	mustContain(t, preview, "确认导入 3 行（¥250.00）")
	confirmStatement(t, fin, previewURL, preview, nil)
	if n := ta.count("SELECT count(*) FROM donations"); n != 3 {
		t.Fatalf("%d donations, want 3: same-day same-amount gifts with two references are two gifts", n)
	}

	secondURL, second := previewStatement(t, fin, "march.csv", csv)
	// Nothing is new: no confirmation is offered, only another upload.
	mustContain(t, second, "此前已导入（同一渠道、同一流水号）", "没有可以导入的行")
	mustNotContain(t, second, "确认导入", `id="statement-confirm"`)
	done := confirmStatement(t, fin, secondURL, preview, nil) // a confirmation sent anyway records nothing
	mustContain(t, fin.get(done.Location), "新增 0 笔捐赠（¥0.00），此前已导入而跳过 3 行")
	if n := ta.count("SELECT count(*) FROM donations"); n != 3 {
		t.Fatalf("%d donations after importing the statement twice, want 3", n)
	}
	// Confirming the first import again does nothing either.
	again := confirmStatement(t, fin, previewURL, preview, nil)
	mustContain(t, fin.get(again.Location), "这份流水已经导入过了")
	if n := ta.count("SELECT count(*) FROM donations"); n != 3 {
		t.Fatalf("%d donations after a second confirmation", n)
	}
	ta.ledgerOK()
}

func TestStatementLinesWithProblemsAreLeftOutKnowingly(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	fin, _ := ta.account(domain.RoleAdmin, "13800000001")
	day := statementDay("2006-01-02")
	tomorrow := time.Now().In(domain.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")
	csv := gbkStatement(t,
		day+",王芳,,100.00,P0001,",
		tomorrow+",李强,,200.00,P0002,",
		day+",赵敏,,12.345,P0003,",
		day+",钱七,,300.00,,",
		day+",孙八,,400.00,P0001,",
	)
	previewURL, preview := previewStatement(t, fin, "bad.csv", csv)
	mustContain(t, preview, "交易日期晚于今天", "金额最多两位小数", "缺少流水号", "流水号与第 4 行重复",
		"有问题的行不会导入", "我知道有 4 行有问题")
	r := confirmStatement(t, fin, previewURL, preview, nil)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("confirm without leaving the lines out knowingly: %d", r.Status)
	}
	mustContain(t, r, "请勾选确认后再提交")
	if n := ta.count("SELECT count(*) FROM donations"); n != 0 {
		t.Fatalf("%d donations after a refused confirmation", n)
	}
	r = confirmStatement(t, fin, previewURL, preview, url.Values{"accept_errors": {"yes"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.Status)
	}
	mustContain(t, fin.get(r.Location), "新增 1 笔捐赠（¥100.00）", "有问题未导入 4 行", "未导入")
	ta.ledgerOK()
}

func TestStatementFailingLineWritesNothing(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	day := statementDay("2006-01-02")
	csv := gbkStatement(t, day+",王芳,,100.00,F0001,", day+",李强,,200.00,F0002,", day+",赵敏,,300.00,F0003,")
	previewURL, preview := previewStatement(t, fin, "f.csv", csv)
	// The database refuses the third line, after the first two went in within the same transaction.
	if _, err := ta.store.SQL().Exec(`CREATE FUNCTION refuse_f3() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.reference = 'F0003' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation',
			CONSTRAINT = 'test_refuses_f3'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_f3 BEFORE INSERT ON donations FOR EACH ROW EXECUTE FUNCTION refuse_f3()`); err != nil {
		t.Fatal(err)
	}
	// The request is answered at once; the job is refused, and the statement's page says where and why, with the
	// confirmation offered again. The job is not tried again: a refusal stays one.
	r := confirmStatement(t, fin, previewURL, preview, nil)
	if r.Status != http.StatusSeeOther || r.Location != previewURL {
		t.Fatalf("confirm: %d %s", r.Status, r.Location)
	}
	page := fin.get(r.Location)
	mustContain(t, page, "第 6 行无法入账：数据库拒绝了这一行。 整份流水均未导入，没有写入任何数据。", "test_refuses_f3",
		`id="statement-confirm"`, "确认导入 3 行（¥600.00）")
	mustNotContain(t, page, `http-equiv="refresh"`, "正在导入")
	if n := ta.count("SELECT count(*) FROM river_job WHERE kind = 'statement_confirm' AND state = 'completed' AND attempt = 1"); n != 1 {
		t.Errorf("%d refused jobs finished at the first attempt, want 1", n)
	}
	for _, table := range []string{"donations", "receipts", "ledger_transactions", "receipt_counters"} {
		if n := ta.count("SELECT count(*) FROM " + table); n != 0 {
			t.Errorf("%d rows in %s after a failed confirmation", n, table)
		}
	}
	if n := ta.count("SELECT count(*) FROM donors"); n != 0 {
		t.Errorf("%d donors after a failed confirmation", n)
	}
	ta.ledgerOK()
}

func TestTenConcurrentStatementConfirmationsRecordOnce(t *testing.T) {
	ta := newTestApp(t)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	day := statementDay("2006-01-02")
	var lines []string
	for i := range 12 {
		lines = append(lines, fmt.Sprintf("%s,捐赠人%d,,%d.00,K%04d,", day, i%5, 10+i, i))
	}
	previewURL, preview := previewStatement(t, fin, "k.csv", gbkStatement(t, lines...))
	form := url.Values{"version": {regexpFind(t, preview.Body, versionField.String())}, "_csrf": {fin.csrf()}}
	// The jobs are not worked yet: the ten requests find the first one waiting and join it.
	statuses := make([]int, 10)
	errs := make([]error, 10)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, ta.srv.URL+previewURL+"/confirm", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			<-start
			resp, err := fin.http.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	for i := range 10 {
		if errs[i] != nil || statuses[i] != http.StatusSeeOther {
			t.Errorf("confirmation %d: %d %v", i, statuses[i], errs[i])
		}
	}
	if n := ta.count("SELECT count(*) FROM river_job WHERE kind = 'statement_confirm'"); n != 1 {
		t.Errorf("10 confirmations at once queued %d jobs, want 1", n)
	}
	if n := ta.count("SELECT count(*) FROM audit_events WHERE action = 'statement.confirm_request'"); n != 10 {
		t.Errorf("%d requests audited, want 10", n)
	}
	// Waiting: the page says so and reloads itself, and offers no second confirmation.
	waiting := fin.get(previewURL)
	mustContain(t, waiting, `<meta http-equiv="refresh" content="2">`, "等待开始导入 12 行…", `<progress id="confirm-bar"></progress>`,
		"这份流水已在导入中，没有重复提交")
	mustNotContain(t, waiting, `id="statement-confirm"`, previewURL+"/mapping")
	mustContain(t, fin.get("/admin/statements"), "导入中")
	ta.startJobs()
	ta.statementSettled(previewURL)
	if n := ta.count("SELECT count(*) FROM donations"); n != 12 {
		t.Errorf("%d donations after 10 confirmations at once, want 12", n)
	}
	if n := ta.count("SELECT count(*) FROM audit_events WHERE action = 'statement.confirm'"); n != 1 {
		t.Errorf("%d confirmations audited, want 1", n)
	}
	ta.ledgerOK()
}

func TestStatementUploadAndMappingProblems(t *testing.T) {
	ta := newTestApp(t)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	r := fin.upload("/admin/statements/upload", "statement.pdf", []byte("%PDF-1.4"))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a PDF: %d", r.Status)
	}
	mustContain(t, r, "无法读取此文件，请上传 CSV 或 XLSX")
	r = fin.upload("/admin/statements/upload", "statement.xlsx", []byte("not a zip"))
	mustContain(t, r, "无法读取此文件")
	r = fin.upload("/admin/statements/upload", "empty.csv", []byte("\n\n"))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an empty file: %d", r.Status)
	}
	mustContain(t, r, "文件里没有数据行")
	r = fin.upload("/admin/statements/upload", "big.csv", bytes.Repeat([]byte("x"), 13<<20))
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("13 MB: %d", r.Status)
	}
	many := "日期,户名,金额,流水号\n" + strings.Repeat("2026-03-01,王芳,1,R\n", domain.MaxStatementLines)
	r = fin.upload("/admin/statements/upload", "many.csv", []byte(many))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("too many lines: %d", r.Status)
	}
	mustContain(t, r, "文件超过 5,000 行")

	// A file whose header names nothing: the mapping has to be chosen, and a missing column is refused.
	r = fin.upload("/admin/statements/upload", "plain.csv", []byte("a,b,c,d\n2026-03-01,王芳,100,R1\n"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d", r.Status)
	}
	mapURL := r.Location
	r = fin.post(mapURL, url.Values{"header_row": {"1"}, "col_date": {"0"}, "col_amount": {"2"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a mapping without payer and reference: %d", r.Status)
	}
	mustContain(t, r, "请检查标出的列", `<option value="0" selected>A · a</option>`)
	if got := strings.Count(r.Body, "请选择这一列。"); got != 2 {
		t.Errorf("%d missing-column messages, want 2 (payer, reference)", got)
	}
	r = fin.post(mapURL, url.Values{"header_row": {"1"}, "col_date": {"0"}, "col_payer": {"1"}, "col_amount": {"1"}, "col_reference": {"3"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("one column twice: %d", r.Status)
	}
	mustContain(t, r, "这一列已用于其他项目")
	r = fin.post(mapURL, url.Values{"header_row": {"1"}, "col_date": {"0"}, "col_payer": {"1"}, "col_amount": {"2"}, "col_reference": {"9"}})
	mustContain(t, r, "文件中没有这一列")
	// Choosing another header line guesses again from it.
	mustContain(t, fin.get(mapURL+"?header=2"), `name="header_row" value="2"`)
	r = fin.post(mapURL, url.Values{"header_row": {"1"}, "col_date": {"0"}, "col_payer": {"1"}, "col_amount": {"2"}, "col_reference": {"3"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("a complete mapping: %d", r.Status)
	}
	// A confirmation made on another mapping's preview is refused and the new preview shown.
	r = fin.post(r.Location+"/confirm", url.Values{"version": {"0000"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a stale confirmation: %d", r.Status)
	}
	mustContain(t, r, "列的选择在您预览之后被修改过")
	if n := ta.count("SELECT count(*) FROM donations"); n != 0 {
		t.Errorf("%d donations", n)
	}
}

func TestAuditorSeesStatementsButCannotImport(t *testing.T) {
	ta := newTestApp(t)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	aud, _ := ta.account(domain.RoleAuditor, "13800000004")
	previewURL, _ := previewStatement(t, fin, "a.csv", gbkStatement(t, statementDay("2006-01-02")+",王芳,,100.00,AU1,"))
	list := aud.get("/admin/statements")
	mustContain(t, list, "a.csv")
	mustNotContain(t, list, `id="statement-upload"`)
	r := aud.get(previewURL)
	mustContain(t, r, "确认导入", "只有财务人员和管理员可以确认导入")
	mustNotContain(t, r, `id="statement-confirm"`)
	if r := aud.post(previewURL+"/confirm", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("an auditor's confirmation: %d", r.Status)
	}
}

func TestStatementPagesInEnglish(t *testing.T) {
	ta := newTestApp(t)
	fin, _ := ta.account(domain.RoleFinance, "13800000002")
	fin.post("/lang", url.Values{"lang": {"en"}})
	previewURL, preview := previewStatement(t, fin, "e.csv", gbkStatement(t, statementDay("2006-01-02")+",王芳,,100.00,EN1,",
		"2026-02-30,李强,,5,EN2,"))
	mustContain(t, preview, "Import preview", "The date cannot be read", "Import 1 lines (¥100.00)")
	mustContain(t, fin.get(previewURL+"/mapping"), "What each column means")
}

// TestStatementMessagesAreTranslated checks every key the statement checks can put on a line, which the general
// scan does not see (they are built in domain).
func TestStatementMessagesAreTranslated(t *testing.T) {
	zh, en := loadMessages(t, "zh-CN"), loadMessages(t, "en")
	keys := append([]string{"statement.line_not_imported", "statement.line_refused", "statement.donor_new_individual",
		"statement.donor_new_organization"}, domain.StatementMessageKeys...)
	for _, role := range domain.StatementColumns {
		keys = append(keys, "statement.col_"+role, "statement.col_"+role+"_hint")
	}
	for _, ch := range domain.StatementChannels {
		keys = append(keys, "channel."+ch)
	}
	for _, k := range keys {
		if zh[k] == "" || en[k] == "" {
			t.Errorf("%s is not translated", k)
		}
	}
}

func TestColumnLetters(t *testing.T) {
	if columnLetter(0) != "A" || columnLetter(25) != "Z" || columnLetter(26) != "AA" || columnLetter(27) != "AB" {
		t.Error("column letters")
	}
}
