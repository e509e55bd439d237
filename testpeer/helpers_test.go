package testpeer

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// testConfig is DefaultConfig with a short timeout for tests.
func testConfig(m Mode) Config {
	c := DefaultConfig()
	c.Mode = m
	c.Timeout = 10 * time.Second
	return c
}

// rawClient is a hand-driven BGP speaker for bad-input tests: it writes
// whatever the test says.
type rawClient struct {
	t    testing.TB
	conn net.Conn
}

func dialRaw(t testing.TB, addr netip.AddrPort) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr.String(), 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn}
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// open sends an OPEN: AS 65001, hold time hold, IPv4 unicast, 4-octet AS.
func (c *rawClient) open(hold uint16) {
	caps := capability.AppendMultiprotocol(nil, wire.IPv4Unicast)
	caps = capability.AppendASN4(caps, 65001)
	c.write(message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: hold,
		RouterID: netip.MustParseAddr("192.0.2.1"), Caps: caps}))
}

// handshake sends OPEN and KEEPALIVE and reads until the peer's
// KEEPALIVE arrived.
func (c *rawClient) handshake(hold uint16) {
	c.t.Helper()
	c.open(hold)
	c.write(wire.AppendKeepalive(nil))
	for {
		typ, _ := c.read(3 * time.Second)
		if typ == wire.TypeKeepalive {
			return
		}
		if typ == 0 {
			c.t.Fatal("no KEEPALIVE from the peer")
		}
	}
}

// read reads one message; type 0 when the connection ended or timed out.
func (c *rawClient) read(d time.Duration) (wire.Type, []byte) {
	c.conn.SetReadDeadline(time.Now().Add(d))
	var h [wire.HeaderLen]byte
	if _, err := readFull(c.conn, h[:]); err != nil {
		return 0, nil
	}
	n := int(binary.BigEndian.Uint16(h[16:18]))
	msg := make([]byte, n)
	copy(msg, h[:])
	if n > wire.HeaderLen {
		if _, err := readFull(c.conn, msg[wire.HeaderLen:]); err != nil {
			return 0, nil
		}
	}
	return wire.Type(h[18]), msg
}

// readUntil reads until a message of type typ (or the end); it returns
// the message.
func (c *rawClient) readUntil(typ wire.Type, d time.Duration) []byte {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		t, msg := c.read(time.Until(deadline))
		if t == typ {
			return msg
		}
		if t == 0 {
			return nil
		}
	}
	return nil
}

func readFull(conn net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := conn.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// mustScript parses a script or fails the test.
func mustScript(t testing.TB, text string) *Script {
	t.Helper()
	s, err := ParseScriptString("test.script", text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
