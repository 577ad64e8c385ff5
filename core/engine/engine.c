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
#include "engine/engine_int.h"

#include <math.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/health.h"
#include "engine/routing.h"
#include "engine/traffic.h"

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

int
eng_find(const Engine *e, const char *name)
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

const char *
eng_name(const Engine *e, int i)
{
	return i >= 0 && i < e->n ? e->p->endpoints[i].name : "";
}

/* ---- lifecycle ---------------------------------------------------------- */

void
eng_sync_traffic(Engine *e)
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
	eng_sync_traffic(e);
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
		s->cert_known = false;
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
	e->snap.public_probe.cert_known = false;
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

void
eng_emit(Engine *e, const EventSink *sink, const Event *ev)
{
	if (ev->type != EV_PROBE && ev->type != EV_DNS)
		e->dirty = true;
	if (sink != NULL && sink->fn != NULL)
		sink->fn(sink->ctx, ev);
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
	    ev.u.health.endpoint, sizeof(ev.u.health.endpoint), eng_name(e, i));
	ev.u.health.from = from;
	ev.u.health.to = s->state;
	str_copy(ev.u.health.reason, sizeof(ev.u.health.reason), reason);
	eng_emit(e, sink, &ev);
	e->need_route = true;
}

double
eng_median(const Recent *r)
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
		s->median_ms = eng_median(r);
		if (i >= 0 && e->rules.method == ROUTE_PERFORMANCE &&
		    may_take_over(e, i))
			e->need_route = true;
	}
}

static void
on_probe(Engine *e, double t, const ProbeEvent *p, const EventSink *sink)
{
	int i = eng_find(e, p->endpoint);
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

/*
 * Every time the engine uses is rounded to the microsecond, the
 * resolution of the event log, so a live session and its replay from the
 * log derive exactly the same events (rounding a time read back from the
 * log changes nothing). Times never go backwards.
 */
double
eng_advance(Engine *e, double t)
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
		eng_emit(e, sink, ev);
		return;
	}
	in = *ev;
	t = in.t = eng_advance(e, ev->t);
	eng_emit(e, sink, &in);
	switch (in.type) {
	case EV_PROBE:
		on_probe(e, t, &in.u.probe, sink);
		break;
	case EV_DNS: {
		Event out;
		bool moved;

		if (traffic_dns(&e->traffic, t, &in.u.dns, &out, &moved)) {
			eng_sync_traffic(e);
			eng_emit(e, sink, &out);
		} else {
			eng_sync_traffic(e);
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
		int i = eng_find(e, in.u.cert.endpoint);

		if (i >= 0) {
			e->snap.endpoints[i].cert_known = true;
			e->snap.endpoints[i].cert_days = in.u.cert.days_left;
		}
		break;
	}
	default:
		break;
	}
	eng_settle(e, t, sink);
	e->dirty = false;
	e->snap.version++;
}

void
engine_tick(Engine *e, double now, const EventSink *sink)
{
	double t = eng_advance(e, now);

	e->dirty = false;
	eng_settle(e, t, sink);
	if (e->dirty)
		e->snap.version++;
	e->dirty = false;
}

void
engine_set_disabled(
    Engine *e, double t, const char *name, bool disabled, const EventSink *sink)
{
	int i = eng_find(e, name);
	HealthState from;
	char reason[EV_TEXT_MAX];

	if (i < 0)
		return;
	t = eng_advance(e, t);
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
	eng_settle(e, t, sink);
	e->dirty = false;
	e->snap.version++;
}
