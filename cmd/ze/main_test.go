package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const demoPcap = "../../testdata/demo/exabgp-gobgp-ibgp-addpath-v4v6.pcapng"

func init() {
	processMeta = func() (string, int, int) { return "test-host", 4242, 1 }
}

func runZe(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), rc
}

// TestGolden runs ze as a user would and compares stdout with a golden
// file (regenerate with go test ./cmd/ze -update).
func TestGolden(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		rc    int
	}{
		{"decode-pcap-text", "", []string{"bgp", "decode", "--pcap", demoPcap, "--format", "text"}, 0},
		{"decode-pcap-json", "", []string{"bgp", "decode", "--pcap", demoPcap}, 0},
		{"decode-pcap-exabgp", "", []string{"bgp", "decode", "--format", "exabgp", "--pcap", demoPcap}, 0},
		{"decode-pcap-exabgp5", "", []string{"bgp", "decode", "--format", "exabgp", "--exabgp-version", "5", "--pcap", demoPcap}, 0},
		// hex on stdin: the hold-timer capture's lines (OPENs first, so
		// ASN4 and ADD-PATH are learnt)
		{"decode-hex-stdin", readFile(t, "../../internal/capture/testdata/exabgp-frr-notification-hold-timer-expired.hex.txt"), []string{"bgp", "decode"}, 0},
		// spaces, colons, lower case, missing marker, flag after the argument
		{"decode-hex-tolerant", "", []string{"bgp", "decode", "00 13 04", "ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:00:17:02:00:00:00:00", "--format", "text"}, 0},
		{"decode-addpath-flag", "", []string{"bgp", "decode", "--add-path", "ipv4/unicast", "002D020000000E400101004002004003040A0000010000000718080808"}, 0},
		{"decode-no-asn4", "", []string{"bgp", "decode", "--no-asn4", "--format", "text", "002F0200000014400101004002060202FDE9FDEA4003040A000001180A0000"}, 0},
		{"decode-nlri-only", "", []string{"bgp", "decode", "--family", "ipv6/unicast", "2020010DB8 402001 0DB8 0001 0000"}, 0},
		// the attribute list claims 4 octets, 3 are there: session reset
		{"decode-malformed", "", []string{"bgp", "decode", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001A0200000004400100"}, 1},
		// MED's length runs past the attribute list: treat-as-withdraw
		// (RFC 7606 §4), decoded up to the break
		{"decode-treat-as-withdraw", "", []string{"bgp", "decode", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00240200000009400101008004050000180A0100"}, 0},
		{"decode-not-hex", "", []string{"bgp", "decode", "zz"}, 1},
		{"encode-route", "", []string{"bgp", "encode", "route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10 community [65000:1 no-export] large-community [65000:1:2]"}, 0},
		{"encode-ipv6-addpath", "", []string{"bgp", "encode", "--add-path", "ipv6/unicast", "route 2001:db8::/32 next-hop 2001:db8::1 path-information 7"}, 0},
		{"encode-no-asn4", "", []string{"bgp", "encode", "--no-asn4", "route 10.0.0.0/24 next-hop 192.0.2.1 as-path [65001 4200000001]"}, 0},
		{"encode-stdin", "route 10.0.0.0/24 next-hop 192.0.2.1\nwithdraw route 10.0.1.0/24\n", []string{"bgp", "encode"}, 0},
		{"encode-bad-keyword", "", []string{"bgp", "encode", "route 10.0.0.0/24 nexthop 192.0.2.1"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, rc := runZe(t, tt.stdin, tt.args...)
			if rc != tt.rc {
				t.Fatalf("exit %d, want %d; stderr:\n%s", rc, tt.rc, errs)
			}
			got := out
			if errs != "" {
				got += "--- stderr\n" + errs
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := readFile(t, golden)
			if got != want {
				t.Errorf("ze %s: output differs from %s\n--- got\n%s\n--- want\n%s", strings.Join(tt.args, " "), golden, got, want)
			}
		})
	}
}

// TestEncodeDecodeRoundTrip: decode(encode(x)) gives back x in text form.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	routes := []string{
		"announce route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10 community [65000:1 no-export] large-community [65000:1:2]",
		"announce route 2001:db8::/32 next-hop 2001:db8::1 origin egp as-path [4200000001] local-preference 200 extended-community [target:65000:1]",
		"announce route 10.1.0.0/16 next-hop 192.0.2.1 origin incomplete as-path [65001] atomic-aggregate aggregator 65001:192.0.2.9",
		"withdraw route 10.0.0.0/24",
	}
	for _, r := range routes {
		hex, errs, rc := runZe(t, "", "bgp", "encode", r)
		if rc != 0 {
			t.Fatalf("encode %q: exit %d: %s", r, rc, errs)
		}
		out, errs, rc := runZe(t, hex, "bgp", "decode", "--format", "text")
		if rc != 0 {
			t.Fatalf("decode %q: exit %d: %s", hex, rc, errs)
		}
		if got := strings.TrimSpace(out); got != r {
			t.Errorf("round trip:\n got %s\nwant %s", got, r)
		}
	}
}

// TestDecodeJSONValid: every line of every format that is JSON is valid.
func TestDecodeJSONValid(t *testing.T) {
	for _, format := range []string{"json", "exabgp"} {
		out, errs, rc := runZe(t, "", "bgp", "decode", "--format", format, "--pcap", demoPcap)
		if rc != 0 {
			t.Fatalf("%s: exit %d: %s", format, rc, errs)
		}
		for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if !json.Valid([]byte(line)) {
				t.Errorf("%s line %d is not valid JSON: %s", format, i+1, line)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{}, {"bgp"}, {"bgp", "frobnicate"}, {"nope"},
		{"bgp", "decode", "--format", "xml", "00"},
		{"bgp", "decode", "--exabgp-version", "3", "00"},
		{"bgp", "decode", "--asn4", "--no-asn4", "00"},
		{"bgp", "decode", "--pcap", "/nonexistent.pcap"},
		{"bgp", "decode", "--add-path", "ipv9/unicast", "00"},
	} {
		if _, _, rc := runZe(t, "", args...); rc != 2 {
			t.Errorf("ze %v: exit %d, want 2", args, rc)
		}
	}
	if out, _, rc := runZe(t, "", "version"); rc != 0 || !strings.HasPrefix(out, "ze ") {
		t.Errorf("version: %d %q", rc, out)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
