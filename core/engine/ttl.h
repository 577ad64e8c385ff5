/*
 * ttl: the TTL and convergence model of a route change (issue 4). Pure:
 * time comes from the caller, no I/O, no allocation. The engine owns one
 * TtlModel and calls it from its thread; the snapshot types are the
 * engine's (engine.h).
 *
 * After a route change from one endpoint to another at time T:
 *   - every `dns` event updates its resolver's last answer and
 *     ttl_expires = t + ttl (what that resolver may still serve);
 *   - the first answer naming the new endpoint at t >= T makes the
 *     resolver converged and yields a `converged` event (after = t - T);
 *   - a converged resolver that answers with another endpoint (the old
 *     one, or any other named endpoint) yields `diverged` and is no
 *     longer converged; answering the new endpoint again yields a fresh
 *     `converged` with the later `after`;
 *   - drain_at = T + max(profile TTL, largest TTL seen in any dns event);
 *   - all_converged once every tracked resolver is converged.
 * The first route (from nothing) and a route that keeps its target (a
 * fail-open or cause change) do not start the model. A later change
 * restarts it. Answers with no endpoint (timeouts, unmapped answers)
 * never change convergence.
 *
 * Resolvers are the profile's, in order; a dns event from a resolver not
 * in the profile is tracked too while there is room
 * (PROFILE_MAX_RESOLVERS) and then counts for all_converged.
 */
#ifndef DRTOP_TTL_H
#define DRTOP_TTL_H

#include <stdbool.h>

#include "engine/engine.h"
#include "model/event.h"

/* What the countdown cannot see; always in TtlSnap.note. */
#define TTL_NOTE                                                               \
	"clients may cache beyond the TTL: JVMs (networkaddress.cache.ttl), "  \
	"serve-stale resolvers (RFC 8767), browsers and OS caches; the "       \
	"countdown cannot see them"

typedef struct {
	int profile_ttl; /* dns.ttl */
	int max_seen_ttl; /* largest ttl of any dns event; -1 = none */
	int nresolvers;
	ResolverSnap resolvers[PROFILE_MAX_RESOLVERS];
	TtlSnap snap;
} TtlModel;

/* Set up with the profile's TTL and resolver names (n may be 0;
 * names beyond PROFILE_MAX_RESOLVERS are ignored). */
void ttl_init(TtlModel *m, int profile_ttl, char *const *resolvers, int n);

/*
 * A route change at t. Starts (or restarts) the countdown when from and
 * to are both non-empty and differ; otherwise does nothing. Returns true
 * when the model restarted.
 */
bool ttl_route(TtlModel *m, double t, const char *from, const char *to);

/*
 * A dns event at t. Returns true and fills *out (an EV_CONVERGED or
 * EV_DIVERGED event at t) when the resolver converged or diverged.
 */
bool ttl_dns(TtlModel *m, double t, const DnsEvent *d, Event *out);

/* Advance time: updates snap.active (true while now < drain_at or a
 * tracked resolver has not converged). Returns true when it changed. */
bool ttl_tick(TtlModel *m, double now);

#endif
