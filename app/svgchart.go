package app

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"guanai/domain"
)

// svgBarChart is a grouped bar chart drawn on the server as SVG markup: it needs no script and no inline style,
// so it shows under the site's CSP, without JavaScript and in print.
//
// It has no viewBox, so nothing in it is scaled: text stays at its size in pixels on a 360 px phone and on a
// desktop alike. Across, everything is placed in percentages of the chart's width, so it fills any container;
// down, in pixels.
type svgBarChart struct {
	ID     string // prefix of the ids of its <title> and <desc>: unique on the page
	Title  string // what the chart is, read first by a screen reader
	Desc   string // what it shows, in words
	Series []svgSeries
	Groups []svgGroup
	// Tick writes an axis value, short (¥50万, ¥500k): the exact amounts are in each bar's title and in the
	// data table beside the chart.
	Tick func(domain.Money) string
}

// svgSeries is one kind of bar, with its legend entry.
type svgSeries struct {
	Name  string
	Color string // a fill colour, #rrggbb
}

// svgGroup is one position on the horizontal axis (a month): one bar per series.
type svgGroup struct {
	Key    string         // data-key of the group, e.g. 2026-03
	Label  string         // under the group: 3月, Mar
	Short  string         // optional: a shorter label (3) that the page's stylesheet shows instead on a phone
	Sub    string         // an optional second line under the label: the year
	Values []domain.Money // one per series; a negative value is drawn as zero
	Titles []string       // one per series: the bar's tooltip, with the exact amount
}

const (
	chartH                     = 240.0 // pixels
	chartTop, chartBottom      = 36.0, 40.0
	chartLeft, chartRight      = 0.13, 0.01 // fractions of the width: room for the axis' labels, a little air
	chartFont, chartLegendFont = 12, 13
	chartInk                   = "#4b5563"
	chartGrid                  = "#e5e7eb"
	chartAxis                  = "#9ca3af"
)

// HTML draws the chart.
//
// It returns template.HTML because html/template would otherwise escape the markup as text: every piece of text
// and every attribute value that comes from outside this function (titles, labels, keys, series names and
// colours, the tick labels) goes through esc below, and everything else is numbers formatted here. No other
// input reaches the output.
func (c svgBarChart) HTML() template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	n := len(c.Groups)
	top, step := chartScale(c.maxValue())
	plotW, plotH := 1-chartLeft-chartRight, chartH-chartTop-chartBottom
	baseY := chartTop + plotH
	height := func(v domain.Money) float64 {
		if v <= 0 {
			return 0
		}
		return max(float64(v)/float64(top)*plotH, 1) // a small but real amount stays visible
	}

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%%" height="%s" role="img" aria-labelledby="%s-title %s-desc" font-size="%d">`,
		svgLen(chartH), esc(c.ID), esc(c.ID), chartFont)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))

	// Legend, along the top, in a viewport of its own so its pieces can sit a fixed number of pixels apart.
	fmt.Fprintf(&b, `<svg class="legend" x="%s" y="6" width="90%%" height="20" overflow="visible">`, svgPct(chartLeft))
	x := 0.0
	for _, s := range c.Series {
		fmt.Fprintf(&b, `<rect x="%s" y="3" width="13" height="13" rx="2" fill="%s"/><text x="%s" y="14.5" font-size="%d" fill="%s">%s</text>`,
			svgLen(x), esc(s.Color), svgLen(x+18), chartLegendFont, chartInk, esc(s.Name))
		x += 18 + chartLegendFont*svgTextWidth(s.Name) + 20
	}
	b.WriteString(`</svg>`)

	// Gridlines and the vertical axis' labels.
	b.WriteString(`<g class="axis">`)
	for v := domain.Money(0); v <= top; v += step {
		gy := baseY - float64(v)/float64(top)*plotH
		color := chartGrid
		if v == 0 {
			color = chartAxis
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`,
			svgPct(chartLeft), svgLen(gy), svgPct(1-chartRight), svgLen(gy), color)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" fill="%s">%s</text>`,
			svgPct(chartLeft-0.012), svgLen(gy+4), chartInk, esc(c.Tick(v)))
	}
	b.WriteString(`</g>`)

	// The bars, one group per position.
	if n > 0 && len(c.Series) > 0 {
		gw := plotW / float64(n)
		bw := gw * 0.76 / float64(len(c.Series))
		for i, g := range c.Groups {
			gx := chartLeft + gw*float64(i)
			fmt.Fprintf(&b, `<g class="bar-group" data-key="%s">`, esc(g.Key))
			for si, s := range c.Series {
				var v domain.Money
				if si < len(g.Values) {
					v = g.Values[si]
				}
				h := height(v)
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s">`,
					svgPct(gx+gw*0.12+bw*float64(si)), svgLen(baseY-h), svgPct(bw), svgLen(h), esc(s.Color))
				if si < len(g.Titles) {
					fmt.Fprintf(&b, `<title>%s</title>`, esc(g.Titles[si]))
				}
				b.WriteString(`</rect>`)
			}
			cx := svgPct(gx + gw/2)
			if g.Short == "" {
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`, cx, svgLen(baseY+16), chartInk, esc(g.Label))
			} else {
				// Without the stylesheet the long label shows; display="none" is a presentation attribute, which
				// the stylesheet overrides on a narrow screen.
				fmt.Fprintf(&b, `<text class="long" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`, cx, svgLen(baseY+16), chartInk, esc(g.Label))
				fmt.Fprintf(&b, `<text class="short" display="none" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`, cx, svgLen(baseY+16), chartInk, esc(g.Short))
			}
			if g.Sub != "" {
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`, cx, svgLen(baseY+31), chartInk, esc(g.Sub))
			}
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (c svgBarChart) maxValue() domain.Money {
	var m domain.Money
	for _, g := range c.Groups {
		for _, v := range g.Values {
			m = max(m, v)
		}
	}
	return m
}

// chartScale picks the axis: a round step (1, 2 or 5 times a power of ten, at least ¥1) and the top of the axis,
// a multiple of the step at or above the largest value, with at most four steps. Nothing to show still gets an
// axis, from ¥0 to ¥400.
func chartScale(largest domain.Money) (top, step domain.Money) {
	if largest <= 0 {
		return 400_00, 100_00
	}
	raw := (largest + 3) / 4
	step = 100 // ¥1
	for mag := domain.Money(100); ; mag *= 10 {
		found := false
		for _, m := range []domain.Money{1, 2, 5} {
			if m*mag >= raw {
				step, found = m*mag, true
				break
			}
		}
		if found {
			break
		}
	}
	top = (largest + step - 1) / step * step
	return top, step
}

// svgLen writes a length in pixels with at most one decimal.
func svgLen(f float64) string { return strconv.FormatFloat(float64(int64(f*10+0.5))/10, 'f', -1, 64) }

// svgPct writes a fraction of the chart's width as a percentage with at most two decimals.
func svgPct(f float64) string {
	return strconv.FormatFloat(float64(int64(f*10000+0.5))/100, 'f', -1, 64) + "%"
}

// svgTextWidth estimates a label's width in ems: a CJK character is one em, anything else about half.
func svgTextWidth(s string) float64 {
	var w float64
	for _, r := range s {
		if r >= 0x2E80 {
			w++
		} else {
			w += 0.56
		}
	}
	return w
}

// compactYuan writes an axis value briefly: ¥5,000, ¥2.5万, ¥1.2亿 in Chinese; ¥5k, ¥2.5M, ¥1.2B in English.
func compactYuan(m domain.Money, lang string) string {
	yuan := float64(m) / 100
	type unit struct {
		size float64
		name string
	}
	units := []unit{{1e8, "亿"}, {1e4, "万"}}
	if lang == langEn {
		units = []unit{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}}
	}
	for _, u := range units {
		if yuan >= u.size {
			return "¥" + strconv.FormatFloat(float64(int64(yuan/u.size*100+0.5))/100, 'f', -1, 64) + u.name
		}
	}
	s := domain.Money(int64(yuan) * 100).String() // whole yuan with separators: ¥5,000.00
	return strings.TrimSuffix(s, ".00")
}
