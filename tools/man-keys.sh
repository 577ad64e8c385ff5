#!/bin/sh
# Writes the console's keys into man/drtop.1 between the lines
# `.\" keys: begin` and `.\" keys: end`, from `drtop --keys-man` (the key
# tables). Usage: tools/man-keys.sh DRTOP_BINARY MAN_PAGE
set -eu
bin=$1
page=$2
tmp=$(mktemp)
keys=$(mktemp)
trap 'rm -f "$tmp" "$keys"' EXIT
"$bin" --keys-man >"$keys"
awk -v keys="$keys" '
	/^\.\\" keys: begin/ { print; while ((getline l < keys) > 0) print l; skip = 1; next }
	/^\.\\" keys: end/ { skip = 0 }
	!skip { print }
' "$page" >"$tmp"
grep -q '^\.\\" keys: end' "$tmp"
cat "$tmp" >"$page"
