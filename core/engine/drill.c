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
			resolver_get(d, p->dns.resolvers[i]);
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
	d->conv_last = 0;
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

static bool
ok_at(const Drill *d, double t, const char *name)
{
	if (t != d->last_t)
		return false;
	for (int i = 0; i < d->nok; i++)
		if (strcmp(d->ok_at_last[i], name) == 0)
			return true;
	return false;
}

static void
restored(Drill *d, double t, const char *status, const EventSink *out)
{
	char note[EV_TEXT_MAX];

	snprintf(note, sizeof(note), "%s answered%s%s", d->new_ep,
	    status[0] ? " " : "", status);
	reach(d, DRILL_RESTORED, t, note, out);
}

static void
on_probe(Drill *d, const Event *ev, const EventSink *out)
{
	const ProbeEvent *p = &ev->u.probe;

	if (p->ok) {
		if (d->nok < DRILL_OKBUF)
			str_copy(
			    d->ok_at_last[d->nok++], EV_NAME_MAX, p->endpoint);
	}
	if (!d->active)
		return;
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
	if (d->reached[DRILL_FAILOVER] && !d->reached[DRILL_RESTORED] &&
	    ev->t >= d->at[DRILL_FAILOVER] &&
	    strcmp(p->endpoint, d->new_ep) == 0) {
		char status[16] = "";
		if (p->status > 0)
			snprintf(status, sizeof(status), "%d", p->status);
		restored(d, ev->t, status, out);
	}
}

static void
on_route(Drill *d, const Event *ev, const EventSink *out)
{
	const RouteEvent *r = &ev->u.route;
	char note[EV_TEXT_MAX];

	str_copy(d->route_to, EV_NAME_MAX, r->to);
	if (!d->active || !d->have_fault || d->fault_ep[0] == '\0' ||
	    d->reached[DRILL_FAILOVER] || ev->t < d->fault_t ||
	    strcmp(r->from, d->fault_ep) != 0 || strcmp(r->to, r->from) == 0)
		return;
	str_copy(d->new_ep, EV_NAME_MAX, r->to);
	snprintf(note, sizeof(note), "%s -> %s (%s)", r->from, r->to,
	    route_cause_name(r->cause));
	reach(d, DRILL_FAILOVER, ev->t, note, out);
	/* A probe of N at this very t, fed just before the route. */
	if (ok_at(d, ev->t, d->new_ep))
		restored(d, ev->t, "", out);
}

static void
on_converged(Drill *d, const Event *ev, const EventSink *out)
{
	const ConvergeEvent *c = &ev->u.conv;
	char note[EV_TEXT_MAX];
	int i = resolver_get(d, c->resolver);

	if (i < 0 || !d->active || !d->reached[DRILL_FAILOVER] ||
	    d->reached[DRILL_CONVERGED] || ev->t < d->at[DRILL_FAILOVER] ||
	    (c->endpoint[0] != '\0' && strcmp(c->endpoint, d->new_ep) != 0))
		return;
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
}

void
drill_feed(Drill *d, const Event *ev, const EventSink *out)
{
	char note[EV_TEXT_MAX];

	if (ev->t != d->last_t) {
		d->last_t = ev->t;
		d->nok = 0;
	}
	switch (ev->type) {
	case EV_PROBE:
		on_probe(d, ev, out);
		break;
	case EV_ROUTE:
		on_route(d, ev, out);
		break;
	case EV_HEALTH:
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
