package conformance

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// indexSection is one capture's "* Label: value" lines of INDEX.md.
type indexSection map[string]string

// loadIndex reads INDEX.md into capture name -> its labelled lines.
func loadIndex() (map[string]indexSection, error) {
	f, err := os.Open(filepath.Join(pcapDir, "INDEX.md"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]indexSection{}
	var cur indexSection
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if name, ok := strings.CutPrefix(l, "### "); ok {
			cur = indexSection{}
			out[strings.TrimSpace(name)] = cur
			continue
		}
		if cur == nil || !strings.HasPrefix(l, "* ") {
			continue
		}
		label, val, ok := strings.Cut(l[2:], ": ")
		if ok {
			cur[label] = strings.TrimSpace(val)
		}
	}
	return out, sc.Err()
}

// indexFamilies are INDEX.md's family names.
var indexFamilies = map[string]wire.Family{
	"IPv4 unicast": {AFI: 1, SAFI: 1}, "IPv6 unicast": {AFI: 2, SAFI: 1},
	"IPv4 multicast": {AFI: 1, SAFI: 2}, "IPv6 multicast": {AFI: 2, SAFI: 2},
	"IPv4 labeled-unicast": {AFI: 1, SAFI: 4}, "IPv6 labeled-unicast": {AFI: 2, SAFI: 4},
	"IPv4 VPN (MPLS L3VPN)": {AFI: 1, SAFI: 128}, "IPv6 VPN (MPLS L3VPN)": {AFI: 2, SAFI: 128},
	"IPv4 FlowSpec": {AFI: 1, SAFI: 133}, "IPv6 FlowSpec": {AFI: 2, SAFI: 133},
	"IPv4 MUP": {AFI: 1, SAFI: 85}, "IPv6 MUP": {AFI: 2, SAFI: 85},
	"L2VPN VPLS": {AFI: 25, SAFI: 65}, "L2VPN EVPN": {AFI: 25, SAFI: 70},
	"L2VPN FlowSpec-VPN": {AFI: 25, SAFI: 134},
}

// segmentNames are INDEX.md's AS_PATH segment type names.
var segmentNames = map[string]string{"AS_SET": "1", "AS_SEQUENCE": "2", "AS_CONFED_SEQUENCE": "3", "AS_CONFED_SET": "4"}

// itemEnd matches the count that ends each item of a count list.
var itemEnd = regexp.MustCompile(` \((\d+)\)(, |$)`)

// countList parses "item (N), item (N)" into item -> N, keying each item
// by key(item) (its leading word, a family, …). Item names may hold
// parentheses and commas ("153 unknown-0x99 (generic, opt-transitive)
// (1)"): an item ends at a parenthesised number followed by ", " or the
// end of the line.
func countList(s string, key func(string) (string, bool)) (map[string]int, error) {
	out := map[string]int{}
	start := 0
	for _, m := range itemEnd.FindAllStringSubmatchIndex(s, -1) {
		it := s[start:m[0]]
		k, ok := key(it)
		if !ok {
			return nil, fmt.Errorf("item %q not understood", it)
		}
		n, _ := strconv.Atoi(s[m[2]:m[3]])
		out[k] += n
		start = m[1]
	}
	if start != len(s) {
		return nil, fmt.Errorf("%q has no count", s[start:])
	}
	return out, nil
}

func firstWord(s string) (string, bool) {
	w, _, _ := strings.Cut(s, " ")
	return w, w != ""
}

func familyKey(s string) (string, bool) {
	f, ok := indexFamilies[s]
	return familyString(f), ok
}

// summary is what INDEX.md counts, computed from ze's decoding.
type summary map[string]map[string]int

func (s summary) inc(label, key string) {
	if s[label] == nil {
		s[label] = map[string]int{}
	}
	s[label][key]++
}

// Labels of summary (INDEX.md's).
const (
	lMessages = "Messages"
	lCaps     = "Capabilities in OPENs"
	lMPFams   = "MP capability families"
	lAddPath  = "ADD-PATH capability"
	lMyAS     = "OPEN My AS values"
	lHold     = "hold times"
	lIPv4     = "IPv4 unicast NLRI (classic field)"
	lMPReach  = "MP_REACH_NLRI families (UPDATE count)"
	lMPUnr    = "MP_UNREACH_NLRI families (UPDATE count, incl. EoR)"
	lEoR      = "End-of-RIB markers"
	lAttrs    = "Path attributes (occurrences)"
	lSegs     = "AS_PATH segment types"
	lExt      = "Extended communities"
	lNotif    = "NOTIFICATION"
	lTexts    = "Shutdown communication texts"
	lLargest  = "largest message"
)

var typeByNumber = map[string]string{"1": "OPEN", "2": "UPDATE", "3": "NOTIFICATION", "4": "KEEPALIVE", "5": "ROUTE-REFRESH"}

var addPathModes = map[string]string{"1": "receive", "2": "send", "3": "send/receive"}

// summarize adds one message's fields to s.
func (s summary) summarize(f *fields) {
	var code string
	largest := s[lLargest]
	if largest == nil {
		largest = map[string]int{"": 0}
		s[lLargest] = largest
	}
	for _, n := range f.names {
		v := f.vals[n]
		base, _, _ := strings.Cut(n, "#")
		switch {
		case base == "type":
			s.inc(lMessages, typeByNumber[v])
		case base == "length":
			l, _ := strconv.Atoi(v)
			largest[""] = max(largest[""], l)
		case strings.HasPrefix(base, "update.nlri["):
			s.inc(lIPv4, "announced")
		case strings.HasPrefix(base, "update.withdrawn["):
			s.inc(lIPv4, "withdrawn")
		case base == "update.mp-reach-nlri.family":
			s.inc(lMPReach, v)
		case base == "update.mp-unreach-nlri.family":
			s.inc(lMPUnr, v)
		case base == "update.eor":
			s.inc(lEoR, v)
		case base == "update.attrs":
			for _, c := range strings.Split(v, ",") {
				if c != "" {
					s.inc(lAttrs, c)
				}
			}
		case (strings.HasPrefix(base, "update.as-path[") || strings.HasPrefix(base, "update.as4-path[")) && strings.HasSuffix(base, "].type"):
			// INDEX.md counts AS4_PATH segments with AS_PATH's.
			s.inc(lSegs, v)
		case strings.HasPrefix(base, "update.extended-community[") && strings.HasSuffix(base, "].type"):
			code = v
		case strings.HasPrefix(base, "update.extended-community[") && strings.HasSuffix(base, "].subtype"):
			s.inc(lExt, code+"/"+v)
		case base == "notification.code":
			code = v
		case base == "notification.subcode":
			s.inc(lNotif, code+"/"+v)
		case base == "notification.communication":
			s.inc(lTexts, v)
		case base == "open.my_as":
			s.inc(lMyAS, v)
		case base == "open.hold_time":
			s.inc(lHold, v)
		case strings.HasPrefix(base, "open.cap[") && strings.HasSuffix(base, "].code"):
			s.inc(lCaps, v)
		case strings.HasPrefix(base, "open.cap[") && strings.Contains(base, "].family["):
			s.inc(lMPFams, v)
		case strings.HasPrefix(base, "open.cap[") && strings.Contains(base, "].add_path["):
			i := strings.LastIndexByte(v, '/')
			s.inc(lAddPath, v[:i]+" "+addPathModes[v[i+1:]])
		}
	}
}

// indexChecks compares sec (INDEX.md's lines for one capture) with s
// (ze's counts) and returns the disagreements and the labels it did not
// check.
func indexChecks(sec indexSection, s summary) (bad []string, unchecked []string) {
	eq := func(label string, want map[string]int, gotLabel string) {
		got := s[gotLabel]
		keys := map[string]bool{}
		for k := range want {
			keys[k] = true
		}
		for k := range got {
			keys[k] = true
		}
		for k := range keys {
			if want[k] != got[k] {
				bad = append(bad, fmt.Sprintf("%s %s: INDEX.md %d, ze %d", label, k, want[k], got[k]))
			}
		}
	}
	// set compares the keys only (INDEX.md lists which values occur).
	set := func(label string, want []string, gotLabel string) {
		var got []string
		for k := range s[gotLabel] {
			got = append(got, k)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			bad = append(bad, fmt.Sprintf("%s: INDEX.md %q, ze %q", label, want, got))
		}
	}
	for label, val := range sec {
		var err error
		switch label {
		case "Messages (tshark)":
			// "OPEN 2, UPDATE 6, …; largest message N bytes", possibly
			// followed by "**(hex split found: OPEN 2, UPDATE 12, … -
			// tshark disagrees)**": the hex split is what ze sees.
			counts, rest, _ := strings.Cut(val, "; ")
			if _, hs, ok := strings.Cut(val, "hex split found: "); ok {
				counts, _, _ = strings.Cut(hs, " - ")
			}
			want := map[string]int{}
			for _, it := range strings.Split(counts, ", ") {
				k, n, _ := strings.Cut(it, " ")
				want[k], _ = strconv.Atoi(n)
			}
			eq("messages", want, lMessages)
			var l int
			if _, err := fmt.Sscanf(rest, "largest message %d bytes", &l); err == nil {
				eq("largest message", map[string]int{"": l}, lLargest)
			}
		case "Capabilities in OPENs":
			var want []string
			for _, it := range strings.Split(val, ", ") {
				w, _ := firstWord(it)
				want = append(want, w)
			}
			set(label, want, lCaps)
		case "MP capability families":
			var want []string
			for _, it := range strings.Split(val, ", ") {
				k, ok := familyKey(it)
				if !ok {
					err = fmt.Errorf("family %q", it)
				}
				want = append(want, k)
			}
			set(label, want, lMPFams)
		case "ADD-PATH capability":
			var want []string
			for _, it := range strings.Split(val, ", ") {
				i := strings.LastIndexByte(it, ' ')
				k, ok := familyKey(it[:i])
				if !ok {
					err = fmt.Errorf("family %q", it)
				}
				want = append(want, k+" "+it[i+1:])
			}
			set(label, slices.Compact(slices.Sorted(slices.Values(want))), lAddPath)
		case "OPEN My AS values":
			as, hold, _ := strings.Cut(val, "; hold times: ")
			set(label, strings.Split(as, ", "), lMyAS)
			set("hold times", strings.Split(hold, ", "), lHold)
		case lIPv4:
			var a, w int
			if _, err = fmt.Sscanf(val, "%d prefixes announced, %d withdrawn", &a, &w); err == nil {
				eq(label, map[string]int{"announced": a, "withdrawn": w}, lIPv4)
			}
		case lMPReach, lMPUnr, lEoR:
			var want map[string]int
			if want, err = countList(val, familyKey); err == nil {
				eq(label, want, label)
			}
		case lAttrs, lExt, lNotif:
			var want map[string]int
			if want, err = countList(val, firstWord); err == nil {
				eq(label, want, label)
			}
		case lSegs:
			var want map[string]int
			if want, err = countList(val, func(s string) (string, bool) { k, ok := segmentNames[s]; return k, ok }); err == nil {
				eq(label, want, label)
			}
		case lTexts:
			var want []string
			for _, q := range strings.Split(val, "; ") {
				want = append(want, strings.Trim(q, `"`))
			}
			set(label, want, lTexts)
		default:
			unchecked = append(unchecked, label)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: cannot read INDEX.md line: %v", label, err))
		}
	}
	sort.Strings(bad)
	sort.Strings(unchecked)
	return bad, unchecked
}

// uncheckedLabels are INDEX.md lines checkIndex does not compare: file
// names and sizes, and TCP endpoints (which need msgs.tsv).
var uncheckedLabels = []string{"Directions", "Files"}

// checkIndex compares ze's counts over a whole capture (messages per
// type, largest message, capabilities, prefixes, attributes, segment
// types, extended communities, End-of-RIB markers, NOTIFICATIONs and
// their texts) with those of its INDEX.md section. It is used for the
// captures without a tshark JSON to compare message by message (the
// 200k-prefix one: INDEX.md's counts were made from its tshark
// dissection before the JSON was dropped). v6 is the number of IPv6
// prefixes ze read from MP_REACH_NLRI.
func checkIndex(t *testing.T, name string, s summary, v6 int) {
	t.Helper()
	idx, err := loadIndex()
	if err != nil {
		t.Fatalf("INDEX.md: %v", err)
	}
	sec, ok := idx[name]
	if !ok {
		t.Fatalf("no INDEX.md section for %s", name)
	}
	bad, unchecked := indexChecks(sec, s)
	for _, b := range bad {
		t.Error(b)
	}
	if !slices.Equal(unchecked, uncheckedLabels) {
		t.Errorf("INDEX.md lines not compared: %q, want only %q", unchecked, uncheckedLabels)
	}
	if name == bigCapture && v6 != 50000 {
		// INDEX.md's description: "200,000 IPv4 + 50,000 IPv6 prefixes".
		t.Errorf("IPv6 prefixes announced: ze %d, INDEX.md 50000", v6)
	}
	t.Logf("%s: no tshark JSON; %d INDEX.md lines compared with ze's counts (%d values), not compared: %q",
		name, len(sec)-len(unchecked), countValues(s), unchecked)
}

func countValues(s summary) int {
	n := 0
	for _, m := range s {
		n += len(m)
	}
	return n
}
