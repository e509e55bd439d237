package message_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzParseUpdate protects the UPDATE view every received route goes
// through: ParseUpdate and walking everything it exposes (withdrawn
// routes, path attributes, NLRI, MP_REACH_NLRI / MP_UNREACH_NLRI and
// their prefixes for IP families, End-of-RIB detection) never panic and
// never read past the message, with or without ADD-PATH. An accepted
// UPDATE's fields tile the body exactly, so AppendUpdate rebuilds the
// same body; rejections are *wire.Error session resets. UpdateOffsets,
// nlri.CutIPv4 and attr.Cut (the register forms of the walk) read the
// same prefixes, attributes and errors as the iterators.
func FuzzParseUpdate(f *testing.F) {
	f.Add(updBuild(nil, nil, nil), false)
	f.Add(updBuild([]byte{0x08, 0x0A}, []byte{0x40, 0x01, 0x01, 0x00, 0x40, 0x02, 0x00, 0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x01},
		[]byte{0x18, 0xC6, 0x33, 0x64}), false)
	f.Add(updBuild(nil, []byte{0x90, 0x0F, 0x00, 0x03, 0x00, 0x02, 0x01}, nil), true)
	f.Add(updBuild(nil, []byte{
		0x80, 0x0E, 0x1E, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x20, 0x20, 0x01, 0x0D, 0xB8,
		0x80, 0x0F, 0x08, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00,
	}, []byte{0x00, 0x00, 0x00, 0x01, 0x08, 0x0A}), true)
	f.Add(updMsg(0x00, 0x19, 0x02, 0x00, 0x05, 0x08, 0x0A, 0x00, 0x00), false)
	f.Add(updMsg(0x00, 0x17, 0x02, 0x00, 0x00, 0xFF, 0xFF), false)
	f.Fuzz(func(t *testing.T, b []byte, addPath bool) {
		b = b[:len(b):len(b)]
		u, err := message.ParseUpdate(b)
		if err != nil {
			var e *wire.Error
			if !errors.As(err, &e) || e.Action != wire.ActionSessionReset {
				t.Fatalf("err = %v", err)
			}
			return
		}
		if len(b) < wire.HeaderLen+4 || !bytes.Equal(u.Raw, b) {
			t.Fatalf("accepted %d octets", len(b))
		}
		if len(u.Withdrawn)+len(u.Attrs)+len(u.NLRI)+4 != len(b)-wire.HeaderLen {
			t.Fatal("fields do not tile the body")
		}
		if len(b) <= wire.MaxExtendedLen {
			m := message.AppendUpdate(nil, u.Withdrawn, u.Attrs, u.NLRI)
			if !bytes.Equal(m[wire.HeaderLen:], b[wire.HeaderLen:]) {
				t.Fatal("AppendUpdate changed the body")
			}
		}

		updCutCheck(t, b, u)

		var ctx wire.Context
		if addPath {
			ctx = updAddPath()
		}
		if _, err := updWalk(u, ctx); err != nil {
			var e *wire.Error
			if !errors.As(err, &e) || e.Code != wire.CodeUpdate {
				t.Fatalf("walk err = %v", err)
			}
		}
		if f, ok := u.EndOfRIB(); ok {
			if len(u.Withdrawn) != 0 || len(u.NLRI) != 0 {
				t.Fatal("End-of-RIB with routes")
			}
			if len(u.Attrs) == 0 && f != wire.IPv4Unicast {
				t.Fatalf("empty UPDATE is End-of-RIB for %v", f)
			}
			if r, ok, err := u.MPUnreach(); len(u.Attrs) != 0 && (!ok || err != nil || len(r.NLRI) != 0 || r.Family != f) {
				t.Fatalf("End-of-RIB %v without an empty MP_UNREACH_NLRI", f)
			}
		}
	})
}

// updWalk walks everything an UPDATE exposes, as a receiver would: the
// withdrawn routes, the attributes, the NLRI, the next hop and the
// prefixes of MP_REACH_NLRI / MP_UNREACH_NLRI for IP families, and
// End-of-RIB detection. It returns how many items it saw and the first
// error. It must not allocate on well-formed input.
func updWalk(u message.Update, ctx wire.Context) (n int, err error) {
	first := func(e error) {
		if err == nil {
			err = e
		}
	}
	c, e := updWalkNLRI(u.WithdrawnRoutes(ctx))
	n += c
	first(e)
	at := u.Attributes()
	for at.Next() {
		n++
		_, _ = at.Value(), at.Raw()
	}
	first(at.Err())
	c, e = updWalkNLRI(u.Announced(ctx))
	n += c
	first(e)
	if r, ok, e := u.MPReach(); ok {
		first(e)
		if e == nil {
			_, _, _ = r.NextHops()
			if r.Family.IsIP() {
				c, e = updWalkNLRI(nlri.NewIterator(r.NLRI, r.Family, ctx.AddPath(r.Family)))
				n += c
				first(e)
			}
		}
	}
	if r, ok, e := u.MPUnreach(); ok {
		first(e)
		if e == nil && r.Family.IsIP() {
			c, e = updWalkNLRI(nlri.NewIterator(r.NLRI, r.Family, ctx.AddPath(r.Family)))
			n += c
			first(e)
		}
	}
	if _, ok := u.EndOfRIB(); ok {
		n++
	}
	return n, err
}

// updWalkNLRI counts the prefixes of it, reading each one.
func updWalkNLRI(it nlri.Iterator) (int, error) {
	n := 0
	for it.Next() {
		if p := it.Prefix(); p.IsValid() && len(it.Raw()) > 0 {
			n++
		}
	}
	return n, it.Err()
}
