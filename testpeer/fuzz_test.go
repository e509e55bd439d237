package testpeer

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzParseScript protects the script parser: any text either parses or
// gives a *ScriptError naming a line of the text; it never panics.
func FuzzParseScript(f *testing.F) {
	for _, s := range []string{
		"expect open {\"open\":{\"hold-time\":90}}\nexpect keepalive\n",
		"send route 10.0.0.0/24 next-hop 1.2.3.4 as-path [65001]\nsend notification 6/2 \"bye\"\nclose\n",
		"handshake manual\nsend open\nunordered\nexpect route 10.0.0.0/24\nend\nconnection\nexpect eor ipv6/unicast\n",
		"ignore update,keepalive\nexpect silence 1s\nexpect hex FFFF # c\nsleep 1ms\n",
		"expect notification 6/2\nexpect route-refresh ipv4/unicast begin\nsend route-refresh ipv6/unicast end\n",
		"expect json {\"type\":\"update\",\"x\":[\"=\",1]}\nexpect close\n",
		"send notification 1/1 hex 0011\nexpect withdraw route 10.0.0.0/8\n",
		"expect malformed update {\"notification\":{\"code\":3}}\nexpect malformed\nexpect malformed open\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseScriptString("f", text)
		if err != nil {
			se, ok := err.(*ScriptError)
			if !ok {
				t.Fatalf("error %T %v", err, err)
			}
			lines := strings.Count(text, "\n") + 2
			if se.Line < 1 || se.Line > lines {
				t.Fatalf("error line %d outside 1-%d", se.Line, lines)
			}
			return
		}
		n := 0
		for _, b := range s.blocks {
			if len(b.steps) == 0 {
				t.Fatal("empty block kept")
			}
			n += len(b.steps)
		}
		if s.Expectations() < 0 || s.Connections() != len(s.blocks) {
			t.Fatal("counts")
		}
	})
}

// FuzzSessionInput protects the session: whatever octets a remote sends
// after (or instead of) a proper OPEN and KEEPALIVE, the sink, check
// (automatic and manual handshake) and echo modes end the session
// without panicking or hanging.
func FuzzSessionInput(f *testing.F) {
	open := message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: 90, RouterID: netipAddr("192.0.2.1")})
	ka := wire.AppendKeepalive(nil)
	f.Add(false, []byte("garbage"))
	f.Add(true, []byte{0xFF, 0xFF})
	f.Add(true, append(wire.AppendKeepalive(nil), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 23, 2, 0, 0, 0, 0))
	f.Add(true, message.AppendUpdate(nil, nil, []byte{0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 1, 2, 3, 4}, []byte{24, 10, 0, 0}))
	f.Add(true, wire.AppendNotification(nil, wire.Notification{Code: 6, Subcode: 2, Data: []byte{3, 'a', 'b'}}))
	script := mustScript(f, "expect update\nexpect close\n")
	f.Fuzz(func(t *testing.T, handshake bool, data []byte) {
		for i, mode := range []Mode{ModeSink, ModeCheck, ModeCheck, ModeEcho} {
			manual := i == 2 // check mode with `handshake manual` too
			cfg := DefaultConfig()
			cfg.Mode, cfg.Listen, cfg.Quiet, cfg.Script = mode, "127.0.0.1:0", true, script
			p, err := New(cfg, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			local, remote := net.Pipe()
			go io.Copy(io.Discard, remote) //nolint:errcheck // drain what the peer sends
			s := p.addSession(local, manual)
			s.start()
			if handshake {
				remote.Write(open) //nolint:errcheck
				remote.Write(ka)   //nolint:errcheck
			}
			remote.Write(data) //nolint:errcheck
			remote.Close()
			select {
			case <-s.done:
			case <-time.After(5 * time.Second):
				t.Fatal("session did not end")
			}
			s.closeConn()
		}
	})
}

// FuzzCheckUpdate protects the sink's one-walk check (checkUpdate): for
// any UPDATE, with or without ADD-PATH, its verdict is message.Check's on
// the whole message (the same session-reset error, the same mild
// verdict), and the prefixes it counts are nlri.Count's. It never
// panics.
func FuzzCheckUpdate(f *testing.F) {
	attrs := []byte{
		0x40, 1, 1, 0, // ORIGIN IGP
		0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xE9, // AS_PATH [65001]
		0x40, 3, 4, 192, 0, 2, 1, // NEXT_HOP 192.0.2.1
	}
	f.Add(false, []byte(nil), attrs, []byte{24, 10, 0, 0, 24, 10, 0, 1, 24, 10, 0, 2, 24, 10, 0, 3, 24, 10, 0, 4, 16, 10, 1})
	f.Add(true, []byte(nil), attrs, []byte{0, 0, 0, 1, 24, 10, 0, 0})
	f.Add(false, []byte{24, 10, 0, 0, 33, 1, 2, 3, 4, 5}, []byte(nil), []byte(nil))
	f.Add(false, []byte(nil), attrs[:4], []byte{24, 10, 0, 0})                            // missing AS_PATH, NEXT_HOP: treat-as-withdraw
	f.Add(false, []byte(nil), attrs[:4], []byte{24, 10, 0})                               // and a truncated prefix: reset
	f.Add(true, []byte(nil), attrs, []byte{0, 0, 0, 1})                                   // path identifier alone
	f.Add(false, []byte(nil), append([]byte{0x40, 3, 3, 1, 2, 3}, attrs...), []byte(nil)) // bad NEXT_HOP, no NLRI
	f.Fuzz(func(t *testing.T, addPath bool, withdrawn, attrs, nlriField []byte) {
		if len(withdrawn) > 0xFFFF || len(attrs) > 0xFFFF || len(nlriField) > 0xFFFF {
			return
		}
		var ctx wire.Context
		if addPath {
			ctx, _ = ctx.WithAddPath(wire.IPv4Unicast, true)
			ctx, _ = ctx.WithAddPath(wire.IPv6Unicast, true)
		}
		msg := message.AppendUpdate(nil, withdrawn, attrs, nlriField)
		_, n, mild, we := checkUpdate(msg, ctx)
		u, perr := message.ParseUpdate(msg)
		var want *wire.Error
		if perr != nil {
			want = asWireError(perr)
		} else if cerr := message.Check(u, ctx); cerr != nil {
			want = asWireError(cerr)
		}
		if want != nil && want.Action == wire.ActionSessionReset {
			if we == nil || we.Code != want.Code || we.Subcode != want.Subcode || we.Msg != want.Msg || string(we.Data) != string(want.Data) {
				t.Fatalf("checkUpdate = %v, message.Check = %v", we, want)
			}
			return
		}
		if we != nil || mild != (want != nil) {
			t.Fatalf("checkUpdate = %v mild %v, message.Check = %v", we, mild, want)
		}
		cw, _ := nlri.Count(u.Withdrawn, wire.IPv4Unicast, addPath)
		ca, _ := nlri.Count(u.NLRI, wire.IPv4Unicast, addPath)
		if n.Withdrawn != cw || n.Announced != ca {
			t.Fatalf("counted %+v, nlri.Count %d/%d", n, cw, ca)
		}
	})
}
