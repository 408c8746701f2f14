package app

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"guanai/domain"
)

// svgNode is an element of the drawn chart, read back with a strict XML parser.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []svgNode  `xml:",any"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n svgNode) all(name string) []svgNode {
	var out []svgNode
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

func parseSVG(t *testing.T, markup string) svgNode {
	t.Helper()
	var root svgNode
	d := xml.NewDecoder(strings.NewReader(markup))
	d.Strict = true
	if err := d.Decode(&root); err != nil {
		t.Fatalf("the chart is not well-formed: %v\n%s", err, markup)
	}
	if _, err := d.Token(); err != io.EOF {
		t.Fatalf("something after the chart: %v", err)
	}
	return root
}

func testChart(values ...[2]domain.Money) svgBarChart {
	c := svgBarChart{ID: "c", Title: "Money <in> & out", Desc: `Two "bars" a month`,
		Series: []svgSeries{{Name: "募集", Color: "#c2410c"}, {Name: "Paid <out>", Color: "#475569"}},
		Tick:   func(m domain.Money) string { return compactYuan(m, langZh) }}
	for i, v := range values {
		c.Groups = append(c.Groups, svgGroup{Key: "k" + strconv.Itoa(i), Label: strconv.Itoa(i+1) + "月",
			Values: []domain.Money{v[0], v[1]}, Titles: []string{"in " + v[0].String(), "out <" + v[1].String() + ">"}})
	}
	return c
}

func TestChartDrawsOneGroupPerMonthWithTwoBars(t *testing.T) {
	var months [][2]domain.Money
	for i := range 12 {
		months = append(months, [2]domain.Money{domain.Money(i * 1000_00), domain.Money(i * 300_00)})
	}
	root := parseSVG(t, string(testChart(months...).HTML()))
	if root.XMLName.Local != "svg" || root.attr("role") != "img" || root.attr("aria-labelledby") != "c-title c-desc" {
		t.Fatalf("root %v %v", root.XMLName, root.Attrs)
	}
	titles := root.all("title")
	if len(titles) == 0 || titles[0].attr("id") != "c-title" || titles[0].Text != "Money <in> & out" {
		t.Errorf("chart title %+v", titles)
	}
	if d := root.all("desc"); len(d) != 1 || d[0].attr("id") != "c-desc" || d[0].Text != `Two "bars" a month` {
		t.Errorf("desc %+v", d)
	}
	var groups []svgNode
	for _, g := range root.all("g") {
		if g.attr("class") == "bar-group" {
			groups = append(groups, g)
		}
	}
	if len(groups) != 12 {
		t.Fatalf("%d bar groups, want 12", len(groups))
	}
	const plotH = chartH - chartTop - chartBottom
	for i, g := range groups {
		bars := g.all("rect")
		if len(bars) != 2 || g.attr("data-key") != "k"+strconv.Itoa(i) {
			t.Fatalf("group %d: %d bars, key %q", i, len(bars), g.attr("data-key"))
		}
		if got := bars[1].all("title"); len(got) != 1 || got[0].Text != "out <"+domain.Money(i*300_00).String()+">" {
			t.Errorf("group %d: bar title %+v", i, got)
		}
		// Heights are to scale: the largest month, ¥11,000, puts the axis' top at ¥15,000 (steps of ¥5,000).
		h, _ := strconv.ParseFloat(bars[0].attr("height"), 64)
		want := float64(i*1000_00) / 15000_00 * plotH
		if i > 0 && (h < want-0.1 || h > want+0.1) {
			t.Errorf("group %d: height %v, want %v", i, h, want)
		}
		if i == 0 && h != 0 {
			t.Errorf("an empty month has a bar of %v", h)
		}
	}
	// The legend names both series; the axis shows its top value.
	var texts []string
	for _, n := range root.all("text") {
		texts = append(texts, n.Text)
	}
	joined := strings.Join(texts, "|")
	for _, want := range []string{"募集", "Paid <out>", "¥0", "¥1.5万", "1月", "12月"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no text %q in %s", want, joined)
		}
	}
}

func TestChartEscapesEveryText(t *testing.T) {
	c := testChart([2]domain.Money{100, 200})
	c.ID = `x" onload="alert(1)`
	c.Groups[0].Label = `<script>alert(1)</script>`
	c.Groups[0].Key = `"><img src=x>`
	c.Series[0].Color = `red" onclick="x`
	out := string(c.HTML())
	for _, bad := range []string{"<script", "<img", `" onload=`, `" onclick=`} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in %s", bad, out)
		}
	}
	root := parseSVG(t, out)
	if got := root.all("g")[len(root.all("g"))-1].all("text")[0].Text; got != `<script>alert(1)</script>` {
		t.Errorf("label read back as %q", got)
	}
}

func TestChartScale(t *testing.T) {
	for _, tc := range []struct{ largest, top, step domain.Money }{
		{0, 400_00, 100_00}, // nothing yet: an axis all the same
		{1, 1_00, 1_00},     // never a step under ¥1
		{399_00, 400_00, 100_00},
		{401_00, 600_00, 200_00}, // four steps of ¥100 fall short
		{11000_00, 15000_00, 5000_00},
		{1_234_567_89, 1_500_000_00, 500_000_00},
		{domain.MaxAmount * 12, 1_500_000_000_00, 500_000_000_00},
	} {
		if top, step := chartScale(tc.largest); top != tc.top || step != tc.step {
			t.Errorf("chartScale(%s) = %s, %s; want %s, %s", tc.largest, top, step, tc.top, tc.step)
		}
	}
}

func TestCompactYuan(t *testing.T) {
	for _, tc := range []struct {
		m      domain.Money
		zh, en string
	}{
		{0, "¥0", "¥0"},
		{500_00, "¥500", "¥500"},
		{5000_00, "¥5,000", "¥5k"},
		{25000_00, "¥2.5万", "¥25k"},
		{1_500_000_00, "¥150万", "¥1.5M"},
		{120_000_000_00, "¥1.2亿", "¥120M"},
		{2_000_000_000_00, "¥20亿", "¥2B"},
	} {
		if got := compactYuan(tc.m, langZh); got != tc.zh {
			t.Errorf("compactYuan(%s, zh) = %q, want %q", tc.m, got, tc.zh)
		}
		if got := compactYuan(tc.m, langEn); got != tc.en {
			t.Errorf("compactYuan(%s, en) = %q, want %q", tc.m, got, tc.en)
		}
	}
}

func TestChartShortLabelIsHiddenUntilTheStylesheetShowsIt(t *testing.T) {
	c := testChart([2]domain.Money{100, 200})
	c.Groups[0].Label, c.Groups[0].Short = "10月", "10"
	root := parseSVG(t, string(c.HTML()))
	var labels []svgNode
	for _, g := range root.all("g") {
		if g.attr("class") == "bar-group" {
			labels = g.all("text")
		}
	}
	if len(labels) != 2 || labels[0].Text != "10月" || labels[0].attr("display") != "" ||
		labels[1].Text != "10" || labels[1].attr("class") != "short" || labels[1].attr("display") != "none" {
		t.Errorf("labels %+v", labels)
	}
}
