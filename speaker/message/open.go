package message

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
)

// BGPVersion is the only BGP version this package speaks (RFC 4271 §4.2).
const BGPVersion = 4

// Open is a view of an OPEN message (RFC 4271 §4.2, RFC 9072 §2). Raw and
// Params alias the message; the Open must not outlive it.
//
//	+-------------------------------------------------+
//	| Version (1) | My AS (2) | Hold Time (2)          |
//	| BGP Identifier (4)                              |
//	| Opt Parm Len (1)                                |
//	| Optional Parameters (variable)                  |
//	+-------------------------------------------------+
//
// RFC 9072 extended form, used when Opt Parm Len is non-zero and the
// next octet is 255; each parameter then has a 2-octet length:
//
//	| Non-Ext OP Len (1) = 255 | Non-Ext OP Type (1) = 255 |
//	| Extended Opt. Parm. Length (2) | Optional Parameters |
type Open struct {
	Raw           []byte // the whole message, header included
	Version       uint8
	MyAS          uint16 // 2-octet AS, AS_TRANS (23456) for a 4-octet ASN
	HoldTime      uint16 // seconds
	BGPIdentifier netip.Addr
	Extended      bool   // RFC 9072 encoding of the optional parameters
	Params        []byte // the optional parameters, without their length field(s)
}

// ParseOpen splits an OPEN message (header included) into its fields.
// It checks only the structure; call Validate for the RFC 4271 §6.2
// checks. Errors (*wire.Error, session reset):
//   - a message shorter than 29 octets: Message Header Error / Bad
//     Message Length (data = the length field);
//   - an optional parameters length that does not match the rest of the
//     message: Message Header Error / Bad Message Length;
//   - an optional parameter whose length runs past the parameters:
//     OPEN Message Error / Unspecific.
func ParseOpen(msg []byte) (Open, error) {
	if len(msg) < wire.HeaderLen+10 {
		return Open{}, badLength(msg, "message: open shorter than 29 octets")
	}
	b := msg[wire.HeaderLen:]
	o := Open{
		Raw:           msg,
		Version:       b[0],
		MyAS:          binary.BigEndian.Uint16(b[1:]),
		HoldTime:      binary.BigEndian.Uint16(b[3:]),
		BGPIdentifier: netip.AddrFrom4([4]byte(b[5:9])),
	}
	optLen, rest := int(b[9]), b[10:]
	if optLen != 0 && len(rest) >= 1 && rest[0] == 255 {
		// RFC 9072 §2: Non-Ext OP Type 255 selects the extended form.
		if len(rest) < 3 {
			return Open{}, badLength(msg, "message: open extended optional parameters length truncated")
		}
		optLen, rest = int(binary.BigEndian.Uint16(rest[1:])), rest[3:]
		o.Extended = true
	}
	if optLen != len(rest) {
		return Open{}, badLength(msg, "message: open optional parameters length "+strconv.Itoa(optLen)+
			", "+strconv.Itoa(len(rest))+" octets follow")
	}
	o.Params = rest
	it := o.Parameters()
	for it.Next() {
	}
	if err := it.Err(); err != nil {
		return Open{}, err
	}
	return o, nil
}

// badLength returns Message Header Error / Bad Message Length with the
// header's length field as data.
func badLength(msg []byte, text string) *wire.Error {
	var data []byte
	if len(msg) >= wire.HeaderLen-1 {
		data = append(data, msg[16:18]...)
	}
	return wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, data, "%s", text)
}

// Validate applies the OPEN checks of RFC 4271 §6.2 and the capability
// checks, in this order, returning the first failure as a session-reset
// *wire.Error (OPEN Message Error, subcode):
//   - Version ≠ 4: Unsupported Version Number, data = 0x0004, the
//     largest version supported;
//   - My AS 0, or a 4-octet AS capability carrying 0: Bad Peer AS
//     (RFC 7607 §2);
//   - Hold Time 1 or 2: Unacceptable Hold Time;
//   - BGP Identifier 0.0.0.0: Bad BGP Identifier (RFC 6286 allows
//     any other value);
//   - an optional parameter other than Capabilities (2): Unsupported
//     Optional Parameter;
//   - a capability list or capability value that does not decode:
//     Unspecific (see capability.Set.Add; capabilities to ignore are
//     skipped), two different Roles: Role Mismatch.
//
// Checks that need configuration (expected peer AS, required
// capabilities, role pairs) are left to the session.
func (o Open) Validate() error {
	if o.Version != BGPVersion {
		return wire.Errorf(wire.CodeOpen, wire.SubUnsupportedVersion, []byte{0, BGPVersion}, "message: open version %d, only 4 is supported", o.Version)
	}
	if o.MyAS == 0 {
		return wire.Errorf(wire.CodeOpen, wire.SubBadPeerAS, nil, "message: open my AS is 0")
	}
	if o.HoldTime == 1 || o.HoldTime == 2 {
		return wire.Errorf(wire.CodeOpen, wire.SubUnacceptableHoldTime, nil, "message: open hold time %d", o.HoldTime)
	}
	if o.BGPIdentifier == netip.IPv4Unspecified() {
		return wire.Errorf(wire.CodeOpen, wire.SubBadBGPIdentifier, nil, "message: open BGP identifier 0.0.0.0")
	}
	it := o.Parameters()
	for it.Next() {
		if it.Type() != ParamCapabilities {
			return wire.Errorf(wire.CodeOpen, wire.SubUnsupportedOptParam, nil, "message: open optional parameter type %d not supported", it.Type())
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	_, err := o.CapabilitySet()
	return err
}

// ASN returns the speaker's AS number: the 4-octet ASN of the first
// well-formed 4-octet AS capability (RFC 6793 §3), else My AS.
func (o Open) ASN() uint32 {
	it := o.Capabilities()
	for it.Next() {
		if it.Code() == capability.CodeASN4 {
			if asn, err := capability.ParseASN4(it.Value()); err == nil {
				return asn
			}
		}
	}
	return uint32(o.MyAS)
}

// CapabilitySet decodes every capability of every Capabilities parameter
// into a capability.Set, skipping those the RFCs say to ignore. Errors
// are those of the iterators and of capability.Set.Add.
func (o Open) CapabilitySet() (capability.Set, error) {
	var s capability.Set
	it := o.Capabilities()
	for it.Next() {
		if err := s.Add(it.Code(), it.Value()); err != nil && !capability.Ignorable(err) {
			return s, err
		}
	}
	return s, it.Err()
}

// Speaker returns what negotiation needs to know of the OPEN's sender:
// its capabilities, 4-octet ASN (ASN) and BGP identifier. Errors are
// those of CapabilitySet.
func (o Open) Speaker() (capability.Speaker, error) {
	set, err := o.CapabilitySet()
	return capability.Speaker{Caps: set, ASN: o.ASN(), RouterID: o.BGPIdentifier}, err
}

// ParamType is an optional parameter type (RFC 4271 §4.2, IANA "BGP OPEN
// Optional Parameter Types").
type ParamType uint8

// Optional parameter types.
const (
	ParamAuthentication ParamType = 1   // deprecated (RFC 5492 §2)
	ParamCapabilities   ParamType = 2   // RFC 5492 §4
	ParamExtendedLength ParamType = 255 // RFC 9072 §2, marks the extended form
)

// String returns "authentication", "capabilities", "extended-length" or
// "parameter-N".
func (t ParamType) String() string {
	switch t {
	case ParamAuthentication:
		return "authentication"
	case ParamCapabilities:
		return "capabilities"
	case ParamExtendedLength:
		return "extended-length"
	}
	return "parameter-" + strconv.Itoa(int(t))
}

// Parameters iterates the optional parameters.
func (o Open) Parameters() ParamIterator {
	return ParamIterator{b: o.Params, ext: o.Extended}
}

// ParamIterator walks the optional parameters of an OPEN in place: type
// (1 octet), length (1 octet, or 2 in the RFC 9072 form), value. Next
// returns false at the end or at the first parameter whose header or
// value runs past the field; Err then returns OPEN Message Error /
// Unspecific. Value is a view into the message.
type ParamIterator struct {
	b      []byte
	ext    bool
	off    int
	vstart int
	typ    ParamType
	err    error
}

// Next advances to the next optional parameter.
func (it *ParamIterator) Next() bool {
	if it.err != nil || it.off >= len(it.b) {
		return false
	}
	b, off := it.b, it.off
	h := 2
	if it.ext {
		h = 3
	}
	if len(b)-off < h {
		it.err = wire.Errorf(wire.CodeOpen, 0, nil, "message: open optional parameter header truncated")
		return false
	}
	n := int(b[off+1])
	if it.ext {
		n = int(binary.BigEndian.Uint16(b[off+1:]))
	}
	if len(b)-off-h < n {
		it.err = wire.Errorf(wire.CodeOpen, 0, nil, "message: open optional parameter %d length %d runs past the parameters", b[off], n)
		return false
	}
	it.typ, it.vstart = ParamType(b[off]), off+h
	it.off = off + h + n
	return true
}

// Type returns the current parameter's type.
func (it *ParamIterator) Type() ParamType { return it.typ }

// Value returns the current parameter's value (a view).
func (it *ParamIterator) Value() []byte { return it.b[it.vstart:it.off] }

// Err returns the error that stopped the walk, or nil at the end.
func (it *ParamIterator) Err() error { return it.err }

// Capabilities iterates every capability of every Capabilities optional
// parameter, in order; other parameters are skipped.
func (o Open) Capabilities() CapabilityIterator {
	return CapabilityIterator{params: o.Parameters()}
}

// CapabilityIterator walks the capabilities across all Capabilities
// parameters of an OPEN (RFC 5492 §4 allows one parameter per capability
// or many capabilities per parameter). Err reports the first malformed
// parameter or capability list (OPEN Message Error / Unspecific).
type CapabilityIterator struct {
	params ParamIterator
	caps   capability.Iterator
	err    error
}

// Next advances to the next capability.
func (it *CapabilityIterator) Next() bool {
	for it.err == nil {
		if it.caps.Next() {
			return true
		}
		if err := it.caps.Err(); err != nil {
			it.err = err
			return false
		}
		if !it.params.Next() {
			it.err = it.params.Err()
			return false
		}
		if it.params.Type() == ParamCapabilities {
			it.caps = capability.NewIterator(it.params.Value())
		}
	}
	return false
}

// Code returns the current capability's code.
func (it *CapabilityIterator) Code() capability.Code { return it.caps.Code() }

// Value returns the current capability's value (a view).
func (it *CapabilityIterator) Value() []byte { return it.caps.Value() }

// Raw returns the current capability, code and length included (a view).
func (it *CapabilityIterator) Raw() []byte { return it.caps.Raw() }

// Err returns the error that stopped the walk, or nil at the end.
func (it *CapabilityIterator) Err() error { return it.err }

// OpenParams is what AppendOpen writes.
type OpenParams struct {
	ASN      uint32     // My AS, or AS_TRANS when it does not fit in 2 octets
	HoldTime uint16     // seconds: 0 or at least 3
	RouterID netip.Addr // BGP Identifier; anything but IPv4 (or IPv4-mapped IPv6) is written as 0.0.0.0
	Caps     []byte     // capability TLVs, already appended (capability.AppendX)
}

// AppendOpen appends a whole OPEN message, version 4. An ASN above 65535
// is written as AS_TRANS in My AS (RFC 6793); Caps should then hold
// a 4-octet AS capability. The capabilities go in one Capabilities
// parameter; when that parameter would make the optional parameters
// longer than 255 octets, the RFC 9072 extended form is used. Nothing is
// written for empty Caps. The caller keeps the message within 4096
// octets (RFC 8654 §4: OPEN never uses Extended Message).
func AppendOpen(dst []byte, p OpenParams) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.TypeOpen)
	myAS := uint16(attr.ASTrans)
	if p.ASN <= 0xFFFF {
		myAS = uint16(p.ASN)
	}
	var id [4]byte
	if a := p.RouterID.Unmap(); a.Is4() {
		id = a.As4()
	}
	dst = append(dst, BGPVersion, byte(myAS>>8), byte(myAS), byte(p.HoldTime>>8), byte(p.HoldTime))
	dst = append(dst, id[:]...)
	switch n := len(p.Caps); {
	case n == 0:
		dst = append(dst, 0)
	case 2+n <= 255:
		dst = append(dst, byte(2+n), byte(ParamCapabilities), byte(n))
		dst = append(dst, p.Caps...)
	default:
		// RFC 9072 §2: Non-Ext OP Len and Type 255, then 2-octet lengths.
		dst = append(dst, 255, byte(ParamExtendedLength))
		dst = binary.BigEndian.AppendUint16(dst, uint16(3+n))
		dst = append(dst, byte(ParamCapabilities))
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
		dst = append(dst, p.Caps...)
	}
	wire.SetLength(dst[start:])
	return dst
}
