#!/usr/bin/env bash
# Runs the interop suites against real daemons. Installs the Debian
# packages they need when missing (as root, as on CI), then runs the Go
# tests built with the `interop` tag. Each suite prints the daemon and
# version it ran against.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v exabgp >/dev/null 2>&1 || need+=(exabgp)
# BIRD and FRR run in network namespaces (root only): without root
# their tests skip, so they are not worth failing for.
if [ "$(id -u)" -eq 0 ]; then
	command -v bird >/dev/null 2>&1 || need+=(bird2)
	[ -x /usr/lib/frr/bgpd ] || need+=(frr)
	command -v gobgpd >/dev/null 2>&1 || need+=(gobgpd)
	command -v bgpctl >/dev/null 2>&1 || need+=(openbgpd)
fi
command -v bgpdump >/dev/null 2>&1 || need+=(bgpdump)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "interop: missing ${need[*]} and not root: cannot install" >&2
		exit 1
	fi
	echo "interop: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq "${need[@]}" >/dev/null
fi
exabgp --version 2>/dev/null | head -1 || true
bird --version 2>&1 | head -1 || true
/usr/lib/frr/bgpd --version 2>/dev/null | head -1 || true
gobgpd --version 2>/dev/null | head -1 || true
bgpctl -V 2>&1 | head -1 || true
bgpdump -V 2>&1 | head -1 || true
go test -tags interop -count=1 -v ./interop/...
