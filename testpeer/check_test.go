package testpeer

import (
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
)

// runCheck runs a listening check peer with script against an inject
// peer that edit configures, and returns the check peer.
func runCheck(t *testing.T, script string, edit func(*Config)) *Peer {
	t.Helper()
	cc := testConfig(ModeCheck)
	cc.Timeout = 2 * time.Second
	cc.Script = mustScript(t, script)
	check := Start(t, cc)
	ic := testConfig(ModeInject)
	ic.Dial, ic.ASN = check.Addr().String(), 65001
	ic.Inject.Count = 3
	ic.Inject.Linger = -1
	if edit != nil {
		edit(&ic)
	}
	Start(t, ic)
	check.Wait() //nolint:errcheck // the caller looks
	return check
}

func TestCheckPasses(t *testing.T) {
	tests := []struct{ name, script string }{
		{"handshake and routes", `
# the remote's OPEN, as a JSON subset (the body form)
expect open {"asn":65001,"hold-time":90,"capabilities":[{"name":"asn4","asn":65001}]}
expect keepalive
expect update {"update":{"announce":[{"nlri":[{"prefix":"10.0.0.0/24"}]}]}}   # whole-message form
expect route 10.0.1.0/24 next-hop 127.0.0.1 as-path [65001] origin igp
expect route 10.0.2.0/24
expect eor ipv4/unicast
send route 192.0.2.0/24 next-hop 127.0.0.1 as-path [65000]
send notification 6/2 "maintenance"
close
`},
		{"hex and json", `
ignore update
expect json {"type":"update","update":{"end-of-rib":"ipv4/unicast"}}
send keepalive
`},
		{"unordered", `
unordered
  expect route 10.0.2.0/24
  expect route 10.0.0.0/24
  expect route 10.0.1.0/24
end
expect eor
expect silence 100ms
`},
		{"ignore then wait for one", `
ignore update
expect update {"announce":[{"nlri":[{"prefix":"10.0.2.0/24"}]}]}
ignore none
expect eor
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := runCheck(t, tt.script, nil)
			if err := check.Wait(); err != nil {
				t.Fatalf("check: %v\n%s", err, check.Stderr())
			}
			if !strings.Contains(check.Stdout(), "check passed:") {
				t.Errorf("stdout %q", check.Stdout())
			}
		})
	}
}

func TestCheckFailsReadably(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		want         []string // in stderr
	}{
		{"json mismatch", `
expect update {"update":{"attributes":{"med":5},"announce":[{"nlri":[{"prefix":"10.0.0.0/24"}]}]}}
`, []string{
			"check failed: test.script:2: expect update",
			"at $.update.attributes.med: expected 5, got 0",
			"-       \"med\": 5",
			"+       \"med\": 0",
			`received {"type":"update"`,
			"hex      FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
		}},
		{"wrong route", `
expect route 10.0.0.0/24
expect route 10.0.5.0/24 next-hop 127.0.0.1
`, []string{
			"check failed: test.script:3:",
			"route differs:",
			"expected route 10.0.5.0/24 next-hop 127.0.0.1",
			"received announce route 10.0.1.0/24 next-hop 127.0.0.1",
		}},
		{"wrong type", `
expect notification 6/2
`, []string{"expected notification 6/2, received update"}},
		{"timeout", `
ignore update
expect route-refresh ipv4/unicast
`, []string{"check failed: test.script:3: expect route-refresh ipv4/unicast", "timed out waiting for this"}},
		{"silence broken", `
expect silence 2s
`, []string{"expected nothing for 2s, received update (1 routes, first: announce route 10.0.0.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := runCheck(t, tt.script, func(c *Config) { c.Inject.UniqueAttrs = true })
			if err := check.Wait(); err == nil {
				t.Fatalf("check passed:\n%s", check.Stdout())
			}
			stderr := check.Stderr()
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestCheckTwoConnections: a dialling check peer runs two blocks, one
// connection each, against a sink; the second block drives the
// handshake itself.
func TestCheckTwoConnections(t *testing.T) {
	sink := Start(t, testConfig(ModeSink))
	cc := testConfig(ModeCheck)
	cc.Timeout = 5 * time.Second
	cc.Dial = sink.Addr().String()
	cc.Script = mustScript(t, `
expect open
send route 10.1.0.0/24 next-hop 127.0.0.1
send notification 6/4 "again"
close
connection
handshake manual
send open
expect open {"router-id":"127.0.0.1"}
send keepalive
expect keepalive
send eor
expect silence 50ms
send hex FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 0013 04   # a KEEPALIVE by hand
`)
	check := Start(t, cc)
	if err := check.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, check.Stderr())
	}
	sink.Stop() //nolint:errcheck
	s := sink.Summary()
	if s.Sessions != 2 || s.Established != 2 || s.Families["ipv4/unicast"].Announced != 1 || s.Families["ipv4/unicast"].EOR != 1 {
		t.Errorf("sink summary %+v", s)
	}
}

// TestCheckSpeakerRefusesOpen: the remote answers our OPEN with a
// NOTIFICATION; the script expects exactly that.
func TestCheckSpeakerRefusesOpen(t *testing.T) {
	sc := testConfig(ModeSink)
	sc.PeerASN = 65099
	sink := Start(t, sc)
	cc := testConfig(ModeCheck)
	cc.Timeout = 5 * time.Second
	cc.Dial = sink.Addr().String()
	cc.Script = mustScript(t, `
expect open
expect notification {"code":2,"subcode":2}
expect close
`)
	check := Start(t, cc)
	if err := check.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, check.Stderr())
	}
	if err := sink.Stop(); err == nil || !strings.Contains(sink.Stderr(), "remote AS 65000, expected 65099") {
		t.Errorf("sink: %v\n%s", err, sink.Stderr())
	}
}

// TestCheckGarbage: a raw client sends garbage; a script that expects
// those octets passes, one that does not fails and the peer answers with
// the NOTIFICATION the framing error implies (1/1).
func TestCheckGarbage(t *testing.T) {
	for _, expectIt := range []bool{true, false} {
		script := "handshake manual\nexpect hex 0102030405\nclose\n"
		if !expectIt {
			script = "handshake manual\nexpect open\n"
		}
		cc := testConfig(ModeCheck)
		cc.Timeout = 3 * time.Second
		cc.Script = mustScript(t, script)
		check := Start(t, cc)
		c := dialRaw(t, check.Addr())
		c.write([]byte{1, 2, 3, 4, 5})
		c.write(make([]byte, 20))
		err := check.Wait()
		if expectIt && err != nil {
			t.Errorf("expected garbage: %v\n%s", err, check.Stderr())
		}
		if !expectIt {
			if err == nil || !strings.Contains(check.Stderr(), "malformed input (wire: marker is not all ones)") {
				t.Errorf("unexpected garbage: %v\n%s", err, check.Stderr())
			}
			if n := c.readUntil(wire.TypeNotification, time.Second); len(n) < 21 || n[19] != 1 || n[20] != 1 {
				t.Errorf("notification % X, want 1/1", n)
			}
		}
	}
}

// TestOpenEdits: wire-level OPEN edits and an unknown message type, seen
// by a check peer; with the automatic handshake the check peer answers
// the unknown type by itself (1/3, the type as data).
func TestOpenEdits(t *testing.T) {
	cc := testConfig(ModeCheck)
	cc.Timeout = 3 * time.Second
	cc.Script = mustScript(t, `
expect open {"my-as":65001,"capabilities":["=",{"name":"multiprotocol"},{"name":"route-refresh"},{"code":200,"name":"capability-200","hex":"DEADBEEF"}]}
expect hex FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 09
`)
	check := Start(t, cc)
	dc := testConfig(ModeSink)
	dc.Dial, dc.ASN = check.Addr().String(), 65001
	dc.DropCaps = []capability.Code{capability.CodeASN4}
	dc.AddCaps = [][]byte{{200, 4, 0xDE, 0xAD, 0xBE, 0xEF}}
	dc.SendAfterOpen = [][]byte{{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13, 0x09}}
	dialer := Start(t, dc)
	if err := check.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, check.Stderr())
	}
	dialer.Wait() //nolint:errcheck
	if !strings.Contains(dialer.Stdout(), `the remote sent notification 1/3 Message header error/Bad message type data 09`) {
		t.Errorf("dialer stdout:\n%s", dialer.Stdout())
	}
}
