//go:build interop

package exabgp

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/exabgp"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// session replays one direction of one captured TCP stream to a live
// ExaBGP: ze plays the sender, ExaBGP (configured like the receiver)
// receives and prints every message through its process API.
type session struct {
	capture string
	stream  int
	peer    netip.Addr // the source address ze connects from; ExaBGP's neighbor

	sendOpen message.Open   // the sender's captured OPEN
	sendSet  capability.Set // its capabilities
	recvOpen *message.Open  // the receiver's captured OPEN, when captured
	recvSet  capability.Set
	msgs     []*item // the sender's messages ze sends, its OPEN first

	sent int      // messages of msgs written
	conn net.Conn // ze's end of the session
	done chan struct{}

	mu      sync.Mutex
	exaOpen []byte // the OPEN ExaBGP sent
	ended   string // why ExaBGP ended the session early ("" if it did not)
}

// sessionTypes are the message types a session replays: UPDATEs are
// compared by TestDecodeAgainstExaBGP (and a live ExaBGP resets the
// session on any UPDATE it refuses, losing the rest of the stream).
var sessionTypes = []wire.Type{wire.TypeOpen, wire.TypeKeepalive, wire.TypeNotification, wire.TypeRouteRefresh}

// buildSessions makes one session per direction of every captured TCP
// stream whose sender's OPEN was captured. Each session's messages are
// the sender's OPEN, then its KEEPALIVE, NOTIFICATION and ROUTE-REFRESH
// messages, up to its first NOTIFICATION.
func buildSessions(names []string, per map[string][]*item) []*session {
	var out []*session
	for _, name := range names {
		type key struct {
			stream int
			src    netip.AddrPort
		}
		byDir := map[key]*session{}
		opens := map[key]*message.Open{}
		var order []key
		for _, it := range per[name] {
			k := key{it.stream, it.src}
			s := byDir[k]
			if s == nil && it.typ == wire.TypeOpen {
				o, err := message.ParseOpen(it.data)
				if err != nil {
					continue
				}
				set, err := o.CapabilitySet()
				if err != nil {
					continue
				}
				s = &session{capture: name, stream: it.stream, sendOpen: o, sendSet: set}
				byDir[k], opens[k] = s, &o
				order = append(order, k)
			}
			if s == nil || !slices.Contains(sessionTypes, it.typ) {
				continue
			}
			if n := len(s.msgs); n > 0 && s.msgs[n-1].typ == wire.TypeNotification {
				continue // the session is over
			}
			if it.typ == wire.TypeOpen && len(s.msgs) > 0 {
				continue
			}
			s.msgs = append(s.msgs, it)
		}
		for _, k := range order {
			s := byDir[k]
			// the receiver is the other endpoint of the stream
			for k2, o := range opens {
				if k2.stream == k.stream && k2.src != k.src {
					s.recvOpen = o
					s.recvSet, _ = o.CapabilitySet()
				}
			}
			out = append(out, s)
		}
	}
	for i, s := range out {
		s.peer = netip.AddrFrom4([4]byte{127, 0, 1 + byte(i/250), 1 + byte(i%250)})
	}
	return out
}

// confName is ExaBGP 4.2's configuration name of f ("ipv4 unicast"), or
// "" when its configuration cannot name f.
func confName(f wire.Family) string {
	n := strings.Replace(f.String(), "/", " ", 1)
	if slices.Contains(confFamilies, n) {
		return n
	}
	return ""
}

// neighborConf is the ExaBGP neighbor playing s's receiver: its ASN,
// router ID, families (those ExaBGP 4.2 can name), 4-octet ASN and
// extended message capabilities, passive on port, printing every
// received message to the process "watch".
func (s *session) neighborConf(port int) string {
	routerID := "127.0.0.1"
	fams := []string{"ipv4 unicast"}
	asn4, extMsg := s.sendSet.ASN4, false
	if s.recvOpen != nil {
		routerID = s.recvOpen.BGPIdentifier.String()
		asn4, extMsg = s.recvSet.ASN4, s.recvSet.ExtendedMessage
		if len(s.recvSet.Families) > 0 {
			fams = nil
			for _, f := range s.recvSet.Families {
				if n := confName(f); n != "" {
					fams = append(fams, n)
				}
			}
		}
	}
	if len(fams) == 0 {
		fams = []string{"ipv4 unicast"}
	}
	if routerID == s.sendOpen.BGPIdentifier.String() {
		routerID = "127.255.255.254"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "neighbor %s {\n", s.peer)
	fmt.Fprintf(&b, "    description \"%s stream %d\";\n", s.capture, s.stream)
	fmt.Fprintf(&b, "    router-id %s;\n    local-address %s;\n", routerID, confAddress)
	fmt.Fprintf(&b, "    local-as %d;\n    peer-as %d;\n", s.localAS(), s.peerAS())
	fmt.Fprintf(&b, "    passive true;\n    listen %d;\n", port)
	b.WriteString("    family {\n")
	for _, f := range fams {
		fmt.Fprintf(&b, "        %s;\n", f)
	}
	b.WriteString("    }\n    capability {\n")
	fmt.Fprintf(&b, "        asn4 %s;\n        extended-message %s;\n", enable(asn4), enable(extMsg))
	b.WriteString("    }\n")
	b.WriteString("    api {\n        processes [ watch ];\n        neighbor-changes;\n")
	b.WriteString("        receive { parsed; open; keepalive; notification; refresh; update; }\n    }\n")
	b.WriteString("}\n")
	return b.String()
}

// peerAS is the sender's AS as ExaBGP's neighbor expects it: its 4-octet
// ASN when both sides have the 4-octet AS capability, else the 2-octet
// My AS of its OPEN (AS_TRANS for a 4-octet ASN, RFC 6793 §4.1).
func (s *session) peerAS() uint32 {
	if s.sendSet.ASN4 && (s.recvOpen == nil || s.recvSet.ASN4) {
		return s.sendOpen.ASN()
	}
	return uint32(s.sendOpen.MyAS)
}

// localAS is the receiver's AS (the sender's when the receiver's OPEN was
// not captured).
func (s *session) localAS() uint32 {
	if s.recvOpen != nil {
		return s.recvOpen.ASN()
	}
	return s.sendOpen.ASN()
}

func enable(on bool) string {
	if on {
		return "enable"
	}
	return "disable"
}

// sessionContext is the context of the messages ze sends in s, from the
// sender's OPEN and ExaBGP's.
func sessionContext(s *session) wire.Context {
	ctx := wire.Context{ASN4: true}
	o, err := message.ParseOpen(s.exaOpen)
	if err != nil {
		return ctx
	}
	set, err := o.CapabilitySet()
	if err != nil {
		return ctx
	}
	ctx, _ = capability.ContextFromOpens(s.sendSet, set)
	return ctx
}

// apiType is the "type" ExaBGP's API gives messages of type t.
func apiType(t wire.Type) string {
	if t == wire.TypeRouteRefresh {
		return "refresh"
	}
	return t.String()
}

// TestSessionAgainstExaBGP replays the OPEN, KEEPALIVE, NOTIFICATION and
// ROUTE-REFRESH messages of every captured session to a live ExaBGP
// (one passive neighbor per session direction, configured like the
// receiver) and compares what its process API prints for each with ze's
// rendering of the same bytes (direction "receive", the neighbor's
// addresses and ASNs). UPDATEs are compared by TestDecodeAgainstExaBGP.
func TestSessionAgainstExaBGP(t *testing.T) {
	bin := exabgpBin(t)
	names, per := loadCaptures(t)
	sessions := buildSessions(names, per)
	if len(sessions) == 0 {
		t.Fatal("no sessions")
	}
	start := time.Now()
	d := startDaemon(t, bin, sessions)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(sessions))
	sem := make(chan struct{}, 8)
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = d.play(ctx, s)
		}()
	}
	wg.Wait()
	defer func() {
		for _, s := range sessions {
			s.close()
		}
	}()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s stream %d from %s: %v", sessions[i].capture, sessions[i].stream, sessions[i].peer, err)
		}
	}
	// Keep the connections open until ExaBGP printed every message sent
	// (or ended the session): closing earlier can reset the connection
	// before ExaBGP read the last messages.
	lines := waitAPI(d.out, sessions, 30*time.Second)
	for _, s := range sessions {
		s.close()
	}
	d.stop()
	t.Logf("live exabgp: %d sessions, %d API objects, %.1fs", len(sessions), len(lines), time.Since(start).Seconds())

	byPeer := map[string][]apiLine{}
	for _, l := range lines {
		if l.typ != "state" {
			byPeer[l.peer] = append(byPeer[l.peer], l)
		}
	}
	jd := newJudge(t, "session")
	counted := map[string]*tally{}
	for _, name := range names {
		counted[name] = &tally{messages: len(per[name]), skipped: map[string]int{}}
	}
	compared := map[entry]bool{}
	for _, s := range sessions {
		c := counted[s.capture]
		nb := exabgp.Neighbor{
			LocalAddress: netip.MustParseAddr(confAddress), PeerAddress: s.peer,
			LocalAS: s.localAS(), PeerAS: s.peerAS(), Direction: "receive",
		}
		mctx := sessionContext(s)
		got := byPeer[s.peer.String()]
		refused := false // ExaBGP printed nothing for an earlier message
		for _, it := range s.msgs {
			e := entry{it.capture, it.index}
			compared[e] = true
			if refused {
				c.skipped["after the message ExaBGP ended the session on"]++
				continue
			}
			b, err := exabgp.AppendMessage(nil, exabgp.V4, it.data, mctx, nb, exabgp.Meta{})
			ze := result{json: string(b)}
			if err != nil {
				ze = result{err: err.Error()}
			}
			var exa result
			if len(got) > 0 && got[0].typ == apiType(it.typ) {
				exa.json, got = got[0].json, got[1:]
			} else {
				// The first message ExaBGP did not print is the one
				// it refused (or the one it had not read when it
				// ended the session for another reason).
				refused = true
				exa.err = "nothing printed"
				if why := s.end(); why != "" {
					exa.err += "; " + why
				}
			}
			jd.compare(c, e, fmt.Sprintf("live session %s stream %d", s.peer, s.stream), it.data, ze, exa)
		}
		for _, l := range got {
			t.Errorf("%s stream %d: ExaBGP printed an object for no message: %s", s.capture, s.stream, l.json)
		}
	}
	var total tally
	for _, name := range names {
		c := counted[name]
		for _, it := range per[name] {
			if !compared[entry{it.capture, it.index}] {
				why := "not replayed: an UPDATE (compared by TestDecodeAgainstExaBGP)"
				if it.typ != wire.TypeUpdate {
					why = "not replayed: after the sender's NOTIFICATION or without its OPEN"
				}
				c.skipped[why]++
			}
		}
		t.Logf("%-62s %s", name, c)
		total.add(*c)
	}
	t.Logf("%-62s %s", "TOTAL", total)
	for _, s := range skippedText(total.skipped) {
		t.Logf("not compared: %s", s)
	}
	jd.finish(names)
	if t.Failed() {
		b, _ := os.ReadFile(d.log)
		t.Logf("exabgp log:\n%s", b)
	}
}
