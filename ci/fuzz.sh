#!/usr/bin/env bash
# Runs every native Go fuzz target in the module for a short time each
# (default 3s). Crashers are written by `go test` under the package's
# testdata/fuzz/ and make this script fail.
set -euo pipefail
t=${1:-3s}
cd "$(dirname "$0")/.."
fail=0
n=0
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		n=$((n + 1))
		echo "fuzz: $pkg $target ($t)"
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg" >/tmp/ze-fuzz.$$ 2>&1; then
			cat /tmp/ze-fuzz.$$
			fail=$((fail + 1))
		fi
	done
done
rm -f /tmp/ze-fuzz.$$
echo "fuzz: $n targets, $fail failed"
[ "$fail" -eq 0 ]
