#!/bin/sh
# Test helper: ignores SIGTERM (and so do its children), prints "ready"
# once the trap is set, then runs until killed.
trap '' TERM
echo ready
while :; do
	sleep 1
done
