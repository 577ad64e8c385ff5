/*
 * engine: see engine.h. Health per endpoint comes from core/engine/health,
 * route choices from core/engine/routing, observed traffic, convergence
 * and the drain from core/engine/traffic; this file keeps their state, turns their results into
 * events in a fixed order and mirrors everything into the Snapshot.
 *
 * Order of output for one input: the input itself (its t raised to the
 * engine's time if older), then what it caused: a health event (probe
 * inputs, the probe's endpoint) or a converged/diverged event (dns
 * inputs), then at most one route event (a state change, a hold_down
 * that ended or the first-route deadline). engine_route_manual() emits
 * the operator's route first and then, if the rules move traffic on at
 * once (a failback to an endpoint that is not online), an automatic one.
 */
#include "engine/engine.h"

#include <math.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/health.h"
#include "engine/routing.h"
#include "engine/traffic.h"

#define PERF_WINDOW 8 /* successful probes behind the latency median */
#define TIME_EPS 1e-9

typedef struct {
	double ms[PERF_WINDOW]; /* ring of recent successful totals */
	int len, pos;
} Recent;

struct Engine {
	const Profile *p;
	int n;
	Snapshot snap;
	Health *health;
	Recent *recent;
	RouteInput *rin;
	double *shares; /* last emitted share per endpoint */
	double *tmp_shares;
	int *slots; /* name hash -> index + 1; 0 = empty */
	unsigned nslots;
	RouteRules rules;
	int current; /* route target index; -1 before the first route */
	bool manual; /* an operator's route is in force */
	int failed_from; /* endpoint the last auto route left; -1 */
	double first_deadline; /* latest t for the first route */
	double due; /* next t a hold_down may change the route; < 0 none */
	bool need_route; /* something routing depends on changed */
	bool dirty; /* something changed in this call */
	bool manual_manager; /* routing.manager manual */
	bool action_busy; /* an action started and has no outcome yet */
	bool dns_moved; /* observed traffic changed since the last look */
	TrafficModel traffic;
	Recent public_recent; /* the client's-eye probe's latencies */
};

/* ---- names ------------------------------------------------------------ */

static unsigned
name_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
index_names(Engine *e)
{
	e->nslots = 16;
	while (e->nslots < (unsigned)e->n * 2)
		e->nslots *= 2;
	e->slots = xcalloc(e->nslots, sizeof(*e->slots));
	for (int i = 0; i < e->n; i++) {
		unsigned k =
		    name_hash(e->p->endpoints[i].name) & (e->nslots - 1);

		while (e->slots[k] != 0)
			k = (k + 1) & (e->nslots - 1);
		e->slots[k] = i + 1;
	}
}

static int
find(const Engine *e, const char *name)
{
	unsigned k;

	if (name == NULL || name[0] == '\0')
		return -1;
	k = name_hash(name) & (e->nslots - 1);
	while (e->slots[k] != 0) {
		int i = e->slots[k] - 1;

		if (strcmp(e->p->endpoints[i].name, name) == 0)
			return i;
		k = (k + 1) & (e->nslots - 1);
	}
	return -1;
}

static const char *
ep_name(const Engine *e, int i)
{
	return i >= 0 && i < e->n ? e->p->endpoints[i].name : "";
}

/* ---- lifecycle ---------------------------------------------------------- */

static void
sync_traffic(Engine *e)
{
	e->snap.nresolvers = e->traffic.nresolvers;
	memcpy(e->snap.resolvers, e->traffic.resolvers,
	    (size_t)e->traffic.nresolvers * sizeof(e->snap.resolvers[0]));
	e->snap.traffic = e->traffic.snap;
}

static void
init_traffic(Engine *e)
{
	const DnsConfig *d = &e->p->dns;
	TrafficResolver res[PROFILE_MAX_RESOLVERS];
	TrafficConfig cfg = {.ttl = d->ttl, .interval = d->interval};

	if (d->name != NULL) {
		for (int i = 0; i < d->nresolvers && i < PROFILE_MAX_RESOLVERS;
		     i++) {
			res[i].addr = d->resolvers[i].addr;
			res[i].name = d->resolvers[i].name;
			res[i].authoritative = d->resolvers[i].authoritative;
		}
		cfg.nresolvers = d->nresolvers;
		cfg.resolvers = res;
	}
	traffic_init(&e->traffic, &cfg);
	sync_traffic(e);
	/* A manual manager's first route is what DNS observes: wait for an
	 * answer, but not for ever (a DNS that never answers falls back to
	 * the rules after two polls and a timeout more). */
	if (e->manual_manager && e->traffic.nresolvers > 0) {
		double d2 = 2 * d->interval + d->timeout;

		if (d2 > e->first_deadline)
			e->first_deadline = d2;
	}
}

Engine *
engine_new(const Profile *p)
{
	Engine *e = xcalloc(1, sizeof(*e));
	int n = p->nendpoints;
	double any_deadline = 0;

	e->p = p;
	e->n = n;
	e->snap.nendpoints = n;
	e->snap.endpoints = xcalloc(n > 0 ? n : 1, sizeof(EndpointSnap));
	e->health = xcalloc(n > 0 ? n : 1, sizeof(Health));
	e->recent = xcalloc(n > 0 ? n : 1, sizeof(Recent));
	e->rin = xcalloc(n > 0 ? n : 1, sizeof(RouteInput));
	e->shares = xcalloc(n > 0 ? n : 1, sizeof(double));
	e->tmp_shares = xcalloc(n > 0 ? n : 1, sizeof(double));
	index_names(e);
	e->rules.method = p->routing.method;
	e->rules.failback_auto = p->routing.failback_auto;
	e->rules.hold_down = p->routing.hold_down;
	e->current = -1;
	e->failed_from = -1;
	e->due = -1;
	for (int i = 0; i < n; i++) {
		const Endpoint *ep = &p->endpoints[i];
		EndpointSnap *s = &e->snap.endpoints[i];
		double d = ep->monitor.interval + ep->monitor.timeout;

		health_init(&e->health[i], ep->disabled);
		s->state = e->health[i].state;
		s->median_ms = -1;
		s->cert_days = -1;
		s->last_probe_t = -1;
		if (d > any_deadline)
			any_deadline = d;
		if (!ep->disabled && d > e->first_deadline)
			e->first_deadline = d;
	}
	if (e->first_deadline <= 0)
		e->first_deadline = any_deadline;
	e->snap.route_cause = CAUSE_AUTO;
	e->snap.failback_at = -1;
	e->manual_manager = p->routing.manager == MANAGER_MANUAL;
	e->snap.public_probe.state = HEALTH_CHECKING;
	e->snap.public_probe.median_ms = -1;
	e->snap.public_probe.cert_days = -1;
	e->snap.public_probe.last_probe_t = -1;
	init_traffic(e);
	return e;
}

void
engine_free(Engine *e)
{
	if (e == NULL)
		return;
	free(e->snap.endpoints);
	free(e->health);
	free(e->recent);
	free(e->rin);
	free(e->shares);
	free(e->tmp_shares);
	free(e->slots);
	free(e);
}

const Snapshot *
engine_snapshot(const Engine *e)
{
	return &e->snap;
}

/* ---- output ------------------------------------------------------------- */

static void
emit(Engine *e, const EventSink *sink, const Event *ev)
{
	if (ev->type != EV_PROBE && ev->type != EV_DNS)
		e->dirty = true;
	if (sink != NULL && sink->fn != NULL)
		sink->fn(sink->ctx, ev);
}

/* The banner text and the same as data: key ('f', 'b', 0) and the
 * endpoints it names (-1 = none). */
static void
recommend(Engine *e, char key, int from, int to, const char *text)
{
	Snapshot *s = &e->snap;
	const char *f = ep_name(e, from), *t = ep_name(e, to);

	if (strcmp(s->recommendation, text) == 0 && s->rec_key == key &&
	    strcmp(s->rec_from, f) == 0 && strcmp(s->rec_to, t) == 0)
		return;
	str_copy(s->recommendation, sizeof(s->recommendation), text);
	s->rec_key = key;
	str_copy(s->rec_from, sizeof(s->rec_from), f);
	str_copy(s->rec_to, sizeof(s->rec_to), t);
	e->dirty = true;
}

/* ---- health ------------------------------------------------------------- */

static void
health_changed(Engine *e, int i, double t, HealthState from, const char *reason,
    const EventSink *sink)
{
	EndpointSnap *s = &e->snap.endpoints[i];
	Event ev;

	s->state = e->health[i].state;
	s->state_since = t;
	str_copy(s->last_reason, sizeof(s->last_reason), reason);
	event_init(&ev, EV_HEALTH, t);
	str_copy(
	    ev.u.health.endpoint, sizeof(ev.u.health.endpoint), ep_name(e, i));
	ev.u.health.from = from;
	ev.u.health.to = s->state;
	str_copy(ev.u.health.reason, sizeof(ev.u.health.reason), reason);
	emit(e, sink, &ev);
	e->need_route = true;
}

static double
median(const Recent *r)
{
	double v[PERF_WINDOW];
	int n = r->len;

	if (n == 0)
		return -1;
	memcpy(v, r->ms, sizeof(v));
	for (int i = 1; i < n; i++) {
		double x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Performance routing: could endpoint i's new median change the route?
 * Only the current target's own median, or a median that beats it by the
 * margin, can (routing.h); everything else would cost O(n) per probe. */
static bool
may_take_over(const Engine *e, int i)
{
	double cm, margin;

	if (!e->snap.routed || i == e->current)
		return true;
	cm = e->snap.endpoints[e->current].median_ms;
	if (cm < 0)
		return true;
	margin = ROUTING_PERF_MARGIN_REL * cm;
	if (margin < ROUTING_PERF_MARGIN_MS)
		margin = ROUTING_PERF_MARGIN_MS;
	return e->snap.endpoints[i].median_ms <= cm - margin + 1e-9;
}

static void
record_probe(Engine *e, int i, double t, const ProbeEvent *p)
{
	EndpointSnap *s =
	    i >= 0 ? &e->snap.endpoints[i] : &e->snap.public_probe;
	ProbeMark *m;
	int slot;

	s->has_probe = true;
	s->last_probe_t = t;
	s->last_probe = *p;
	s->probes++;
	if (!p->ok)
		s->failures++;
	if (s->hist_len < SNAP_HISTORY) {
		slot = (s->hist_start + s->hist_len) % SNAP_HISTORY;
		s->hist_len++;
	} else {
		slot = s->hist_start;
		s->hist_start = (s->hist_start + 1) % SNAP_HISTORY;
	}
	m = &s->history[slot];
	m->t = t;
	/* Out-of-range double -> float is undefined: clamp first. */
	if (p->ms.total >= 0)
		m->total_ms = p->ms.total < 1e30 ? (float)p->ms.total : 1e30f;
	else
		m->total_ms = -1.0f;
	m->ok = p->ok;
	m->error = (uint8_t)p->error;
	m->status =
	    (uint16_t)(p->status > 0 && p->status <= 65535 ? p->status : 0);
	if (p->ok && p->ms.total >= 0) {
		Recent *r = i >= 0 ? &e->recent[i] : &e->public_recent;

		r->ms[r->pos] = p->ms.total;
		r->pos = (r->pos + 1) % PERF_WINDOW;
		if (r->len < PERF_WINDOW)
			r->len++;
		s->median_ms = median(r);
		if (i >= 0 && e->rules.method == ROUTE_PERFORMANCE &&
		    may_take_over(e, i))
			e->need_route = true;
	}
}

static void
on_probe(Engine *e, double t, const ProbeEvent *p, const EventSink *sink)
{
	int i = find(e, p->endpoint);
	const Monitor *mon;
	HealthState from;
	char reason[EV_TEXT_MAX];

	if (p->via_public) {
		/* What a client got: shown and recorded, never a health
		 * verdict on an endpoint. */
		e->snap.has_public = true;
		record_probe(e, -1, t, p);
		return;
	}
	if (i < 0)
		return;
	record_probe(e, i, t, p);
	mon = &e->p->endpoints[i].monitor;
	if (health_probe(&e->health[i], p, mon->tolerated_failures, mon->rise,
	        &from, reason, sizeof(reason)))
		health_changed(e, i, t, from, reason, sink);
	e->snap.endpoints[i].consecutive_failures = e->health[i].failures;
	e->snap.endpoints[i].consecutive_successes = e->health[i].successes;
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
	const char *from = e->snap.routed ? ep_name(e, e->current) : "";
	RouteEvent *r = &ev.u.route;

	event_init(&ev, EV_ROUTE, t);
	str_copy(r->from, sizeof(r->from), from);
	str_copy(r->to, sizeof(r->to), ep_name(e, to));
	r->cause = cause;
	r->fail_open = fail_open;
	if (e->rules.method == ROUTE_WEIGHTED && cause != CAUSE_MANUAL) {
		for (int i = 0; i < e->n && r->nshares < EV_SHARES_MAX; i++) {
			if (shares[i] <= 0)
				continue;
			str_copy(r->shares[r->nshares].name,
			    sizeof(r->shares[0].name), ep_name(e, i));
			r->shares[r->nshares].share = shares[i];
			r->nshares++;
		}
	}
	emit(e, sink, &ev);

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

		sync_traffic(e);
		for (int i = 0; i < nconv; i++)
			emit(e, sink, &conv[i]);
	}
}

/* Where DNS sends clients now: observed traffic when DNS is observed
 * and an answer maps, else the expected route. */
static int
observed_or_current(const Engine *e)
{
	int i = find(e, e->snap.traffic.endpoint);

	return i >= 0 ? i : e->current;
}

/* A manual manager: nothing moves DNS but an action (or someone behind
 * drtop's back), so health only ever gives a recommendation. */
static void
recommend_manager(Engine *e, int pick)
{
	char text[EV_TEXT_MAX];
	int from = observed_or_current(e);
	const char *cur = ep_name(e, from);
	HealthState st = e->snap.endpoints[from].state;
	bool pick_ok =
	    pick >= 0 && pick != from && e->rin[pick].state == HEALTH_ONLINE;

	if (e->snap.fail_open || (st != HEALTH_ONLINE && pick < 0)) {
		snprintf(text, sizeof(text),
		    "%s %s and no endpoint is online: DNS stays on it", cur,
		    health_state_name(st));
		recommend(e, 0, from, -1, text);
	} else if (st != HEALTH_ONLINE && st != HEALTH_CHECKING && pick_ok) {
		snprintf(text, sizeof(text),
		    "%s %s, DNS still answers it: fail over to %s? press f",
		    cur, health_state_name(st), ep_name(e, pick));
		recommend(e, 'f', from, pick, text);
	} else if (st == HEALTH_ONLINE && pick_ok &&
	    e->rules.method == ROUTE_PRIORITY) {
		snprintf(text, sizeof(text),
		    "%s online and preferred: fail back from %s? press b",
		    ep_name(e, pick), cur);
		recommend(e, 'b', from, pick, text);
	} else {
		recommend(e, 0, -1, -1, "");
	}
}

static void
recommend_manual(Engine *e)
{
	char text[EV_TEXT_MAX];
	const char *cur = ep_name(e, e->current);
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
		    cur, health_state_name(st), ep_name(e, pick));
		recommend(e, 'f', e->current, pick, text);
	} else if (st != HEALTH_ONLINE) {
		snprintf(text, sizeof(text),
		    "MANUAL ROUTE TO %s IS %s: traffic stays there; no "
		    "endpoint is online",
		    cur, health_state_name(st));
		recommend(e, 0, e->current, -1, text);
	} else if (pick_ok) {
		snprintf(text, sizeof(text),
		    "manual route to %s in force; %s is online: fail back? "
		    "press b",
		    cur, ep_name(e, pick));
		recommend(e, 'b', e->current, pick, text);
	} else {
		recommend(e, 0, -1, -1, "");
	}
}

static void
recommend_auto(Engine *e, const RouteDecision *d)
{
	char text[EV_TEXT_MAX];
	const char *cur = ep_name(e, e->current);

	if (e->snap.fail_open) {
		snprintf(text, sizeof(text),
		    "ALL ENDPOINTS DEGRADED: failing open to %s", cur);
		recommend(e, 0, -1, e->current, text);
	} else if (d->waiting >= 0 && e->rules.failback_auto) {
		snprintf(text, sizeof(text),
		    "%s online again: automatic failback from %s after %g s "
		    "hold-down",
		    ep_name(e, d->waiting), cur, e->rules.hold_down);
		recommend(e, 0, e->current, d->waiting, text);
	} else if (d->waiting >= 0) {
		snprintf(text, sizeof(text),
		    "%s online again: fail back from %s? press b",
		    ep_name(e, d->waiting), cur);
		recommend(e, 'b', e->current, d->waiting, text);
	} else if (e->failed_from >= 0 &&
	    e->snap.endpoints[e->failed_from].state != HEALTH_ONLINE) {
		const char *st =
		    health_state_name(e->snap.endpoints[e->failed_from].state);
		bool by_itself = e->p->routing.auto_failover;
		int dns_at = find(e, e->snap.traffic.endpoint);

		if (dns_at >= 0 && dns_at == e->current) {
			snprintf(text, sizeof(text), "%s %s: DNS moved to %s",
			    ep_name(e, e->failed_from), st, cur);
			recommend(e, 0, e->failed_from, e->current, text);
			return;
		}
		if (dns_at < 0)
			dns_at = e->failed_from;
		snprintf(text, sizeof(text),
		    by_itself ? "%s %s: failed over to %s automatically"
		              : "%s %s: fail over to %s? press f",
		    ep_name(e, e->failed_from), st, cur);
		recommend(e, by_itself ? 0 : 'f', dns_at, e->current, text);
	} else {
		recommend(e, 0, -1, -1, "");
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
		return find(e, e->snap.traffic.endpoint) >= 0;
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
	int obs = find(e, e->snap.traffic.endpoint);
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
		recommend(e, 0, -1, -1,
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
static void
settle(Engine *e, double t, const EventSink *sink)
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

/*
 * Every time the engine uses is rounded to the microsecond, the
 * resolution of the event log, so a live session and its replay from the
 * log derive exactly the same events (rounding a time read back from the
 * log changes nothing). Times never go backwards.
 */
static double
advance(Engine *e, double t)
{
	if (isfinite(t))
		t = round(t * 1e6) / 1e6;
	if (t > e->snap.now)
		e->snap.now = t;
	return e->snap.now;
}

/* ---- public ------------------------------------------------------------- */

bool
engine_derives(EventType t)
{
	return t == EV_HEALTH || t == EV_ROUTE || t == EV_CONVERGED ||
	    t == EV_DIVERGED;
}

void
engine_feed(Engine *e, const Event *ev, const EventSink *sink)
{
	Event in;
	double t;

	e->snap.events_in++;
	if (engine_derives(ev->type)) {
		emit(e, sink, ev);
		return;
	}
	in = *ev;
	t = in.t = advance(e, ev->t);
	emit(e, sink, &in);
	switch (in.type) {
	case EV_PROBE:
		on_probe(e, t, &in.u.probe, sink);
		break;
	case EV_DNS: {
		Event out;
		bool moved;

		if (traffic_dns(&e->traffic, t, &in.u.dns, &out, &moved)) {
			sync_traffic(e);
			emit(e, sink, &out);
		} else {
			sync_traffic(e);
		}
		if (moved) {
			e->dns_moved = true;
			e->need_route = true;
		}
		break;
	}
	case EV_ACTION: {
		bool ok;

		if (in.u.action.phase == ACT_STARTED) {
			e->action_busy = true;
		} else if (event_action_outcome(&in.u.action, &ok)) {
			e->action_busy = false;
			/* A failed action routes nothing: whatever DNS did
			 * meanwhile is looked at now. */
			if (!ok && e->manual_manager) {
				e->dns_moved = true;
				e->need_route = true;
			}
		}
		break;
	}
	case EV_CERT: {
		int i = find(e, in.u.cert.endpoint);

		if (i >= 0)
			e->snap.endpoints[i].cert_days = in.u.cert.days_left;
		break;
	}
	default:
		break;
	}
	settle(e, t, sink);
	e->dirty = false;
	e->snap.version++;
}

void
engine_tick(Engine *e, double now, const EventSink *sink)
{
	double t = advance(e, now);

	e->dirty = false;
	settle(e, t, sink);
	if (e->dirty)
		e->snap.version++;
	e->dirty = false;
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

	t = advance(e, t);
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
	} else if ((i = find(e, to)) < 0) {
		return route_error(
		    err, errcap, "route: unknown endpoint \"%s\"", to);
	}
	if (e->snap.endpoints[i].state == HEALTH_DISABLED)
		return route_error(
		    err, errcap, "route: %s is disabled", ep_name(e, i));
	if (e->snap.routed && i == e->current &&
	    (cause == CAUSE_MANUAL ? e->manual : !e->manual))
		return route_error(
		    err, errcap, "route: already routed to %s", ep_name(e, i));
	e->dirty = false;
	route_shares(e, i, cause == CAUSE_FAILBACK, e->tmp_shares);
	e->manual = cause == CAUSE_MANUAL || e->manual_manager;
	e->snap.manual_override = cause == CAUSE_MANUAL && !e->manual_manager;
	emit_route(e, t, i, cause, fail_open, e->tmp_shares, sink);
	e->failed_from = -1;
	e->need_route = true;
	settle(e, t, sink);
	e->dirty = false;
	e->snap.version++;
	return 0;
}

void
engine_set_disabled(
    Engine *e, double t, const char *name, bool disabled, const EventSink *sink)
{
	int i = find(e, name);
	HealthState from;
	char reason[EV_TEXT_MAX];

	if (i < 0)
		return;
	t = advance(e, t);
	e->dirty = false;
	if (!health_set_disabled(
	        &e->health[i], disabled, &from, reason, sizeof(reason)))
		return;
	health_changed(e, i, t, from, reason, sink);
	e->snap.endpoints[i].consecutive_failures = 0;
	e->snap.endpoints[i].consecutive_successes = 0;
	if (disabled && e->manual && i == e->current) {
		/* Disabled endpoints are never routed to: the override ends. */
		e->manual = e->manual_manager;
		e->snap.manual_override = false;
	}
	settle(e, t, sink);
	e->dirty = false;
	e->snap.version++;
}
