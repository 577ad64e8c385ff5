/*
 * simworld: the whole simulated world in one place: the regions
 * (core/sim), the simulated traffic manager's own name server (an
 * authoritative core/sim/simdns answering sim_tm_choice() at once, with
 * a constant TTL) and the resolvers in front of it (caching simdns
 * servers, each on its own port with its own cache, fetching from the
 * name server by real queries), plus the control routes for the DNS
 * (`GET /dns`, `POST /dns/mode`, `POST /dns/ttl`). `drtop sim` and
 * `drtop --demo` both start it through here.
 *
 * Main thread (one owner); the parts it start own their threads (see
 * the DESIGN in simworld.c).
 */
#ifndef DRTOP_SIMWORLD_H
#define DRTOP_SIMWORLD_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/sim.h"
#include "sim/simdns.h"

#define SIMWORLD_DNS_NAME "demo.sim.drtop.test"
/* The display name of the traffic manager's name server. */
#define SIMWORLD_NS_NAME "tm-ns"
/* Resolvers in front of it: with it, a profile's 8 at most. */
#define SIMWORLD_MAX_RESOLVERS 7
/* Longest resolver name, with the NUL (a profile's resolver name). */
#define SIMWORLD_RESOLVER_NAME_MAX 32

typedef struct {
	const char *name; /* "isp-a": printable, 1-31 bytes; copied */
	SimDnsRole role; /* SIMDNS_CACHING or SIMDNS_STALE */
	int port; /* 0 = ephemeral */
} SimWorldResolver;

typedef struct {
	SimConfig sim; /* regions, control port, bind, manager, log */
	int dns_port; /* -1 = no DNS, 0 = ephemeral */
	const char *dns_name; /* NULL = SIMWORLD_DNS_NAME */
	int ttl; /* seconds: the name server's constant TTL */
	/* The name server itself ages its answers like a resolver's cache
	 * (one resolver in one; the resolvers below are the real path). */
	bool caching;
	const SimWorldResolver *resolvers; /* copied; needs DNS */
	int nresolvers; /* 0..SIMWORLD_MAX_RESOLVERS */
	int stale; /* seconds a stale resolver serves past the TTL */
	int stale_ttl; /* the TTL of such a stale answer */
} SimWorldConfig;

typedef struct SimWorld SimWorld;

/*
 * Check a configuration without opening anything (sim_config_check, and
 * the resolvers: 0-SIMWORLD_MAX_RESOLVERS, only with DNS, names of 1-31
 * bytes without control characters, distinct and not
 * SIMWORLD_NS_NAME, roles caching or stale). Returns 0, or -1 with a
 * message in err. simworld_start() runs the same checks.
 */
int simworld_config_check(const SimWorldConfig *cfg, char *err, size_t cap);

/* Start regions, then the name server, then the resolvers. NULL with err
 * naming what failed (nothing is left running then). */
SimWorld *simworld_start(const SimWorldConfig *cfg, char *err, size_t cap);
Sim *simworld_sim(const SimWorld *w);
/* The name server; NULL when started without DNS. */
SimDns *simworld_dns(const SimWorld *w);
/* The service name it answers. */
const char *simworld_dns_name(const SimWorld *w);
/* The resolvers in front of it, in the configured order. */
int simworld_resolver_count(const SimWorld *w);
SimDns *simworld_resolver(const SimWorld *w, int i);
const char *simworld_resolver_name(const SimWorld *w, int i);
/* Stop the resolvers, the name server, then the regions.
 * simworld_stop(NULL) is safe. */
void simworld_stop(SimWorld *w);

#endif
