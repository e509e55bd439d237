package wire

import (
	"slices"
	"testing"
)

// Context must stay comparable: sessions compare contexts to decide
// whether UPDATE bytes can be forwarded unchanged, and use them as map keys.
var _ = map[Context]int{}

func TestContextZero(t *testing.T) {
	var c Context
	if c.ASN4 || c.ExtendedMessage {
		t.Error("zero Context is not plain RFC 4271")
	}
	if c.MaxLen() != 4096 {
		t.Errorf("MaxLen = %d, want 4096", c.MaxLen())
	}
	for _, f := range knownFamilies {
		if c.AddPath(f) || c.ExtNextHop(f) {
			t.Errorf("zero Context has ADD-PATH or extended next hop for %v", f)
		}
	}
	if fs := c.AddPathFamilies(); len(fs) != 0 {
		t.Errorf("AddPathFamilies = %v", fs)
	}
	if c != (Context{}) {
		t.Error("zero Context != Context{}")
	}
}

func TestContextMaxLen(t *testing.T) {
	c := Context{ExtendedMessage: true}
	if c.MaxLen() != MaxExtendedLen || MaxExtendedLen != 65535 {
		t.Errorf("MaxLen = %d, want 65535", c.MaxLen())
	}
}

func TestContextAddPath(t *testing.T) {
	var c Context
	var ok bool
	for _, f := range []Family{IPv6Unicast, IPv4Unicast, {AFIL2VPN, SAFIEVPN}} {
		if c, ok = c.WithAddPath(f, true); !ok {
			t.Fatalf("WithAddPath(%v) = false", f)
		}
	}
	for _, f := range knownFamilies {
		want := f == IPv4Unicast || f == IPv6Unicast || f == (Family{AFIL2VPN, SAFIEVPN})
		if c.AddPath(f) != want {
			t.Errorf("AddPath(%v) = %v, want %v", f, c.AddPath(f), want)
		}
		if c.ExtNextHop(f) {
			t.Errorf("ExtNextHop(%v) set by WithAddPath", f)
		}
	}
	// AddPathFamilies lists them in knownFamilies order.
	want := []Family{IPv4Unicast, IPv6Unicast, {AFIL2VPN, SAFIEVPN}}
	if got := c.AddPathFamilies(); !slices.Equal(got, want) {
		t.Errorf("AddPathFamilies = %v, want %v", got, want)
	}

	// Turning one off leaves the others.
	c, _ = c.WithAddPath(IPv6Unicast, false)
	if c.AddPath(IPv6Unicast) || !c.AddPath(IPv4Unicast) {
		t.Error("WithAddPath(off) changed the wrong family")
	}
	// Off twice is a no-op.
	c2, ok := c.WithAddPath(IPv6Unicast, false)
	if !ok || c2 != c {
		t.Error("WithAddPath(off) on an unset family changed the context")
	}

	// Unknown families are refused and never report ADD-PATH.
	unknown := Family{AFIIPv4, 3}
	c3, ok := c.WithAddPath(unknown, true)
	if ok || c3 != c || c3.AddPath(unknown) {
		t.Errorf("WithAddPath(%v) = %v, changed %v", unknown, ok, c3 != c)
	}

	// Every known family has its own bit.
	var all Context
	for i, f := range knownFamilies {
		all, _ = all.WithAddPath(f, true)
		if n := len(all.AddPathFamilies()); n != i+1 {
			t.Fatalf("after %d families AddPathFamilies has %d", i+1, n)
		}
	}
}

func TestContextExtNextHop(t *testing.T) {
	var c Context
	c, ok := c.WithExtNextHop(IPv4Unicast, true)
	if !ok || !c.ExtNextHop(IPv4Unicast) || c.ExtNextHop(IPv6Unicast) || c.AddPath(IPv4Unicast) {
		t.Errorf("WithExtNextHop: %+v", c)
	}
	c, _ = c.WithExtNextHop(IPv4Unicast, false)
	if c != (Context{}) {
		t.Error("turning extended next hop off did not restore the zero Context")
	}
	if _, ok := c.WithExtNextHop(Family{99, 99}, true); ok {
		t.Error("WithExtNextHop accepted an unknown family")
	}
}

func TestContextComparable(t *testing.T) {
	// The same settings in a different order give == contexts.
	a := Context{ASN4: true}
	a, _ = a.WithAddPath(IPv4Unicast, true)
	a, _ = a.WithAddPath(IPv6Unicast, true)
	a, _ = a.WithExtNextHop(IPv4Unicast, true)
	b := Context{ASN4: true}
	b, _ = b.WithExtNextHop(IPv4Unicast, true)
	b, _ = b.WithAddPath(IPv6Unicast, true)
	b, _ = b.WithAddPath(IPv4Unicast, true)
	if a != b {
		t.Error("equal settings give unequal contexts")
	}
	m := map[Context]string{a: "a"}
	if m[b] != "a" {
		t.Error("Context does not work as a map key")
	}
	b.ExtendedMessage = true
	if a == b {
		t.Error("ExtendedMessage ignored by ==")
	}
	b.ExtendedMessage = false
	b, _ = b.WithAddPath(IPv6Unicast, false)
	if a == b {
		t.Error("ADD-PATH ignored by ==")
	}
}
