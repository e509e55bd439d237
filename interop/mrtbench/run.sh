#!/bin/sh
# run.sh — make bench-mrt: ze mrt dump -m against bgpdump -m, ze's record
# iteration against GoBGP's decoding, and whole-file reading against
# decompression alone, on bgpdump's largest test files (see doc.go).
# Usage: interop/mrtbench/run.sh [BIN_DIR] [extra go test flags]
# Environment: ZE_MRTBENCH_COPIES (how many times each file is repeated,
# default 8), ZE_MRTBENCH_RUNS (best of, default 7),
# ZE_MRTBENCH_BGPDUMP_RUNS (default 2), ZE_MRTBENCH_REPORT (also write
# the table to this file), ZE_SHARED_DATA (the shared data folder,
# default ../shared/data beside the repository).
# Profiles: go test -tags mrtbench -run '^$' -bench ZeDumpLines \
#   -cpuprofile cpu.out ./interop/mrtbench/
set -eu
cd "$(dirname "$0")/../.."
bin=${1:-bin}
[ $# -gt 0 ] && shift
ZE_BIN=$(cd "$bin" && pwd)/ze
export ZE_BIN
command -v bgpdump >/dev/null || { echo "bench-mrt: bgpdump is not installed (apt-get install -y bgpdump)"; exit 1; }
go test -tags mrtbench -count=1 -v -timeout 30m -run '^(TestWalkersAgree|TestMRTBench)$' "$@" ./interop/mrtbench/
