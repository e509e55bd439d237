//go:build interop

package propagation

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
	"github.com/ze-bgp/ze/testpeer"
)

// shape is one way of sending the routes.
type shape struct {
	key       string
	name      string
	perUpdate int
	unique    bool // an attribute set per UPDATE (MED = UPDATE number)
}

var shapes = []shape{
	{"shared", "500/UPDATE, 1 attr set", 500, false},
	{"unique", "10/UPDATE, unique attrs", 10, true},
}

// result is one run of one device under test with one shape.
type result struct {
	dut, version, shape string
	prefixes            int
	seconds             float64 // first UPDATE sent → last prefix back
	peakKiB, growKiB    int64   // VmHWM, and VmHWM − VmRSS before injection
	cpu                 float64 // the daemon's CPU seconds during the run
	err                 string
	runs, failed        int // of the runs of this row (the median one is shown)
}

func (r result) bytesPerRoute() float64 { return float64(r.growKiB) * 1024 / float64(r.prefixes) }
func (r result) perRoute() float64      { return r.seconds / float64(r.prefixes) }

// TestPropagation is `make bench-propagation`: every device under test,
// one after the other in the same lab, forwards the injected prefixes
// in both shapes from a fresh start; it prints the table (stdout) and,
// with ZEPB_PROFILE=PREFIX, ze's CPU and heap profile tops. Knobs
// (environment): ZEPB_COUNT (1000000), ZEPB_GOBGP_COUNT (100000),
// ZEPB_TIMEOUT per run (5m), ZEPB_RUNS per shape (1; the median run is
// shown), ZEPB_DAEMONS (ze,bird,frr,gobgp,openbgpd), ZEPB_BIN (a
// directory with ze and ze-test; else they are built), ZEPB_PROFILE.
func TestPropagation(t *testing.T) {
	if os.Getenv("ZE_BENCH_PROPAGATION") == "" {
		t.Skip("run by make bench-propagation (ZE_BENCH_PROPAGATION=1)")
	}
	zeBin, zeTest := binaries(t)
	list := duts(zeBin)
	prof := os.Getenv("ZEPB_PROFILE")
	if prof != "" {
		if !filepath.IsAbs(prof) {
			wd, _ := os.Getwd()
			prof = filepath.Join(wd, prof)
		}
		list = slices.Insert(list, 1, zeProfiledDUT(zeBin, prof))
	}
	if names := os.Getenv("ZEPB_DAEMONS"); names != "" {
		want := strings.Split(strings.ToLower(names), ",")
		list = slices.DeleteFunc(list, func(d *dut) bool {
			key := strings.ToLower(strings.Fields(d.name)[0])
			return !slices.Contains(want, key) && !(d.name == "ze (pprof)" && prof != "")
		})
	}
	results := bench(t, list, zeTest, envInt("ZEPB_COUNT", 1_000_000), envInt("ZEPB_RUNS", 1), envDuration("ZEPB_TIMEOUT", 5*time.Minute))
	fmt.Println()
	printTable(os.Stdout, results)
	for _, d := range list {
		if d.note != "" {
			fmt.Println("  " + d.note)
		}
	}
	if prof != "" {
		for _, sh := range shapes {
			for _, kind := range []string{"cpu", "heap"} {
				file := prof + "-" + sh.key + "." + kind + ".pprof"
				out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", file).CombinedOutput()
				fmt.Printf("\n== go tool pprof -top %s (%v)\n%s", file, err, out)
			}
		}
	}
}

// TestPropagationSmoke keeps the benchmark working under `make
// interop`: ze alone, 20,000 prefixes in each shape.
func TestPropagationSmoke(t *testing.T) {
	if os.Getenv("ZE_BENCH_PROPAGATION") != "" {
		t.Skip("the full benchmark runs instead")
	}
	zeBin, zeTest := binaries(t)
	results := bench(t, []*dut{zeDUT(zeBin)}, zeTest, 20_000, 1, time.Minute)
	var b strings.Builder
	printTable(&b, results)
	t.Logf("\n%s", b.String())
	for _, r := range results {
		if r.err != "" {
			t.Errorf("%s %s: %s", r.dut, r.shape, r.err)
		}
	}
}

func bench(t *testing.T, list []*dut, zeTest string, count, runs int, timeout time.Duration) []result {
	l := newLab(t)
	var results []result
	for _, d := range list {
		if why := d.check(); why != "" {
			t.Logf("%s: not run: %s", d.name, why)
			results = append(results, result{dut: d.name, err: "not run: " + why})
			continue
		}
		ver := d.version()
		n := count
		if d.count > 0 && d.count < n {
			n = d.count
		}
		for _, sh := range shapes {
			var rs []result
			for i := 0; i < runs; i++ {
				r := result{dut: d.name, version: ver, shape: sh.name, prefixes: n}
				t.Run(strings.Fields(d.name)[0]+"/"+sh.key, func(t *testing.T) {
					runOne(t, l, d, sh, zeTest, timeout, &r)
				})
				t.Logf("%s %s: %d prefixes in %.3fs, %d KiB peak, %.0f bytes/route %s",
					d.name, sh.name, n, r.seconds, r.peakKiB, r.bytesPerRoute(), r.err)
				rs = append(rs, r)
			}
			m := median(rs)
			m.runs = len(rs)
			for _, r := range rs {
				if r.err != "" {
					m.failed++
				}
			}
			results = append(results, m)
		}
	}
	return results
}

// runOne starts d afresh, measures its memory, injects, waits for every
// prefix to come back, measures again and stops d (t.Cleanup).
func runOne(t *testing.T, l *lab, d *dut, sh shape, zeTest string, timeout time.Duration, r *result) {
	dir := t.TempDir()
	p := d.start(t, l, dir, sh.key)
	p.StopGrace = 30 * time.Second // FRR and GoBGP holding a large table take long to exit
	if !waitFor(20*time.Second, func() bool { return p.Exited() || listening(l.dut) }) || p.Exited() {
		r.err = "did not start"
		t.Errorf("%s did not start listening:\n%s\n%s", d.name, harness.Tail(p.Out()), harness.Tail(p.ErrOut()))
		return
	}
	time.Sleep(500 * time.Millisecond) // let it settle before the baseline
	before := measure(p.Tree())
	if d.before != nil {
		d.before(t, p)
	}
	args := []string{"peer", "--dial", dutAddr + ":179", "--source-addresses", injectAddr,
		"--asn", strconv.Itoa(injectAS), "--mode", "inject", "--count", strconv.Itoa(r.prefixes),
		"--per-update", strconv.Itoa(sh.perUpdate), "--prefix-start", prefixStart, "--next-hop", injectAddr,
		"--expect-back", dutAddr + ":179", "--expect-back-source", sinkAddr,
		"--expect-back-asn", strconv.Itoa(sinkAS), "--timeout", timeout.String(), "--quiet"}
	if sh.unique {
		args = append(args, "--attrs", "unique")
	}
	if d.after != nil {
		args = append(args, "--linger", "2s") // the routes stay while ze writes its profiles
	}
	inj := l.peers.Start(t, dir, "inject", zeTest, args...)
	select {
	case <-inj.Done():
	case <-time.After(timeout + 30*time.Second):
		inj.Stop()
	}
	after := measure(p.Tree())
	if d.after != nil {
		d.after(t, p)
	}
	r.peakKiB, r.growKiB, r.cpu = growth(before, after)
	var rep map[string]testpeer.InjectReport
	for _, line := range strings.Split(inj.Out(), "\n") {
		if strings.HasPrefix(line, `{"inject"`) {
			_ = json.Unmarshal([]byte(line), &rep)
		}
	}
	ir, ok := rep["inject"]
	switch {
	case !ok || ir.Back == nil || ir.Back.Received != int64(r.prefixes):
		first, _, _ := strings.Cut(strings.TrimSpace(inj.ErrOut()), "\n")
		r.err = "failed: " + first
		t.Errorf("%s: inject: %v\nstdout:\n%s\nstderr:\n%s\n%s stderr:\n%s", d.name, inj.Err(), harness.Tail(inj.Out()), harness.Tail(inj.ErrOut()), d.name, harness.Tail(p.ErrOut()))
	case p.Exited():
		r.err = "exited"
		t.Errorf("%s exited during the run:\n%s", d.name, harness.Tail(p.ErrOut()))
	default:
		r.seconds = ir.Back.Seconds
	}
}

// median returns the run with the median time (failed runs sort last).
func median(rs []result) result {
	slices.SortStableFunc(rs, func(a, b result) int {
		switch {
		case a.err != "" && b.err == "":
			return 1
		case a.err == "" && b.err != "":
			return -1
		case a.seconds < b.seconds:
			return -1
		case a.seconds > b.seconds:
			return 1
		}
		return 0
	})
	ok := 0
	for ok < len(rs) && rs[ok].err == "" {
		ok++
	}
	if ok == 0 {
		return rs[0]
	}
	return rs[(ok-1)/2]
}

// printTable writes the results with each daemon's ratio to BIRD's run
// of the same shape (time per route, so GoBGP's shorter run compares).
func printTable(w io.Writer, results []result) {
	bird := map[string]result{}
	for _, r := range results {
		if r.dut == "BIRD" && r.err == "" {
			bird[r.shape] = r
		}
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "daemon\tversion\tshape\tprefixes\tok/runs\tseconds\troutes/s\tpeak RSS MiB\tbytes/route\tCPU s\ttime ×BIRD\tbytes ×BIRD\t")
	var errs []string
	for _, r := range results {
		runs := fmt.Sprintf("%d/%d", r.runs-r.failed, r.runs)
		if r.err != "" {
			errs = append(errs, fmt.Sprintf("%s, %s: %s", r.dut, r.shape, r.err))
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t(%d)\t\t\t\t\t\t\t\n", r.dut, r.version, r.shape, r.prefixes, runs, len(errs))
			continue
		}
		tr, br := "", ""
		if b, ok := bird[r.shape]; ok {
			tr = fmt.Sprintf("%.2f", r.perRoute()/b.perRoute())
			br = fmt.Sprintf("%.2f", r.bytesPerRoute()/b.bytesPerRoute())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.3f\t%.0f\t%.1f\t%.0f\t%.2f\t%s\t%s\t\n",
			r.dut, r.version, r.shape, r.prefixes, runs, r.seconds, float64(r.prefixes)/r.seconds,
			float64(r.peakKiB)/1024, r.bytesPerRoute(), r.cpu, tr, br)
	}
	tw.Flush()
	for i, e := range errs {
		fmt.Fprintf(w, "  (%d) %s\n", i+1, e)
	}
}

// binaries returns ze and ze-test: copies of those in ZEPB_BIN (a
// shared bin/ may be rebuilt during the run), else built.
func binaries(t *testing.T) (ze, zeTest string) {
	dir := os.Getenv("ZEPB_BIN")
	if dir == "" {
		return harness.BuildZe(t)
	}
	tmp := t.TempDir()
	for _, name := range []string{"ze", "ze-test"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("ZEPB_BIN: %v", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(tmp, "ze"), filepath.Join(tmp, "ze-test")
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}
