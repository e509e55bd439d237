package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmdCI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), rc
}

func ciTempDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ciLastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestRunUsage(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"run", "--frobnicate"},
		{"run", "-p", "0", empty},
		{"run", "--timeout", "-1s", empty},
		{"run", "/nonexistent/dir"},
		{"run", empty},
	} {
		if _, errs, rc := runCmdCI(t, args...); rc != 2 || errs == "" {
			t.Errorf("ze-test %v: exit %d (stderr %q), want 2 and a message", args, rc, errs)
		}
	}
	out, errs, rc := runCmdCI(t, "run", "-h")
	if rc != 0 || !strings.Contains(out+errs, "usage: ze-test run") || !strings.Contains(out+errs, "-keep-logs DIR") {
		t.Errorf("-h: %d %q %q", rc, out, errs)
	}
}

func TestRunFiles(t *testing.T) {
	dir := ciTempDir(t, map[string]string{
		"a/pass.ci":             "cmd=foreground:name=e:exec=echo hello\nexpect=e:stdout:equals=hello\n",
		"a/fail.ci":             "cmd=foreground:name=e:exec=echo hello\nexpect=e:stdout:contains=goodbye\n",
		"b/skip.ci":             "option=skip:no daemon here\n",
		"b/testdata/ignored.ci": "this is not a .ci file\n",
	})
	// flags after the path
	out, errs, rc := runCmdCI(t, "run", dir, "-p", "1", "--keep-logs", filepath.Join(dir, "logs"))
	if rc != 1 {
		t.Errorf("exit %d, want 1; stderr %q", rc, errs)
	}
	if got := ciLastLine(out); got != "1 passed, 1 failed, 1 skipped" {
		t.Errorf("last line %q\n%s", got, out)
	}
	for _, s := range []string{
		"PASS " + filepath.Join(dir, "a/pass.ci"),
		"FAIL " + filepath.Join(dir, "a/fail.ci"),
		filepath.Join(dir, "a/fail.ci") + ":2: expect=e:stdout:contains=goodbye",
		"e's stdout does not contain \"goodbye\"",
		"SKIP " + filepath.Join(dir, "b/skip.ci") + " (no daemon here)",
		"logs: " + filepath.Join(dir, "logs"),
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "logs", strings.TrimPrefix(ciLogDir(dir, "a/pass"), "_"), "e.stdout")); err != nil || string(b) != "hello\n" {
		t.Errorf("kept log of a passing file: %q %v", b, err)
	}

	out, _, rc = runCmdCI(t, "run", filepath.Join(dir, "a/pass.ci"))
	if rc != 0 || ciLastLine(out) != "1 passed, 0 failed" {
		t.Errorf("one passing file: %d\n%s", rc, out)
	}
}

// ciLogDir is the log directory name the runner gives dir/rel.ci.
func ciLogDir(dir, rel string) string {
	return strings.ReplaceAll(strings.TrimPrefix(filepath.Join(dir, rel), "/"), "/", "_")
}

func TestRunMalformed(t *testing.T) {
	dir := ciTempDir(t, map[string]string{"bad.ci": "cmd=foreground:exec=true\nexpect=nobody:exit=0\n"})
	out, _, rc := runCmdCI(t, "run", dir)
	if rc != 1 || !strings.Contains(out, filepath.Join(dir, "bad.ci")+`:2: expect: no process named "nobody"`) ||
		ciLastLine(out) != "0 passed, 1 failed" {
		t.Errorf("exit %d\n%s", rc, out)
	}
	out, errs, rc := runCmdCI(t, "run", "-l", dir)
	if rc != 1 || !strings.Contains(errs, "bad.ci:2:") || out != "" {
		t.Errorf("-l: exit %d, out %q, err %q", rc, out, errs)
	}
}

func TestRunList(t *testing.T) {
	dir := ciTempDir(t, map[string]string{
		"x.ci": "cmd=foreground:exec=true\n",
		"y.ci": "option=skip:later\n",
	})
	out, errs, rc := runCmdCI(t, "run", "--list", dir)
	want := filepath.Join(dir, "x.ci") + "\n" + filepath.Join(dir, "y.ci") + " (skip: later)\n"
	if rc != 0 || out != want || errs != "" {
		t.Errorf("exit %d\n%s\nwant\n%s\nstderr %s", rc, out, want, errs)
	}
}

func TestRunBinAndShared(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "ze"), []byte("#!/bin/sh\necho fake \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	shared := t.TempDir()
	os.WriteFile(filepath.Join(shared, "data.hex"), []byte("001304\n"), 0o644)
	dir := ciTempDir(t, map[string]string{
		"t.ci": "cmd=foreground:name=z:exec=ze bgp decode:stdin-file=$SHARED/data.hex\nexpect=z:stdout:equals=fake bgp decode\n",
	})
	out, errs, rc := runCmdCI(t, "run", "--bin", bin, "--shared", shared, "-v", dir)
	if rc != 0 || !strings.Contains(out, "start foreground z: "+filepath.Join(bin, "ze")+" bgp decode") {
		t.Errorf("exit %d\n%s\n%s", rc, out, errs)
	}
	out, _, rc = runCmdCI(t, "run", "--shared", "/nonexistent/shared", dir)
	if rc != 0 || !strings.Contains(out, "SKIP") || ciLastLine(out) != "0 passed, 0 failed, 1 skipped" {
		t.Errorf("missing shared data: exit %d\n%s", rc, out)
	}
}
