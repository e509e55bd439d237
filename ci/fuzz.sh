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
		ok=0
		for try in 1 2; do
			if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg" >/tmp/ze-fuzz.$$ 2>&1; then
				ok=1
				break
			fi
			# Go's fuzzer sometimes ends a run at -fuzztime with a bare
			# "context deadline exceeded" and no failing input: not a
			# finding. Try once more; a real finding writes its input.
			if grep -q 'Failing input written' /tmp/ze-fuzz.$$ || ! grep -q 'context deadline exceeded' /tmp/ze-fuzz.$$; then
				break
			fi
			echo "fuzz: $target ended with 'context deadline exceeded' and no failing input (try $try)"
			[ "$try" -eq 2 ] && ok=1
		done
		if [ "$ok" -ne 1 ]; then
			cat /tmp/ze-fuzz.$$
			fail=$((fail + 1))
		fi
	done
done
rm -f /tmp/ze-fuzz.$$
echo "fuzz: $n targets, $fail failed"
[ "$fail" -eq 0 ]
