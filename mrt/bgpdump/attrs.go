package bgpdump

import (
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
)

// Attribute type codes as bgpdump names them (flag bits are 1 << (code-1)).
const (
	codeOrigin      = 1
	codeASPath      = 2
	codeNextHop     = 3
	codeMED         = 4
	codeLocalPref   = 5
	codeAtomicAgg   = 6
	codeAggregator  = 7
	codeCommunities = 8
	codeMPReach     = 14
	codeMPUnreach   = 15
	codeAS4Path     = 17
	codeAS4Agg      = 18
	codeLargeComm   = 32
)

func bit(code int) uint32 { return 1 << (code - 1) }

// Segment types and the characters bgpdump writes around them.
const (
	segSet         = 1
	segSequence    = 2
	segConfedSeq   = 3
	segConfedSet   = 4
	asTrans        = 23456
	maxPathText    = 8000 // bgpdump's AS path string buffer
	maxCommText    = 8191 // bgpdump's community string buffer (BUFSIZ − 1)
	pathErrorText  = "! Error !"
	missingAddress = 0xFFFFFFFF // INADDR_NONE: bgpdump's "not present"
)

// mpNLRI is one MP_REACH_NLRI or MP_UNREACH_NLRI of an (AFI, SAFI) slot.
type mpNLRI struct {
	present bool
	nhLen   byte
	nh      [16]byte
	nlri    []byte // the prefix list (a view)
}

// attrs is a path attribute list decoded the way bgpdump decodes it: the
// fields its one-line output uses, with its defaults (255.255.255.255
// for a missing next hop or aggregator address), its reading of short
// values (zero-padded), its AS4_PATH merge and its AS path and community
// strings. A duplicate attribute replaces the earlier one.
type attrs struct {
	flag       uint32
	origin     byte
	nextHop    [4]byte
	med, pref  uint32
	aggAS      uint32
	aggAddr    [4]byte
	newAggAS   uint32
	newAggAddr [4]byte
	hasPath    bool   // an AS_PATH was decoded
	path       []byte // AS_PATH value (view)
	newPath    []byte // AS4_PATH value (view)
	hasNewPath bool
	comm       []byte // COMMUNITIES value (view)
	lcomm      []byte // LARGE_COMMUNITY value (view)
	announce   [3][4]mpNLRI
	withdraw   [3][4]mpNLRI
	mpUsed     bool // a slot of announce or withdraw is set
	short      bool // something was read past its end
	// wantUnassigned makes decode write unassigned (-u): " TT:FF:VALUE"
	// in hex per attribute bgpdump does not decode.
	wantUnassigned bool
	unassigned     []byte
}

// reset prepares a for a new list; the MP slots are cleared only when
// the last list used them (most RIB entries have none).
func (a *attrs) reset() {
	if a.mpUsed {
		a.announce, a.withdraw = [3][4]mpNLRI{}, [3][4]mpNLRI{}
	}
	a.flag, a.origin, a.nextHop = 0, 255, [4]byte{255, 255, 255, 255}
	a.med, a.pref = 0, 0
	a.aggAS, a.aggAddr = missingAddress, [4]byte{255, 255, 255, 255}
	a.newAggAS, a.newAggAddr = missingAddress, [4]byte{255, 255, 255, 255}
	a.hasPath, a.path, a.newPath, a.hasNewPath = false, nil, nil, false
	a.comm, a.lcomm, a.mpUsed, a.short = nil, nil, false, false
	a.unassigned = a.unassigned[:0]
}

// decode reads the attribute list of s: a 2-octet total length, then the
// attributes (process_attributes). asn is the width of ASNs in AS_PATH
// and AGGREGATOR. Prefix lists are kept as views and read when printed.
func (a *attrs) decode(s *stream, asn int) {
	a.reset()
	total := int(s.getw())
	list := s.sub(total)
	for list.left() > 0 {
		a.one(&list, asn)
	}
	a.short = a.short || list.short || s.short
}

// one reads one attribute (process_one_attr).
func (a *attrs) one(outer *stream, asn int) {
	flag := outer.getc()
	code := int(outer.getc())
	var n int
	if attr.Flags(flag)&attr.FlagExtendedLength != 0 {
		n = int(outer.getw())
	} else {
		n = int(outer.getc())
	}
	s := outer.sub(n)
	if s.left() != n {
		return // truncated: skipped, its flag not set
	}
	if code >= 1 && code <= 32 {
		a.flag |= bit(code)
	}
	if a.wantUnassigned && !decoded(code) {
		a.unassigned = appendUnassigned(a.unassigned, flag, byte(code), s.b)
	}
	switch code {
	case codeMPReach:
		a.mpUsed = true
		a.mpReach(&s)
	case codeMPUnreach:
		a.mpUsed = true
		a.mpUnreach(&s)
	case codeOrigin:
		a.origin = s.getc()
	case codeASPath:
		a.path, a.hasPath = s.b, true
	case codeNextHop:
		s.get(a.nextHop[:], 4)
	case codeMED:
		a.med = s.getl()
	case codeLocalPref:
		a.pref = s.getl()
	case codeAggregator:
		a.aggAS = s.asn(asn)
		s.get(a.aggAddr[:], 4)
	case codeCommunities:
		a.comm = s.b
	case codeLargeComm:
		a.lcomm = s.b
	case codeAS4Path:
		a.newPath, a.hasNewPath = s.b, true
	case codeAS4Agg:
		a.newAggAS = s.getl()
		s.get(a.newAggAddr[:], 4)
	}
	a.short = a.short || s.short
}

// decoded reports whether bgpdump decodes the attribute type code (the
// others are what -u lists): ORIGIN through CLUSTER_LIST (1–10),
// MP_REACH_NLRI, MP_UNREACH_NLRI, AS4_PATH, AS4_AGGREGATOR,
// LARGE_COMMUNITY.
func decoded(code int) bool {
	switch {
	case code >= codeOrigin && code <= 10, code == codeMPReach, code == codeMPUnreach,
		code == codeAS4Path, code == codeAS4Agg, code == codeLargeComm:
		return true
	}
	return false
}

// appendUnassigned appends " TT:FF:VALUE": the type code, the flags
// octet as received and the value, in lower-case hex.
func appendUnassigned(dst []byte, flag, code byte, v []byte) []byte {
	dst = append(dst, ' ', hexDigits[code>>4], hexDigits[code&15], ':', hexDigits[flag>>4], hexDigits[flag&15], ':')
	for _, c := range v {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// readNextHop reads an MP next hop: its length, then 4, 16 or 16+16 octets;
// nothing more for another length (get_nexthop).
func (m *mpNLRI) readNextHop(s *stream) {
	m.nhLen = s.getc()
	switch m.nhLen {
	case 4:
		s.get(m.nh[:], 4)
	case 16:
		s.get(m.nh[:], 16)
	case 32:
		s.get(m.nh[:], 16)
		s.skip(16)
	}
}

// mpReach reads an MP_REACH_NLRI (process_mp_announce). A value whose
// first octet is not 0 is taken for the RFC 6396 §4.3.4 form (next hop
// only) of IPv6 unicast.
func (a *attrs) mpReach(s *stream) {
	if s.left() > 0 && s.b[s.pos] != 0 {
		m := &a.announce[2][1]
		*m = mpNLRI{present: true}
		m.readNextHop(s)
		return
	}
	afi, safi := int(s.getw()), int(s.getc())
	if afi > 2 || safi > 3 || a.announce[afi][safi].present {
		return
	}
	m := &a.announce[afi][safi]
	*m = mpNLRI{present: true}
	m.readNextHop(s)
	for snpa := s.getc(); snpa > 0; snpa-- {
		s.skip(int(s.getc()))
	}
	m.nlri = s.rest()
}

// mpUnreach reads an MP_UNREACH_NLRI (process_mp_withdraw).
func (a *attrs) mpUnreach(s *stream) {
	afi, safi := int(s.getw()), int(s.getc())
	if afi > 2 || safi > 3 || a.withdraw[afi][safi].present {
		return
	}
	a.withdraw[afi][safi] = mpNLRI{present: true, nlri: s.rest()}
}

// has reports whether the attribute with code was decoded.
func (a *attrs) has(code int) bool { return a.flag&bit(code) != 0 }

// pathText renders an AS path value as bgpdump does: ASNs separated by
// spaces, AS_SET in {a,b}, AS_CONFED_SEQUENCE in (a b), AS_CONFED_SET in
// [a,b]; "! Error !" for a malformed path; cut with "..." past 7900
// characters. It also returns bgpdump's ASN count (a set counts 1).
func pathText(dst []byte, v []byte, asn int) ([]byte, int) {
	start := len(dst)
	count, space := 0, false
	prev := byte(segSequence)
	var last byte
	for p := 0; p < len(v); {
		typ := v[p]
		if typ < segSet || typ > segConfedSet || p+1 >= len(v) || p+2+int(v[p+1])*asn > len(v) {
			return append(dst[:start], pathErrorText...), 0
		}
		n := int(v[p+1])
		if prev != segSequence {
			dst = append(dst, closer(prev))
		}
		if space {
			dst = append(dst, ' ')
		}
		if typ != segSequence {
			dst = append(dst, opener(typ))
		}
		space = false
		if typ == segSequence || typ == segConfedSeq {
			count += n
		} else {
			count++
		}
		sep := byte(' ')
		if typ == segSet || typ == segConfedSet {
			sep = ','
		}
		for i := range n {
			if space {
				dst = append(dst, sep)
			}
			space = true
			o := p + 2 + i*asn
			var x uint32
			if asn == 4 {
				x = uint32(v[o])<<24 | uint32(v[o+1])<<16 | uint32(v[o+2])<<8 | uint32(v[o+3])
			} else {
				x = uint32(v[o])<<8 | uint32(v[o+1])
			}
			dst = strconv.AppendUint(dst, uint64(x), 10)
			if len(dst)-start > maxPathText-100 {
				return append(dst, "..."...), count
			}
		}
		prev, last = typ, typ
		p += 2 + n*asn
	}
	if last != 0 && last != segSequence {
		dst = append(dst, closer(last))
	}
	return dst, count
}

func opener(t byte) byte {
	switch t {
	case segSet:
		return '{'
	case segConfedSet:
		return '['
	case segConfedSeq:
		return '('
	}
	return ' '
}

func closer(t byte) byte {
	switch t {
	case segSet:
		return '}'
	case segConfedSet:
		return ']'
	case segConfedSeq:
		return ')'
	}
	return ' '
}

// pathCount is pathText's count without the text.
func pathCount(v []byte, asn int) int {
	count := 0
	for p := 0; p < len(v); {
		typ := v[p]
		if typ < segSet || typ > segConfedSet || p+1 >= len(v) || p+2+int(v[p+1])*asn > len(v) {
			return 0
		}
		n := int(v[p+1])
		if typ == segSequence || typ == segConfedSeq {
			count += n
		} else {
			count++
		}
		p += 2 + n*asn
	}
	return count
}

// mergeAS4 is bgpdump's AS4_PATH handling for 2-octet sessions
// (process_asn32_trans). It returns the path value to print and its ASN
// width: AS_PATH unchanged, or AS4_PATH behind the leading ASNs of
// AS_PATH, built in scratch. Like bgpdump it takes AS4_AGGREGATOR when
// AGGREGATOR holds AS_TRANS, and ignores AS4_PATH when AGGREGATOR holds
// another ASN. Unlike RFC 6793 §4.2.3 it fills the missing count with
// copies of AS_PATH's first segment (bgpdump never moves to the next
// one), cut to the count when it is a sequence.
func (a *attrs) mergeAS4(scratch []byte) ([]byte, int, []byte) {
	if a.has(codeAggregator) && a.has(codeAS4Agg) {
		if a.aggAS != asTrans {
			return a.path, 2, scratch
		}
		a.aggAS, a.aggAddr = a.newAggAS, a.newAggAddr
	}
	if !a.has(codeAS4Path) || !a.hasPath || !a.hasNewPath {
		return a.path, 2, scratch
	}
	oldCount, newCount := pathCount(a.path, 2), pathCount(a.newPath, 4)
	if oldCount < newCount {
		return a.path, 2, scratch
	}
	out := scratch[:0]
	need := oldCount - newCount
	merged := 0
	if need > 0 && len(a.path) >= 2 {
		typ, n := a.path[0], int(a.path[1])
		for merged < need {
			if n == 0 && typ != segSet && typ != segConfedSet {
				break // bgpdump loops for ever here
			}
			segStart := len(out)
			out = append(out, typ, byte(n))
			for i := range n {
				x := a.path[2+2*i : 4+2*i]
				out = append(out, 0, 0, x[0], x[1])
			}
			if typ == segSet || typ == segConfedSet {
				merged++
				continue
			}
			merged += n
			if over := merged - need; over > 0 {
				out[segStart+1] -= byte(over)
				out = out[:len(out)-4*over]
			}
		}
	}
	out = append(out, a.newPath...)
	return out, 4, out
}

// appendCommunities appends the COMMUNITIES value as bgpdump's string:
// " a:b" per value (" no-export", " no-advertise", " local-AS" for the
// well-known ones), limited to 8191 characters like bgpdump's buffer.
// The caller drops the leading space.
func appendCommunities(dst []byte, v []byte) []byte {
	start := len(dst)
	for i := 0; i+4 <= len(v); i += 4 {
		c := uint32(v[i])<<24 | uint32(v[i+1])<<16 | uint32(v[i+2])<<8 | uint32(v[i+3])
		var name string
		switch c {
		case 0xFFFFFF01:
			name = " no-export"
		case 0xFFFFFF02:
			name = " no-advertise"
		case 0xFFFFFF03:
			name = " local-AS"
		}
		if name != "" {
			if len(dst)-start+len(name) < maxCommText+1 {
				dst = append(dst, name...)
			}
			continue
		}
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, uint64(c>>16), 10)
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, uint64(c&0xFFFF), 10)
		if len(dst)-start > maxCommText {
			dst = dst[:start+maxCommText] // snprintf cuts at the buffer's end
		}
	}
	return dst
}

// appendLargeCommunities appends " g:l1:l2" per LARGE_COMMUNITY value
// (RFC 8092 §3: global administrator, two local data parts), limited
// like the communities to 8191 characters; octets after the last whole
// value are ignored. The caller drops the leading space.
func appendLargeCommunities(dst []byte, v []byte) []byte {
	start := len(dst)
	for i := 0; i+12 <= len(v); i += 12 {
		for j := range 3 {
			o := i + 4*j
			x := uint32(v[o])<<24 | uint32(v[o+1])<<16 | uint32(v[o+2])<<8 | uint32(v[o+3])
			if j == 0 {
				dst = append(dst, ' ')
			} else {
				dst = append(dst, ':')
			}
			dst = strconv.AppendUint(dst, uint64(x), 10)
		}
		if len(dst)-start > maxCommText {
			return dst[:start+maxCommText]
		}
	}
	return dst
}

// AppendASPath appends the text bgpdump prints for an AS_PATH value v
// (4-octet ASNs when asn4): "1 2 {3,4}", "(65001 65002) 3", "! Error !"
// for a malformed path. The filter's AS path conditions match this text.
func AppendASPath(dst []byte, v []byte, asn4 bool) []byte {
	n := 2
	if asn4 {
		n = 4
	}
	dst, _ = pathText(dst, v, n)
	return dst
}
