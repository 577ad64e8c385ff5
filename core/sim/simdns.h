/*
 * simdns: the DNS half of the simulated traffic manager (`drtop sim`,
 * `drtop --demo`, tests). A tiny authoritative UDP server on loopback for
 * one service name under sim.drtop.test:
 *
 *   <name>            CNAME <region>.sim.drtop.test + its A, one response
 *   <region>.sim.drtop.test        A 127.0.0.<n> (stable per region name)
 *   tm-<region>.alias.sim.drtop.test  CNAME <region>.sim.drtop.test + A
 *   AAAA (or any other type) for those names: NOERROR, the CNAME(s), no
 *   address; any other name: NXDOMAIN.
 *
 * The region comes from the choose callback at each query. Failure modes
 * are switched at run time (simdns_set_mode) to exercise resolvers.
 *
 * DESIGN
 * - One thread owns the socket; it polls the socket and a stop pipe.
 *   choose() is called on that thread, so it must be thread-safe with
 *   respect to whoever changes the simulator's state.
 * - mode, ttl, caching and the counters are _Atomic: any thread may set
 *   or read them without a lock. A change applies to the next query.
 * - The held answer of caching mode belongs to the simdns thread.
 * - Stop: write to the stop pipe, join, close. No other shutdown path.
 */
#ifndef DRTOP_SIMDNS_H
#define DRTOP_SIMDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIMDNS_ZONE "sim.drtop.test"

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

typedef struct {
	const char *bind_addr; /* "127.0.0.1" when NULL; loopback only */
	int port; /* 0 = ephemeral, see simdns_port() */
	const char *name; /* the service name, e.g. "demo.sim.drtop.test" */
	int ttl; /* seconds, >= 0 */
	/*
	 * Called on the simdns thread for every query that needs the
	 * current region: write its name (one DNS label, e.g. "eu20") into
	 * region (cap bytes) and return 0; return -1 when no region can be
	 * served (the answer is then SERVFAIL).
	 */
	int (*choose)(void *ctx, char *region, size_t cap);
	void *ctx;
	/*
	 * Answer like a caching resolver in front of the traffic manager:
	 * the service name's region is taken from choose() once and held
	 * until its TTL runs out, and the TTL given is the time left
	 * (counting down). Off: choose() on every query, constant TTL.
	 */
	bool caching;
} SimDnsConfig;

typedef struct SimDns SimDns;

/*
 * Bind and start the server thread. cfg is copied (strings too). Returns
 * NULL with err set when the address is not loopback, the name is not a
 * valid DNS name, the socket cannot be bound, or the thread cannot start.
 * Main thread (or any one owner thread).
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
/* Switch caching (see SimDnsConfig) on or off; a held answer stays held
 * until it expires. */
void simdns_set_caching(SimDns *s, bool on);
/* Queries received so far (answered or not). Any thread. */
uint64_t simdns_queries(const SimDns *s);

/* "normal", "nxdomain", ...; NULL out of range. */
const char *simdns_mode_name(SimDnsMode mode);
/* -1 for an unknown name. */
int simdns_mode_from_name(const char *name);

/* The stable address of a region: 127.0.0.n, n in 2..254, from a hash
 * of the (case-folded) region name. Pure. */
void simdns_region_addr(const char *region, uint8_t out[4]);

#endif
