#!/bin/sh
# Memory of a live session (DESIGN.md: at most 8 MiB RSS at 20 endpoints,
# flat over time at 1,000): `drtop watch --json` against `drtop sim` on
# loopback, peak RSS (VmHWM) at 20 endpoints, and RSS sampled over
# MEM_SECONDS (default 60) at 1,000 endpoints probed every second, with
# the growth per minute after warm-up. For scale, htop's peak RSS at
# 80x24 from FACTS.md is 3.9 MiB. Usage: memory_bench.sh [DRTOP_BINARY]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
drtop=${1:-$root/drtop}
secs=${MEM_SECONDS:-60}
work=$(mktemp -d /tmp/drtop-mem-bench.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null; }
pss() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }
mib() { echo "$(($1 / 1024)).$(( ($1 % 1024) * 10 / 1024 ))"; }

regions=r0,r1,r2,r3,r4,r5,r6,r7,r8,r9
"$drtop" sim --regions "$regions" --base-port 0 --control 0 --dns-port 0 \
	>"$work/sim.out" 2>&1 &
pids="$pids $!"
i=0
while [ $i -lt 50 ] && ! grep -q '^ready' "$work/sim.out"; do
	sleep 0.1; i=$((i + 1))
done
grep -q '^ready' "$work/sim.out" || { echo "memory: sim did not start"; exit 1; }
dns=$(awk '$1 == "dns" {print $2}' "$work/sim.out")

# profile N: N endpoints spread over the 10 regions (distinct paths).
profile() {
	awk -v n="$1" -v dns="$dns" '
	$1 == "region" { url[k++] = $3 }
	END {
		printf "{\"service\":\"mem\",\"dns\":{\"name\":\"demo.sim.drtop.test\",";
		printf "\"resolvers\":[\"%s\"],\"interval\":1},", dns;
		printf "\"monitor\":{\"interval\":1,\"timeout\":0.9},\"endpoints\":[";
		for (i = 0; i < n; i++) {
			u = url[i % k]; sub("/health$", "/health/" i, u);
			printf "%s{\"name\":\"e%d\",\"target\":\"%s\",\"priority\":%d}",
			    i ? "," : "", i, u, i + 1;
		}
		printf "]}\n";
	}' "$work/sim.out" >"$work/p$1.json"
}

echo "== memory"
profile 20
"$drtop" watch --json --duration 15 "$work/p20.json" >/dev/null &
w=$!
sleep 14
hwm20=$(kb $w VmHWM)
anon20=$(kb $w RssAnon)
file20=$(kb $w RssFile)
pss20=$(pss $w)
wait $w
echo "  20 endpoints @ 1 s, 15 s: peak RSS $(mib $hwm20) MiB (target <= 8 MiB; htop 3.9 MiB in FACTS.md)"
echo "    of which anonymous (drtop's own) $(mib $anon20) MiB, file-backed (shared libraries) $(mib $file20) MiB; PSS $(mib ${pss20:-0}) MiB"

profile 1000
"$drtop" watch --json --duration $((secs + 5)) "$work/p1000.json" >/dev/null &
w=$!
pids="$pids $w"
sleep 10
first=$(kb $w VmRSS)
t=10
samples="$first"
while [ $t -lt "$secs" ]; do
	sleep 10; t=$((t + 10))
	samples="$samples $(kb $w VmRSS)"
done
last=$(kb $w VmRSS)
hwm=$(kb $w VmHWM)
wait $w
span=$((secs - 10))
echo "  1,000 endpoints @ 1 s, ${secs} s: RSS KiB every 10 s after warm-up: $samples"
echo "  growth after warm-up: $((last - first)) KiB over ${span} s ($(( (last - first) * 60 / span )) KiB/min); peak $((hwm / 1024)) MiB"
