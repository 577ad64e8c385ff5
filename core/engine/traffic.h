/*
 * traffic: expected against observed traffic (the truth rule). Pure: time
 * comes from the caller, no I/O, no allocation. The engine owns one
 * TrafficModel; the snapshot types are the engine's (engine.h).
 *
 * The expected route is what the engine derives (traffic_route() tells
 * the model each time it changes). What clients are told is observed,
 * per resolver, from `dns` events: the endpoint the latest answer maps
 * to (the event's `endpoint`; "" for a timeout or an unmapped answer) and
 * the TTL it came with.
 *
 *   - Observed traffic: the endpoint the authoritative resolvers answer
 *     (most of them; a tie keeps the previous observation, else resolver
 *     order); without an authoritative answer, the endpoint most
 *     resolvers answer. count is how many resolvers answer it, total
 *     how many there are.
 *   - A tracked change is a route from one endpoint A to another B at T.
 *     DNS moved: the first answer at t >= T, on any resolver, that maps
 *     to B. Before that nothing drains: the manager has not moved.
 *   - converged (per resolver): its first answer at t >= T that maps to
 *     B; after = t - T. all_converged once every resolver has.
 *   - Drain (per resolver, from DNS moved on): until moved_at + the TTL
 *     it last returned, pushed on by every later answer for another
 *     endpoint to that answer's t + TTL: a resolver that still hands out
 *     A is never drained. The change stays active until DNS moved,
 *     every resolver converged and every drain ran out.
 *   - diverged (per resolver, once per episode; an answer that maps to
 *     the expected route ends the episode): its answer maps to another
 *     endpoint than the expected route although its cached answer has
 *     expired: more than the TTL of its first answer since the reference
 *     plus two polls after the reference (the route change, or the last
 *     time it answered the expected route); an authoritative resolver
 *     (no cache) diverges after two consecutive such answers. This holds
 *     for the first route too (a DNS that never agreed with the rules).
 * A route from nothing, or one that keeps its target, starts no tracked
 * change but resets the divergence clocks.
 */
#ifndef DRTOP_TRAFFIC_H
#define DRTOP_TRAFFIC_H

#include <stdbool.h>

#include "engine/engine.h"
#include "model/event.h"

/* What the countdown cannot see; always in TrafficSnap.note. */
#define TRAFFIC_NOTE                                                           \
	"clients may cache beyond the TTL: JVMs (networkaddress.cache.ttl), "  \
	"serve-stale resolvers (RFC 8767), browsers and OS caches; the "       \
	"countdown cannot see them"

typedef struct {
	const char *addr; /* as `dns` events carry it */
	const char *name; /* display name; NULL or "" = addr */
	bool authoritative;
} TrafficResolver;

typedef struct {
	int ttl; /* the record's TTL (dns.ttl) */
	double interval; /* seconds between polls (dns.interval) */
	int nresolvers; /* 0: DNS is not observed */
	const TrafficResolver *resolvers;
} TrafficConfig;

typedef struct {
	double interval;
	bool have_route;
	char expected[EV_NAME_MAX];
	int nresolvers;
	ResolverSnap resolvers[PROFILE_MAX_RESOLVERS];
	TrafficSnap snap;
} TrafficModel;

/* Set up (cfg and its strings are copied; resolvers beyond
 * PROFILE_MAX_RESOLVERS are ignored). */
void traffic_init(TrafficModel *m, const TrafficConfig *cfg);

/*
 * The expected route became `to` at t (from "" for the first route).
 * Emits to out (room for PROFILE_MAX_RESOLVERS events) the converged
 * events of resolvers whose answer at t already maps to `to` (the answer
 * that showed a manual manager's DNS moving by itself comes before the
 * route it causes). Returns how many it wrote.
 */
int traffic_route(
    TrafficModel *m, double t, const char *from, const char *to, Event *out);

/*
 * A dns event at t. Returns true and fills *out (EV_CONVERGED or
 * EV_DIVERGED at t) when the resolver converged or diverged. *moved is
 * set when observed traffic took a new non-empty value with this answer.
 */
bool traffic_dns(
    TrafficModel *m, double t, const DnsEvent *d, Event *out, bool *moved);

/* Advance time: snap.active (see above). Returns true when it changed. */
bool traffic_tick(TrafficModel *m, double now);

/* Index of the resolver with this address, or -1. */
int traffic_resolver(const TrafficModel *m, const char *addr);

#endif
