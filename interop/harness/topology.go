package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The addressing plan of the scenario suites (RunScenarios). ze and the
// test peers live in one network namespace, the daemon under test in
// another, joined by one veth pair (zeio0 on ze's side, zeio1 on the
// daemon's). Every BGP session has its own pair of addresses: ze keys
// its peers by remote address and the daemons key theirs by ze's.
// Daemons must not share a namespace with ze: FRR refuses a next hop
// that is one of its own host's addresses ("martian or self next-hop"),
// and ze announces next-hop self.
const (
	ZeV4          = "10.0.0.1"  // ze on the IPv4 eBGP session
	DaemonV4      = "10.0.0.2"  // the daemon on it
	ZeIBGP        = "10.0.0.5"  // ze on the iBGP session (ze then uses the daemon's AS)
	DaemonIBGP    = "10.0.0.6"  // the daemon on it
	ZeAddPath     = "10.0.0.7"  // ze on the ADD-PATH eBGP session (IPv4 unicast, send and receive)
	DaemonAddPath = "10.0.0.8"  // the daemon on it
	ZeInj1        = "10.0.0.11" // ze-test inject peer of AS InjAS1, dialling ze
	ZeInj2        = "10.0.0.12" // ze-test inject peer of AS InjAS2, dialling ze
	DInj1         = "10.0.0.13" // ze-test inject peer of AS DInjAS1, dialling the daemon
	DInj2         = "10.0.0.14" // ze-test inject peer of AS DInjAS2, dialling the daemon
	ZeSink        = "10.0.0.15" // ze-test sink peer of AS SinkAS, dialling ze
	ZeV6          = "fd00::1"   // ze on the IPv6 eBGP session (IPv6 transport, IPv6 unicast)
	DaemonV6      = "fd00::2"   // the daemon on it

	// ZeAS and DaemonAS are both above 65535 (RFC 6793 4-octet ASNs).
	ZeAS     = 4200000000
	DaemonAS = 4200000001
	InjAS1   = 65101
	InjAS2   = 65102
	DInjAS1  = 65103
	DInjAS2  = 65104
	SinkAS   = 65200

	// ZePort is where ze listens (for the inject peers); the daemons
	// listen on 179 and are passive: ze dials every daemon session.
	ZePort = "1790"
)

// Topology is the pair of network namespaces of one scenario suite.
type Topology struct {
	Ze     Netns // ze and the ze-test peers
	Daemon Netns // the daemon under test
}

// NewTopology creates the namespaces zeio-NAME-z-PID and zeio-NAME-d-PID
// joined by a veth pair carrying the addresses of the plan above (IPv6
// without duplicate address detection, so they are usable at once), and
// deletes them at cleanup. It skips the test when namespaces cannot be
// made (not root, no ip command).
func NewTopology(t *testing.T, name string) *Topology {
	t.Helper()
	needNetns(t)
	tp := &Topology{
		Ze:     newZeioNetns(t, fmt.Sprintf("zeio-%s-z-%d", name, os.Getpid())),
		Daemon: newZeioNetns(t, fmt.Sprintf("zeio-%s-d-%d", name, os.Getpid())),
	}
	if out, err := exec.Command("ip", "-n", string(tp.Ze), "link", "add", "zeio0", "type", "veth",
		"peer", "name", "zeio1", "netns", string(tp.Daemon)).CombinedOutput(); err != nil {
		t.Fatalf("veth pair: %v: %s", err, out)
	}
	for _, a := range []string{ZeV4, ZeIBGP, ZeAddPath, ZeInj1, ZeInj2, DInj1, DInj2, ZeSink} {
		tp.Ze.Run(t, "ip", "addr", "add", a+"/24", "dev", "zeio0")
	}
	tp.Ze.Run(t, "ip", "addr", "add", ZeV6+"/64", "dev", "zeio0", "nodad")
	for _, a := range []string{DaemonV4, DaemonIBGP, DaemonAddPath} {
		tp.Daemon.Run(t, "ip", "addr", "add", a+"/24", "dev", "zeio1")
	}
	tp.Daemon.Run(t, "ip", "addr", "add", DaemonV6+"/64", "dev", "zeio1", "nodad")
	tp.Ze.Run(t, "ip", "link", "set", "zeio0", "up")
	tp.Daemon.Run(t, "ip", "link", "set", "zeio1", "up")
	return tp
}

// newZeioNetns creates the namespace name with lo up; t.Cleanup deletes
// it (after the processes started in it later, which are stopped first).
func newZeioNetns(t *testing.T, name string) Netns {
	t.Helper()
	ns := newNetns(t, name)
	// No duplicate address detection on the interfaces made later: a
	// tentative link-local address makes FRR reset an IPv6 session
	// ("nexthop_set failed") and ze's first connection fail.
	ns.Run(t, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	return ns
}

// KeepDir returns a directory for the test's files: a new directory
// under $ZE_INTEROP_KEEP (kept, for debugging: configurations, logs,
// ze's events) when that is set, else t.TempDir().
func KeepDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("ZE_INTEROP_KEEP")
	if base == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, strings.ReplaceAll(t.Name(), "/", "_")+"-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Logf("keeping files in %s", dir)
	return dir
}

// Binaries returns the ze and ze-test binaries: those in
// $ZE_INTEROP_BIN when it is set (prebuilt, e.g. while the tree does not
// build), else BuildZe's.
func Binaries(t *testing.T) (ze, zeTest string) {
	t.Helper()
	dir := os.Getenv("ZE_INTEROP_BIN")
	if dir == "" {
		return BuildZe(t)
	}
	ze, zeTest = filepath.Join(dir, "ze"), filepath.Join(dir, "ze-test")
	for _, b := range []string{ze, zeTest} {
		if _, err := os.Stat(b); err != nil {
			t.Fatalf("ZE_INTEROP_BIN: %v", err)
		}
	}
	return ze, zeTest
}
