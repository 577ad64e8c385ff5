#!/bin/sh
# Runs every test: cmocka unit binaries, then integration and screen tests
# (Python scripts for /usr/bin/python3 that print "ok - NAME" or
# "not ok - NAME" per check). Ends with one summary line:
#   tests: N passed, N failed
# Usage: tests/run.sh [--unit-only] [--only "test_a test_b"] BUILD_DIR DRTOP_BINARY
set -u
unit_only=0
only=""
[ "${1:-}" = "--unit-only" ] && { unit_only=1; shift; }
[ "${1:-}" = "--only" ] && { only=" $2 "; shift 2; }
build=${1:-build}
bin=${2:-./drtop}
root=$(cd "$(dirname "$0")/.." && pwd)
logs="$root/$build/test-logs"
mkdir -p "$logs"
passed=0
failed=0
failures=""

# Run one test program with a time limit; its log is kept on failure.
run_one() {
	name=$1; shift
	log="$logs/$(echo "$name" | tr '/' '_').log"
	t0=$(date +%s)
	timeout -k 10 "${TEST_TIMEOUT:-300}" "$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^ok - .*/1/p' "$log" |
		awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^not ok - .*/1/p' "$log" |
		awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed, timed out or failed before reporting
		echo "not ok - $name exited with status $rc" >>"$log"
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1	# a test that checked nothing proves nothing
		echo "not ok - $name ran no checks" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures="$failures $name"
		echo "FAIL $name ($p passed, $f failed; exit $rc; ${secs} s) -- $log"
		grep -E '^(not ok|\[  (FAILED|ERROR)|.*ERROR|.*runtime error|.*Sanitizer)' "$log" | head -20 | sed 's/^/    /'
	else
		echo "ok   $name ($p passed, ${secs} s)"
	fi
}

for t in "$root/$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	# a binary left from a test that was renamed or split is not a test
	[ -f "$root/tests/unit/$(basename "$t").c" ] || continue
	if [ -n "$only" ]; then
		case "$only" in *" $(basename "$t") "*) ;; *) continue ;; esac
	fi
	run_one "unit/$(basename "$t")" "$t"
done

if [ "$unit_only" -eq 0 ]; then
	export DRTOP="$root/$bin"
	export DRTOP_ROOT="$root"
	export PYTHONDONTWRITEBYTECODE=1
	for t in "$root"/tests/integration/test_*.py "$root"/tests/tui/test_*.py; do
		[ -f "$t" ] || continue
		rel=${t#"$root"/tests/}
		run_one "$rel" /usr/bin/python3 "$t"
	done
fi

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
