//go:build interop

package frr

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

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the security tests: ze in one namespace, FRR in
// another, one veth link between them (a directly connected eBGP
// session, as GTSM's one hop means).
const (
	secZe  = "10.98.0.1" // ze, AS 65000, listening on 179 and dialling FRR
	secFRR = "10.98.0.2" // FRR bgpd, AS 65001
)

// secBgpd is FRR's configuration; %s is the extra neighbour lines
// (password, ttl-security).
const secBgpd = `hostname frr
router bgp 65001
 bgp router-id 10.98.0.2
 no bgp ebgp-requires-policy
 neighbor 10.98.0.1 remote-as 65000
 neighbor 10.98.0.1 timers connect 1
%s!
`

// secZeConf is ze's configuration; %s is the peer's extra settings.
const secZeConf = `bgp {
    local-as 65000;
    router-id 10.98.0.1;
    peer frr { remote { ip 10.98.0.2; as 65001; } %s }
}
`

// TestSecurityWithFRR runs ze against FRR's bgpd over a veth link
// between two network namespaces, with TCP MD5 (RFC 2385) and GTSM (RFC
// 5082) configured on each side as the case says (both sides may dial):
//
//   - md5: the same password on both: Established on both sides;
//   - md5 wrong password: never Established; the kernel counts the
//     dropped segments (TCPMD5Failure) and ze's log says that a key
//     mismatch is dropped silently, with those counters;
//   - gtsm: ttl-security 1 on both (FRR `neighbor X ttl-security hops
//     1`): Established, and FRR reports its minimum TTL;
//   - gtsm on ze only: FRR sends with TTL 1 (eBGP), below ze's minimum of
//     255: never Established, and ze's log says why it refused FRR's
//     connections;
//   - gtsm on FRR only: ze sends with the system TTL (64): FRR's kernel
//     drops it (TCPMinTTLDrop), never Established.
func TestSecurityWithFRR(t *testing.T) {
	for _, tt := range []struct {
		name     string
		frr, ze  string // FRR neighbour lines, ze peer settings
		up       bool
		zeLogs   string // in ze's log when not up
		dropName string // TcpExt counter that must grow when not up
	}{
		{"md5", " neighbor 10.98.0.1 password zesecret\n", `md5-password "zesecret";`, true, "", ""},
		{"md5 wrong password", " neighbor 10.98.0.1 password wrongpass\n", `md5-password "zesecret";`, false,
			"TCP MD5 configured: a key or TTL mismatch is dropped silently", "TCPMD5Failure"},
		{"gtsm", " neighbor 10.98.0.1 ttl-security hops 1\n", "ttl-security 1;", true, "", ""},
		{"gtsm on ze only", "", "ttl-security 1;", false, "SYN TTL below the GTSM minimum: TTL 1 < 255", ""},
		{"gtsm on FRR only", " neighbor 10.98.0.1 ttl-security hops 1\n", "", false, "", "TCPMinTTLDrop"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runSecurity(t, tt.frr, tt.ze, tt.up, tt.zeLogs, tt.dropName)
		})
	}
}

func runSecurity(t *testing.T, frrLines, zePeer string, up bool, zeLogs, dropName string) {
	const zebra, bgpd = "/usr/lib/frr/zebra", "/usr/lib/frr/bgpd"
	for _, bin := range []string{zebra, bgpd} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s missing (apt-get install frr)", bin)
		}
	}
	vtysh, err := exec.LookPath("vtysh")
	if err != nil {
		t.Skip("vtysh not installed (apt-get install frr)")
	}
	frrUser, err := user.Lookup("frr")
	if err != nil {
		t.Skip("no user frr (apt-get install frr)")
	}
	uid, _ := strconv.Atoi(frrUser.Uid)
	gid, _ := strconv.Atoi(frrUser.Gid)
	ze, _ := harness.BuildZe(t)
	zeNS, frrNS := harness.NewNetnsPair(t, "zemd5-frr", secZe+"/24", secFRR+"/24")
	dir := t.TempDir()

	// FRR's run directory must belong to user frr, and the path to it be
	// searchable by frr (t.TempDir's parent is not).
	run, err := os.MkdirTemp("", "zemd5-frr-run-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	for name, body := range map[string]string{"zebra.conf": "hostname zebra\n", "bgpd.conf": fmt.Sprintf(secBgpd, frrLines)} {
		if err := os.WriteFile(filepath.Join(run, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Join(run, name), uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(run, uid, gid); err != nil {
		t.Fatal(err)
	}
	zeFile := filepath.Join(dir, "ze.conf")
	if err := os.WriteFile(zeFile, []byte(fmt.Sprintf(secZeConf, zePeer)), 0o644); err != nil {
		t.Fatal(err)
	}

	zeP := zeNS.Start(t, dir, "ze", ze, "--listen", secZe+":179", zeFile)
	harness.WaitFor(t, 10*time.Second, "ze listening", func() (bool, string) {
		return strings.Contains(zeP.Out(), "ze: listening "), zeP.Out() + zeP.ErrOut()
	})
	zserv := filepath.Join(run, "zserv.api")
	frrNS.Start(t, dir, "zebra", zebra, "-u", "frr", "-g", "frr", "-f", filepath.Join(run, "zebra.conf"),
		"-i", filepath.Join(run, "zebra.pid"), "-z", zserv, "--vty_socket", run)
	harness.WaitFor(t, 10*time.Second, "zebra's zserv socket", func() (bool, string) {
		_, err := os.Stat(zserv)
		return err == nil, fmt.Sprint(err)
	})
	frrNS.Start(t, dir, "bgpd", bgpd, "-u", "frr", "-g", "frr", "-S", "-f", filepath.Join(run, "bgpd.conf"),
		"-i", filepath.Join(run, "bgpd.pid"), "-z", zserv, "--vty_socket", run, "-p", "179", "-n")
	neighbor := func() (map[string]any, string) {
		out, _ := frrNS.Output(vtysh, "--vty_socket", run, "-c", "show bgp neighbors "+secZe+" json")
		var m map[string]map[string]any
		if json.Unmarshal([]byte(out), &m) != nil {
			return nil, out
		}
		return m[secZe], out
	}
	harness.WaitFor(t, 10*time.Second, "FRR's vtysh", func() (bool, string) {
		n, out := neighbor()
		return n != nil, out
	})
	ver, _ := frrNS.Output(vtysh, "--vty_socket", run, "-c", "show version")
	t.Logf("daemon: %s", strings.SplitN(strings.TrimSpace(ver), "\n", 2)[0])

	if up {
		harness.WaitFor(t, 20*time.Second, "FRR neighbour ze Established", func() (bool, string) {
			n, out := neighbor()
			return n != nil && n["bgpState"] == "Established", out
		})
		harness.WaitFor(t, 10*time.Second, "ze: peer frr established", func() (bool, string) {
			return strings.Contains(zeP.Out(), "ze: peer frr established"), zeP.Out() + harness.Tail(zeP.ErrOut())
		})
		if strings.Contains(frrLines, "ttl-security") {
			if n, out := neighbor(); n["externalBgpNbrMaxHopsAway"] != 1.0 {
				t.Errorf("FRR's neighbour ze is not GTSM with 1 hop:\n%s", out)
			}
		}
		harness.StopZe(t, zeP)
		return
	}

	// Not up: ze explains, the kernel counts the drops (the namespaces
	// are new: every count is this test's), and neither side is
	// Established meanwhile.
	harness.WaitFor(t, 15*time.Second, fmt.Sprintf("ze's log %q and kernel counter %q", zeLogs, dropName), func() (bool, string) {
		logged := strings.Contains(zeP.ErrOut(), zeLogs)
		dropped := dropName == "" || zeNS.TCPExt(t)[dropName]+frrNS.TCPExt(t)[dropName] > 0
		return logged && dropped, harness.Tail(zeP.ErrOut())
	})
	if n, out := neighbor(); n == nil || n["bgpState"] == "Established" {
		t.Errorf("FRR's neighbour ze: %s", out)
	}
	if strings.Contains(zeP.Out(), "ze: peer frr established") {
		t.Errorf("ze established with FRR:\n%s", zeP.Out())
	}
	if dropName != "" {
		t.Logf("kernel: %s ze %d, FRR %d", dropName, zeNS.TCPExt(t)[dropName], frrNS.TCPExt(t)[dropName])
	}
	if zeLogs != "" {
		for _, l := range strings.Split(zeP.ErrOut(), "\n") {
			if strings.Contains(l, zeLogs) {
				t.Logf("ze: %s", l)
				break
			}
		}
	}
	harness.StopZe(t, zeP)
}
