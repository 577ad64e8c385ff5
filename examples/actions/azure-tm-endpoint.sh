#!/bin/sh
# Azure Traffic Manager: enable one endpoint, then disable another.
#
#   azure-tm-endpoint.sh RESOURCE_GROUP PROFILE TYPE FROM TO
#
# TYPE is the endpoints' type (externalEndpoints, azureEndpoints or
# nestedEndpoints); endpoint names in Traffic Manager are the endpoint
# names of the drtop profile. TO is enabled first, so the profile never
# has fewer enabled endpoints than before; then FROM is disabled, and
# Traffic Manager answers TO (the best enabled priority). Failback is the
# same call with FROM and TO swapped.
#
# Credentials are the Azure CLI's own (`az login`, a managed identity);
# nothing secret is on the command line.
#
# In a profile (drtop substitutes {from} and {to}):
#   "argv": ["./actions/azure-tm-endpoint.sh", "cpi-dr", "cpi-prod",
#            "externalEndpoints", "{from}", "{to}"]
set -eu

usage() {
	echo "usage: azure-tm-endpoint.sh RESOURCE_GROUP PROFILE TYPE FROM TO" >&2
	exit 2
}
[ "$#" -eq 5 ] || usage
group=$1 profile=$2 type=$3 from=$4 to=$5
case $type in
externalEndpoints | azureEndpoints | nestedEndpoints) ;;
*)
	echo "azure-tm-endpoint.sh: bad TYPE $type (externalEndpoints, azureEndpoints or nestedEndpoints)" >&2
	exit 2
	;;
esac
[ "$from" != "$to" ] || { echo "azure-tm-endpoint.sh: FROM and TO are both $to" >&2; exit 2; }

endpoint() { # NAME STATUS
	echo "traffic-manager: $profile: $1 $2"
	az network traffic-manager endpoint update --resource-group "$group" \
		--profile-name "$profile" --type "$type" --name "$1" \
		--endpoint-status "$2" --output none
}

endpoint "$to" Enabled
endpoint "$from" Disabled
