/*
 * demo: the embedded simulated world of `drtop --demo`: regions eu20
 * (Frankfurt), us21 (Virginia) and ap10 (Sydney) served in-process on
 * loopback by core/sim, a manual traffic manager (it answers what it was
 * last told, never health), its authoritative name server "tm-ns" and
 * two resolvers in front of it, "isp-a" (caching: honours the TTL) and
 * "isp-b stale" (serves the expired answer for DEMO_STALE more seconds),
 * each region also listening on its DNS address for the client's-eye
 * probe, and a built-in profile pointing at all of it (core/sim/
 * simprofile: priority eu20 > us21 > ap10, manager manual, TTL
 * DEMO_TTL, a public probe through isp-a). Its failover action tells the
 * traffic manager the chosen region (`curl` posting to the simulator's
 * control interface on an ephemeral loopback port); failback tells it
 * the region the rules choose (the preferred online one). See
 * doc/actions.md, "The demo's actions", and doc/sim.md.
 */
#ifndef DRTOP_DEMO_H
#define DRTOP_DEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "model/profile.h"
#include "sim/simworld.h"

#define DEMO_TTL 10 /* seconds: a whole drain well inside a minute */
#define DEMO_STALE 15 /* seconds isp-b serves an expired answer */

typedef struct Demo Demo;

/* Start the simulated regions and DNS. NULL with err on failure. */
Demo *demo_start(char *err, size_t errcap);
/* The built-in profile (owned by the demo). */
const Profile *demo_profile(const Demo *d);
/* Cycle region i's fault: ok -> 500 -> refuse -> blackhole -> ok.
 * Writes the new fault's label ("ok", "status 500", ...) into label. */
void demo_cycle_fault(Demo *d, int region, char *label, size_t cap);
/* The current fault label of region i. */
const char *demo_fault_label(const Demo *d, int region);
/* The region the simulated traffic manager answers with now (as
 * sim_tm_choice: true when forced or healthy, false when failing open).
 * Any thread. */
bool demo_tm_choice(const Demo *d, char *out, size_t cap);
/* The simulator's control port on 127.0.0.1 (the actions post to it). */
int demo_control_port(const Demo *d);
/* The world (regions, name server, resolvers); owned by the demo. Main
 * thread, for what simworld.h allows. */
SimWorld *demo_world(const Demo *d);
/* Stop the simulator and free everything. demo_stop(NULL) is safe. */
void demo_stop(Demo *d);

#endif
