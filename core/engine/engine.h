/*
 * engine: the deterministic heart of drtop. It consumes events in time
 * order (probe, dns, action, drill, marker, error, cert), derives health
 * states, routes, TTL countdowns and convergence, and keeps the Snapshot
 * the console draws from.
 *
 * It reads no clock and does no I/O: time comes from the events and from
 * engine_tick(). Given the same profile and the same input stream it
 * always emits byte-identical output. Single-threaded: one owner (the
 * main loop, a replay reader or a test) calls everything.
 *
 * Rules in force (core/engine/health.h, routing.h and traffic.h say
 * more):
 *   - Routes are the EXPECTED route: where traffic should go. What DNS
 *     answers, per resolver, is observed (snapshot.traffic); the engine
 *     never treats the one as the other.
 *   - routing.manager automatic (Route 53, Traffic Manager): the route
 *     follows health. The first route (from null, cause auto) comes once
 *     every enabled endpoint has left `checking`, or at the largest
 *     interval + timeout over the enabled endpoints, whichever is first.
 *     Endpoints still `checking` are routed to before failing open.
 *   - routing.manager manual: the route never follows health. The first
 *     route is the observed traffic (cause dns), or the rules' pick when
 *     no answer maps by the deadline (at least two DNS polls and a query
 *     timeout). Later it moves only by engine_route_manual() (an
 *     action's success) or when observed traffic moves by itself to
 *     another endpoint (cause dns), never while an action runs (from its
 *     `started` to its outcome). Degraded endpoints give recommendations.
 *   - A route event is emitted whenever the target, fail_open or (for
 *     weighted routing) the shares change; `from` may then equal `to`
 *     (fail-open entered or left on the same endpoint, a weighted set
 *     change that keeps the largest share, a manual route that confirms
 *     the current target). Only a change from one endpoint to another
 *     starts a tracked change (DNS moved, converged, drain).
 *   - An operator's route (cause manual) freezes automatic routing until
 *     a failback or another manual route, or until its target is
 *     disabled; health keeps being derived meanwhile.
 *   - snapshot.recommendation is for the banner and never acts; rec_from
 *     is where DNS answers when that is observed (else the route):
 *       "ALL ENDPOINTS DEGRADED: failing open to X"
 *       "X online again: fail back from Y? press b"      (failback manual)
 *       "X online again: automatic failback from Y after N s hold-down"
 *       "X degraded: fail over to Y? press f"            (auto_failover off,
 *                                                         DNS not moved)
 *       "X degraded: failed over to Y automatically"     (auto_failover on)
 *       "X degraded: DNS moved to Y"                      (observed)
 *       "MANUAL ROUTE TO X IS degraded: traffic stays there; ..."
 *       "manual route to X in force; Y is online: fail back? press b"
 *       "X degraded, DNS still answers it: fail over to Y? press f"
 *       "Y online and preferred: fail back from X? press b" (manual
 *                                                         manager)
 *   - snapshot.version changes on every engine_feed of an input event
 *     (not of a passed-through derived one) and on any call that changes
 *     state; engine_tick moving `now` alone does not bump it.
 */
#ifndef DRTOP_ENGINE_H
#define DRTOP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/profile.h"

/* Where the engine's output goes: every event, in order. */
typedef struct {
	void (*fn)(void *ctx, const Event *ev);
	void *ctx;
} EventSink;

#define SNAP_HISTORY 256 /* probes kept per endpoint for the timeline */

/* One probe as the timeline needs it. */
typedef struct {
	double t;
	float total_ms; /* < 0 when not measured */
	uint8_t ok;
	uint8_t error; /* ProbeError */
	uint16_t status;
} ProbeMark;

typedef struct {
	HealthState state;
	double state_since; /* t of the last state change */
	int consecutive_failures;
	int consecutive_successes;
	bool has_probe;
	double last_probe_t;
	ProbeEvent last_probe; /* the latest result, timings included */
	ProbeMark history[SNAP_HISTORY]; /* ring: oldest at hist_start */
	int hist_start, hist_len;
	uint64_t probes, failures;
	double median_ms; /* recent successful probes; < 0 = none */
	double share; /* weighted routing share; 0 when not routed */
	bool cert_known; /* a certificate was read */
	int cert_days; /* whole days left, floored: -1 = expired within a day */
	char last_reason[EV_TEXT_MAX]; /* last health transition's reason */
} EndpointSnap;

/* One resolver as DNS is observed through it (core/engine/traffic.h). */
typedef struct {
	char resolver[EV_RESOLVER_MAX]; /* the address, as events carry it */
	char name[EV_NAME_MAX]; /* display name (the address when none) */
	bool authoritative;
	bool has_answer;
	double last_t; /* t of the last dns event */
	DnsEvent last; /* the last answer */
	double ttl_expires; /* last_t + last.ttl; < 0 = unknown */
	/* against the expected route: */
	bool on_expected; /* its latest answer maps to the expected route */
	bool converged; /* answered the new route since the change */
	double converged_after; /* seconds after the change; < 0 = not yet */
	bool diverged; /* in a diverged episode */
	double drain_at; /* DNS moved: its clients may hold the old answer
	                    until this t; < 0 = nothing to drain yet */
	/* the divergence clock */
	double ref_t; /* the route change, or its last expected answer */
	int ref_ttl; /* TTL of its first answer since ref_t; -1 = none */
	int off_polls; /* answers for another endpoint since ref_t */
} ResolverSnap;

/* Expected against observed traffic, and the change being drained. */
typedef struct {
	bool observed; /* DNS is observed: there are resolvers */
	char endpoint[EV_NAME_MAX]; /* observed traffic; "" = none maps */
	int count; /* resolvers whose latest answer maps to it */
	int total; /* resolvers */
	bool authoritative; /* decided by authoritative resolvers */
	double since; /* t observed traffic took its value; < 0 = never */
	/* expected route != observed traffic since this t; < 0 = they
	 * agree (or one of them is unknown) */
	double differs_since;
	/* the last route change from one endpoint to another */
	bool change;
	char from[EV_NAME_MAX];
	char to[EV_NAME_MAX];
	double changed_at;
	bool moved; /* DNS moved: an answer mapped to `to` */
	double moved_at;
	char moved_by[EV_RESOLVER_MAX]; /* the resolver that showed it */
	bool all_converged;
	double all_converged_after; /* < 0 = not yet */
	double drain_at; /* the latest resolver drain; < 0 = not moved */
	bool active; /* waiting for DNS, convergence or the drain */
	int ttl; /* the record's TTL (dns.ttl) */
	/* Always shown with the countdown: what it cannot see. */
	char note[EV_TEXT_MAX];
} TrafficSnap;

typedef struct {
	double now; /* latest time the engine has seen */
	uint64_t version; /* incremented on every change */
	int nendpoints; /* == profile->nendpoints, same order */
	EndpointSnap *endpoints;
	bool routed; /* a first route has been chosen */
	char route_to[EV_NAME_MAX];
	char route_from[EV_NAME_MAX];
	RouteCause route_cause;
	double route_since;
	bool fail_open;
	bool manual_override; /* an operator's route is in force */
	char recommendation[EV_TEXT_MAX]; /* "" = none */
	int nresolvers;
	ResolverSnap resolvers[PROFILE_MAX_RESOLVERS];
	TrafficSnap traffic; /* expected against observed */
	/* The client's-eye probe (`public`): its probes, no health state;
	 * last_probe.served_by says which endpoint answered. */
	bool has_public;
	EndpointSnap public_probe;
	uint64_t events_in; /* input events consumed */
	/* Added by the engine: an automatic failback is waiting for
	 * hold_down and happens at this t unless health changes; < 0 = none */
	double failback_at;
	/* Added by the engine: the recommendation as data, for the keys.
	 * rec_key is 'f' (failover: run the failover action from rec_from to
	 * rec_to, then engine_route_manual(rec_to, CAUSE_MANUAL)), 'b'
	 * (failback: the failback action from rec_from to rec_to, then
	 * engine_route_manual(NULL, CAUSE_FAILBACK)) or 0 (nothing to press).
	 * rec_from/rec_to are "" when the text names no such endpoint. */
	char rec_key;
	char rec_from[EV_NAME_MAX];
	char rec_to[EV_NAME_MAX];
} Snapshot;

typedef struct Engine Engine;

/* The profile is borrowed and must outlive the engine. */
Engine *engine_new(const Profile *p);
void engine_free(Engine *e);

/*
 * Consume one input event. The event itself is passed to sink first,
 * then every event derived from it (health, route, converged, diverged),
 * each with the input's t. Input events of derived types (health, route,
 * converged, diverged, e.g. from a recorded log) are passed through
 * unchanged and do not alter the state. Times must not go backwards; an
 * event older than the engine's time is treated as happening now.
 */
void engine_feed(Engine *e, const Event *ev, const EventSink *sink);

/* Advance time without an input: first-route deadline, hold_down
 * failback, countdowns. Derived events carry t = now. */
void engine_tick(Engine *e, double now, const EventSink *sink);

/*
 * An operator's route: traffic to `to` (cause CAUSE_MANUAL, kept until
 * a failback or another manual route) or, with cause CAUSE_FAILBACK,
 * back to the rules' choice (to may be NULL: the best-priority online
 * endpoint). Emits the route event to sink. Returns 0, or -1 with err
 * (unknown endpoint, already routed there).
 * A manual route to the current target with no override in force is
 * accepted: it makes the current route an override (route event with
 * from == to). A disabled target, or cause CAUSE_AUTO, is an error.
 */
int engine_route_manual(Engine *e, double t, const char *to, RouteCause cause,
    const EventSink *sink, char *err, size_t errcap);

/* Disable or re-enable an endpoint (emits a health event). */
void engine_set_disabled(Engine *e, double t, const char *name, bool disabled,
    const EventSink *sink);

/* True for the types the engine derives (health, route, converged,
 * diverged). A replay that wants them re-derived (e.g. under --set)
 * feeds every other type and drops these. */
bool engine_derives(EventType t);

/* The current snapshot; valid until the next call into the engine. */
const Snapshot *engine_snapshot(const Engine *e);

#endif
