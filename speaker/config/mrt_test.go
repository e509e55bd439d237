package config

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

const mrtPeers = "bgp { local-as 1; peer east { remote { ip 192.0.2.1; as 2; } } peer west { remote { ip 192.0.2.2; as 3; } } }\n"

func TestMRT(t *testing.T) {
	cfg := mustParse(t, mrtPeers+`mrt {
  updates /var/lib/ze/updates.%Y%m%d.%H%M.gz every 5m;
  table "/var/lib/ze/bview.%Y%m%d.%H%M.gz" every 28800;
  loc-rib locrib.%s every 1h30m;
  peers [ west ];
}`)
	m := cfg.MRT
	want := MRT{
		Updates: Recording{"/var/lib/ze/updates.%Y%m%d.%H%M.gz", 5 * time.Minute},
		Table:   Recording{"/var/lib/ze/bview.%Y%m%d.%H%M.gz", 8 * time.Hour},
		LocRIB:  Recording{"locrib.%s", 90 * time.Minute},
		Peers:   []string{"west"},
	}
	if m.Updates != want.Updates || m.Table != want.Table || m.LocRIB != want.LocRIB || !slices.Equal(m.Peers, want.Peers) || !m.Enabled() {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"updates":{"file":"/var/lib/ze/updates.%Y%m%d.%H%M.gz","every":"5m0s"}`) {
		t.Errorf("json %s", b)
	}

	cfg = mustParse(t, mrtPeers)
	if cfg.MRT.Enabled() || cfg.MRT.Peers == nil {
		t.Errorf("no mrt block: %+v", cfg.MRT)
	}
	if b, _ := json.Marshal(cfg.MRT); string(b) != `{"peers":[]}` {
		t.Errorf("no mrt block: json %s", b)
	}
}

func TestMRTErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"no every", "mrt { updates u.%H; }", []string{`1:19: updates takes FILE-PATTERN every DURATION (updates /var/lib/ze/updates.%Y%m%d.%H%M.gz every 5m;)`}},
		{"not every", "mrt { updates u.%H each 5m; }", []string{`1:20: updates takes FILE-PATTERN every DURATION`}},
		{"list", "mrt { table [ a b ] every 5m; }", []string{`1:13: table takes FILE-PATTERN every DURATION, not a list`}},
		{"bad field", "mrt { updates u.%Q every 5m; }", []string{`1:15: updates: file pattern "u.%Q": unknown field %Q`}},
		{"trailing percent", "mrt { updates u.% every 5m; }", []string{`ends with %`}},
		{"directory", "mrt { updates dir/ every 5m; }", []string{`names no file`}},
		{"bad duration", "mrt { updates u every 5 minutes; }", []string{`updates takes FILE-PATTERN every DURATION`}},
		{"unit typo", "mrt { updates u every 5mn; }", []string{`1:23: updates: invalid DURATION "5mn"`}},
		{"zero", "mrt { updates u every 0; }", []string{`DURATION "0" is out of range`}},
		{"fraction", "mrt { updates u every 1.5s; }", []string{`DURATION "1.5s" is out of range`}},
		{"too long", "mrt { table u every 169h; }", []string{`DURATION "169h" is out of range`}},
		{"twice", "mrt { updates u every 5m; updates v every 5m; }", []string{`updates is given twice`}},
		{"same files", "mrt { updates u every 5m; table u every 1h; }", []string{`1:27: mrt table writes the same files as updates (u)`}},
		{"nothing", mrtPeers + "mrt { peers [ east ]; }", []string{`mrt records nothing`}},
		{"unknown peer", mrtPeers + "mrt { updates u every 5m; peers [ est ]; }", []string{`2:27: mrt: no peer "est" (did you mean east?)`}},
		{"unknown key", "mrt { update u every 5m; }", []string{`unknown key "update" (did you mean updates?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkProblems(t, tt.src, tt.want) })
	}
}

func TestParseEvery(t *testing.T) {
	for s, want := range map[string]time.Duration{"1": time.Second, "300": 5 * time.Minute, "30s": 30 * time.Second, "5m": 5 * time.Minute, "1h": time.Hour, "168h": 168 * time.Hour} {
		if got, err := parseEvery(s); err != nil || got != want {
			t.Errorf("parseEvery(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}

// FuzzMRTBlock protects the mrt block's checks (fileEvery, checkPattern,
// parseEvery, the peers list): any statement in it is accepted or
// reported, never a panic, and an accepted recording has a valid period.
func FuzzMRTBlock(f *testing.F) {
	f.Add("updates u.%Y%m%d.%H%M.gz every 5m;")
	f.Add("table 'a b' every 300; peers [ east ];")
	f.Add("loc-rib x every 1h30m; updates y every 1.5s;")
	f.Add("updates % every;")
	f.Fuzz(func(t *testing.T, body string) {
		cfg, err := Parse("t", []byte(mrtPeers+"mrt {\n"+body+"\n}"))
		if err != nil {
			return
		}
		for _, r := range []Recording{cfg.MRT.Updates, cfg.MRT.Table, cfg.MRT.LocRIB} {
			if r.File != "" && (r.Every < minEvery || r.Every > maxEvery || checkPattern(r.File) != nil) {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
