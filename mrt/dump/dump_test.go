package dump

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/internal/jsonmatch"
	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/filter"
)

const synthetic = "../bgpdump/testdata/synthetic.mrt"

func run(t *testing.T, in []byte, o Options) (string, Summary) {
	t.Helper()
	r, err := mrt.NewReader(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	sum, err := Run(r, &out, o)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), sum
}

func readSynthetic(t *testing.T) []byte {
	b, err := os.ReadFile(synthetic)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestJSON: every line is a JSON object, RIB routes carry their peer and
// the synthesised UPDATE, messages their endpoints, state changes their
// states; nothing in the synthetic set is damage except the records made
// to be.
func TestJSON(t *testing.T) {
	out, sum := run(t, readSynthetic(t), Options{Format: FormatJSON})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line %d is not JSON: %s", i+1, l)
		}
	}
	if sum.Lines != int64(len(lines)) {
		t.Errorf("Lines %d, %d printed", sum.Lines, len(lines))
	}
	for _, want := range []string{
		`{"type":"TABLE_DUMP_V2","subtype":"RIB_IPV4_UNICAST","peer-asn":65002,"peer-ip":"192.0.2.2","message":{"type":"update","update":{"attributes":{"as-path":[{"type":"as-sequence","asns":[65002,65010]},{"type":"as-set","asns":[65020,65021]}],"community":["no-export","no-advertise","no-export-subconfed","65002:7"]},"announce":[{"family":"ipv4/unicast","next-hop":["192.0.2.2"],"nlri":[{"prefix":"10.1.0.0/16"}]}]}}}`,
		`{"subtype":"RIB_IPV6_UNICAST","peer-asn":65004,"message":{"update":{"announce":[{"family":"ipv6/unicast","next-hop":["2001:db8::4","fe80::4"],"nlri":[{"prefix":"2001:db8:8000::/33"}]}]}}}`,
		`{"subtype":"RIB_IPV4_UNICAST_ADDPATH","path-id":18,"message":{"update":{"announce":[{"nlri":[{"prefix":"10.2.0.0/24","path-id":18}]}]}}}`,
		`{"time":"2023-11-14T22:13:24Z","type":"BGP4MP","subtype":"MESSAGE_AS4_LOCAL_ADDPATH","peer-asn":65001,"peer-ip":"2001:db8::1","local-asn":65000,"local-ip":"2001:db8::fe","message":{"update":{"announce":[{"family":"ipv6/unicast","nlri":[{"prefix":"2001:db8:40::/48","path-id":9}]}]}}}`,
		// two MP_REACH_NLRI: bgpdump reads both, ze JSON says malformed
		`{"time":"2023-11-14T22:13:22.654321Z","type":"BGP4MP_ET","subtype":"MESSAGE_AS4_ADDPATH","message":{"parsed":false,"error":"message: mp-reach-nlri appears more than once"}}`,
		`{"subtype":"STATE_CHANGE","peer-ip":"2001:db8::1","old-state":"idle","new-state":"connect"}`,
		`{"type":"BGP","subtype":"BGP_UPDATE","peer-asn":3333,"message":{"update":{"announce":[{"nlri":[{"prefix":"10.51.0.0/16"},{"prefix":"10.52.0.0/16"}]}]}}}`,
		`{"type":"BGP","subtype":"BGP_STATE_CHANGE","old-state":"established","new-state":"idle"}`,
		`{"type":"TABLE_DUMP","subtype":"AFI_IPv4","sequence":1,"message":{"update":{"attributes":{"as4-path":[{"type":"as-sequence","asns":[4200000060]}]}}}}`,
		`{"type":"BGP4MP","subtype":"MESSAGE_AS4","message":{"type":"keepalive"}}`,
	} {
		if !anyMatch(t, lines, want) {
			t.Errorf("no line matches %s", want)
		}
	}
}

func anyMatch(t *testing.T, lines []string, want string) bool {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		var g any
		if json.Unmarshal([]byte(l), &g) == nil && jsonmatch.Match(w, g) == nil {
			return true
		}
	}
	return false
}

// TestFilters: the same filter selects the same routes in every format.
func TestFilters(t *testing.T) {
	in := readSynthetic(t)
	f := &filter.Filter{PeerASN: 65004, HasPeerASN: true}
	lines, _ := run(t, in, Options{Filter: f})
	js, _ := run(t, in, Options{Format: FormatJSON, Filter: f})
	hex, _ := run(t, in, Options{Format: FormatHex, Filter: f})
	if n := strings.Count(lines, "\n"); n != 3 {
		t.Errorf("-m: %d lines\n%s", n, lines)
	}
	if n := strings.Count(js, "\n"); n != 3 || strings.Count(js, `"peer-asn":65004`) != 3 {
		t.Errorf("json: %d lines\n%s", n, js)
	}
	if n := strings.Count(hex, "\n") - strings.Count(hex, "#"); n != 3 {
		t.Errorf("hex: %d messages\n%s", n, hex)
	}
	// A state filter: JSON prints the state changes, hex nothing.
	f = &filter.Filter{Kinds: filter.State}
	if js, _ := run(t, in, Options{Format: FormatJSON, Filter: f}); strings.Count(js, "\n") != 4 {
		t.Errorf("json states:\n%s", js)
	}
	f = &filter.Filter{Prefix: netip.MustParsePrefix("10.51.0.0/16")}
	if js, _ := run(t, in, Options{Format: FormatJSON, Filter: f}); strings.Count(js, "\n") != 1 || !strings.Contains(js, `"BGP_UPDATE"`) {
		t.Errorf("json prefix:\n%s", js)
	}
}

// TestHex: each message on a line, a context comment when the context
// changes.
func TestHex(t *testing.T) {
	out, _ := run(t, readSynthetic(t), Options{Format: FormatHex})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "# context: --asn4" {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{"# context: --no-asn4", "# context: --asn4 --add-path ipv4/unicast,ipv6/unicast,ipv4/multicast,ipv6/multicast"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("no %q", want)
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF") {
			t.Errorf("line %q", l)
		}
	}
}

// TestDamage: reader damage and record damage are merged in offset
// order, and the records around them are printed.
func TestDamage(t *testing.T) {
	good, err := os.ReadFile("../bgpdump/testdata/synthetic.mrt")
	if err != nil {
		t.Fatal(err)
	}
	in := append(append([]byte(nil), good...), "trailing garbage"...)
	want, _ := run(t, good, Options{})
	out, sum := run(t, in, Options{})
	if out != want {
		t.Error("the records before the garbage print differently")
	}
	// The synthetic set holds one state change bgpdump refuses (a
	// length it does not know); then the garbage.
	if sum.Damage.Count != 2 || !strings.Contains(sum.Damage.Kept[0].Reason, "STATE_CHANGE of an unexpected length") ||
		!strings.Contains(sum.Damage.Kept[1].Reason, "unknown record type") || sum.Damage.Kept[1].Offset != int64(len(good)) {
		t.Errorf("damage %v", sum.Damage.Kept)
	}
}

// FuzzRun protects the whole dump: any stream, in every format, with
// and without a filter, prints without panicking, and --json prints
// only valid JSON lines.
func FuzzRun(f *testing.F) {
	if b, err := os.ReadFile(synthetic); err == nil {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, format := range []Format{FormatLines, FormatCompact, FormatJSON, FormatHex} {
			for _, flt := range []*filter.Filter{nil, {Prefix: netip.MustParsePrefix("10.0.0.0/8"), IncludeSub: true}} {
				r, err := mrt.NewReader(bytes.NewReader(in))
				if err != nil {
					return
				}
				var out bytes.Buffer
				if _, err := Run(r, &out, Options{Format: format, Filter: flt}); err != nil {
					t.Fatal(err)
				}
				r.Close()
				if format == FormatJSON {
					for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
						if l != "" && !json.Valid([]byte(l)) {
							t.Fatalf("not JSON: %s", l)
						}
					}
				}
			}
		}
	})
}
