package conformance

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// appendJSON writes n back as JSON (for the round-trip property).
func (n *node) appendJSON(dst []byte) []byte {
	switch {
	case n.Obj:
		dst = append(dst, '{')
		for i, k := range n.Kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			b, _ := json.Marshal(k.Key)
			dst = append(dst, b...)
			dst = append(dst, ':')
			dst = k.appendJSON(dst)
		}
		return append(dst, '}')
	case n.Arr:
		dst = append(dst, '[')
		for i, k := range n.Kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = k.appendJSON(dst)
		}
		return append(dst, ']')
	}
	b, _ := json.Marshal(n.Val)
	return append(dst, b...)
}

func TestParseTree(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // appendJSON of the result; "" for an error
	}{
		{"repeated keys kept in order", `{"a":"1","b":{"c":"2"},"a":"3"}`, `{"a":"1","b":{"c":"2"},"a":"3"}`},
		{"array of objects", `[{"x":"1"},{"x":"2"}]`, `[{"x":"1"},{"x":"2"}]`},
		{"scalars as text", `{"n":12,"t":true,"z":null}`, `{"n":"12","t":"true","z":"null"}`},
		{"empty object", `{}`, `{}`},
		{"trailing data", `{} {}`, ""},
		{"truncated", `{"a":`, ""},
		{"too deep", strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseTree(strings.NewReader(tt.in))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want an error, got %s", n.appendJSON(nil))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(n.appendJSON(nil)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTreeAccessors(t *testing.T) {
	n, err := parseTree(strings.NewReader(`{"bgp":[{"bgp.type":"4"},{"bgp.type":"2"}],"bgp":{"bgp.type":"1","bgp.x_tree":{"y":"z"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, b := range flatten(n.all("bgp")) {
		v, _ := b.str("bgp.type")
		types = append(types, v)
	}
	if !slices.Equal(types, []string{"4", "2", "1"}) {
		t.Errorf("flatten(all(bgp)) types %q", types)
	}
	last := n.all("bgp")[1]
	if v, ok := last.path("bgp.x_tree").str("y"); !ok || v != "z" {
		t.Errorf("path(...).str = %q, %v", v, ok)
	}
	if _, ok := last.str("bgp.x_tree"); ok {
		t.Error("str on an object must report false")
	}
	if got := len(last.withPrefix("bgp.")); got != 2 {
		t.Errorf("withPrefix: %d children", got)
	}
	var nilNode *node
	if nilNode.get("a") != nil || nilNode.all("a") != nil || nilNode.path("a", "b") != nil {
		t.Error("nil node accessors must return nil")
	}
}

// FuzzParseTree protects the reader of tshark's JSON (repeated keys,
// deep nesting, any scalar) against panics, and checks that what it
// reads writes back to JSON that reads the same.
func FuzzParseTree(f *testing.F) {
	for _, s := range []string{`{"a":"1","a":{"b":[1,2,{"c":null}]}}`, `[]`, `"x"`, `{"bgp":[{"bgp.type":"2"}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseTree(strings.NewReader(s))
		if err != nil {
			return
		}
		out := n.appendJSON(nil)
		m, err := parseTree(strings.NewReader(string(out)))
		if err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		if again := m.appendJSON(nil); string(again) != string(out) {
			t.Fatalf("round trip: %s then %s", out, again)
		}
	})
}

// FuzzTsharkLayer protects tsDecode, which turns one tshark "bgp" layer
// into fields, against panics on any dissection shape (missing fields,
// objects where scalars are expected, empty attribute lists).
func FuzzTsharkLayer(f *testing.F) {
	f.Add(`{"bgp.type":"2","bgp.update.withdrawn_routes.length":"0","bgp.update.path_attributes.length":"0"}`)
	f.Add(`{"bgp.type":"2","bgp.update.path_attributes":{"bgp.update.path_attribute":{"bgp.update.path_attribute.type_code":"15","bgp.update.path_attribute.mp_unreach_nlri":""}}}`)
	f.Add(`{"bgp.type":"1","bgp.open.opt":{"bgp.open.opt.param":{"bgp.cap":{"bgp.cap.type":"69","bgp.cap.ap.afi":"1"}}}}`)
	f.Add(`{"bgp.type":"3","bgp.notify.major_error":"6","bgp.notify.minor_error_cease":{"x":"1"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseTree(strings.NewReader(s))
		if err != nil {
			return
		}
		tsDecode(n)
	})
}

func TestCountList(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]int
	}{
		{"1 ORIGIN (8), 2 AS_PATH (8)", map[string]int{"1": 8, "2": 8}},
		{"0x00/0x02 RT (2-byte AS) (11540), 0x02/0x03 Route Origin (4-byte AS) (1472)", map[string]int{"0x00/0x02": 11540, "0x02/0x03": 1472}},
		{"26 AIGP (3), 153 unknown-0x99 (generic, opt-transitive) (1)", map[string]int{"26": 3, "153": 1}},
		{"1 ORIGIN (8), 2 AS_PATH", nil},
	}
	for _, tt := range tests {
		got, err := countList(tt.in, firstWord)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%q: want an error, got %v", tt.in, got)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%q: %s = %d, want %d", tt.in, k, got[k], v)
			}
		}
	}
}

// TestIndexChecksDetects makes sure indexChecks reports a disagreement
// rather than passing vacuously.
func TestIndexChecksDetects(t *testing.T) {
	sec := indexSection{
		"Messages (tshark)": "OPEN 2, UPDATE 3; largest message 100 bytes",
		lAttrs:              "1 ORIGIN (3), 2 AS_PATH (3)",
		lEoR:                "IPv4 unicast (1)",
		"Files":             "x",
		"OPEN My AS values": "65001, 65002; hold times: 90",
		lTexts:              `"a"; "b"`,
	}
	s := summary{}
	s.inc(lMessages, "OPEN")
	s.inc(lMessages, "OPEN")
	for range 3 {
		s.inc(lMessages, "UPDATE")
		s.inc(lAttrs, "1")
		s.inc(lAttrs, "2")
	}
	s[lLargest] = map[string]int{"": 100}
	s.inc(lEoR, "1/1")
	s.inc(lMyAS, "65001")
	s.inc(lMyAS, "65002")
	s.inc(lHold, "90")
	s.inc(lTexts, "a")
	s.inc(lTexts, "b")
	if bad, unchecked := indexChecks(sec, s); len(bad) != 0 || !slices.Equal(unchecked, []string{"Files"}) {
		t.Fatalf("clean summary: bad %q, unchecked %q", bad, unchecked)
	}
	s.inc(lAttrs, "2")
	s.inc(lHold, "180")
	bad, _ := indexChecks(sec, s)
	if len(bad) != 2 {
		t.Fatalf("want 2 disagreements, got %q", bad)
	}
}
