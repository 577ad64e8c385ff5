/*
 * report_feed: taking events in (report_feed, report_start_state): the
 * probes kept per endpoint, the routes, health changes, convergence,
 * finished actions, markers, errors and gaps, the recorded drill phases,
 * and what report_finish needs to find the fault (report_int.h's
 * ReportTrack).
 */
#include "journal/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine_state.h"
#include "journal/report_int.h"

/* Room for one more element in a growing array; false past the cap. */
static bool
grow(Report *r, void **arr, size_t n, size_t *cap, size_t size)
{
	if (n >= REPORT_LIST_MAX) {
		r->dropped++;
		return false;
	}
	if (n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*arr = xrealloc(*arr, *cap, size);
	}
	return true;
}

static int32_t
to_us(double ms)
{
	if (!(ms >= 0))
		return -1;
	if (ms >= 2147483.0)
		return INT32_MAX;
	return (int32_t)llround(ms * 1000.0);
}

static void
feed_probe(Report *r, const Event *ev)
{
	struct ReportTrack *k = r->track;
	const ProbeEvent *p = &ev->u.probe;
	int i = p->via_public ? -1 : rpt_endpoint_get(r, p->endpoint);
	ReportEndpoint *e;

	if (p->via_public) {
		e = &r->public_ep;
		str_copy(e->name, sizeof(e->name), EV_PUBLIC);
	} else if (i < 0) {
		return;
	} else {
		e = &r->endpoints[i];
	}
	if (e->nprobes == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		e->probes = xrealloc(e->probes, e->cap, sizeof(*e->probes));
		if (p->via_public)
			r->public_served = xrealloc(r->public_served, e->cap,
			    sizeof(*r->public_served));
	}
	if (p->via_public)
		r->public_served[e->nprobes] = p->served_by[0] != '\0'
		    ? rpt_endpoint_get(r, p->served_by)
		    : -1;
	e->probes[e->nprobes++] = (ReportProbe){
	    ev->t, to_us(p->ms.total), (uint8_t)p->ok, (uint8_t)p->error};
	if (p->ok || p->via_public)
		return;
	if (isnan(k->any_fail_t)) {
		k->any_fail_t = ev->t;
		k->any_fail_ep = i;
	}
	if (isnan(k->f0_t) && i == k->cur_route) {
		k->f0_t = ev->t;
		k->f0_ep = i;
	}
}

static void
feed_route(Report *r, const Event *ev)
{
	struct ReportTrack *k = r->track;
	const RouteEvent *re = &ev->u.route;
	int to = rpt_endpoint_get(r, re->to);

	rpt_endpoint_get(r, re->from);
	k->cur_route = to;
	if (!grow(r, (void **)&r->routes, r->nroutes, &k->route_cap,
	        sizeof(*r->routes)))
		return;
	ReportRoute *x = &r->routes[r->nroutes++];
	x->t = ev->t;
	str_copy(x->from, sizeof(x->from), re->from);
	str_copy(x->to, sizeof(x->to), re->to);
	x->cause = re->cause;
	x->fail_open = re->fail_open;
}

static void
feed_action(Report *r, const Event *ev)
{
	struct ReportTrack *k = r->track;
	const ActionEvent *a = &ev->u.action;
	ReportAction *x;

	if (a->phase == ACT_STARTED) {
		if (k->nopen == k->open_cap) {
			k->open_cap = k->open_cap ? k->open_cap * 2 : 4;
			k->open =
			    xrealloc(k->open, k->open_cap, sizeof(*k->open));
		}
		if (k->nopen >= 64) /* a runaway log: forget the oldest */
			memmove(k->open, k->open + 1,
			    --k->nopen * sizeof(*k->open));
		x = &k->open[k->nopen++];
		memset(x, 0, sizeof(*x));
		x->t = ev->t;
		str_copy(x->name, sizeof(x->name), a->name);
		str_copy(x->step, sizeof(x->step), a->step);
		return;
	}
	if (a->phase != ACT_FINISHED ||
	    !grow(r, (void **)&r->actions, r->nactions, &k->action_cap,
	        sizeof(*r->actions)))
		return;
	x = &r->actions[r->nactions++];
	memset(x, 0, sizeof(*x));
	x->t = ev->t;
	str_copy(x->name, sizeof(x->name), a->name);
	str_copy(x->step, sizeof(x->step), a->step);
	str_copy(x->from, sizeof(x->from), a->from);
	str_copy(x->to, sizeof(x->to), a->to);
	str_copy(x->by, sizeof(x->by), a->by);
	str_copy(x->error, sizeof(x->error), a->error);
	x->exit_code = a->exit_code;
	x->signal = a->signal;
	x->duration_s = NAN;
	/* The latest unmatched start of the same action and step. */
	for (size_t i = k->nopen; i-- > 0;)
		if (strcmp(k->open[i].name, a->name) == 0 &&
		    strcmp(k->open[i].step, a->step) == 0) {
			x->duration_s = ev->t - k->open[i].t;
			memmove(k->open + i, k->open + i + 1,
			    (k->nopen - i - 1) * sizeof(*k->open));
			k->nopen--;
			break;
		}
}

static void
feed_note(Report *r, ReportNote **arr, size_t *n, size_t *cap, double t,
    const char *source, const char *text)
{
	ReportNote *x;

	if (!grow(r, (void **)arr, *n, cap, sizeof(**arr)))
		return;
	x = &(*arr)[(*n)++];
	x->t = t;
	str_copy(x->source, sizeof(x->source), source);
	str_copy(x->text, sizeof(x->text), text);
}

void
report_start_state(Report *r, const EngineState *st)
{
	struct ReportTrack *k = r->track;

	if (st->routed)
		k->cur_route = rpt_endpoint_get(r, st->route_to);
	for (int i = 0; i < st->n; i++)
		rpt_endpoint_get(r, st->endpoints[i].name);
	free(k->start_unhealthy);
	k->nstart = r->nendpoints;
	k->start_unhealthy = xcalloc((size_t)k->nstart + 1, 1);
	for (int i = 0; i < st->n; i++) {
		HealthState h = st->endpoints[i].health.state;
		int x = report_endpoint_index(r, st->endpoints[i].name);

		if (x >= 0 && x < k->nstart)
			k->start_unhealthy[x] =
			    h == HEALTH_DEGRADED || h == HEALTH_DISABLED;
	}
}

void
report_feed(Report *r, const Event *ev)
{
	struct ReportTrack *k = r->track;
	int i;

	if (r->finished)
		return;
	r->nevents++;
	if (!k->have_event) {
		r->t_first = ev->t;
		k->have_event = true;
	}
	if (!(ev->t <= r->t_last))
		r->t_last = ev->t;
	switch (ev->type) {
	case EV_PROBE:
		feed_probe(r, ev);
		break;
	case EV_ROUTE:
		feed_route(r, ev);
		break;
	case EV_HEALTH:
		i = rpt_endpoint_get(r, ev->u.health.endpoint);
		if (i < 0 ||
		    !grow(r, (void **)&r->healths, r->nhealths, &k->health_cap,
		        sizeof(*r->healths)))
			break;
		r->healths[r->nhealths++] = (ReportHealth){
		    ev->t, i, ev->u.health.from, ev->u.health.to};
		break;
	case EV_DNS:
		rpt_resolver_get(r, ev->u.dns.resolver);
		break;
	case EV_CONVERGED:
	case EV_DIVERGED:
		i = rpt_resolver_get(r, ev->u.conv.resolver);
		if (i < 0 ||
		    !grow(r, (void **)&r->convs, r->nconvs, &k->conv_cap,
		        sizeof(*r->convs)))
			break;
		ReportConv *c = &r->convs[r->nconvs++];
		c->t = ev->t;
		c->resolver = i;
		c->diverged = ev->type == EV_DIVERGED;
		str_copy(c->endpoint, sizeof(c->endpoint), ev->u.conv.endpoint);
		str_copy(c->expected, sizeof(c->expected), ev->u.conv.expected);
		if (c->diverged)
			r->resolvers[i].diverged = true;
		if (ev->u.conv.resolver_name[0] != '\0')
			str_copy(r->resolvers[i].label, EV_NAME_MAX,
			    ev->u.conv.resolver_name);
		break;
	case EV_ACTION:
		feed_action(r, ev);
		break;
	case EV_DRILL:
		i = (int)ev->u.drill.phase;
		if (i < 0 || i >= DRILL__COUNT || r->recorded[i])
			break;
		if (i == DRILL_FAULT &&
		    (r->recorded[DRILL_DETECTED] ||
		        r->recorded[DRILL_FAILOVER])) {
			/* after a phase it would have started: the live
			 * tracker ignored it, and so does the report */
			r->fault_mark_late = ev->t;
			break;
		}
		r->recorded[i] = true;
		r->phase[i] = ev->t;
		str_copy(r->note[i], EV_TEXT_MAX, ev->u.drill.note);
		if (i == DRILL_FAULT)
			k->fault_route = k->cur_route;
		if (i == DRILL_START && ev->u.drill.note[0] != '\0')
			str_copy(r->drill, sizeof(r->drill), ev->u.drill.note);
		break;
	case EV_MARKER:
		feed_note(r, &r->markers, &r->nmarkers, &k->marker_cap, ev->t,
		    "", ev->u.marker.note);
		break;
	case EV_ERROR:
		feed_note(r, &r->errors, &r->nerrors, &k->error_cap, ev->t,
		    ev->u.error.source, ev->u.error.message);
		if (ev->u.error.gap_count > 0 &&
		    grow(r, (void **)&r->gaps, r->ngaps, &k->gap_cap,
		        sizeof(*r->gaps))) {
			ReportGap *g = &r->gaps[r->ngaps++];

			g->t = ev->t;
			str_copy(
			    g->source, sizeof(g->source), ev->u.error.source);
			g->from = ev->u.error.gap_from;
			g->to = ev->u.error.gap_to;
			g->count = ev->u.error.gap_count;
		}
		break;
	default:
		break;
	}
}
