/* routing: see routing.h. */
#include "engine/routing.h"

#include <stddef.h>

/* Time comparisons tolerate rounding of sums like 10.2 + 60. */
#define TIME_EPS 1e-9

enum { TIER_NONE = -1, TIER_ONLINE, TIER_CHECKING, TIER_ALL };

static int
tier_of(const RouteInput *in, int n)
{
	int tier = TIER_NONE;

	for (int i = 0; i < n; i++) {
		int t;

		if (in[i].state == HEALTH_ONLINE)
			return TIER_ONLINE;
		if (in[i].state == HEALTH_CHECKING)
			t = TIER_CHECKING;
		else if (in[i].state == HEALTH_DISABLED)
			continue;
		else
			t = TIER_ALL;
		if (tier == TIER_NONE || t < tier)
			tier = t;
	}
	return tier;
}

static bool
in_tier(const RouteInput *e, int tier)
{
	switch (tier) {
	case TIER_ONLINE:
		return e->state == HEALTH_ONLINE;
	case TIER_CHECKING:
		return e->state == HEALTH_CHECKING;
	case TIER_ALL:
		return e->state != HEALTH_DISABLED;
	default:
		return false;
	}
}

/* Priority order: lower number first, then profile order. */
static bool
prio_before(const RouteInput *in, int a, int b)
{
	if (in[a].priority != in[b].priority)
		return in[a].priority < in[b].priority;
	return a < b;
}

/* True when a is preferred over b under the method. */
static bool
before(const RouteRules *r, const RouteInput *in, int a, int b)
{
	switch (r->method) {
	case ROUTE_WEIGHTED:
		if (in[a].weight != in[b].weight)
			return in[a].weight > in[b].weight;
		break;
	case ROUTE_PERFORMANCE: {
		double ma = in[a].median_ms, mb = in[b].median_ms;

		if ((ma >= 0) != (mb >= 0))
			return ma >= 0;
		if (ma >= 0 && ma != mb)
			return ma < mb;
		break;
	}
	case ROUTE_PRIORITY:
	default:
		break;
	}
	return prio_before(in, a, b);
}

static int
best_in_tier(const RouteRules *r, const RouteInput *in, int n, int tier)
{
	int best = -1;

	for (int i = 0; i < n; i++) {
		if (!in_tier(&in[i], tier))
			continue;
		if (best < 0 || before(r, in, i, best))
			best = i;
	}
	return best;
}

int
routing_pick(const RouteRules *r, const RouteInput *in, int n, bool *fail_open)
{
	int tier = tier_of(in, n);

	if (fail_open != NULL)
		*fail_open = tier == TIER_ALL;
	return tier == TIER_NONE ? -1 : best_in_tier(r, in, n, tier);
}

static bool
held(const RouteRules *r, const RouteInput *e, double now)
{
	return now + TIME_EPS >= e->online_since + r->hold_down;
}

static void
note_due(RouteDecision *out, double t)
{
	if (out->due < 0 || t < out->due)
		out->due = t;
}

static void
decide_priority(const RouteRules *r, const RouteInput *in, int n, int current,
    double now, int best, RouteDecision *out)
{
	int stable = -1;

	out->to = current;
	if (best == current)
		return;
	/* best is online and better than current: a failback candidate. */
	for (int i = 0; i < n; i++) {
		if (in[i].state != HEALTH_ONLINE || i == current ||
		    !prio_before(in, i, current))
			continue;
		if (!held(r, &in[i], now)) {
			if (r->failback_auto)
				note_due(
				    out, in[i].online_since + r->hold_down);
			continue;
		}
		if (stable < 0 || prio_before(in, i, stable))
			stable = i;
	}
	if (r->failback_auto && stable >= 0) {
		out->to = stable;
		out->cause = CAUSE_FAILBACK;
	}
	if (out->to != best)
		out->waiting = best;
}

static void
decide_performance(const RouteRules *r, const RouteInput *in, int n,
    int current, double now, RouteDecision *out)
{
	int ch = -1;
	double cm = in[current].median_ms, m, margin;

	out->to = current;
	for (int i = 0; i < n; i++) {
		if (in[i].state != HEALTH_ONLINE || i == current)
			continue;
		if (!held(r, &in[i], now)) {
			note_due(out, in[i].online_since + r->hold_down);
			continue;
		}
		if (ch < 0 || before(r, in, i, ch))
			ch = i;
	}
	if (ch < 0 || in[ch].median_ms < 0)
		return;
	m = in[ch].median_ms;
	if (cm < 0) {
		out->to = ch;
		return;
	}
	margin = ROUTING_PERF_MARGIN_REL * cm;
	if (margin < ROUTING_PERF_MARGIN_MS)
		margin = ROUTING_PERF_MARGIN_MS;
	if (cm - m > margin)
		out->to = ch;
}

void
routing_decide(const RouteRules *r, const RouteInput *in, int n, int current,
    double now, RouteDecision *out)
{
	int tier = tier_of(in, n);
	int best;

	out->to = -1;
	out->fail_open = tier == TIER_ALL;
	out->cause = CAUSE_AUTO;
	out->waiting = -1;
	out->due = -1;
	if (tier == TIER_NONE)
		return;
	best = best_in_tier(r, in, n, tier);
	if (current < 0 || current >= n || tier != TIER_ONLINE ||
	    in[current].state != HEALTH_ONLINE) {
		out->to = best;
		return;
	}
	switch (r->method) {
	case ROUTE_WEIGHTED:
		out->to = best;
		break;
	case ROUTE_PERFORMANCE:
		decide_performance(r, in, n, current, now, out);
		break;
	case ROUTE_PRIORITY:
	default:
		decide_priority(r, in, n, current, now, best, out);
		break;
	}
}

int
routing_shares(const RouteInput *in, int n, double *shares)
{
	int tier = tier_of(in, n), count = 0;
	double sum = 0;

	for (int i = 0; i < n; i++) {
		shares[i] = 0;
		if (!in_tier(&in[i], tier))
			continue;
		count++;
		if (in[i].weight > 0)
			sum += in[i].weight;
	}
	for (int i = 0; i < n; i++) {
		if (!in_tier(&in[i], tier))
			continue;
		if (sum > 0)
			shares[i] = in[i].weight > 0 ? in[i].weight / sum : 0;
		else
			shares[i] = 1.0 / count;
	}
	return count;
}
