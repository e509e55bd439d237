//go:build interop

package bgpdump

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

const testdata = "../../mrt/bgpdump/testdata"

// maskFile is the file where bgpdump 1.6.2 and ze (like upstream
// bgpdump) differ: one prefix with host bits set.
const maskFile = "updates.nlri_mask_trailing_bits"

func TestAgainstBgpdump(t *testing.T) {
	bgpdump, err := exec.LookPath("bgpdump")
	if err != nil {
		t.Skip("bgpdump is not installed")
	}
	usage, _ := exec.Command(bgpdump).CombinedOutput() // the usage text has the version
	for _, l := range strings.Split(string(usage), "\n") {
		if strings.HasPrefix(l, "bgpdump version") {
			t.Logf("against %s", l)
		}
	}
	ze, _ := harness.BuildZe(t)

	files, _ := filepath.Glob(filepath.Join(testdata, "*.gz"))
	var inputs []string
	dir := t.TempDir()
	for _, f := range files {
		if strings.HasSuffix(f, ".bgp.gz") {
			continue
		}
		inputs = append(inputs, f)
		// the same records plain and as bzip2
		plain, err := exec.Command("gzip", "-dc", f).Output()
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), ".gz"))
		if err := os.WriteFile(base, plain, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, base)
		if _, err := exec.LookPath("bzip2"); err == nil {
			if out, err := exec.Command("bzip2", "-k", base).CombinedOutput(); err != nil {
				t.Fatalf("bzip2: %v %s", err, out)
			}
			inputs = append(inputs, base+".bz2")
		}
	}
	inputs = append(inputs, filepath.Join(testdata, "synthetic.mrt"))

	for _, in := range inputs {
		for _, mode := range []string{"-m", "-M"} {
			t.Run(filepath.Base(in)+mode, func(t *testing.T) {
				want, err := exec.Command(bgpdump, "-q", mode, in).Output()
				if err != nil {
					t.Fatalf("bgpdump: %v", err)
				}
				got, _ := exec.Command(ze, "mrt", "dump", mode, in).Output() // exit 1 on damage
				if strings.Contains(in, maskFile) {
					want = bytes.Replace(want, []byte("|11.13.0.0/13|"), []byte("|11.8.0.0/13|"), 1)
					if bytes.Equal(got, want) {
						t.Logf("the one known difference: bgpdump 1.6.2 keeps host bits (11.13.0.0/13), ze clears them")
					}
				}
				if !bytes.Equal(got, want) {
					gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
					for i := 0; i < len(gl) && i < len(wl); i++ {
						if gl[i] != wl[i] {
							t.Fatalf("line %d:\n   ze %s\nbgpdump %s", i+1, gl[i], wl[i])
						}
					}
					t.Fatalf("ze printed %d lines, bgpdump %d", len(gl), len(wl))
				}
			})
		}
	}
}
