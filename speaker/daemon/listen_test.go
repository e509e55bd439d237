package daemon

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/tcpsig"
)

// md5Conf: one passive peer, 127.0.0.2, with a TCP MD5 key, and one
// without.
const md5Conf = `
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    peer signed   { remote { ip 127.0.0.2; as 65001; } md5-password zekey; }
    peer unsigned { remote { ip 127.0.0.3; as 65002; } }
}
`

// handshake tells whether a TCP connection from src to addr with MD5 key
// (none: "") comes up within 300 ms (a dropped SYN is retried only after
// a second).
func handshake(addr net.Addr, src, key string) bool {
	d := net.Dialer{
		Timeout:   300 * time.Millisecond,
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)},
		Control:   tcpsig.Options{MD5Key: key}.Control,
	}
	c, err := d.Dial("tcp", addr.String())
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// TestListenMD5: New's listeners hold the key of the peer that has one
// before Run (the kernel answers only a SYN signed with it), none for
// the other; setMD5 (what a reload calls) removes and installs keys on
// the running listeners.
func TestListenMD5(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("TCP MD5 is Linux only")
	}
	cfg, err := config.Parse("test.conf", []byte(md5Conf))
	if err != nil {
		t.Fatal(err)
	}
	for _, listen := range []string{"127.0.0.1:0", "[::]:0"} {
		t.Run(listen, func(t *testing.T) {
			d, err := New(cfg, Options{Listen: []string{listen}})
			if err != nil {
				t.Fatal(err)
			}
			defer d.closeListeners()
			addr := d.Addrs()[0]
			if a := addr.(*net.TCPAddr); a.IP.IsUnspecified() {
				addr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: a.Port}
			}
			for _, tt := range []struct {
				src, key string
				up       bool
			}{
				{"127.0.0.2", "zekey", true},
				{"127.0.0.2", "wrong", false},
				{"127.0.0.2", "", false},
				{"127.0.0.3", "", true},
				{"127.0.0.3", "zekey", false},
			} {
				if got := handshake(addr, tt.src, tt.key); got != tt.up {
					t.Errorf("from %s with key %q: up %v, want %v", tt.src, tt.key, got, tt.up)
				}
			}
			// A reload: 127.0.0.2 loses its key, 127.0.0.3 gets one.
			if err := d.setMD5(netip.MustParseAddr("127.0.0.2"), ""); err != nil {
				t.Fatal(err)
			}
			if err := d.setMD5(netip.MustParseAddr("127.0.0.3"), "newkey"); err != nil {
				t.Fatal(err)
			}
			if !handshake(addr, "127.0.0.2", "") || handshake(addr, "127.0.0.3", "") || !handshake(addr, "127.0.0.3", "newkey") {
				t.Errorf("keys not changed on the running listener")
			}
			// An IPv6 peer on this listener: skipped on an IPv4 socket,
			// installed on a dual-stack one.
			if err := d.setMD5(netip.MustParseAddr("2001:db8::1"), "k"); err != nil {
				t.Errorf("IPv6 peer: %v", err)
			}
			d.closeListeners()
			if err := d.setMD5(netip.MustParseAddr("127.0.0.2"), "k"); err == nil {
				t.Errorf("closed listener: no error")
			}
		})
	}
}

// TestListenerOptions: the listeners are plain TCP (not Multipath TCP,
// which takes no MD5 key) and send with TTL 255 (SYN-ACKs to GTSM
// peers).
func TestListenerOptions(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux socket options")
	}
	cfg, err := config.Parse("test.conf", []byte(md5Conf))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg, Options{Listen: []string{"127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.closeListeners()
	rc, err := d.lns[0].(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var proto, ttl int
	var e1, e2 error
	rc.Control(func(fd uintptr) { //nolint:errcheck
		proto, e1 = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, 0x26) // SO_PROTOCOL
		ttl, e2 = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL)
	})
	if err := errors.Join(e1, e2); err != nil {
		t.Fatal(err)
	}
	if proto != syscall.IPPROTO_TCP || ttl != 255 {
		t.Errorf("listener protocol %d TTL %d, want TCP (6) and 255", proto, ttl)
	}
}
