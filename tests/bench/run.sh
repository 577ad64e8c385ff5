#!/bin/sh
# `make bench`: runs every tests/bench/*_bench.sh with the built binary.
# Each prints its own figures and ratios against the peers it measures.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
for b in "$root"/tests/bench/*_bench.sh; do
	[ -f "$b" ] || continue
	sh "$b" "$root/drtop" || rc=1
done
exit $rc
