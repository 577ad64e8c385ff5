/*
 * simdns: the DNS half of the simulated traffic manager (`drtop sim`,
 * `drtop --demo`, tests). A tiny UDP DNS server on loopback for one
 * service name under sim.drtop.test:
 *
 *   <name>            CNAME <region>.sim.drtop.test + its A, one response
 *   <region>.sim.drtop.test        A 127.0.0.<n> (stable per region name)
 *   tm-<region>.alias.sim.drtop.test  CNAME <region>.sim.drtop.test + A
 *   AAAA (or any other type) for those names: NOERROR, the CNAME(s), no
 *   address; any other name: NXDOMAIN.
 *
 * Each server has a role (what it is on the DNS path):
 *
 *   authoritative  the traffic manager's own name server: the region is
 *                  choose()'s at every query, with a constant TTL (AA).
 *   caching        a resolver: the service name's region is fetched
 *                  once and held until its TTL runs out; the TTL it
 *                  gives is the time left (counting down); then it
 *                  fetches again (not AA, RA set).
 *   stale          caching, and when the TTL has run out it keeps
 *                  answering the expired region, with TTL stale_ttl, for
 *                  `stale` more seconds before it fetches again (serve
 *                  stale, in the manner of RFC 8767).
 *
 * A caching server fetches from its upstream, by a real DNS query over
 * UDP to another simdns (the authoritative one: the region at the end of
 * the answer's CNAME chain, the answer's smallest TTL), or without an
 * upstream from choose() with its own TTL. Every server has its own
 * cache: two resolvers in front of one authoritative server fetch, hold
 * and expire independently. Failure modes are switched at run time
 * (simdns_set_mode) to exercise resolvers.
 *
 * DESIGN
 * - One thread per server owns its socket, its upstream socket and its
 *   cache; it polls the socket and a stop pipe. choose() is called on
 *   that thread, so it must be thread-safe with respect to whoever
 *   changes the simulator's state. An upstream fetch is a blocking
 *   query on that thread, bounded by SIMDNS_UPSTREAM_WAIT_MS and ended
 *   early by a stop; queries arriving meanwhile wait in the socket
 *   buffer, as a resolver's clients wait for its recursion.
 * - role, mode, ttl and the counters are _Atomic: any thread may set or
 *   read them without a lock. A change applies to the next query.
 * - The cache (held region, when it was fetched, its TTL) is written by
 *   the server's thread only, under cache_lock, so that
 *   simdns_cache_state() may read it from any thread.
 * - Servers never call each other's functions: an upstream is reached
 *   only over the network, so stopping them in any order is safe (a
 *   fetch from a stopped upstream times out).
 * - Stop: write to the stop pipe, join, close. No other shutdown path.
 */
#ifndef DRTOP_SIMDNS_H
#define DRTOP_SIMDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIMDNS_ZONE "sim.drtop.test"

/* Longest fetch from an upstream server before the query fails. */
#define SIMDNS_UPSTREAM_WAIT_MS 500

typedef enum {
	SIMDNS_NORMAL, /* the answers above */
	SIMDNS_NXDOMAIN, /* rcode 3 for every name */
	SIMDNS_SERVFAIL, /* rcode 2 */
	SIMDNS_REFUSED, /* rcode 5 */
	SIMDNS_SILENT, /* reads queries, never answers */
	SIMDNS_GARBAGE, /* 1..64 random bytes */
	SIMDNS_TRUNCATED, /* the normal response cut inside its last record */
	SIMDNS_CHAIN, /* <name> -> tm-<region>.alias -> <region> -> A */
	SIMDNS__COUNT
} SimDnsMode;

/* What a server is on the DNS path; see the top of this file. */
typedef enum {
	SIMDNS_AUTHORITATIVE,
	SIMDNS_CACHING,
	SIMDNS_STALE,
	SIMDNS__ROLES
} SimDnsRole;

typedef struct {
	const char *bind_addr; /* "127.0.0.1" when NULL; loopback only */
	int port; /* 0 = ephemeral, see simdns_port() */
	const char *name; /* the service name, e.g. "demo.sim.drtop.test" */
	/* Seconds, >= 0: the TTL an authoritative server gives, and the
	 * TTL a caching one holds an answer from choose() for. */
	int ttl;
	/*
	 * Called on the simdns thread for every query that needs the
	 * current region (authoritative), or for every fetch (caching,
	 * without an upstream): write its name (one DNS label, e.g.
	 * "eu20") into region (cap bytes) and return 0; return -1 when no
	 * region can be served (the answer is then SERVFAIL). May be NULL
	 * for a caching server with an upstream.
	 */
	int (*choose)(void *ctx, char *region, size_t cap);
	void *ctx;
	SimDnsRole role; /* default (0): authoritative */
	/*
	 * Caching roles: the server to fetch from, "127.0.0.1:PORT" or
	 * "[::1]:PORT" (loopback only); NULL = fetch from choose().
	 */
	const char *upstream;
	int stale; /* SIMDNS_STALE: seconds served past the TTL, >= 0 */
	int stale_ttl; /* the TTL of such a stale answer, >= 0 */
} SimDnsConfig;

typedef struct SimDns SimDns;

/*
 * Bind and start the server thread. cfg is copied (strings too). Returns
 * NULL with err set when an address is not loopback, the name is not a
 * valid DNS name, neither choose nor upstream is given where needed, a
 * socket cannot be bound, or the thread cannot start. Main thread (or
 * any one owner thread).
 */
SimDns *simdns_start(const SimDnsConfig *cfg, char *err, size_t errcap);

/* Stop the thread and free. simdns_stop(NULL) is safe. Owner thread. */
void simdns_stop(SimDns *s);

/* The UDP port actually bound. Any thread. */
int simdns_port(const SimDns *s);

/* Any thread. */
void simdns_set_mode(SimDns *s, SimDnsMode mode);
SimDnsMode simdns_mode(const SimDns *s);
void simdns_set_ttl(SimDns *s, int ttl);
int simdns_ttl(const SimDns *s);
/*
 * Switch the role. A held answer stays held: a server made caching again
 * answers from it until it expires. A caching role without an upstream
 * needs choose(): without it the fetches fail (SERVFAIL). Any thread.
 */
void simdns_set_role(SimDns *s, SimDnsRole role);
SimDnsRole simdns_role(const SimDns *s);
/* Queries received so far (answered or not). Any thread. */
uint64_t simdns_queries(const SimDns *s);
/* Fetches of the service name's region so far: from choose() or the
 * upstream, successful or not (an authoritative server fetches at every
 * query for the name). Any thread. */
uint64_t simdns_fetches(const SimDns *s);

/*
 * What a caching server holds: the region into region (cap bytes) and
 * the seconds its TTL still runs into *left (negative once expired:
 * serving stale, or about to fetch again). Returns false, region "",
 * when it holds nothing (an authoritative server holds what it last
 * answered). Any thread.
 */
bool simdns_cache_state(SimDns *s, char *region, size_t cap, double *left);

/* "normal", "nxdomain", ...; NULL out of range. */
const char *simdns_mode_name(SimDnsMode mode);
/* -1 for an unknown name. */
int simdns_mode_from_name(const char *name);
/* "authoritative", "caching", "stale"; NULL out of range. */
const char *simdns_role_name(SimDnsRole role);
/* -1 for an unknown name. */
int simdns_role_from_name(const char *name);

/* The stable address of a region: 127.0.0.n, n in 2..254, from a hash
 * of the (case-folded) region name. Pure. */
void simdns_region_addr(const char *region, uint8_t out[4]);

#endif
