package exabgp

import (
	"encoding/binary"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
)

// pathSeg is one AS_PATH segment held for V5 rendering.
type pathSeg struct {
	typ  attr.SegmentType
	asns []uint32
}

// segments returns the segments of a well-formed AS_PATH value.
func segments(v []byte, asn4 bool) []pathSeg {
	var out []pathSeg
	walkPath(v, asn4, func(typ byte, b []byte) {
		s := pathSeg{typ: attr.SegmentType(typ)}
		for len(b) > 0 {
			if asn4 {
				s.asns = append(s.asns, binary.BigEndian.Uint32(b))
				b = b[4:]
			} else {
				s.asns = append(s.asns, uint32(binary.BigEndian.Uint16(b)))
				b = b[2:]
			}
		}
		out = append(out, s)
	})
	return out
}

// appendASNList appends "[ 1, 2 ]", or "[]" when empty.
func appendASNList(dst []byte, asns []uint32) []byte {
	if len(asns) == 0 {
		return append(dst, "[]"...)
	}
	dst = append(dst, "[ "...)
	for i, a := range asns {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = strconv.AppendUint(dst, uint64(a), 10)
	}
	return append(dst, " ]"...)
}

// appendPathV4 appends ExaBGP 4's flattened AS_PATH keys: "as-path" and
// "confederation-path" always, "as-set" and "confederation-set" when not
// empty.
//
//	"as-path": [ 65001, 65002 ], "as-set": [ 1 ], "confederation-path": []
func appendPathV4(dst []byte, first *bool, l [5][]uint32) []byte {
	keys := [...]struct {
		name   string
		typ    attr.SegmentType
		always bool
	}{
		{"as-path", attr.ASSequence, true},
		{"as-set", attr.ASSet, false},
		{"confederation-path", attr.ConfedSequence, true},
		{"confederation-set", attr.ConfedSet, false},
	}
	for _, k := range keys {
		if !k.always && len(l[k.typ]) == 0 {
			continue
		}
		if !*first {
			dst = append(dst, ", "...)
		}
		*first = false
		dst = append(dst, '"')
		dst = append(dst, k.name...)
		dst = append(dst, `": `...)
		dst = appendASNList(dst, l[k.typ])
	}
	return dst
}

// appendPathV5 appends ExaBGP 5's AS_PATH object, one entry per segment
// keyed by position, written by Python's json.dumps (ExaBGP names every
// confederation segment "as-sequence" too):
//
//	{"0": {"element": "as-sequence", "value": [65001, 65002]}}
func appendPathV5(dst []byte, segs []pathSeg) []byte {
	dst = append(dst, '{')
	for i, s := range segs {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, `": {"element": "`...)
		if s.typ == attr.ASSet {
			dst = append(dst, "as-set"...)
		} else {
			dst = append(dst, "as-sequence"...)
		}
		dst = append(dst, `", "value": [`...)
		for j, a := range s.asns {
			if j > 0 {
				dst = append(dst, ", "...)
			}
			dst = strconv.AppendUint(dst, uint64(a), 10)
		}
		dst = append(dst, "]}"...)
	}
	return append(dst, '}')
}

// mergedSegs is the V5 form of a merged AS_PATH: the sequence, then the
// set, each when not empty.
func mergedSegs(seq, set []uint32) []pathSeg {
	var out []pathSeg
	if len(seq) > 0 {
		out = append(out, pathSeg{attr.ASSequence, seq})
	}
	if len(set) > 0 {
		out = append(out, pathSeg{attr.ASSet, set})
	}
	return out
}

// appendPathText appends ExaBGP 4's text form of an AS path (used where
// it prints an AS4_PATH it did not merge): "[ 1 2 ]", "[ 1 2 ( 3 4 ) ]",
// "[ ( 3 4 )]", "[ ]", the confederation part appended the same way.
func appendPathText(dst []byte, l [5][]uint32) []byte {
	part := func(dst []byte, seq, set []uint32) []byte {
		join := func(dst []byte, a []uint32) []byte {
			for i, x := range a {
				if i > 0 {
					dst = append(dst, ' ')
				}
				dst = strconv.AppendUint(dst, uint64(x), 10)
			}
			return dst
		}
		switch {
		case len(seq) == 0 && len(set) == 0:
			return append(dst, "[ ]"...)
		case len(seq) == 0:
			dst = append(dst, "[ ( "...)
			return append(join(dst, set), " )]"...)
		}
		dst = append(dst, "[ "...)
		dst = join(dst, seq)
		if len(set) > 0 {
			dst = append(dst, " ( "...)
			dst = append(join(dst, set), " ) ]"...)
			return dst
		}
		return append(dst, " ]"...)
	}
	dst = part(dst, l[attr.ASSequence], l[attr.ASSet])
	if len(l[attr.ConfedSequence]) > 0 || len(l[attr.ConfedSet]) > 0 {
		dst = part(dst, l[attr.ConfedSequence], l[attr.ConfedSet])
	}
	return dst
}

// appendPathTextV5 appends ExaBGP 5's text form: each segment as
// HEAD ASNs TAIL ("( 1 2 )" sequence, "[ 3 ]" set, "{( )}" and "{[ ]}"
// confederation sequence and set), separated by spaces.
func appendPathTextV5(dst []byte, segs []pathSeg) []byte {
	for i, s := range segs {
		if i > 0 {
			dst = append(dst, ' ')
		}
		head, tail := "(", ")"
		switch s.typ {
		case attr.ASSet:
			head, tail = "[", "]"
		case attr.ConfedSequence:
			head, tail = "{(", ")}"
		case attr.ConfedSet:
			head, tail = "{[", "]}"
		}
		dst = append(dst, head...)
		dst = append(dst, ' ')
		for j, a := range s.asns {
			if j > 0 {
				dst = append(dst, ' ')
			}
			dst = strconv.AppendUint(dst, uint64(a), 10)
		}
		dst = append(dst, ' ')
		dst = append(dst, tail...)
	}
	return dst
}
