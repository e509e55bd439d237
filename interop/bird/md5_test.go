//go:build interop

package bird

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the security tests: ze in one namespace, BIRD in
// another, one veth link between them (a directly connected eBGP
// session: no multihop).
const (
	secZe   = "10.97.0.1" // ze, AS 65000, listening on 179 and dialling BIRD
	secBIRD = "10.97.0.2" // BIRD, AS 65001
)

// secBirdConf is BIRD's configuration: the log file, then the extra
// protocol lines (password, ttl security).
const secBirdConf = `log "%s" all;
router id 10.97.0.2;
protocol device { }
protocol bgp ze {
  local 10.97.0.2 as 65001;
  neighbor 10.97.0.1 as 65000;
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 5;
%s  ipv4 { import all; export none; };
}
`

// secZeConf is ze's configuration; %s is the peer's extra settings.
const secZeConf = `bgp {
    local-as 65000;
    router-id 10.97.0.1;
    peer bird { remote { ip 10.97.0.2; as 65001; } %s }
}
`

// TestSecurityWithBIRD runs ze against BIRD 2 over a veth link between
// two network namespaces, with TCP MD5 (RFC 2385) and GTSM (RFC 5082)
// on each side as the case says (both sides may dial):
//
//   - md5: the same password on both: Established on both sides;
//   - md5 wrong password: never Established; the kernels count the
//     dropped segments (TCPMD5Failure) and ze's log says that a key
//     mismatch is dropped silently, with those counters;
//   - gtsm: `ttl security on` in BIRD, ttl-security 1 in ze:
//     Established.
func TestSecurityWithBIRD(t *testing.T) {
	for _, tt := range []struct {
		name     string
		bird, ze string // BIRD protocol lines, ze peer settings
		up       bool
		zeLogs   string // in ze's log when not up
		dropName string // TcpExt counter that must grow when not up
	}{
		{"md5", "  password \"zesecret\";\n", `md5-password "zesecret";`, true, "", ""},
		{"md5 wrong password", "  password \"wrongpass\";\n", `md5-password "zesecret";`, false,
			"TCP MD5 configured: a key or TTL mismatch is dropped silently", "TCPMD5Failure"},
		{"gtsm", "  ttl security on;\n", "ttl-security 1;", true, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runSecurity(t, tt.bird, tt.ze, tt.up, tt.zeLogs, tt.dropName)
		})
	}
}

func runSecurity(t *testing.T, birdLines, zePeer string, up bool, zeLogs, dropName string) {
	birdBin, err := exec.LookPath("bird")
	if err != nil {
		t.Skip("bird not installed (apt-get install bird2)")
	}
	birdc, err := exec.LookPath("birdc")
	if err != nil {
		t.Skip("birdc not installed (apt-get install bird2)")
	}
	ver, _ := exec.Command(birdBin, "--version").CombinedOutput()
	t.Logf("daemon: %s", strings.TrimSpace(string(ver)))
	ze, _ := harness.BuildZe(t)
	zeNS, birdNS := harness.NewNetnsPair(t, "zemd5-bird", secZe+"/24", secBIRD+"/24")
	dir := t.TempDir()
	zeFile := filepath.Join(dir, "ze.conf")
	birdFile := filepath.Join(dir, "bird.conf")
	birdLog := filepath.Join(dir, "bird.log")
	sock := filepath.Join(dir, "bird.ctl")
	if err := os.WriteFile(zeFile, []byte(fmt.Sprintf(secZeConf, zePeer)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(birdFile, []byte(fmt.Sprintf(secBirdConf, birdLog, birdLines)), 0o644); err != nil {
		t.Fatal(err)
	}

	zeP := zeNS.Start(t, dir, "ze", ze, "--listen", secZe+":179", zeFile)
	harness.WaitFor(t, 10*time.Second, "ze listening", func() (bool, string) {
		return strings.Contains(zeP.Out(), "ze: listening "), zeP.Out() + zeP.ErrOut()
	})
	birdNS.Start(t, dir, "bird", birdBin, "-f", "-c", birdFile, "-s", sock, "-P", filepath.Join(dir, "bird.pid"))
	protocols := func() string {
		out, _ := birdNS.Output(birdc, "-s", sock, "show", "protocols", "all", "ze")
		return out
	}
	established := regexp.MustCompile(`(?m)^ze\s+BGP\s+\S+\s+up\s+\S+\s+Established`)
	if up {
		harness.WaitFor(t, 20*time.Second, "BIRD protocol ze Established", func() (bool, string) {
			out := protocols()
			return established.MatchString(out), out
		})
		harness.WaitFor(t, 10*time.Second, "ze: peer bird established", func() (bool, string) {
			return strings.Contains(zeP.Out(), "ze: peer bird established"), zeP.Out() + harness.Tail(zeP.ErrOut())
		})
		harness.StopZe(t, zeP)
		return
	}

	// Not up: ze explains, the kernels count the drops (the namespaces
	// are new: every count is this test's), and neither side is
	// Established meanwhile.
	harness.WaitFor(t, 15*time.Second, fmt.Sprintf("ze's log %q and kernel counter %q", zeLogs, dropName), func() (bool, string) {
		logged := strings.Contains(zeP.ErrOut(), zeLogs)
		dropped := dropName == "" || zeNS.TCPExt(t)[dropName]+birdNS.TCPExt(t)[dropName] > 0
		return logged && dropped, harness.Tail(zeP.ErrOut())
	})
	if out := protocols(); established.MatchString(out) {
		t.Errorf("BIRD's protocol ze is up:\n%s", out)
	}
	if strings.Contains(zeP.Out(), "ze: peer bird established") {
		t.Errorf("ze established with BIRD:\n%s", zeP.Out())
	}
	if dropName != "" {
		t.Logf("kernel: %s ze %d, BIRD %d", dropName, zeNS.TCPExt(t)[dropName], birdNS.TCPExt(t)[dropName])
	}
	for _, l := range strings.Split(zeP.ErrOut(), "\n") {
		if strings.Contains(l, zeLogs) {
			t.Logf("ze: %s", l)
			break
		}
	}
	harness.StopZe(t, zeP)
}
