/*
 * demo: the embedded simulated world of `drtop --demo`: regions eu20
 * (Frankfurt), us21 (Virginia) and ap10 (Sydney) served in-process on
 * loopback by core/sim, the simulated DNS traffic manager, and a built-in
 * profile pointing at them (priority eu20 > us21 > ap10, short intervals,
 * TTL 30).
 */
#ifndef DRTOP_DEMO_H
#define DRTOP_DEMO_H

#include <stddef.h>

#include "profile.h"

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
/* Stop the simulator and free everything. demo_stop(NULL) is safe. */
void demo_stop(Demo *d);

#endif
