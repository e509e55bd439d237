#!/usr/bin/env bash
# The live part of `make demo`: ze runs as a route server (RFC 7947) on
# loopback with testdata/demo/ze.conf, between ze-test peers:
#   east  (127.0.0.2, AS 65001) injects 6 routes sharing attributes,
#   west  (127.0.0.3, AS 65002) injects 6 routes with distinct attributes,
#   watch (127.0.0.4, AS 65003) receives both feeds through ze and prints
#         every message it gets, attributes unchanged,
#   flap  (127.0.0.5, AS 65004) comes and goes every few seconds,
#         announcing then withdrawing 3 routes.
# Every session's events reach the API process `events` as ExaBGP JSON;
# they are printed as "event: …". The neighbor summary (`ze show neighbor`)
# is printed after the initial sync and after every flap. It runs until
# Ctrl-C (or DEMO_SECONDS, default 3600, so it always ends); then ze is
# stopped with SIGTERM and every peer gets Cease / Administrative
# Shutdown "ze shutting down". ze and the peers run in their own
# sessions (setsid) so that Ctrl-C reaches only this script, which then
# stops them in order. Every process is stopped by PID.
set -euo pipefail
bin=${1:-bin}
seconds=${DEMO_SECONDS:-3600}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
zepid=
stopping=0
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'stopping=1' INT TERM
waitfor() { # file pattern
	for _ in $(seq 200); do
		grep -q "$2" "$1" && return 0
		sleep 0.05
	done
	echo "demo: timed out waiting for '$2' in $1" >&2
	cat "$1" >&2
	return 1
}
summary() {
	echo "== ze show neighbor"
	"$bin/ze" show --socket "$tmp/ze.sock" neighbor summary | sed 's/^/   /' || true
}
export ZE_DEMO_EVENTS="$tmp/events.json"
: >"$ZE_DEMO_EVENTS"
setsid "$bin/ze" --listen 127.0.0.1:0 --control "$tmp/ze.sock" "$dir/ze.conf" >"$tmp/ze.out" 2>"$tmp/ze.log" &
zepid=$!
pids+=("$zepid")
waitfor "$tmp/ze.out" "ze: listening"
port=$(sed -n 's/^ze: listening 127.0.0.1://p' "$tmp/ze.out" | head -1)
echo "== ze $dir/ze.conf: a route server listening on 127.0.0.1:$port (control socket $tmp/ze.sock)"
# The JSON events, as the API process receives them.
tail -n +1 -f "$ZE_DEMO_EVENTS" 2>/dev/null | sed -u 's/^/event: /' &
pids+=($!)
setsid "$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.2 --asn 65001 --mode inject \
	--count 6 --per-update 3 --prefix-start 198.51.100.0/28 --linger=-1s --timeout "$((seconds + 30))s" >"$tmp/east.out" 2>&1 &
pids+=($!)
setsid "$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.3 --asn 65002 --mode inject \
	--count 6 --per-update 6 --prefix-start 203.0.113.0/28 --attrs unique --linger=-1s --timeout "$((seconds + 30))s" >"$tmp/west.out" 2>&1 &
pids+=($!)
waitfor "$tmp/ze.out" "ze: peer east end-of-rib"
waitfor "$tmp/ze.out" "ze: peer west end-of-rib"
sleep 0.3
echo "== east (AS 65001) and west (AS 65002) injected 6 routes each; watch (AS 65003) connects and prints what ze sends it"
setsid "$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.4 --asn 65003 --decode --decode-format text \
	--timeout "$((seconds + 30))s" 2>"$tmp/watch.err" | sed -u 's/^/watch: /' &
pids+=($!)
waitfor "$tmp/ze.out" "ze: peer watch established"
sleep 0.5
summary
echo "== running until Ctrl-C (at most ${seconds}s): flap (AS 65004) comes and goes every 5 s"
end=$((SECONDS + seconds))
round=0
while [ "$stopping" = 0 ] && [ "$SECONDS" -lt "$end" ]; do
	round=$((round + 1))
	echo "== flap, round $round: announce 3 routes, withdraw them 1 s later, disconnect"
	setsid "$bin/ze-test" peer --dial "127.0.0.1:$port" --source-addresses 127.0.0.5 --asn 65004 --mode inject \
		--count 3 --per-update 3 --prefix-start 192.0.2.0/28 --withdraw-after 1s --linger 500ms --timeout 10s \
		>"$tmp/flap.out" 2>&1 &
	fpid=$!
	pids+=("$fpid")
	wait "$fpid" 2>/dev/null || true
	[ "$stopping" = 0 ] || break
	summary
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$stopping" = 0 ] && [ "$SECONDS" -lt "$end" ] || break
		sleep 0.5
	done
done
echo
echo "== stopping ze (SIGTERM): every peer gets Cease / Administrative Shutdown"
kill -TERM "$zepid" 2>/dev/null || true
wait "$zepid" 2>/dev/null || true
sleep 0.3
echo "== what ze printed:"
sed 's/^/   /' "$tmp/ze.out"
echo "== what east saw at the end:"
grep -h "closed" "$tmp/east.out" | sed 's/^/   /' || true
