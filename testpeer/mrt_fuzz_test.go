package testpeer

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// gunzip returns a testdata file decompressed (fuzz seeds).
func gunzip(t testing.TB, name string) []byte {
	f, err := os.Open(mrtFile(name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzReplayMRT protects the MRT replay: whatever an MRT stream holds
// (damaged records, lying lengths, malformed UPDATEs and RIB entries),
// the replayer never panics and sends only whole UPDATEs within the
// session's message size, under each session context.
func FuzzReplayMRT(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input it finds, and
	// large ones make that slow.
	for _, name := range []string{"bview.ipv4_unicast_add_path.gz", "bview.ipv6_unicast_add_path.gz", "updates.long_withdrawal.gz"} {
		b := gunzip(f, name)
		f.Add(b[:min(len(b), 800)], uint8(0))
	}
	f.Add(gunzip(f, "bview.20020722.2337.sample.gz")[:800], uint8(1))
	f.Add(gunzip(f, "updates.20020722.2238.gz")[:800], uint8(2))
	f.Add(mrtUpdates(f, time.Unix(1, 0), 0, time.Second), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, flags uint8) {
		send := wire.Context{ASN4: flags&1 != 0, ExtendedMessage: flags&8 != 0}
		if flags&2 != 0 {
			send, _ = send.WithAddPath(wire.IPv4Unicast, true)
			send, _ = send.WithAddPath(wire.IPv6Unicast, true)
		}
		fams := v4v6
		if flags&4 != 0 {
			fams = v4
		}
		sel := MRTPeer{}
		if flags&16 != 0 {
			sel = MRTPeer{Index: 1, HasIndex: true}
		}
		r, err := mrt.NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		rp, msgs := replayTo(t, r, send, fams, MRTReplay{Peer: sel})
		if int64(len(msgs)-len(fams)) != rp.rc.msgs {
			t.Fatalf("%d messages, %d counted", len(msgs), rp.rc.msgs)
		}
		for _, m := range msgs {
			if _, err := message.ParseUpdate(m); err != nil {
				t.Fatalf("sent a malformed UPDATE: %v", err)
			}
		}
	})
}

// FuzzRecode protects the recoder and checks its round-trip property:
// an UPDATE re-encoded for another context (4-octet or 2-octet ASNs,
// ADD-PATH on or off, 4096 octets) announces and withdraws the same
// IPv4 and IPv6 unicast prefixes with the same AS path.
func FuzzRecode(f *testing.F) {
	f.Add(upd(nil, cat(tOrigin, tPath4, tNextHop, tAgg4, tComm, tLarge), tNLRI), uint8(0))
	f.Add(upd(tNLRIAP, cat(tOrigin, tPath2, tNextHop, tAgg2, tAS4Path, tAS4Agg), tNLRIAP), uint8(3))
	f.Add(upd(nil, cat(tOrigin, tPath4, tReach6, tEOR6), nil), uint8(4))
	f.Add(upd(nil, nil, nil), uint8(5))
	f.Fuzz(func(t *testing.T, msg []byte, flags uint8) {
		ctx := func(bits uint8) wire.Context {
			c := wire.Context{ASN4: bits&1 != 0, ExtendedMessage: true}
			if bits&2 != 0 {
				c, _ = c.WithAddPath(wire.IPv4Unicast, true)
				c, _ = c.WithAddPath(wire.IPv6Unicast, true)
			}
			return c
		}
		from, send := ctx(flags), ctx(flags>>2)
		send.ExtendedMessage = flags&16 != 0
		u, err := message.ParseUpdate(msg)
		if err != nil {
			return
		}
		rc := newRecoder(send, v4v6)
		if err := rc.decompose(&u, from, 9); err != nil {
			return
		}
		out, err := rc.appendDecomposed(nil)
		if err != nil {
			return
		}
		msgs := splitMessages(t, out, send.MaxLen())
		if int64(len(msgs)) != rc.msgs {
			t.Fatalf("%d messages, %d counted", len(msgs), rc.msgs)
		}
		in := decodeLoose(msg, from)
		if in == nil || strings.Contains(in.path, "!") || lossyAS4(&u, from, send) {
			return
		}
		var got received
		got.ann, got.wd = map[string]int{}, map[string]int{}
		for _, m := range msgs {
			r := decodeLoose(m, send)
			if r == nil {
				t.Fatalf("re-encoded UPDATE does not decode: % X", m)
			}
			for k, n := range r.ann {
				got.ann[k] += n
				if len(r.ann) > 0 && r.path != in.path {
					t.Fatalf("AS path %q became %q", in.path, r.path)
				}
			}
			for k, n := range r.wd {
				got.wd[k] += n
			}
		}
		if !maps.Equal(got.ann, in.ann) || !maps.Equal(got.wd, in.wd) {
			t.Fatalf("prefixes changed:\nin  %v %v\nout %v %v", in.ann, in.wd, got.ann, got.wd)
		}
	})
}

// loose is decodeLoose's result.
type loose struct {
	ann, wd map[string]int
	path    string
}

// decodeLoose lists the IPv4 and IPv6 unicast prefixes of an UPDATE and
// its AS path ("!" when it does not decode); nil when the NLRI do not
// decode.
func decodeLoose(msg []byte, ctx wire.Context) *loose {
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return nil
	}
	l := &loose{ann: map[string]int{}, wd: map[string]int{}, path: "!"}
	if v, ok := attr.Find(u.Attrs, attr.CodeASPath); ok {
		var segs []attr.Segment
		if ctx.ASN4 {
			segs, err = attr.Segments(v, true)
		} else {
			as4, _ := attr.Find(u.Attrs, attr.CodeAS4Path)
			agg, hasAgg := attr.Find(u.Attrs, attr.CodeAggregator)
			if hasAgg && (len(agg) != 6 || agg[0] != 0x5B || agg[1] != 0xA0) {
				as4 = nil
			}
			segs, err = attr.MergeAS4Path(v, as4)
		}
		if err == nil {
			l.path = pathString(segs)
			for _, s := range segs {
				if s.Type != attr.ASSequence && s.Type != attr.ASSet || len(s.ASNs) == 0 {
					l.path = "!" // confederation segments leave AS4_PATH; empty ones vanish
				}
			}
		}
	} else {
		l.path = ""
	}
	walk := func(field []byte, f wire.Family, into map[string]int) bool {
		it := nlri.NewIterator(field, f, ctx.AddPath(f))
		for it.Next() {
			into[f.String()+" "+it.Prefix().Masked().String()]++
		}
		return it.Err() == nil
	}
	if !walk(u.Withdrawn, wire.IPv4Unicast, l.wd) || !walk(u.NLRI, wire.IPv4Unicast, l.ann) {
		return nil
	}
	it := u.Attributes()
	for it.Next() {
		switch it.Code() {
		case attr.CodeMPReach:
			mp, err := attr.ParseMPReach(it.Value())
			if err != nil || !slices.Contains(v4v6, mp.Family) || !walk(mp.NLRI, mp.Family, l.ann) {
				return nil
			}
		case attr.CodeMPUnreach:
			mp, err := attr.ParseMPUnreach(it.Value())
			if err != nil || !slices.Contains(v4v6, mp.Family) || !walk(mp.NLRI, mp.Family, l.wd) {
				return nil
			}
		}
	}
	if it.Err() != nil {
		return nil
	}
	return l
}

// lossyAS4 reports whether u (read with from) cannot keep its AS path
// when sent to a 2-octet session: its AGGREGATOR names an AS that fits
// 2 octets while its path holds wider ones, and RFC 6793 §4.2.3 then
// makes the receiver ignore the AS4_PATH the recoder adds (the path
// arrives with AS_TRANS in it, by the RFC's own rule).
func lossyAS4(u *message.Update, from, send wire.Context) bool {
	if send.ASN4 || !from.ASN4 {
		return false
	}
	v, ok := attr.Find(u.Attrs, attr.CodeAggregator)
	if !ok {
		return false
	}
	a, err := attr.ParseAggregator(attr.CodeAggregator, v, true)
	return err == nil && a.ASN <= 0xFFFF && a.ASN != attr.ASTrans
}
