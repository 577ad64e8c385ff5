/*
 * profile_endpoint: a profile's "endpoints" list. Each endpoint's own
 * fields, its effective monitor (defaults, then the top-level monitor,
 * then its own), its target URL resolved with libcurl into host, port,
 * path and probe URL, and the checks across the list: unique names,
 * unique priorities under priority routing, timeout <= interval, HTTP
 * settings a tcp probe would ignore, every endpoint disabled.
 *
 * Internal to the profile module; one thread per parse.
 */
#ifndef DRTOP_PROFILE_ENDPOINT_H
#define DRTOP_PROFILE_ENDPOINT_H

#include "model/pcheck.h"
#include "model/profile.h"
#include "model/profile_monitor.h"

/*
 * Parse the array arr ("endpoints") into p->endpoints and p->nendpoints,
 * each endpoint's monitor inheriting from top (the parsed top-level
 * monitor). Reads p->routing.method, so the routing section comes
 * first. Reports every error and warning into c; on errors p still
 * holds what was parsed, for profile_endpoint_fini.
 */
void profile_endpoint_parse_list(
    PCheck *c, const cJSON *arr, const MonitorSpec *top, Profile *p);

/*
 * Parse the "public" object (the client's-eye probe: "url", "resolver"
 * and any monitor field, inheriting from top) into p->public_ep (an
 * endpoint named EV_PUBLIC) and p->public_resolver ("system", or the
 * addr of the dns.resolvers entry it names; that one needs the URL's
 * host to be dns.name). Reads p->dns, so the dns section comes first.
 */
void profile_endpoint_parse_public(
    PCheck *c, const cJSON *obj, const MonitorSpec *top, Profile *p);

/* Free what e owns (not e itself). */
void profile_endpoint_fini(Endpoint *e);

#endif
