/*
 * autofail: when drtop runs the failover action by itself.
 *
 * DESIGN: a small state machine over the engine's route events. State
 * is the pending request (from the first pending route's from to the
 * latest route's to) and the start time of the last automatic action.
 * Time comes only from autofail_next()'s `now`; route events' own t is
 * not needed because hold_down is counted between action starts.
 */
#include "engine/autofail.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Slack for comparing times that went through decimal text. */
#define TIME_EPS 1e-9

struct Autofail {
	bool enabled;
	bool has_failback; /* actions.failback is configured */
	double hold_down;
	bool pending;
	AutofailRequest req; /* valid while pending */
	bool has_run;
	double last_start; /* t of the last automatic action handed out,
	                      then of its `started` event */
	bool await_start; /* handed out, its `started` not yet seen */
	uint64_t started;
};

Autofail *
autofail_new(const Profile *p)
{
	Autofail *a = xcalloc(1, sizeof(*a));

	a->enabled = p->routing.auto_failover;
	a->has_failback = p->failback.nsteps > 0;
	a->hold_down = p->routing.hold_down > 0 ? p->routing.hold_down : 0;
	return a;
}

void
autofail_free(Autofail *a)
{
	free(a);
}

bool
autofail_enabled(const Autofail *a)
{
	return a->enabled;
}

void
autofail_feed(Autofail *a, const Event *ev)
{
	const RouteEvent *r;

	/* hold_down counts from the action's own `started` event: the
	 * runner starts it a little after autofail_next() handed it out,
	 * and the log must show the spacing the profile asks for. */
	if (ev->type == EV_ACTION && a->await_start &&
	    ev->u.action.phase == ACT_STARTED &&
	    strcmp(ev->u.action.by, "auto") == 0) {
		a->await_start = false;
		if (ev->t > a->last_start)
			a->last_start = ev->t;
		return;
	}
	if (ev->type != EV_ROUTE)
		return;
	r = &ev->u.route;
	if (r->cause == CAUSE_MANUAL) {
		/* The operator's route (fed here by mistake or from a log). */
		autofail_operator_route(a);
		return;
	}
	if (!a->enabled || r->from[0] == '\0' || strcmp(r->from, r->to) == 0)
		return;
	if (!a->pending) {
		a->pending = true;
		str_copy(a->req.from, sizeof(a->req.from), r->from);
	}
	str_copy(a->req.to, sizeof(a->req.to), r->to);
	str_copy(a->req.name, sizeof(a->req.name),
	    r->cause == CAUSE_FAILBACK && a->has_failback ? "failback"
	                                                  : "failover");
	/* Flapped back to where the traffic manager was sent last. */
	if (strcmp(a->req.from, a->req.to) == 0)
		a->pending = false;
}

void
autofail_operator_route(Autofail *a)
{
	a->pending = false;
}

double
autofail_due(const Autofail *a)
{
	if (!a->pending)
		return -1;
	return a->has_run ? a->last_start + a->hold_down : 0;
}

bool
autofail_next(Autofail *a, double now, bool busy, AutofailRequest *out)
{
	if (!a->pending || busy)
		return false;
	if (a->has_run && now + TIME_EPS < a->last_start + a->hold_down)
		return false;
	*out = a->req;
	a->pending = false;
	a->has_run = true;
	a->last_start = now;
	a->await_start = true;
	a->started++;
	return true;
}

bool
autofail_pending(const Autofail *a)
{
	return a->pending;
}

uint64_t
autofail_started(const Autofail *a)
{
	return a->started;
}

bool
autofail_manual_route(
    const ActionEvent *ev, RouteCause *cause, char *to, size_t cap)
{
	bool ok;

	if (!event_action_outcome(ev, &ok) || !ok ||
	    strcmp(ev->by, "operator") != 0)
		return false;
	if (strcmp(ev->name, "failback") == 0) {
		*cause = CAUSE_FAILBACK;
		str_copy(to, cap, "");
	} else {
		*cause = CAUSE_MANUAL;
		str_copy(to, cap, ev->to);
	}
	return true;
}
