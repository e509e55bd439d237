package exabgp

import (
	"encoding/hex"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testNeighbor is the neighbor of the vectors and golden files.
var testNeighbor = Neighbor{
	LocalAddress: netip.MustParseAddr("127.0.0.1"),
	PeerAddress:  netip.MustParseAddr("127.0.0.1"),
	LocalAS:      65533,
	PeerAS:       65533,
	RouterID:     netip.MustParseAddr("127.0.0.1"),
	Direction:    "in",
}

var metaRE = regexp.MustCompile(`"time": ([0-9.e+-]+), "host" ?: "([^"]*)", "pid" ?: ([0-9]+), "ppid" ?: ([0-9]+), "counter": ([0-9]+)`)

// metaOf returns the Meta whose rendering reproduces the envelope values
// of an ExaBGP JSON line.
func metaOf(t *testing.T, line string) Meta {
	t.Helper()
	m := metaRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no time/host/pid/ppid/counter in %q", line)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	sec := math.Floor(f)
	nsec := math.Round((f - sec) * 1e9)
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return Meta{
		Time:    time.Unix(int64(sec), int64(nsec)),
		Host:    m[2],
		PID:     atoi(m[3]),
		PPID:    atoi(m[4]),
		Counter: atoi(m[5]),
	}
}

// decodeHex reads a message written as ExaBGP's vectors write them:
// upper- or lower-case hex, with optional colons and spaces, with or
// without the 19-octet header (a body alone is an UPDATE).
func decodeHex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) >= 38 && strings.EqualFold(s[:32], strings.Repeat("F", 32)) {
		return b
	}
	msg := append([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		byte((len(b) + 19) >> 8), byte(len(b) + 19), 2}, b...)
	return msg
}

// firstDiff shows where two strings first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return "\n got: …" + a[lo:min(len(a), i+80)] + "\nwant: …" + b[lo:min(len(b), i+80)]
}
