package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// render prints a tree compactly: key@line:col args {children}.
func render(nodes []*Node) string {
	var b strings.Builder
	for i, n := range nodes {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(n.Key.Text + "@" + n.Key.Pos.String())
		for _, a := range n.Args {
			b.WriteString(" " + a.String() + "@" + a.Pos.String())
		}
		if n.Block {
			b.WriteString(" {" + render(n.Children) + "}")
		} else {
			b.WriteString(";")
		}
	}
	return b.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"statement", "hold-time 90;", "hold-time@1:1 90@1:11;"},
		{"flag", "passive;", "passive@1:1;"},
		{"block", "a { b 1; c; }", "a@1:1 {b@1:5 1@1:7; c@1:10;}"},
		{"named block", "peer p1 {\n  x 1;\n}", "peer@1:1 p1@1:6 {x@2:3 1@2:5;}"},
		{"empty block", "a {}", "a@1:1 {}"},
		{"list", "processes [ a b ];", "processes@1:1 [ a b ]@1:11;"},
		{"tight list", "p [a b];", "p@1:1 [ a b ]@1:3;"},
		{"nested list", "as-path [1 [2 3]];", "as-path@1:1 [ 1 [ 2 3 ] ]@1:9;"},
		{"comment", "# top\na 1; # end\n#x\nb;", "a@2:1 1@2:3; b@4:1;"},
		{"hash inside word", "md5 ab#c;", "md5@1:1 ab#c@1:5;"},
		{"double quoted", `d "a b; {c}";`, `d@1:1 "a b; {c}"@1:3;`},
		{"escape", `d "a\"b";`, `d@1:1 "a\"b"@1:3;`},
		{"single quoted", `d 'x\y' 'a b';`, `d@1:1 x\y@1:3 "a b"@1:9;`},
		{"continuation", "route 1 \\\n  next-hop 2;", "route@1:1 1@1:7 next-hop@2:3 2@2:12;"},
		{"utf-8 columns", "d \"é\" x;", "d@1:1 é@1:3 x@1:7;"},
		{"tabs and crlf", "a\t1;\r\nb 2;\r\n", "a@1:1 1@1:3; b@2:1 2@2:3;"},
		{"space before semicolon", "route-refresh ;", "route-refresh@1:1;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := render(nodes); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"missing semicolon before brace", "a { b 1 }", []string{"1:9: missing ; after b"}},
		{"missing semicolon at end", "a 1", []string{"1:4: missing ; after a at the end of the file"}},
		{"unclosed block", "a {\n b;\n", []string{"1:3: { is not closed"}},
		{"stray brace", "a;\n}\nb;", []string{"2:1: unexpected }: no block is open"}},
		{"stray bracket", "a ];", []string{"1:3: unexpected ]: no list is open"}},
		{"unclosed list", "a [ b;", []string{"1:3: [ is not closed"}},
		{"unclosed string", "a \"b;\nc;", []string{"1:3: string is not closed before the end of the line"}},
		{"string key", `"a" b;`, []string{`1:1: expected a key, found the string "a"`}},
		{"lone semicolon", "a; ;", []string{"1:4: expected a key, found ;"}},
		{"several", "a {\n b 1 }\n}\n", []string{"2:6: missing ; after b", "3:1: unexpected }: no block is open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			var got []string
			for _, e := range err.(ErrorList) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	in := strings.Repeat("a {", 1000) + strings.Repeat("}", 1000)
	if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("got %v", err)
	}
	in = "a " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + ";"
	if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("got %v", err)
	}
}

func TestErrorFile(t *testing.T) {
	_, err := Parse([]byte("a"))
	l := err.(ErrorList)
	l.SetFile("x.conf")
	if got, want := l.Error(), "x.conf:1:2: missing ; after a at the end of the file"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// TestExaBGPConfigs: ExaBGP's configurations have the same shape, so a
// reader of them can be built on this parser.
func TestExaBGPConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/exabgp/*.conf")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		nodes, err := Parse(src)
		// conf-split.conf really is missing a "}" (ExaBGP's own test
		// file): the error must say where.
		want := ""
		if filepath.Base(f) == "conf-split.conf" {
			want = "1:20: { is not closed"
		}
		if got := errString(err); got != want {
			t.Errorf("%s: got %q, want %q", f, got, want)
		}
		if len(nodes) == 0 {
			t.Errorf("%s: no statements", f)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
