package loadrun

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The two writes in the mix, each a flow of several requests as a browser makes them: every form is read from the
// page that shows it (its CSRF token, its one-time key), and every redirect after a POST is followed.

// recordDonation types in a small gift from a donor seen on the donors list: the form, the POST, and the
// donation's page it redirects to.
func recordDonation(u *user) error {
	id, err := u.pickID("/admin/donors", "/admin/donors/")
	if err != nil || id == "" {
		return err
	}
	formPath := "/admin/donations/new?donor=" + id
	p, err := u.get(formPath)
	if err == nil && p.status == http.StatusSeeOther { // a donor merged into another: the form is the other's
		p, err = u.get(p.location)
	}
	if err != nil {
		return err
	}
	f, ok := postForm(p.body, "/admin/donations")
	if !ok {
		return u.fail(routeOf(http.MethodGet, formPath), p.status, "no donation form on the page")
	}
	f.Set("amount", fmt.Sprintf("%d.%02d", 1+u.rng.IntN(9), u.rng.IntN(100)))
	f.Set("reference", u.reference())
	f.Set("note", "guanai bench")
	next, err := u.post("/admin/donations", f, "/admin/donations/")
	if err != nil {
		return err
	}
	_, err = u.get(next)
	return err
}

// importStatement imports a three-line bank statement: the upload, the column mapping as guessed, the preview, the
// confirmation, and the result.
func importStatement(u *user) error {
	p, err := u.get("/admin/statements")
	if err != nil {
		return err
	}
	f, ok := postForm(p.body, "/admin/statements/upload")
	if !ok {
		return u.fail(routeOf(http.MethodGet, "/admin/statements"), p.status, "no upload form on the page")
	}
	mapping, err := u.upload("/admin/statements/upload", f, "bench-"+u.run.tag+".csv", u.statement(), "/admin/statements/")
	if err != nil {
		return err
	}
	preview, err := u.submitShown(mapping, mapping)
	if err != nil {
		return err
	}
	result, err := u.submitShown(preview, preview+"/confirm")
	if err != nil {
		return err
	}
	_, err = u.get(result)
	return err
}

// submitShown opens a page and sends its POST form to action as it is shown, returning where that redirects.
func (u *user) submitShown(path, action string) (string, error) {
	p, err := u.get(path)
	if err != nil {
		return "", err
	}
	f, ok := postForm(p.body, action)
	if !ok {
		return "", u.fail(routeOf(http.MethodGet, path), p.status, "no form to "+action+" on the page")
	}
	return u.post(action, f, "/admin/statements/")
}

// shanghai is China Standard Time, which has no summer time: a fixed zone needs no time zone database.
var shanghai = time.FixedZone("CST", 8*60*60)

// statement is a bank's CSV export with three gifts from a demo company (matched to its donor, so the run adds no
// donors), received yesterday in Shanghai, each with a reference no one has used.
func (u *user) statement() []byte {
	day := time.Now().In(shanghai).AddDate(0, 0, -1).Format(time.DateOnly)
	var b strings.Builder
	b.WriteString("交易日期,对方户名,借方金额,贷方金额,交易流水号,摘要/附言\n")
	for range 3 {
		fmt.Fprintf(&b, "%s,杭州西湖科技有限公司,,%d.%02d,%s,guanai bench\n", day, 1+u.rng.IntN(9), u.rng.IntN(100), u.reference())
	}
	return []byte(b.String())
}
