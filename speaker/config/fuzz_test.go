package config

import (
	"os"
	"testing"

	"github.com/ze-bgp/ze/speaker/config/syntax"
)

// FuzzParse protects configuration checking: whatever the file holds,
// Parse returns a Config or errors, never panics, and every error points
// inside the input.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/example.conf"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`bgp { local-as 1.10; group g { family { ipv4 unicast; } peer a { remote { ip 192.0.2.1; as 2; }
	  static { route 10.0.0.0/24 next-hop 192.0.2.1 as-path [1 (2 3)]; } api { processes [ p ]; receive { update; } } } } }
	process p { run a "b c"; } plugin { internal bgp-rib; } environment { log { level info; } }`))
	f.Add([]byte("bgp { holdtime 1; local-as 0; peer { } capability x { } }"))
	f.Add([]byte(`bgp { local-as 1; maximum-prefix 10 restart 5m; family { ipv4 unicast { maximum-prefix 5 warning-only; } ipv6 unicast { } }
	  peer a { remote { ip 192.0.2.1; as 2; } } } process p { run x; encoder ze-json; respawn 0; queue 8; on-full drop-events; withdraw-on-exit false; }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := Parse("f", src)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without error")
			}
			return
		}
		for _, e := range err.(syntax.ErrorList) {
			if e.Pos.Offset < 0 || e.Pos.Offset > len(src) || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("error %v outside the input (%d bytes)", e, len(src))
			}
		}
	})
}
