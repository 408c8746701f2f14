package loadrun

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// What a virtual user reads from a page, as a person would: the links to follow, the pager, the fields of a form.
// Links and the pager are found by plain string search, as every list page is read for them and the load generator
// shares two cores with the server; forms, read only before a POST, go through a real HTML tokenizer.

// linkIDs returns the ids of the links on a page to prefix followed by a number — linkIDs(body, "/admin/donors/")
// finds href="/admin/donors/12" — each once, in the order they appear.
func linkIDs(body, prefix string) []string {
	var ids []string
	needle := `href="` + prefix
	for rest := body; ; {
		i := strings.Index(rest, needle)
		if i < 0 {
			return ids
		}
		rest = rest[i+len(needle):]
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		// Only the record itself: "/admin/donors/12/edit" is another page, "/admin/donors/new" not a record.
		if n > 0 && n < len(rest) && strings.IndexByte(`"?#`, rest[n]) >= 0 && !slices.Contains(ids, rest[:n]) {
			ids = append(ids, rest[:n])
		}
	}
}

// linkQueries returns the values of key in the links on a page to path: linkQueries(body, "/transparency/report", "q")
// finds the quarters that href="/transparency/report?q=2026Q1" names.
func linkQueries(body, path, key string) []string {
	var vals []string
	needle := `href="` + path + "?"
	for rest := body; ; {
		i := strings.Index(rest, needle)
		if i < 0 {
			return vals
		}
		rest = rest[i+len(needle):]
		end := strings.IndexByte(rest, '"')
		if end < 0 {
			return vals
		}
		q, err := url.ParseQuery(html.UnescapeString(rest[:end]))
		if v := q.Get(key); err == nil && v != "" && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
}

// nextPage is the address of a list's "next" link (rel="next" in its pager), or "" when the list has one page.
func nextPage(body string) string {
	i := strings.Index(body, `class="pager"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	j := strings.Index(rest, `rel="next"`)
	if j < 0 {
		return ""
	}
	k := strings.LastIndex(rest[:j], `href="`)
	if k < 0 {
		return ""
	}
	href, _, _ := strings.Cut(rest[k+len(`href="`):], `"`)
	return html.UnescapeString(href)
}

// postForm is what a browser would send from the POST form on a page whose action is action: hidden and filled-in
// fields, ticked boxes, each select's chosen option (its first when none is marked), textareas. ok is false when
// the page has no such form.
func postForm(body, action string) (vals url.Values, ok bool) {
	z := html.NewTokenizer(strings.NewReader(body))
	vals = url.Values{}
	in := false
	var sel *fieldSelect
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return vals, ok
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		default:
			continue
		}
		t := z.Token()
		switch {
		case t.Data == "form" && tt == html.StartTagToken && !ok:
			in = attr(t, "action") == action && strings.EqualFold(attr(t, "method"), "post")
			ok = in
		case !in:
		case t.Data == "form" && tt == html.EndTagToken:
			return vals, true
		case t.Data == "input":
			addInput(vals, t)
		case t.Data == "select" && tt == html.StartTagToken:
			sel = &fieldSelect{name: attr(t, "name")}
		case t.Data == "select" && tt == html.EndTagToken && sel != nil:
			sel.addTo(vals)
			sel = nil
		case t.Data == "option" && tt == html.StartTagToken && sel != nil:
			sel.option(t)
		case t.Data == "textarea" && tt == html.StartTagToken:
			text := ""
			if z.Next() == html.TextToken {
				text = string(z.Text())
			}
			vals.Add(attr(t, "name"), text)
		}
	}
}

func addInput(vals url.Values, t html.Token) {
	name := attr(t, "name")
	switch typ := strings.ToLower(attr(t, "type")); {
	case name == "":
	case typ == "submit" || typ == "button" || typ == "file" || typ == "reset" || typ == "image":
	case typ == "checkbox" || typ == "radio":
		if hasAttr(t, "checked") {
			vals.Add(name, attrOr(t, "value", "on"))
		}
	default:
		vals.Add(name, attr(t, "value"))
	}
}

// fieldSelect collects a select's options while the tokenizer walks through them.
type fieldSelect struct {
	name, first, chosen string
	options             int
	picked              bool
}

func (s *fieldSelect) option(t html.Token) {
	v := attr(t, "value")
	if s.options == 0 {
		s.first = v
	}
	s.options++
	if hasAttr(t, "selected") && !s.picked {
		s.chosen, s.picked = v, true
	}
}

func (s *fieldSelect) addTo(vals url.Values) {
	switch {
	case s.name == "" || s.options == 0:
	case s.picked:
		vals.Add(s.name, s.chosen)
	default:
		vals.Add(s.name, s.first)
	}
}

// choices returns the non-empty option values of the select named name: a list's filters ("area" on the audit log).
func choices(body, name string) []string {
	z := html.NewTokenizer(strings.NewReader(body))
	var out []string
	in := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			t := z.Token()
			switch {
			case t.Data == "select":
				in = attr(t, "name") == name
			case t.Data == "option" && in && attr(t, "value") != "":
				out = append(out, attr(t, "value"))
			}
		case html.EndTagToken:
			if t := z.Token(); t.Data == "select" && in {
				return out
			}
		}
	}
}

func attr(t html.Token, key string) string { return attrOr(t, key, "") }

func attrOr(t html.Token, key, dflt string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return dflt
}

func hasAttr(t html.Token, key string) bool {
	return slices.ContainsFunc(t.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// snippet is the gist of an error page for an error sample: the text of its alert (a form's refusal) or else of
// its main part, cut short.
func snippet(body string) string {
	s := alertText(body)
	if s == "" {
		if i := strings.Index(body, "<main"); i >= 0 {
			body = body[i:]
		}
		s = pageText(body)
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}

// alertText is the text of the first element marked role="alert", "" when there is none.
func alertText(body string) string {
	i := strings.Index(body, `role="alert"`)
	if i < 0 {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(body[strings.LastIndexByte(body[:i], '<'):]))
	var b strings.Builder
	for depth := 0; b.Len() < 400; {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken:
			depth++
		case html.EndTagToken:
			if depth--; depth == 0 {
				return b.String()
			}
		}
	}
	return b.String()
}

// pageText is a page's text, a space where each tag was, its first 400 bytes or so.
func pageText(body string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	for b.Len() < 400 {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
		b.WriteByte(' ')
	}
	return b.String()
}
