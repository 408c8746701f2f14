package repository_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"guanai/domain"
	"guanai/repository"
)

var statementHeader = []string{"交易日期", "对方户名", "借方金额", "贷方金额", "交易流水号", "摘要"}

// yesterday is a received date that is never in the future.
func yesterday() string { return time.Now().In(domain.Shanghai).AddDate(0, 0, -1).Format("2006/1/2") }

// statement is a bank export: two lines of account details, the header, then the lines given.
func statement(lines ...[]string) [][]string {
	return append([][]string{{"账号：3301040000001234"}, {"户名：杭州市医务人员关爱基金会"}, statementHeader}, lines...)
}

// uploadStatement uploads and maps a statement as the finance operator, and returns its preview.
func (f fund) uploadStatement(t testing.TB, records [][]string, program string) repository.StatementImport {
	t.Helper()
	id, err := f.s.CreateStatementImport(ctx, f.finance, repository.StatementUpload{Filename: "对账单.csv", Channel: "bank_transfer",
		ProgramCode: program, Records: records})
	if err != nil {
		t.Fatal(err)
	}
	m := domain.GuessStatementMapping(records)
	if err := f.s.SaveStatementMapping(ctx, f.finance, id, m); err != nil {
		t.Fatalf("mapping %+v: %v", m, err)
	}
	return f.preview(t, id)
}

func (f fund) preview(t testing.TB, id int64) repository.StatementImport {
	t.Helper()
	imp, err := f.s.StatementImportByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

func (f fund) confirm(imp repository.StatementImport, acceptErrors bool) (repository.StatementResult, error) {
	return f.s.ConfirmStatementImport(ctx, f.finance, imp.ID, repository.StatementConfirmation{Version: imp.Version(),
		AcceptErrors: acceptErrors})
}

func (f fund) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.s.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatementImportRecordsOnConfirmationOnly(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	imp := f.uploadStatement(t, statement(
		[]string{day, "王爱心", "", "1,000.00", "B0001", "捐款"}, // an existing donor's name: a person is not matched by name
		[]string{day, "杭州某某科技有限公司", "", "50,000.00", "B0002", "抗疫捐赠"},
		[]string{day, "李强", "", "200", "B0003", ""},
		[]string{day, "李强", "", "300", "B0004", "第二笔"}, // one new donor for both lines
		[]string{day, "杭州市西溪医院", "8,000.00", "", "B0005", "拨付"},
		[]string{"合计", "", "8,000.00", "51,500.00", "", ""},
	), "")
	want := domain.StatementCounts{Import: 4, Amount: 51500_00, Skipped: 2}
	if imp.Counts != want || imp.Committed || imp.Mapping.HeaderRow != 2 {
		t.Fatalf("preview counts %+v (mapping %+v), want %+v", imp.Counts, imp.Mapping, want)
	}
	if imp.Rows[0].KnownDonor || imp.Rows[1].KnownDonor || imp.Rows[1].DonorKind != domain.DonorOrganization {
		t.Errorf("donors in the preview: %+v %+v", imp.Rows[0], imp.Rows[1])
	}
	if n := f.count(t, "SELECT count(*) FROM donations"); n != 0 {
		t.Fatalf("%d donations before confirmation", n)
	}

	res, err := f.confirm(imp, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 4 || res.Amount != 51500_00 || res.Skipped != 2 || res.NewDonors != 3 || res.Already != 0 ||
		fmt.Sprint(res.AddedLines) != "[4 5 6 7]" {
		t.Errorf("result %+v", res)
	}
	if n := f.count(t, "SELECT count(*) FROM donations WHERE import_id = $1 AND idempotency_key LIKE $2", imp.ID,
		fmt.Sprintf("import:%d:%%", imp.ID)); n != 4 {
		t.Errorf("%d donations of the import, want 4", n)
	}
	if n := f.count(t, "SELECT count(*) FROM receipts"); n != 4 {
		t.Errorf("%d receipts", n)
	}
	if n := f.count(t, "SELECT count(*) FROM donors WHERE name = '李强' AND kind = 'individual' AND NOT publish_name"); n != 1 {
		t.Errorf("%d donors 李强, want one, unpublished", n)
	}
	if n := f.count(t, "SELECT count(*) FROM donors WHERE name = '杭州某某科技有限公司' AND kind = 'organization' AND NOT publish_name"); n != 1 {
		t.Errorf("%d organisation donors", n)
	}
	// Two people share a name often: the existing (published) 王爱心 must not receive a stranger's gift.
	if n := f.count(t, "SELECT count(*) FROM donations WHERE donor_id = $1", f.donor); n != 0 {
		t.Errorf("the existing donor has %d donations, want none", n)
	}
	if got := f.pool(t, "pool:unrestricted").Balance; got != 51500_00 {
		t.Errorf("unrestricted pool %s", got)
	}
	done := f.preview(t, imp.ID)
	if !done.Committed || done.Result == nil || done.Counts.Import != 4 || done.Rows[0].Status != domain.RowImport {
		t.Errorf("committed view %+v", done.Counts)
	}
	if list, _, err := f.s.StatementImports(ctx, 1); err != nil || len(list) != 1 || list[0].Result == nil ||
		list[0].Result.Added != 4 || list[0].Status != "committed" || !list[0].Mapped {
		t.Errorf("the list of imports: %+v, %v", list, err)
	}
	if len(done.Donations) != 4 {
		t.Errorf("the committed lines link to %d donations, want 4", len(done.Donations))
	}
	if _, err := f.confirm(imp, false); !errors.Is(err, domain.ErrImportCommitted) {
		t.Errorf("second confirmation: %v", err)
	}
	if err := f.s.SaveStatementMapping(ctx, f.finance, imp.ID, *imp.Mapping); !errors.Is(err, domain.ErrImportCommitted) {
		t.Errorf("mapping a committed import: %v", err)
	}
	if _, err := f.s.SQL().Exec("UPDATE statement_imports SET filename = 'x' WHERE id = $1", imp.ID); err == nil {
		t.Error("the database let a committed import change")
	}
	ledgerOK(t, f.s)
}

func TestSameStatementTwiceAddsNothing(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	records := statement(
		[]string{day, "王芳", "", "100.00", "R1", ""},
		[]string{day, "王芳", "", "100.00", "R2", ""}, // same day, payer and amount: a second, genuine gift
		[]string{day, "赵敏", "", "66.60", "R3", ""},
	)
	first := f.uploadStatement(t, records, "")
	if res, err := f.confirm(first, false); err != nil || res.Added != 3 {
		t.Fatalf("first import: %+v %v", res, err)
	}
	second := f.uploadStatement(t, records, "")
	if second.Counts != (domain.StatementCounts{Already: 3}) {
		t.Fatalf("second preview %+v", second.Counts)
	}
	res, err := f.confirm(second, false)
	if err != nil || res.Added != 0 || res.Already != 3 || fmt.Sprint(res.AlreadyLines) != "[4 5 6]" {
		t.Fatalf("second import: %+v %v", res, err)
	}
	if n := f.count(t, "SELECT count(*) FROM donations"); n != 3 {
		t.Errorf("%d donations after importing twice, want 3", n)
	}
	if got := f.pool(t, "pool:unrestricted").Balance; got != 266_60 {
		t.Errorf("balance %s", got)
	}
	view := f.preview(t, second.ID)
	if view.Counts.Already != 3 || view.Rows[0].Reason != domain.SkipAlreadyImported {
		t.Errorf("the second import's result: %+v", view.Counts)
	}
	ledgerOK(t, f.s)
}

func TestStatementLinesWithErrorsAreLeftOutOnlyKnowingly(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	bad := statement(
		[]string{day, "王芳", "", "100.00", "E1", ""},
		[]string{"2026-02-30", "李强", "", "200.00", "E2", ""},
		[]string{day, "赵敏", "", "300.00", "E3", ""},
	)
	imp := f.uploadStatement(t, bad, "care_fund")
	if imp.Counts != (domain.StatementCounts{Import: 2, Amount: 400_00, Errors: 1}) || imp.Rows[1].Errors[0] != "statement.date_invalid" {
		t.Fatalf("preview %+v %+v", imp.Counts, imp.Rows[1])
	}
	if _, err := f.confirm(imp, false); !errors.Is(err, domain.ErrImportHasErrors) {
		t.Fatalf("confirming without leaving the bad line out knowingly: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM donations"); n != 0 {
		t.Fatalf("%d donations after a refused confirmation", n)
	}
	res, err := f.confirm(imp, true)
	if err != nil || res.Added != 2 || res.Errors != 1 || fmt.Sprint(res.ErrorLines) != "[5]" {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if got := f.pool(t, "pool:care_fund").Balance; got != 400_00 {
		t.Errorf("the program's pool has %s", got)
	}
	// The fixed statement again: only the fixed line is added.
	bad[4][0] = day
	again := f.uploadStatement(t, bad, "care_fund")
	if again.Counts != (domain.StatementCounts{Import: 1, Amount: 200_00, Already: 2}) {
		t.Fatalf("the fixed statement: %+v", again.Counts)
	}
	if res, err := f.confirm(again, false); err != nil || res.Added != 1 {
		t.Fatalf("the fixed statement: %+v %v", res, err)
	}
	ledgerOK(t, f.s)
}

func TestDonationTypedInBetweenPreviewAndConfirmIsSkipped(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	imp := f.uploadStatement(t, statement(
		[]string{day, "王芳", "", "100.00", "T1", ""},
		[]string{day, "李强", "", "200.00", "T2", ""},
	), "")
	req := f.donationReq(200_00, "")
	req.Input.Reference = "T2"
	if _, _, err := f.s.RecordDonation(ctx, f.finance, req); err != nil {
		t.Fatal(err)
	}
	res, err := f.confirm(imp, false)
	if err != nil || res.Added != 1 || res.Already != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	ledgerOK(t, f.s)
}

func TestStatementIsAllOrNothing(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	imp := f.uploadStatement(t, statement(
		[]string{day, "王芳", "", "100.00", "A1", ""},
		[]string{day, "新捐赠人甲", "", "200.00", "A2", ""},
		[]string{day, "新捐赠人乙", "", "300.00", "A3", ""},
	), "")
	// The database refuses the third line, as it would for any constraint a line breaks once the first two are in.
	db := f.s.SQL()
	if _, err := db.Exec(`CREATE FUNCTION refuse_a3() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.reference = 'A3' THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'check_violation',
			CONSTRAINT = 'test_refuses_a3'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_a3 BEFORE INSERT ON donations FOR EACH ROW EXECUTE FUNCTION refuse_a3()`); err != nil {
		t.Fatal(err)
	}
	donorsBefore := f.count(t, "SELECT count(*) FROM donors")
	auditBefore := f.count(t, "SELECT count(*) FROM audit_events")
	_, err := f.confirm(imp, false)
	var le *repository.StatementLineError
	if !errors.As(err, &le) || le.Line != 6 || le.Detail != "test_refuses_a3" || le.Key != "statement.line_refused" {
		t.Fatalf("confirm: %v, want line 6 refused", err)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM donations":                                    0,
		"SELECT count(*) FROM ledger_transactions":                          0,
		"SELECT count(*) FROM receipts":                                     0,
		"SELECT count(*) FROM receipt_counters":                             0,
		"SELECT count(*) FROM donors":                                       donorsBefore,
		"SELECT count(*) FROM statement_imports WHERE status = 'committed'": 0,
		"SELECT count(*) FROM audit_events":                                 auditBefore,
	} {
		if n := f.count(t, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	if _, err := db.Exec("DROP TRIGGER refuse_a3 ON donations"); err != nil {
		t.Fatal(err)
	}
	if res, err := f.confirm(imp, false); err != nil || res.Added != 3 {
		t.Fatalf("after the cause is gone: %+v %v", res, err)
	}
	ledgerOK(t, f.s) // receipt numbers 1-3, no gap from the rolled-back attempt
}

func TestConfirmationIsForThePreviewSeen(t *testing.T) {
	f := newFund(t)
	records := statement([]string{yesterday(), "王芳", "", "100.00", "V1", ""})
	imp := f.uploadStatement(t, records, "")
	other := *imp.Mapping
	other.Columns = map[string]int{"date": 0, "payer": 1, "amount": 3, "reference": 4} // the memo no longer mapped
	if err := f.s.SaveStatementMapping(ctx, f.finance, imp.ID, other); err != nil {
		t.Fatal(err)
	}
	if _, err := f.confirm(imp, false); !errors.Is(err, domain.ErrImportChanged) {
		t.Fatalf("confirming an old preview: %v", err)
	}
	if err := f.s.SaveStatementMapping(ctx, f.finance, imp.ID, domain.StatementMapping{HeaderRow: 2,
		Columns: map[string]int{"date": 0}}); err == nil {
		t.Error("a mapping without payer, amount and reference was saved")
	}
}

func TestStatementUploadIsChecked(t *testing.T) {
	f := newFund(t)
	up := repository.StatementUpload{Filename: `C:\Users\财务\Desktop\对账单.csv`, Channel: "cash",
		Records: statement([]string{yesterday(), "王芳", "", "1", "U1", ""})}
	if _, err := f.s.CreateStatementImport(ctx, f.finance, up); err == nil {
		t.Error("a cash statement was accepted")
	}
	up.Channel, up.ProgramCode = "alipay", "no_such_program"
	if _, err := f.s.CreateStatementImport(ctx, f.finance, up); err == nil {
		t.Error("an unknown program was accepted")
	}
	up.ProgramCode = ""
	up.Records[3][1] = "王\x00芳"
	id, err := f.s.CreateStatementImport(ctx, f.finance, up)
	if err != nil {
		t.Fatal(err)
	}
	imp := f.preview(t, id)
	if imp.Filename != "对账单.csv" || imp.Channel != "alipay" || imp.Mapping != nil || imp.Records[3][1] != "王芳" {
		t.Errorf("stored %q %s %v %q", imp.Filename, imp.Channel, imp.Mapping, imp.Records[3][1])
	}
	big := make([][]string, domain.MaxStatementLines+1)
	for i := range big {
		big[i] = []string{"x"}
	}
	if _, err := f.s.CreateStatementImport(ctx, f.finance, repository.StatementUpload{Filename: "big.csv",
		Channel: "bank_transfer", Records: big}); err == nil {
		t.Error("more than MaxStatementLines lines were accepted")
	}
	wide := [][]string{make([]string, domain.MaxStatementColumns+1)}
	wide[0][0] = "x"
	if _, err := f.s.CreateStatementImport(ctx, f.finance, repository.StatementUpload{Filename: "wide.csv",
		Channel: "bank_transfer", Records: wide}); err == nil {
		t.Error("more than MaxStatementColumns columns were accepted")
	}
	list, total, err := f.s.StatementImports(ctx, 1)
	// Two lines above the header, the header, one line: the list says 1 line.
	if err != nil || total != 1 || len(list) != 1 || list[0].Mapped || list[0].Lines != 1 {
		t.Errorf("list %+v %d %v", list, total, err)
	}
}

// TestTwoThousandLineStatement records the time a realistic large statement takes; it asserts the outcome, not
// the time (see the log with -v).
func TestTwoThousandLineStatement(t *testing.T) {
	f := newFund(t)
	day := yesterday()
	lines := make([][]string, 2000)
	for i := range lines {
		lines[i] = []string{day, fmt.Sprintf("捐赠人%04d", i%600), "", fmt.Sprintf("%d.%02d", 10+i, i%100), fmt.Sprintf("L%06d", i), "抗疫捐款"}
	}
	records := statement(lines...)
	start := time.Now()
	imp := f.uploadStatement(t, records, "")
	uploaded := time.Since(start)
	start = time.Now()
	imp = f.preview(t, imp.ID)
	previewed := time.Since(start)
	start = time.Now()
	res, err := f.confirm(imp, false)
	confirmed := time.Since(start)
	if err != nil || res.Added != 2000 || res.NewDonors != 600 {
		t.Fatalf("%+v %v", res, err)
	}
	t.Logf("2,000 lines: upload and map %v, preview %v, confirm %v (%v per line)", uploaded, previewed, confirmed,
		confirmed/2000)
	start = time.Now()
	again := f.uploadStatement(t, records, "")
	if res, err := f.confirm(again, false); err != nil || res.Already != 2000 || res.Added != 0 {
		t.Fatalf("again: %+v %v", res, err)
	}
	t.Logf("the same 2,000 lines again (all skipped): %v", time.Since(start))
	ledgerOK(t, f.s)
}
