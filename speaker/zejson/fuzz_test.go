package zejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/wire"
)

// fuzzContext derives an encoding context from one octet so that the
// fuzzer explores ASN4, extended message, ADD-PATH and extended next hop.
func fuzzContext(b byte) wire.Context {
	ctx := wire.Context{ASN4: b&1 != 0, ExtendedMessage: b&2 != 0}
	if b&4 != 0 {
		ctx, _ = ctx.WithAddPath(wire.IPv4Unicast, true)
	}
	if b&8 != 0 {
		ctx, _ = ctx.WithAddPath(wire.IPv6Unicast, true)
		ctx, _ = ctx.WithAddPath(wire.IPv4Multicast, true)
	}
	if b&16 != 0 {
		ctx, _ = ctx.WithExtNextHop(wire.IPv4Unicast, true)
	}
	return ctx
}

// FuzzAppendMessage protects the renderer's promises on any input: no
// panic, the bytes before dst's end are kept, the output is one valid
// JSON object, the same input gives the same output, and an error is
// returned exactly when the object says "parsed":false (as a
// *wire.Error).
func FuzzAppendMessage(f *testing.F) {
	for _, name := range goldenCaptures {
		for _, c := range corpus.MustLoad(f, captureDir, name) {
			f.Add(byte(0), c.Data)
			f.Add(byte(0xFF), c.Data)
		}
	}
	f.Fuzz(func(t *testing.T, flags byte, msg []byte) {
		ctx := fuzzContext(flags)
		out, err := AppendMessage([]byte("x"), msg, ctx, Meta{Index: 1, Stream: -1})
		if len(out) == 0 || out[0] != 'x' {
			t.Fatalf("prefix lost: %q", out)
		}
		obj := out[1:]
		if !json.Valid(obj) {
			t.Fatalf("invalid JSON for %X: %s", msg, obj)
		}
		var v map[string]any
		if e := json.Unmarshal(obj, &v); e != nil {
			t.Fatalf("not an object: %s", obj)
		}
		if failed := v["parsed"] == false && v["error"] != nil; failed != (err != nil) {
			t.Fatalf("err = %v but output %s", err, obj)
		}
		var we *wire.Error
		if err != nil && !errors.As(err, &we) {
			t.Fatalf("error %T is not a *wire.Error", err)
		}
		again, _ := AppendMessage(nil, msg, ctx, Meta{Index: 1, Stream: -1})
		if !bytes.Equal(again, obj) {
			t.Fatalf("not deterministic:\n%s\n%s", obj, again)
		}
	})
}
