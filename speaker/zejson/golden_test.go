package zejson

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenCaptures are the shared captures decoded by the golden test;
// testdata/README.md says where they come from.
var goldenCaptures = []string{
	"exabgp-gobgp-ibgp-addpath-v4v6",
	"exabgp-frr-bird-asn2-asn4-as4path-as-trans",
	"bird-openbgpd-ebgp-v4v6-addpath-role-vpn",
	"exabgp-frr-notification-update-malformed-attribute-list",
	"exabgp-gobgp-multifamily-ebgp-asn4",
	"gobgp-rr-ibgp-evpn-mup-flowspec-addpath",
}

// TestGolden decodes every message of each capture with the context its
// stream negotiated and compares the JSON lines with
// testdata/NAME.golden.jsonl (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, name := range goldenCaptures {
		t.Run(name, func(t *testing.T) {
			var out []byte
			for _, c := range loadCapture(t, name) {
				start := len(out)
				var err error
				out, err = AppendMessage(out, c.msg, c.ctx, c.meta)
				line := out[start:]
				if !json.Valid(line) {
					t.Fatalf("message %d: invalid JSON: %s", c.meta.Index, line)
				}
				if failed := bytes.Contains(line, []byte(`"parsed":false,"error"`)); failed != (err != nil) {
					t.Errorf("message %d: err = %v but output %s", c.meta.Index, err, line)
				}
				out = append(out, '\n')
			}
			path := filepath.Join("testdata", name+".golden.jsonl")
			if *updateGolden {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(out, want) {
				gl, wl := bytes.Split(out, []byte("\n")), bytes.Split(want, []byte("\n"))
				for i := range min(len(gl), len(wl)) {
					if !bytes.Equal(gl[i], wl[i]) {
						t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("got %d lines, want %d", len(gl), len(wl))
			}
		})
	}
}
