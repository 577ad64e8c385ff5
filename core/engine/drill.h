/*
 * drill: the live drill tracker. It turns the operator's keys (D, i, m,
 * D) into `drill` and `marker` events and watches the engine's output
 * stream to emit the derived phases `detected`, `failover`, `converged`
 * and `restored` as they happen, so the recorded log carries them and
 * the status bar can show them.
 *
 * Pure: no clock, no I/O, no allocation. A Drill is a plain value owned
 * by one thread (the main loop, a replay or a test).
 *
 * The phases follow the report's definitions (core/journal/report.h, and
 * doc/report.md), so `drtop report` derives the same times from a log
 * that holds the whole session. Every phase is an observation:
 *   - F, the fault time: the recorded `fault` (drill_fault); without one,
 *     the first failed probe, at or after the drill's start, of the
 *     endpoint the route pointed at when it failed. E, the endpoint that
 *     had traffic: the route's `to` at F (no route known at a marked
 *     fault: the first endpoint whose probe fails at or after F).
 *   - detected: the first health event E -> degraded at t >= F. It may
 *     come after `failover` (an operator who failed over early).
 *   - the route change: the first route event from E to another
 *     endpoint N at t >= F. It is an expectation, not a phase.
 *   - failover: DNS moved: the first `converged` event on N at or after
 *     the route change (the first resolver answering N). Only when DNS
 *     is not observed (no resolver known at the route change) is it the
 *     route change itself, and its note says "expected, not observed".
 *   - converged: once every known resolver (the profile's dns.resolvers
 *     when dns.name is set, plus any seen in dns/converged events) has a
 *     `converged` event on N at or after the route change; the phase's
 *     t is the last of them. Without resolvers it never converges.
 *   - restored: when the session has a client's-eye probe (any probe
 *     event "via": "public" seen), its first success at t >= F served
 *     by an endpoint other than E that is not degraded; otherwise the
 *     later of `converged` and N's first successful probe at or after
 *     `failover` (null while either is).
 * Each phase is emitted once, with the t of the event that caused it,
 * right after that event. converged never precedes failover.
 * Phases are tracked only between drill_start and drill_end; the current
 * route is tracked always, so feed the tracker every event of the
 * session, not only those of the drill.
 */
#ifndef DRTOP_DRILL_H
#define DRTOP_DRILL_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "model/event.h"
#include "model/profile.h"

#define DRILL_RESOLVERS_MAX 16 /* resolvers tracked for convergence */
#define DRILL_DEGRADED_MAX 32 /* degraded endpoints remembered */

typedef struct {
	/* Long-lived state. */
	char route_to[EV_NAME_MAX]; /* "" = no route seen yet */
	int nresolvers;
	char resolvers[DRILL_RESOLVERS_MAX][EV_RESOLVER_MAX];
	double last_t; /* latest t fed */
	bool has_public; /* a client's-eye probe was seen */
	int ndegraded; /* endpoints whose last health event was degraded */
	char degraded[DRILL_DEGRADED_MAX][EV_NAME_MAX];

	/* The drill in progress (or the last one, once ended). */
	bool active;
	bool ended;
	char name[EV_TEXT_MAX];
	bool reached[DRILL__COUNT];
	double at[DRILL__COUNT];
	bool fault_marked; /* F comes from drill_fault */
	bool have_fault; /* F and (possibly) E are known */
	double fault_t; /* F */
	char fault_ep[EV_NAME_MAX]; /* E; "" = not known yet */
	char new_ep[EV_NAME_MAX]; /* N; "" = no route change yet */
	bool changed; /* the route change from E to N happened */
	double change_t; /* its t */
	bool conv[DRILL_RESOLVERS_MAX]; /* resolver converged on N */
	double conv_last; /* t of the latest of them */
	bool new_ok; /* N answered at or after failover */
	double new_ok_t; /* the first such probe */
} Drill;

/* What the status bar shows. */
typedef struct {
	bool recording; /* between start and end: "DRILL REC" */
	char name[EV_TEXT_MAX];
	double started; /* t of the start phase; 0 when none */
	double elapsed; /* now - started while recording, else the length */
	bool reached[DRILL__COUNT];
	double at[DRILL__COUNT]; /* t of each phase reached */
	bool have_fault; /* F is known (marked or derived) */
	double fault_t; /* F */
	char fault_endpoint[EV_NAME_MAX]; /* E, "" = not known */
	char new_endpoint[EV_NAME_MAX]; /* N, "" = no failover yet */
} DrillSnap;

/*
 * Zero the tracker. p (borrowed, only during the call) gives the
 * resolvers to wait for: its dns.resolvers when dns.name is set. p may
 * be NULL (no resolver known until one is seen in the stream).
 */
void drill_init(Drill *d, const Profile *p);

/* Take the long-lived state (the route, degraded endpoints, whether a
 * client's-eye probe exists) from an engine snapshot: a replay that
 * begins with a drill log's `state` line, not at the session's start. */
void drill_sync(Drill *d, const Snapshot *s, const Profile *p);

/*
 * Start a drill named name ("" or NULL: "drill") at t and return its
 * `start` event (note = the name). Phases of an earlier drill are
 * forgotten; the current route is kept.
 */
Event drill_start(Drill *d, double t, const char *name);

/*
 * The operator's fault mark (key `i`, or the demo switching a fault on)
 * at t: returns the `fault` event with note (may be NULL). Inside a drill
 * the first one fixes F and E unless a fault time had already been
 * derived from a failed probe and a later phase was reached (then the
 * mark is recorded but changes nothing). Outside a drill the event is
 * returned and the tracker ignores it.
 */
Event drill_fault(Drill *d, double t, const char *note);

/* A free-text marker (key `m`) at t: returns the `marker` event. */
Event drill_marker(Drill *d, double t, const char *note);

/*
 * One event of the engine's output stream, in order (pass the tracker's
 * own start/fault/end events through the engine or feed them here too;
 * drill events are otherwise ignored). Emits the derived phase events
 * to out (may be NULL: phases are still tracked), each once, with the
 * causing event's t.
 */
void drill_feed(Drill *d, const Event *ev, const EventSink *out);

/* End the drill at t and return its `end` event. */
Event drill_end(Drill *d, double t);

/* The status bar's view at time now (the console's clock or replay
 * position). */
void drill_snapshot(const Drill *d, double now, DrillSnap *out);

/*
 * The status bar text: "DRILL REC name 01:23  fault +0.0s  detected
 * +3.1s ..." while recording, "drill name 05:10 ended" after, "" when
 * no drill ever started. Always NUL-terminated, truncated to cap.
 */
void drill_status(const DrillSnap *s, char *buf, size_t cap);

#endif
