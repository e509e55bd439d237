package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FRR is a running FRR (zebra and bgpd, Debian package frr) in a
// network namespace, queried with vtysh. It implements Daemon for
// FRRScenarioConf.
type FRR struct {
	ns       Netns
	dir      string // the processes' output
	run      string // the run directory: configurations, pid files, vty sockets
	uid, gid int    // user frr's
	vtysh    string
	version  string
	bgpd     *Proc
}

// FRR's daemons, as the Debian package installs them.
const (
	frrZebra = "/usr/lib/frr/zebra"
	frrBgpd  = "/usr/lib/frr/bgpd"
)

// StartFRR starts zebra and bgpd (-n: no kernel routes) in ns with the
// given bgpd configuration and waits until vtysh answers and no
// neighbour is Idle any more. It skips the
// test when FRR is not installed. Both processes are stopped by PID at
// cleanup.
func StartFRR(t *testing.T, ns Netns, dir, bgpdConf string) *FRR {
	t.Helper()
	f := LaunchFRR(t, ns, dir, bgpdConf)
	// Neighbours are Idle for a moment after bgpd starts; a connection
	// then is refused with NOTIFICATION 5/0 (FSM error).
	WaitFor(t, 10*time.Second, "FRR's neighbours out of Idle", func() (bool, string) {
		out, err := f.Vty("show bgp neighbors json")
		var m map[string]struct {
			State string `json:"bgpState"`
		}
		if err != nil || json.Unmarshal([]byte(out), &m) != nil {
			return false, out
		}
		for _, n := range m {
			if n.State == "Idle" {
				return false, out
			}
		}
		return true, out
	})
	return f
}

// LaunchFRR is StartFRR without the wait for the neighbours: it returns
// once vtysh answers, for sessions that may never come up (a wrong
// password, a TTL refused).
func LaunchFRR(t *testing.T, ns Netns, dir, bgpdConf string) *FRR {
	t.Helper()
	for _, bin := range []string{frrZebra, frrBgpd} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s missing (apt-get install frr)", bin)
		}
	}
	vtysh, err := exec.LookPath("vtysh")
	if err != nil {
		t.Skip("vtysh not installed (apt-get install frr)")
	}
	u, err := user.Lookup("frr")
	if err != nil {
		t.Skip("no user frr (apt-get install frr)")
	}
	f := &FRR{ns: ns, dir: dir, vtysh: vtysh}
	f.uid, _ = strconv.Atoi(u.Uid)
	f.gid, _ = strconv.Atoi(u.Gid)
	// The run directory must belong to user frr and the path to it be
	// searchable by frr (t.TempDir's parent is not).
	if f.run, err = os.MkdirTemp("", "zeio-frr-run-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(f.run) })
	f.writeRun(t, "zebra.conf", "hostname zebra\n")
	f.writeRun(t, "bgpd.conf", bgpdConf)
	if err := os.Chmod(f.run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f.run, f.uid, f.gid); err != nil {
		t.Fatal(err)
	}
	zserv := filepath.Join(f.run, "zserv.api")
	ns.Start(t, dir, "zebra", frrZebra, "-u", "frr", "-g", "frr", "-f", filepath.Join(f.run, "zebra.conf"),
		"-i", filepath.Join(f.run, "zebra.pid"), "-z", zserv, "--vty_socket", f.run)
	WaitFor(t, 10*time.Second, "zebra's zserv socket", func() (bool, string) {
		_, err := os.Stat(zserv)
		return err == nil, fmt.Sprint(err)
	})
	f.bgpd = f.startBgpd(t, "bgpd")
	WaitFor(t, 10*time.Second, "FRR's vtysh", func() (bool, string) {
		out, err := f.Vty("show version")
		ok := err == nil && strings.HasPrefix(out, "FRR")
		if ok {
			f.version = strings.Fields(out)[0] + " " + strings.Fields(out)[1]
		}
		return ok, out
	})
	return f
}

// writeRun writes a file of the run directory, owned by user frr.
func (f *FRR) writeRun(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.run, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(f.run, name), f.uid, f.gid); err != nil {
		t.Fatal(err)
	}
}

// startBgpd starts bgpd on port 179 with the run directory's bgpd.conf,
// its output in DIR/LABEL.out and .err.
func (f *FRR) startBgpd(t *testing.T, label string) *Proc {
	t.Helper()
	return f.ns.Start(t, f.dir, label, frrBgpd, "-u", "frr", "-g", "frr", "-S", "-f", filepath.Join(f.run, "bgpd.conf"),
		"-i", filepath.Join(f.run, "bgpd.pid"), "-z", filepath.Join(f.run, "zserv.api"), "--vty_socket", f.run, "-p", "179", "-n")
}

// Bgpd is the running bgpd process (the last RestartBgpd's).
func (f *FRR) Bgpd() *Proc { return f.bgpd }

// RestartBgpd starts bgpd again, with the configuration bgpdConf and
// its output in DIR/LABEL.out and .err, once the previous one exited
// (killed by the test: a restarting speaker). It does not wait for
// vtysh.
func (f *FRR) RestartBgpd(t *testing.T, label, bgpdConf string) *Proc {
	t.Helper()
	f.writeRun(t, "bgpd.conf", bgpdConf)
	os.Remove(filepath.Join(f.run, "bgpd.pid"))
	f.bgpd = f.startBgpd(t, label)
	return f.bgpd
}

// Vty runs vtysh commands (each one -c) and returns the output.
func (f *FRR) Vty(cmds ...string) (string, error) {
	args := []string{"--vty_socket", f.run}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	return f.ns.Output(f.vtysh, args...)
}

// FRRScenarioConf is bgpd's configuration for RunScenarios (AS
// DaemonAS, every session passive): DaemonPrefixes as `network`
// statements whose route-map sets DaemonAttrs (and prepends ZeAS to
// LoopPrefix), LOCAL_PREF on the iBGP
// session's export, every path sent to ZeAddPath (ADD-PATH; FRR always
// offers to receive).
func FRRScenarioConf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname frr\nlog stdout informational\ndebug bgp neighbor-events\nrouter bgp %d\n bgp router-id %s\n", DaemonAS, DaemonV4)
	b.WriteString(" no bgp ebgp-requires-policy\n no bgp network import-check\n no bgp default ipv4-unicast\n")
	for _, n := range []struct {
		addr string
		as   int
	}{{ZeV4, ZeAS}, {ZeV6, ZeAS}, {ZeIBGP, DaemonAS}, {ZeAddPath, ZeAS}, {DInj1, DInjAS1}, {DInj2, DInjAS2}} {
		fmt.Fprintf(&b, " neighbor %s remote-as %d\n neighbor %s passive\n", n.addr, n.as, n.addr)
	}
	b.WriteString(" address-family ipv4 unicast\n")
	for _, p := range DaemonPrefixes4 {
		fmt.Fprintf(&b, "  network %s route-map ATTRS\n", p)
	}
	fmt.Fprintf(&b, "  network %s route-map LOOP\n", LoopPrefix)
	for _, a := range []string{ZeV4, ZeIBGP, ZeAddPath, DInj1, DInj2} {
		fmt.Fprintf(&b, "  neighbor %s activate\n", a)
	}
	fmt.Fprintf(&b, "  neighbor %s route-map IBGP out\n  neighbor %s addpath-tx-all-paths\n", ZeIBGP, ZeAddPath)
	b.WriteString(" exit-address-family\n address-family ipv6 unicast\n")
	for _, p := range DaemonPrefixes6 {
		fmt.Fprintf(&b, "  network %s route-map ATTRS\n", p)
	}
	fmt.Fprintf(&b, "  neighbor %s activate\n exit-address-family\n!\n", ZeV6)
	attrs := fmt.Sprintf(" set metric %s\n set community %s\n set large-community %s\n set extcommunity rt %s\n",
		DaemonAttrs.MED, DaemonAttrs.Communities[0], DaemonAttrs.Large[0], strings.TrimPrefix(DaemonAttrs.Ext[0], "rt:"))
	fmt.Fprintf(&b, "route-map ATTRS permit 10\n%s!\n", attrs)
	fmt.Fprintf(&b, "route-map LOOP permit 10\n%s set as-path prepend %d\n!\n", attrs, ZeAS)
	// Only its own routes (own prefixes, empty AS path) to the iBGP
	// session: ze uses DaemonAS there and ZeAS elsewhere, so a path FRR
	// learned from ze over eBGP would come back to ze over iBGP with
	// nothing in its AS path that ze's iBGP session sees as a loop, and
	// grow by one ZeAS per round trip for ever.
	for i, p := range DaemonPrefixes4 {
		fmt.Fprintf(&b, "ip prefix-list OWN seq %d permit %s\n", 5*(i+1), p)
	}
	fmt.Fprintf(&b, "bgp as-path access-list LOCAL seq 5 permit ^$\n")
	fmt.Fprintf(&b, "route-map IBGP permit 10\n match ip address prefix-list OWN\n match as-path LOCAL\n set local-preference %s\n!\n", DaemonIBGPLocalPref)
	return b.String()
}

// Version implements Daemon.
func (f *FRR) Version() string { return f.version }

// AddPath implements Daemon.
func (f *FRR) AddPath() bool { return true }

// Neighbor returns FRR's JSON view of its neighbour peer (`show bgp
// neighbors PEER json`) and the output it read it from.
func (f *FRR) Neighbor(peer string) (map[string]any, string, error) {
	out, err := f.Vty("show bgp neighbors " + peer + " json")
	if err != nil {
		return nil, out, err
	}
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		return nil, out, err
	}
	n, ok := m[peer]
	if !ok {
		return nil, out, fmt.Errorf("no neighbor %s", peer)
	}
	return n, out, nil
}

// Established implements Daemon.
func (f *FRR) Established(peer string) (bool, string) {
	n, out, err := f.Neighbor(peer)
	return err == nil && n["bgpState"] == "Established", out
}

// frrPath is one path of `show bgp … json detail`.
type frrPath struct {
	ASPath struct {
		String string `json:"string"`
	} `json:"aspath"`
	Metric    *uint32 `json:"metric"`
	LocPrf    *uint32 `json:"locPrf"`
	Community struct {
		List []string `json:"list"`
	} `json:"community"`
	Large struct {
		List []string `json:"list"`
	} `json:"largeCommunity"`
	Ext struct {
		String string `json:"string"`
	} `json:"extendedCommunity"`
	AddPathRxID *uint32 `json:"addpathRxId"`
	NextHops    []struct {
		IP string `json:"ip"`
	} `json:"nexthops"`
	Peer *struct {
		PeerID string `json:"peerId"`
	} `json:"peer"`
}

// Routes implements Daemon, from `show bgp ipv4|ipv6 unicast json
// detail`.
func (f *FRR) Routes(peer string, v6 bool) (map[string][]Route, string, error) {
	afi := "ipv4"
	if v6 {
		afi = "ipv6"
	}
	out, err := f.Vty("show bgp " + afi + " unicast json detail")
	if err != nil {
		return nil, out, err
	}
	routes, err := parseFRRRoutes(out, peer)
	return routes, out, err
}

// parseFRRRoutes reads `show bgp … json detail` output: the paths whose
// peer is peer, by prefix. The first element of each prefix's list is a
// header without a peer, skipped.
func parseFRRRoutes(out, peer string) (map[string][]Route, error) {
	var rib struct {
		Routes map[string][]json.RawMessage `json:"routes"`
	}
	if err := json.Unmarshal([]byte(out), &rib); err != nil {
		return nil, err
	}
	routes := map[string][]Route{}
	for prefix, elems := range rib.Routes {
		for _, e := range elems {
			var p frrPath
			if err := json.Unmarshal(e, &p); err != nil {
				return nil, err
			}
			if p.Peer == nil || p.Peer.PeerID != peer {
				continue // the prefix header, or another peer's path
			}
			r := Route{Prefix: prefix, Communities: p.Community.List, Large: p.Large.List}
			if p.ASPath.String == "Local" {
				p.ASPath.String = "" // a locally originated path
			}
			var err error
			if r.ASPath, err = ASPathOf(p.ASPath.String); err != nil {
				return nil, err
			}
			if p.AddPathRxID != nil && *p.AddPathRxID != 0 {
				r.PathID = strconv.FormatUint(uint64(*p.AddPathRxID), 10)
			}
			for _, nh := range p.NextHops {
				r.NextHop = append(r.NextHop, nh.IP)
			}
			if p.Metric != nil {
				r.MED = strconv.FormatUint(uint64(*p.Metric), 10)
			}
			if p.LocPrf != nil {
				r.LocalPref = strconv.FormatUint(uint64(*p.LocPrf), 10)
			}
			for _, e := range strings.Fields(p.Ext.String) {
				// "RT:65001:7"
				if rest, ok := strings.CutPrefix(e, "RT:"); ok {
					r.Ext = append(r.Ext, "rt:"+rest)
				} else {
					r.Ext = append(r.Ext, e)
				}
			}
			routes[prefix] = append(routes[prefix], r)
		}
	}
	return routes, nil
}

// Withdraw implements Daemon: `no network PREFIX`.
func (f *FRR) Withdraw(prefix string) error {
	afi := "ipv4"
	if strings.Contains(prefix, ":") {
		afi = "ipv6"
	}
	out, err := f.Vty("configure terminal", fmt.Sprintf("router bgp %d", DaemonAS),
		"address-family "+afi+" unicast", "no network "+prefix+" route-map ATTRS")
	if err != nil || strings.TrimSpace(out) != "" {
		return fmt.Errorf("frr: no network %s: %v: %s", prefix, err, out)
	}
	return nil
}

// Refresh implements Daemon: `clear bgp PEER soft in` (FRR keeps no
// copy of what it received without soft-reconfiguration inbound, so it
// sends a ROUTE-REFRESH).
func (f *FRR) Refresh(peer string) error {
	out, err := f.Vty("clear bgp " + peer + " soft in")
	if err != nil || strings.TrimSpace(out) != "" {
		return fmt.Errorf("frr: clear bgp %s soft in: %v: %s", peer, err, out)
	}
	return nil
}

// AnswersRefresh implements Daemon.
func (f *FRR) AnswersRefresh() error { return nil }

// UpdatesReceived implements Daemon.
func (f *FRR) UpdatesReceived(peer string) (int, error) {
	n, out, err := f.Neighbor(peer)
	if err != nil {
		return 0, err
	}
	stats, _ := n["messageStats"].(map[string]any)
	v, ok := stats["updatesRecv"].(float64)
	if !ok {
		return 0, fmt.Errorf("frr: no messageStats.updatesRecv: %s", out)
	}
	return int(v), nil
}

// frrReasons maps FRR's lastNotificationReason texts to code/subcode.
var frrReasons = map[string]string{
	"Cease/Administrative Shutdown": "6/2",
	"Cease/Administrative Reset":    "6/4",
	"Cease/Peer Unconfigured":       "6/3",
	"Cease/Unspecific":              "6/0",
}

// LastNotification implements Daemon.
func (f *FRR) LastNotification(peer string) (code, text, raw string, err error) {
	n, out, err := f.Neighbor(peer)
	if err != nil {
		return "", "", out, err
	}
	reason, _ := n["lastNotificationReason"].(string)
	code = frrReasons[reason]
	if code == "" && reason != "" {
		code = reason
	}
	text, _ = n["lastShutdownDescription"].(string)
	return code, text, out, nil
}
