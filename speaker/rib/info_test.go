package rib

import "testing"

func TestPathInfo(t *testing.T) {
	for _, tc := range []struct {
		name     string
		v        []byte // AS_PATH value, 4-octet ASNs
		n        uint16
		neighbor uint32
	}{
		{"empty", nil, 0, 0},
		{"sequence", []byte{
			2, 2, // AS_SEQUENCE, 2 ASNs
			0, 0, 0xFD, 0xE9, // 65001
			0, 0, 0xFD, 0xEA, // 65002
		}, 2, 65001},
		{"set first", []byte{
			1, 2, // AS_SET, 2 ASNs: counts 1
			0, 0, 0, 1, 0, 0, 0, 2,
			2, 1, // AS_SEQUENCE, 1 ASN
			0, 0, 0, 3,
		}, 2, 0},
		{"confederation first", []byte{
			3, 1, // AS_CONFED_SEQUENCE: counts 0 (RFC 5065 §5.3)
			0, 0, 0xFC, 0x00, // 64512
			2, 1, // AS_SEQUENCE
			0, 0, 0xFD, 0xE9, // 65001: the neighbour AS
		}, 1, 65001},
		{"truncated", []byte{
			2, 1, 0, 0, 0, 7, // AS_SEQUENCE [7]
			2, 3, 0, 0, 0, 8, // claims 3 ASNs, holds 1: the walk stops
		}, 1, 7},
		{"bad type", []byte{9, 1, 0, 0, 0, 7}, 0, 0},
	} {
		n, nb := pathInfo(string(tc.v))
		if n != tc.n || nb != tc.neighbor {
			t.Errorf("%s: pathInfo = %d, %d; want %d, %d", tc.name, n, nb, tc.n, tc.neighbor)
		}
	}
}
