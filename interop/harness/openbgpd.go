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

// OpenBGPD is a running OpenBGPD (Debian package openbgpd) in a network
// namespace, driven and queried with bgpctl (-j: JSON) on its own
// control socket. It implements Daemon for OpenBGPDScenarioConf once
// OpenBGPDScenarioRoutes are added.
type OpenBGPD struct {
	ns      Netns
	proc    *Proc
	bgpctl  string
	sock    string
	version string
}

// StartOpenBGPD starts bgpd in the foreground (-d) in ns with the
// configuration conf, where "@SOCKET@" is replaced by the control
// socket's path, and waits until bgpctl answers and no neighbour is
// Idle. OpenBGPD needs the system user _openbgpd and its home (the
// chroot of its unprivileged processes), which the Debian package does
// not create: they are made here when missing (as root). It skips the
// test when OpenBGPD is not installed.
func StartOpenBGPD(t *testing.T, ns Netns, dir, conf string) *OpenBGPD {
	t.Helper()
	bin, err := exec.LookPath("bgpd")
	if err != nil {
		t.Skip("bgpd not installed (apt-get install openbgpd)")
	}
	bgpctl, err := exec.LookPath("bgpctl")
	if err != nil {
		t.Skip("bgpctl not installed (apt-get install openbgpd)")
	}
	u, err := user.Lookup("_openbgpd")
	if err != nil {
		out, err := exec.Command("useradd", "--system", "--home-dir", "/run/openbgpd", "--no-create-home",
			"--shell", "/usr/sbin/nologin", "_openbgpd").CombinedOutput()
		if err != nil {
			t.Skipf("no user _openbgpd and useradd failed: %v: %s", err, out)
		}
		if u, err = user.Lookup("_openbgpd"); err != nil {
			t.Skipf("user _openbgpd: %v", err)
		}
	}
	if err := os.MkdirAll(u.HomeDir, 0o755); err != nil {
		t.Fatalf("chroot directory of _openbgpd: %v", err)
	}
	ver, _ := exec.Command(bin, "-V").CombinedOutput()
	o := &OpenBGPD{ns: ns, bgpctl: bgpctl, sock: filepath.Join(dir, "bgpd.sock"), version: strings.TrimSpace(string(ver))}
	file := filepath.Join(dir, "bgpd.conf")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(conf, "@SOCKET@", o.sock)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-n", "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("bgpd -n: %v: %s", err, out)
	}
	o.proc = ns.Start(t, dir, "bgpd", bin, "-d", "-f", file)
	WaitFor(t, 10*time.Second, "OpenBGPD's neighbours out of Idle", func() (bool, string) {
		out, err := o.ctl("-j", "show", "neighbor")
		var m struct {
			Neighbors []struct {
				State string `json:"state"`
			} `json:"neighbors"`
		}
		if err != nil || json.Unmarshal([]byte(out), &m) != nil || len(m.Neighbors) == 0 {
			return false, out
		}
		for _, n := range m.Neighbors {
			if n.State == "Idle" {
				return false, out
			}
		}
		return true, out
	})
	return o
}

// Proc is the parent bgpd process (its engines are its children).
func (o *OpenBGPD) Proc() *Proc { return o.proc }

func (o *OpenBGPD) ctl(args ...string) (string, error) {
	return o.ns.Output(o.bgpctl, append([]string{"-s", o.sock}, args...)...)
}

// NetworkAdd runs `bgpctl network add ARGS…` (a route of the daemon).
func (o *OpenBGPD) NetworkAdd(t *testing.T, args ...string) {
	t.Helper()
	out, err := o.ctl(append([]string{"network", "add"}, args...)...)
	if err != nil || strings.TrimSpace(out) != "request sent." {
		t.Fatalf("bgpctl network add %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// OpenBGPDScenarioConf is bgpd's configuration for RunScenarios (AS
// DaemonAS, every session passive, no FIB updates): ADD-PATH both ways
// on the ZeAddPath session, ZeAS prepended to LoopPrefix towards ze's
// eBGP sessions, only its own prefixes (with LOCAL_PREF) to the iBGP
// session, its own prefixes never taken from a neighbour (see
// FRRScenarioConf for the loop this prevents), and no path holding its
// own AS from the iBGP session: bgpd does no AS loop check on iBGP, and
// such a path would go round ze and bgpd for ever, one DaemonAS longer
// each time.
func OpenBGPDScenarioConf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "AS %d\nrouter-id %s\nsocket \"@SOCKET@\"\nfib-update no\n\n", DaemonAS, DaemonV4)
	for _, n := range []struct {
		addr  string
		as    int
		extra string
	}{
		{ZeV4, ZeAS, ""}, {ZeV6, ZeAS, ""}, {ZeIBGP, DaemonAS, ""},
		{ZeAddPath, ZeAS, "  announce add-path send all\n  announce add-path recv yes\n"},
		{DInj1, DInjAS1, ""}, {DInj2, DInjAS2, ""},
	} {
		fmt.Fprintf(&b, "neighbor %s {\n  remote-as %d\n  passive\n%s}\n", n.addr, n.as, n.extra)
	}
	// The last matching allow or deny rule decides.
	fmt.Fprintf(&b, `
allow from any
deny from any prefix { 10.1.0.0/16 prefixlen >= 16, fd00:1::/32 prefixlen >= 32 }
deny from %s AS %d
allow to any
deny to %s
allow to %s prefix { %s } set localpref %s
match to %s prefix %s set prepend-neighbor 1
match to %s prefix %s set prepend-neighbor 1
`, ZeIBGP, DaemonAS, ZeIBGP, ZeIBGP, strings.Join(DaemonPrefixes4, ", "), DaemonIBGPLocalPref,
		ZeV4, LoopPrefix, ZeAddPath, LoopPrefix)
	return b.String()
}

// OpenBGPDScenarioRoutes are the `bgpctl network add` arguments of the
// daemon's routes for RunScenarios: DaemonPrefixes and LoopPrefix with
// DaemonAttrs.
func OpenBGPDScenarioRoutes() [][]string {
	attrs := []string{"med", DaemonAttrs.MED, "community", DaemonAttrs.Communities[0],
		"large-community", DaemonAttrs.Large[0], "ext-community", "rt", strings.TrimPrefix(DaemonAttrs.Ext[0], "rt:")}
	var out [][]string
	for _, p := range append(append(append([]string{}, DaemonPrefixes4...), DaemonPrefixes6...), LoopPrefix) {
		out = append(out, append([]string{p}, attrs...))
	}
	return out
}

// Version implements Daemon.
func (o *OpenBGPD) Version() string { return o.version }

// AddPath implements Daemon.
func (o *OpenBGPD) AddPath() bool { return true }

// openbgpdNeighbor is the part of `bgpctl -j show neighbor ADDR` read
// here.
type openbgpdNeighbor struct {
	State string `json:"state"`
	Stats struct {
		Message struct {
			Received struct {
				Updates int `json:"updates"`
			} `json:"received"`
		} `json:"message"`
	} `json:"stats"`
	LastShutdownReason string `json:"last_shutdown_reason"`
	LastErrorReceived  string `json:"last_error_received"`
}

func (o *OpenBGPD) neighbor(peer string) (openbgpdNeighbor, string, error) {
	out, err := o.ctl("-j", "show", "neighbor", peer)
	if err != nil {
		return openbgpdNeighbor{}, out, err
	}
	var m struct {
		Neighbors []openbgpdNeighbor `json:"neighbors"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		return openbgpdNeighbor{}, out, err
	}
	if len(m.Neighbors) != 1 {
		return openbgpdNeighbor{}, out, fmt.Errorf("bgpctl: %d neighbors %s", len(m.Neighbors), peer)
	}
	return m.Neighbors[0], out, nil
}

// Established implements Daemon.
func (o *OpenBGPD) Established(peer string) (bool, string) {
	n, out, err := o.neighbor(peer)
	return err == nil && n.State == "Established", out
}

// Routes implements Daemon, from `bgpctl -j show rib detail` (every
// path, its neighbour's remote_addr being peer).
func (o *OpenBGPD) Routes(peer string, v6 bool) (map[string][]Route, string, error) {
	afi := "inet"
	if v6 {
		afi = "inet6"
	}
	out, err := o.ctl("-j", "show", "rib", afi, "detail")
	if err != nil {
		return nil, out, err
	}
	routes, err := parseOpenBGPDRoutes(out, peer)
	return routes, out, err
}

// parseOpenBGPDRoutes reads `bgpctl -j show rib detail` output: the
// paths whose neighbour's remote_addr is peer, by prefix.
func parseOpenBGPDRoutes(out, peer string) (map[string][]Route, error) {
	var rib struct {
		RIB []struct {
			Prefix   string  `json:"prefix"`
			PathID   *uint32 `json:"path_id"`
			ASPath   string  `json:"aspath"`
			NextHop  string  `json:"exit_nexthop"`
			Neighbor struct {
				RemoteAddr string `json:"remote_addr"`
			} `json:"neighbor"`
			Metric    uint32   `json:"metric"`
			LocalPref uint32   `json:"localpref"`
			Comms     []string `json:"communities"`
			Ext       []string `json:"extended_communities"`
			Large     []string `json:"large_communities"`
		} `json:"rib"`
	}
	if err := json.Unmarshal([]byte(out), &rib); err != nil {
		return nil, err
	}
	routes := map[string][]Route{}
	for _, p := range rib.RIB {
		if p.Neighbor.RemoteAddr != peer {
			continue
		}
		r := Route{Prefix: p.Prefix, NextHop: []string{p.NextHop}, Communities: p.Comms, Large: p.Large,
			LocalPref: strconv.FormatUint(uint64(p.LocalPref), 10)}
		var err error
		if r.ASPath, err = ASPathOf(p.ASPath); err != nil {
			return nil, err
		}
		if p.PathID != nil && *p.PathID != 0 {
			r.PathID = strconv.FormatUint(uint64(*p.PathID), 10)
		}
		// bgpctl shows metric 0 for a path without MED: 0 reads as absent.
		if p.Metric != 0 {
			r.MED = strconv.FormatUint(uint64(p.Metric), 10)
		}
		for _, e := range p.Ext {
			// "rt 65001:7"
			r.Ext = append(r.Ext, strings.Replace(e, " ", ":", 1))
		}
		routes[p.Prefix] = append(routes[p.Prefix], r)
	}
	return routes, nil
}

// Withdraw implements Daemon: `bgpctl network delete`.
func (o *OpenBGPD) Withdraw(prefix string) error {
	out, err := o.ctl("network", "delete", prefix)
	if err != nil || strings.TrimSpace(out) != "request sent." {
		return fmt.Errorf("bgpctl network delete %s: %v: %s", prefix, err, out)
	}
	return nil
}

// Refresh implements Daemon: `bgpctl neighbor PEER refresh`.
func (o *OpenBGPD) Refresh(peer string) error {
	out, err := o.ctl("neighbor", peer, "refresh")
	if err != nil {
		return fmt.Errorf("bgpctl neighbor %s refresh: %v: %s", peer, err, out)
	}
	return nil
}

// AnswersRefresh implements Daemon: OpenBGPD 7.7 ignores a
// ROUTE-REFRESH for IPv4 unicast on a session that negotiated it (its
// log: "route refresh: AID IPv4 unicast not negotiated"), from ze as from
// the independent ze-test peer (--send-hex
// FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500010001, RFC 2918 AFI 1 SAFI 1).
func (o *OpenBGPD) AnswersRefresh() error {
	return fmt.Errorf("%w: OpenBGPD 7.7 ignores a ROUTE-REFRESH for IPv4 unicast (\"route refresh: AID IPv4 unicast not negotiated\"), also one sent by ze-test peer --send-hex", ErrUnsupported)
}

// UpdatesReceived implements Daemon.
func (o *OpenBGPD) UpdatesReceived(peer string) (int, error) {
	n, out, err := o.neighbor(peer)
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	return n.Stats.Message.Received.Updates, nil
}

// openbgpdErrors maps bgpctl's "last error received" texts to
// code/subcode.
var openbgpdErrors = map[string]string{
	"Cease, administratively down":      "6/2",
	"Cease, administrative reset":       "6/4",
	"Cease, peer unconfigured":          "6/3",
	"Cease, unspecified":                "6/0",
	"Cease, other configuration change": "6/6",
}

// LastNotification implements Daemon ("last_error_received" and
// "last_shutdown_reason").
func (o *OpenBGPD) LastNotification(peer string) (code, text, raw string, err error) {
	n, out, err := o.neighbor(peer)
	if err != nil {
		return "", "", out, err
	}
	code = openbgpdErrors[n.LastErrorReceived]
	if code == "" {
		code = n.LastErrorReceived
	}
	return code, n.LastShutdownReason, out, nil
}
