package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runSrc runs the text of a .ci file with small shell commands and
// returns its result; logs are kept in a test directory.
func runSrc(t *testing.T, src string, opts ...func(*Options)) *Result {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.ci")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := Options{Parallel: 1, Timeout: 10 * time.Second, KeepLogs: filepath.Join(dir, "logs")}
	for _, o := range opts {
		o(&opt)
	}
	r := New(opt)
	defer r.Close()
	return r.RunFile(context.Background(), path)
}

func wantPass(t *testing.T, res *Result) {
	t.Helper()
	if res.Status != Pass {
		t.Fatalf("status %s, want PASS\n%s", res.Status, res.Report())
	}
}

// wantFail checks the file failed and its report holds every text.
func wantFail(t *testing.T, res *Result, texts ...string) string {
	t.Helper()
	rep := res.Report()
	if res.Status != Fail {
		t.Fatalf("status %s, want FAIL\n%s", res.Status, rep)
	}
	for _, s := range texts {
		if !strings.Contains(rep, s) {
			t.Errorf("report lacks %q:\n%s", s, rep)
		}
	}
	return rep
}

func TestRunPass(t *testing.T) {
	res := runSrc(t, `# every check, passing
text=in:hello world
cmd=foreground:name=cat:exec=cat:stdin=in
expect=cat:stdout:equals=hello world
expect=cat:stdout:contains=world
expect=cat:stdout:!contains=bye
expect=cat:stdout:regex=^hello
expect=cat:stdout:!regex=^world
expect=cat:stdout:lines=1
expect=cat:stderr:equals=
expect=cat:stdout:!equals=hello
cmd=foreground:name=json:exec=printf '{"a":1,"b":{"c":[1,2,3]},"t":"x"}\n{"a":2}\nnot json\n'
expect=json:json={"b":{"c":[1,3]}}
expect=json:json={"a":1,"t":"*","zz":"!"}
expect=json:!json={"a":3}
expect=json:count=2:json={"a":"*"}
expect=json:count=1:regex="a":2
expect=json:count=0:contains=nothing
expect=json:stdout:lines=3
cmd=foreground:name=f:exec=false
expect=f:exit=1
expect=f:!exit=0
cmd=foreground:name=vars:exec=sh -c 'echo "$1 $2"; cat "$2"; echo "tmp=$TMPDIR"; echo "$3"' _ $PORT $FILE_in $DIR
expect=vars:stdout:regex=^[0-9]+ /.*/in$
expect=vars:stdout:contains=tmp=$TMP
expect=vars:stdout:contains=$PORT $FILE_in
file=want:terminator=EOF
a
b
EOF
cmd=foreground:name=two:exec=printf 'a\nb\n'
expect=two:stdout:equals-block=want
cmd=foreground:name=pretty:exec=printf '{\n  "x": {"y": 1}\n}\n'
expect=pretty:json={"x":{"y":1}}
`)
	wantPass(t, res)
}

func TestRunEnvAndStdinFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data.txt"), []byte("from a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runSrc(t, `option=env:GREETING=hi from $TMP
cmd=foreground:name=env:exec=sh -c 'echo "$GREETING"'
expect=env:stdout:contains=hi from /
cmd=foreground:name=abs:exec=cat:stdin-file=`+filepath.Join(dir, "data.txt")+`
expect=abs:stdout:equals=from a file
`)
	wantPass(t, res)
}

func TestRunFailures(t *testing.T) {
	res := runSrc(t, `cmd=foreground:name=p:exec=printf 'one\ntwo {"a":1}\n'
expect=p:stdout:contains=three
expect=p:stdout:!contains=two
expect=p:stdout:regex=^two$
expect=p:stdout:!regex=^one$
expect=p:stdout:lines=5
expect=p:stdout:equals=one
expect=p:count=1:contains=o
cmd=foreground:name=f:exec=sh -c 'echo oops >&2; exit 3'
`)
	wantFail(t, res,
		`t.ci:2: expect=p:stdout:contains=three`, `p's stdout does not contain "three"`,
		`t.ci:3: expect=p:stdout:!contains=two`, `p's stdout does contain "two"`, `2: two {"a":1}`,
		`p's stdout does not match "^two$"`,
		`p's stdout does match "^one$"`,
		`p's stdout has 2 lines, want 5`,
		`p's stdout differs from the expected text from line 2`,
		`2 lines of p's stdout contain "o", want 1`,
		`f: exit 3, want exit 0 (a foreground command must succeed`,
		"--- f stderr (last 10 lines)", "oops")
	if len(res.Failures) != 8 {
		t.Errorf("%d failures, want 8", len(res.Failures))
	}
	// a failed stdout check does not repeat stdout as a tail
	if strings.Contains(res.Report(), "--- p stdout") {
		t.Errorf("stdout tail of p shown:\n%s", res.Report())
	}
}

func TestRunJSONFailure(t *testing.T) {
	res := runSrc(t, `cmd=foreground:name=d:exec=printf '{"type":"open","open":{"hold-time":240,"asn":65001}}\n{"type":"keepalive"}\n'
expect=d:json={"open":{"hold-time":90}}
expect=d:!json={"type":"keepalive"}
expect=d:count=2:json={"type":"open"}
cmd=foreground:name=plain:exec=echo not json
expect=plain:json={"a":1}
`)
	rep := wantFail(t, res,
		"no line of d's stdout matches; the closest is line 1: at $.open.hold-time: expected 90, got 240",
		`"hold-time": 90 |     "hold-time": 240`,
		"d's stdout has a line that matches", `2: {"type":"keepalive"}`,
		`1 line of d's stdout matches {"type":"open"}, want 2`,
		"plain's stdout has no JSON line")
	if strings.Contains(rep, `"asn": 65001`) {
		t.Errorf("the closest line shows keys that were not expected:\n%s", rep)
	}
}

func TestRunTimeouts(t *testing.T) {
	t.Run("command", func(t *testing.T) {
		start := time.Now()
		res := runSrc(t, "cmd=foreground:name=s:exec=sleep 5:timeout=200ms\n")
		wantFail(t, res, "s was killed after its timeout=200ms")
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v", d)
		}
		if len(res.Failures) != 1 {
			t.Errorf("the exit code is not reported on top of the timeout:\n%s", res.Report())
		}
	})
	t.Run("file", func(t *testing.T) {
		res := runSrc(t, "option=timeout:300ms\ncmd=foreground:name=s:exec=sleep 5\ncmd=foreground:name=never:exec=true\n")
		wantFail(t, res, "t.ci:2: cmd=foreground:name=s:exec=sleep 5", "s did not finish when the file's timeout (300ms) expired")
	})
	t.Run("flag", func(t *testing.T) {
		res := runSrc(t, "cmd=foreground:name=s:exec=sleep 5\n", func(o *Options) { o.Timeout = 200 * time.Millisecond })
		wantFail(t, res, "the file's timeout (200ms) expired")
	})
	t.Run("background exit", func(t *testing.T) {
		res := runSrc(t, "option=timeout:300ms\ncmd=background:name=b:exec=sleep 5\nexpect=b:exit=0\n")
		wantFail(t, res, "t.ci:3: expect=b:exit=0", "b was still running when the file's timeout (300ms) expired")
	})
	t.Run("wait", func(t *testing.T) {
		res := runSrc(t, "cmd=background:name=b:exec=sleep 5\nwait=b:timeout=200ms\ncmd=foreground:name=skipped:exec=false\n")
		wantFail(t, res, "b was still running after timeout=200ms")
		if len(res.Failures) != 1 {
			t.Errorf("steps after a failed wait ran:\n%s", res.Report())
		}
	})
}

func TestRunBackground(t *testing.T) {
	t.Run("ready", func(t *testing.T) {
		res := runSrc(t, `cmd=background:seq=1:name=b:exec=sh -c 'sleep 0.2; echo "listening 127.0.0.1:$1"; exec sleep 5' _ $PORT:ready=listening 127.0.0.1:$PORT
cmd=foreground:seq=2:name=after:exec=sh -c 'cat $TMP/b.stdout'
expect=after:stdout:contains=listening
`)
		wantPass(t, res)
	})
	t.Run("ready on stderr", func(t *testing.T) {
		wantPass(t, runSrc(t, "cmd=background:name=b:exec=sh -c 'echo up >&2; exec sleep 5':ready=up\n"))
	})
	t.Run("ended before ready", func(t *testing.T) {
		res := runSrc(t, "cmd=background:name=b:exec=sh -c 'echo nope; exit 3':ready=ready\ncmd=foreground:name=x:exec=false\n")
		wantFail(t, res, "b ended (exit 3) before it was ready", `a line containing "ready"`, "--- b stdout", "nope")
		if len(res.Failures) != 1 {
			t.Errorf("later steps ran:\n%s", res.Report())
		}
	})
	t.Run("never ready", func(t *testing.T) {
		res := runSrc(t, "option=timeout:300ms\ncmd=background:name=b:exec=sleep 5:ready=ready\n")
		wantFail(t, res, "b was not ready when the file's timeout (300ms) expired")
	})
	t.Run("wait for exit and output", func(t *testing.T) {
		res := runSrc(t, `cmd=background:name=b:exec=sh -c 'sleep 0.1; echo half; sleep 0.1; echo done; exit 4'
wait=b:output=half
wait=b
expect=b:exit=4
expect=b:stdout:contains=done
`)
		wantPass(t, res)
	})
}

func TestRunSignals(t *testing.T) {
	res := runSrc(t, `cmd=background:name=b:exec=sh -c 'trap "echo got HUP" HUP; echo up; while :; do sleep 0.05; done':ready=up
signal=b:SIGHUP
wait=b:output=got HUP
signal=b:TERM
wait=b
expect=b:!exit=0
`)
	wantPass(t, res)

	res = runSrc(t, "cmd=background:name=b:exec=true\nwait=b\nsignal=b:SIGTERM\n")
	wantFail(t, res, "t.ci:3: signal=b:SIGTERM", "cannot send SIGTERM to b: it has already exited (exit 0)")

	res = runSrc(t, "signal=b:HUP:seq=1\ncmd=background:seq=2:name=b:exec=sleep 1\n")
	wantFail(t, res, "b has not been started yet (check the seq= order)")
}

// TestRunStopsProcessGroups: what a command started is killed with it,
// at the end of the file.
func TestRunStopsProcessGroups(t *testing.T) {
	logs := t.TempDir()
	res := runSrc(t, "cmd=background:name=b:exec=sh -c 'sleep 30 & echo $! > $TMP/child; echo started; wait':ready=started\n",
		func(o *Options) { o.KeepLogs = logs })
	wantPass(t, res)
	b, err := os.ReadFile(filepath.Join(res.LogDir, "child"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	alive := func() bool {
		if syscall.Kill(pid, 0) != nil {
			return false
		}
		// a zombie waiting for its new parent to reap it is dead enough
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		_, after, _ := strings.Cut(string(st), ") ")
		return !strings.HasPrefix(after, "Z")
	}
	deadline := time.Now().Add(2 * time.Second)
	for alive() {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d of the background command still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunStartErrors(t *testing.T) {
	res := runSrc(t, "cmd=foreground:name=x:exec=no-such-program-ze-test\ncmd=foreground:name=y:exec=false\n")
	wantFail(t, res, "cannot run no-such-program-ze-test: not in PATH")
	if len(res.Failures) != 1 {
		t.Errorf("later steps ran:\n%s", res.Report())
	}
	res = runSrc(t, "cmd=foreground:name=x:exec=cat:stdin-file=/nonexistent/file\n")
	wantFail(t, res, "stdin: open /nonexistent/file")
}

func TestRunBinDir(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\necho fake ze \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "ze"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	res := runSrc(t, `cmd=foreground:name=direct:exec=ze bgp decode
expect=direct:stdout:equals=fake ze bgp decode
cmd=foreground:name=shell:exec=sh -c 'ze x | cat'
expect=shell:stdout:equals=fake ze x
cmd=foreground:name=bin:exec=sh -c 'echo $1' _ $BIN
expect=bin:stdout:equals=`+bin+"\n", func(o *Options) { o.BinDir = bin })
	wantPass(t, res)
}

func TestRunSkips(t *testing.T) {
	res := runSrc(t, "option=skip:needs a daemon\ncmd=foreground:exec=false\n")
	if res.Status != Skip || res.Reason != "needs a daemon" || res.Report() != "SKIP "+res.Path+" (needs a daemon)\n" {
		t.Errorf("skip: %s %q\n%s", res.Status, res.Reason, res.Report())
	}
	res = runSrc(t, "option=needs:no-such-program-ze-test\ncmd=foreground:exec=false\n")
	if res.Status != Skip || !strings.Contains(res.Reason, "needs no-such-program-ze-test") {
		t.Errorf("needs: %s %q", res.Status, res.Reason)
	}
	res = runSrc(t, "cmd=foreground:exec=cat $SHARED/x\n", func(o *Options) { o.SharedDir = "/nonexistent/shared" })
	if res.Status != Skip || !strings.Contains(res.Reason, "/nonexistent/shared") {
		t.Errorf("shared: %s %q", res.Status, res.Reason)
	}
	shared := t.TempDir()
	os.WriteFile(filepath.Join(shared, "x"), []byte("data\n"), 0o644)
	res = runSrc(t, "cmd=foreground:name=c:exec=cat $SHARED/x\nexpect=c:stdout:equals=data\n", func(o *Options) { o.SharedDir = shared })
	wantPass(t, res)
}

func TestRunVerbose(t *testing.T) {
	res := runSrc(t, "cmd=foreground:name=e:exec=echo hi there\n", func(o *Options) { o.Verbose = true })
	wantPass(t, res)
	for _, s := range []string{"start foreground e:", "e: exit 0 after", "--- e stdout", "      hi there"} {
		if !strings.Contains(res.Report(), s) {
			t.Errorf("verbose report lacks %q:\n%s", s, res.Report())
		}
	}
}

func TestRunLogs(t *testing.T) {
	logs := t.TempDir()
	res := runSrc(t, "cmd=foreground:name=e:exec=sh -c 'echo out; echo err >&2; exit 1'\n", func(o *Options) { o.KeepLogs = logs })
	wantFail(t, res, "logs: "+logs)
	for name, want := range map[string]string{"e.stdout": "out\n", "e.stderr": "err\n"} {
		b, err := os.ReadFile(filepath.Join(res.LogDir, name))
		if err != nil || string(b) != want {
			t.Errorf("%s: %q %v", name, b, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(res.LogDir, "ci-report.txt")); err != nil || !strings.HasPrefix(string(b), "FAIL ") {
		t.Errorf("ci-report.txt: %q %v", b, err)
	}

	// without --keep-logs: a passing file's directory is removed, a failing one's kept
	r := New(Options{})
	dir := t.TempDir()
	pass, fail := filepath.Join(dir, "pass.ci"), filepath.Join(dir, "fail.ci")
	os.WriteFile(pass, []byte("cmd=foreground:exec=true\n"), 0o644)
	os.WriteFile(fail, []byte("cmd=foreground:exec=false\n"), 0o644)
	p := r.RunFile(context.Background(), pass)
	f := r.RunFile(context.Background(), fail)
	r.Close()
	if p.LogDir != "" || f.LogDir == "" {
		t.Fatalf("log dirs %q %q", p.LogDir, f.LogDir)
	}
	if _, err := os.Stat(f.LogDir); err != nil {
		t.Errorf("failure's logs removed: %v", err)
	}
	root := filepath.Dir(f.LogDir)
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Errorf("the run directory holds %d entries, want the failure's only", len(entries))
	}
	os.RemoveAll(root)
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	path := filepath.Join(dir, "t.ci")
	os.WriteFile(path, []byte("cmd=foreground:name=s:exec=sleep 5\n"), 0o644)
	r := New(Options{KeepLogs: filepath.Join(dir, "logs")})
	time.AfterFunc(200*time.Millisecond, cancel)
	res := r.RunFile(ctx, path)
	wantFail(t, res, "s did not finish when the run was interrupted")
	if res.Duration > 3*time.Second {
		t.Errorf("took %v", res.Duration)
	}
}

func TestDirName(t *testing.T) {
	for in, want := range map[string]string{
		"ci/decode/x.ci":  "ci_decode_x",
		"./a.ci":          "a",
		"../../b c/d.ci":  "b_c_d",
		"/tmp/x/y.ci":     "tmp_x_y",
		"weird:name?.ci":  "weird_name_",
		"no-extension":    "no-extension",
		"..":              "ci",
		"ci/peer/a.b.ci":  "ci_peer_a.b",
		"ci//double/x.ci": "ci_double_x",
	} {
		if got := dirName(in); got != want {
			t.Errorf("dirName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOutputLimit(t *testing.T) {
	dir := t.TempDir()
	o, err := newOutput(filepath.Join(dir, "x"))
	if err != nil {
		t.Fatal(err)
	}
	o.file.WriteString("abc")
	if got := o.String(); got != "abc" {
		t.Errorf("live read %q", got)
	}
	o.close()
	if got := o.String(); got != "abc" || o.truncated {
		t.Errorf("final %q %v", got, o.truncated)
	}
}
