package decode

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// envelope matches the volatile members of ExaBGP's JSON envelope.
var envelope = regexp.MustCompile(`"(time|host|pid|ppid|counter)"\s*:\s*("[^"]*"|[0-9.]+)`)

func normalise(s string) string { return envelope.ReplaceAllString(s, `"$1":_`) }

// TestExaBGPVectors: `ze bgp decode --format exabgp --exabgp-version 5`
// prints ExaBGP's own expected JSON for every decode vector of the
// families this codec parses (time/host/pid/ppid/counter ignored).
// The vectors are ExaBGP's qa/decoding set, copied into
// speaker/exabgp/testdata/decoding.
func TestExaBGPVectors(t *testing.T) {
	files, _ := filepath.Glob("../exabgp/testdata/decoding/*")
	compared := 0
	for _, f := range files {
		if filepath.Base(f) == "LICENCE.txt" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		head := strings.Fields(lines[0])
		if len(head) < 3 && head[0] != "open" {
			continue
		}
		if head[0] == "update" {
			fam, err := wire.ParseFamily(head[1] + "/" + head[2])
			if err != nil || !fam.IsIP() {
				t.Logf("%s: family %s/%s not parsed yet: skipped", filepath.Base(f), head[1], head[2])
				continue
			}
		} else if head[0] != "open" {
			t.Logf("%s: %s not a message: skipped", filepath.Base(f), head[0])
			continue
		}
		var out bytes.Buffer
		res, err := Strings([]string{lines[1]}, &out, Options{Format: FormatExaBGP, ExaBGPVersion: 5})
		if err != nil || res.Err() != nil {
			t.Fatalf("%s: %v %v", f, err, res.Err())
		}
		got, want := normalise(strings.TrimSpace(out.String())), normalise(lines[2])
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", filepath.Base(f), got, want)
		}
		compared++
	}
	if compared < 3 {
		t.Fatalf("compared %d vectors, want at least 3", compared)
	}
}

// TestLearnsContextFromOpens: hex input whose two OPENs both advertise
// ADD-PATH send/receive for IPv4 unicast decodes the UPDATE that follows
// with path identifiers; without the OPENs it does not.
func TestLearnsContextFromOpens(t *testing.T) {
	const (
		// OPEN AS 65001, hold 90, 10.0.0.1, caps: MP ipv4/unicast, ASN4 65001, ADD-PATH ipv4/unicast both
		openA = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" + "0031" + "01" + "04FDE9005A0A000001" + "14" +
			"0212" + "0104" + "00010001" + "4104" + "0000FDE9" + "4504" + "00010103"
		openB = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" + "0031" + "01" + "04FDEA005A0A000002" + "14" +
			"0212" + "0104" + "00010001" + "4104" + "0000FDEA" + "4504" + "00010103"
		// UPDATE: ORIGIN igp, AS_PATH empty, NEXT_HOP 10.0.0.1, NLRI path-id 7 10.0.0.0/24
		upd = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" + "002D" + "02" + "0000" + "000E" +
			"40010100" + "400200" + "400304" + "0A000001" + "00000007" + "180A0000"
	)
	var out bytes.Buffer
	res, err := Strings([]string{openA, openB, upd}, &out, Options{})
	if err != nil || res.Err() != nil {
		t.Fatalf("%v %v\n%s", err, res.Err(), out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines:\n%s", len(lines), out.String())
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lines[2], `"path-id":7`) || !strings.Contains(lines[2], `"prefix":"10.0.0.0/24"`) {
		t.Errorf("update not decoded with ADD-PATH: %s", lines[2])
	}
	// Without the OPENs the same bytes read as plain prefixes (the path
	// identifier's zero octets become 0.0.0.0/0 entries, as in ExaBGP's
	// ipv4-unicast-1 vector).
	out.Reset()
	Strings([]string{upd}, &out, Options{})
	if strings.Contains(out.String(), `"path-id"`) || strings.Contains(out.String(), `10.0.0.0/24`) {
		t.Errorf("without OPENs: decoded with ADD-PATH: %s", out.String())
	}
	// --add-path forces it.
	out.Reset()
	res, _ = Strings([]string{upd}, &out, Options{AddPath: []wire.Family{wire.IPv4Unicast}})
	if res.Failed != 0 || !strings.Contains(out.String(), `"path-id":7`) {
		t.Errorf("--add-path: %s", out.String())
	}
}

// TestPcapStreams: a capture with two directions of ADD-PATH and ASN4
// decodes without failure and labels every message with its stream.
func TestPcapStreams(t *testing.T) {
	f, err := os.Open("../../testdata/demo/exabgp-gobgp-ibgp-addpath-v4v6.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	res, err := Pcap(f, &out, Options{})
	if err != nil || res.Err() != nil {
		t.Fatalf("%v %v", err, res.Err())
	}
	if res.Messages != 31 {
		t.Errorf("%d messages, want 31 (INDEX.md: 5 OPEN, 22 UPDATE, 1 NOTIFICATION, 2 KEEPALIVE, 1 ROUTE-REFRESH)", res.Messages)
	}
	for i, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.Contains(l, `"stream":`) || !strings.Contains(l, `"src":`) || !strings.Contains(l, `"time":`) {
			t.Errorf("line %d has no stream label: %s", i+1, l)
		}
	}
}
