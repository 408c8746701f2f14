package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanai/domain"
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

func confirmStatement(t *testing.T, c *client, previewURL string, preview response, extra url.Values) response {
	t.Helper()
	form := url.Values{"version": {regexpFind(t, preview.Body, versionField.String())}}
	for k, v := range extra {
		form[k] = v
	}
	return c.post(previewURL+"/confirm", form)
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
