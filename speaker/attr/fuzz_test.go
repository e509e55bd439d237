package attr

import (
	"bytes"
	"iter"
	"testing"

	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// fuzzCtx derives an encoding context from one octet.
func fuzzCtx(b byte) wire.Context {
	ctx := wire.Context{ASN4: b&1 != 0}
	if b&2 != 0 {
		ctx, _ = ctx.WithExtNextHop(wire.IPv4Unicast, true)
		ctx, _ = ctx.WithExtNextHop(wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}, true)
	}
	return ctx
}

// FuzzParse protects every attribute parser, Check and the attribute,
// AS path and Prefix-SID iterators against panics and inconsistent
// verdicts on arbitrary bytes; Cut, CutSegment (with ASNs) and
// MPReach.Prefixes read what the iterators read. Input: code, flags, context octet, value.
// The whole input is also walked as an attribute list.
func FuzzParse(f *testing.F) {
	seeds := [][]byte{
		{byte(CodeOrigin), 0x40, 1, 0},
		{byte(CodeASPath), 0x40, 1, 2, 1, 0, 0, 0xFD, 0xE8},
		{byte(CodeASPath), 0x40, 0, 2, 2, 0xFD, 0xE8, 0, 1},
		{byte(CodeNextHop), 0x40, 0, 192, 0, 2, 1},
		{byte(CodeAggregator), 0xC0, 1, 0, 0, 0xFD, 0xE8, 10, 0, 0, 1},
		{byte(CodeCommunities), 0xC0, 0, 0xFF, 0xFF, 0xFF, 0x01},
		{byte(CodeMPReach), 0x80, 2, 0, 1, 1, 16, 0x20, 1, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 24, 10, 0, 0},
		{byte(CodeMPUnreach), 0x80, 0, 0, 2, 1},
		{byte(CodeExtCommunities), 0xC0, 0, 0x80, 0x06, 0, 0, 0x49, 0x74, 0x24, 0},
		{byte(CodeAS4Path), 0xC0, 0, 2, 1, 0xFA, 0x56, 0xEA, 0},
		{byte(CodePMSITunnel), 0xC0, 0, 1, 6, 0, 6, 0x41, 192, 0, 2, 1},
		{byte(CodeIPv6ExtCommunities), 0xC0, 0, 0, 2, 0x20, 1, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5},
		{byte(CodeAIGP), 0x80, 0, 1, 0, 11, 0, 0, 0, 0, 0, 0, 1, 0},
		{byte(CodeLargeCommunities), 0xC0, 0, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 0, 0, 0, 2},
		{byte(CodeOTC), 0xC0, 0, 0, 0, 0xFD, 0xE8},
		{byte(CodeClusterList), 0x80, 0, 1, 1, 1, 1},
		append([]byte{byte(CodePrefixSID), 0xC0, 0}, srv6L3...),
		{byte(CodePrefixSID), 0xC0, 0, 1, 0, 7, 0, 0, 0, 0, 0, 0, 100, 3, 0, 8, 0, 0, 0, 0x3E, 0x80, 0, 0x1F, 0x40},
		{99, 0x40, 0, 1},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCut(t, data)
		it := NewIterator(data)
		for it.Next() {
			_ = Check(it.Code(), it.Flags(), it.Value(), wire.Context{ASN4: true})
			if !bytes.Equal(it.Raw()[len(it.Raw())-len(it.Value()):], it.Value()) {
				t.Fatal("Raw does not end with Value")
			}
		}
		if len(data) < 3 {
			return
		}
		c, fl, ctx, v := Code(data[0]), Flags(data[1]), fuzzCtx(data[2]), data[3:]
		err := Check(c, fl, v, ctx)
		if err != nil {
			we, ok := err.(*wire.Error)
			if !ok || we.Code != wire.CodeUpdate || we.Action == wire.ActionNone {
				t.Fatalf("Check returned %#v", err)
			}
		}
		// A well-formed attribute must parse with its own parser too.
		wellFormed := err == nil && fl&(FlagOptional|FlagTransitive) == specs[c].flags
		check := func(perr error) {
			if wellFormed && perr != nil {
				t.Fatalf("Check accepted %s % X but the parser says %v", c, v, perr)
			}
		}
		switch c {
		case CodeOrigin:
			_, perr := ParseOrigin(v)
			check(perr)
		case CodeASPath, CodeAS4Path:
			checkCutSegment(t, v, ctx.ASN4 || c == CodeAS4Path)
			segs, perr := Segments(v, ctx.ASN4 || c == CodeAS4Path)
			check(perr)
			_ = segs
			_, _ = MergeAS4Path(v, v)
		case CodeNextHop:
			_, perr := ParseNextHop(v)
			check(perr)
		case CodeMED, CodeLocalPref:
			_, perr := ParseUint32(c, v)
			check(perr)
		case CodeAggregator, CodeAS4Aggregator:
			_, perr := ParseAggregator(c, v, ctx.ASN4 || c == CodeAS4Aggregator)
			check(perr)
		case CodeCommunities:
			cs, perr := ParseCommunities(v)
			check(perr)
			checkAll(t, "Communities", cs.All(), cs.At, cs.Len())
		case CodeOriginatorID:
			_, perr := ParseOriginatorID(v)
			check(perr)
		case CodeClusterList:
			cl, perr := ParseClusterList(v)
			check(perr)
			for i := range cl.Len() {
				_ = cl.At(i)
			}
		case CodeMPReach:
			m, perr := ParseMPReach(v)
			check(perr)
			_, _, _ = m.NextHops()
			if perr == nil && m.Family.IsIP() {
				// Prefixes runs over the value from the NLRI's start; it
				// reads what an iterator over the NLRI alone reads.
				a, b := m.Prefixes(false), nlri.NewIterator(m.NLRI, m.Family, false)
				for a.Next() {
					if !b.Next() || a.Prefix() != b.Prefix() || !bytes.Equal(a.Raw(), b.Raw()) {
						t.Fatalf("Prefixes read %v, the NLRI %v", a.Prefix(), b.Prefix())
					}
				}
				if b.Next() || !sameErr(a.Err(), b.Err()) {
					t.Fatalf("Prefixes stopped with %v, the NLRI with %v", a.Err(), b.Err())
				}
			}
		case CodeMPUnreach:
			_, perr := ParseMPUnreach(v)
			check(perr)
		case CodeExtCommunities:
			ec, perr := ParseExtCommunities(v)
			check(perr)
			for i := range ec.Len() {
				_ = ec.At(i).String()
			}
		case CodeIPv6ExtCommunities:
			ec, perr := ParseIPv6ExtCommunities(v)
			check(perr)
			for i := range ec.Len() {
				_ = ec.At(i).String()
			}
		case CodeLargeCommunities:
			lc, perr := ParseLargeCommunities(v)
			check(perr)
			checkAll(t, "LargeCommunities", lc.All(), lc.At, lc.Len())
		case CodePMSITunnel:
			_, perr := ParsePMSITunnel(v)
			check(perr)
		case CodeAIGP:
			_, perr := ParseAIGP(v)
			check(perr)
		case CodeOTC:
			_, perr := ParseOTC(v)
			check(perr)
		case CodePrefixSID:
			check(CheckPrefixSID(v))
			walkPrefixSID(v)
		}
		// Text parsers must not panic on arbitrary strings either.
		_, _ = ParseExtCommunity(string(v))
		_, _ = ParseCommunity(string(v))
		_, _ = ParseLargeCommunity(string(v))
		if len(v) >= 8 {
			e := ExtCommunity(v[:8])
			_ = e.String()
		}
	})
}

func walkPrefixSID(v []byte) {
	it := NewPrefixSIDIterator(v)
	for it.Next() {
		switch it.Type() {
		case PrefixSIDLabelIndex:
			_, _ = ParseLabelIndex(it.Value())
		case PrefixSIDOriginatorSRGB:
			if _, s, err := ParseOriginatorSRGB(it.Value()); err == nil {
				for i := range s.Len() {
					_ = s.At(i)
				}
			}
		case PrefixSIDSRv6L3Service, PrefixSIDSRv6L2Service:
			sub, err := SRv6ServiceSubTLVs(it.Value())
			if err != nil {
				continue
			}
			for sub.Next() {
				if info, err := ParseSRv6SIDInfo(sub.Value()); err == nil {
					_, _, _ = info.Structure()
				}
			}
		}
	}
}

// FuzzRoundTrip protects the AS path and community encoders: any value
// that parses re-encodes to exactly the same bytes, and the encoded
// attribute walks back to the same value with standard flags accepted by
// Check. The first octet selects the kind and the AS number size.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0, 2, 1, 0, 0, 0xFD, 0xE8})
	f.Add([]byte{1, 2, 2, 0xFD, 0xE8, 0, 1, 1, 1, 0, 5})
	f.Add([]byte{2, 0xFF, 0xFF, 0xFF, 0x01, 0, 1, 0, 2})
	f.Add([]byte{3, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 0, 0, 0, 2})
	f.Add([]byte{4, 0, 2, 0xFD, 0xE8, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		kind, v := data[0]%5, data[1:]
		var enc []byte
		switch kind {
		case 0, 1: // AS_PATH with 4-octet (0) or 2-octet (1) ASNs
			asn4 := kind == 0
			segs, err := Segments(v, asn4)
			if err != nil {
				return
			}
			enc = AppendASPath(nil, segs, asn4)
		case 2: // COMMUNITIES
			cs, err := ParseCommunities(v)
			if err != nil {
				return
			}
			list := make([]Community, cs.Len())
			for i := range list {
				list[i] = cs.At(i)
				if back, err := ParseCommunity(list[i].String()); err != nil || back != list[i] {
					t.Fatalf("text round trip of %v: %v %v", list[i], back, err)
				}
			}
			enc = AppendCommunities(nil, list)
		case 3: // LARGE_COMMUNITY
			lc, err := ParseLargeCommunities(v)
			if err != nil {
				return
			}
			list := make([]LargeCommunity, lc.Len())
			for i := range list {
				list[i] = lc.At(i)
				if back, err := ParseLargeCommunity(list[i].String()); err != nil || back != list[i] {
					t.Fatalf("text round trip of %v: %v %v", list[i], back, err)
				}
			}
			enc = AppendLargeCommunities(nil, list)
		case 4: // EXTENDED_COMMUNITIES
			ec, err := ParseExtCommunities(v)
			if err != nil {
				return
			}
			list := make([]ExtCommunity, ec.Len())
			for i := range list {
				list[i] = ec.At(i)
			}
			enc = AppendExtCommunities(nil, list)
		}
		it := NewIterator(enc)
		if !it.Next() || !bytes.Equal(it.Value(), v) || it.Next() || it.Err() != nil {
			t.Fatalf("re-encoded % X as % X", v, enc)
		}
		if n := len(v); (n > 255) != (it.Flags()&FlagExtendedLength != 0) {
			t.Fatalf("extended length flag wrong for %d octets", n)
		}
		if err := Check(it.Code(), it.Flags(), it.Value(), wire.Context{ASN4: kind != 1}); err != nil {
			t.Fatalf("check: %v", err)
		}
	})
}

// checkAll fails t unless the list view's All yields exactly its n
// elements, in the order At gives them; each is also written as text.
func checkAll[T interface {
	comparable
	String() string
}](t *testing.T, name string, all iter.Seq[T], at func(int) T, n int) {
	t.Helper()
	i := 0
	for e := range all {
		if i >= n || e != at(i) {
			t.Fatalf("%s.All gives %v at %d of %d", name, e, i, n)
		}
		_ = e.String()
		i++
	}
	if i != n {
		t.Fatalf("%s.All gives %d, Len %d", name, i, n)
	}
}
