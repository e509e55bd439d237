//go:build interop

package bgpdump

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

// mrtRecord builds an MRT record (RFC 6396 §2): timestamp, type,
// subtype, length, body (with a BGP4MP_ET body, its microseconds first).
func mrtRecord(typ, sub uint16, body []byte) []byte {
	b := append(be32(1700000000), be16(typ)...)
	b = append(b, be16(sub)...)
	b = append(b, be32(uint32(len(body)))...)
	return append(b, body...)
}

// bgpMessage builds a BGP message: marker, length, type, body.
func bgpMessage(typ byte, body []byte) []byte {
	b := append(bytes.Repeat([]byte{0xFF}, 16), be16(uint16(19+len(body)))...)
	return append(append(b, typ), body...)
}

// updateMessage builds an UPDATE: withdrawn routes, attributes, NLRI.
func updateMessage(withdrawn, attrs, nlri []byte) []byte {
	b := append(be16(uint16(len(withdrawn))), withdrawn...)
	b = append(append(b, be16(uint16(len(attrs)))...), attrs...)
	return bgpMessage(2, append(b, nlri...))
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// truncated returns records of every kind bgpdump prints, each cut at
// every length (the record's length field saying so), each followed by
// a BGP4MP UPDATE of its own prefix 10.9.N.0/24: what bgpdump prints for
// damaged records, and whether it counts them for -p, shows in the
// lines and in the packet index of the UPDATE after them.
func truncated() []byte {
	ip4 := func(a, b, c, d byte) []byte { return []byte{a, b, c, d} }
	v6 := make([]byte, 32)
	for i := range v6 {
		v6[i] = byte(i)
	}
	// 4-octet, 2-octet and IPv6 BGP4MP headers: peer AS, local AS,
	// interface index, AFI, peer and local addresses.
	hdr4 := cat(be32(65001), be32(65000), be16(0), be16(1), ip4(192, 0, 2, 1), ip4(192, 0, 2, 254))
	hdr2 := cat(be16(65001), be16(65000), be16(0), be16(1), ip4(192, 0, 2, 1), ip4(192, 0, 2, 254))
	hdr6 := cat(be32(65001), be32(65000), be16(0), be16(2), v6)
	// ORIGIN IGP, AS_PATH 65001 (4-octet), NEXT_HOP; then an attribute
	// bgpdump does not decode (-u) and a LARGE_COMMUNITY (-l). No
	// COMMUNITIES: bgpdump prints uninitialised memory for one cut short.
	base := cat(attr(0x40, 1, []byte{0}), attr(0x40, 2, cat([]byte{2, 1}, be32(65001))), attr(0x40, 3, ip4(192, 0, 2, 1)))
	extra := cat(attr(0xC0, 99, []byte{1, 2}), attr(0xC0, 32, cat(be32(1), be32(1), be32(1))))
	all := cat(base, extra)
	nlri := []byte{24, 10, 0, 1}
	pit := cat(ip4(10, 0, 0, 1), be16(0), be16(2),
		[]byte{2}, ip4(10, 0, 0, 9), ip4(192, 0, 2, 1), be32(65001),
		[]byte{2}, ip4(10, 0, 0, 9), ip4(192, 0, 2, 2), be32(65002))
	path2 := cat(attr(0x40, 1, []byte{0}), attr(0x40, 2, []byte{2, 1, 0, 5}), attr(0x40, 3, ip4(1, 2, 3, 4)), extra)
	legacyPeer := cat(be16(3333), ip4(193, 0, 0, 56))
	kinds := []struct {
		pit      bool // a PEER_INDEX_TABLE first
		typ, sub uint16
		body     []byte
		min      int // the shortest cut
	}{
		{false, 16, 4, cat(hdr4, updateMessage([]byte{16, 10, 1}, all, nlri)), 1},
		{false, 16, 4, cat(hdr6, updateMessage(nil, all, nlri)), 1},
		{false, 16, 1, cat(hdr2, updateMessage(nil, path2, nlri)), 1},
		{false, 16, 9, cat(hdr4, updateMessage(nil, all, cat(be32(3), nlri))), 1},
		{false, 16, 4, cat(hdr4, bgpMessage(4, nil)), 1},
		{false, 16, 4, cat(hdr4, bgpMessage(1, cat([]byte{4}, be16(65001), be16(90), ip4(1, 2, 3, 4), []byte{0}))), 1},
		{false, 16, 5, cat(hdr4, be16(1), be16(2)), 1},
		{false, 16, 0, cat(hdr2, be16(1), be16(2)), 1},
		// BGP4MP_ET: bgpdump 1.6.2 stops reading at a record of only
		// the microseconds (as at one of length 0).
		{false, 17, 4, cat(be32(7), hdr4, updateMessage(nil, all, nlri)), 5},
		{true, 13, 2, cat(be32(0), []byte{8, 10}, be16(2), be16(0), be32(5), be16(uint16(len(all))), all,
			be16(1), be32(6), be16(uint16(len(base))), base), 1},
		{true, 13, 8, cat(be32(0), []byte{8, 10}, be16(1), be16(0), be32(5), be32(9), be16(uint16(len(all))), all), 1},
		{false, 13, 1, pit, 1},
		{false, 12, 1, cat(be16(0), be16(1), ip4(10, 0, 0, 0), []byte{8, 1}, be32(5), ip4(192, 0, 2, 1), be16(65001),
			be16(uint16(len(all))), all), 1},
		{false, 12, 2, cat(be16(0), be16(1), make([]byte, 16), []byte{8, 1}, be32(5), v6[:16], be16(65001),
			be16(uint16(len(all))), all), 1},
		{false, 5, 1, cat(legacyPeer, be16(12654), ip4(193, 0, 4, 28), be16(0), be16(uint16(len(base))), base, []byte{16, 10, 5}), 1},
		{false, 5, 3, cat(legacyPeer, be16(6), be16(1)), 1},
	}
	var out []byte
	n := 0
	for _, k := range kinds {
		for cut := k.min; cut <= len(k.body); cut++ {
			if k.pit {
				out = append(out, mrtRecord(13, 1, pit)...)
			}
			out = append(out, mrtRecord(k.typ, k.sub, k.body[:cut])...)
			marker := updateMessage(nil, base, []byte{24, 10, 9, byte(n)})
			out = append(out, mrtRecord(16, 4, cat(hdr4, marker))...)
			n++
		}
	}
	return out
}

// TestTruncatedAgainstBgpdump compares ze and bgpdump with -p (and -u)
// on records cut at every length.
func TestTruncatedAgainstBgpdump(t *testing.T) {
	bgpdump, err := exec.LookPath("bgpdump")
	if err != nil {
		t.Skip("bgpdump is not installed")
	}
	ze, _ := harness.BuildZe(t)
	f := filepath.Join(t.TempDir(), "truncated.mrt")
	if err := os.WriteFile(f, truncated(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]string{{"-m", "-p", "-u"}, {"-M", "-p"}} {
		compareRun(t, bgpdump, ze, f, opts)
	}
}

// TestRandomOptionsAgainstBgpdump runs bgpdump's options on random
// records (TestRandomAgainstBgpdump's generator, another seed): RIB
// dumps of every unicast subtype, BGP4MP messages and state changes,
// attributes bgpdump does not decode.
func TestRandomOptionsAgainstBgpdump(t *testing.T) {
	bgpdump, err := exec.LookPath("bgpdump")
	if err != nil {
		t.Skip("bgpdump is not installed")
	}
	ze, _ := harness.BuildZe(t)
	g := &gen{r: rand.New(rand.NewPCG(5, 1))}
	g.rib(1700000000, 1000)
	g.updates(1700000100, 2000)
	f := filepath.Join(t.TempDir(), "random.mrt")
	if err := os.WriteFile(f, g.out, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]string{{"-m", "-p", "-l", "-u"}, {"-m", "-t", "change", "-p"}, {"-M", "-p"}} {
		compareRun(t, bgpdump, ze, f, opts)
	}
}
