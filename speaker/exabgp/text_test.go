package exabgp

import (
	"encoding/hex"
	"net/netip"
	"testing"
	"time"
)

// TestAppendAddr checks IPv6 text against glibc's inet_ntop, which
// ExaBGP (Python's socket.inet_ntop) uses.
func TestAppendAddr(t *testing.T) {
	tests := []struct{ hex, want string }{
		{"00000000000000000000000000000000", "::"},
		{"00000000000000000000000000000001", "::1"},
		{"00000000000000000000000001020304", "::1.2.3.4"},
		{"00000000000000000000ffff01020304", "::ffff:1.2.3.4"},
		{"20010db8000000000001000000000001", "2001:db8::1:0:0:1"},
		{"20010db8000100000000000000000001", "2001:db8:1::1"},
		{"fe800000000000000000000000000001", "fe80::1"},
		{"00010000000000000000000000000000", "1::"},
		{"20010db8000000010000000000000000", "2001:db8:0:1::"},
		{"00000000000000000000fffe01020304", "::fffe:102:304"},
		{"0000000000000000ffff000001020304", "::ffff:0:102:304"},
		{"20010db8000000000000000000000000", "2001:db8::"},
		{"00000000000000000000000000010000", "::0.1.0.0"},
		{"000000000000000000000000ffff0000", "::255.255.0.0"},
		{"0a000001", "10.0.0.1"},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		a, _ := netip.AddrFromSlice(b)
		if got := string(appendAddr(nil, a)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.hex, got, tt.want)
		}
	}
	if got := appendAddr(nil, netip.Addr{}); len(got) != 0 {
		t.Errorf("invalid address: got %q", got)
	}
}

// TestAppendPyFloat checks floats against Python's repr().
func TestAppendPyFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1704795393.2683032, "1704795393.2683032"},
		{1653384088.2516758, "1653384088.2516758"},
		{1795297921.8552904, "1795297921.8552904"},
		{1700000000, "1700000000.0"},
		{0, "0.0"},
		{1.5, "1.5"},
		{1e16, "1e+16"},
		{123456789012345678, "1.2345678901234568e+17"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{1e-7, "1e-07"},
		{12.5e20, "1.25e+21"},
	}
	for _, tt := range tests {
		if got := string(appendPyFloat(nil, tt.f)); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.f, got, tt.want)
		}
	}
	// A time built from a printed float prints that float again.
	if got := string(appendTime(nil, time.Unix(1704795393, 268303200))); got != "1704795393.2683032" {
		t.Errorf("time: got %q", got)
	}
	if got := string(appendTime(nil, time.Time{})); got != "0.0" {
		t.Errorf("zero time: got %q", got)
	}
}

func TestAppendFloatInt(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {1.9, "1"}, {-1.5, "-1"}, {125000000, "125000000"},
		{3.4028234663852886e38, "340282346638528859811704183484516925440"},
	}
	for _, tt := range tests {
		got, ok := appendFloatInt(nil, tt.f)
		if !ok || string(got) != tt.want {
			t.Errorf("%v: got %q %v, want %q", tt.f, got, ok, tt.want)
		}
	}
}
