package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// GoBGP is a running gobgpd (Debian package gobgpd) in a network
// namespace, driven and queried with the gobgp CLI (-j: JSON) on the
// namespace's loopback. It implements Daemon for GoBGPScenarioConf once
// GoBGPScenarioRoutes are added.
type GoBGP struct {
	ns      Netns
	gobgp   string
	logs    []string // gobgpd's output files: JSON log records (on stdout)
	version string
}

// gobgpAPI is where gobgpd's gRPC API listens, inside its namespace.
const gobgpAPI = "127.0.0.1:50051"

// StartGoBGP starts gobgpd in ns with the TOML configuration conf and
// waits until the CLI answers. It skips the test when GoBGP is not
// installed.
func StartGoBGP(t *testing.T, ns Netns, dir, conf string) *GoBGP {
	t.Helper()
	bin, err := exec.LookPath("gobgpd")
	if err != nil {
		t.Skip("gobgpd not installed (apt-get install gobgpd)")
	}
	cli, err := exec.LookPath("gobgp")
	if err != nil {
		t.Skip("gobgp not installed (apt-get install gobgpd)")
	}
	ver, _ := exec.Command(bin, "--version").CombinedOutput()
	g := &GoBGP{ns: ns, gobgp: cli, logs: []string{filepath.Join(dir, "gobgpd.out"), filepath.Join(dir, "gobgpd.err")},
		version: "GoBGP " + strings.TrimPrefix(strings.TrimSpace(string(ver)), "gobgpd version ")}
	file := filepath.Join(dir, "gobgpd.toml")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ns.Start(t, dir, "gobgpd", bin, "-f", file, "-t", "toml", "--api-hosts", gobgpAPI)
	WaitFor(t, 10*time.Second, "gobgp CLI answering", func() (bool, string) {
		out, err := g.cli("global")
		return err == nil && strings.Contains(out, "AS:"), out
	})
	return g
}

// cli runs the gobgp CLI against this gobgpd.
func (g *GoBGP) cli(args ...string) (string, error) {
	host, port, _ := strings.Cut(gobgpAPI, ":")
	return g.ns.Output(g.gobgp, append([]string{"-u", host, "-p", port}, args...)...)
}

// RibAdd runs `gobgp global rib add ARGS…` (a route of the daemon).
func (g *GoBGP) RibAdd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := g.cli(append([]string{"global", "rib", "add"}, args...)...); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("gobgp global rib add %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// GoBGPScenarioConf is gobgpd's configuration for RunScenarios (AS
// DaemonAS, every session passive): ADD-PATH both ways on the ZeAddPath
// session; to the iBGP session only its own prefixes with an empty AS
// path (GoBGPScenarioRoutes), with LOCAL_PREF DaemonIBGPLocalPref.
func GoBGPScenarioConf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[global.config]\n  as = %d\n  router-id = %q\n  port = 179\n\n", DaemonAS, DaemonV4)
	b.WriteString("[[defined-sets.prefix-sets]]\n  prefix-set-name = \"own\"\n")
	for _, p := range DaemonPrefixes4 {
		fmt.Fprintf(&b, "  [[defined-sets.prefix-sets.prefix-list]]\n    ip-prefix = %q\n", p)
	}
	// Only its own routes to the iBGP session (see FRRScenarioConf). A
	// neighbor's own apply-policy works only for route-server clients:
	// this is the global export policy, whose neighbor set matches the
	// peer a route is sent to.
	fmt.Fprintf(&b, `
[[defined-sets.neighbor-sets]]
  neighbor-set-name = "ibgp"
  neighbor-info-list = [%q]

[[policy-definitions]]
  name = "ibgp-out"
  [[policy-definitions.statements]]
    name = "own"
    [policy-definitions.statements.conditions.match-neighbor-set]
      neighbor-set = "ibgp"
    [policy-definitions.statements.conditions.match-prefix-set]
      prefix-set = "own"
    [policy-definitions.statements.conditions.bgp-conditions.as-path-length]
      operator = "eq"
      value = 0
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
    [policy-definitions.statements.actions.bgp-actions]
      set-local-pref = %s
  [[policy-definitions.statements]]
    name = "not-own"
    [policy-definitions.statements.conditions.match-neighbor-set]
      neighbor-set = "ibgp"
    [policy-definitions.statements.actions]
      route-disposition = "reject-route"

[global.apply-policy.config]
  export-policy-list = ["ibgp-out"]
  default-export-policy = "accept-route"
`, ZeIBGP, DaemonIBGPLocalPref)
	for _, n := range []struct {
		addr, afi string
		as        int
		extra     string
	}{
		{ZeV4, "ipv4-unicast", ZeAS, ""},
		{ZeV6, "ipv6-unicast", ZeAS, ""},
		{ZeIBGP, "ipv4-unicast", DaemonAS, ""},
		{ZeAddPath, "ipv4-unicast", ZeAS, ""},
		{DInj1, "ipv4-unicast", DInjAS1, ""},
		{DInj2, "ipv4-unicast", DInjAS2, ""},
	} {
		fmt.Fprintf(&b, `
[[neighbors]]
  [neighbors.config]
    neighbor-address = %q
    peer-as = %d
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.timers.config]
    idle-hold-time-after-reset = 1
%s  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = %q
`, n.addr, n.as, n.extra, n.afi)
		if n.addr == ZeAddPath {
			b.WriteString("    [neighbors.afi-safis.add-paths.config]\n      receive = true\n      send-max = 8\n")
		}
	}
	return b.String()
}

// GoBGPScenarioRoutes are the `gobgp global rib add` arguments of the
// daemon's routes for RunScenarios: DaemonPrefixes with DaemonAttrs,
// and LoopPrefix with AS_PATH [ZeAS] (DaemonAS is prepended on export).
func GoBGPScenarioRoutes() [][]string {
	attrs := []string{"med", DaemonAttrs.MED, "community", DaemonAttrs.Communities[0],
		"large-community", DaemonAttrs.Large[0], "rt", strings.TrimPrefix(DaemonAttrs.Ext[0], "rt:")}
	var out [][]string
	for _, p := range DaemonPrefixes4 {
		out = append(out, append([]string{"-a", "ipv4", p}, attrs...))
	}
	for _, p := range DaemonPrefixes6 {
		out = append(out, append([]string{"-a", "ipv6", p}, attrs...))
	}
	out = append(out, append([]string{"-a", "ipv4", LoopPrefix, "aspath", strconv.Itoa(ZeAS)}, attrs...))
	return out
}

// Version implements Daemon.
func (g *GoBGP) Version() string { return g.version }

// AddPath implements Daemon.
func (g *GoBGP) AddPath() bool { return true }

// gobgpNeighbor is the part of `gobgp -j neighbor ADDR` read here.
type gobgpNeighbor struct {
	State struct {
		SessionState int `json:"session_state"` // 6: Established
		Messages     struct {
			Received struct {
				Update       int `json:"update"`
				Notification int `json:"notification"`
			} `json:"received"`
		} `json:"messages"`
	} `json:"state"`
}

func (g *GoBGP) neighbor(peer string) (gobgpNeighbor, string, error) {
	var n gobgpNeighbor
	out, err := g.cli("-j", "neighbor", peer)
	if err != nil {
		return n, out, err
	}
	return n, out, json.Unmarshal([]byte(out), &n)
}

// Established implements Daemon.
func (g *GoBGP) Established(peer string) (bool, string) {
	n, out, err := g.neighbor(peer)
	return err == nil && n.State.SessionState == 6, out
}

// gobgpPath is one path of `gobgp -j global rib`.
type gobgpPath struct {
	NLRI struct {
		Prefix string `json:"prefix"`
	} `json:"nlri"`
	NeighborIP string            `json:"neighbor-ip"`
	ID         uint32            `json:"id"`
	Attrs      []json.RawMessage `json:"attrs"`
}

// gobgpAttr is one attribute of a gobgpPath, as the CLI prints it.
type gobgpAttr struct {
	Type    int `json:"type"`
	ASPaths []struct {
		ASNs []uint32 `json:"asns"`
	} `json:"as_paths"`
	NextHop     string          `json:"nexthop"`
	Metric      *uint32         `json:"metric"`
	Communities []uint32        `json:"communities"`
	Value       json.RawMessage `json:"value"`
}

// Routes implements Daemon, from `gobgp -j global rib`: every path
// gobgpd accepted (not its Adj-RIB-In, which also keeps paths it
// refused for an AS loop), those whose neighbor-ip is peer.
func (g *GoBGP) Routes(peer string, v6 bool) (map[string][]Route, string, error) {
	afi := "ipv4"
	if v6 {
		afi = "ipv6"
	}
	out, err := g.cli("-j", "global", "rib", "-a", afi)
	if err != nil {
		return nil, out, err
	}
	routes, err := parseGoBGPRoutes(out, peer)
	return routes, out, err
}

// parseGoBGPRoutes reads `gobgp -j global rib` output: the paths whose
// neighbor-ip is peer, by prefix.
func parseGoBGPRoutes(out, peer string) (map[string][]Route, error) {
	var rib map[string][]gobgpPath
	if err := json.Unmarshal([]byte(out), &rib); err != nil {
		return nil, err
	}
	routes := map[string][]Route{}
	for prefix, paths := range rib {
		for _, p := range paths {
			if p.NeighborIP != peer {
				continue
			}
			r := Route{Prefix: prefix, ASPath: []uint32{}}
			if p.ID != 0 {
				r.PathID = strconv.FormatUint(uint64(p.ID), 10)
			}
			for _, raw := range p.Attrs {
				if err := gobgpAttrTo(&r, raw); err != nil {
					return nil, err
				}
			}
			routes[prefix] = append(routes[prefix], r)
		}
	}
	return routes, nil
}

// gobgpAttrTo sets one attribute of the CLI's JSON on r.
func gobgpAttrTo(r *Route, raw json.RawMessage) error {
	var a gobgpAttr
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("gobgp attribute %s: %v", raw, err)
	}
	switch a.Type {
	case 2: // AS_PATH
		for _, s := range a.ASPaths {
			r.ASPath = append(r.ASPath, s.ASNs...)
		}
	case 3: // NEXT_HOP
		r.NextHop = append(r.NextHop, a.NextHop)
	case 4: // MULTI_EXIT_DISC
		if a.Metric != nil {
			r.MED = strconv.FormatUint(uint64(*a.Metric), 10)
		}
	case 5: // LOCAL_PREF
		var v uint32
		if err := json.Unmarshal(a.Value, &v); err != nil {
			return err
		}
		r.LocalPref = strconv.FormatUint(uint64(v), 10)
	case 8: // COMMUNITIES, as 32-bit numbers
		for _, c := range a.Communities {
			r.Communities = append(r.Communities, fmt.Sprintf("%d:%d", c>>16, c&0xffff))
		}
	case 14: // MP_REACH_NLRI: the next hop
		var m struct {
			NextHop string `json:"nexthop"`
		}
		if err := json.Unmarshal(raw, &m); err == nil && m.NextHop != "" {
			r.NextHop = append(r.NextHop, m.NextHop)
		}
	case 16: // EXTENDED COMMUNITIES
		var ecs []struct {
			Type    int    `json:"type"`
			Subtype int    `json:"subtype"`
			Value   string `json:"value"`
		}
		if err := json.Unmarshal(a.Value, &ecs); err != nil {
			return err
		}
		for _, e := range ecs {
			if e.Subtype == 2 { // route target (RFC 4360 §4)
				r.Ext = append(r.Ext, "rt:"+e.Value)
			} else {
				r.Ext = append(r.Ext, fmt.Sprintf("%d/%d:%s", e.Type, e.Subtype, e.Value))
			}
		}
	case 32: // LARGE_COMMUNITY
		var ls []struct {
			ASN, LocalData1, LocalData2 uint32
		}
		if err := json.Unmarshal(a.Value, &ls); err != nil {
			return err
		}
		for _, l := range ls {
			r.Large = append(r.Large, fmt.Sprintf("%d:%d:%d", l.ASN, l.LocalData1, l.LocalData2))
		}
	}
	return nil
}

// Withdraw implements Daemon: `gobgp global rib del`.
func (g *GoBGP) Withdraw(prefix string) error {
	afi := "ipv4"
	if strings.Contains(prefix, ":") {
		afi = "ipv6"
	}
	out, err := g.cli("global", "rib", "del", "-a", afi, prefix)
	if err != nil || strings.TrimSpace(out) != "" {
		return fmt.Errorf("gobgp global rib del %s: %v: %s", prefix, err, out)
	}
	return nil
}

// Refresh implements Daemon: gobgpd cannot be made to send a
// ROUTE-REFRESH. It keeps every peer's Adj-RIB-In, and `gobgp neighbor
// ADDR softresetin` only runs the import policy over it again (its
// UPDATE counter does not move).
func (g *GoBGP) Refresh(peer string) error {
	return fmt.Errorf("%w: gobgpd keeps the Adj-RIB-In and `gobgp neighbor %s softresetin` re-applies the import policy locally, never sending ROUTE-REFRESH", ErrUnsupported, peer)
}

// AnswersRefresh implements Daemon.
func (g *GoBGP) AnswersRefresh() error { return nil }

// UpdatesReceived implements Daemon.
func (g *GoBGP) UpdatesReceived(peer string) (int, error) {
	n, out, err := g.neighbor(peer)
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	return n.State.Messages.Received.Update, nil
}

// LastNotification implements Daemon. The CLI shows no received
// NOTIFICATION, so it is read from gobgpd's JSON log: the last "Peer
// Down" record of the peer (its Reason, e.g. "notification-received
// code 6(cease) subcode 2(administrative shutdown)") and the
// "received notification" record's Communicated-Reason.
func (g *GoBGP) LastNotification(peer string) (code, text, raw string, err error) {
	var b []byte
	for _, f := range g.logs {
		l, err := os.ReadFile(f)
		if err != nil {
			return "", "", "", err
		}
		b = append(b, l...)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) != nil || rec["Key"] != peer {
			continue
		}
		lines = append(lines, l)
		for k, v := range rec {
			s, ok := v.(string)
			if !ok {
				continue
			}
			if c, ok := gobgpNotificationCode(s); ok && (k == "Reason" || k == "Data" || k == "Code") {
				code = c
			}
			if strings.Contains(strings.ToLower(k), "communicat") {
				text = s
			}
		}
		if code == "" {
			if c, ok := rec["Code"].(float64); ok {
				if sc, ok := rec["Subcode"].(float64); ok {
					code = fmt.Sprintf("%d/%d", int(c), int(sc))
				}
			}
		}
	}
	return code, text, strings.Join(lines, "\n"), nil
}

// gobgpNotificationCode reads "code 6(cease) subcode 2(…)" in s.
func gobgpNotificationCode(s string) (string, bool) {
	var c, sc int
	i := strings.Index(s, "code ")
	if i < 0 {
		return "", false
	}
	if n, _ := fmt.Sscanf(s[i:], "code %d", &c); n != 1 {
		return "", false
	}
	j := strings.Index(s, "subcode ")
	if j < 0 {
		return "", false
	}
	if n, _ := fmt.Sscanf(s[j:], "subcode %d", &sc); n != 1 {
		return "", false
	}
	return fmt.Sprintf("%d/%d", c, sc), true
}
