package app

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"testing"

	"guanai/app/spreadsheet"
	"guanai/app/spreadsheet/sheettest"
	"guanai/domain"
)

// TestUploadsRefuseFilesTooLargeToRead uploads, to both upload forms, files made to cost the reader time or memory
// (each under the body limit): each is refused on the form with its own message, and nothing is stored.
func TestUploadsRefuseFilesTooLargeToRead(t *testing.T) {
	ta := newTestApp(t)
	admin, _ := ta.account(domain.RoleAdmin, "13800000001")
	zh := loadMessages(t, "zh-CN")
	const mb = 1 << 20
	row := `<row><c t="inlineStr"><is><t>2026-03-01</t></is></c><c t="inlineStr"><is><t>王芳</t></is></c>` +
		`<c><v>100</v></c><c t="inlineStr"><is><t>R1</t></is></c></row>`
	lying := sheettest.Sheet(row, 256*mb/len(row))
	lying.Declared = 64 << 10
	files := []struct {
		name string
		file []byte
		err  error
	}{
		{"bomb.xlsx", sheettest.Bomb(256 * mb), spreadsheet.ErrTooLarge},
		{"lying.xlsx", sheettest.Workbook(lying), spreadsheet.ErrUnreadable},
		{"rows.xlsx", sheettest.Workbook(sheettest.Sheet(row, 60_000)), spreadsheet.ErrTooManyRows},
		{"empty-rows.xlsx", sheettest.Workbook(sheettest.Sheet(`<row/>`, 2_000_000)), spreadsheet.ErrTooManyBlankRows},
		{"lines.csv", bytes.Repeat([]byte("1\n"), 9*mb/2), spreadsheet.ErrTooManyRows},
		{"newlines.csv", bytes.Repeat([]byte("\n"), 9*mb), spreadsheet.ErrTooManyBlankRows},
		{"wide.csv", []byte(strings.Repeat("a,", 200) + "a\n"), spreadsheet.ErrTooManyColumns},
		{"big.csv", bytes.Repeat([]byte("2026-03-01,王芳,1,R\n"), 11*mb/22), spreadsheet.ErrFileTooLarge},
	}
	for _, form := range []struct {
		path string
		kind uploadKind
	}{{"/admin/statements/upload", statementFile}, {"/admin/eligibility/upload", eligibilityFile}} {
		for _, f := range files {
			r := admin.upload(form.path, f.name, f.file)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s to %s: status %d", f.name, form.path, r.Status)
				continue
			}
			key := form.kind.refused[f.err]
			if msg := zh[key]; msg == "" || !strings.Contains(r.Body, template.HTMLEscapeString(msg)) {
				t.Errorf("%s to %s: the page does not say %s (%q)", f.name, form.path, key, msg)
			}
			mustContain(t, r, `action="`+form.path+`"`) // the form, to choose another file
		}
	}
	if n := ta.count("SELECT count(*) FROM statement_imports") + ta.count("SELECT count(*) FROM eligibility_imports"); n != 0 {
		t.Errorf("%d imports stored", n)
	}
}

// TestUploadLimitsAreInclusive: a statement of exactly 5,000 lines and a list of exactly 50,000 people are taken.
func TestUploadLimitsAreInclusive(t *testing.T) {
	ta := newTestApp(t)
	admin, _ := ta.account(domain.RoleAdmin, "13800000001")
	statement := "日期,户名,金额,流水号\n" + strings.Repeat("2026-03-01,王芳,1,R\n", domain.MaxStatementLines-1)
	if r := admin.upload("/admin/statements/upload", "s.csv", []byte(statement)); r.Status != http.StatusSeeOther {
		t.Errorf("a statement of %d lines: status %d", domain.MaxStatementLines, r.Status)
	}
	list := "姓名,手机号,医院,类别\n" + strings.Repeat("周建国,13900000021,杭州市西溪医院,cdc\n", domain.MaxEligibilityRows)
	if r := admin.upload("/admin/eligibility/upload", "l.csv", []byte(list)); r.Status != http.StatusSeeOther {
		t.Errorf("a list of %d people: status %d", domain.MaxEligibilityRows, r.Status)
	}
}

// TestUploadRefusalsAreTranslated checks every message an upload refusal can show, which the general scan does
// not see whole (some are statement keys), and that the messages name the limits the code has.
func TestUploadRefusalsAreTranslated(t *testing.T) {
	zh, en := loadMessages(t, "zh-CN"), loadMessages(t, "en")
	for _, kind := range []uploadKind{statementFile, eligibilityFile} {
		for refusal, key := range kind.refused {
			if zh[key] == "" || en[key] == "" {
				t.Errorf("%v: %s is not translated", refusal, key)
			}
		}
	}
	for key, figures := range map[string][2]string{ // in Chinese, in English
		"uploads.statement_too_large":          {"16 MB、单元格超过 20 万个", "16 MB once unzipped, over 200,000 cells"},
		"uploads.eligibility_too_large":        {"40 MB、单元格超过 80 万个", "40 MB once unzipped, over 800,000 cells"},
		"uploads.eligibility_too_many_rows":    {"50,000", "50,000"},
		"uploads.eligibility_too_many_columns": {"50 列", "50 columns"},
		"uploads.eligibility_too_big":          {"10 MB", "10 MB"},
	} {
		if !strings.Contains(zh[key], figures[0]) || !strings.Contains(en[key], figures[1]) {
			t.Errorf("%s does not say %s / %s", key, figures[0], figures[1])
		}
	}
	st, el := statementFile.limits, eligibilityFile.limits
	if st.MaxUnzipped != 16<<20 || st.MaxCells != 200_000 || el.MaxUnzipped != 40<<20 || el.MaxCells != 800_000 ||
		el.MaxRows != 50_001 || el.MaxColumns != 50 || maxUploadBytes != 10<<20 {
		t.Error("a limit changed: change the messages that name it too")
	}
}
