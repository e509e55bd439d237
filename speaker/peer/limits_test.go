package peer

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/testpeer"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) netip.AddrPort {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := tcpAddr(ln)
	ln.Close()
	return a
}

// TestConnectBackoff: with nothing listening, attempts follow the
// capped exponential backoff: 50, 100, 200, 200… ms apart, so 5 in
// 700 ms (14 without backoff).
func TestConnectBackoff(t *testing.T) {
	checkLeaks(t)
	cfg := baseConfig(closedPort(t))
	cfg.ConnectRetry, cfg.ConnectRetryMax = 50*time.Millisecond, 200*time.Millisecond
	s := start(t, cfg, nil)
	time.Sleep(700 * time.Millisecond)
	st := s.Stats()
	if st.ConnectAttempts < 4 || st.ConnectAttempts > 6 || st.ConnectFailures < st.ConnectAttempts-1 {
		t.Errorf("%d attempts, %d failures in 700 ms, want about 5", st.ConnectAttempts, st.ConnectFailures)
	}
	if st.State == fsm.Established || st.State == fsm.OpenSent {
		t.Errorf("state %v", st.State)
	}
}

// TestMaxPrefixTeardown: past the limit ze sends Cease / Maximum Number
// of Prefixes Reached with AFI, SAFI and the limit (RFC 4486 §4) and
// stays down.
func TestMaxPrefixTeardown(t *testing.T) {
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeCheck)
	pc.Script = script(t, `
send route 10.0.0.0/24 next-hop 127.0.0.1 as-path [65002]
send route 10.0.1.0/24 next-hop 127.0.0.1 as-path [65002]
send route 10.0.2.0/24 next-hop 127.0.0.1 as-path [65002]
expect notification {"notification":{"code":6,"subcode":1}}
`)
	p := testpeer.Start(t, pc)
	cfg := baseConfig(p.Addr())
	cfg.MaxPrefix = map[wire.Family]MaxPrefix{wire.IPv4Unicast: {Limit: 2}}
	rec := newRecorder()
	s := start(t, cfg, rec)
	rec.wait(t, "established", 3*time.Second)
	d := rec.wait(t, "down", 3*time.Second)
	n, sent := downNotification(t, d.reason)
	want := []byte{0, 1, 1, 0, 0, 0, 2} // AFI 1, SAFI 1, limit 2
	if !sent || n.Code != wire.CodeCease || n.Subcode != wire.SubMaxPrefixes || string(n.Data) != string(want) || !errors.Is(d.reason, ErrMaxPrefix) {
		t.Errorf("down reason %v data % X", d.reason, n.Data)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
	time.Sleep(150 * time.Millisecond) // longer than the retry interval
	if st := s.Stats(); st.State != fsm.Idle || st.ConnectAttempts != 1 || st.MaxPrefixHits != 1 {
		t.Errorf("after teardown: state %v, %d attempts, %d hits", st.State, st.ConnectAttempts, st.MaxPrefixHits)
	}
}

// TestMaxPrefixWarningAndRestart: a warning-only limit keeps the session;
// a restart limit brings it back after the delay.
func TestMaxPrefixWarningAndRestart(t *testing.T) {
	checkLeaks(t)
	p, cfg := dualStackCheck(t, `
send route 10.0.0.0/24 next-hop 127.0.0.1 as-path [65002]
send route 10.0.1.0/24 next-hop 127.0.0.1 as-path [65002]
send route 2001:db8::/32 next-hop ::ffff:127.0.0.1 as-path [65002]
send route 2001:db8:1::/48 next-hop ::ffff:127.0.0.1 as-path [65002]
expect notification 6/1
connection
expect silence 100ms
`)
	cfg.MaxPrefix = map[wire.Family]MaxPrefix{
		wire.IPv4Unicast: {Limit: 1, Action: MaxPrefixWarning},
		wire.IPv6Unicast: {Limit: 1, Action: MaxPrefixRestart, RestartAfter: 200 * time.Millisecond},
	}
	rec := newRecorder()
	s := start(t, cfg, rec)
	rec.wait(t, "established", 3*time.Second)
	d := rec.wait(t, "down", 3*time.Second)
	if n, _ := downNotification(t, d.reason); n.Subcode != wire.SubMaxPrefixes || n.Data[1] != 2 {
		t.Errorf("down reason %v (want the IPv6 limit)", d.reason)
	}
	start := time.Now()
	rec.wait(t, "established", 3*time.Second)
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("restarted after %v, want 200 ms", el)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
	if st := s.Stats(); st.MaxPrefixHits != 2 {
		t.Errorf("%d hits, want 2 (warning, restart)", st.MaxPrefixHits)
	}
}

// TestAcceptRejected: an active-only peer refuses incoming connections.
func TestAcceptRejected(t *testing.T) {
	checkLeaks(t)
	cfg := baseConfig(closedPort(t))
	cfg.Mode = fsm.ModeActive
	s := start(t, cfg, nil)
	a, b := net.Pipe()
	defer b.Close()
	if err := s.Accept(a); !errors.Is(err, ErrRejected) {
		t.Errorf("Accept: %v", err)
	}
	if err := s.Send(testUpdate()); !errors.Is(err, ErrNotEstablished) {
		t.Errorf("Send: %v", err)
	}
}

// TestIPv6 runs a session over ::1, from a bound local address.
func TestIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeSink)
	pc.Listen = "[::1]:0"
	p := testpeer.Start(t, pc)
	cfg := baseConfig(p.Addr())
	cfg.Local, cfg.TTL = netip.MustParseAddr("::1"), 64
	rec := newRecorder()
	start(t, cfg, rec)
	rec.wait(t, "established", 3*time.Second)
}

// TestTTL: the TTL (hop limit) is set on an accepted connection's
// socket.
func TestTTL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := baseConfig(netip.MustParseAddrPort("127.0.0.1:179"))
	cfg.TTL = 7
	s, err := New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.secure(c); err != nil {
		t.Fatal(err)
	}
	rc, _ := c.(*net.TCPConn).SyscallConn()
	var got int
	rc.Control(func(fd uintptr) { got, err = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL) }) //nolint:errcheck
	if err != nil || got != 7 {
		t.Errorf("IP_TTL %d (%v), want 7", got, err)
	}
}

// TestConfigErrors: what New refuses.
func TestConfigErrors(t *testing.T) {
	remote := netip.MustParseAddrPort("192.0.2.1:179")
	for _, tt := range []struct {
		name string
		edit func(*Config)
		err  error
	}{
		{"md5 key of 81", func(c *Config) { c.MD5Password = strings.Repeat("k", 81) }, nil},
		{"gtsm and ttl", func(c *Config) { c.GTSM, c.TTL = 1, 2 }, nil},
		{"gtsm 255", func(c *Config) { c.GTSM = 255 }, nil},
		{"no asn", func(c *Config) { c.LocalASN = 0 }, nil},
		{"ipv6 router id", func(c *Config) { c.RouterID = netip.MustParseAddr("2001:db8::1") }, nil},
		{"hold time 2", func(c *Config) { c.HoldTime = 2 }, nil},
		{"restart without delay", func(c *Config) {
			c.MaxPrefix = map[wire.Family]MaxPrefix{wire.IPv4Unicast: {Limit: 1, Action: MaxPrefixRestart}}
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(remote)
			tt.edit(&cfg)
			_, err := New(cfg, nil, nil)
			if err == nil || (tt.err != nil && !errors.Is(err, tt.err)) {
				t.Errorf("New: %v, want %v", err, tt.err)
			}
		})
	}
	s, err := New(baseConfig(remote), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Config(); c.Remote.Port() != 179 || c.QueueLen != DefaultQueueLen || len(c.Families) != 1 {
		t.Errorf("defaults %+v", c)
	}
}

// TestHoldTimerExpires: a peer that goes silent after the handshake gets
// Hold Timer Expired (4/0, RFC 4271 §6.5) after the 3 s hold time.
func TestHoldTimerExpires(t *testing.T) {
	checkLeaks(t)
	var sp atomic.Pointer[Session]
	ln := listen(t, &sp)
	cfg := baseConfig(netip.MustParseAddrPort("127.0.0.1:1"))
	cfg.Mode, cfg.HoldTime = fsm.ModePassive, 3
	rec := newRecorder()
	s := start(t, cfg, rec)
	sp.Store(s)

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps := capability.AppendASN4(nil, 65002)
	c.Write(message.AppendOpen(nil, message.OpenParams{ASN: 65002, HoldTime: 3, RouterID: netip.MustParseAddr("10.0.0.2"), Caps: caps}))
	c.Write(wire.AppendKeepalive(nil))
	rec.wait(t, "established", 2*time.Second)
	began := time.Now()
	c.SetReadDeadline(time.Now().Add(4 * time.Second))
	buf := make([]byte, wire.MaxLen)
	for {
		msg, err := readMessage(c, buf, wire.MaxLen)
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		if wire.Type(msg[18]) == wire.TypeNotification {
			if msg[19] != byte(wire.CodeHoldTimer) {
				t.Errorf("notification % X", msg)
			}
			break
		}
	}
	if el := time.Since(began); el < 2500*time.Millisecond {
		t.Errorf("hold timer expired after %v", el)
	}
	if n, sent := downNotification(t, rec.wait(t, "down", time.Second).reason); !sent || n.Code != wire.CodeHoldTimer {
		t.Errorf("down %v", n)
	}
}
