//go:build interop

package exabgp

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/exabgp"
)

// decodeNeighbor is what `exabgp --decode` prints for the neighbor of
// its configuration; ze renders with the same.
var decodeNeighbor = exabgp.Neighbor{
	LocalAddress: netip.MustParseAddr(confAddress),
	PeerAddress:  netip.MustParseAddr(confAddress),
	LocalAS:      confASN,
	PeerAS:       confASN,
	RouterID:     netip.MustParseAddr(confAddress),
	Direction:    "in",
}

// exabgpBin returns the exabgp command and its version line, or skips t.
func exabgpBin(t *testing.T) string {
	bin, err := exec.LookPath("exabgp")
	if err != nil {
		t.Skip("exabgp is not installed (interop/run.sh installs it)")
	}
	version, err := exabgpVersion(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("daemon: %s (%s)", version, bin)
	return bin
}

// loadCaptures reads every shared capture (the large one cut to
// largeLimit messages).
func loadCaptures(t *testing.T) (names []string, per map[string][]*item) {
	if _, err := os.Stat(pcapDir()); err != nil {
		t.Skipf("shared captures not available: %v", err)
	}
	names, err := captures()
	if err != nil || len(names) == 0 {
		t.Fatalf("no captures in %s: %v", pcapDir(), err)
	}
	per = map[string][]*item{}
	for _, name := range names {
		limit := 0
		if name == largeCapture {
			limit = largeLimit
		}
		items, err := readCapture(name, limit)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		per[name] = items
	}
	return names, per
}

// TestDecodeAgainstExaBGP compares ze's ExaBGP 4.x JSON with
// `exabgp --decode` on every UPDATE of the shared captures (see the
// package doc). It prints the ExaBGP version and the counts per capture,
// and fails on any difference not listed in exabgpDefects or
// knownZeBugs, and on any listed message that agrees.
func TestDecodeAgainstExaBGP(t *testing.T) {
	bin := exabgpBin(t)
	names, per := loadCaptures(t)

	// ze's side, and the exabgp jobs.
	byKey := map[confKey][]*item{}
	for _, name := range names {
		for _, it := range per[name] {
			it.classify()
			if it.skip != "" {
				continue
			}
			b, err := exabgp.AppendMessage(nil, exabgp.V4, it.data, it.ctx, decodeNeighbor, exabgp.Meta{})
			it.ze = result{json: string(b)}
			if err != nil {
				it.ze = result{err: err.Error()}
			}
			byKey[it.key] = append(byKey[it.key], it)
		}
	}
	jobs, owners := batches(byKey)

	r := newRunner(t, bin)
	start := time.Now()
	if err := r.runAll(jobs, 2); err != nil {
		t.Fatal(err)
	}
	for i, j := range jobs {
		for k, it := range owners[i] {
			it.exa = j.out[k]
		}
	}
	t.Logf("exabgp --decode: %d calls (2 in parallel), %.1fs wall, %.1fs in exabgp", r.calls, time.Since(start).Seconds(), r.spent.Seconds())

	jd := newJudge(t, "decode")
	var total tally
	for _, name := range names {
		c := tally{skipped: map[string]int{}}
		for _, it := range per[name] {
			c.messages++
			if it.skip != "" {
				c.skipped[it.skip]++
				continue
			}
			jd.compare(&c, entry{it.capture, it.index}, ctxString(it), it.data, it.ze, it.exa)
		}
		t.Logf("%-62s %s", name, c)
		total.add(c)
	}
	t.Logf("%-62s %s", "TOTAL", total)
	for _, s := range skippedText(total.skipped) {
		t.Logf("not compared: %s", s)
	}
	jd.finish(names)
}

// batches groups the items of each configuration into exabgp calls: up to
// maxBatch messages shorter than batchLimit per call, longer ones alone.
// owners[i] are the items of jobs[i], in order.
func batches(byKey map[confKey][]*item) (jobs []*job, owners [][]*item) {
	keys := make([]confKey, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		var cur *job
		var own []*item
		flush := func() {
			if cur != nil {
				jobs, owners = append(jobs, cur), append(owners, own)
			}
			cur, own = nil, nil
		}
		for _, it := range byKey[k] {
			if len(it.data) >= batchLimit {
				jobs = append(jobs, &job{key: k, msgs: [][]byte{it.data}})
				owners = append(owners, []*item{it})
				continue
			}
			if cur == nil {
				cur = &job{key: k}
			}
			cur.msgs = append(cur.msgs, it.data)
			own = append(own, it)
			if len(cur.msgs) == maxBatch {
				flush()
			}
		}
		flush()
	}
	return jobs, owners
}

func ctxString(it *item) string {
	return fmt.Sprintf("asn4=%t add-path=%t ext-nh=%t", it.key.asn4, it.key.addPath, it.key.extNH)
}
