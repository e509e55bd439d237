package testpeer

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/message"
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
