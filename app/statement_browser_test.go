package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guanai/domain"
	"guanai/repository/testdb"
)

func TestBrowserStatementImportOnAPhone(t *testing.T) {
	ta := newTestApp(t)
	ta.startJobs()
	ta.account(domain.RoleFinance, "13800000002")
	b := newBrowser(t, ta)
	tab := b.phone()
	b.open(tab, "/login")
	b.do(tab, "fill the login form", typeInto([2]string{"phone", "13800000002"}, [2]string{"password", testPassword})...)
	if status := b.submit(tab, "log in", chromedp.Click(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("log in: %d%s", status, b.where(tab))
	}
	b.open(tab, "/admin/statements")
	b.noSideways(tab)

	dir := t.TempDir()
	pdf, csv := filepath.Join(dir, "statement.pdf"), filepath.Join(dir, "工行对账单.csv")
	day := statementDay("2006/1/2")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4"), 0o600); err != nil {
		t.Fatal(err)
	}
	content := gbkStatement(t, day+`,王芳,,"1,234.56",B0001,抗疫捐款`, day+",杭州某某科技有限公司,,500.00,B0002,",
		day+`,杭州市西溪医院,"8,000.00",,B0003,拨付`)
	if err := os.WriteFile(csv, content, 0o600); err != nil {
		t.Fatal(err)
	}

	// A file that is not a statement: the script shows the server's refusal in place.
	b.do(tab, "send a PDF", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{pdf}),
		chromedp.Click(chromedp.CSS(`#statement-upload button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("main .flash.error")))
	b.mainSays(tab, "无法读取此文件")
	if p := b.path(tab); p != "/admin/statements" {
		t.Errorf("after a refused upload the page is %s", p)
	}

	// The statement: the bar's words are kept across the page change, to see what the person saw.
	b.do(tab, "watch the progress", chromedp.Evaluate[chromedp.Void](`(function () {
		sessionStorage.setItem('seen', '');
		var status = document.getElementById('upload-status');
		new MutationObserver(function () {
			sessionStorage.setItem('seen', sessionStorage.getItem('seen') + '|' + status.textContent);
		}).observe(status, {childList: true, characterData: true, subtree: true});
	})()`))
	b.do(tab, "upload the statement", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csv}),
		chromedp.Click(chromedp.CSS(`#statement-upload button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("select#col_date")))
	seen := eval[string](b, tab, `sessionStorage.getItem('seen') || ''`)
	if !strings.Contains(seen, "正在上传") || !strings.Contains(seen, "正在读取文件") {
		t.Errorf("the progress said %q; want the upload percentage, then reading", seen)
	}
	b.mainSays(tab, "选择各列的含义", "杭州某某科技有限公司")
	b.noSideways(tab)
	b.screenshot(tab, "phone-statement-mapping")

	if status := b.submit(tab, "save the columns", chromedp.Click(chromedp.CSS(submitButton))); status != 200 {
		t.Fatalf("save the columns: %d%s", status, b.where(tab))
	}
	b.mainSays(tab, "导入预览", "确认导入 2 行（¥1,734.56）", "支出，不是捐赠")
	b.noSideways(tab)
	b.screenshot(tab, "phone-statement-preview")
	// The job records it in the background, held here at the second line until the page has shown its progress;
	// the page reloads itself until the job is done.
	hold := testdb.HoldDonation(t, ta.store.SQL(), "B0002")
	if status := b.submit(tab, "confirm", chromedp.Click(chromedp.CSS(`#statement-confirm button[type="submit"]`))); status != 200 {
		t.Fatalf("confirm: %d%s", status, b.where(tab))
	}
	b.mainSays(tab, "导入在后台进行")
	b.noSideways(tab)
	b.screenshot(tab, "phone-statement-importing")
	hold.Release(t)
	b.do(tab, "wait for the page to reload with the result", chromedp.WaitVisible(chromedp.CSS("#statement-result")))
	b.mainSays(tab, "导入完成：新增 2 笔捐赠（¥1,734.56）", "已入账")
	b.noSideways(tab)
	ta.ledgerOK()
}
