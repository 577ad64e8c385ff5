/*
 * simworld: the whole simulated world in one place: the regions
 * (core/sim) and the simulated DNS traffic manager (core/simdns) that
 * answers with sim_tm_choice(), plus the control routes for the DNS
 * (`GET /dns`, `POST /dns/mode`, `POST /dns/ttl`). `drtop sim` and
 * `drtop --demo` both start it through here.
 *
 * Main thread (one owner); the parts it starts own their threads.
 */
#ifndef DRTOP_SIMWORLD_H
#define DRTOP_SIMWORLD_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/sim.h"
#include "sim/simdns.h"

#define SIMWORLD_DNS_NAME "demo.sim.drtop.test"

typedef struct {
	SimConfig sim; /* regions, control port, bind, log */
	int dns_port; /* -1 = no DNS, 0 = ephemeral */
	const char *dns_name; /* NULL = SIMWORLD_DNS_NAME */
	int ttl; /* seconds */
	bool caching; /* answers age like a resolver's cache */
} SimWorldConfig;

typedef struct SimWorld SimWorld;

/* Start regions, then DNS. NULL with err naming what failed. */
SimWorld *simworld_start(const SimWorldConfig *cfg, char *err, size_t cap);
Sim *simworld_sim(const SimWorld *w);
/* NULL when started without DNS. */
SimDns *simworld_dns(const SimWorld *w);
/* Stop DNS, then regions. simworld_stop(NULL) is safe. */
void simworld_stop(SimWorld *w);

#endif
