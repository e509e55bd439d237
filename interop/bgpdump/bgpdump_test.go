//go:build interop

package bgpdump

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

const testdata = "../../mrt/bgpdump/testdata"

// maskFile is the file where bgpdump 1.6.2 and ze (like upstream
// bgpdump) differ: one prefix with host bits set.
const maskFile = "updates.nlri_mask_trailing_bits"

// TestAgainstBgpdump runs bgpdump and ze mrt dump with -m and -M on
// every file of bgpdump's test suite (gzip, plain, bzip2) and on the
// synthetic records, then with bgpdump's -t, -p, -l and -u (optionSets)
// on each file once; a difference names the file, the options and the
// line.
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
	var inputs, optionInputs []string
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
		optionInputs = append(optionInputs, base)
		if _, err := exec.LookPath("bzip2"); err == nil {
			if out, err := exec.Command("bzip2", "-k", base).CombinedOutput(); err != nil {
				t.Fatalf("bzip2: %v %s", err, out)
			}
			inputs = append(inputs, base+".bz2")
		}
	}
	synthetic := filepath.Join(testdata, "synthetic.mrt")
	inputs = append(inputs, synthetic)
	// bgpdump's options run on each file once (the plain copy: the
	// decompression is tested with -m and -M) and on the synthetic records.
	optionInputs = append(optionInputs, synthetic)

	for _, in := range inputs {
		for _, mode := range []string{"-m", "-M"} {
			t.Run(filepath.Base(in)+mode, func(t *testing.T) {
				t.Parallel()
				compareRun(t, bgpdump, ze, in, []string{mode})
			})
		}
	}
	for _, opts := range optionSets {
		for _, in := range optionInputs {
			name := filepath.Base(in) + strings.ReplaceAll(strings.Join(opts, ""), "-t", "-t_")
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if in == synthetic && opts[0] == "-M" && slices.Contains(opts, "change") {
					// a TABLE_DUMP2 entry's time is uninitialised memory
					// there, too big a time for bgpdump's date formatting
					t.Skip("bgpdump 1.6.2 crashes on -M -t change here (SIGSEGV)")
				}
				compareRun(t, bgpdump, ze, in, opts)
			})
		}
	}
}

// optionSets are the runs of bgpdump's -m/-M options: each alone, and
// together. (-l and -u change only -m lines.)
var optionSets = [][]string{
	{"-m", "-p"},
	{"-m", "-l"},
	{"-m", "-u"},
	{"-m", "-t", "change"},
	{"-m", "-t", "change", "-p", "-l", "-u"},
	{"-M", "-t", "change"},
	{"-M", "-t", "dump", "-p", "-l", "-u"},
}

// compareRun runs bgpdump and ze mrt dump with args on in (at the same
// time) and requires the same lines, but for the known differences:
// maskFile's one prefix, and the time of TABLE_DUMP_V2 lines with
// -t change (see maskChangeTime).
func compareRun(t *testing.T, bgpdump, ze, in string, args []string) {
	t.Helper()
	label := strings.Join(args, " ")
	var want, got []byte
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		want, werr = exec.Command(bgpdump, append(append([]string{"-q"}, args...), in)...).Output()
	}()
	got, _ = exec.Command(ze, append(append([]string{"mrt", "dump"}, args...), in)...).Output() // exit 1 on damage
	<-done
	if werr != nil {
		t.Fatalf("bgpdump %s: %v", label, werr)
	}
	if strings.Contains(in, maskFile) {
		want = bytes.Replace(want, []byte("|11.13.0.0/13|"), []byte("|11.8.0.0/13|"), 1)
		if bytes.Equal(got, want) && len(args) == 1 {
			t.Logf("the one known difference: bgpdump 1.6.2 keeps host bits (11.13.0.0/13), ze clears them")
		}
	}
	if slices.Contains(args, "change") {
		col := 1
		if slices.Contains(args, "-p") {
			col = 2
		}
		var n int
		want, _ = maskChangeTime(want, col)
		got, n = maskChangeTime(got, col)
		if n > 0 {
			t.Logf("%s: %d TABLE_DUMP2 times not compared (bgpdump 1.6.2 prints uninitialised memory)", label, n)
		}
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d:\n     ze %s\nbgpdump %s", label, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: ze printed %d lines, bgpdump %d", label, len(gl), len(wl))
	}
}

// maskChangeTime replaces the time column (col) of the TABLE_DUMP2 and
// TABLE_DUMP2_AP lines of out with "T" and returns how many it masked.
// With -t change bgpdump 1.6.2 prints no time there but what its entry's
// time field happens to hold: 0 on most files, a heap address or the
// octets of another string otherwise, different from run to run. ze
// prints the entry's originated time (mrt/bgpdump tests check it).
func maskChangeTime(out []byte, col int) ([]byte, int) {
	lines := bytes.SplitAfter(out, []byte("\n"))
	n := 0
	for i, l := range lines {
		if !bytes.HasPrefix(l, []byte("TABLE_DUMP2|")) && !bytes.HasPrefix(l, []byte("TABLE_DUMP2_AP|")) {
			continue
		}
		f := bytes.SplitN(l, []byte("|"), col+2)
		if len(f) < col+2 {
			continue
		}
		f[col] = []byte("T")
		lines[i] = bytes.Join(f, []byte("|"))
		n++
	}
	return bytes.Join(lines, nil), n
}
