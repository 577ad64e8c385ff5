/*
 * engine_route: where the engine says traffic should go (the expected
 * route) and what it recommends: routing decisions through
 * core/engine/routing, the route events, the manual manager, the
 * banner's recommendation, and the operator's routes
 * (engine_route_manual). Internal state is the Engine of engine_int.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine_int.h"

/* The banner text and the same as data: key ('f', 'b', 0) and the
 * endpoints it names (-1 = none). */
void
eng_recommend(Engine *e, char key, int from, int to, const char *text)
{
	Snapshot *s = &e->snap;
	const char *f = eng_name(e, from), *t = eng_name(e, to);

	if (strcmp(s->recommendation, text) == 0 && s->rec_key == key &&
	    strcmp(s->rec_from, f) == 0 && strcmp(s->rec_to, t) == 0)
		return;
	str_copy(s->recommendation, sizeof(s->recommendation), text);
	s->rec_key = key;
	str_copy(s->rec_from, sizeof(s->rec_from), f);
	str_copy(s->rec_to, sizeof(s->rec_to), t);
	e->dirty = true;
}

/* ---- routing ------------------------------------------------------------ */

static void
build_inputs(Engine *e)
{
	for (int i = 0; i < e->n; i++) {
		const Endpoint *ep = &e->p->endpoints[i];
		const EndpointSnap *s = &e->snap.endpoints[i];
		RouteInput *r = &e->rin[i];

		r->state = s->state;
		r->priority = ep->priority;
		r->weight = ep->weight;
		r->median_ms = s->median_ms;
		r->online_since = s->state_since;
	}
}

/* Per-endpoint shares as the route event to `to` defines them. */
static void
route_shares(Engine *e, int to, bool rules, double *out)
{
	if (rules && e->rules.method == ROUTE_WEIGHTED) {
		routing_shares(e->rin, e->n, out);
		return;
	}
	for (int i = 0; i < e->n; i++)
		out[i] = i == to ? 1.0 : 0.0;
}

static void
emit_route(Engine *e, double t, int to, RouteCause cause, bool fail_open,
    const double *shares, const EventSink *sink)
{
	Event ev;
	const char *from = e->snap.routed ? eng_name(e, e->current) : "";
	RouteEvent *r = &ev.u.route;

	event_init(&ev, EV_ROUTE, t);
	str_copy(r->from, sizeof(r->from), from);
	str_copy(r->to, sizeof(r->to), eng_name(e, to));
	r->cause = cause;
	r->fail_open = fail_open;
	if (e->rules.method == ROUTE_WEIGHTED && cause != CAUSE_MANUAL) {
		for (int i = 0; i < e->n && r->nshares < EV_SHARES_MAX; i++) {
			if (shares[i] <= 0)
				continue;
			str_copy(r->shares[r->nshares].name,
			    sizeof(r->shares[0].name), eng_name(e, i));
			r->shares[r->nshares].share = shares[i];
			r->nshares++;
		}
	}
	eng_emit(e, sink, &ev);

	if (e->snap.routed && e->current >= 0 && e->current != to &&
	    e->snap.endpoints[e->current].state != HEALTH_ONLINE)
		e->failed_from = e->current;
	else if (e->current != to)
		e->failed_from = -1;
	str_copy(e->snap.route_from, sizeof(e->snap.route_from), from);
	str_copy(e->snap.route_to, sizeof(e->snap.route_to), r->to);
	e->snap.route_cause = cause;
	e->snap.route_since = t;
	e->snap.fail_open = fail_open;
	e->snap.routed = true;
	e->current = to;
	for (int i = 0; i < e->n; i++) {
		e->shares[i] = shares[i];
		e->snap.endpoints[i].share = shares[i];
	}
	{
		Event conv[PROFILE_MAX_RESOLVERS];
		int nconv = traffic_route(&e->traffic, t, from, r->to, conv);

		eng_sync_traffic(e);
		for (int i = 0; i < nconv; i++)
			eng_emit(e, sink, &conv[i]);
	}
}

/* Where DNS sends clients now: observed traffic when DNS is observed
 * and an answer maps, else the expected route. */
static int
observed_or_current(const Engine *e)
{
	int i = eng_find(e, e->snap.traffic.endpoint);

	return i >= 0 ? i : e->current;
}

/* A manual manager: nothing moves DNS but an action (or someone behind
 * drtop's back), so health only ever gives a recommendation. */
static void
recommend_manager(Engine *e, int pick)
{
	char text[EV_TEXT_MAX];
	int from = observed_or_current(e);
	const char *cur = eng_name(e, from);
	HealthState st = e->snap.endpoints[from].state;
	bool pick_ok =
	    pick >= 0 && pick != from && e->rin[pick].state == HEALTH_ONLINE;

	if (e->snap.fail_open || (st != HEALTH_ONLINE && pick < 0)) {
		snprintf(text, sizeof(text),
		    "%s %s and no endpoint is online: DNS stays on it", cur,
		    health_state_name(st));
		eng_recommend(e, 0, from, -1, text);
	} else if (st != HEALTH_ONLINE && st != HEALTH_CHECKING && pick_ok) {
		snprintf(text, sizeof(text),
		    "%s %s, DNS still answers it: fail over to %s? press f",
		    cur, health_state_name(st), eng_name(e, pick));
		eng_recommend(e, 'f', from, pick, text);
	} else if (st == HEALTH_ONLINE && pick_ok &&
	    e->rules.method == ROUTE_PRIORITY) {
		snprintf(text, sizeof(text),
		    "%s online and preferred: fail back from %s? press b",
		    eng_name(e, pick), cur);
		eng_recommend(e, 'b', from, pick, text);
	} else {
		eng_recommend(e, 0, -1, -1, "");
	}
}

static void
recommend_manual(Engine *e)
{
	char text[EV_TEXT_MAX];
	const char *cur = eng_name(e, e->current);
	HealthState st = e->snap.endpoints[e->current].state;
	int pick = routing_pick(&e->rules, e->rin, e->n, NULL);
	bool pick_ok = pick >= 0 && pick != e->current &&
	    e->rin[pick].state == HEALTH_ONLINE;

	if (e->manual_manager) {
		recommend_manager(e, pick);
	} else if (st != HEALTH_ONLINE && pick_ok) {
		snprintf(text, sizeof(text),
		    "MANUAL ROUTE TO %s IS %s: traffic stays there; fail over "
		    "to %s? press f",
		    cur, health_state_name(st), eng_name(e, pick));
		eng_recommend(e, 'f', e->current, pick, text);
	} else if (st != HEALTH_ONLINE) {
		snprintf(text, sizeof(text),
		    "MANUAL ROUTE TO %s IS %s: traffic stays there; no "
		    "endpoint is online",
		    cur, health_state_name(st));
		eng_recommend(e, 0, e->current, -1, text);
	} else if (pick_ok) {
		snprintf(text, sizeof(text),
		    "manual route to %s in force; %s is online: fail back? "
		    "press b",
		    cur, eng_name(e, pick));
		eng_recommend(e, 'b', e->current, pick, text);
	} else {
		eng_recommend(e, 0, -1, -1, "");
	}
}

static void
recommend_auto(Engine *e, const RouteDecision *d)
{
	char text[EV_TEXT_MAX];
	const char *cur = eng_name(e, e->current);

	if (e->snap.fail_open) {
		snprintf(text, sizeof(text),
		    "ALL ENDPOINTS DEGRADED: failing open to %s", cur);
		eng_recommend(e, 0, -1, e->current, text);
	} else if (d->waiting >= 0 && e->rules.failback_auto) {
		snprintf(text, sizeof(text),
		    "%s online again: automatic failback from %s after %g s "
		    "hold-down",
		    eng_name(e, d->waiting), cur, e->rules.hold_down);
		eng_recommend(e, 0, e->current, d->waiting, text);
	} else if (d->waiting >= 0) {
		snprintf(text, sizeof(text),
		    "%s online again: fail back from %s? press b",
		    eng_name(e, d->waiting), cur);
		eng_recommend(e, 'b', e->current, d->waiting, text);
	} else if (e->failed_from >= 0 &&
	    e->snap.endpoints[e->failed_from].state != HEALTH_ONLINE) {
		const char *st =
		    health_state_name(e->snap.endpoints[e->failed_from].state);
		bool by_itself = e->p->routing.auto_failover;
		int dns_at = eng_find(e, e->snap.traffic.endpoint);

		if (dns_at >= 0 && dns_at == e->current) {
			snprintf(text, sizeof(text), "%s %s: DNS moved to %s",
			    eng_name(e, e->failed_from), st, cur);
			eng_recommend(e, 0, e->failed_from, e->current, text);
			return;
		}
		if (dns_at < 0)
			dns_at = e->failed_from;
		snprintf(text, sizeof(text),
		    by_itself ? "%s %s: failed over to %s automatically"
		              : "%s %s: fail over to %s? press f",
		    eng_name(e, e->failed_from), st, cur);
		eng_recommend(e, by_itself ? 0 : 'f', dns_at, e->current, text);
	} else {
		eng_recommend(e, 0, -1, -1, "");
	}
}

static bool
shares_differ(const Engine *e, const double *shares)
{
	for (int i = 0; i < e->n; i++)
		if (shares[i] != e->shares[i])
			return true;
	return false;
}

static bool
first_route_ready(const Engine *e, double t)
{
	if (t + TIME_EPS >= e->first_deadline)
		return true;
	/* A manual manager's first route is what DNS says (manager_route). */
	if (e->manual_manager && e->traffic.nresolvers > 0)
		return eng_find(e, e->snap.traffic.endpoint) >= 0;
	for (int i = 0; i < e->n; i++)
		if (e->snap.endpoints[i].state == HEALTH_CHECKING)
			return false;
	return true;
}

static void
set_failback_at(Engine *e, double t)
{
	if (e->snap.failback_at == t)
		return;
	e->snap.failback_at = t;
	e->dirty = true;
}

/*
 * A manual manager: the route follows DNS, never health. The first
 * route is observed traffic (the rules' pick only when DNS gave no
 * answer by the deadline); later, observed traffic that moved by itself
 * to another endpoint than expected (not while an action runs: its
 * outcome routes) becomes the route, cause dns. Returns true when it
 * decided (routed, or recommended), false to let the rules pick a first
 * route.
 */
static bool
manager_route(Engine *e, double t, const EventSink *sink)
{
	int obs = eng_find(e, e->snap.traffic.endpoint);
	bool moved = e->dns_moved;

	e->dns_moved = false;
	if (!e->snap.routed) {
		if (obs < 0)
			return false;
		route_shares(e, obs, false, e->tmp_shares);
		emit_route(e, t, obs, CAUSE_DNS, false, e->tmp_shares, sink);
	} else if (moved && obs >= 0 && obs != e->current && !e->action_busy) {
		route_shares(e, obs, false, e->tmp_shares);
		emit_route(e, t, obs, CAUSE_DNS, false, e->tmp_shares, sink);
	}
	e->manual = true;
	e->snap.manual_override = false;
	set_failback_at(e, -1);
	recommend_manual(e);
	return true;
}

void
eng_recommend_now(Engine *e)
{
	RouteDecision d;

	build_inputs(e);
	if (e->manual || !e->snap.routed) {
		if (e->snap.routed)
			recommend_manual(e);
		return;
	}
	routing_decide(&e->rules, e->rin, e->n, e->current, e->snap.now, &d);
	recommend_auto(e, &d);
}

static void
reroute(Engine *e, double t, const EventSink *sink)
{
	RouteDecision d;
	bool change;

	build_inputs(e);
	e->due = -1;
	if (e->manual_manager && manager_route(e, t, sink))
		return;
	if (e->manual) {
		set_failback_at(e, -1);
		recommend_manual(e);
		return;
	}
	routing_decide(
	    &e->rules, e->rin, e->n, e->snap.routed ? e->current : -1, t, &d);
	e->due = d.due;
	set_failback_at(e,
	    e->rules.method == ROUTE_PRIORITY && e->rules.failback_auto &&
	            d.waiting >= 0
	        ? d.due
	        : -1);
	if (d.to < 0) {
		eng_recommend(e, 0, -1, -1,
		    e->snap.routed
		        ? "no endpoint is enabled: traffic stays where it was"
		        : "");
		return;
	}
	route_shares(e, d.to, true, e->tmp_shares);
	change = !e->snap.routed || d.to != e->current ||
	    d.fail_open != e->snap.fail_open ||
	    (e->rules.method == ROUTE_WEIGHTED &&
	        shares_differ(e, e->tmp_shares));
	if (change)
		emit_route(
		    e, t, d.to, d.cause, d.fail_open, e->tmp_shares, sink);
	recommend_auto(e, &d);
}

/* Run whatever is due at t: the first route, a rerouting after a state
 * change or a hold_down, the countdown's state. */
void
eng_settle(Engine *e, double t, const EventSink *sink)
{
	if (!e->snap.routed) {
		if (first_route_ready(e, t))
			reroute(e, t, sink);
	} else if (e->need_route || (e->due >= 0 && t + TIME_EPS >= e->due)) {
		reroute(e, t, sink);
	}
	e->need_route = false;
	if (traffic_tick(&e->traffic, t)) {
		e->snap.traffic = e->traffic.snap;
		e->dirty = true;
	}
}

static int route_error(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
route_error(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errcap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errcap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
engine_route_manual(Engine *e, double t, const char *to, RouteCause cause,
    const EventSink *sink, char *err, size_t errcap)
{
	int i;
	bool fail_open = false;

	t = eng_advance(e, t);
	build_inputs(e);
	if (cause != CAUSE_MANUAL && cause != CAUSE_FAILBACK)
		return route_error(
		    err, errcap, "route: cause must be manual or failback");
	if (to == NULL && cause == CAUSE_MANUAL)
		return route_error(
		    err, errcap, "route: a manual route needs a target");
	if (to == NULL) {
		i = routing_pick(&e->rules, e->rin, e->n, &fail_open);
		if (i < 0)
			return route_error(err, errcap,
			    "route: no enabled endpoint to fail back to");
	} else if ((i = eng_find(e, to)) < 0) {
		return route_error(
		    err, errcap, "route: unknown endpoint \"%s\"", to);
	}
	if (e->snap.endpoints[i].state == HEALTH_DISABLED)
		return route_error(
		    err, errcap, "route: %s is disabled", eng_name(e, i));
	if (e->snap.routed && i == e->current &&
	    (cause == CAUSE_MANUAL ? e->manual : !e->manual))
		return route_error(
		    err, errcap, "route: already routed to %s", eng_name(e, i));
	e->dirty = false;
	route_shares(e, i, cause == CAUSE_FAILBACK, e->tmp_shares);
	e->manual = cause == CAUSE_MANUAL || e->manual_manager;
	e->snap.manual_override = cause == CAUSE_MANUAL && !e->manual_manager;
	emit_route(e, t, i, cause, fail_open, e->tmp_shares, sink);
	e->failed_from = -1;
	e->need_route = true;
	eng_settle(e, t, sink);
	e->dirty = false;
	e->snap.version++;
	return 0;
}
