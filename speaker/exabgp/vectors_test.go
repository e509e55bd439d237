package exabgp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// TestDecodingVectors renders ExaBGP's own decode vectors
// (testdata/decoding, ExaBGP 5 JSON) and compares whole lines, the
// envelope values (time, host, pid, ppid, counter) taken from the vector.
// Vectors of families this package does not parse are listed as skipped.
func TestDecodingVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/decoding/*")
	if err != nil {
		t.Fatal(err)
	}
	// The vectors were decoded with ExaBGP's test configuration: 4-octet
	// ASNs, no ADD-PATH.
	ctx := wire.Context{ASN4: true}
	ran := 0
	for _, file := range files {
		name := filepath.Base(file)
		if name == "LICENCE.txt" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
			if len(lines) < 3 {
				t.Fatalf("vector has %d lines", len(lines))
			}
			head := strings.Fields(lines[0])
			if head[0] == "nlri" {
				t.Skipf("skipped: bare %s NLRI, not a message", strings.Join(head[1:], " "))
			}
			msg := decodeHex(t, lines[1])
			if fam, ok := unparsedFamily(head, msg); ok {
				t.Skipf("skipped: family %s is not parsed", fam)
			}
			want := lines[2]
			out, err := AppendMessage(nil, V5, msg, ctx, testNeighbor, metaOf(t, want))
			if err != nil {
				t.Fatalf("AppendMessage: %v", err)
			}
			if string(out) != want {
				t.Errorf("mismatch:%s", firstDiff(string(out), want))
			}
			ran++
		})
	}
	if ran < 3 {
		t.Errorf("only %d vectors compared, want at least 3", ran)
	}
}

// unparsedFamily names the family of an UPDATE vector when it is not
// IPv4/IPv6 unicast/multicast (from line 1, else from its MP attributes).
func unparsedFamily(head []string, msg []byte) (string, bool) {
	if head[0] != "update" {
		return "", false
	}
	if len(head) == 3 {
		f, err := wire.ParseFamily(head[1] + "/" + head[2])
		if err != nil || !f.IsIP() {
			return head[1] + " " + head[2], true
		}
		return "", false
	}
	if len(msg) < wire.HeaderLen+4 {
		return "", false
	}
	b := msg[wire.HeaderLen:]
	wl := int(b[0])<<8 | int(b[1])
	if len(b) < 4+wl {
		return "", false
	}
	al := int(b[2+wl])<<8 | int(b[3+wl])
	list := b[4+wl:]
	if al < len(list) {
		list = list[:al]
	}
	it := attr.NewIterator(list)
	for it.Next() {
		if it.Code() != attr.CodeMPReach && it.Code() != attr.CodeMPUnreach {
			continue
		}
		v := it.Value()
		if len(v) >= 3 {
			f := wire.Family{AFI: wire.AFI(uint16(v[0])<<8 | uint16(v[1])), SAFI: wire.SAFI(v[2])}
			if !f.IsIP() {
				return safiLabel(f), true
			}
		}
	}
	return "", false
}

func safiLabel(f wire.Family) string { return f.AFI.String() + " " + f.SAFI.String() }
