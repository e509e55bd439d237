package stats

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ChartPeers is how many of the busiest peers get a line of their own in
// the rate chart; the others are summed in one "others" line.
const ChartPeers = 8

// Colours: one per peer line, in rank order, then grey for the others;
// the prefix-length bars of IPv4 and IPv6.
var (
	peerColours  = [ChartPeers]string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"}
	othersColour = "#8c8c8c"
	ipv4Colour   = "#3d5a80"
	ipv6Colour   = "#2a9d8f"
)

// Geometry of the image (pixels).
const (
	svgWidth    = 960
	plotLeft    = 72  // room for the y labels
	plotRight   = 36  // right margin (room for the last time label)
	panelTitleH = 26  // a panel's title line
	rateH       = 150 // a rate panel's plot height
	axisH       = 34  // x labels under a plot
	legendRowH  = 18
	histH       = 170
)

// WriteSVG draws the report's charts as a standalone SVG image: the
// announcements and the withdrawals per time bucket (Report.Chart), one
// line per busy peer and one for the others, with a legend; then the
// prefix-length histograms of IPv4 and IPv6. A chart without data says
// so instead.
func WriteSVG(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	s := &svg{w: bw}
	rate := r.Chart
	if rate == nil {
		rate = r.Rate
	}
	series := chartSeries(rate)
	legendRows := (len(series) + 2) / 3
	rateBlock := 0
	if rate != nil {
		rateBlock = 2*(panelTitleH+rateH+axisH) + legendRows*legendRowH + 16
	} else {
		rateBlock = 40
	}
	height := 64 + rateBlock + panelTitleH + histH + axisH + 16
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
<rect width="100%%" height="100%%" fill="#ffffff"/>
`, svgWidth, height, svgWidth, height)
	title := "MRT statistics: " + fileList(r.Files)
	bw.WriteString("<title>")
	xml.EscapeText(bw, []byte(title))
	bw.WriteString("</title>\n")
	s.text(24, 30, "start", `font-size="18" font-weight="bold" fill="#222"`, title)
	s.text(24, 50, "start", `fill="#555"`, subtitle(r))
	y := 64
	if rate != nil {
		width := time.Duration(rate.BucketSeconds) * time.Second
		y = s.ratePanel(y, "Announcements per "+durationText(width)+" (prefixes)", rate, series, true)
		y = s.ratePanel(y, "Withdrawals per "+durationText(width)+" (prefixes)", rate, series, false)
		y = s.legend(y+4, series)
	} else {
		s.text(24, float64(y+24), "start", `fill="#777"`, "No announcements or withdrawals: no rate over time (a RIB dump?)")
		y += 40
	}
	half := (svgWidth - 16) / 2
	s.histogram(0, y, half, "IPv4 prefix lengths", r.IPv4, 0, 32, 4, ipv4Colour)
	lo, hi := v6Range(r.IPv6)
	s.histogram(half+16, y, half, "IPv6 prefix lengths", r.IPv6, lo, hi, 8, ipv6Colour)
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

type svg struct{ w *bufio.Writer }

// text writes a text element; extra is more attributes, written as is.
func (s *svg) text(x, y float64, anchor, extra, content string) {
	fmt.Fprintf(s.w, `<text x="%s" y="%s" text-anchor="%s" %s>`, num(x), num(y), anchor, extra)
	xml.EscapeText(s.w, []byte(content))
	s.w.WriteString("</text>\n")
}

func (s *svg) line(x1, y1, x2, y2 float64, attrs string) {
	fmt.Fprintf(s.w, `<line x1="%s" y1="%s" x2="%s" y2="%s" %s/>`+"\n", num(x1), num(y1), num(x2), num(y2), attrs)
}

// num writes a coordinate with at most one decimal.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func fileList(files []string) string {
	switch len(files) {
	case 0:
		return "no file"
	case 1:
		return baseName(files[0])
	}
	return fmt.Sprintf("%s and %d more", baseName(files[0]), len(files)-1)
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return p
}

func subtitle(r *Report) string {
	parts := []string{fmt.Sprintf("%d records", r.Records)}
	if r.FirstTime != nil {
		parts = append(parts, r.FirstTime.Format("2006-01-02 15:04:05")+" to "+r.LastTime.Format("2006-01-02 15:04:05 UTC"))
	}
	parts = append(parts, fmt.Sprintf("%d peers", len(r.Peers)),
		fmt.Sprintf("%d IPv4 and %d IPv6 prefixes", r.IPv4.Prefixes, r.IPv6.Prefixes))
	if r.Damage.Count > 0 {
		parts = append(parts, fmt.Sprintf("%d damaged", r.Damage.Count))
	}
	return strings.Join(parts, " · ")
}

// durationText writes a bucket width the way people say it ("minute",
// "5 minutes", "30 seconds").
func durationText(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return d.String()
}

// lineSeries is one line of the rate chart.
type lineSeries struct {
	label  string
	colour string
	ann    []uint64
	wd     []uint64
}

// chartSeries picks the lines: the ChartPeers busiest peers, then the
// sum of the others.
func chartSeries(r *Rate) []lineSeries {
	if r == nil {
		return nil
	}
	var out []lineSeries
	n := len(r.Buckets)
	var oa, ow []uint64
	for i, p := range r.Peers {
		if i < ChartPeers {
			out = append(out, lineSeries{fmt.Sprintf("%s AS%d (%d)", p.IP, p.ASN, p.Total), peerColours[i], p.Announcements, p.Withdrawals})
			continue
		}
		if oa == nil {
			oa, ow = make([]uint64, n), make([]uint64, n)
		}
		for b := range n {
			oa[b] += p.Announcements[b]
			ow[b] += p.Withdrawals[b]
		}
	}
	if oa != nil {
		out = append(out, lineSeries{fmt.Sprintf("%d other peers", len(r.Peers)-ChartPeers), othersColour, oa, ow})
	}
	return out
}

// niceStep returns a round step (1, 2 or 5 × 10^k) that divides max
// into at most about five intervals.
func niceStep(max float64) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return math.Max(m*p, 1)
		}
	}
	return 10 * p
}

// shortNumber writes a count compactly: 950, 1.2k, 35k, 1.5M.
func shortNumber(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(strconv.FormatFloat(v/1e6, 'f', 1, 64), ".0") + "M"
	case v >= 1e3:
		return strings.TrimSuffix(strconv.FormatFloat(v/1e3, 'f', 1, 64), ".0") + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// yAxis draws the horizontal grid lines and their labels of a plot
// [x0,x1]×[top,bottom] for values 0…max; it returns the scale's maximum.
func (s *svg) yAxis(x0, x1, top, bottom, max float64) float64 {
	step := niceStep(max)
	ymax := math.Max(step*math.Ceil(max/step), step)
	for v := 0.0; v <= ymax+step/2; v += step {
		y := bottom - (bottom-top)*v/ymax
		colour := "#e5e5e5"
		if v == 0 {
			colour = "#999"
		}
		s.line(x0, y, x1, y, `stroke="`+colour+`" stroke-width="1"`)
		s.text(x0-6, y+4, "end", `fill="#555" font-size="11"`, shortNumber(v))
	}
	return ymax
}

// ratePanel draws one rate chart (announcements or withdrawals) from y
// and returns the y below it.
func (s *svg) ratePanel(y int, title string, r *Rate, series []lineSeries, ann bool) int {
	s.text(plotLeft, float64(y+18), "start", `font-size="14" font-weight="bold" fill="#333"`, title)
	top := float64(y + panelTitleH)
	bottom := top + rateH
	x0, x1 := float64(plotLeft), float64(svgWidth-plotRight)
	var max float64
	for _, l := range series {
		v := l.wd
		if ann {
			v = l.ann
		}
		for _, c := range v {
			max = math.Max(max, float64(c))
		}
	}
	ymax := s.yAxis(x0, x1, top, bottom, max)
	n := len(r.Buckets)
	xAt := func(i float64) float64 { return x0 + (x1-x0)*(i+0.5)/float64(n) }
	s.timeAxis(r, x0, x1, bottom)
	for k := len(series) - 1; k >= 0; k-- { // the busiest peer drawn last, on top
		l := series[k]
		v := l.wd
		if ann {
			v = l.ann
		}
		var pts strings.Builder
		for i, c := range v {
			if i > 0 {
				pts.WriteByte(' ')
			}
			pts.WriteString(num(xAt(float64(i))) + "," + num(bottom-(bottom-top)*float64(c)/ymax))
		}
		if n == 1 {
			fmt.Fprintf(s.w, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(xAt(0)), num(bottom-(bottom-top)*float64(v[0])/ymax), l.colour)
			continue
		}
		fmt.Fprintf(s.w, `<polyline fill="none" stroke="%s" stroke-width="1.8" stroke-linejoin="round" points="%s"/>`+"\n", l.colour, pts.String())
	}
	return int(bottom) + axisH
}

// timeAxis writes the time labels under a rate plot: at round times, at
// most about eight, with the date when the span crosses midnight.
func (s *svg) timeAxis(r *Rate, x0, x1, bottom float64) {
	n := len(r.Buckets)
	w := r.BucketSeconds
	start := r.Start.Unix()
	end := start + int64(n)*w
	span := end - start
	step := ladder[len(ladder)-1]
	for _, l := range ladder {
		if l >= w && span/l <= 8 {
			step = l
			break
		}
	}
	layout := "15:04"
	if step < 60 {
		layout = "15:04:05"
	}
	if time.Unix(start, 0).UTC().YearDay() != time.Unix(end-1, 0).UTC().YearDay() || span > 86400 {
		layout = "Jan 2 " + layout
		if step >= 86400 {
			layout = "Jan 2"
		}
	}
	first := (start + step - 1) / step * step
	for t := first; t <= end; t += step {
		x := x0 + (x1-x0)*float64(t-start)/float64(span)
		s.line(x, bottom, x, bottom+5, `stroke="#999"`)
		s.text(x, bottom+18, "middle", `fill="#555" font-size="11"`, time.Unix(t, 0).UTC().Format(layout))
	}
	s.text(x1, bottom+31, "end", `fill="#777" font-size="11"`, "time (UTC), "+r.Start.Format("2006-01-02"))
}

// legend writes the line legend in three columns from y and returns the
// y below it.
func (s *svg) legend(y int, series []lineSeries) int {
	colW := float64(svgWidth-plotLeft-plotRight) / 3
	for i, l := range series {
		x := float64(plotLeft) + colW*float64(i%3)
		yy := float64(y + (i/3)*legendRowH + 10)
		s.line(x, yy-4, x+22, yy-4, `stroke="`+l.colour+`" stroke-width="3"`)
		s.text(x+28, yy, "start", `fill="#333" font-size="11"`, l.label)
	}
	return y + ((len(series)+2)/3)*legendRowH + 12
}

// v6Range returns the IPv6 lengths to draw: the lengths present,
// widened to multiples of 8 (/16 to /64 when there are none).
func v6Range(f Family) (lo, hi int) {
	if len(f.Lengths) == 0 {
		return 16, 64
	}
	lo, hi = f.Lengths[0].Length/8*8, (f.Lengths[len(f.Lengths)-1].Length+7)/8*8
	if hi == lo {
		hi = min(lo+8, 128)
	}
	return lo, hi
}

// histogram draws a prefix-length histogram of lengths lo…hi in the
// panel at x, y of the given width, a label every tick lengths.
func (s *svg) histogram(x, y, width int, title string, f Family, lo, hi, tick int, colour string) {
	s.text(float64(x+plotLeft), float64(y+18), "start", `font-size="14" font-weight="bold" fill="#333"`,
		fmt.Sprintf("%s (%d prefixes)", title, f.Prefixes))
	top := float64(y + panelTitleH)
	bottom := top + histH
	x0, x1 := float64(x+plotLeft), float64(x+width-plotRight/2)
	if f.Prefixes == 0 {
		s.text((x0+x1)/2, (top+bottom)/2, "middle", `fill="#777"`, "no prefixes")
		return
	}
	counts := make([]uint64, hi-lo+1)
	var max float64
	for _, l := range f.Lengths {
		if l.Length >= lo && l.Length <= hi {
			counts[l.Length-lo] = l.Prefixes
			max = math.Max(max, float64(l.Prefixes))
		}
	}
	ymax := s.yAxis(x0, x1, top, bottom, max)
	slot := (x1 - x0) / float64(len(counts))
	for i, c := range counts {
		bx := x0 + slot*float64(i)
		if c > 0 {
			h := (bottom - top) * float64(c) / ymax
			fmt.Fprintf(s.w, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>/%d: %d</title></rect>`+"\n",
				num(bx+slot*0.1), num(bottom-h), num(slot*0.8), num(h), colour, lo+i, c)
		}
		if (lo+i)%tick == 0 {
			s.line(bx+slot/2, bottom, bx+slot/2, bottom+5, `stroke="#999"`)
			s.text(bx+slot/2, bottom+18, "middle", `fill="#555" font-size="11"`, "/"+strconv.Itoa(lo+i))
		}
	}
	s.text(x1, bottom+31, "end", `fill="#777" font-size="11"`, "prefix length")
}
