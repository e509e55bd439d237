package testpeer

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// badUpdate is an UPDATE whose Total Path Attribute Length runs past
// the message: session reset, 3/1 Malformed Attribute List (RFC 4271
// §6.3).
var badUpdate = []byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0x00, 0x1A, // length 26
	0x02,       // UPDATE
	0x00, 0x00, // no withdrawn routes
	0x00, 0x04, // path attributes: 4 octets, 3 in the message
	0x40, 0x01, 0x00, // ORIGIN, empty
}

// startCheck runs a listening check peer with script and a 3 s timeout.
func startCheck(t *testing.T, script string) *Peer {
	t.Helper()
	cc := testConfig(ModeCheck)
	cc.Timeout = 3 * time.Second
	cc.Script = mustScript(t, script)
	return Start(t, cc)
}

// notificationCode reads until a NOTIFICATION and returns code/subcode
// ({0,0} when none came).
func notificationCode(c *rawClient) [2]byte {
	n := c.readUntil(wire.TypeNotification, 2*time.Second)
	if len(n) < 21 {
		return [2]byte{}
	}
	return [2]byte{n[19], n[20]}
}

// TestCheckGarbageAutoHandshake: garbage instead of the OPEN, into a
// check peer with the automatic handshake, is answered at once with
// 1/1 and fails the script's first line with the octets — not after the
// whole timeout with a Cease.
func TestCheckGarbageAutoHandshake(t *testing.T) {
	t.Parallel()
	check := startCheck(t, "expect open\n")
	c := dialRaw(t, check.Addr())
	start := time.Now()
	c.write([]byte("GET / HTTP/1.0\r\n\r\n"))
	if got := notificationCode(c); got != [2]byte{1, 1} {
		t.Errorf("notification %d/%d, want 1/1", got[0], got[1])
	}
	err := check.Wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("check ended after %s", d)
	}
	if err == nil {
		t.Fatal("check passed")
	}
	for _, w := range []string{
		"check failed: test.script:1: expect open",
		"expected open, received malformed input (wire: marker is not all ones)",
		"the test peer answered it with notification 1/1",
		"hex      474554202F20485454502F312E300D0A0D0A",
		`"parsed":false`,
	} {
		if !strings.Contains(check.Stderr(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, check.Stderr())
		}
	}
	if strings.Contains(check.Stderr(), "timed out") {
		t.Errorf("stderr:\n%s", check.Stderr())
	}
}

// TestCheckStrictUpdate: a malformed UPDATE fails a plain `expect
// update` (with the automatic handshake the peer sends 3/1 by itself;
// with a manual one the failing script sends it); `expect malformed`
// accepts it, and then the script decides with a manual handshake.
func TestCheckStrictUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		pass         bool
		notify       [2]byte // sent to the remote
		want         []string
	}{
		{"auto expect update", "expect update\n", false, [2]byte{3, 1}, []string{
			"check failed: test.script:1: expect update",
			"expected update, received malformed update: message: path attribute length 4 runs past the message",
			"the test peer answered it with notification 3/1",
		}},
		{"auto expect route", "expect route 10.0.0.0/24\n", false, [2]byte{3, 1}, []string{
			"expected route 10.0.0.0/24, received malformed update: message: path attribute length 4 runs past the message",
		}},
		{"auto ignore update", "ignore update\nexpect eor\n", false, [2]byte{3, 1}, []string{
			"expected End-of-RIB ipv4/unicast, received malformed update",
		}},
		{"auto expect malformed", `expect malformed update {"action":"session-reset","notification":{"code":3,"subcode":1}}` + "\n", true, [2]byte{3, 1}, nil},
		{"manual expect update", "handshake manual\nsend open\nsend keepalive\nexpect open\nexpect keepalive\nexpect update\n", false, [2]byte{3, 1}, []string{
			"expected update, received malformed update",
		}},
		{"manual expect malformed", "handshake manual\nsend open\nsend keepalive\nexpect open\nexpect keepalive\nexpect malformed update\nsend notification 6/2 \"script decides\"\n", true, [2]byte{6, 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			check := startCheck(t, tt.script)
			c := dialRaw(t, check.Addr())
			c.handshake(90)
			c.write(badUpdate)
			if got := notificationCode(c); got != tt.notify {
				t.Errorf("notification %d/%d, want %d/%d", got[0], got[1], tt.notify[0], tt.notify[1])
			}
			c.conn.Close()
			err := check.Wait()
			if (err == nil) != tt.pass {
				t.Fatalf("check: %v\n%s", err, check.Stderr())
			}
			for _, w := range tt.want {
				if !strings.Contains(check.Stderr(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, check.Stderr())
				}
			}
		})
	}
}

// TestCheckStrictOpen: with the automatic handshake a bad OPEN is
// refused by the peer itself (2/2 Bad Peer AS) and only `expect
// malformed open` accepts it, its JSON carrying the error.
func TestCheckStrictOpen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		script string
		pass   bool
	}{
		{"expect open\n", false},
		{`expect malformed open {"open":{"asn":65001},"error":"testpeer: remote AS 65001, expected 65099","notification":{"code":2,"subcode":2}}` + "\n", true},
	} {
		cc := testConfig(ModeCheck)
		cc.Timeout = 3 * time.Second
		cc.PeerASN = 65099
		cc.Script = mustScript(t, tt.script)
		check := Start(t, cc)
		c := dialRaw(t, check.Addr())
		c.open(90)
		if got := notificationCode(c); got != [2]byte{2, 2} {
			t.Errorf("%q: notification %d/%d, want 2/2", tt.script, got[0], got[1])
		}
		if err := check.Wait(); (err == nil) != tt.pass {
			t.Errorf("%q: %v\n%s", tt.script, err, check.Stderr())
		}
	}
}

// TestCheckClosedAfterNotification: the `closed` event of a check
// session names the NOTIFICATION the remote sent before closing.
func TestCheckClosedAfterNotification(t *testing.T) {
	t.Parallel()
	check := startCheck(t, "expect notification 6/2\nexpect close\n")
	c := dialRaw(t, check.Addr())
	c.handshake(90)
	c.write(wire.AppendNotification(nil, wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown,
		Data: wire.AppendCommunication(nil, "bye")}))
	c.conn.Close()
	if err := check.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, check.Stderr())
	}
	if want := `: the remote sent notification 6/2 Cease/Administrative shutdown "bye"`; !strings.Contains(check.Stdout(), want) {
		t.Errorf("stdout lacks %q:\n%s", want, check.Stdout())
	}
}

// TestCheckRouteMessages: `expect route` failures show the line as
// written (no doubled "route", no defaults it did not name).
func TestCheckRouteMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		script string
		want   []string
		not    []string
	}{
		{"expect route 10.0.5.0/24 med 3\n",
			[]string{"route differs:\n    expected route 10.0.5.0/24 med 3\n    received announce route 10.0.0.0/24"},
			[]string{"next-hop 0.0.0.0", "origin igp as-path [] med 3"}},
		{"expect route 10.0.0.0/24\nexpect route 10.0.1.0/24\n",
			[]string{"expected route 10.0.1.0/24, received an UPDATE without routes: End-of-RIB ipv4/unicast"},
			[]string{"route route"}},
		{"expect route 10.0.0.0/24\nexpect eor\nexpect route 10.0.1.0/24\n",
			[]string{"expected an UPDATE with route 10.0.1.0/24, received notification 6/2"},
			[]string{"route route"}},
		{"expect notification 6/2\n",
			[]string{"expected notification 6/2, received update (1 routes, first: announce route 10.0.0.0/24"}, nil},
		{"expect withdraw route 10.0.0.0/24\n",
			[]string{"expected withdraw route 10.0.0.0/24\n"}, []string{"route route"}},
	}
	for _, tt := range tests {
		check := runCheck(t, tt.script, func(c *Config) { c.Inject.Count = 1; c.Inject.Linger = 0 })
		if err := check.Wait(); err == nil {
			t.Errorf("%q passed", tt.script)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(check.Stderr(), w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tt.script, w, check.Stderr())
			}
		}
		for _, w := range tt.not {
			if strings.Contains(check.Stderr(), w) {
				t.Errorf("%q: stderr has %q:\n%s", tt.script, w, check.Stderr())
			}
		}
	}
}

// TestDiffExactArray: the "=" marker of an exact array is not shown as
// an element missing from what was received.
func TestDiffExactArray(t *testing.T) {
	want, _ := decodeJSON([]byte(`{"update":{"announce":[{"nlri":["=",{"prefix":"10.0.0.0/24"}]}]}}`))
	got, _ := decodeJSON([]byte(`{"update":{"announce":[{"nlri":[{"prefix":"10.0.0.0/24"},{"prefix":"10.0.1.0/24"}]}]}}`))
	var b strings.Builder
	writeDiff(&b, want, got)
	d := b.String()
	if strings.Contains(d, `"="`) {
		t.Errorf("diff shows the marker:\n%s", d)
	}
	extra := false
	for _, l := range strings.Split(d, "\n") {
		extra = extra || (strings.HasPrefix(l, "  +") && strings.Contains(l, `"10.0.1.0/24"`))
	}
	if !extra {
		t.Errorf("diff lacks the extra element:\n%s", d)
	}
	// The input is not changed.
	if !strings.Contains(compactJSON(want), `["=",`) {
		t.Errorf("expected document changed: %s", compactJSON(want))
	}
}

// TestUnknownTypeCounted: a message of unknown type 9, refused at
// framing, is counted as messages.unknown.
func TestUnknownTypeCounted(t *testing.T) {
	t.Parallel()
	cfg := testConfig(ModeSink)
	cfg.Timeout = 3 * time.Second
	p := Start(t, cfg)
	c := dialRaw(t, p.Addr())
	c.handshake(90)
	c.write([]byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0x00, 0x13, // length 19
		0x09, // type 9: unknown
	})
	if got := notificationCode(c); got != [2]byte{1, 3} {
		t.Errorf("notification %d/%d, want 1/3", got[0], got[1])
	}
	p.Stop() //nolint:errcheck // the session failed
	s := p.Summary()
	if s.Messages["unknown"] != 1 || s.Messages["keepalive"] != 1 {
		t.Errorf("summary %+v", s)
	}
}

// TestCheckPassedTotals: with several peers the `check passed` line
// counts every peer's expectations and connections.
func TestCheckPassedTotals(t *testing.T) {
	t.Parallel()
	sc := testConfig(ModeSink)
	sc.Timeout = 3 * time.Second
	sink := Start(t, sc)
	cc := testConfig(ModeCheck)
	cc.Timeout = 3 * time.Second
	cc.Dial = sink.Addr().String()
	cc.Peers = 3
	cc.Script = mustScript(t, "expect open\nexpect keepalive\nconnection\nexpect open\n")
	check := Start(t, cc)
	if err := check.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, check.Stderr())
	}
	if want := "check passed: 9 expectations, 6 connection(s), 3 peer(s)"; !strings.Contains(check.Stdout(), want) {
		t.Errorf("stdout lacks %q:\n%s", want, check.Stdout())
	}
}

// TestInjectAS4Path: a 4-octet AS injected towards a peer without
// 4-octet AS support goes as AS_TRANS in AS_PATH with the real AS in
// AS4_PATH (RFC 6793 §4.2.2), after MP_REACH_NLRI for IPv6 (ascending
// type codes).
func TestInjectAS4Path(t *testing.T) {
	t.Parallel()
	for _, pp := range [][2]string{{"10.0.0.0/24", "10.0.1.0/24"}, {"2001:db8::/48", "2001:db8:1::/48"}} {
		prefix := pp[0]
		cc := testConfig(ModeCheck)
		cc.Timeout = 3 * time.Second
		cc.ASN4 = false
		cc.Families = []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}
		cc.Script = mustScript(t, `
expect update {"update":{"attributes":{"as-path":["=",{"type":"as-sequence","asns":["=",23456]}],"as4-path":["=",{"type":"as-sequence","asns":["=",4200000001]}]}}}
expect route `+pp[1]+` as-path [4200000001]
`)
		check := Start(t, cc)
		ic := testConfig(ModeInject)
		ic.Dial, ic.ASN = check.Addr().String(), 4200000001
		ic.Families = cc.Families
		ic.Inject.Count, ic.Inject.PerUpdate = 2, 1
		ic.Inject.PrefixStart = mustPrefix(prefix)
		ic.Inject.UniqueAttrs = true
		ic.Inject.Linger = -1
		Start(t, ic)
		if err := check.Wait(); err != nil {
			t.Errorf("%s: %v\n%s", prefix, err, check.Stderr())
		}
	}
}

// TestInjectAttributeOrder: the injector's UPDATEs keep ascending
// attribute type codes, MED and AS4_PATH included.
func TestInjectAttributeOrder(t *testing.T) {
	for _, prefix := range []string{"10.0.0.0/24", "2001:db8::/48"} {
		in := &injector{ic: &InjectConfig{PrefixStart: mustPrefix(prefix), UniqueAttrs: true}}
		in.fam = in.ic.family()
		if err := in.attributes(netipAddr("192.0.2.1"), 4200000001, false, wire.Context{}); err != nil {
			t.Fatal(err)
		}
		g := newPrefixGen(in.ic.PrefixStart)
		msg := in.appendUpdate(nil, &g, 1, 7, false)
		u, err := message.ParseUpdate(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := message.Check(u, wire.Context{}); err != nil {
			t.Errorf("%s: %v", prefix, err)
		}
		var codes []attr.Code
		it := u.Attributes()
		for it.Next() {
			codes = append(codes, it.Code())
		}
		for i := 1; i < len(codes); i++ {
			if codes[i] <= codes[i-1] {
				t.Errorf("%s: attribute codes %v not ascending", prefix, codes)
			}
		}
		if codes[len(codes)-1] != attr.CodeAS4Path {
			t.Errorf("%s: attribute codes %v, want AS4_PATH last", prefix, codes)
		}
	}
}

// TestInjectBackTimeoutText: an injector whose routes never come back
// says so in plain words.
func TestInjectBackTimeoutText(t *testing.T) {
	t.Parallel()
	sc := testConfig(ModeSink)
	sink := Start(t, sc)
	ic := testConfig(ModeInject)
	ic.Timeout = time.Second
	ic.Dial = sink.Addr().String()
	ic.Inject.Count = 3
	ic.Inject.ExpectBack = sink.Addr().String()
	inj := Start(t, ic)
	if err := inj.Wait(); err == nil {
		t.Fatal("inject passed")
	}
	if want := "inject: only 0 of 3 prefixes came back: timed out waiting for the rest"; !strings.Contains(inj.Stderr(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, inj.Stderr())
	}
}

// TestForwardAfterKeepalive: once the remote has read the KEEPALIVE
// that answers its OPEN, a reflected UPDATE is never skipped for its
// session (the flag is set under the write lock; it used to be set
// after the write returned, and a burst arriving in between was lost).
func TestForwardAfterKeepalive(t *testing.T) {
	cfg := testConfig(ModeReflect)
	cfg.Listen = "127.0.0.1:0" // not used: New does not listen
	p, err := New(cfg, &syncbuf.Buffer{}, &syncbuf.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		a, b := net.Pipe()
		s := newSession(p, i, a)
		s.state, s.negotiated = stateOpenConfirm, true
		go s.sendHandshakeKeepalive() //nolint:errcheck
		var buf [wire.HeaderLen]byte
		if _, err := readFull(b, buf[:]); err != nil {
			t.Fatal(err)
		}
		// The remote read our KEEPALIVE; what it sends now is forwarded.
		done := make(chan bool, 1)
		go func() { done <- s.forward(keepaliveMsg, wire.Context{}) }()
		b.SetReadDeadline(time.Now().Add(time.Second)) //nolint:errcheck
		readFull(b, buf[:])                            //nolint:errcheck // nothing comes when skipped
		if !<-done {
			t.Fatalf("run %d: forward skipped a session whose KEEPALIVE was read", i)
		}
		a.Close()
		b.Close()
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
