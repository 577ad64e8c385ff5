#!/bin/sh
# Test helper for core/actions (tests/unit/test_actions.c): records how
# it was started, in its working directory:
#   argv.out   its arguments, each followed by a NUL byte
#   env.out    the DRTOP_* variables and DRTOP_TEST_PARENT, NUL-separated
#   cwd.out    its working directory (pwd -P)
#   stdin.out  what its stdin is (readlink /proc/self/fd/0)
#   fds.out    its open file descriptors, one per line
#   sig.out    its blocked and ignored signal masks (/proc status lines)
# then prints its arguments one per line on stdout and "done" on stderr.
printf '%s\0' "$@" >argv.out
printf '%s\0' "FROM=${DRTOP_FROM-unset}" "TO=${DRTOP_TO-unset}" \
	"SERVICE=${DRTOP_SERVICE-unset}" "ACTION=${DRTOP_ACTION-unset}" \
	"STEP=${DRTOP_STEP-unset}" "PARENT=${DRTOP_TEST_PARENT-unset}" >env.out
pwd -P >cwd.out
readlink /proc/$$/fd/0 >stdin.out
ls /proc/$$/fd >fds.out
# Read with builtins only: while dash forks it blocks every signal.
while IFS= read -r l; do
	case $l in
	SigBlk:* | SigIgn:*) printf '%s\n' "$l" ;;
	esac
done </proc/$$/status >sig.out
for a in "$@"; do
	printf '%s\n' "$a"
done
echo done >&2
