package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSummaryString(t *testing.T) {
	for s, want := range map[Summary]string{
		{}:                                    "0 passed, 0 failed",
		{Passed: 3, Failed: 1}:                "3 passed, 1 failed",
		{Passed: 3, Failed: 0, Skipped: 2}:    "3 passed, 0 failed, 2 skipped",
		{Passed: 0, Failed: 12, Skipped: 1}:   "0 passed, 12 failed, 1 skipped",
		{Passed: 100, Failed: 0, Skipped: 0}:  "100 passed, 0 failed",
		{Passed: 1, Failed: 1, Skipped: 1000}: "1 passed, 1 failed, 1000 skipped",
	} {
		if got := s.String(); got != want {
			t.Errorf("%+v: %q, want %q", s, got, want)
		}
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.ci": "", "a/z.ci": "", "a/y.ci": "", "a/notes.txt": "",
		"a/testdata/skip.ci": "", ".hidden/skip.ci": "", "c/d/e.ci": "",
	})
	got, err := Discover([]string{dir, filepath.Join(dir, "b.ci"), filepath.Join(dir, "a/notes.txt")})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range got {
		r, _ := filepath.Rel(dir, p)
		rel = append(rel, r)
	}
	// sorted per argument, no duplicates; a file named on the command line is taken whatever its name
	want := []string{"a/y.ci", "a/z.ci", "b.ci", "c/d/e.ci", "a/notes.txt"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("got %v, want %v", rel, want)
	}
	if _, err := Discover([]string{filepath.Join(dir, "nope")}); err == nil {
		t.Error("a missing path is not an error")
	}
	if _, err := Discover([]string{filepath.Join(dir, ".hidden")}); err != nil {
		t.Errorf("a hidden directory named explicitly: %v", err)
	}
	empty := t.TempDir()
	if _, err := Discover([]string{empty}); err == nil || !strings.Contains(err.Error(), "no .ci files in") {
		t.Errorf("empty directory: %v", err)
	}
}

// TestRunAll: progress lines, failures with file:line, malformed files
// reported and counted as failed, skips, and the final line.
func TestRunAll(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pass.ci":      "cmd=foreground:exec=true\n",
		"fail.ci":      "cmd=foreground:name=f:exec=echo hi\nexpect=f:stdout:contains=bye\n",
		"malformed.ci": "# fine\ncmd=foreground:exec=true\nexpect=x:nonsense\n",
		"skip.ci":      "option=skip:not here\n",
	})
	files, err := Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := New(Options{Parallel: 2, KeepLogs: t.TempDir(), Out: &out})
	sum := r.Run(context.Background(), files)
	if sum != (Summary{Passed: 1, Failed: 2, Skipped: 1}) {
		t.Errorf("summary %+v", sum)
	}
	got := out.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "1 passed, 2 failed, 1 skipped" {
		t.Errorf("last line %q", last)
	}
	for _, s := range []string{
		"FAIL " + filepath.Join(dir, "malformed.ci") + " (0.00s)\n  " + filepath.Join(dir, "malformed.ci") + `:3: unknown field "nonsense"`,
		"PASS " + filepath.Join(dir, "pass.ci") + " (",
		"SKIP " + filepath.Join(dir, "skip.ci") + " (not here)",
		"FAIL " + filepath.Join(dir, "fail.ci") + " (",
		filepath.Join(dir, "fail.ci") + `:2: expect=f:stdout:contains=bye`,
	} {
		if !strings.Contains(got, s) {
			t.Errorf("output lacks %q:\n%s", s, got)
		}
	}
	// List
	var lo, le bytes.Buffer
	if r.List(&lo, &le, files) {
		t.Error("List reports a malformed file as fine")
	}
	if !strings.Contains(lo.String(), filepath.Join(dir, "skip.ci")+" (skip: not here)\n") ||
		!strings.Contains(lo.String(), filepath.Join(dir, "pass.ci")+"\n") ||
		!strings.Contains(le.String(), "malformed.ci:3: unknown field") {
		t.Errorf("list:\n%s\nerrors:\n%s", lo.String(), le.String())
	}
}

// TestParallelPorts: files run in parallel never get the same port.
func TestParallelPorts(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("p%d.ci", i)] = "cmd=foreground:name=p:exec=sh -c 'echo $1 $2 $3; sleep 0.1' _ $PORT $PORT1 $PORT9\n"
	}
	writeFiles(t, dir, files)
	paths, err := Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	logs := t.TempDir()
	var out bytes.Buffer
	start := time.Now()
	sum := New(Options{Parallel: 4, KeepLogs: logs, Out: &out}).Run(context.Background(), paths)
	elapsed := time.Since(start)
	if sum.Passed != n {
		t.Fatalf("%+v\n%s", sum, out.String())
	}
	if elapsed > time.Duration(n)*100*time.Millisecond {
		t.Errorf("%d files of 0.1s took %v with -p 4: not parallel", n, elapsed)
	}
	seen := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("p%d", i)
		var b []byte
		filepath.WalkDir(logs, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(filepath.Dir(p), "_"+name) && d.Name() == "p.stdout" {
				b, _ = os.ReadFile(p)
			}
			return nil
		})
		ports := strings.Fields(string(b))
		if len(ports) != 3 {
			t.Fatalf("%s printed %q", name, b)
		}
		for _, p := range ports {
			if other, dup := seen[p]; dup {
				t.Errorf("port %s given to %s and %s", p, other, name)
			}
			seen[p] = name
		}
	}
}

func TestPortAllocator(t *testing.T) {
	a := NewPortAllocator()
	seen := map[int]bool{}
	for range 50 {
		p, err := a.Get()
		if err != nil {
			t.Fatal(err)
		}
		if p <= 0 || p > 65535 || seen[p] {
			t.Fatalf("port %d (seen %v)", p, seen[p])
		}
		seen[p] = true
	}
}

func TestHTTP(t *testing.T) {
	var flaky atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metrics":
			io.WriteString(w, "# HELP x\nbgp_updates_total 3\n")
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"peers":[{"address":"192.0.2.1","state":"established","uptime":12}]}`)
		case "/flaky":
			if flaky.Add(1) <= 3 {
				http.Error(w, "starting", http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "ready")
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("X-Test"), b)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	u := srv.URL
	res := runSrc(t, `http=GET:url=`+u+`/metrics:status=200:contains=bgp_updates_total 3
http=GET:url=`+u+`/metrics:!contains=error
http=GET:url=`+u+`/metrics:regex=^bgp_updates_total [0-9]+$
http=GET:url=`+u+`/json:json={"peers":[{"state":"established","uptime":"*"}]}
http=GET:url=`+u+`/json:!json={"peers":[{"state":"idle"}]}
http=GET:url=`+u+`/flaky:retry=5s:contains=ready
http=POST:url=`+u+`/echo:status=201:header=X-Test: yes:body={"a":1}:contains=POST yes {"a":1}
http=GET:url=`+u+`/missing:status=404
`)
	wantPass(t, res)
	if n := flaky.Load(); n != 4 {
		t.Errorf("/flaky asked %d times, want 4", n)
	}

	flaky.Store(-1000)
	res = runSrc(t, `http=GET:url=`+u+`/missing
http=GET:url=`+u+`/metrics:status=201
http=GET:url=`+u+`/metrics:contains=bgp_withdraws
http=GET:url=`+u+`/json:json={"peers":[{"state":"idle"}]}
http=GET:url=`+u+`/flaky:retry=600ms:contains=ready
http=GET:url=http://127.0.0.1:1/:status=200
`)
	wantFail(t, res,
		"t.ci:1: http=GET:url="+u+"/missing", "GET "+u+"/missing: status 404, want < 400", "status < 400 | status 404",
		"GET "+u+"/metrics: status 200, want 201",
		`GET `+u+`/metrics: the response body does not contain "bgp_withdraws"`,
		`GET `+u+`/json: no line of the response body matches; the closest is line 1: at $.peers[0]`,
		"GET "+u+"/flaky: status 503, want < 400 (", " tries in 600ms)",
		"GET http://127.0.0.1:1/: Get \"http://127.0.0.1:1/\":", "status 200 | no response")
}

// TestReportFormat pins the shape of a failure report: file:line and
// directive, the one-line summary, expected | got side by side, the
// output tail.
func TestReportFormat(t *testing.T) {
	f, err := Parse("ci/x.ci", []byte(`cmd=foreground:name=dec:exec=sh -c 'printf "%s\n" "{\"type\":\"open\",\"open\":{\"asn\":65001,\"hold-time\":240}}" "route 10.0.0.0/24" ; echo warning >&2'
expect=dec:json={"type":"open","open":{"hold-time":90}}
expect=dec:stdout:contains=route 10.0.1.0/24
expect=dec:exit=1
`))
	if err != nil {
		t.Fatal(err)
	}
	r := New(Options{KeepLogs: t.TempDir()})
	res := r.execute(context.Background(), f)
	res.Duration, res.LogDir = 1234*time.Millisecond, ""
	want := `FAIL ci/x.ci (1.23s)
  ci/x.ci:2: expect=dec:json={"type":"open","open":{"hold-time":90}}
    no line of dec's stdout matches; the closest is line 1: at $.open.hold-time: expected 90, got 240
      expected              got (line 1, expected keys only)
      {                     {
        "open": {             "open": {
          "hold-time": 90 |     "hold-time": 240
        },                    },
        "type": "open"        "type": "open"
      }                     }
  ci/x.ci:3: expect=dec:stdout:contains=route 10.0.1.0/24
    dec's stdout does not contain "route 10.0.1.0/24"
      expected            got (dec's stdout, last 20 lines)
      route 10.0.1.0/24 | {"type":"open","open":{"asn":65001,"hold-time":240}}
                        | route 10.0.0.0/24
  ci/x.ci:4: expect=dec:exit=1
    dec: exit 0, want exit 1
      expected   got
      exit 1   | exit 0
    --- dec stderr (last 10 lines)
      warning
`
	if got := res.Report(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestAlignRows(t *testing.T) {
	rows := alignRows(strings.Split("a b c d e", " "), strings.Split("a x c d f g", " "))
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s%c%s", r.l, r.mark, r.r))
	}
	want := []string{"a a", "b|x", "c c", "d d", "e|f", ">g"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRenderRows(t *testing.T) {
	var left, right []string
	for i := range 30 {
		left = append(left, fmt.Sprint("line ", i))
		right = append(right, fmt.Sprint("line ", i))
	}
	right[15] = "changed"
	var b strings.Builder
	renderRows(&b, "", "expected", "got", alignRows(left, right))
	want := `expected   got
[… 12 same lines]
line 12    line 12
line 13    line 13
line 14    line 14
line 15  | changed
line 16    line 16
line 17    line 17
line 18    line 18
[… 11 same lines]
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// long cells wrap; very long ones are cut
	b.Reset()
	renderRows(&b, "", "expected", "got", []row{{strings.Repeat("x", 70), strings.Repeat("y", 500), '|'}})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 1+maxWrap || !strings.HasSuffix(lines[maxWrap], "…") || !strings.HasPrefix(lines[2], strings.Repeat("x", 10)+" ") {
		t.Errorf("wrapped:\n%s", b.String())
	}
}

func TestProject(t *testing.T) {
	var exp, act any
	decodeJSON([]byte(`{"a":{"b":1},"l":[{"p":"x"}],"gone":"!","miss":2}`), &exp)
	decodeJSON([]byte(`{"a":{"b":2,"c":3},"l":[{"p":"x","q":1},{"p":"y","q":2}],"other":true}`), &act)
	got := indentJSON(project(act, exp))
	want := `{
  "a": {
    "b": 2
  },
  "l": [
    {
      "p": "x"
    },
    {
      "p": "y"
    }
  ],
  "miss": "<absent>"
}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
