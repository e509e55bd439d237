package corpus

import (
	"path/filepath"
	"testing"
)

// MustLoad is Load for a test or benchmark: it stops tb with tb.Fatal
// when the capture does not load.
func MustLoad(tb testing.TB, dir, name string) []Message {
	tb.Helper()
	msgs, err := Load(dir, name)
	if err != nil {
		tb.Fatal(err)
	}
	return msgs
}

// GoldenCaptures runs one subtest per capture of dir (Names, MustLoad).
// render appends what it makes of one message to out and returns it,
// checking with t what it must; the subtest then compares all of it with
// the golden file goldenDir/NAME+ext, or rewrites that file when update
// is set (Golden). It fails t when dir has no captures.
func GoldenCaptures(t *testing.T, dir, goldenDir, ext string, update bool, render func(t *testing.T, out []byte, m Message) []byte) {
	t.Helper()
	names, err := Names(dir)
	if err != nil || len(names) == 0 {
		t.Fatalf("no captures in %s: %v", dir, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var out []byte
			for _, m := range MustLoad(t, dir, name) {
				out = render(t, out, m)
			}
			if err := Golden(filepath.Join(goldenDir, name+ext), out, update); err != nil {
				t.Fatal(err)
			}
		})
	}
}
