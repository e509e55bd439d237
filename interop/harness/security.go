package harness

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Security is a TCP MD5 (RFC 2385) and GTSM (RFC 5082) test of ze
// against one daemon over a veth link between two network namespaces
// (NewNetnsPair: a directly connected eBGP session, as GTSM's one hop
// means), ze listening on port 179 and both sides dialling.
type Security struct {
	Pair       string // NewNetnsPair's name ("zemd5-frr")
	ZeAddr     string // ze's address, on a /24 with DaemonAddr
	DaemonAddr string
	Peer       string // ze's name of the daemon's peer ("frr")
	// ZeConf is ze's configuration, %s standing for the case's peer
	// settings.
	ZeConf string
	// Start starts the daemon in ns (its files under dir) with the
	// case's configuration lines and returns once it answers.
	Start func(t *testing.T, ns Netns, dir, lines string) Daemon
	// Up, when set, checks more of a case's session once it came up.
	Up func(t *testing.T, d Daemon, c SecurityCase)
}

// SecurityCase is one configuration of both sides.
type SecurityCase struct {
	Name       string
	Daemon, Ze string // the daemon's configuration lines, ze's peer settings
	Up         bool   // whether the session comes up
	ZeLog      string // what ze logs (stderr) when not up ("" for nothing)
	Drop       string // the TcpExt counter that grows when not up ("" for none)
	// Race names the daemon's own race that may still bring a case
	// that is not Up up (a daemon that sets its GTSM minimum TTL on an
	// accepted socket after the handshake): the case is then skipped
	// with that text instead of failed.
	Race string
}

// Run runs each case as a subtest, ze started before the daemon. A case
// that is Up: both sides report the session Established (within 20 s
// and 10 s), then Up runs. One that is not: within 15 s ze's log holds
// ZeLog and the kernels count Drop (the namespaces are new: every count
// is the case's), and neither side is Established then. Either way ze
// stops cleanly at the end (StopZe).
func (s Security) Run(t *testing.T, zeBin string, cases []SecurityCase) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { s.run(t, zeBin, c) })
	}
}

func (s Security) run(t *testing.T, zeBin string, c SecurityCase) {
	zeNS, dNS := NewNetnsPair(t, s.Pair, s.ZeAddr+"/24", s.DaemonAddr+"/24")
	dir := t.TempDir()
	ze := StartZeConf(t, zeNS, dir, zeBin, fmt.Sprintf(s.ZeConf, c.Ze), s.ZeAddr+":179")
	d := s.Start(t, dNS, dir, c.Daemon)
	t.Logf("daemon: %s", d.Version())
	established := "ze: peer " + s.Peer + " established"
	if c.Up {
		WaitFor(t, 20*time.Second, "the daemon's session with ze Established", func() (bool, string) {
			return d.Established(s.ZeAddr)
		})
		WaitFor(t, 10*time.Second, established, func() (bool, string) {
			return strings.Contains(ze.Out(), established), ze.Out() + Tail(ze.ErrOut())
		})
		if s.Up != nil {
			s.Up(t, d, c)
		}
		StopZe(t, ze)
		return
	}

	WaitFor(t, 15*time.Second, fmt.Sprintf("ze's log %q and kernel counter %q", c.ZeLog, c.Drop), func() (bool, string) {
		logged := strings.Contains(ze.ErrOut(), c.ZeLog)
		dropped := c.Drop == "" || zeNS.TCPExt(t)[c.Drop]+dNS.TCPExt(t)[c.Drop] > 0
		return logged && dropped, Tail(ze.ErrOut())
	})
	up, out := d.Established(s.ZeAddr)
	zeUp := strings.Contains(ze.Out(), established)
	if (up || zeUp) && c.Race != "" {
		t.Skipf("the session came up although it should not: %s (ze: %v, %s: %v)", c.Race, zeUp, s.Peer, up)
	}
	if up {
		t.Errorf("the daemon's session with ze is Established:\n%s", out)
	}
	if zeUp {
		t.Errorf("ze established with %s:\n%s", s.Peer, ze.Out())
	}
	if c.Drop != "" {
		t.Logf("kernel: %s ze %d, %s %d", c.Drop, zeNS.TCPExt(t)[c.Drop], s.Peer, dNS.TCPExt(t)[c.Drop])
	}
	if c.ZeLog != "" {
		for _, l := range strings.Split(ze.ErrOut(), "\n") {
			if strings.Contains(l, c.ZeLog) {
				t.Logf("ze: %s", l)
				break
			}
		}
	}
	StopZe(t, ze)
}
