package tcpsig

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestMinTTL(t *testing.T) {
	for _, tt := range []struct{ hops, want uint8 }{
		{0, 0},     // off
		{1, 255},   // directly connected: RFC 5082 §3
		{2, 254},   // one router between
		{254, 2},   // the largest hop count config accepts
		{128, 128}, // 255 - 128 + 1
	} {
		if got := MinTTL(tt.hops); got != tt.want {
			t.Errorf("MinTTL(%d) = %d, want %d", tt.hops, got, tt.want)
		}
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    Options
		err  error // nil: any error
		ok   bool
	}{
		{"zero", Options{}, nil, true},
		{"ttl", Options{TTL: 5}, nil, true},
		{"key of 80", Options{MD5Key: strings.Repeat("k", 80)}, nil, Supported},
		{"key of 81", Options{MD5Key: strings.Repeat("k", 81)}, ErrKeyLen, false},
		{"gtsm 255", Options{GTSM: 255}, nil, false},
		{"gtsm 1", Options{GTSM: 1}, nil, Supported},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.check()
			if tt.ok != (err == nil) || (tt.err != nil && !errors.Is(err, tt.err)) {
				t.Errorf("check: %v", err)
			}
		})
	}
}

func TestTTLs(t *testing.T) {
	for _, tt := range []struct {
		o        Options
		ttl, min int
	}{
		{Options{}, -1, 0},
		{Options{TTL: 3}, 3, 0},
		{Options{GTSM: 1, TTL: 3}, 255, 255}, // GTSM wins
		{Options{GTSM: 2}, 255, 254},
	} {
		if ttl, min := tt.o.ttls(); ttl != tt.ttl || min != tt.min {
			t.Errorf("%+v: ttl %d min %d, want %d %d", tt.o, ttl, min, tt.ttl, tt.min)
		}
	}
}

func TestParseNetstat(t *testing.T) {
	const head = "TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPMinTTLDrop\n"
	for _, tt := range []struct {
		name string
		in   string
		want KernelStats
		err  bool
	}{
		{"counters", head + "TcpExt: 9 1 2 3 4\nIpExt: InNoRoutes\nIpExt: 0\n", KernelStats{MD5NotFound: 1, MD5Unexpected: 2, MD5Failure: 3, MinTTLDrop: 4}, false},
		{"old kernel without TCPMinTTLDrop", "TcpExt: TCPMD5Failure\nTcpExt: 7\n", KernelStats{MD5Failure: 7}, false},
		{"no TcpExt", "IpExt: InNoRoutes\nIpExt: 0\n", KernelStats{}, true},
		{"names only", head, KernelStats{}, true},
		{"names, other values", head + "IpExt: 0\n", KernelStats{}, true},
		{"short values", head + "TcpExt: 1 2\n", KernelStats{}, true},
		{"not a number", head + "TcpExt: 1 2 x 4 5\n", KernelStats{}, true},
		{"negative", head + "TcpExt: 1 -2 3 4 5\n", KernelStats{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNetstat([]byte(tt.in))
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("got %+v, %v; want %+v (error %v)", got, err, tt.want, tt.err)
			}
			if err != nil && !errors.Is(err, errNetstat) {
				t.Errorf("error %v is not errNetstat", err)
			}
		})
	}
	b, err := os.ReadFile("testdata/netstat.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseNetstat(b); err != nil {
		t.Errorf("testdata/netstat.txt: %v", err)
	}
}

// FuzzParseNetstat protects the /proc/net/netstat reader: any text
// gives counters or errNetstat, never a panic.
func FuzzParseNetstat(f *testing.F) {
	if b, err := os.ReadFile("testdata/netstat.txt"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("TcpExt: TCPMD5Failure\nTcpExt: 7\n"))
	f.Add([]byte("TcpExt: a b\nTcpExt: 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseNetstat(b); err != nil && !errors.Is(err, errNetstat) {
			t.Fatalf("error %v is not errNetstat", err)
		}
	})
}

func TestKernelStatsSub(t *testing.T) {
	a := KernelStats{MD5Failure: 5, MinTTLDrop: 2}
	b := KernelStats{MD5Failure: 3, MinTTLDrop: 2}
	if got := a.Sub(b); got != (KernelStats{MD5Failure: 2}) {
		t.Errorf("Sub %+v", got)
	}
	if s := a.String(); s != "TCPMD5Failure=5 TCPMD5NotFound=0 TCPMD5Unexpected=0 TCPMinTTLDrop=2" {
		t.Errorf("String %q", s)
	}
}

func TestSynTTL(t *testing.T) {
	v4 := []byte{
		0x45, 0x00, 0x00, 0x3c, // version 4, IHL 5, TOS, total length 60
		0x12, 0x34, 0x40, 0x00, // identification, flags DF
		0xfe, 0x06, 0x00, 0x00, // TTL 254, protocol TCP, checksum
		192, 0, 2, 1, // source
		192, 0, 2, 2, // destination
	}
	v6 := []byte{
		0x60, 0x00, 0x00, 0x00, // version 6, traffic class, flow label
		0x00, 0x28, 0x06, 0xff, // payload length 40, next header TCP, hop limit 255
	}
	v6 = append(v6, make([]byte, 32)...) // source, destination
	for _, tt := range []struct {
		name string
		b    []byte
		ttl  uint8
		ok   bool
	}{
		{"ipv4", v4, 254, true},
		{"ipv6", v6, 255, true},
		{"short ipv4", v4[:19], 0, false},
		{"short ipv6", v6[:39], 0, false},
		{"empty", nil, 0, false},
		{"version 5", append([]byte{0x55}, v4[1:]...), 0, false},
	} {
		if ttl, ok := synTTL(tt.b); ttl != tt.ttl || ok != tt.ok {
			t.Errorf("%s: %d %v, want %d %v", tt.name, ttl, ok, tt.ttl, tt.ok)
		}
	}
}
