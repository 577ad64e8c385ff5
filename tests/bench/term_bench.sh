#!/bin/sh
# `make bench` hook for the console: terminal bytes/s and CPU of
# `drtop --demo` against htop at 80x24 and 200x60 (tests/bench/term_bytes.sh).
# Usage: term_bench.sh [DRTOP]; TERM_BENCH_SECONDS sets the window (30).
exec sh "$(dirname "$0")/term_bytes.sh" "${TERM_BENCH_SECONDS:-30}" "${1:-./drtop}"
