/*
 * runtime: starts and stops the producers of a live session around one
 * queue: the prober (core/probe), the DNS observer (core/dns) and the
 * action runner (core/actions). `watch` and the console both use it, so
 * a session is wired in one place.
 *
 * All functions are called from the main thread. Producers push events
 * with t = mono_now() - t0.
 */
#ifndef DRTOP_RUNTIME_H
#define DRTOP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "actions/actions.h"
#include "base/clock.h"
#include "model/profile.h"
#include "model/queue.h"

typedef struct Runtime Runtime;

/* Start every producer the profile calls for. The profile and queue are
 * borrowed and must outlive the runtime. Returns NULL with err set when
 * a thread or a libcurl handle cannot be created. */
Runtime *runtime_start(
    const Profile *p, Queue *q, double t0, char *err, size_t errcap);

/* Show the producers an event of the session as it is consumed: a dns
 * answer feeds the client's-eye probe (prober_public_answer). Any
 * event type may be passed; r may be NULL. */
void runtime_observe(Runtime *r, const Event *ev);

/* Probe endpoint idx now (no effect while its probe is in flight). */
void runtime_reprobe(Runtime *r, int idx);
/* Stop or resume probing endpoint idx. */
void runtime_set_disabled(Runtime *r, int idx, bool disabled);
/* Probes in flight right now. */
int runtime_in_flight(Runtime *r);

/*
 * The session's action runner (core/actions), made in runtime_start()
 * with the same queue and t0: the console and `watch` start failover and
 * failback through it; its events reach the queue like every producer's.
 * Owned by the runtime (never free it); valid until runtime_stop().
 */
ActionRunner *runtime_actions(Runtime *r);

/* Stop and join every thread (a running action is stopped first:
 * SIGTERM, then SIGKILL after the grace period, its `finished` event
 * queued), then free. then free. runtime_stop(NULL) is safe. */
void runtime_stop(Runtime *r);

#endif
