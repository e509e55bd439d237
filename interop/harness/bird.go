package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// BIRD is a running BIRD 2 (Debian package bird2) in a network
// namespace, queried with birdc. It implements Daemon for
// BIRDScenarioConf.
type BIRD struct {
	ns      Netns
	proc    *Proc
	birdc   string
	sock    string
	log     string
	version string
	// protos maps a peer address (ze's) to its BGP protocol name.
	protos map[string]string
}

// birdProtos are the BGP protocols of BIRDScenarioConf by ze's address,
// and the static protocol announcing each of the daemon's prefixes.
var (
	birdProtos = map[string]string{ZeV4: "ze4", ZeV6: "ze6", ZeIBGP: "zeibgp", ZeAddPath: "zeaddpath"}
	birdStatic = map[string]string{
		DaemonPrefixes4[0]: "s4a", DaemonPrefixes4[1]: "s4b", LoopPrefix: "s4loop",
		DaemonPrefixes6[0]: "s6a", DaemonPrefixes6[1]: "s6b",
	}
)

// StartBIRD starts bird in the foreground in ns with the configuration
// conf (where "@LOG@" is replaced by the log file's path) and waits
// until birdc answers. protos maps the peers' addresses to the names of
// their BGP protocols. It skips the test when BIRD is not installed.
func StartBIRD(t *testing.T, ns Netns, dir, conf string, protos map[string]string) *BIRD {
	t.Helper()
	bin, err := exec.LookPath("bird")
	if err != nil {
		t.Skip("bird not installed (apt-get install bird2)")
	}
	birdc, err := exec.LookPath("birdc")
	if err != nil {
		t.Skip("birdc not installed (apt-get install bird2)")
	}
	ver, _ := exec.Command(bin, "--version").CombinedOutput()
	b := &BIRD{ns: ns, birdc: birdc, sock: filepath.Join(dir, "bird.ctl"), log: filepath.Join(dir, "bird.log"),
		version: strings.TrimSpace(strings.Replace(string(ver), " version", "", 1)), protos: protos}
	file := filepath.Join(dir, "bird.conf")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(conf, "@LOG@", b.log)), 0o644); err != nil {
		t.Fatal(err)
	}
	b.proc = ns.Start(t, dir, "bird", bin, "-f", "-c", file, "-s", b.sock, "-P", filepath.Join(dir, "bird.pid"))
	WaitFor(t, 10*time.Second, "birdc answering", func() (bool, string) {
		out, err := b.Cmd("show", "status")
		return err == nil && strings.Contains(out, "Daemon is up and running"), out
	})
	return b
}

// Cmd runs a birdc command (its words as args) and returns the output.
func (b *BIRD) Cmd(args ...string) (string, error) {
	return b.ns.Output(b.birdc, append([]string{"-s", b.sock}, args...)...)
}

// Proc is the bird process.
func (b *BIRD) Proc() *Proc { return b.proc }

// Log returns what BIRD logged so far to the file "@LOG@" named (empty
// when the configuration logs elsewhere).
func (b *BIRD) Log() string {
	out, _ := os.ReadFile(b.log)
	return string(out)
}

// BIRDScenarioConf is BIRD's configuration for RunScenarios (AS
// DaemonAS, every session passive): one static protocol per prefix of
// DaemonPrefixes (withdrawn by disabling it) and LoopPrefix, exported
// with DaemonAttrs (and ZeAS prepended to LoopPrefix); only its own
// prefixes, with LOCAL_PREF, to the iBGP session; ADD-PATH both ways on
// the ZeAddPath session.
func BIRDScenarioConf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "log \"@LOG@\" all;\nrouter id %s;\nprotocol device { }\n", DaemonV4)
	for _, p := range sortedKeys(birdStatic) {
		name := birdStatic[p]
		afi := "ipv4"
		if strings.Contains(p, ":") {
			afi = "ipv6"
		}
		fmt.Fprintf(&b, "protocol static %s { %s; route %s blackhole; }\n", name, afi, p)
	}
	comm := strings.Replace(DaemonAttrs.Communities[0], ":", ",", 1)
	large := strings.ReplaceAll(DaemonAttrs.Large[0], ":", ",")
	ext := strings.Replace(strings.Replace(DaemonAttrs.Ext[0], "rt:", "rt,", 1), ":", ",", 1)
	fmt.Fprintf(&b, `function own_attrs() {
  bgp_med = %s;
  bgp_community.add((%s));
  bgp_large_community.add((%s));
  bgp_ext_community.add((%s));
}
filter to_ze {
  if source = RTS_STATIC then {
    own_attrs();
    if net = %s then bgp_path.prepend(%d);
  }
  accept;
}
filter to_ze_ibgp {
  if source = RTS_STATIC && net != %s then {
    own_attrs();
    bgp_local_pref = %s;
    accept;
  }
  reject;
}
`, DaemonAttrs.MED, comm, large, ext, LoopPrefix, ZeAS, LoopPrefix, DaemonIBGPLocalPref)
	for _, s := range []struct {
		name, local, peer string
		as                int
		channel           string
	}{
		{"ze4", DaemonV4, ZeV4, ZeAS, "ipv4 { import all; export filter to_ze; }"},
		{"ze6", DaemonV6, ZeV6, ZeAS, "ipv6 { import all; export filter to_ze; }"},
		{"zeibgp", DaemonIBGP, ZeIBGP, DaemonAS, "ipv4 { import all; export filter to_ze_ibgp; next hop self; }"},
		{"zeaddpath", DaemonAddPath, ZeAddPath, ZeAS, "ipv4 { import all; export filter to_ze; add paths on; }"},
		{"dinj1", DaemonV4, DInj1, DInjAS1, "ipv4 { import all; export none; }"},
		{"dinj2", DaemonV4, DInj2, DInjAS2, "ipv4 { import all; export none; }"},
	} {
		fmt.Fprintf(&b, "protocol bgp %s {\n  local %s as %d;\n  neighbor %s as %d;\n  passive on;\n  %s;\n}\n",
			s.name, s.local, DaemonAS, s.peer, s.as, s.channel)
	}
	return b.String()
}

// Version implements Daemon.
func (b *BIRD) Version() string { return b.version }

// AddPath implements Daemon.
func (b *BIRD) AddPath() bool { return true }

func (b *BIRD) proto(peer string) string {
	if p, ok := b.protos[peer]; ok {
		return p
	}
	return "no-protocol-for-" + peer
}

// Established implements Daemon.
func (b *BIRD) Established(peer string) (bool, string) {
	out, err := b.Cmd("show", "protocols", b.proto(peer))
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(b.proto(peer)) + `\s+BGP\s+\S+\s+up\s+\S+\s+Established`)
	return err == nil && re.MatchString(out), out
}

// Routes implements Daemon, from `show route all protocol NAME`: a line
// starting in column 0 opens a prefix and its first path, an indented
// line with a route type ("unicast [proto …]") another path of the same
// prefix, and tab-indented lines ("\tBGP.as_path: …") are attributes.
func (b *BIRD) Routes(peer string, v6 bool) (map[string][]Route, string, error) {
	out, err := b.Cmd("show", "route", "all", "protocol", b.proto(peer))
	if err != nil {
		return nil, out, err
	}
	routes, err := parseBIRDRoutes(out, b.proto(peer))
	return routes, out, err
}

// parseBIRDRoutes reads `show route all protocol PROTO` output (see
// Routes).
func parseBIRDRoutes(out, proto string) (map[string][]Route, error) {
	routes := map[string][]Route{}
	prefix := ""
	var cur *Route
	flush := func() {
		if cur != nil {
			routes[cur.Prefix] = append(routes[cur.Prefix], *cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case line[0] != ' ' && line[0] != '\t':
			f := strings.Fields(line)
			if len(f) > 1 && strings.Contains(f[0], "/") {
				flush()
				prefix = f[0]
				cur = &Route{Prefix: prefix, ASPath: []uint32{}}
			}
		case line[0] == ' ' && prefix != "" && strings.Contains(line, "["+proto+" "):
			flush()
			cur = &Route{Prefix: prefix, ASPath: []uint32{}}
		case cur != nil:
			k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
			if !ok {
				continue
			}
			if err := birdAttr(cur, k, v); err != nil {
				return nil, err
			}
		}
	}
	flush()
	return routes, nil
}

// birdTuple matches one "(a, b[, c])" of a community list.
var birdTuple = regexp.MustCompile(`\(([^)]*)\)`)

// birdAttr sets the attribute k: v of a `show route all` path on r.
func birdAttr(r *Route, k, v string) error {
	tuples := func() []string {
		var out []string
		for _, m := range birdTuple.FindAllStringSubmatch(v, -1) {
			out = append(out, strings.ReplaceAll(strings.ReplaceAll(m[1], " ", ""), ",", ":"))
		}
		return out
	}
	switch k {
	case "BGP.as_path":
		p, err := ASPathOf(v)
		if err != nil {
			return err
		}
		r.ASPath = p
	case "BGP.next_hop":
		r.NextHop = append(r.NextHop, strings.Fields(v)...)
	case "BGP.med":
		r.MED = v
	case "BGP.local_pref":
		r.LocalPref = v
	case "BGP.community":
		r.Communities = tuples()
	case "BGP.large_community":
		r.Large = tuples()
	case "BGP.ext_community":
		r.Ext = tuples() // "(rt, 65000, 9)" → "rt:65000:9"
	}
	return nil
}

// Withdraw implements Daemon: `disable` the prefix's static protocol.
func (b *BIRD) Withdraw(prefix string) error {
	name, ok := birdStatic[prefix]
	if !ok {
		return fmt.Errorf("bird: no static protocol for %s", prefix)
	}
	out, err := b.Cmd("disable", name)
	if err != nil || !strings.Contains(out, "disabled") {
		return fmt.Errorf("bird: disable %s: %v: %s", name, err, out)
	}
	return nil
}

// Refresh implements Daemon: `reload in NAME` (without an import table
// BIRD asks the peer with a ROUTE-REFRESH).
func (b *BIRD) Refresh(peer string) error {
	out, err := b.Cmd("reload", "in", b.proto(peer))
	if err != nil || !strings.Contains(out, "reload") {
		return fmt.Errorf("bird: reload in %s: %v: %s", b.proto(peer), err, out)
	}
	return nil
}

// birdImportUpdates matches the received import updates of `show
// protocols all` ("Import updates:  12  0  0  0  12").
var birdImportUpdates = regexp.MustCompile(`Import updates:\s+(\d+)`)

// AnswersRefresh implements Daemon.
func (b *BIRD) AnswersRefresh() error { return nil }

// UpdatesReceived implements Daemon: BIRD counts route updates, not
// messages ("Import updates: received"), which grows as much.
func (b *BIRD) UpdatesReceived(peer string) (int, error) {
	out, err := b.Cmd("show", "protocols", "all", b.proto(peer))
	if err != nil {
		return 0, err
	}
	total := 0
	for _, m := range birdImportUpdates.FindAllStringSubmatch(out, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		total += n
	}
	if total == 0 && !birdImportUpdates.MatchString(out) {
		return 0, fmt.Errorf("bird: no import updates in: %s", out)
	}
	return total, nil
}

// LastNotification implements Daemon, from `show protocols all NAME`
// ("Last error: Received: Administrative shutdown", "Message: …").
func (b *BIRD) LastNotification(peer string) (code, text, raw string, err error) {
	out, err := b.Cmd("show", "protocols", "all", b.proto(peer))
	if err != nil {
		return "", "", out, err
	}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Last error":
			switch v {
			case "Received: Administrative shutdown":
				code = "6/2"
			case "Received: Administrative reset":
				code = "6/4"
			default:
				code = v
			}
		case "Message":
			text = strings.Trim(v, `"`)
		}
	}
	return code, text, out, nil
}

// BIRDScenarioProtocols returns the protocol names of BIRDScenarioConf's
// sessions by ze's address, for StartBIRD.
func BIRDScenarioProtocols() map[string]string {
	m := map[string]string{}
	for k, v := range birdProtos {
		m[k] = v
	}
	return m
}
