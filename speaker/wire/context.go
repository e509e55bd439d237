package wire

// Context is the encoding context of one direction of a session: what
// changes how the same bytes decode. It is a small comparable value, so
// two sessions whose contexts are equal can forward UPDATE bytes
// unchanged. The zero value is a plain RFC 4271 session (2-octet ASNs,
// no path identifiers, 4096-octet messages).
//
// A session has two: one for what it receives, one for what it sends.
// capability.Negotiate builds them from the two OPENs.
type Context struct {
	// ASN4: AS_PATH and AGGREGATOR carry 4-octet ASNs (RFC 6793).
	ASN4 bool
	// ExtendedMessage: messages may be up to 65535 octets (RFC 8654).
	ExtendedMessage bool
	addPath         uint64 // bit per known family: NLRI carry a path identifier (RFC 7911)
	extNextHop      uint64 // bit per known family: IPv6 next hop allowed for IPv4 NLRI (RFC 8950)
}

// MaxLen returns the largest message this context allows.
func (c Context) MaxLen() int {
	if c.ExtendedMessage {
		return MaxExtendedLen
	}
	return MaxLen
}

// AddPath reports whether NLRI of family f carry a 4-octet path
// identifier (RFC 7911 §3). Families outside the known set never do.
func (c Context) AddPath(f Family) bool {
	return c.addPath&f.bit() != 0
}

// WithAddPath returns c with ADD-PATH for f set to on. It reports false
// (and returns c unchanged) for a family outside the known set.
func (c Context) WithAddPath(f Family, on bool) (Context, bool) {
	i := f.index()
	if i < 0 {
		return c, false
	}
	if on {
		c.addPath |= 1 << i
	} else {
		c.addPath &^= 1 << i
	}
	return c, true
}

// ExtNextHop reports whether IPv6 next hops were negotiated for family f
// (RFC 8950).
func (c Context) ExtNextHop(f Family) bool {
	return c.extNextHop&f.bit() != 0
}

// WithExtNextHop returns c with extended next hop for f set to on.
func (c Context) WithExtNextHop(f Family, on bool) (Context, bool) {
	i := f.index()
	if i < 0 {
		return c, false
	}
	if on {
		c.extNextHop |= 1 << i
	} else {
		c.extNextHop &^= 1 << i
	}
	return c, true
}

// AddPathFamilies returns the known families with ADD-PATH on.
func (c Context) AddPathFamilies() []Family {
	var out []Family
	for i, f := range knownFamilies {
		if c.addPath&(1<<i) != 0 {
			out = append(out, f)
		}
	}
	return out
}
