#!/usr/bin/env bash
# The live part of `make demo`: two ze-test peers on loopback. A sink
# listens and prints every message it receives (--decode, text), an
# injector dials it, establishes a session, sends routes (packed 3 per
# UPDATE) and End-of-RIB; the sink prints its JSON summary and both stop.
# Bounded: every process has a timeout and is stopped by PID.
set -euo pipefail
bin=${1:-bin}
out=$(mktemp)
trap 'kill "$sink" 2>/dev/null || true; rm -f "$out"' EXIT
"$bin/ze-test" peer --listen 127.0.0.1:0 --mode sink --asn 65002 --decode --decode-format text \
	--sink-until-eor --timeout 10s >"$out" 2>&1 &
sink=$!
for _ in $(seq 100); do
	grep -q '^listening ' "$out" && break
	sleep 0.05
done
addr=$(sed -n 's/^listening //p' "$out" | head -1)
echo "== ze-test peer --mode sink listening on $addr; ze-test peer --mode inject dials it"
"$bin/ze-test" peer --dial "$addr" --mode inject --asn 65001 --count 9 --per-update 3 \
	--prefix-start 198.51.100.0/28 --timeout 10s
wait "$sink" || true
echo "== what the sink received and decoded"
cat "$out"
