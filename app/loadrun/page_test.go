package loadrun

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

const listPage = `<table><tr><td><a href="/admin/donors/12">王芳</a></td></tr>
<tr><td><a href="/admin/donors/7?page=2">李强</a> <a href="/admin/donors/12">again</a></td></tr>
<tr><td><a href="/admin/donors/new">new</a> <a href="/admin/donors/9/edit">edit</a> <a href="/admin/donors/">none</a></td></tr></table>
<nav class="pager" aria-label="pagination">
<a href="/admin/donors">« first</a><a href="/admin/donors?before=40" rel="prev">‹</a>
<a href="/admin/donors?after=21&amp;q=%E7%8E%8B" rel="next">›</a>
</nav>
<a href="/transparency/report?q=2026Q1">Q1</a> <a href="/transparency/report?lang=en&amp;q=2025Q4">Q4</a>
<a href="/transparency/report?q=2026Q1">again</a>`

func TestLinksAndPagerAreReadFromAList(t *testing.T) {
	if got := linkIDs(listPage, "/admin/donors/"); !slices.Equal(got, []string{"12", "7"}) {
		t.Errorf("donor ids %v", got)
	}
	if got := linkIDs(listPage, "/admin/donations/"); got != nil {
		t.Errorf("donation ids %v", got)
	}
	if got := linkQueries(listPage, "/transparency/report", "q"); !slices.Equal(got, []string{"2026Q1", "2025Q4"}) {
		t.Errorf("quarters %v", got)
	}
	if next := nextPage(listPage); next != "/admin/donors?after=21&q=%E7%8E%8B" {
		t.Errorf("next page %q", next)
	}
	if next := nextPage("<table></table>"); next != "" {
		t.Errorf("no pager: next page %q", next)
	}
}

const formPage = `<form class="lang" method="post" action="/lang"><input type="hidden" name="_csrf" value="lang-token"></form>
<form method="get" action="/admin/statements/5/mapping"><input name="header" value="3"></form>
<form method="post" action="/admin/statements/5/mapping" class="form">
  <input type="hidden" name="_csrf" value="tok&amp;en">
  <input type="hidden" name="header_row" value="3">
  <input name="note">
  <input type="checkbox" name="accept_errors" value="yes">
  <input type="checkbox" name="publish" value="1" checked>
  <input type="file" name="file"><button type="submit" name="go">Go</button>
  <select id="col_date" name="col_date"><option value="">none</option><option value="0" selected>A · 日期</option><option value="1">B</option></select>
  <select name="col_payer"><option value="">none</option><option value="1">B</option></select>
  <select name="area"><option value="">all</option><option value="fund">fund</option><option value="access">access</option></select>
  <textarea name="reason">因为</textarea><textarea name="empty"></textarea>
</form>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="logout-token"></form>`

func TestPostFormIsWhatABrowserSends(t *testing.T) {
	f, ok := postForm(formPage, "/admin/statements/5/mapping")
	if !ok {
		t.Fatal("form not found")
	}
	want := map[string]string{"_csrf": "tok&en", "header_row": "3", "note": "", "publish": "1", "col_date": "0",
		"col_payer": "", "area": "", "reason": "因为", "empty": ""}
	for k, v := range want {
		if got, has := f[k]; !has || got[0] != v {
			t.Errorf("%s = %q (present %v), want %q", k, got, has, v)
		}
	}
	for _, k := range []string{"accept_errors", "file", "go", "header"} {
		if f.Has(k) {
			t.Errorf("%s is sent: %q", k, f.Get(k))
		}
	}
	if len(f) != len(want) {
		t.Errorf("fields %v", f)
	}
	if f, ok := postForm(formPage, "/logout"); !ok || f.Get("_csrf") != "logout-token" {
		t.Errorf("logout form %v %v", f, ok)
	}
	if _, ok := postForm(formPage, "/admin/donations"); ok {
		t.Error("found a form that is not there")
	}
}

func TestChoicesAreAFiltersOptions(t *testing.T) {
	if got := choices(formPage, "area"); !slices.Equal(got, []string{"fund", "access"}) {
		t.Errorf("area %v", got)
	}
	if got := choices(formPage, "status"); got != nil {
		t.Errorf("status %v", got)
	}
}

func TestSnippetIsTheMainText(t *testing.T) {
	page := `<html><head><title>x</title></head><body><nav>menu</nav><main id="main"><h1>出错了</h1>
<p>请求编号   abc123</p></main></body></html>`
	if got := snippet(page); got != "出错了 请求编号 abc123" {
		t.Errorf("snippet %q", got)
	}
	form := `<main><h1>登录</h1><p class="flash error" role="alert">手机号或密码<b>不正确</b>。</p><form>…</form></main>`
	if got := snippet(form); got != "手机号或密码不正确。" {
		t.Errorf("snippet of a refused form %q", got)
	}
	if got := snippet(strings.Repeat("长", 500)); len([]rune(got)) != 161 {
		t.Errorf("a long page: %d runes", len([]rune(got)))
	}
}

func TestDeeperCursorGoesFurtherDown(t *testing.T) {
	u := &user{rng: rand.New(rand.NewPCG(1, 2))}
	for range 50 {
		deeper := u.deeperCursor("/admin/donations?after=2026-11-30,5000&program=care_fund")
		q := strings.SplitN(deeper, "?", 2)[1]
		if !strings.Contains(q, "program=care_fund") || !strings.Contains(q, "after=20") {
			t.Fatalf("deeper cursor %q", deeper)
		}
	}
	if got := u.deeperCursor("/admin/audit?after=1"); got != "/admin/audit?after=1" {
		t.Errorf("nothing below id 1, yet %q", got)
	}
}
