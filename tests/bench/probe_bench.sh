#!/bin/sh
# Probe capacity, CPU per probe and start lateness of core/probe against
# `drtop sim` (a separate process, loopback only), with the curl command
# line and, when installed, Prometheus's blackbox_exporter measured in
# the same run. Run by tests/bench/run.sh (`make bench`); < 1 minute.
# Usage: tests/bench/probe_bench.sh [DRTOP_BINARY]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
drtop=${1:-$root/drtop}
build=${BUILD:-build}
mkdir -p "$build/bench"
work=$(mktemp -d /tmp/drtop-probe-bench.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wait (at most $3 tenths of a second) until file $1 has a line matching $2.
wait_for() {
	i=0
	while [ "$i" -lt "$3" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

echo "== probes"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -Icore \
	$(pkg-config --cflags libcurl libcjson) \
	-o "$build/bench/probe_bench" tests/bench/probe_bench.c \
	"$build/libdrtop.a" $(pkg-config --libs libcurl libcjson) \
	-lpthread -lm || exit 1
"$drtop" sim --regions r0,r1,r2,r3,r4,r5,r6,r7,r8,r9 --base-port 0 \
	--control 0 >"$work/sim.out" 2>"$work/sim.err" &
pids="$pids $!"
if ! wait_for "$work/sim.out" '^ready' 100; then
	echo "probes: drtop sim did not start:"; cat "$work/sim.err"
	exit 1
fi
urls=$(awk '$1 == "region" { print $3 }' "$work/sim.out")
bb=""
if command -v prometheus-blackbox-exporter >/dev/null 2>&1; then
	printf 'modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n' \
		>"$work/blackbox.yml"
	prometheus-blackbox-exporter --config.file="$work/blackbox.yml" \
		--web.listen-address=127.0.0.1:0 >"$work/bb.log" 2>&1 &
	bbpid=$!
	pids="$pids $bbpid"
	if wait_for "$work/bb.log" 'Listening on' 100; then
		port=$(sed -n 's/.*Listening on.*address=127\.0\.0\.1:\([0-9]*\).*/\1/p' \
			"$work/bb.log" | head -1)
		[ -n "$port" ] && bb="--blackbox $port $bbpid"
	fi
else
	echo "(prometheus-blackbox-exporter is not installed:" \
		"apt-get install -y prometheus-blackbox-exporter)"
fi
# shellcheck disable=SC2086
timeout -k 5 100 "$build/bench/probe_bench" --endpoints 1000 \
	--interval 1 --duration 8 --cap-interval 0.1 --cap-duration 5 \
	--curl-count 300 $bb $urls
