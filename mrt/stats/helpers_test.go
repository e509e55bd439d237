package stats

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

// testdata is where package mrt/bgpdump keeps the real RIS and
// RouteViews dumps of bgpdump's test suite (see its README).
const testdata = "../bgpdump/testdata"

// analyse runs a Collector over the files (names in testdata).
func analyse(t testing.TB, top int, names ...string) *Report {
	t.Helper()
	c := New(Options{Top: top})
	for _, n := range names {
		r, err := mrt.Open(filepath.Join(testdata, n))
		if err != nil {
			t.Fatal(err)
		}
		c.Read(n, r)
		r.Close()
	}
	return c.Report()
}

// analyseBytes runs a Collector over an MRT stream in memory.
func analyseBytes(t testing.TB, name string, b []byte) *Report {
	t.Helper()
	r, err := mrt.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := New(Options{})
	c.Read(name, r)
	return c.Report()
}

// record builds one MRT record: the common header (RFC 6396 §2) with
// the _ET microseconds when the type has them, then body.
func record(ts uint32, typ mrt.Type, sub uint16, body ...[]byte) []byte {
	var msg []byte
	for _, b := range body {
		msg = append(msg, b...)
	}
	n := len(msg)
	if typ.HasMicroseconds() {
		n += 4
	}
	out := []byte{
		byte(ts >> 24), byte(ts >> 16), byte(ts >> 8), byte(ts), // timestamp
		byte(typ >> 8), byte(typ), byte(sub >> 8), byte(sub), // type, subtype
		byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), // length
	}
	if typ.HasMicroseconds() {
		out = append(out, 0, 0, 0, 0)
	}
	return append(out, msg...)
}

// bgp4mpAS4 is the BGP4MP MESSAGE_AS4 header of a session of 192.0.2.1
// (peerAS) with the collector 192.0.2.254 (AS 65000) (RFC 6396 §4.4.3).
func bgp4mpAS4(peerAS uint32) []byte {
	return []byte{
		byte(peerAS >> 24), byte(peerAS >> 16), byte(peerAS >> 8), byte(peerAS), // peer AS
		0x00, 0x00, 0xFD, 0xE8, // local AS 65000
		0x00, 0x00, // interface index
		0x00, 0x01, // AFI IPv4
		192, 0, 2, 1, // peer IP
		192, 0, 2, 254, // local IP
	}
}

// update wraps an UPDATE body (from the withdrawn routes length on) in
// the BGP header.
func update(body ...byte) []byte {
	n := 19 + len(body)
	h := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
		byte(n >> 8), byte(n), // length
		0x02, // UPDATE
	}
	return append(h, body...)
}
