/*
 * drill: the live drill tracker (see drill.h for the rules).
 */
#include "engine/drill.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

static int
resolver_index(const Drill *d, const char *name)
{
	for (int i = 0; i < d->nresolvers; i++)
		if (strcmp(d->resolvers[i], name) == 0)
			return i;
	return -1;
}

/* The index of a resolver, added when new; -1 for "" or when full. */
static int
resolver_get(Drill *d, const char *name)
{
	int i = resolver_index(d, name);

	if (i >= 0 || name[0] == '\0' || d->nresolvers >= DRILL_RESOLVERS_MAX)
		return i;
	i = d->nresolvers++;
	str_copy(d->resolvers[i], EV_RESOLVER_MAX, name);
	d->conv[i] = false;
	return i;
}

void
drill_init(Drill *d, const Profile *p)
{
	memset(d, 0, sizeof(*d));
	if (p != NULL && p->dns.name != NULL)
		for (int i = 0; i < p->dns.nresolvers; i++)
			resolver_get(d, p->dns.resolvers[i].addr);
}

static bool
is_degraded(const Drill *d, const char *name)
{
	for (int i = 0; i < d->ndegraded; i++)
		if (strcmp(d->degraded[i], name) == 0)
			return true;
	return false;
}

static void
set_degraded(Drill *d, const char *name, bool degraded)
{
	for (int i = 0; i < d->ndegraded; i++) {
		if (strcmp(d->degraded[i], name) != 0)
			continue;
		if (!degraded)
			memcpy(d->degraded[i], d->degraded[--d->ndegraded],
			    EV_NAME_MAX);
		return;
	}
	if (degraded && d->ndegraded < DRILL_DEGRADED_MAX)
		str_copy(d->degraded[d->ndegraded++], EV_NAME_MAX, name);
}

void
drill_sync(Drill *d, const Snapshot *s, const Profile *p)
{
	str_copy(d->route_to, EV_NAME_MAX, s->routed ? s->route_to : "");
	d->has_public = d->has_public || s->has_public;
	d->ndegraded = 0;
	for (int i = 0; i < s->nendpoints && i < p->nendpoints; i++)
		if (s->endpoints[i].state == HEALTH_DEGRADED ||
		    s->endpoints[i].state == HEALTH_DISABLED)
			set_degraded(d, p->endpoints[i].name, true);
}

static Event
drill_event(double t, DrillPhase phase, const char *note)
{
	Event ev;

	event_init(&ev, EV_DRILL, t);
	ev.u.drill.phase = phase;
	if (note != NULL)
		str_copy(ev.u.drill.note, EV_TEXT_MAX, note);
	return ev;
}

static void
forget_phases(Drill *d)
{
	memset(d->reached, 0, sizeof(d->reached));
	memset(d->at, 0, sizeof(d->at));
	memset(d->conv, 0, sizeof(d->conv));
	d->fault_marked = d->have_fault = false;
	d->fault_t = 0;
	d->fault_ep[0] = d->new_ep[0] = '\0';
	d->changed = false;
	d->change_t = 0;
	d->conv_last = 0;
	d->new_ok = false;
	d->new_ok_t = 0;
}

Event
drill_start(Drill *d, double t, const char *name)
{
	if (name == NULL || name[0] == '\0')
		name = "drill";
	forget_phases(d);
	str_copy(d->name, sizeof(d->name), name);
	d->active = true;
	d->ended = false;
	d->reached[DRILL_START] = true;
	d->at[DRILL_START] = t;
	return drill_event(t, DRILL_START, d->name);
}

Event
drill_fault(Drill *d, double t, const char *note)
{
	if (d->active && !d->reached[DRILL_FAULT]) {
		d->reached[DRILL_FAULT] = true;
		d->at[DRILL_FAULT] = t;
		if (!d->reached[DRILL_DETECTED] &&
		    !d->reached[DRILL_FAILOVER]) {
			d->fault_marked = d->have_fault = true;
			d->fault_t = t;
			str_copy(d->fault_ep, EV_NAME_MAX, d->route_to);
		}
	}
	return drill_event(t, DRILL_FAULT, note);
}

Event
drill_marker(Drill *d, double t, const char *note)
{
	Event ev;

	(void)d;
	event_init(&ev, EV_MARKER, t);
	if (note != NULL)
		str_copy(ev.u.marker.note, EV_TEXT_MAX, note);
	return ev;
}

Event
drill_end(Drill *d, double t)
{
	if (d->active) {
		d->active = false;
		d->ended = true;
		d->reached[DRILL_END] = true;
		d->at[DRILL_END] = t;
	}
	return drill_event(t, DRILL_END, NULL);
}

/* Record phase p at t and tell out. */
static void
reach(Drill *d, DrillPhase p, double t, const char *note, const EventSink *out)
{
	Event ev;

	d->reached[p] = true;
	d->at[p] = t;
	if (out == NULL)
		return;
	ev = drill_event(t, p, note);
	out->fn(out->ctx, &ev);
}

/* Without a client's-eye probe: restored is the later of converged and
 * N's first success at or after failover, once both happened. */
static void
maybe_restored(Drill *d, double t, const EventSink *out)
{
	char note[EV_TEXT_MAX];

	if (d->has_public || d->reached[DRILL_RESTORED] ||
	    !d->reached[DRILL_CONVERGED] || !d->new_ok)
		return;
	snprintf(note, sizeof(note),
	    "%s answered and every resolver answers it", d->new_ep);
	reach(d, DRILL_RESTORED, t, note, out);
}

static void
on_probe(Drill *d, const Event *ev, const EventSink *out)
{
	const ProbeEvent *p = &ev->u.probe;
	char note[EV_TEXT_MAX];

	if (p->via_public)
		d->has_public = true;
	if (!d->active)
		return;
	if (p->via_public) {
		if (p->ok && d->have_fault && d->fault_ep[0] != '\0' &&
		    !d->reached[DRILL_RESTORED] && ev->t >= d->fault_t &&
		    p->served_by[0] != '\0' &&
		    strcmp(p->served_by, d->fault_ep) != 0 &&
		    !is_degraded(d, p->served_by)) {
			snprintf(note, sizeof(note),
			    "a client's request was served by %s",
			    p->served_by);
			reach(d, DRILL_RESTORED, ev->t, note, out);
		}
		return;
	}
	if (!p->ok) {
		if (!d->have_fault && d->route_to[0] != '\0' &&
		    ev->t >= d->at[DRILL_START] &&
		    strcmp(p->endpoint, d->route_to) == 0) {
			d->have_fault = true;
			d->fault_t = ev->t;
			str_copy(d->fault_ep, EV_NAME_MAX, p->endpoint);
		} else if (d->fault_marked && d->fault_ep[0] == '\0' &&
		    ev->t >= d->fault_t) {
			str_copy(d->fault_ep, EV_NAME_MAX, p->endpoint);
		}
		return;
	}
	if (d->reached[DRILL_FAILOVER] && !d->new_ok &&
	    ev->t >= d->at[DRILL_FAILOVER] &&
	    strcmp(p->endpoint, d->new_ep) == 0) {
		d->new_ok = true;
		d->new_ok_t = ev->t;
		maybe_restored(d, ev->t, out);
	}
}

static void
on_route(Drill *d, const Event *ev, const EventSink *out)
{
	const RouteEvent *r = &ev->u.route;
	char note[EV_TEXT_MAX];

	str_copy(d->route_to, EV_NAME_MAX, r->to);
	if (!d->active || !d->have_fault || d->fault_ep[0] == '\0' ||
	    d->changed || ev->t < d->fault_t ||
	    strcmp(r->from, d->fault_ep) != 0 || strcmp(r->to, r->from) == 0)
		return;
	d->changed = true;
	d->change_t = ev->t;
	str_copy(d->new_ep, EV_NAME_MAX, r->to);
	if (d->nresolvers > 0)
		return; /* failover is when DNS moves */
	snprintf(note, sizeof(note), "%s -> %s (%s): expected, not observed",
	    r->from, r->to, route_cause_name(r->cause));
	reach(d, DRILL_FAILOVER, ev->t, note, out);
}

static void
on_converged(Drill *d, const Event *ev, const EventSink *out)
{
	const ConvergeEvent *c = &ev->u.conv;
	char note[EV_TEXT_MAX];
	int i = resolver_get(d, c->resolver);

	if (i < 0 || !d->active || !d->changed || d->reached[DRILL_CONVERGED] ||
	    ev->t < d->change_t ||
	    (c->endpoint[0] != '\0' && strcmp(c->endpoint, d->new_ep) != 0))
		return;
	if (!d->reached[DRILL_FAILOVER]) {
		snprintf(note, sizeof(note), "DNS moved: %s answers %s",
		    c->resolver_name[0] ? c->resolver_name : c->resolver,
		    d->new_ep);
		reach(d, DRILL_FAILOVER, ev->t, note, out);
	}
	if (!d->conv[i]) {
		d->conv[i] = true;
		if (ev->t > d->conv_last)
			d->conv_last = ev->t;
	}
	for (int k = 0; k < d->nresolvers; k++)
		if (!d->conv[k])
			return;
	snprintf(note, sizeof(note), "%d resolver%s on %s", d->nresolvers,
	    d->nresolvers == 1 ? "" : "s", d->new_ep);
	reach(d, DRILL_CONVERGED, d->conv_last, note, out);
	maybe_restored(d, ev->t, out);
}

void
drill_feed(Drill *d, const Event *ev, const EventSink *out)
{
	char note[EV_TEXT_MAX];

	d->last_t = ev->t;
	switch (ev->type) {
	case EV_PROBE:
		on_probe(d, ev, out);
		break;
	case EV_ROUTE:
		on_route(d, ev, out);
		break;
	case EV_HEALTH:
		set_degraded(d, ev->u.health.endpoint,
		    ev->u.health.to == HEALTH_DEGRADED ||
		        ev->u.health.to == HEALTH_DISABLED);
		if (d->active && d->have_fault && d->fault_ep[0] != '\0' &&
		    !d->reached[DRILL_DETECTED] &&
		    ev->u.health.to == HEALTH_DEGRADED && ev->t >= d->fault_t &&
		    strcmp(ev->u.health.endpoint, d->fault_ep) == 0) {
			snprintf(
			    note, sizeof(note), "%s degraded", d->fault_ep);
			reach(d, DRILL_DETECTED, ev->t, note, out);
		}
		break;
	case EV_DNS:
		resolver_get(d, ev->u.dns.resolver);
		break;
	case EV_CONVERGED:
		on_converged(d, ev, out);
		break;
	case EV_DIVERGED:
		resolver_get(d, ev->u.conv.resolver);
		break;
	default:
		break;
	}
}

void
drill_snapshot(const Drill *d, double now, DrillSnap *out)
{
	memset(out, 0, sizeof(*out));
	out->recording = d->active;
	str_copy(out->name, sizeof(out->name), d->name);
	out->started = d->at[DRILL_START];
	if (d->active)
		out->elapsed = fmax(0, now - d->at[DRILL_START]);
	else if (d->ended)
		out->elapsed = d->at[DRILL_END] - d->at[DRILL_START];
	memcpy(out->reached, d->reached, sizeof(out->reached));
	memcpy(out->at, d->at, sizeof(out->at));
	out->have_fault = d->have_fault;
	out->fault_t = d->fault_t;
	str_copy(out->fault_endpoint, EV_NAME_MAX, d->fault_ep);
	str_copy(out->new_endpoint, EV_NAME_MAX, d->new_ep);
}

void
drill_status(const DrillSnap *s, char *buf, size_t cap)
{
	size_t n;
	long secs;
	int w;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (!s->reached[DRILL_START])
		return;
	secs = (long)floor(s->elapsed);
	w = snprintf(buf, cap, "%s %s %02ld:%02ld%s",
	    s->recording ? "DRILL REC" : "drill", s->name, secs / 60, secs % 60,
	    s->recording ? "" : " ended");
	n = w < 0 ? 0 : (size_t)w;
	for (int p = DRILL_FAULT; p <= DRILL_RESTORED && n < cap; p++) {
		double base = s->have_fault ? s->fault_t : s->started;
		if (!s->reached[p])
			continue;
		w = snprintf(buf + n, cap - n, "  %s +%.1fs",
		    drill_phase_name((DrillPhase)p), s->at[p] - base);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}
