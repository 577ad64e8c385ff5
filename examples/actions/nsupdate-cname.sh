#!/bin/sh
# BIND (or any RFC 2136 server): point a CNAME at another endpoint with a
# TSIG-signed dynamic update.
#
#   nsupdate-cname.sh SERVER ZONE NAME TTL KEYFILE SUFFIX FROM TO
#
# Replaces NAME's CNAME with TO.SUFFIX (e.g. us21.cpi-dr.example.com) in
# one update: the delete and the add are applied together or not at all.
# SERVER is the primary's address (host or host:port -> "server host
# port"); KEYFILE is a TSIG key file as `tsig-keygen` writes it, read by
# nsupdate -k: the secret stays in that file (keep it mode 600), never
# on a command line. The update goes to nsupdate on stdin.
#
# In a profile (drtop substitutes {from} and {to}):
#   "argv": ["./actions/nsupdate-cname.sh", "10.0.0.53", "example.com",
#            "cpi.example.com", "60", "/etc/drtop/failover.key",
#            "cpi-dr.example.com", "{from}", "{to}"]
set -eu

usage() {
	echo "usage: nsupdate-cname.sh SERVER ZONE NAME TTL KEYFILE SUFFIX FROM TO" >&2
	exit 2
}
[ "$#" -eq 8 ] || usage
server=$1 zone=$2 name=$3 ttl=$4 key=$5 suffix=$6 from=$7 to=$8

# The update is text nsupdate parses: one line each, nothing that could
# end a line or start a command.
nl='
'
check() { # WHAT VALUE PATTERN (grep matches lines: refuse a newline first)
	case $2 in *"$nl"*) false ;; esac &&
		printf '%s\n' "$2" | grep -Eqx "$3" && return 0
	echo "nsupdate-cname.sh: bad $1: $2" >&2
	exit 2
}
check "server" "$server" '[A-Za-z0-9.:-]{1,253}'
check "zone" "$zone" '[A-Za-z0-9.-]{1,253}'
check "name" "$name" '[A-Za-z0-9.-]{1,253}'
check "ttl" "$ttl" '[0-9]{1,6}'
check "suffix" "$suffix" '[A-Za-z0-9.-]{1,253}'
check "endpoint (from)" "$from" '[A-Za-z0-9_-]{1,63}'
check "endpoint (to)" "$to" '[A-Za-z0-9_-]{1,63}'
[ -r "$key" ] || { echo "nsupdate-cname.sh: cannot read key file $key" >&2; exit 2; }

# host:port (one colon) -> "host port"; an IPv6 address stays whole.
case $server in
*:*:*) srv=$server ;;
*:*) srv="${server%:*} ${server##*:}" ;;
*) srv=$server ;;
esac

echo "nsupdate: $name CNAME $to.$suffix (was $from) via $server"
printf 'server %s\nzone %s\nupdate delete %s. CNAME\nupdate add %s. %s CNAME %s.%s.\nsend\n' \
	"$srv" "$zone" "$name" "$name" "$ttl" "$to" "$suffix" |
	nsupdate -k "$key"
