#!/bin/sh
# compare.sh — ze's UPDATE walk against GoBGP's parser on the shared
# full-table-like capture; prints both results and the speed ratio.
# Usage: interop/bench/compare.sh [extra go test flags]
#   e.g. -count=5 (the fastest run of each counts: less noise on a busy
#   machine; a later -count overrides the default 1) or -cpuprofile cpu.out
# ZE_SHARED_DATA overrides the shared data folder holding pcap/ (default
# ../shared/data beside the module root; see internal/corpus).
set -eu
cd "$(dirname "$0")/../.."
out=$(go test -run='^$' -bench='^Benchmark(ZeWalk|GoBGPParse)$' \
	-benchmem -count=1 -benchtime=3x "$@" ./interop/bench/ 2>&1) || {
	printf '%s\n' "$out"
	exit 1
}
printf '%s\n' "$out"
printf '%s\n' "$out" | awk '
	# Print the value that precedes a unit column ("241.2 ns/msg").
	function metric(unit,   i) { for (i = 2; i <= NF; i++) if ($i == unit) return $(i-1); return "" }
	# With -count=N keep the fastest run of each (the least disturbed).
	/^BenchmarkZeWalk/ {
		v = metric("ns/msg") + 0
		if (ze == "" || v < ze) { ze = v; zeMB = metric("MB/s") }
		v = metric("cpu-ns/msg") + 0
		if (zeCPU == "" || v < zeCPU) zeCPU = v
		zeAllocs = metric("allocs/msg")
	}
	/^BenchmarkGoBGPParse/ {
		v = metric("ns/msg") + 0
		if (gb == "" || v < gb) { gb = v; gbMB = metric("MB/s") }
		v = metric("cpu-ns/msg") + 0
		if (gbCPU == "" || v < gbCPU) gbCPU = v
		gbAllocs = metric("allocs/msg")
	}
	END {
		if (ze == "" || gb == "") { print "compare: benchmarks did not run (capture missing?)"; exit 1 }
		printf "\n%-12s %9s %11s %9s %11s\n", "", "ns/msg", "cpu-ns/msg", "MB/s", "allocs/msg"
		printf "%-12s %9.1f %11.1f %9.1f %11s\n", "ze walk", ze, zeCPU, zeMB, zeAllocs
		printf "%-12s %9.1f %11.1f %9.1f %11s\n", "GoBGP parse", gb, gbCPU, gbMB, gbAllocs
		r = gb / ze
		rc = (zeCPU > 0) ? gbCPU / zeCPU : 0
		# The verdict uses the smaller ratio: wall clock flatters GoBGP when
		# its garbage collector runs on an idle core and flatters ze when
		# the machine is busy (GoBGP gets descheduled mid-run).
		v = (rc > 0 && rc < r) ? rc : r
		printf "ratio: ze is %.1fx faster by wall clock, %.1fx by CPU time\n", r, rc
		printf "target >= 20x with 0 allocs/msg: %s (%.1fx)\n", (v >= 20 && zeAllocs + 0 == 0) ? "met" : "NOT met", v
	}'
