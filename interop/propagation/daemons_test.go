//go:build interop

package propagation

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// dut is a device under test: a BGP daemon that learns the injected
// routes from 10.98.0.3 (AS 65003) by eBGP and forwards them to
// 10.98.0.4 (AS 65004) with its AS prepended and itself as next hop,
// passive on both sessions, touching no kernel table.
type dut struct {
	name string
	// check says why the daemon cannot run here ("" when it can).
	check func() string
	// version is the daemon's version line.
	version func() string
	// start starts the daemon in the lab with its files in dir (for the
	// injection shape named shape) and returns the process whose tree is measured; extra processes it
	// needs (FRR's zebra) are started too and stopped by t.Cleanup.
	start func(t *testing.T, l *lab, dir, shape string) *harness.Proc
	// before and after, when set, are called just before the injector
	// starts and once every route came back (the profiled ze).
	before, after func(t *testing.T, p *harness.Proc)
	// count overrides the prefix count (GoBGP is slow).
	count int
	// note is printed under the table.
	note string
}

// duts are the devices under test in the order they run.
func duts(zeBin string) []*dut {
	return []*dut{zeDUT(zeBin), birdDUT(), frrDUT(), gobgpDUT(), openbgpdDUT()}
}

func firstLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// zeConf: plain eBGP, the mode BIRD, FRR, GoBGP and OpenBGPD run here
// (ze prepends its AS and sets next-hop self towards an external peer);
// not a route server (RFC 7947), which would forward the received bytes
// unchanged when the two sessions' encodings match.
const zeConf = `bgp {
    local-as 65000;
    router-id 10.98.0.1;
    passive;
    peer inject { remote { ip 10.98.0.3; as 65003; } }
    peer sink   { remote { ip 10.98.0.4; as 65004; } }
}
`

func zeDUT(zeBin string) *dut {
	return &dut{
		name:    "ze",
		check:   func() string { return "" },
		version: func() string { return firstLine(zeBin, "version") },
		start: func(t *testing.T, l *lab, dir, _ string) *harness.Proc {
			conf := filepath.Join(dir, "ze.conf")
			writeFile(t, conf, zeConf)
			return l.dut.Start(t, dir, "ze", zeBin, "--listen", dutAddr+":179", conf)
		},
	}
}

// zeProfiledDUT is ze run by this test binary (TestMain, profiledZe)
// with a CPU profile from just before the injection until every route
// was forwarded, and a heap profile at that moment, written as
// PREFIX-SHAPE.cpu.pprof and .heap.pprof.
func zeProfiledDUT(zeBin, prefix string) *dut {
	d := zeDUT(zeBin)
	d.name = "ze (pprof)"
	d.version = func() string { return "test binary" }
	d.note = "ze (pprof): ze's daemon in the test binary (the working tree), profiled: " + prefix + "-SHAPE.{cpu,heap}.pprof"
	d.start = func(t *testing.T, l *lab, dir, shape string) *harness.Proc {
		conf := filepath.Join(dir, "ze.conf")
		writeFile(t, conf, zeConf)
		env := []string{"ZEPB_ZE_CONFIG=" + conf, "ZEPB_ZE_LISTEN=" + dutAddr + ":179", "ZEPB_ZE_PROFILE=" + prefix + "-" + shape}
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		return l.dut.StartEnv(t, dir, "ze-pprof", env, self)
	}
	d.before = func(t *testing.T, p *harness.Proc) {
		if err := p.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
	}
	d.after = func(t *testing.T, p *harness.Proc) {
		if !waitFor(30*time.Second, func() bool { return strings.Contains(p.Out(), profilesWritten) }) {
			t.Errorf("ze (pprof): no %q:\n%s\n%s", profilesWritten, p.Out(), harness.Tail(p.ErrOut()))
		}
	}
	return d
}

// birdConf: no kernel protocol, direct eBGP sessions on the shared
// subnet, next hop self towards the sink (BIRD would otherwise keep the
// injector's next hop, a third party on the same subnet).
const birdConf = `log "@LOG@" { warning, error, fatal };
router id 10.98.0.1;
protocol device { }
protocol bgp inject {
  local 10.98.0.1 as 65000;
  neighbor 10.98.0.3 as 65003;
  passive on;
  ipv4 { import all; export none; };
}
protocol bgp sink {
  local 10.98.0.1 as 65000;
  neighbor 10.98.0.4 as 65004;
  passive on;
  ipv4 { import none; export all; next hop self; };
}
`

func birdDUT() *dut {
	return &dut{
		name: "BIRD",
		check: func() string {
			if _, err := exec.LookPath("bird"); err != nil {
				return "bird not installed (apt-get install bird2)"
			}
			return ""
		},
		version: func() string { return firstLine("bird", "--version") },
		start: func(t *testing.T, l *lab, dir, _ string) *harness.Proc {
			return harness.StartBIRD(t, l.dut, dir, birdConf, nil).Proc()
		},
	}
}

// bgpdConf: FRR with next-hop-self towards the sink (FRR too keeps a
// third-party next hop on a shared subnet).
const bgpdConf = `hostname dut
router bgp 65000
 bgp router-id 10.98.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 10.98.0.3 remote-as 65003
 neighbor 10.98.0.3 passive
 neighbor 10.98.0.4 remote-as 65004
 neighbor 10.98.0.4 passive
 address-family ipv4 unicast
  neighbor 10.98.0.3 activate
  neighbor 10.98.0.4 activate
  neighbor 10.98.0.4 next-hop-self
 exit-address-family
!
`

const (
	frrZebra = "/usr/lib/frr/zebra"
	frrBgpd  = "/usr/lib/frr/bgpd"
)

func frrDUT() *dut {
	return &dut{
		name: "FRR",
		check: func() string {
			for _, bin := range []string{frrZebra, frrBgpd} {
				if _, err := os.Stat(bin); err != nil {
					return bin + " missing (apt-get install frr)"
				}
			}
			if _, err := user.Lookup("frr"); err != nil {
				return "no user frr (apt-get install frr)"
			}
			return ""
		},
		version: func() string { return firstLine(frrBgpd, "--version") },
		note:    "FRR: bgpd -n (no kernel routes); its zebra is not counted in the memory",
		start: func(t *testing.T, l *lab, dir, _ string) *harness.Proc {
			return harness.StartFRR(t, l.dut, dir, bgpdConf).Bgpd()
		},
	}
}

const gobgpConf = `[global.config]
  as = 65000
  router-id = "10.98.0.1"
  port = 179
  local-address-list = ["10.98.0.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.98.0.3"
    peer-as = 65003
  [neighbors.transport.config]
    passive-mode = true

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.98.0.4"
    peer-as = 65004
  [neighbors.transport.config]
    passive-mode = true
`

// gobgpCount bounds GoBGP's run: it forwards about 10k prefixes/s here.
const gobgpCount = 100_000

func gobgpDUT() *dut {
	return &dut{
		name: "GoBGP",
		check: func() string {
			if _, err := exec.LookPath("gobgpd"); err != nil {
				return "gobgpd not installed (apt-get install gobgpd)"
			}
			return ""
		},
		version: func() string { return firstLine("gobgpd", "--version") },
		count:   envInt("ZEPB_GOBGP_COUNT", gobgpCount),
		note:    "GoBGP: fewer prefixes (ZEPB_GOBGP_COUNT), as it forwards about 10k prefixes/s here",
		start: func(t *testing.T, l *lab, dir, _ string) *harness.Proc {
			conf := filepath.Join(dir, "gobgpd.toml")
			writeFile(t, conf, gobgpConf)
			return l.dut.Start(t, dir, "gobgpd", "gobgpd", "-f", conf, "-t", "toml",
				"--api-hosts", "127.0.0.1:50051", "--pprof-disable", "-l", "warn")
		},
	}
}

// openbgpdConf: fib-update no; its own control socket (the default one
// is shared with every other bgpd of the machine).
const openbgpdConf = `AS 65000
router-id 10.98.0.1
listen on 10.98.0.1
fib-update no
socket "@SOCKET@"
neighbor 10.98.0.3 {
  remote-as 65003
  passive
}
neighbor 10.98.0.4 {
  remote-as 65004
  passive
  set nexthop self
}
allow from any
allow to any
`

const openbgpdBin = "/usr/sbin/bgpd"

func openbgpdDUT() *dut {
	return &dut{
		name: "OpenBGPD",
		check: func() string {
			if _, err := os.Stat(openbgpdBin); err != nil {
				return "OpenBGPD not installed (apt-get install openbgpd)"
			}
			if _, err := user.Lookup("_openbgpd"); err != nil {
				return "no user _openbgpd (the Debian package does not create it; see /work/shared/PEERS.md)"
			}
			return ""
		},
		version: func() string { return firstLine(openbgpdBin, "-V") },
		note:    "OpenBGPD: the memory is the sum over its processes (parent, session, route decision and RTR engines)",
		start: func(t *testing.T, l *lab, dir, _ string) *harness.Proc {
			return harness.StartOpenBGPD(t, l.dut, dir, openbgpdConf).Proc()
		},
	}
}

// envInt reads a positive integer from the environment, else def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
