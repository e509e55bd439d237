package harness

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The daemon outputs under testdata/ were taken from RunScenarios runs
// (testdata/README.md): each parser must find in them what the daemon
// showed.

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parseCase is one parser run over one captured output, and the paths
// it must find.
type parseCase struct {
	name   string
	file   string
	parse  func(out string) (map[string][]Route, error)
	prefix string
	want   []Want // every path of prefix, in any order
	ids    int    // how many of them carry a path identifier
}

func TestParsers(t *testing.T) {
	own := Want{ASPath: []uint32{ZeAS}, Communities: []string{"65000:1"}, Large: []string{"4200000000:3:4"}, Ext: []string{"rt:65000:9"}}
	ibgp := Want{ASPath: []uint32{}, NextHop: ZeIBGP, MED: "10", LocalPref: "200",
		Communities: []string{"65000:1"}, Large: []string{"4200000000:3:4"}, Ext: []string{"rt:65000:9"}}
	twoPaths := []Want{{ASPath: []uint32{ZeAS, InjAS1}, NextHop: ZeAddPath}, {ASPath: []uint32{ZeAS, InjAS2}, NextHop: ZeAddPath}}
	with := func(w Want, nh string) Want { w.NextHop = nh; return w }
	frr := func(peer string) func(string) (map[string][]Route, error) {
		return func(out string) (map[string][]Route, error) { return parseFRRRoutes(out, peer) }
	}
	bird := func(proto string) func(string) (map[string][]Route, error) {
		return func(out string) (map[string][]Route, error) { return parseBIRDRoutes(out, proto) }
	}
	gobgp := func(peer string) func(string) (map[string][]Route, error) {
		return func(out string) (map[string][]Route, error) { return parseGoBGPRoutes(out, peer) }
	}
	obgp := func(peer string) func(string) (map[string][]Route, error) {
		return func(out string) (map[string][]Route, error) { return parseOpenBGPDRoutes(out, peer) }
	}
	zeEvents := func(peer string) func(string) (map[string][]Route, error) {
		return func(out string) (map[string][]Route, error) { return foldExaEvents(out, peer) }
	}
	sink := func(out string) (map[string][]Route, error) {
		r, _, err := DecodedRoutes(out)
		return r, err
	}
	for _, c := range []parseCase{
		{"frr/ebgp", "frr-ipv4.json", frr(ZeV4), "10.2.1.0/24", []Want{with(own, ZeV4)}, 0},
		{"frr/ibgp", "frr-ipv4.json", frr(ZeIBGP), ZeIBGPPrefix, []Want{ibgp}, 0},
		{"frr/add-path", "frr-ipv4.json", frr(ZeAddPath), AddPathPrefixToDaemon, twoPaths, 2},
		{"frr/ipv6", "frr-ipv6.json", frr(ZeV6), "fd00:2:1::/48", []Want{with(own, ZeV6)}, 0},
		{"bird/ebgp", "bird-ze4.txt", bird("ze4"), "10.2.1.0/24", []Want{with(own, ZeV4)}, 0},
		{"bird/ibgp", "bird-zeibgp.txt", bird("zeibgp"), ZeIBGPPrefix, []Want{ibgp}, 0},
		{"bird/add-path", "bird-zeaddpath.txt", bird("zeaddpath"), AddPathPrefixToDaemon, twoPaths, 0},
		{"bird/ipv6", "bird-ze6.txt", bird("ze6"), "fd00:2:2::/48", []Want{with(own, ZeV6)}, 0},
		{"gobgp/ebgp", "gobgp-ipv4.json", gobgp(ZeV4), "10.2.1.0/24", []Want{with(own, ZeV4)}, 0},
		{"gobgp/ibgp", "gobgp-ipv4.json", gobgp(ZeIBGP), ZeIBGPPrefix, []Want{ibgp}, 0},
		{"gobgp/ipv6", "gobgp-ipv6.json", gobgp(ZeV6), "fd00:2:1::/48", []Want{with(own, ZeV6)}, 0},
		{"openbgpd/ebgp", "openbgpd-inet.json", obgp(ZeV4), "10.2.1.0/24", []Want{with(own, ZeV4)}, 0},
		{"openbgpd/ibgp", "openbgpd-inet.json", obgp(ZeIBGP), ZeIBGPPrefix, []Want{ibgp}, 0},
		{"openbgpd/ipv6", "openbgpd-inet6.json", obgp(ZeV6), "fd00:2:1::/48", []Want{with(own, ZeV6)}, 0},
		{"ze-events/ebgp", "ze-openbgpd.events", zeEvents(DaemonV4), DaemonPrefixes4[0], []Want{{ASPath: []uint32{DaemonAS},
			NextHop: DaemonV4, MED: "50", Communities: []string{"65001:100"}, Large: []string{"4200000001:1:2"}, Ext: []string{"rt:65001:7"}}}, 0},
		{"ze-events/add-path", "ze-openbgpd.events", zeEvents(DaemonAddPath), AddPathPrefixToZe,
			[]Want{{ASPath: []uint32{DaemonAS, DInjAS1}}, {ASPath: []uint32{DaemonAS, DInjAS2}}}, 2},
		{"sink/ipv4", "sink-exabgp.out", sink, "10.7.1.0/24", []Want{{ASPath: []uint32{4200000001}, NextHop: "10.0.0.2", MED: "50",
			Communities: []string{"65001:100"}, Large: []string{"4200000001:1:2"}, Ext: []string{"rt:65001:7"}}}, 0},
		{"sink/ipv6", "sink-exabgp.out", sink, "fd00:7:1::/48", []Want{{ASPath: []uint32{4200000001}, NextHop: "fd00::2", MED: "50"}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			routes, err := c.parse(readTestdata(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			paths := routes[c.prefix]
			var kept []Route
			for _, r := range paths {
				// loops the daemon keeps but ignores (see checkTwoPaths)
				if !slices.Contains(r.ASPath, DaemonAS) || c.name[:3] == "ze-" || c.name[:4] == "sink" {
					kept = append(kept, r)
				}
			}
			if len(kept) != len(c.want) {
				t.Fatalf("%s: %d paths, want %d: %v", c.prefix, len(kept), len(c.want), paths)
			}
			ids := map[string]bool{}
			for _, w := range c.want {
				i := slices.IndexFunc(kept, func(r Route) bool { return w.Check(r) == "" })
				if i < 0 {
					t.Errorf("%s: no path meets %+v: %v (first: %s)", c.prefix, w, kept, w.Check(kept[0]))
					continue
				}
				if kept[i].PathID != "" {
					ids[kept[i].PathID] = true
				}
			}
			if len(ids) != c.ids {
				t.Errorf("%s: %d distinct path identifiers, want %d: %v", c.prefix, len(ids), c.ids, kept)
			}
		})
	}
}

func TestDecodedRoutesEndOfRIB(t *testing.T) {
	routes, eor, err := DecodedRoutes(readTestdata(t, "sink-exabgp.out"))
	if err != nil {
		t.Fatal(err)
	}
	if eor != 2 || len(routes) != 3 {
		t.Errorf("%d End-of-RIB and %d prefixes, want 2 and 3: %v", eor, len(routes), routes)
	}
	// A withdrawal removes the route.
	w := `{"type":"update","update":{"withdraw":[{"family":"ipv4/unicast","nlri":[{"prefix":"10.7.2.0/24"}]}]}}`
	routes, _, _ = DecodedRoutes(readTestdata(t, "sink-exabgp.out") + w + "\n")
	if _, ok := routes["10.7.2.0/24"]; ok || len(routes) != 2 {
		t.Errorf("after the withdrawal: %v", routes)
	}
}

func TestASPathOf(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint32
		err  bool
	}{
		{"", []uint32{}, false},
		{"4200000000 65101", []uint32{4200000000, 65101}, false},
		{"65001 {65003 65004} (65010)", []uint32{65001, 65003, 65004, 65010}, false},
		{"65001,65002", []uint32{65001, 65002}, false},
		{"Local", nil, true},
		{"4294967296", nil, true},
	} {
		got, err := ASPathOf(c.in)
		if (err != nil) != c.err || !c.err && !slices.Equal(got, c.want) {
			t.Errorf("ASPathOf(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

func TestWantCheck(t *testing.T) {
	r := Route{Prefix: "10.0.0.0/24", ASPath: []uint32{65001}, NextHop: []string{"fd00::2", "fe80::1"},
		MED: "50", Communities: []string{"65001:2", "65001:1"}}
	for _, c := range []struct {
		w    Want
		diff string // a part of the difference, "" for none
	}{
		{Want{}, ""},
		{Want{ASPath: []uint32{65001}, NextHop: "fe80::1", MED: "50", Communities: []string{"65001:1", "65001:2"}}, ""},
		{Want{ASPath: []uint32{}}, "as-path"},
		{Want{NextHop: "fd00::3"}, "next-hop"},
		{Want{MED: "5"}, "med"},
		{Want{LocalPref: "100"}, "local-pref"},
		{Want{Large: []string{"1:2:3"}}, "large-community"},
	} {
		got := c.w.Check(r)
		if c.diff == "" && got != "" || c.diff != "" && !strings.Contains(got, c.diff) {
			t.Errorf("%+v: Check = %q, want %q", c.w, got, c.diff)
		}
	}
}

// FuzzParsers protects the scenario suites from daemon output they did
// not expect (another version, an error text in place of JSON): every
// parser of daemon and ze output returns an error or routes, never
// panics.
func FuzzParsers(f *testing.F) {
	for _, name := range []string{"frr-ipv4.json", "bird-zeaddpath.txt", "gobgp-ipv4.json", "openbgpd-inet.json",
		"ze-openbgpd.events", "sink-exabgp.out"} {
		f.Add(readTestdata(f, name))
	}
	f.Add("10.0.0.0/24 unicast\n \tBGP.as_path: x\n")
	f.Fuzz(func(t *testing.T, out string) {
		parseFRRRoutes(out, ZeV4)
		parseBIRDRoutes(out, "ze4")
		parseGoBGPRoutes(out, ZeV4)
		parseOpenBGPDRoutes(out, ZeV4)
		foldExaEvents(out, DaemonV4)
		DecodedRoutes(out)
		ASPathOf(out)
	})
}
