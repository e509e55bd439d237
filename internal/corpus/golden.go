package corpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Golden compares got with the golden file at path. With update it
// writes got to path instead (creating its folder). The error names the
// first line that differs, or the line counts, and says how to create a
// missing file.
func Golden(path string, got []byte, update bool) error {
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return nil
	}
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gl), len(wl)) {
		if !bytes.Equal(gl[i], wl[i]) {
			return fmt.Errorf("%s: line %d differs:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
		}
	}
	return fmt.Errorf("%s: got %d lines, want %d", path, len(gl), len(wl))
}
