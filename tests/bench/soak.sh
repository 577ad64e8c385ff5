#!/bin/sh
# make soak (not in CI): a long live session, for memory that creeps. `drtop
# watch --json` with SOAK_ENDPOINTS (default 1,000) endpoints probed every
# second against `drtop sim` on loopback, for SOAK_MINUTES (default 60).
# Every minute: RSS, anonymous RSS and open file descriptors; at the end,
# after SOAK_WARMUP minutes (default 10), the least-squares slope of RSS in
# KiB per minute and the spread, with the verdict: flat means within +-5 %
# of the first sample after warm-up. SOAK_STALL_AT=M stops the simulator
# for SOAK_STALL_S seconds (default 3) at minute M: every probe hangs in
# flight at once, as in a region that stops answering, and RSS must still
# come back (the samples of the minute and a half after it are printed
# but left out of the verdict). Usage: soak.sh [DRTOP_BINARY]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
drtop=${1:-$root/drtop}
n=${SOAK_ENDPOINTS:-1000}
minutes=${SOAK_MINUTES:-60}
warm=${SOAK_WARMUP:-10}
step=${SOAK_STEP:-60} # seconds between samples
stall_at=${SOAK_STALL_AT:-}
stall_s=${SOAK_STALL_S:-3}
work=$(mktemp -d /tmp/drtop-soak.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null; }

"$drtop" sim --regions r0,r1,r2,r3,r4,r5,r6,r7,r8,r9 --base-port 0 \
	--control 0 --dns-port 0 >"$work/sim.out" 2>&1 &
sim=$!
pids="$pids $sim"
i=0
while [ $i -lt 50 ] && ! grep -q '^ready' "$work/sim.out" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
grep -q '^ready' "$work/sim.out" || { echo "soak: sim did not start"; exit 1; }
dns=$(awk '$1 == "dns" {print $2}' "$work/sim.out")
awk -v n="$n" -v dns="$dns" '
$1 == "region" { url[k++] = $3 }
END {
	printf "{\"service\":\"soak\",\"dns\":{\"name\":\"demo.sim.drtop.test\",";
	printf "\"resolvers\":[\"%s\"],\"interval\":1},", dns;
	printf "\"monitor\":{\"interval\":1,\"timeout\":0.9},\"endpoints\":[";
	for (i = 0; i < n; i++) {
		u = url[i % k]; sub("/health$", "/health/" i, u);
		printf "%s{\"name\":\"e%d\",\"target\":\"%s\",\"priority\":%d}",
		    i ? "," : "", i, u, i + 1;
	}
	printf "]}\n";
}' "$work/sim.out" >"$work/p.json"

"$drtop" watch --json --record "$work/soak.jsonl" "$work/p.json" \
	>/dev/null 2>"$work/watch.err" &
w=$!
pids="$pids $w"
echo "== soak: $n endpoints at 1 s for $minutes min (samples every $step s)"
echo "   min  rss_kib  anon_kib  fds"
m=0
samples=$((minutes * 60 / step))
: >"$work/samples"
while [ $m -le "$samples" ]; do
	kill -0 $w 2>/dev/null || { echo "soak: watch died"; cat "$work/watch.err"; exit 1; }
	rss=$(kb $w VmRSS)
	anon=$(kb $w RssAnon)
	fds=$(ls /proc/$w/fd 2>/dev/null | wc -l)
	at=$(awk -v m="$m" -v s="$step" 'BEGIN { printf "%.2f", m * s / 60 }')
	printf "%6s  %7s  %8s  %3s\n" "$at" "$rss" "$anon" "$fds"
	echo "$at $rss $fds" >>"$work/samples"
	[ $m -eq "$samples" ] && break
	if [ -n "$stall_at" ] && [ "$(awk -v m="$m" -v s="$step" -v a="$stall_at" \
		'BEGIN { print (m * s / 60 <= a && (m + 1) * s / 60 > a) }')" = 1 ]; then
		kill -STOP "$sim"
		sleep "$stall_s"
		peak=$(ls /proc/$w/fd 2>/dev/null | wc -l)
		kill -CONT "$sim"
		echo "   (the simulator stopped for $stall_s s: $peak fds at the end)"
		sleep $((step - stall_s))
	else
		sleep "$step"
	fi
	m=$((m + 1))
done
# The verdict leaves out the minute and a half after a stall: what the
# hung probes held is handed back at the session's next minute.
awk -v warm="$warm" -v stall="${stall_at:--1}" '
BEGIN { n = 0 }
stall >= 0 && $1 + 0 > stall + 0 && $1 + 0 <= stall + 1.5 { next }
$1 + 0 >= warm + 0 { x[n] = $1; y[n] = $2; f[n] = $3; n++ }
END {
	if (n < 2) { print "soak: too few samples after warm-up"; exit 1 }
	for (i = 0; i < n; i++) { sx += x[i]; sy += y[i] }
	mx = sx / n; my = sy / n
	for (i = 0; i < n; i++) { sxy += (x[i]-mx)*(y[i]-my); sxx += (x[i]-mx)^2 }
	slope = sxx > 0 ? sxy / sxx : 0
	lo = hi = y[0]; flo = fhi = f[0]
	for (i = 1; i < n; i++) {
		if (y[i] < lo) lo = y[i]; if (y[i] > hi) hi = y[i]
		if (f[i] < flo) flo = f[i]; if (f[i] > fhi) fhi = f[i]
	}
	printf "after %d min: RSS %d..%d KiB (%+.1f %% of the first), slope %+.1f KiB/min; fds %d..%d\n",
	    warm, lo, hi, (hi - y[0]) * 100.0 / y[0], slope, flo, fhi
	flat = (hi - y[0]) * 100.0 / y[0] <= 5 && (y[0] - lo) * 100.0 / y[0] <= 5
	print flat ? "soak: RSS flat within 5 %" : "soak: RSS NOT flat within 5 %"
	exit flat ? 0 : 1
}' "$work/samples"
