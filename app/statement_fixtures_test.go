package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanai/domain"
	"guanai/repository"
)

// statementDay is a received date in the statement's own format: yesterday, so never in the future.
func statementDay(layout string) string {
	return time.Now().In(domain.Shanghai).AddDate(0, 0, -1).Format(layout)
}

// gbkStatement is a bank's CSV export as Excel in China saves it: GBK, account details above the header.
func gbkStatement(t *testing.T, lines ...string) []byte {
	t.Helper()
	csv := "中国工商银行账户明细\n账号：,3301040000001234\n" +
		"交易日期,对方户名,借方金额,贷方金额,交易流水号,摘要/附言\n" + strings.Join(lines, "\n") + "\n"
	b, err := simplifiedchinese.GBK.NewEncoder().String(csv)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

// mappingAsShown is the mapping form as the page offers it: the guessed columns, selected.
func mappingAsShown(t *testing.T, page string) url.Values {
	t.Helper()
	form := url.Values{"header_row": {regexpFind(t, page, hiddenHeader.String())}}
	for _, m := range selectField.FindAllStringSubmatch(page, -1) {
		if v := selectedValue.FindStringSubmatch(m[0]); v != nil {
			form.Set(m[1], v[1])
		}
	}
	return form
}

// previewStatement uploads a statement, accepts the guessed columns and returns the preview's address and page.
func previewStatement(t *testing.T, c *client, filename string, content []byte) (string, response) {
	t.Helper()
	r := c.upload("/admin/statements/upload", filename, content)
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/mapping") {
		t.Fatalf("upload %s: %d %s", filename, r.Status, r.Body)
	}
	mapping := c.get(r.Location)
	if mapping.Status != http.StatusOK {
		t.Fatalf("mapping page: %d", mapping.Status)
	}
	saved := c.post(r.Location, mappingAsShown(t, mapping.Body))
	if saved.Status != http.StatusSeeOther {
		t.Fatalf("save mapping: %d %s", saved.Status, saved.Body)
	}
	return saved.Location, c.get(saved.Location)
}

// confirmStatement sends the preview's confirmation as the page shows it. Once it is queued (a 303 back to the
// statement), it waits for the job to end, as a person watching the page would, so the page the answer leads to shows
// the outcome; the test app must work its jobs (startJobs).
func confirmStatement(t *testing.T, c *client, previewURL string, preview response, extra url.Values) response {
	t.Helper()
	form := url.Values{"version": {regexpFind(t, preview.Body, versionField.String())}}
	for k, v := range extra {
		form[k] = v
	}
	r := c.post(previewURL+"/confirm", form)
	if r.Status == http.StatusSeeOther && r.Location == previewURL {
		c.ta.statementSettled(previewURL)
	}
	return r
}

// statementSettled waits until the confirmation of the statement at path is no longer pending, and returns the
// statement.
func (ta *testApp) statementSettled(path string) repository.StatementImport {
	ta.t.Helper()
	if !ta.jobs {
		ta.t.Fatal("waiting for a statement's job in a test app that works none: call startJobs")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/admin/statements/"), 10, 64)
	if err != nil {
		ta.t.Fatalf("not a statement's page: %s", path)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// A cheap question, often (reading the import as its page does takes a while for a long statement).
		if ta.count(`SELECT count(*) FROM statement_progress p JOIN river_job j ON j.id = p.job_id
			WHERE p.import_id = $1 AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, id) > 0 {
			continue
		}
		imp, err := ta.store.StatementImportByID(context.Background(), id)
		if err != nil {
			ta.t.Fatal(err)
		}
		if imp.Committed || !imp.Job.Pending() {
			return imp
		}
	}
	ta.t.Fatalf("the confirmation of %s is still pending after 60 s", path)
	return repository.StatementImport{}
}

// statementJobsDone waits until no statement's confirmation is waiting or running.
func (ta *testApp) statementJobsDone() {
	ta.t.Helper()
	if !ta.jobs {
		ta.t.Fatal("waiting for statements' jobs in a test app that works none: call startJobs")
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ta.count(`SELECT count(*) FROM river_job WHERE kind = 'statement_confirm'
			AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`) == 0 {
			return
		}
	}
	ta.t.Fatal("statements' confirmations still pending after 60 s")
}

func (ta *testApp) count(query string, args ...any) int {
	ta.t.Helper()
	var n int
	if err := ta.store.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		ta.t.Fatal(err)
	}
	return n
}

func (ta *testApp) ledgerOK() {
	ta.t.Helper()
	checks, err := ta.store.VerifyLedger(context.Background())
	if err != nil {
		ta.t.Fatal(err)
	}
	for _, c := range checks {
		for _, p := range c.Problems {
			ta.t.Errorf("ledger: %s: %s", c.Name, p)
		}
	}
}
