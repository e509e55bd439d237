package stats

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteJSON writes the report as one JSON object on one line (keys in
// kebab-case; addresses, prefixes and times as strings).
func WriteJSON(w io.Writer, r *Report) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// RatePeersShown is how many peers get a column of their own in the text
// rate table (fewer when the report's Top is smaller); the others are
// summed in one column.
const RatePeersShown = 5

// maxDamageShown bounds the damage cases the text lists.
const maxDamageShown = 20

// WriteText writes the report as sections of aligned tables, each under
// a title line.
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw}
	t.summary(r)
	t.types(r)
	t.peers(r)
	t.prefixLengths(r)
	t.paths(r)
	t.origins(r)
	t.communities("Communities", r.Communities)
	t.communities("Large communities", r.LargeCommunities)
	t.rate(r)
	t.damage(r)
	return bw.Flush()
}

type textWriter struct {
	w     *bufio.Writer
	first bool // a section has been written
}

// section writes a title, after a blank line when it is not the first.
func (t *textWriter) section(title string) {
	if t.first {
		t.w.WriteByte('\n')
	}
	t.first = true
	t.w.WriteString(title)
	t.w.WriteByte('\n')
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func (t *textWriter) summary(r *Report) {
	t.section("Summary")
	tb := newTable("", "")
	tb.right[1] = true
	add := func(k, v string) { tb.add(k, v) }
	add("files", strconv.Itoa(len(r.Files)))
	add("records", strconv.FormatInt(r.Records, 10))
	if r.FirstTime != nil {
		add("first record", r.FirstTime.Format("2006-01-02 15:04:05 UTC"))
		add("last record", r.LastTime.Format("2006-01-02 15:04:05 UTC"))
		add("time span", r.LastTime.Sub(*r.FirstTime).String())
	}
	add("peers", strconv.Itoa(len(r.Peers)))
	add("RIB entries", u(r.Routes.RIBEntries))
	add("announcements", u(r.Routes.Announcements))
	add("withdrawals", u(r.Routes.Withdrawals))
	add("state changes", u(r.StateChanges))
	if r.Routes.EndOfRIB > 0 {
		add("End-of-RIB markers", u(r.Routes.EndOfRIB))
	}
	if r.Routes.Local > 0 {
		add("messages sent by the collector", u(r.Routes.Local))
	}
	if r.Routes.OtherFamily > 0 {
		add("other-family records and attributes", u(r.Routes.OtherFamily))
	}
	add("IPv4 prefixes", u(r.IPv4.Prefixes))
	add("IPv6 prefixes", u(r.IPv6.Prefixes))
	add("unique AS paths", u(r.ASPaths.Unique))
	add("origin ASNs", u(r.Origins.ASNs))
	add("MOAS prefixes", u(r.MOAS.Prefixes))
	add("communities", u(r.Communities.Distinct))
	add("large communities", u(r.LargeCommunities.Distinct))
	add("damaged", strconv.Itoa(r.Damage.Count))
	tb.noHead = true
	tb.write(t.w)
}

func (t *textWriter) types(r *Report) {
	t.section("Records by type")
	tb := newTable("TYPE", "SUBTYPE", "RECORDS")
	tb.right[2] = true
	for _, c := range r.Types {
		tb.add(c.Type, c.Subtype, u(c.Records))
	}
	tb.write(t.w)
	if len(r.Messages) == 0 {
		return
	}
	t.section("BGP messages")
	tb = newTable("TYPE", "MESSAGES")
	tb.right[1] = true
	for _, m := range r.Messages {
		tb.add(m.Type, u(m.Messages))
	}
	tb.write(t.w)
}

func (t *textWriter) peers(r *Report) {
	if len(r.Peers) == 0 {
		return
	}
	t.section("Peers")
	tb := newTable("PEER", "ASN", "RIB ENTRIES", "ANNOUNCED", "WITHDRAWN", "MESSAGES", "UPDATES", "STATE CHANGES")
	for i := 1; i < len(tb.head); i++ {
		tb.right[i] = true
	}
	for _, p := range r.Peers {
		tb.add(p.IP.String(), u(uint64(p.ASN)), u(p.RIBEntries), u(p.Announcements), u(p.Withdrawals),
			u(p.Messages), u(p.Updates), u(p.StateChanges))
	}
	tb.dropZero(2, 3, 4, 5, 6, 7) // a RIB dump has no messages, an update file no RIB entries
	tb.write(t.w)
}

func (t *textWriter) prefixLengths(r *Report) {
	if r.IPv4.Prefixes+r.IPv6.Prefixes == 0 {
		return
	}
	t.section("Prefix lengths")
	var v4, v6 [129]uint64
	for _, l := range r.IPv4.Lengths {
		v4[l.Length] = l.Prefixes
	}
	for _, l := range r.IPv6.Lengths {
		v6[l.Length] = l.Prefixes
	}
	tb := newTable("LENGTH", "IPV4", "IPV6")
	tb.right = []bool{true, true, true}
	for l := range 129 {
		if v4[l]+v6[l] > 0 {
			tb.add("/"+strconv.Itoa(l), u(v4[l]), u(v6[l]))
		}
	}
	tb.add("total", u(r.IPv4.Prefixes), u(r.IPv6.Prefixes))
	tb.write(t.w)
}

func (t *textWriter) paths(r *Report) {
	if len(r.ASPaths.Lengths) == 0 {
		return
	}
	t.section("AS path lengths (AS_SET counts 1)")
	tb := newTable("LENGTH", "ROUTES", "UNIQUE PATHS")
	tb.right = []bool{true, true, true}
	for _, l := range r.ASPaths.Lengths {
		tb.add(strconv.Itoa(l.Length), u(l.Routes), u(l.Paths))
	}
	tb.write(t.w)
}

func (t *textWriter) origins(r *Report) {
	if len(r.Origins.Top) > 0 {
		t.section(fmt.Sprintf("Top origin ASNs (of %d)", r.Origins.ASNs))
		tb := newTable("ASN", "PREFIXES")
		tb.right = []bool{true, true}
		for _, o := range r.Origins.Top {
			tb.add(u(uint64(o.ASN)), u(o.Prefixes))
		}
		tb.write(t.w)
	}
	if len(r.MOAS.Top) > 0 {
		t.section(fmt.Sprintf("MOAS prefixes (%d originated by more than one AS)", r.MOAS.Prefixes))
		tb := newTable("PREFIX", "ORIGINS")
		for _, m := range r.MOAS.Top {
			o := make([]string, len(m.Origins))
			for i, a := range m.Origins {
				o[i] = u(uint64(a))
			}
			tb.add(m.Prefix.String(), strings.Join(o, " "))
		}
		tb.write(t.w)
	}
}

func (t *textWriter) communities(title string, c CommunityCounts) {
	if len(c.Top) == 0 {
		return
	}
	t.section(fmt.Sprintf("%s (top %d of %d)", title, len(c.Top), c.Distinct))
	tb := newTable("COMMUNITY", "ROUTES")
	tb.right[1] = true
	for _, e := range c.Top {
		tb.add(e.Community, u(e.Routes))
	}
	tb.write(t.w)
}

// rateTimeLayout returns how bucket times are written: with seconds
// below a minute's width.
func rateTimeLayout(width int64) string {
	if width < 60 {
		return "2006-01-02 15:04:05"
	}
	return "2006-01-02 15:04"
}

func (t *textWriter) rate(r *Report) {
	rt := r.Rate
	if rt == nil {
		return
	}
	shown := min(len(rt.Peers), RatePeersShown, max(r.Top, 1))
	t.section(fmt.Sprintf("Updates over time (prefixes per %s; announced/withdrawn per peer)", durationText(time.Duration(rt.BucketSeconds)*time.Second)))
	for i, p := range rt.Peers[:shown] {
		fmt.Fprintf(t.w, "  #%d  %s AS%d (%d)\n", i+1, p.IP, p.ASN, p.Total)
	}
	head := []string{"TIME (UTC)", "ANNOUNCED", "WITHDRAWN"}
	for i := range shown {
		head = append(head, "#"+strconv.Itoa(i+1))
	}
	others := len(rt.Peers) > shown
	if others {
		head = append(head, "OTHERS")
	}
	tb := newTable(head...)
	for i := 1; i < len(head); i++ {
		tb.right[i] = true
	}
	layout := rateTimeLayout(rt.BucketSeconds)
	for b, bk := range rt.Buckets {
		row := []string{bk.Time.Format(layout), u(bk.Announcements), u(bk.Withdrawals)}
		var oa, ow uint64
		for i, p := range rt.Peers {
			if i < shown {
				row = append(row, u(p.Announcements[b])+"/"+u(p.Withdrawals[b]))
			} else {
				oa += p.Announcements[b]
				ow += p.Withdrawals[b]
			}
		}
		if others {
			row = append(row, u(oa)+"/"+u(ow))
		}
		tb.add(row...)
	}
	tb.write(t.w)
}

func (t *textWriter) damage(r *Report) {
	if r.Damage.Count == 0 {
		return
	}
	t.section(fmt.Sprintf("Damage (%d)", r.Damage.Count))
	tb := newTable("FILE", "OFFSET", "REASON")
	tb.right[1] = true
	for i, d := range r.Damage.First {
		if i == maxDamageShown {
			break
		}
		tb.add(d.File, strconv.FormatInt(d.Offset, 10), d.Reason)
	}
	tb.write(t.w)
	if n := r.Damage.Count - min(len(r.Damage.First), maxDamageShown); n > 0 {
		fmt.Fprintf(t.w, "… %d more\n", n)
	}
}

// table is an aligned text table: columns two spaces apart, text left
// and numbers right aligned, no blanks at the ends of lines.
type table struct {
	head   []string
	right  []bool
	rows   [][]string
	noHead bool
}

func newTable(head ...string) *table {
	return &table{head: head, right: make([]bool, len(head))}
}

func (tb *table) add(cells ...string) { tb.rows = append(tb.rows, cells) }

// dropZero removes those of the columns cols that hold only "0".
func (tb *table) dropZero(cols ...int) {
	var drop []int
	for _, c := range cols {
		zero := true
		for _, row := range tb.rows {
			zero = zero && row[c] == "0"
		}
		if zero {
			drop = append(drop, c)
		}
	}
	for i := len(drop) - 1; i >= 0; i-- { // from the right, so indexes hold
		c := drop[i]
		cut := func(v []string) []string { return append(v[:c:c], v[c+1:]...) }
		tb.head = cut(tb.head)
		tb.right = append(tb.right[:c:c], tb.right[c+1:]...)
		for j, row := range tb.rows {
			tb.rows[j] = cut(row)
		}
	}
}

func (tb *table) write(w *bufio.Writer) {
	width := make([]int, len(tb.head))
	rows := tb.rows
	if !tb.noHead {
		rows = append([][]string{tb.head}, rows...)
	}
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i > 0 {
				line.WriteString("  ")
			}
			if tb.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c)
				if i < len(row)-1 {
					line.WriteString(pad)
				}
			}
		}
		w.WriteString(line.String())
		w.WriteByte('\n')
	}
}
