package mrt

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzWriteRIBAttrs protects AppendRIBAttrs, which walks attribute lists
// it is given (the pool's, or a message's): it never panics; on success
// its output is a walkable list without MP_UNREACH_NLRI, with at most
// one MP_REACH_NLRI, in its shortened form; and the other attributes
// come out unchanged and in order (the round-trip property).
func FuzzWriteRIBAttrs(f *testing.F) {
	f.Add(wcat(wOrigin, wASPath, wNextHop), []byte(nil))
	f.Add(wcat(wOrigin, wLarge), wNH6)
	f.Add(wcat([]byte{0x80, 0x0e, 0x0a, 0x00, 0x01, 0x01, 0x04, 10, 0, 0, 1, 0, 0x08, 10}, wMED), []byte{1, 2, 3, 4})
	f.Add([]byte{0x80, 0x0f, 0x03, 0x00, 0x02, 0x01}, []byte(nil))
	f.Fuzz(func(t *testing.T, attrs, nh []byte) {
		out, err := AppendRIBAttrs([]byte{0xaa}, attrs, nh)
		if err != nil {
			if !bytes.Equal(out, []byte{0xaa}) {
				t.Fatalf("error %v but dst changed: % x", err, out)
			}
			return
		}
		out = out[1:]
		var others, reaches int
		var kept [][]byte
		it := attr.NewIterator(out)
		for it.Next() {
			switch it.Code() {
			case attr.CodeMPUnreach:
				t.Fatal("MP_UNREACH_NLRI kept")
			case attr.CodeMPReach:
				reaches++
				v := it.Value()
				if len(v) == 0 || int(v[0]) != len(v)-1 {
					t.Fatalf("MP_REACH_NLRI not shortened: % x", v)
				}
			default:
				others++
				kept = append(kept, it.Raw())
			}
		}
		if it.Err() != nil {
			t.Fatalf("output cannot be walked: %v (% x)", it.Err(), out)
		}
		if reaches > 1 {
			t.Fatalf("%d MP_REACH_NLRI attributes", reaches)
		}
		in := attr.NewIterator(attrs)
		i := 0
		for in.Next() {
			if c := in.Code(); c == attr.CodeMPReach || c == attr.CodeMPUnreach {
				continue
			}
			if i >= len(kept) || !bytes.Equal(in.Raw(), kept[i]) {
				t.Fatalf("attribute %d changed or lost", i)
			}
			i++
		}
		if i != others {
			t.Fatalf("%d attributes in, %d out", i, others)
		}
	})
}

// FuzzWriteRIB is the round-trip property of AppendRIB: the record's
// Length matches its size, and its sequence number, prefix and entries
// read back as written (by a field walk written from RFC 6396 §4.3.2).
func FuzzWriteRIB(f *testing.F) {
	f.Add(uint32(1), []byte{10, 1, 2, 3}, uint8(23), false, uint16(3), uint32(7), wcat(wOrigin, wNextHop), []byte(nil))
	f.Add(uint32(0), wNH6, uint8(48), true, uint16(0), uint32(0), wOrigin, wNH6)
	f.Fuzz(func(t *testing.T, seq uint32, addr []byte, bits uint8, v6 bool, peer uint16, id uint32, attrs, nh []byte) {
		var a netip.Addr
		fam := wire.IPv4Unicast
		if v6 {
			fam = wire.IPv6Unicast
			var b [16]byte
			copy(b[:], addr)
			a = netip.AddrFrom16(b)
		} else {
			var b [4]byte
			copy(b[:], addr)
			a = netip.AddrFrom4(b)
		}
		p, err := a.Prefix(int(bits) % (a.BitLen() + 1))
		if err != nil {
			t.Fatal(err)
		}
		paths := []RIBPath{{PeerIndex: peer, Originated: time.Unix(1e9, 0), PathID: id, Attrs: attrs, NextHop: nh}}
		rec, err := AppendRIB(nil, wTime, seq, fam, true, p, paths)
		if err != nil {
			if len(rec) != 0 {
				t.Fatalf("error %v with output", err)
			}
			return
		}
		if int(binary.BigEndian.Uint32(rec[8:])) != len(rec)-HeaderLen {
			t.Fatal("Length does not match the record")
		}
		body := rec[HeaderLen:]
		if binary.BigEndian.Uint32(body) != seq || int(body[4]) != p.Bits() {
			t.Fatal("sequence or prefix length changed")
		}
		n := (p.Bits() + 7) / 8
		var full [16]byte
		copy(full[:], body[5:5+n])
		var back netip.Addr
		if v6 {
			back = netip.AddrFrom16(full)
		} else {
			back = netip.AddrFrom4([4]byte(full[:4]))
		}
		if got := netip.PrefixFrom(back, p.Bits()); got != p.Masked() {
			t.Fatalf("prefix %s read back as %s", p, got)
		}
		e := body[5+n:]
		if binary.BigEndian.Uint16(e) != 1 || binary.BigEndian.Uint16(e[2:]) != peer || binary.BigEndian.Uint32(e[8:]) != id {
			t.Fatal("entry fields changed")
		}
		if int(binary.BigEndian.Uint16(e[12:])) != len(e)-14 {
			t.Fatal("attribute length does not match")
		}
	})
}

// FuzzWriteExpandPattern protects ExpandPattern (file patterns come from
// the configuration): it never panics, and a pattern without % comes out
// unchanged.
func FuzzWriteExpandPattern(f *testing.F) {
	f.Add("updates.%Y%m%d.%H%M.gz")
	f.Add("%")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, pattern string) {
		got, err := ExpandPattern(pattern, wTime)
		if err == nil && !bytes.ContainsRune([]byte(pattern), '%') && got != pattern {
			t.Fatalf("%q expanded to %q", pattern, got)
		}
	})
}
