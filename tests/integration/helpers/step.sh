#!/bin/sh
# Test helper for runbooks: step.sh NAME [REQUIRED_FILE]
# Appends NAME to runs.log and prints "step NAME"; when REQUIRED_FILE is
# given and missing, prints "missing REQUIRED_FILE" on stderr and exits
# 3; otherwise creates NAME.done and exits 0. Works in its cwd.
echo "$1" >>runs.log
echo "step $1"
if [ -n "${2-}" ] && [ ! -e "$2" ]; then
	echo "missing $2" >&2
	exit 3
fi
: >"$1.done"
