#!/bin/sh
# Benchmark of `drtop report --format json` on a generated log of one
# million events (DESIGN.md: >= 10x the best jq program, >= 3x Python's
# json module), measured against both in the same run on the same file.
# All three compute the same per-endpoint figures (probes, ok, p50 and
# p95 of ms.total, nearest rank); the script checks they agree.
# Bounded: generation ~10 s, each run at most 60 s (jq takes ~10-30 s).
# Usage: tests/bench/report_bench.sh [DRTOP] [EVENTS]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
drtop=${1:-"$root/drtop"}
events=${2:-1000000}
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/drtop-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

now() { date +%s.%N; }
# Run "$@" with stdout to $out, print elapsed seconds. Each run is cut
# at $limit s (then the figure is a lower bound and its output is empty).
limit=60
timed() {
	out=$1; shift
	t0=$(now)
	timeout "$limit" "$@" >"$out" || : >"$out"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
best() { printf '%s\n' "$@" | sort -g | head -1; }

echo "== report: generating $events events"
"$py" "$root/tools/genlog.py" "$events" "$tmp/log.jsonl"
ls -l "$tmp/log.jsonl" | awk '{ printf "   %.0f MB\n", $5 / 1e6 }'
cat "$tmp/log.jsonl" >/dev/null # warm the page cache

cat >"$tmp/a.jq" <<'JQ'
[inputs | select(.type == "probe") | [.endpoint, .ms.total, .ok]] as $p
| ($p | map(.[0])) as $names
| [($names | unique[]) as $e
   | ($names | indices($e)) as $ix
   | [$ix[] as $i | $p[$i]] as $x
   | ([$x[] | .[1] | select(. != null)] | sort) as $lat
   | {key: $e, value: {probes: ($x | length),
       ok: ([$x[] | select(.[2])] | length),
       p50_ms: $lat[(($lat | length) * 0.5 | ceil) - 1],
       p95_ms: $lat[(($lat | length) * 0.95 | ceil) - 1]}}]
| from_entries
JQ
cat >"$tmp/b.jq" <<'JQ'
[inputs | select(.type == "probe") | [.endpoint, .ms.total, .ok]]
| group_by(.[0])
| map((map(.[1] | select(. != null)) | sort) as $lat
   | {key: .[0][0], value: {probes: length,
       ok: (map(select(.[2])) | length),
       p50_ms: $lat[(($lat | length) * 0.5 | ceil) - 1],
       p95_ms: $lat[(($lat | length) * 0.95 | ceil) - 1]}})
| from_entries
JQ
cat >"$tmp/py.py" <<'PY'
import json, math, sys
eps = {}
with open(sys.argv[1]) as f:
    next(f)
    for line in f:
        if not line.strip():
            continue
        e = json.loads(line)
        if e.get("type") != "probe":
            continue
        s = eps.setdefault(e["endpoint"], [0, 0, []])
        s[0] += 1
        s[1] += 1 if e["ok"] else 0
        tot = (e.get("ms") or {}).get("total")
        if tot is not None:
            s[2].append(tot)
out = {}
for name, (n, ok, lat) in eps.items():
    lat.sort()
    pick = lambda p: lat[max(1, math.ceil(p / 100 * len(lat))) - 1] if lat else None
    out[name] = {"probes": n, "ok": ok, "p50_ms": pick(50), "p95_ms": pick(95)}
print(json.dumps(out, sort_keys=True))
PY

d1=$(timed "$tmp/drtop.json" "$drtop" report --format json "$tmp/log.jsonl")
d2=$(timed "$tmp/drtop.json" "$drtop" report --format json "$tmp/log.jsonl")
d3=$(timed "$tmp/drtop.json" "$drtop" report --format json "$tmp/log.jsonl")
d=$(best "$d1" "$d2" "$d3")
slow=$(DRTOP_NO_FASTPROBE=1 timed "$tmp/slow.json" "$drtop" report \
	--format json "$tmp/log.jsonl")
p=$(timed "$tmp/py.json" "$py" "$tmp/py.py" "$tmp/log.jsonl")
ja=$(timed "$tmp/ja.json" jq -n -S -c -f "$tmp/a.jq" "$tmp/log.jsonl")
jb=$(timed "$tmp/jb.json" jq -n -S -c -f "$tmp/b.jq" "$tmp/log.jsonl")
j=$(best "$ja" "$jb")

# The same figures from all of them?
"$py" - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
rep = json.load(open(d + "/drtop.json"))["endpoints"]
mine = {k: {f: v[f] for f in ("probes", "ok", "p50_ms", "p95_ms")}
        for k, v in rep.items()}
others = {}
for n in ("py", "ja", "jb"):
    text = open("%s/%s.json" % (d, n)).read()
    if not text:
        print("   %s: cut at the time limit (its time is a lower bound)" % n)
        continue
    others[n] = json.loads(text)
slow = json.load(open(d + "/slow.json"))
fast = json.load(open(d + "/drtop.json"))
bad = [n for n, o in others.items() if o != mine]
print("   results agree:", "yes" if not bad else "NO (%s)" % ",".join(bad))
print("   fast path output identical to cJSON path:",
      "yes" if slow == fast else "NO")
PY
awk -v d="$d" -v s="$slow" -v p="$p" -v ja="$ja" -v jb="$jb" -v j="$j" \
    -v n="$events" 'BEGIN {
	printf "   drtop report --format json   %7.3f s  %9.0f events/s (best of 3)\n", d, n / d
	printf "   drtop without probe fast path %6.3f s\n", s
	printf "   python3 json line by line    %7.3f s\n", p
	printf "   jq (collect + indices)       %7.3f s\n", ja
	printf "   jq (collect + group_by)      %7.3f s\n", jb
	printf "   ratio vs best jq:     %5.1fx (target >= 10x) %s\n", j / d, (j / d >= 10 ? "ok" : "MISSED")
	printf "   ratio vs python json: %5.1fx (target >= 3x)  %s\n", p / d, (p / d >= 3 ? "ok" : "MISSED")
	printf "   probe fast path speed-up: %.1fx\n", s / d
}'
