package mrt

import "strconv"

// How the Reader tells a record header from garbage. RFC 6396 has no
// marker to resynchronise on, so a header is judged by its fields: a
// type the reader knows, a subtype defined for it, a length within
// MaxRecordLen. When searching for a new start after damage, a candidate
// must also be long enough for its type's fixed fields and be followed
// by two more plausible headers (or the end of the stream).

// typeRule says which subtypes a record type may have.
type typeRule struct {
	known  bool
	anySub bool   // subtypes are not checked (OSPF, IS-IS)
	subs   uint16 // bit per allowed subtype 0…15
	minLen uint32 // smallest body a real record of the type has (search only)
}

var typeRules = func() (t [50]typeRule) {
	t[TypeBGP] = typeRule{known: true, subs: 0xFF, minLen: 4}           // RFC 6396 §B.2.1: 0…7
	t[TypeOSPFv2] = typeRule{known: true, anySub: true, minLen: 8}      // §4.1
	t[TypeTableDump] = typeRule{known: true, subs: 0x1E, minLen: 22}    // §4.2: 1, 2 (3, 4: bgpdump's 4-octet AS variants)
	t[TypeTableDumpV2] = typeRule{known: true, subs: 0x1FFE, minLen: 4} // §4.3, RFC 8050: 1…12
	t[TypeBGP4MP] = typeRule{known: true, subs: 0x0FFF, minLen: 8}      // §4.4, RFC 8050: 0…11
	t[TypeBGP4MPET] = typeRule{known: true, subs: 0x0FFF, minLen: 12}   // §3: as BGP4MP, plus 4 µs octets
	t[TypeISIS] = typeRule{known: true, anySub: true, minLen: 1}        // §4.5
	t[TypeISISET] = typeRule{known: true, anySub: true, minLen: 5}      //
	t[TypeOSPFv3] = typeRule{known: true, anySub: true, minLen: 8}      // §4.6
	t[TypeOSPFv3ET] = typeRule{known: true, anySub: true, minLen: 12}   //
	return t
}()

// implausible returns why h cannot be a record header, or "".
func implausible(h header) string {
	if int(h.typ) >= len(typeRules) || !typeRules[h.typ].known {
		return "unknown record type " + strconv.Itoa(int(h.typ))
	}
	rule := &typeRules[h.typ]
	if !rule.anySub && (h.sub >= 16 || rule.subs&(1<<h.sub) == 0) {
		return h.typ.String() + " record with unknown subtype " + strconv.Itoa(int(h.sub))
	}
	if h.length > MaxRecordLen {
		return "record length " + strconv.FormatUint(uint64(h.length), 10) + " exceeds the 64 MiB limit"
	}
	if h.typ.HasMicroseconds() && h.length < 4 {
		return h.typ.String() + " record shorter than its microsecond timestamp"
	}
	return ""
}

// candidate reports whether h may start a record when searching: a
// plausible header long enough for its type's fixed fields.
func (r *Reader) candidate(h header) bool {
	return implausible(h) == "" && h.length >= typeRules[h.typ].minLen
}

// maxVerify bounds how far past the window the search reads to check
// that a candidate is followed by another header; a longer candidate is
// taken on its own plausibility.
const maxVerify = 2 << 20

// chainDepth is how many plausible headers must follow a search
// candidate (or the end of the stream come first): with three headers in
// a row, a false start in random or structured octets is unlikely, and
// no timestamp needs to agree (files from different years may be
// concatenated).
const chainDepth = 2

// chained reports whether the candidate h at offset p is followed by
// chainDepth plausible headers, or by fewer and then the end of the
// stream.
func (r *Reader) chained(p int64, h header) bool {
	for range chainDepth {
		next := p + h.total()
		if next+HeaderLen-r.winEnd() > maxVerify {
			return true // too far to check: taken on its own plausibility
		}
		if !r.fill(next + HeaderLen) {
			return r.winEnd() == next
		}
		h = parseHeader(r.at(next, HeaderLen))
		if implausible(h) != "" {
			return false
		}
		p = next
	}
	return true
}

// scanChain looks for a record start in [from, to) — inside the record
// at r.start, whose octets the window holds — and returns the first.
func (r *Reader) scanChain(from, to int64) (int64, bool) {
	for p := from; p < to; p++ {
		if p+HeaderLen > r.winEnd() {
			return 0, false
		}
		h := parseHeader(r.at(p, HeaderLen))
		if r.candidate(h) && r.chained(p, h) {
			return p, true
		}
	}
	return 0, false
}

// resync searches from offset from onwards for the next record start,
// dropping the octets before it, and returns how many octets were
// skipped since r.start. At the end of the stream everything is skipped.
func (r *Reader) resync(from int64) int64 {
	begin := r.start
	p := from
	for {
		if !r.fill(p + HeaderLen) {
			r.start = r.winEnd()
			return r.start - begin
		}
		h := parseHeader(r.at(p, HeaderLen))
		if r.candidate(h) && r.chained(p, h) {
			r.start = p
			return p - begin
		}
		p++
		if p-r.start > 64<<10 {
			r.start = p // let go of what was searched: memory stays bounded
		}
	}
}
