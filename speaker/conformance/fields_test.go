package conformance

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// fields is one side's decoding of a message as named values, in the
// order found. Names are shared by both sides: "type", "length",
// "update.as-path[0].asns", "update.mp-reach-nlri.nlri[2]",
// "open.cap[3].code"… Lists carry their index in the name, so two
// decodings compare by name.
type fields struct {
	names []string
	vals  map[string]string
}

func newFields() *fields { return &fields{vals: map[string]string{}} }

// add records name = val; a repeated name gets a "#2", "#3"… suffix so
// nothing is lost.
func (f *fields) add(name, val string) {
	if _, dup := f.vals[name]; dup {
		for i := 2; ; i++ {
			n := name + "#" + strconv.Itoa(i)
			if _, dup := f.vals[n]; !dup {
				name = n
				break
			}
		}
	}
	f.names = append(f.names, name)
	f.vals[name] = val
}

func (f *fields) addf(name, format string, args ...any) { f.add(name, fmt.Sprintf(format, args...)) }

// diff is one field on which the two decodings disagree; a value of
// absent means the side has no such field.
type diff struct {
	Field  string
	Ze     string
	Tshark string
}

const absent = "<absent>"

// compare returns the fields both sides hold and the differences, in
// ze's order then tshark's extra fields.
func compare(ze, ts *fields) (same int, diffs []diff) {
	seen := map[string]bool{}
	for _, n := range ze.names {
		seen[n] = true
		tv, ok := ts.vals[n]
		if !ok {
			tv = absent
		}
		if tv == ze.vals[n] {
			same++
		} else {
			diffs = append(diffs, diff{n, ze.vals[n], tv})
		}
	}
	for _, n := range ts.names {
		if !seen[n] {
			diffs = append(diffs, diff{n, absent, ts.vals[n]})
		}
	}
	return same, diffs
}

// prefixString is the shared form of one prefix: "10.0.0.0/24", with
// " id N" appended when it carries an ADD-PATH path identifier.
func prefixString(p netip.Prefix, id uint32, hasID bool) string {
	if hasID {
		return p.String() + " id " + strconv.FormatUint(uint64(id), 10)
	}
	return p.String()
}

// familyString is the numeric "afi/safi" both sides can produce.
func familyString(f wire.Family) string {
	return strconv.Itoa(int(f.AFI)) + "/" + strconv.Itoa(int(f.SAFI))
}

// attrName is the field prefix for attribute type code c.
func attrName(c attr.Code) string { return "update." + c.String() }

// joinU32 renders ASNs as "1 2 3".
func joinU32(v []uint32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatUint(uint64(x), 10)
	}
	return strings.Join(s, " ")
}
