package runner

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// FuzzParse protects the .ci parser, which reads files people write by
// hand: any text either parses into a consistent File (every step and
// expectation bound to a defined process, steps in seq order, unique
// names) or gives an ErrorList whose every entry is `f.ci:LINE: reason`
// with LINE inside the text; it never panics. It also checks that
// variable scanning leaves text without known variables unchanged.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"../decode/*.ci", "../encode/*.ci", "../peer/*.ci", "testdata/*.ci"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"option=timeout:1s\nhex=m:001304\ncmd=foreground:name=d:exec=ze bgp decode:stdin=m\nexpect=d:json={\"a\":1}\n",
		"peer=p:args=--listen 127.0.0.1:$PORT:terminator=EOF\nexpect open\nEOF\nexpect=p:exit=0\nsignal=p:HUP:seq=2\n",
		"http=GET:url=http://127.0.0.1:$PORT1/:retry=1s:status=200:json={}\nwait=x:output=a:b\n",
		"stdin=a:terminator=EOF\n",
		"cmd=background:name=a:exec='unterminated\n",
		"expect=a:count=1:regex=(\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if scanVars(string(src), func(string) (string, bool) { return "", false }) != string(src) {
			t.Fatalf("scanVars changed text without known variables: %q", src)
		}
		file, err := Parse("f.ci", src)
		nlines := strings.Count(string(src), "\n") + 1
		if err != nil {
			if file != nil {
				t.Fatal("a File and an error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Line > nlines || !strings.HasPrefix(e.Error(), "f.ci:") || e.Msg == "" {
					t.Fatalf("bad error %q (line %d of %d)", e.Error(), e.Line, nlines)
				}
			}
			return
		}
		if !sort.SliceIsSorted(file.Steps, func(i, j int) bool { return file.Steps[i].Seq < file.Steps[j].Seq }) {
			t.Fatal("steps not in seq order")
		}
		procs := map[*Proc]bool{}
		names := map[string]bool{}
		for _, p := range file.Procs {
			if names[p.Name] {
				t.Fatalf("process %q twice", p.Name)
			}
			names[p.Name] = true
			procs[p] = true
			if _, err := splitWords(p.Exec); err != nil {
				t.Fatalf("exec %q accepted: %v", p.Exec, err)
			}
		}
		for _, s := range file.Steps {
			if (s.Kind == StepStart || s.Kind == StepSignal || s.Kind == StepWait) && !procs[s.Proc] {
				t.Fatalf("step at line %d has no process", s.Line)
			}
		}
		for _, e := range file.Expects {
			if !procs[e.Proc] {
				t.Fatalf("expectation at line %d has no process", e.Line)
			}
		}
		blocks := map[string]bool{}
		for _, b := range file.Blocks {
			if blocks[b.Name] || !blockName.MatchString(b.Name) {
				t.Fatalf("block name %q", b.Name)
			}
			blocks[b.Name] = true
		}
	})
}
