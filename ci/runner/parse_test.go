package runner

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("t.ci", []byte(src))
	if err != nil {
		t.Fatalf("parse:\n%s\nerror: %v", src, err)
	}
	return f
}

func TestParseOptions(t *testing.T) {
	f := mustParse(t, `
# comment
  # indented comment
option=timeout:1.5s
option=needs:cat
option=needs:sh
option=env:LANG=C
option=env:X=$TMP/x
`)
	if f.Timeout != 1500*time.Millisecond {
		t.Errorf("timeout %v", f.Timeout)
	}
	if !reflect.DeepEqual(f.Needs, []string{"cat", "sh"}) {
		t.Errorf("needs %v", f.Needs)
	}
	if !reflect.DeepEqual(f.Env, []string{"LANG=C", "X=$TMP/x"}) {
		t.Errorf("env %v", f.Env)
	}
	if f := mustParse(t, "option=skip:not today\n"); f.Skip != "not today" {
		t.Errorf("skip %q", f.Skip)
	}
	if f := mustParse(t, "option=timeout:3\n"); f.Timeout != 3*time.Second {
		t.Errorf("bare seconds: %v", f.Timeout)
	}
}

func TestParseBlocks(t *testing.T) {
	f := mustParse(t, "stdin=in:terminator=EOF\n# kept\nline 2\r\n\nEOF\n"+
		"file=out:terminator=END\nEOF\nEND\n"+
		"hex=msg:FF FF:00 13 04\n"+
		"text=t:hello: world\n"+
		"stdin=empty:terminator=X\nX\n")
	want := []*Block{
		{Name: "in", Line: 1, Kind: "stdin", Data: "# kept\nline 2\n\n"},
		{Name: "out", Line: 6, Kind: "file", Data: "EOF\n"},
		{Name: "msg", Line: 9, Kind: "hex", Data: "FF FF:00 13 04\n"},
		{Name: "t", Line: 10, Kind: "text", Data: "hello: world\n"},
		{Name: "empty", Line: 11, Kind: "stdin", Data: ""},
	}
	if !reflect.DeepEqual(f.Blocks, want) {
		for _, b := range f.Blocks {
			t.Logf("%+v", *b)
		}
		t.Errorf("blocks differ")
	}
}

func TestParseCmd(t *testing.T) {
	f := mustParse(t, `text=in:x
cmd=background:seq=1:name=srv:exec=ze-test peer --listen 127.0.0.1:$PORT --script $FILE_in:ready=listening 127.0.0.1:$PORT:timeout=5s
cmd=foreground:seq=2:name=dec:exec=ze bgp decode --format json:stdin=in:timeout=500ms
cmd=foreground:exec=cat:stdin-file=$SHARED/pcap/x.hex.txt
`)
	if len(f.Procs) != 3 {
		t.Fatalf("%d procs", len(f.Procs))
	}
	srv, dec, anon := f.Procs[0], f.Procs[1], f.Procs[2]
	if !srv.Background || srv.Name != "srv" || srv.Exec != "ze-test peer --listen 127.0.0.1:$PORT --script $FILE_in" ||
		srv.Ready != "listening 127.0.0.1:$PORT" || srv.Timeout != 5*time.Second {
		t.Errorf("srv %+v", *srv)
	}
	if dec.Background || dec.Stdin != "in" || dec.Timeout != 500*time.Millisecond || dec.Exec != "ze bgp decode --format json" {
		t.Errorf("dec %+v", *dec)
	}
	if anon.Name != "cmd3" || anon.StdinFile != "$SHARED/pcap/x.hex.txt" {
		t.Errorf("anon %+v", *anon)
	}
	if !f.UsesShared || !reflect.DeepEqual(f.Ports, []string{"PORT"}) {
		t.Errorf("shared %v ports %v", f.UsesShared, f.Ports)
	}
	// the implicit exit=0 of the two foreground commands
	if len(f.Expects) != 2 || !f.Expects[0].Implicit || f.Expects[0].Proc != dec || f.Expects[1].Proc != anon {
		t.Errorf("implicit expects %+v", f.Expects)
	}
	// an explicit exit expectation replaces it
	f = mustParse(t, "cmd=foreground:name=a:exec=false\nexpect=a:exit=1\n")
	if len(f.Expects) != 1 || f.Expects[0].Implicit || f.Expects[0].Check.N != 1 {
		t.Errorf("explicit exit: %+v", f.Expects[0])
	}
}

func TestParsePeer(t *testing.T) {
	f := mustParse(t, `peer=server:seq=1:args=--listen 127.0.0.1:$PORT --mode check:terminator=EOF
expect open
EOF
peer=client:seq=2:args=--dial 127.0.0.1:$PORT --mode inject
peer=p3:ready=up:args=--listen=127.0.0.1:$PORT1:terminator=EOF
EOF
`)
	s, c, p3 := f.Procs[0], f.Procs[1], f.Procs[2]
	if s.Exec != "ze-test peer --script $FILE_server --listen 127.0.0.1:$PORT --mode check" || s.Ready != "listening" || !s.Background || !s.Peer {
		t.Errorf("server %+v", *s)
	}
	if c.Exec != "ze-test peer --dial 127.0.0.1:$PORT --mode inject" || c.Ready != "" {
		t.Errorf("client %+v", *c)
	}
	if p3.Ready != "up" {
		t.Errorf("p3 ready %q", p3.Ready)
	}
	if len(f.Blocks) != 2 || f.Blocks[0].Name != "server" || f.Blocks[0].Data != "expect open\n" || f.Blocks[0].Kind != "peer" {
		t.Errorf("blocks %+v", f.Blocks)
	}
	if !reflect.DeepEqual(f.Ports, []string{"PORT", "PORT1"}) {
		t.Errorf("ports %v", f.Ports)
	}
}

func TestParseExpect(t *testing.T) {
	f := mustParse(t, `cmd=background:name=a:exec=sh
expect=a:exit=3
expect=a:!exit=0
expect=a:json={"a":"b:c","d":[1,2]}
expect=a:stdout:contains=x:exit=1
expect=a:stderr:!contains=error
expect=a:stdout:regex=^\{"index":1
expect=a:!regex=a|b
expect=a:!json={"x":1}
expect=a:equals=
expect=a:!equals=hello
expect=a:stdout:lines=0
expect=a:count=3:json={"type":"keepalive"}
expect=a:count=0:contains=x
file=w:terminator=EOF
EOF
expect=a:stderr:equals-block=w
`)
	want := []struct {
		stream string
		c      Check
	}{
		{"", Check{Kind: CheckExit, N: 3, Count: -1, Key: "exit", Value: "3"}},
		{"", Check{Kind: CheckExit, Negate: true, N: 0, Count: -1, Key: "!exit", Value: "0"}},
		{"stdout", Check{Kind: CheckJSON, Count: -1, Key: "json", Value: `{"a":"b:c","d":[1,2]}`}},
		{"stdout", Check{Kind: CheckContains, Count: -1, Key: "contains", Value: "x:exit=1"}},
		{"stderr", Check{Kind: CheckContains, Negate: true, Count: -1, Key: "!contains", Value: "error"}},
		{"stdout", Check{Kind: CheckRegex, Count: -1, Key: "regex", Value: `^\{"index":1`}},
		{"stdout", Check{Kind: CheckRegex, Negate: true, Count: -1, Key: "!regex", Value: "a|b"}},
		{"stdout", Check{Kind: CheckJSON, Negate: true, Count: -1, Key: "!json", Value: `{"x":1}`}},
		{"stdout", Check{Kind: CheckEquals, Count: -1, Key: "equals", Value: ""}},
		{"stdout", Check{Kind: CheckEquals, Negate: true, Count: -1, Key: "!equals", Value: "hello"}},
		{"stdout", Check{Kind: CheckLines, N: 0, Count: -1, Key: "lines", Value: "0"}},
		{"stdout", Check{Kind: CheckJSON, Count: 3, Key: "json", Value: `{"type":"keepalive"}`}},
		{"stdout", Check{Kind: CheckContains, Count: 0, Key: "contains", Value: "x"}},
		{"stderr", Check{Kind: CheckEqualsBlock, Count: -1, Key: "equals-block", Value: "w"}},
	}
	if len(f.Expects) != len(want) {
		t.Fatalf("%d expects, want %d", len(f.Expects), len(want))
	}
	for i, w := range want {
		e := f.Expects[i]
		if e.Stream != w.stream || e.Check != w.c || e.Proc != f.Procs[0] || e.Line != i+2+boolInt(i == 13)*2 {
			t.Errorf("expect %d (line %d): %q %+v, want %q %+v", i, e.Line, e.Stream, e.Check, w.stream, w.c)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseSteps(t *testing.T) {
	f := mustParse(t, `cmd=background:seq=2:name=b:exec=sleep 9
cmd=background:seq=1:name=a:exec=sleep 9
signal=a:SIGHUP
wait=b:output=ready: yes:timeout=2s
sleep=100ms:seq=5
signal=b:term:seq=4
wait=a
http=POST:url=http://127.0.0.1:$PORT2/x?a=b:status=201:header=Content-Type: application/json:header=X-A: 1:body={"k":"v"}:retry=3s:seq=6:json={"ok":true}
http=GET:url=http://[::1]:$PORT/:!contains=error
`)
	type st struct {
		kind StepKind
		line int
		seq  int
	}
	var got []st
	for _, s := range f.Steps {
		got = append(got, st{s.Kind, s.Line, s.Seq})
	}
	want := []st{
		// no seq: the seq of the step above in the file
		{StepStart, 2, 1}, {StepSignal, 3, 1}, {StepWait, 4, 1}, {StepStart, 1, 2}, {StepSignal, 6, 4},
		{StepWait, 7, 4}, {StepSleep, 5, 5}, {StepHTTP, 8, 6}, {StepHTTP, 9, 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps\n got %v\nwant %v", got, want)
	}
	byLine := map[int]*Step{}
	for _, s := range f.Steps {
		byLine[s.Line] = s
	}
	if s := byLine[3]; s.Signal != "HUP" || s.Proc.Name != "a" {
		t.Errorf("signal %+v", s)
	}
	if s := byLine[6]; s.Signal != "TERM" {
		t.Errorf("signal %q", s.Signal)
	}
	if s := byLine[4]; s.Output != "ready: yes:timeout=2s" || s.Timeout != 0 {
		t.Errorf("wait output is a tail value: %q %v", s.Output, s.Timeout)
	}
	if s := byLine[5]; s.Sleep != 100*time.Millisecond {
		t.Errorf("sleep %v", s.Sleep)
	}
	h := byLine[8].HTTP
	if h.Method != "POST" || h.URL != "http://127.0.0.1:$PORT2/x?a=b" || h.Status != 201 || h.Body != `{"k":"v"}` ||
		!reflect.DeepEqual(h.Headers, []string{"Content-Type: application/json", "X-A: 1"}) ||
		h.Check == nil || h.Check.Kind != CheckJSON || byLine[8].Timeout != 3*time.Second {
		t.Errorf("http %+v check %+v", *h, h.Check)
	}
	if h := byLine[9].HTTP; h.URL != "http://[::1]:$PORT/" || !h.Check.Negate || h.Check.Value != "error" {
		t.Errorf("http %+v", *h)
	}
	if !reflect.DeepEqual(f.Ports, []string{"PORT", "PORT2"}) {
		t.Errorf("ports %v", f.Ports)
	}
}

// TestParseErrors: every mistake is reported as file:line: reason.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // "line: reason substring"
	}{
		{"hello\n", `1: "hello" is not a directive`},
		{"\n\nfoo=bar\n", `3: unknown directive "foo"`},
		{"option=timeout:soon\n", "1: timeout=soon: want a duration"},
		{"option=timeout:-1s\n", "1: timeout=-1s: want a duration"},
		{"option=color:red\n", `1: unknown option "color"`},
		{"option=needs:a b\n", "1: option=needs takes one program name"},
		{"option=env:NOVALUE\n", "1: option=env takes KEY=VALUE"},
		{"stdin=a\n", "1: stdin=a needs :terminator=WORD"},
		{"stdin=a:terminator=EOF\nx\n", `1: block "a" has no terminator line "EOF"`},
		{"stdin=a:x=1:terminator=EOF\nEOF\n", `1: unknown field "x"`},
		{"stdin=a:terminator=EOF:x=1\nEOF\n", `1: unknown field "x"`},
		{"stdin=a:terminator=E-F\nE-F\n", "1: terminator=E-F: want one word"},
		{"stdin=a-b:terminator=EOF\nEOF\n", `1: stdin name "a-b": use letters, digits and _`},
		{"text=a:1\ntext=a:2\n", `2: embedded file "a" already defined at line 1`},
		{"hex=a:FFZZ\n", "1: hex=a: 'Z' at column 3 is not a hex digit"},
		{"hex=a:FFF\n", "1: hex=a: odd number of hex digits (3)"},
		{"hex=a:\n", "1: hex=a: no hex digits"},
		{"text=a\n", "1: text= wants NAME:CONTENT"},
		{"cmd=sometimes:exec=x\n", "1: cmd=sometimes: want cmd=background"},
		{"cmd=foreground:name=a\n", "1: cmd needs :exec=COMMAND"},
		{"cmd=foreground:exec=echo 'x\n", "1: exec=echo 'x: unterminated ' quote"},
		{"peer=a:args=--x \"y\n", "1: args=--x \"y: unterminated \" quote"},
		{"cmd=foreground:exec=x:stdin=nope\n", "1: stdin=nope: no embedded file of that name"},
		{"cmd=foreground:exec=x:ready=y\n", "1: ready= is for background commands"},
		{"cmd=foreground:exec=x:seq=-1\n", "1: seq=-1: want a number"},
		{"cmd=foreground:exec=x:seq=1:seq=2\n", "1: field seq= given twice"},
		{"cmd=foreground:name=a:exec=x\ncmd=background:name=a:exec=y\n", `2: process "a" already defined at line 1`},
		{"cmd=foreground:name=a b:exec=x\n", `1: process name "a b"`},
		{"cmd=foreground:exec=x:timeout=0s\n", "1: timeout=0s: want a duration"},
		{"cmd=foreground:exec=cat $FILE_nope\n", `1: $FILE_nope: no embedded file "nope"`},
		{"expect=a:exit=0\n", `1: expect: no process named "a"`},
		{"cmd=foreground:name=a:exec=x\nexpect=a\n", "2: expect= wants NAME:"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:exit=zero\n", "2: exit=zero: want a number"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:stderr:exit=1\n", "2: exit= takes no stream"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:json={bad\n", "2: json={bad: not valid JSON"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:json={} {}\n", "2: json={} {}: not valid JSON"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:regex=(\n", "2: regex=(: error parsing regexp"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:contains=\n", "2: contains= needs a text"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:lines=many\n", "2: lines=many: want a number"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:count=2:lines=1\n", "2: count= goes with contains=, regex= or json="},
		{"cmd=foreground:name=a:exec=x\nexpect=a:count=2\n", "2: want exactly one check"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:lines=1:exit=0\n", "2: want exactly one check"},
		{"cmd=foreground:name=a:exec=x\nexpect=a:stdout:shiny=1\n", `2: unknown field "shiny"`},
		{"cmd=foreground:name=a:exec=x\nexpect=a:equals-block=w\n", "2: equals-block=w: no embedded file"},
		{"cmd=foreground:name=a:exec=x\nsignal=a:TERM\n", `2: signal: "a" is a foreground command`},
		{"cmd=background:name=a:exec=x\nsignal=a:SIGFOO\n", `2: unknown signal "SIGFOO"`},
		{"signal=a\n", "1: signal= wants NAME:SIGNAL"},
		{"cmd=background:name=a:exec=x\nwait=a:output=\n", "2: output= needs a text"},
		{"wait=ghost\n", `1: wait: no process named "ghost"`},
		{"sleep=forever\n", "1: sleep=forever: want a duration"},
		{"http=get:url=http://x/\n", "1: http= wants METHOD:url="},
		{"http=GET:status=200\n", "1: http needs :url=URL"},
		{"http=GET:url=http://x/:status=2000\n", "1: status=2000: want an HTTP status code"},
		{"http=GET:url=http://x/:header=nocolon\n", "1: header=nocolon: want header=Name: value"},
		{"cmd=foreground:name=a:exec=cat:stdn=x\n", `1: unknown field "stdn" (want seq, name, exec, stdin, stdin-file, timeout, ready; a value that must hold ":stdn=" goes into an embedded file)`},
		{"http=GET:url=http://x/:statsu=200\n", `1: unknown field "statsu"`},
		{"peer=p:terminator=EOF\nexpect open\n", `1: block "p" has no terminator line "EOF"`},
		{"peer=p\npeer=p\n", `2: process "p" already defined at line 1`},
	}
	for _, tt := range tests {
		_, err := Parse("x.ci", []byte(tt.src))
		if err == nil {
			t.Errorf("%q: no error, want %s", tt.src, tt.want)
			continue
		}
		var list ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%q: %T is not an ErrorList", tt.src, err)
			continue
		}
		if !strings.Contains(err.Error(), "x.ci:"+tt.want) {
			t.Errorf("%q:\n got %v\nwant x.ci:%s", tt.src, err, tt.want)
		}
	}
}

// TestParseErrorsAll: every line problem of a file is listed, in line
// order (names are resolved only in a file without them, so that one
// broken line does not cascade).
func TestParseErrorsAll(t *testing.T) {
	_, err := Parse("m.ci", []byte("expect=ghost:exit=0\nbogus\noption=timeout:x\n"))
	want := "m.ci:2: \"bogus\" is not a directive (want NAME=VALUE; see docs/ci-format.md)\n" +
		"m.ci:3: timeout=x: want a duration like 500ms, 5s or 2m"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"ze bgp decode", []string{"ze", "bgp", "decode"}},
		{"  a\t b  ", []string{"a", "b"}},
		{`sh -c 'echo "x y" | cat'`, []string{"sh", "-c", `echo "x y" | cat`}},
		{`a "b \"c\" \$d \e" f\ g ''`, []string{"a", `b "c" $d \e`, "f g", ""}},
		{`x"y"'z'`, []string{"xyz"}},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "   ", `"open`, `'open`} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q): no error", bad)
		}
	}
}

func TestScanVars(t *testing.T) {
	vars := map[string]string{"PORT": "1000", "PORT1": "1001", "FILE_a": "/t/a", "TMP": "/t"}
	get := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	tests := []struct{ in, want string }{
		{"$PORT $PORT1 ${PORT}1 $PORTX", "1000 1001 10001 $PORTX"},
		{"$FILE_a.txt:$TMP/", "/t/a.txt:/t/"},
		{"$HOME ${HOME} $ $1 ${ ${PORT", "$HOME ${HOME} $ $1 ${ ${PORT"},
		{"a$", "a$"},
		{`^\{"x":1\}$`, `^\{"x":1\}$`},
	}
	for _, tt := range tests {
		if got := scanVars(tt.in, get); got != tt.want {
			t.Errorf("scanVars(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := varsIn("$A ${B_1} $1 $"); !reflect.DeepEqual(got, []string{"A", "B_1"}) {
		t.Errorf("varsIn %q", got)
	}
	for _, v := range []string{"PORT", "PORT1", "PORT9"} {
		if !isPortVar(v) {
			t.Errorf("%s is a port", v)
		}
	}
	for _, v := range []string{"PORT0", "PORT10", "PORTS", "port"} {
		if isPortVar(v) {
			t.Errorf("%s is not a port", v)
		}
	}
}
