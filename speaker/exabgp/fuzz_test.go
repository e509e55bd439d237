package exabgp

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzAppendMessage protects the renderer against arbitrary input: it
// must never panic, must leave dst untouched on error, and whatever it
// renders without error must be valid JSON (ExaBGP's own output is not
// always, e.g. ROUTE-REFRESH; this package's must be). The fuzzer drives
// the message body, the type octet, the dialect and the context (4-octet
// ASNs, ADD-PATH for the IP families); the header is built around the
// body so the input reaches the decoders. Seeds: every message of the
// golden files.
func FuzzAppendMessage(f *testing.F) {
	files, _ := filepath.Glob("testdata/exabgp4/*.golden")
	for _, file := range files {
		for _, e := range readGolden(f, file) {
			msg := decodeHex(f, e.hex)
			opts := uint8(0)
			if e.ctx.ASN4 {
				opts |= 1
			}
			if e.ctx.AddPath(wire.IPv4Unicast) {
				opts |= 2
			}
			if e.ctx.AddPath(wire.IPv6Unicast) {
				opts |= 4
			}
			f.Add(msg[wire.HeaderLen:], msg[18], opts)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, typ uint8, opts uint8) {
		if len(body) > wire.MaxExtendedLen-wire.HeaderLen {
			return
		}
		msg := make([]byte, 0, wire.HeaderLen+len(body))
		msg = wire.AppendHeader(msg, wire.Type(typ))
		msg = append(msg, body...)
		wire.SetLength(msg)
		var ctx wire.Context
		ctx.ASN4 = opts&1 != 0
		for i, fam := range []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast, wire.IPv4Multicast, wire.IPv6Multicast} {
			ctx, _ = ctx.WithAddPath(fam, opts&(2<<i) != 0)
		}
		v := V4
		if opts&0x40 != 0 {
			v = V5
		}
		prefix := []byte("prefix")
		out, err := AppendMessage(prefix, v, msg, ctx, testNeighbor, Meta{Host: "h\"\\"})
		if err != nil {
			if string(out) != "prefix" {
				t.Fatalf("dst changed on error %v: %q", err, out)
			}
			return
		}
		if !json.Valid(out[len(prefix):]) {
			t.Fatalf("invalid JSON for %x: %s", msg, out[len(prefix):])
		}
		// Raw messages the header check rejects must not panic either.
		_, _ = AppendMessage(nil, v, body, ctx, testNeighbor, Meta{})
	})
}
