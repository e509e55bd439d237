//go:build linux

package tcpsig

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// refused is how long a dial waits before the test calls it refused:
// a dropped SYN is retransmitted after 1 s, so nothing answers sooner.
const refused = 300 * time.Millisecond

// serve accepts connections on ln and echoes one line on each, until
// the end of the test.
func serve(t *testing.T, ln net.Listener) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				io.CopyN(c, c, 5) //nolint:errcheck // the client checks
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
}

func listen(t *testing.T, network, addr string) net.Listener {
	t.Helper()
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), network, addr)
	if err != nil {
		t.Skipf("listen %s %s: %v", network, addr, err)
	}
	serve(t, ln)
	return ln
}

// dial connects to ln with o and exchanges 5 octets; an error when the
// connection did not come up within refused.
func dial(ln net.Listener, o Options) error {
	d := net.Dialer{Control: o.Control, Timeout: refused}
	c, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("hello")); err != nil {
		return err
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if !bytes.Equal(got, []byte("hello")) {
		return errors.New("echo mismatch")
	}
	return nil
}

func stats(t *testing.T) KernelStats {
	t.Helper()
	k, err := ReadKernelStats()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestMD5 checks RFC 2385 signatures on loopback, for IPv4, IPv6, and an
// IPv4 peer of a dual-stack listener (the IPv4-mapped key): a client
// with the listener's key connects; a wrong key, no key, or a key the
// listener does not have gets no answer (and the kernel counts the
// drop); once the listener's key is removed an unsigned client connects.
func TestMD5(t *testing.T) {
	for _, tt := range []struct {
		name, network, listen string
		peer                  netip.Addr
	}{
		{"ipv4", "tcp4", "127.0.0.1:0", netip.MustParseAddr("127.0.0.1")},
		{"ipv6", "tcp6", "[::1]:0", netip.MustParseAddr("::1")},
		{"ipv4 on dual stack", "tcp", "[::]:0", netip.MustParseAddr("127.0.0.1")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ln := listen(t, tt.network, tt.listen)
			if err := SetMD5(ln.(*net.TCPListener), tt.peer, "zekey"); err != nil {
				t.Fatalf("SetMD5: %v", err)
			}
			target := ln
			if tt.network == "tcp" { // dial the IPv4 loopback, not ::
				target = addrListener{ln, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ln.Addr().(*net.TCPAddr).Port}}
			}
			if err := dial(target, Options{Peer: tt.peer, MD5Key: "zekey"}); err != nil {
				t.Errorf("right key: %v", err)
			}
			if err := dial(target, Options{MD5Key: "zekey"}); err != nil { // Peer from the address
				t.Errorf("right key, peer from the dialled address: %v", err)
			}
			before := stats(t)
			if err := dial(target, Options{Peer: tt.peer, MD5Key: "wrong"}); err == nil {
				t.Errorf("wrong key connected")
			}
			if d := stats(t).Sub(before); d.MD5Failure == 0 {
				t.Errorf("wrong key: kernel counted no TCPMD5Failure: %v", d)
			}
			before = stats(t)
			if err := dial(target, Options{}); err == nil {
				t.Errorf("unsigned connected")
			}
			if d := stats(t).Sub(before); d.MD5NotFound == 0 {
				t.Errorf("unsigned: kernel counted no TCPMD5NotFound: %v", d)
			}
			if err := SetMD5(ln.(*net.TCPListener), tt.peer, ""); err != nil {
				t.Fatalf("removing: %v", err)
			}
			if err := SetMD5(ln.(*net.TCPListener), tt.peer, ""); err != nil {
				t.Errorf("removing twice: %v", err)
			}
			if err := dial(target, Options{}); err != nil {
				t.Errorf("unsigned after removal: %v", err)
			}
			if err := dial(target, Options{Peer: tt.peer, MD5Key: "zekey"}); err == nil {
				t.Errorf("signed connected to a listener without key")
			}
		})
	}
}

// addrListener is ln with another address to dial.
type addrListener struct {
	net.Listener
	a net.Addr
}

func (l addrListener) Addr() net.Addr { return l.a }

// TestMD5AfterAccept: a key installed on an accepted connection cuts
// off a peer that does not sign (the segments after the handshake are
// dropped).
func TestMD5AfterAccept(t *testing.T) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := (Options{MD5Key: "zekey"}).Apply(s.(*net.TCPConn)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	c.Write([]byte("x"))
	s.SetReadDeadline(time.Now().Add(refused))
	if n, err := s.Read(make([]byte, 1)); err == nil {
		t.Errorf("read %d octets from an unsigned peer", n)
	}
}

func sockopt(t *testing.T, c syscall.Conn, level, name int) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var verr error
	rc.Control(func(fd uintptr) { v, verr = unix.GetsockoptInt(int(fd), level, name) }) //nolint:errcheck
	if verr != nil {
		t.Fatal(verr)
	}
	return v
}

// TestGTSM: a listener with GTSM for one hop (minimum TTL 255, RFC 5082
// §3) drops a SYN sent with the default TTL and takes one sent with 255;
// the options read back as set, on IPv4 and dual-stack IPv6 sockets.
func TestGTSM(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "tcp" {
				addr = "[::]:0"
			}
			ln := listen(t, network, addr)
			tl := ln.(*net.TCPListener)
			if err := (Options{GTSM: 1}).Apply(tl); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := sockopt(t, tl, unix.IPPROTO_IP, unix.IP_MINTTL); got != 255 {
				t.Errorf("IP_MINTTL %d", got)
			}
			if got := sockopt(t, tl, unix.IPPROTO_IP, unix.IP_TTL); got != 255 {
				t.Errorf("IP_TTL %d", got)
			}
			if network == "tcp" {
				if got := sockopt(t, tl, unix.IPPROTO_IPV6, unix.IPV6_MINHOPCOUNT); got != 255 {
					t.Errorf("IPV6_MINHOPCOUNT %d", got)
				}
				if got := sockopt(t, tl, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS); got != 255 {
					t.Errorf("IPV6_UNICAST_HOPS %d", got)
				}
			}
			target := addrListener{ln, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ln.Addr().(*net.TCPAddr).Port}}
			before := stats(t)
			if err := dial(target, Options{TTL: 64}); err == nil {
				t.Errorf("TTL 64 got through a minimum of 255")
			}
			if d := stats(t).Sub(before); d.MinTTLDrop == 0 {
				t.Errorf("kernel counted no TCPMinTTLDrop: %v", d)
			}
			if err := dial(target, Options{GTSM: 1}); err != nil {
				t.Errorf("GTSM client: %v", err)
			}
			// Back to the defaults: anything gets in again.
			if err := (Options{}).Apply(tl); err != nil {
				t.Fatal(err)
			}
			if got := sockopt(t, tl, unix.IPPROTO_IP, unix.IP_MINTTL); got != 0 {
				t.Errorf("IP_MINTTL %d after reset", got)
			}
			if err := dial(target, Options{TTL: 64}); err != nil {
				t.Errorf("after reset: %v", err)
			}
		})
	}
}

// TestTTL: the multihop TTL on a dialled socket, and the system default
// back with TTL 0.
func TestTTL(t *testing.T) {
	ln := listen(t, "tcp4", "127.0.0.1:0")
	d := net.Dialer{Control: Options{TTL: 7}.Control}
	c, err := d.DialContext(context.Background(), "tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := c.(*net.TCPConn)
	if got := sockopt(t, tc, unix.IPPROTO_IP, unix.IP_TTL); got != 7 {
		t.Errorf("IP_TTL %d, want 7", got)
	}
	if err := (Options{}).Apply(tc); err != nil {
		t.Fatal(err)
	}
	if got := sockopt(t, tc, unix.IPPROTO_IP, unix.IP_TTL); got == 7 || got == 0 {
		t.Errorf("IP_TTL %d after reset, want the system default", got)
	}
}

func TestErrors(t *testing.T) {
	ln := listen(t, "tcp4", "127.0.0.1:0")
	tl := ln.(*net.TCPListener)
	if err := SetMD5(tl, netip.MustParseAddr("::1"), "k"); !errors.Is(err, ErrFamily) {
		t.Errorf("IPv6 key on an IPv4 socket: %v", err)
	}
	if err := SetMD5(tl, netip.Addr{}, "k"); err == nil {
		t.Errorf("key for no address")
	}
	if err := SetMD5(tl, netip.MustParseAddr("127.0.0.1"), string(make([]byte, 81))); !errors.Is(err, ErrKeyLen) {
		t.Errorf("long key: %v", err)
	}
	if err := SetMD5(tl, netip.MustParseAddr("127.0.0.1"), string(make([]byte, 80))); err != nil {
		t.Errorf("80-octet key: %v", err)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, ok := a.(syscall.Conn); ok {
		t.Fatal("net.Pipe has a socket?")
	}
	if err := SetMD5(nil, netip.MustParseAddr("127.0.0.1"), "k"); !errors.Is(err, ErrNoSocket) {
		t.Errorf("nil conn: %v", err)
	}
	ln.Close()
	if err := SetMD5(tl, netip.MustParseAddr("127.0.0.1"), "k"); err == nil {
		t.Errorf("closed listener: no error")
	}
}

// TestMD5Sig checks the struct tcp_md5sig built for each socket family.
func TestMD5Sig(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.1")
	v6 := netip.MustParseAddr("2001:db8::1")
	for _, tt := range []struct {
		name   string
		dom    int
		peer   netip.Addr
		family uint16
		data   []byte // the address part of sockaddr_storage.Data
		off    int
		err    error
	}{
		{"ipv4", unix.AF_INET, v4, unix.AF_INET, []byte{192, 0, 2, 1}, 2, nil},
		{"ipv4 mapped given", unix.AF_INET, netip.AddrFrom16(v4.As16()), unix.AF_INET, []byte{192, 0, 2, 1}, 2, nil},
		{"ipv4 on ipv6", unix.AF_INET6, v4, unix.AF_INET6,
			[]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}, 6, nil}, // ::ffff:192.0.2.1
		{"ipv6", unix.AF_INET6, v6, unix.AF_INET6,
			[]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 6, nil},
		{"ipv6 zone dropped", unix.AF_INET6, netip.MustParseAddr("fe80::1%eth0"), unix.AF_INET6,
			[]byte{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 6, nil},
		{"ipv6 on ipv4", unix.AF_INET, v6, 0, nil, 0, ErrFamily},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := md5sig(tt.dom, tt.peer, "abc")
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("err %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sig.Addr.Family != tt.family || !bytes.Equal(sig.Addr.Data[tt.off:tt.off+len(tt.data)], tt.data) {
				t.Errorf("addr %d % x", sig.Addr.Family, sig.Addr.Data[:24])
			}
			if sig.Addr.Data[0] != 0 || sig.Addr.Data[1] != 0 { // port 0
				t.Errorf("port % x", sig.Addr.Data[:2])
			}
			if sig.Keylen != 3 || string(sig.Key[:3]) != "abc" || sig.Flags != 0 || sig.Prefixlen != 0 || sig.Ifindex != 0 {
				t.Errorf("sig %+v", sig)
			}
		})
	}
}

// TestMPTCP: a Multipath TCP listener (Go's default) is refused with
// ErrMPTCP, not a bare ENOPROTOOPT.
func TestMPTCP(t *testing.T) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(true)
	ln, err := lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	defer ln.Close()
	tl := ln.(*net.TCPListener)
	if sockopt(t, tl, unix.SOL_SOCKET, unix.SO_PROTOCOL) != unix.IPPROTO_MPTCP {
		t.Skip("no MPTCP in this kernel")
	}
	if err := SetMD5(tl, netip.MustParseAddr("127.0.0.1"), "k"); !errors.Is(err, ErrMPTCP) {
		t.Errorf("SetMD5: %v", err)
	}
	if err := (Options{GTSM: 1}).Apply(tl); !errors.Is(err, ErrMPTCP) {
		t.Errorf("Apply: %v", err)
	}
}

// TestSavedSYN: behind a listener set up by ListenControl (TTL 255, SYN
// saved), Apply with GTSM refuses a connection whose SYN came with TTL
// 64 (ErrGTSM) and takes one whose SYN came with 255, for IPv4 and an
// IPv4 client of a dual-stack listener.
func TestSavedSYN(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp"} {
		t.Run(network, func(t *testing.T) {
			lc := net.ListenConfig{Control: ListenControl}
			lc.SetMultipathTCP(false)
			addr := "127.0.0.1:0"
			if network == "tcp" {
				addr = "[::]:0"
			}
			ln, err := lc.Listen(context.Background(), network, addr)
			if err != nil {
				t.Skip(err)
			}
			defer ln.Close()
			tl := ln.(*net.TCPListener)
			if got := sockopt(t, tl, unix.IPPROTO_IP, unix.IP_TTL); got != 255 {
				t.Errorf("listener IP_TTL %d", got)
			}
			port := ln.Addr().(*net.TCPAddr).Port
			for _, tt := range []struct {
				client Options
				err    error
			}{
				{Options{TTL: 64}, ErrGTSM},
				{Options{GTSM: 1}, nil},
				{Options{}, ErrGTSM},
			} {
				d := net.Dialer{Control: tt.client.Control}
				c, err := d.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
				if err != nil {
					t.Fatal(err)
				}
				s, err := tl.AcceptTCP()
				if err != nil {
					t.Fatal(err)
				}
				err = (Options{GTSM: 1}).Apply(s)
				if (tt.err == nil) != (err == nil) || (tt.err != nil && !errors.Is(err, tt.err)) {
					t.Errorf("client %+v: Apply: %v, want %v", tt.client, err, tt.err)
				}
				// Read once: the saved SYN is gone.
				if _, ok, err := savedSYNTTL(mustRaw(t, s)); ok || err != nil {
					t.Errorf("saved SYN still there (%v)", err)
				}
				s.Close()
				c.Close()
			}
		})
	}
}

func mustRaw(t *testing.T, c syscall.Conn) syscall.RawConn {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return rc
}
