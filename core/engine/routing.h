/*
 * routing: where the traffic manager sends traffic under the profile's
 * rules (DESIGN.md "Health and routing"). Pure: the caller passes every
 * endpoint's state and the current target, and gets a decision back. No
 * clock, no I/O, no allocation; the engine calls it from its thread.
 *
 * Candidates, in order of preference:
 *   1. `online` endpoints;
 *   2. if none is online, `checking` endpoints (not yet judged: Traffic
 *      Manager keeps serving an endpoint while it is being checked);
 *   3. if none, every enabled endpoint, and the decision fails open
 *      (all degraded: `to` is what the rules pick when all are treated
 *      as online).
 * `disabled` endpoints are never candidates.
 *
 * Methods:
 *   priority    lowest priority number (ties: profile order). While the
 *               current target is online, a better endpoint takes over
 *               only with failback auto and only once it has stayed
 *               online for hold_down seconds (cause failback); otherwise
 *               the decision names it in `waiting` and keeps traffic.
 *   weighted    shares by weight over the candidates; `to` is the
 *               largest share (ties: priority, then order). hold_down
 *               and failback do not apply: a share changes whenever the
 *               set of online endpoints changes.
 *   performance lowest median latency of recent successful probes
 *               (unknown medians last; ties: priority). Hysteresis: a
 *               challenger replaces an online current target only when
 *               it has stayed online for hold_down seconds and its
 *               median is lower by more than
 *               max(ROUTING_PERF_MARGIN_MS, ROUTING_PERF_MARGIN_REL *
 *               current median), so two near-equal regions never flip.
 *               Such a switch has cause auto; `failback` does not apply.
 * A current target that is not online is left at once for the best
 * candidate (cause auto), whatever the method.
 */
#ifndef DRTOP_ROUTING_H
#define DRTOP_ROUTING_H

#include <stdbool.h>

#include "model/event.h"
#include "model/profile.h"

#define ROUTING_PERF_MARGIN_REL 0.20 /* 20 % of the current median */
#define ROUTING_PERF_MARGIN_MS 5.0 /* and at least 5 ms */

typedef struct {
	HealthState state;
	int priority;
	double weight;
	double median_ms; /* recent successful probes; < 0 = unknown */
	double online_since; /* t it last became online (state online) */
} RouteInput;

typedef struct {
	RouteMethod method;
	bool failback_auto;
	double hold_down; /* seconds */
} RouteRules;

typedef struct {
	int to; /* index of the target; -1 = nothing routable */
	bool fail_open;
	RouteCause cause; /* CAUSE_AUTO or CAUSE_FAILBACK */
	/* priority: a better online endpoint that traffic does not move to
	 * yet (manual failback, or hold_down running); -1 = none */
	int waiting;
	/* earliest t at which the decision can change with no new input
	 * (a hold_down ending); < 0 = never */
	double due;
} RouteDecision;

/*
 * The rules' choice with no current target (first route, an operator's
 * failback to "the rules' choice"): the best candidate, ignoring
 * hold_down. Returns the index or -1; *fail_open (may be NULL) tells
 * whether every candidate was degraded.
 */
int routing_pick(
    const RouteRules *r, const RouteInput *in, int n, bool *fail_open);

/*
 * Decide where traffic goes at time now, given the current target
 * (index, or -1 before the first route). out->to == current means stay.
 */
void routing_decide(const RouteRules *r, const RouteInput *in, int n,
    int current, double now, RouteDecision *out);

/*
 * Weighted shares over the candidate set (online; else checking; else
 * all enabled): shares[i] = weight / sum of weights (equal shares when
 * the weights sum to 0), 0 for endpoints outside the set. shares has n
 * entries. Returns the number of endpoints with a share.
 */
int routing_shares(const RouteInput *in, int n, double *shares);

#endif
