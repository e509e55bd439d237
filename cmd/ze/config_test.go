package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exampleConfig = `environment { log { level info; } }
bgp {
  group my-peers {
    local-as 65001;
    family { ipv4 unicast; ipv6 unicast; }
    peer peer-east {
      remote { ip 192.168.1.2; as 65002; }
      local-address 192.168.1.1;
      hold-time 90;
    }
  }
}
plugin { internal bgp-rib; }
`

func runConfig(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := configMain(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), rc
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ze.conf")
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(good, []byte(exampleConfig), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(exampleConfig, "hold-time 90", "holdtime 90", 1)), 0o644)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		rc     int
		stdout string
		stderr string
	}{
		{"valid", "", []string{"validate", good}, 0, "", ""},
		{"unknown key", "", []string{"validate", bad}, 1, "", bad + `:9:7: unknown key "holdtime" (did you mean hold-time?)` + "\n"},
		{"stdin", "bgp { hold-time 2; }", []string{"validate", "-"}, 1, "", "stdin:1:17: hold-time 2 is out of range (want seconds, 0 or 3..65535)\n"},
		{"missing file", "", []string{"validate", filepath.Join(dir, "nope.conf")}, 1, "", "no such file"},
		{"no file", "", []string{"validate"}, 2, "", "usage: ze config validate"},
		{"two files", "", []string{"validate", good, good}, 2, "", "usage: ze config validate"},
		{"no subcommand", "", nil, 2, "", "usage: ze config"},
		{"unknown subcommand", "", []string{"migrate"}, 2, "", "unknown command 'config migrate'"},
		{"flag after file", "", []string{"validate", good, "--dump"}, 0, `"name": "peer-east"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, rc := runConfig(t, tt.stdin, tt.args...)
			if rc != tt.rc {
				t.Errorf("exit %d, want %d (stderr %q)", rc, tt.rc, errs)
			}
			if !strings.Contains(out, tt.stdout) || (tt.stdout == "" && out != "") {
				t.Errorf("stdout %q, want %q", out, tt.stdout)
			}
			if !strings.Contains(errs, tt.stderr) || (tt.stderr == "" && errs != "") {
				t.Errorf("stderr %q, want %q", errs, tt.stderr)
			}
		})
	}
}

func TestConfigDump(t *testing.T) {
	out, errs, rc := runConfig(t, exampleConfig, "validate", "--dump", "-")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs)
	}
	var doc struct {
		Peers []map[string]any `json:"peers"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Peers) != 1 {
		t.Fatalf("peers: %v", doc.Peers)
	}
	p := doc.Peers[0]
	if p["local-as"] != float64(65001) || p["group"] != "my-peers" || p["hold-time"] != float64(90) {
		t.Errorf("peer %v", p)
	}
	if fams, _ := json.Marshal(p["family"]); string(fams) != `["ipv4/unicast","ipv6/unicast"]` {
		t.Errorf("family %s", fams)
	}
}
