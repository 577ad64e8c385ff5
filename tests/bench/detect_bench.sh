#!/bin/sh
# Detection overhead: time from the deciding probe's completion to the
# engine's `health` event (DESIGN.md: p99 within 5 ms), with a bare pipe
# wake-up measured in the same run as this machine's floor. ~10 s.
# Usage: tests/bench/detect_bench.sh [DRTOP_BINARY]   (binary unused)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
build=${BUILD:-build}
mkdir -p "$build/bench"
echo "== detection"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -Icore \
	$(pkg-config --cflags libcurl libcjson) \
	-o "$build/bench/detect_bench" tests/bench/detect_bench.c \
	"$build/libdrtop.a" $(pkg-config --libs libcurl libcjson) \
	-lresolv -lpthread -lm || exit 1
"$build/bench/detect_bench" "${DETECT_SECONDS:-8}"
