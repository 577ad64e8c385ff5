#!/bin/sh
# Route 53: move a weighted record set from one endpoint to another.
#
#   route53-weighted-swap.sh ZONE_ID NAME TTL SUFFIX FROM TO
#
# The service NAME has one weighted CNAME per endpoint, its SetIdentifier
# the endpoint's name in the drtop profile and its value NAME.SUFFIX
# (e.g. us21 -> us21.cpi-dr.example.com). One change batch sets TO's
# weight to 1 and FROM's to 0, atomically: Route 53 applies both or
# neither. Failback is the same call with FROM and TO swapped.
#
# The change batch goes to `aws` on stdin (file:///dev/stdin), so it
# never shows in `ps`. Credentials are the AWS CLI's own (environment,
# ~/.aws, an instance role); nothing secret is on the command line.
#
# In a profile (drtop substitutes {from} and {to}):
#   "argv": ["./actions/route53-weighted-swap.sh", "Z0123456789EXAMPLE",
#            "api.shop.example.com", "60", "api.shop.example.com",
#            "{from}", "{to}"]
set -eu

usage() {
	echo "usage: route53-weighted-swap.sh ZONE_ID NAME TTL SUFFIX FROM TO" >&2
	exit 2
}
[ "$#" -eq 6 ] || usage
zone=$1 name=$2 ttl=$3 suffix=$4 from=$5 to=$6

# Everything below goes into JSON unquoted by a tool: allow only what a
# zone id, a DNS name, a TTL and an endpoint name can hold.
nl='
'
check() { # WHAT VALUE PATTERN (grep matches lines: refuse a newline first)
	case $2 in *"$nl"*) false ;; esac &&
		printf '%s\n' "$2" | grep -Eqx "$3" && return 0
	echo "route53-weighted-swap.sh: bad $1: $2" >&2
	exit 2
}
check "zone id" "$zone" '[A-Z0-9]{1,32}'
check "name" "$name" '[A-Za-z0-9.-]{1,253}'
check "suffix" "$suffix" '[A-Za-z0-9.-]{1,253}'
check "ttl" "$ttl" '[0-9]{1,6}'
check "endpoint (from)" "$from" '[A-Za-z0-9_-]{1,63}'
check "endpoint (to)" "$to" '[A-Za-z0-9_-]{1,63}'
[ "$from" != "$to" ] || { echo "route53-weighted-swap.sh: FROM and TO are both $to" >&2; exit 2; }

record() { # ID WEIGHT
	printf '{"Action":"UPSERT","ResourceRecordSet":{"Name":"%s","Type":"CNAME","SetIdentifier":"%s","Weight":%s,"TTL":%s,"ResourceRecords":[{"Value":"%s.%s"}]}}' \
		"$name" "$1" "$2" "$ttl" "$1" "$suffix"
}

echo "route53: $name weight $to=1 $from=0 in zone $zone"
{
	printf '{"Comment":"drtop: %s -> %s","Changes":[' "$from" "$to"
	record "$to" 1
	printf ','
	record "$from" 0
	printf ']}\n'
} | aws route53 change-resource-record-sets --hosted-zone-id "$zone" \
	--change-batch file:///dev/stdin --output text --query ChangeInfo.Id
