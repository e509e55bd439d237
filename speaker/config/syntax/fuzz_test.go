package syntax

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse protects the configuration reader: any input (a typo, a
// truncated file, binary junk) gives a tree and errors, never a panic;
// every error points inside the input; every node's positions too.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a { b 1; c [ d e ]; }", "a \"x", "a 'y\n", "}", "a [ [", "# c\n\\\nb;", "a {{{",
	} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("testdata/exabgp/conf-*.conf")
	for i, p := range files {
		if i%8 == 0 {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		nodes, err := Parse(src)
		in := func(p Pos) bool { return p.Offset >= 0 && p.Offset <= len(src) && p.Line >= 1 && p.Col >= 1 }
		if err != nil {
			for _, e := range err.(ErrorList) {
				if !in(e.Pos) {
					t.Fatalf("error %v outside the input (%d bytes)", e, len(src))
				}
			}
		}
		var walk func([]*Node)
		walk = func(ns []*Node) {
			for _, n := range ns {
				if !in(n.Key.Pos) || !in(n.End) || n.End.Offset < n.Key.Pos.Offset {
					t.Fatalf("node %q positions %v..%v outside the input", n.Key.Text, n.Key.Pos, n.End)
				}
				walk(n.Children)
			}
		}
		walk(nodes)
	})
}
