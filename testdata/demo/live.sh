#!/usr/bin/env bash
# The live part of `make demo`: ze runs as a route server (RFC 7947) on
# loopback with testdata/demo/ze.conf. Two ze-test peers inject routes
# (east from 127.0.0.2, west from 127.0.0.3); a third (watch, from
# 127.0.0.4) connects afterwards, receives both feeds through ze with
# their attributes unchanged, and prints every message it gets. Then ze
# is stopped with SIGTERM: every peer gets Cease / Administrative
# Shutdown "ze shutting down". Bounded: every process has a timeout and
# is stopped by PID.
set -euo pipefail
bin=${1:-bin}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
waitfor() { # file pattern
	for _ in $(seq 200); do
		grep -q "$2" "$1" && return 0
		sleep 0.05
	done
	echo "demo: timed out waiting for '$2' in $1" >&2
	cat "$1" >&2
	return 1
}
"$bin/ze" --listen 127.0.0.1:0 "$dir/ze.conf" >"$tmp/ze.out" 2>"$tmp/ze.log" &
zepid=$!
pids+=("$zepid")
waitfor "$tmp/ze.out" "ze: listening"
port=$(sed -n 's/^ze: listening 127.0.0.1://p' "$tmp/ze.out" | head -1)
echo "== ze $dir/ze.conf: a route server listening on 127.0.0.1:$port"
"$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.2 --asn 65001 --mode inject \
	--count 6 --per-update 3 --prefix-start 198.51.100.0/28 --linger=-1s --timeout 15s >"$tmp/east.out" 2>&1 &
pids+=($!)
"$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.3 --asn 65002 --mode inject \
	--count 6 --per-update 6 --prefix-start 203.0.113.0/28 --attrs unique --linger=-1s --timeout 15s >"$tmp/west.out" 2>&1 &
pids+=($!)
waitfor "$tmp/ze.out" "ze: peer east end-of-rib"
waitfor "$tmp/ze.out" "ze: peer west end-of-rib"
echo "== peers east (AS 65001) and west (AS 65002) injected 6 routes each; watch (AS 65003) connects and prints what ze sends it"
"$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.4 --asn 65003 --decode --decode-format text \
	--sink-until-eor --timeout 10s 2>&1 | sed 's/^/watch: /'
kill -TERM "$zepid"
wait "$zepid" || true
sleep 0.2
echo "== ze stopped (SIGTERM); what it printed:"
cat "$tmp/ze.out"
echo "== what east saw at the end:"
grep -h "closed" "$tmp/east.out" || true
