package rib

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
)

func TestBlockKeys(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		id     uint32
		keyed  bool
	}{
		{"0.0.0.0/0", 0, true},
		{"128.0.0.0/1", 0, true},
		{"8.0.0.0/6", 0, true},
		{"12.0.0.0/7", 0, true},
		{"20.1.2.0/24", 0, true},
		{"20.1.2.63/32", 0, true},
		{"255.255.255.255/32", 0, true},
		{"20.1.2.0/24", 1<<26 - 1, true},
		{"20.1.2.0/24", 1 << 26, false}, // path ID too large: the map
		{"::/0", 0, true},
		{"2001:db8::/32", 0, true},
		{"2001:db8:ffff:fffe::/63", 0, true},
		{"2001:db8::/64", 0, false}, // /64 and longer: the map
		{"2001:db8::1/128", 0, false},
		{"2001:db8::/32", 1, false}, // IPv6 with a path ID: the map
	} {
		p := netip.MustParsePrefix(tc.prefix)
		if p.Addr().Is4() {
			k4 := mk4(p, tc.id)
			k, s, ok := blockKey4(k4.addr, int(k4.bits), tc.id)
			if ok != tc.keyed {
				t.Errorf("%s id %d: keyed %v, want %v", p, tc.id, ok, tc.keyed)
				continue
			}
			if !ok {
				continue
			}
			addr, plen, id := fromBlockKey4(k, s)
			if got := (key4{addr: addr, bits: uint8(plen)}).prefix(); got != p || id != tc.id {
				t.Errorf("%s id %d: back %s id %d", p, tc.id, got, id)
			}
			continue
		}
		k6 := mk6(p, tc.id)
		k, s, ok := blockKey6(k6.hi, int(k6.bits), tc.id)
		if ok != tc.keyed {
			t.Errorf("%s id %d: keyed %v, want %v", p, tc.id, ok, tc.keyed)
			continue
		}
		if !ok {
			continue
		}
		hi, plen := fromBlockKey6(k, s)
		if got := (key6{hi: hi, bits: uint8(plen)}).prefix(); got != p {
			t.Errorf("%s: back %s", p, got)
		}
	}
}

// tableModel runs the operations ops describes (3 octets each) on a
// tables[uint32] and on a plain map, and reports the first difference.
// Routes come from a small space (a few lengths, neighbouring
// addresses, path IDs with and without a block key) so that blocks
// fill, split back to singles and empty.
func tableModel(t *testing.T, ops []byte) {
	t.Helper()
	type route struct {
		fi int
		p  netip.Prefix
		id uint32
	}
	lens4 := [...]int{0, 7, 16, 23, 24, 24, 25, 32}
	lens6 := [...]int{0, 32, 48, 48, 63, 64, 128, 127}
	ids := [...]uint32{0, 0, 0, 0, 1, 7, 1 << 26, 1<<32 - 1}
	var tb tables[uint32]
	want := map[route]uint32{}
	mkRoute := func(a, b byte) route {
		fi := int(a>>7&1) * 2 // IPv4 or IPv6 unicast
		id := ids[a>>4&7]
		var p netip.Prefix
		if fi == 0 {
			v := uint32(20)<<24 | uint32(a&15)<<12 | uint32(b)<<8 | uint32(b)
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), lens4[b>>5])
		} else {
			id = ids[a>>4&7] & 1 // IPv6 path IDs: 0 or 1
			var x [16]byte
			binary.BigEndian.PutUint64(x[:8], 0x20010db8<<32|uint64(a&15)<<20|uint64(b)<<16|uint64(b))
			binary.BigEndian.PutUint64(x[8:], uint64(b))
			p = netip.PrefixFrom(netip.AddrFrom16(x), lens6[b>>5])
		}
		return route{fi, p.Masked(), id}
	}
	check := func(step int) {
		t.Helper()
		for _, fi := range []int{0, 2} {
			n := 0
			for r := range want {
				if r.fi == fi {
					n++
				}
			}
			if got := tb.len(fi); got != n {
				t.Fatalf("step %d: family %d: len %d, want %d", step, fi, got, n)
			}
			seen := map[route]bool{}
			tb.each(fi, func(p netip.Prefix, id uint32, v uint32) {
				r := route{fi, p, id}
				if seen[r] {
					t.Fatalf("step %d: %v listed twice", step, r)
				}
				seen[r] = true
				if w, ok := want[r]; !ok || w != v {
					t.Fatalf("step %d: each gave %v = %d, want %d (present %v)", step, r, v, w, ok)
				}
			})
		}
		for r, w := range want {
			if v, ok := tb.get(r.fi, r.p, r.id); !ok || v != w {
				t.Fatalf("step %d: get %v = %d %v, want %d", step, r, v, ok, w)
			}
		}
	}
	for i := 0; i+3 <= len(ops); i += 3 {
		op, a, b := ops[i], ops[i+1], ops[i+2]
		r := mkRoute(a, b)
		switch op % 8 {
		case 0, 1, 2: // set
			v := uint32(op)<<8 | uint32(b) | 1
			tb.set(r.fi, r.p, r.id, v)
			want[r] = v
		case 3, 4: // delete
			tb.del(r.fi, r.p, r.id)
			delete(want, r)
		case 5: // get, absent or present
			v, ok := tb.get(r.fi, r.p, r.id)
			if w, wok := want[r]; ok != wok || v != w {
				t.Fatalf("step %d: get %v = %d %v, want %d %v", i/3, r, v, ok, w, wok)
			}
		case 6: // walk, deleting every other route
			k := 0
			tb.each(r.fi, func(p netip.Prefix, id uint32, _ uint32) {
				if k++; k%2 == 0 {
					tb.del(r.fi, p, id)
					delete(want, route{r.fi, p, id})
				}
			})
		case 7: // walk, changing every value
			tb.each(r.fi, func(p netip.Prefix, id uint32, v uint32) {
				tb.set(r.fi, p, id, v+2)
				want[route{r.fi, p, id}] = v + 2
			})
		}
		if i%60 == 0 {
			check(i / 3)
		}
	}
	check(len(ops) / 3)
}

func TestTablesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		ops := make([]byte, 3*3000)
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		if round%2 == 0 { // mostly sets: dense blocks
			for i := 0; i < len(ops); i += 3 {
				if ops[i]%8 > 2 && rng.IntN(4) != 0 {
					ops[i] = 0
				}
			}
		}
		tableModel(t, ops)
	}
}

// FuzzTables protects the route tables (table.go): whatever sequence
// of sets, deletes, gets and walks that change or delete as they go,
// every route reads back as a plain map holds it, once, and the counts
// agree — through blocks filling, folding back to a single route and
// emptying, and the maps of routes without a block key.
func FuzzTables(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0, 0, 2, 3, 0, 1, 6, 0, 0})
	f.Add([]byte{0, 0x80, 0x20, 0, 0x80, 0x21, 7, 0x80, 0, 4, 0x80, 0x20, 5, 0x80, 0x21})
	f.Add([]byte{0, 0x60, 0, 0, 0x70, 1, 1, 0x60, 2, 3, 0x70, 1, 6, 0x60, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 3*2000 {
			ops = ops[:3*2000]
		}
		tableModel(t, ops)
	})
}
