/*
 * sim: simulated regions on loopback for tests, benchmarks, `drtop sim`
 * and `drtop --demo`. Each region is a real HTTP server on its own
 * listening socket that answers any GET with its region name, with a
 * fault mode (refuse, blackhole, slow, status N, ...) switchable at run
 * time from any thread. An optional control interface (HTTP on loopback)
 * switches faults and shows the state as JSON; other modules can add
 * routes to it (sim_add_route). A simple traffic-manager decision
 * (sim_tm_choice) tells the simulated DNS which region to answer with;
 * the manager is automatic (it follows the regions' health) or manual
 * (it answers what it was last told). Each region may also listen on
 * its own loopback address (127.0.0.n, simdns_region_addr) at one
 * shared port, so a client that resolves the service name through the
 * simulated DNS reaches the region the answer names.
 *
 * DESIGN: one server thread runs an epoll loop (core/sim/httpd) over
 * non-blocking sockets (every region listener, the control listener,
 * every client connection, and an eventfd that wakes it); a min-heap of
 * connection deadlines gives slow answers and idle timeouts. No thread
 * per connection. Shared state (faults, request counts, the forced TM
 * region, the route table) lives behind one mutex, Sim.lock, taken for
 * a few instructions at a time; the server thread never blocks while
 * holding it. Listening sockets are owned by the server thread only:
 * sim_set_fault() records the fault under the lock, wakes the server
 * thread and waits (condition variable) until it has closed or
 * re-opened the listener, so `refuse` is in effect when the call
 * returns. Route handlers run on the server thread and may call any
 * sim_* function except sim_stop().
 *
 * The fault model (SimFault, sim_fault_parse, ...) is core/sim/fault.h,
 * included here. The code: sim.c (lifecycle, the fault switch),
 * region.c (what a region answers), control.c (the control interface),
 * tm.c (the traffic manager), over httpd.c/httpconn.c (the server).
 */
#ifndef DRTOP_SIM_H
#define DRTOP_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/fault.h"

/* Longest region name, with the NUL. Names use [A-Za-z0-9._-]. */
#define SIM_NAME_MAX 64

/* True when name is a usable region name (1-63 of [A-Za-z0-9._-]). */
bool sim_name_valid(const char *name);

/* True when addr is a numeric loopback address: 127.0.0.0/8 or ::1. */
bool sim_addr_is_loopback(const char *addr);

typedef struct {
	const char *name; /* copied by sim_start */
	int port; /* 0 = ephemeral */
} SimRegionSpec;

/* Who moves the simulated traffic manager's answer (sim_tm_choice). */
typedef enum {
	SIM_TM_AUTOMATIC, /* follows the regions' health (the default) */
	SIM_TM_MANUAL, /* answers what it was last told, never health */
	SIM_TM__MANAGERS
} SimTmManager;

typedef struct {
	const SimRegionSpec *regions; /* priority order; copied */
	int nregions; /* 1 or more */
	int control_port; /* -1 = no control interface, 0 = ephemeral */
	const char *bind; /* numeric loopback address; NULL = 127.0.0.1 */
	SimTmManager manager; /* default automatic */
	/*
	 * With public_listen, region i also listens on its DNS address
	 * (simdns_region_addr: 127.0.0.n) at public_port, one port shared
	 * by every region (0 = a free one, the same on every address). Two
	 * region names that hash to one address cannot both listen: the
	 * start fails naming them.
	 */
	bool public_listen;
	int public_port;
	/* Optional: told about every change ("eu20: fault status 500",
	 * "tm: forced ap10") on the thread that made it, after the change.
	 * Must be thread-safe and must not block for long (the server thread
	 * calls it for control requests); never call sim_* from it. */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
} SimConfig;

typedef struct Sim Sim;

/*
 * Check a configuration without opening anything: names valid and
 * distinct, ports in 0-65535, a loopback bind address. Returns 0, or -1
 * with a message in err. sim_start() runs the same checks.
 */
int sim_config_check(const SimConfig *cfg, char *err, size_t cap);

/*
 * Bind every listener, then start the server thread. Every region starts
 * with fault ok. Call from any thread; signals are blocked in the server
 * thread. Returns NULL with err set ("127.0.0.1:18081 (eu20): bind:
 * Address already in use") when the configuration is bad or a
 * socket or the thread cannot be created; nothing is left open then.
 */
Sim *sim_start(const SimConfig *cfg, char *err, size_t cap);

/* Stop and join the server thread, close every socket, free. Not from a
 * route handler. sim_stop(NULL) is safe. */
void sim_stop(Sim *s);

/* Immutable after sim_start: safe from any thread without locking. */
int sim_region_count(const Sim *s);
const char *sim_region_name(const Sim *s, int i);
/* Bound port of region i (kept across refuse / ok). */
int sim_region_port(const Sim *s, int i);
/* "http://127.0.0.1:PORT/health" (or "http://[::1]:PORT/health"). */
const char *sim_region_url(const Sim *s, int i);
/* Index of the region called name, or -1. */
int sim_region_find(const Sim *s, const char *name);
/* The port every region's public listener shares, or -1 without
 * public listeners. */
int sim_public_port(const Sim *s);
/* "127.0.0.n" of region i's public listener (simdns_region_addr), into
 * out (cap >= 16). Pure: the same with or without public listeners. */
void sim_region_public_addr(const Sim *s, int i, char *out, size_t cap);
/* Bound control port, or -1 without a control interface. */
int sim_control_port(const Sim *s);
/* The bind address as given ("127.0.0.1"). */
const char *sim_bind_addr(const Sim *s);

/*
 * Switch region's fault; thread-safe. Returns when the server thread has
 * applied it: after `refuse` connects are refused and kept-alive
 * connections waiting for a request are closed; after any other fault
 * the listener is open again on the same port. A connection whose
 * request was already read (slow, blackhole) keeps the fault it was
 * given; kept-alive connections get the new fault with their next
 * request. From a route handler, idle connections close when the
 * handler's event batch ends. Returns 0,
 * or -1 with err set (unknown region, or the port could not be bound
 * again: the fault stays `refuse` in that case).
 */
int sim_set_fault(
    Sim *s, const char *region, const SimFault *f, char *err, size_t cap);

/* Current fault of region i; thread-safe. */
SimFault sim_get_fault(Sim *s, int i);
/* Complete requests region i has received; thread-safe. */
long long sim_region_requests(Sim *s, int i);

/*
 * The region a simple traffic manager answers with now; thread-safe
 * (called from the simulated DNS thread). The forced region (what it
 * was last told) if one is set. Else, automatic: the first region in
 * priority order whose fault is healthy (sim_fault_healthy); when none
 * is, the first region (fail open, as Azure Traffic Manager and Route 53
 * do). Manual: the first region (its primary), whatever its health: a
 * manual manager never moves by itself. Writes the name into out and
 * returns true when the answer is forced or healthy, false for a fail
 * open answer or a manual primary that is not healthy.
 */
bool sim_tm_choice(Sim *s, char *out, size_t cap);

/* Force the TM answer to region (tell it), or clear that with NULL or
 * "auto": an automatic manager follows health again, a manual one
 * answers its primary. Returns 0, or -1 with err set for an unknown
 * region. */
int sim_tm_force(Sim *s, const char *region, char *err, size_t cap);

/* Switch the manager; what it was told stays told. Thread-safe. */
void sim_tm_set_manager(Sim *s, SimTmManager m);
SimTmManager sim_tm_manager(Sim *s);
/* "automatic", "manual"; NULL out of range. */
const char *sim_tm_manager_name(SimTmManager m);
/* -1 for an unknown name. */
int sim_tm_manager_from_name(const char *name);

/* The forced region into out, or "" when automatic; thread-safe. */
void sim_tm_forced(Sim *s, char *out, size_t cap);

/*
 * The state as JSON, as GET /regions returns it:
 * {"regions":[{"name":"eu20","url":"http://127.0.0.1:18081/health",
 *  "fault":"ok","requests":123}],"tm":{"manager":"automatic",
 *  "forced":null,"choice":"eu20","healthy":true}}
 * Returns a string the caller frees; thread-safe.
 */
char *sim_state_json(Sim *s);

/* A control request, borrowed by a route handler for the call. */
typedef struct {
	const char *method; /* "GET", "POST", ... */
	const char *path; /* the path without the query, decoded as sent */
	const char *query; /* after '?', or "" */
	const char *body; /* NUL-terminated */
	size_t body_len;
} SimRequest;

/* What a handler answers: status, and a body the handler allocates with
 * xmalloc/xasprintf (the server frees it); content_type defaults to
 * application/json. */
typedef struct {
	int status;
	const char *content_type; /* static string or NULL */
	char *body;
} SimResponse;

typedef void (*SimRouteFn)(
    Sim *s, const SimRequest *req, SimResponse *resp, void *ctx);

/*
 * Add a control route: requests whose method equals method (NULL = any)
 * and whose path starts with prefix go to fn, which runs on the server
 * thread and must not block. Routes added later are tried first, before
 * the built-in ones (/, /regions, /tm). Thread-safe; up to 32 routes.
 * Returns 0, or -1 when the table is full.
 */
int sim_add_route(
    Sim *s, const char *method, const char *prefix, SimRouteFn fn, void *ctx);

#endif
