/*
 * simprofile: the profile of a running simulated world (core/sim/
 * simworld), as JSON text that profile_parse accepts: what `drtop
 * --demo` loads and what `drtop sim --write-profile` writes. Pure
 * apart from reading the world's ports and settings; main thread (the
 * world's owner).
 *
 * What it holds:
 * - dns: the service name, the name server's TTL, interval 1 s, and the
 *   resolvers: the traffic manager's name server first
 *   ({"addr", "name": "tm-ns", "authoritative": true}; not
 *   authoritative when it runs as a cache), then every resolver in
 *   front of it by name.
 * - routing: priority, the world's manager (automatic or manual),
 *   failback manual, hold_down 10.
 * - monitor: http /health every second, timeout 0.5, one tolerated
 *   failure, identify by X-Region; endpoints: every region in priority
 *   order (the demo's three with their map positions), dns_answers
 *   <region>.sim.drtop.test.
 * - public (when the regions have public listeners and there is DNS):
 *   http://<service name>:<public port>/health resolved through
 *   opts->public_via (default: the first resolver in front of the name
 *   server, else the name server), every second.
 * - actions (with a control interface): the `curl` tool posting to
 *   /tm/force: failover {to}; failback {to} under a manual manager (it
 *   answers only what it is told: the region the rules choose), "auto"
 *   under an automatic one (it follows health again).
 * - drill: rto_target opts->rto_target, dir "drills".
 */
#ifndef DRTOP_SIMPROFILE_H
#define DRTOP_SIMPROFILE_H

#include "sim/simworld.h"

typedef struct {
	const char *service; /* NULL = "demo" */
	const char *public_via; /* a resolver's name; NULL = see above */
	int rto_target; /* seconds; <= 0 = 120 */
} SimProfileOptions;

/* The profile as one line of JSON and a newline; the caller frees.
 * opts may be NULL. */
char *simprofile_json(const SimWorld *w, const SimProfileOptions *opts);

#endif
