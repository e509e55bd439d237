package mrt

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ze-bgp/ze/speaker/message"
)

// seedRecords adds the test records and the start of a real dump.
func seedRecords(f *testing.F) {
	f.Add(stateRecord(1, 1, 2))
	f.Add(cat(stateRecord(1, 1, 2), []byte("junk"), stateRecord(2, 2, 3)))
	f.Add(record(1, TypeBGP4MPET, BGP4MPMessageAS4AddPath, cat([]byte{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8},
		bgpMessage(2, []byte{0, 0, 0, 0, 0, 0, 0, 1, 24, 10, 0, 0}))))
	if r, err := Open("bgpdump/testdata/bview.ipv6_unicast_add_path.gz"); err == nil {
		var b []byte
		for i := 0; i < 3 && r.Next(); i++ {
			b = append(b, r.Record().Raw...)
		}
		r.Close()
		f.Add(b)
	}
}

// checkViews runs every view that applies to rec and their iterators;
// the views must not panic and must return views inside the record.
func checkViews(t *testing.T, rec *Record) {
	inside := func(b []byte) {
		if len(b) > 0 && !bytes.Contains(rec.Body, b) {
			t.Fatalf("view %x is not inside the body", b)
		}
	}
	if m, err := ParseBGP4MP(rec); err == nil {
		inside(m.Message)
		_ = m.Context()
	}
	if td, err := ParseTableDump(rec); err == nil {
		inside(td.Attrs)
		_ = td.Prefix()
		upd, err := td.AppendUpdate(nil)
		checkUpdate(t, upd, err)
	}
	if p, err := ParsePeerIndex(rec); err == nil {
		it := p.Peers()
		n := 0
		for it.Next() {
			n++
		}
		if n != p.Count || it.Err() != nil {
			t.Fatalf("peer table of %d walks %d peers (%v)", p.Count, n, it.Err())
		}
	}
	if r, err := ParseRIB(rec); err == nil {
		inside(r.NLRI)
		r.Prefix()
		it := r.Entries()
		for it.Next() {
			inside(it.Attrs())
			upd, err := r.AppendUpdate(nil, it.Attrs(), it.PathID())
			checkUpdate(t, upd, err)
		}
	}
	if m, err := ParseLegacyBGP(rec); err == nil {
		inside(m.Body)
		if msg := m.AppendMessage(nil); len(msg) > 0 && int(binary.BigEndian.Uint16(msg[16:])) != len(msg) {
			t.Fatalf("legacy message length field %x", msg[:19])
		}
	}
}

// checkUpdate requires a built UPDATE to frame: its length field is its
// size and its fields add up.
func checkUpdate(t *testing.T, upd []byte, err error) {
	if err == ErrUpdateTooLong {
		if len(upd) != 0 {
			t.Fatal("ErrUpdateTooLong with output")
		}
		return
	}
	if int(binary.BigEndian.Uint16(upd[16:])) != len(upd) {
		t.Fatalf("UPDATE length field %d, size %d", binary.BigEndian.Uint16(upd[16:]), len(upd))
	}
	if _, perr := message.ParseUpdate(upd); perr != nil {
		t.Fatalf("built UPDATE does not frame: %v", perr)
	}
}

// FuzzReader protects the framing of MRT streams: whatever the octets,
// the Reader ends without panicking, returns records in stream order
// whose Raw is a piece of the input, logs damage with offsets inside
// the stream, and every view over every record stays inside it.
func FuzzReader(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			return // zstd or xz magic
		}
		defer r.Close()
		last := int64(-1)
		for r.Next() {
			rec := r.Record()
			if rec.Offset <= last || rec.Offset+int64(len(rec.Raw)) > int64(len(in)) {
				t.Fatalf("record at %d of %d octets in %d", rec.Offset, len(rec.Raw), len(in))
			}
			if r.Compression() == CompressionNone && !bytes.Equal(in[rec.Offset:rec.Offset+int64(len(rec.Raw))], rec.Raw) {
				t.Fatal("Raw is not the input at Offset")
			}
			last = rec.Offset
			checkViews(t, rec)
		}
		for _, d := range r.Damage().Kept {
			if r.Compression() == CompressionNone && (d.Offset < 0 || d.Offset > int64(len(in))) {
				t.Fatalf("damage offset %d outside %d octets", d.Offset, len(in))
			}
		}
	})
}

// fuzzView feeds a view one record of the given type and a fuzzed
// subtype and body.
func fuzzView(f *testing.F, typ Type, subs ...uint16) {
	for _, s := range subs {
		f.Add(s, []byte{})
		f.Add(s, stateRecord(1, 1, 2)[12:])
	}
	f.Fuzz(func(t *testing.T, sub uint16, body []byte) {
		checkViews(t, &Record{Type: typ, Subtype: sub, Body: body, Raw: body})
	})
}

// FuzzParseBGP4MP protects ParseBGP4MP: no panic on any body, views
// inside it.
func FuzzParseBGP4MP(f *testing.F) { fuzzView(f, TypeBGP4MP, 0, 1, 4, 5, 6, 9, 11) }

// FuzzParseTableDump protects ParseTableDump and the UPDATE it builds.
func FuzzParseTableDump(f *testing.F) { fuzzView(f, TypeTableDump, 1, 2, 3, 4) }

// FuzzParsePeerIndex and FuzzParseRIB protect the TABLE_DUMP_V2 views:
// the peer walk matches Peer Count, RIB entries stay inside the record,
// and the UPDATE built for each entry frames.
func FuzzParsePeerIndex(f *testing.F) { fuzzView(f, TypeTableDumpV2, PeerIndexTable) }

// FuzzParseRIB: see FuzzParsePeerIndex.
func FuzzParseRIB(f *testing.F) {
	fuzzView(f, TypeTableDumpV2, RIBIPv4Unicast, RIBIPv6UnicastAddPath, RIBGeneric, RIBGenericAddPath)
}

// FuzzParseLegacyBGP protects the legacy BGP view and the message it
// rebuilds (its length field must be its size).
func FuzzParseLegacyBGP(f *testing.F) { fuzzView(f, TypeBGP, BGPUpdate, BGPStateChange, BGPOpen) }
