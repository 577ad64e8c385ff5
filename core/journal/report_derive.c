/*
 * report_derive: report_finish: the phases derived from the events fed
 * (fault, detected, failover, converged, restored), the metrics, the RTO
 * and bound verdicts, the gaps' metrics, then each endpoint's statistics
 * (report_stats.c). The definitions are report.h's.
 */
#include "journal/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "journal/report_int.h"

static double
since(double t, double f)
{
	return (isnan(t) || isnan(f)) ? NAN : t - f;
}

/* First failed probe of endpoint i at t >= from; NAN when none. */
static double
first_probe(const Report *r, int i, double from, bool ok)
{
	const ReportEndpoint *e;

	if (i < 0)
		return NAN;
	e = &r->endpoints[i];
	for (size_t j = 0; j < e->nprobes; j++)
		if (e->probes[j].t >= from && (bool)e->probes[j].ok == ok)
			return e->probes[j].t;
	return NAN;
}

/* Which metrics' windows [F, phase] (to the log's end while the phase
 * is null) a gap of the record overlaps. */
static void
mark_gaps(Report *r, double f)
{
	static const DrillPhase ends[REPORT_M__COUNT] = {
	    [REPORT_M_DETECT] = DRILL_DETECTED,
	    [REPORT_M_FAILOVER] = DRILL_FAILOVER,
	    [REPORT_M_CONVERGED] = DRILL_CONVERGED,
	    [REPORT_M_RESTORED] = DRILL_RESTORED,
	};

	if (isnan(f))
		return;
	for (int m = 0; m < REPORT_M__COUNT; m++) {
		double end =
		    isnan(r->phase[ends[m]]) ? r->t_last : r->phase[ends[m]];

		for (size_t i = 0; i < r->ngaps; i++)
			if (r->gaps[i].to >= f && r->gaps[i].from <= end)
				r->gap_in[m] = true;
	}
}

/* Whether endpoint i was degraded or disabled at t (its last health
 * event at or before t). */
static bool
unhealthy_at(const Report *r, int i, double t)
{
	const struct ReportTrack *tr = r->track;
	HealthState st = tr->start_unhealthy != NULL && i < tr->nstart &&
	        tr->start_unhealthy[i]
	    ? HEALTH_DEGRADED
	    : HEALTH_CHECKING;

	for (size_t k = 0; k < r->nhealths && r->healths[k].t <= t; k++)
		if (r->healths[k].endpoint == i)
			st = r->healths[k].to;
	return st == HEALTH_DEGRADED || st == HEALTH_DISABLED;
}

/* restored (see report.h) and how it was decided; NAN when not. */
static double
restored_at(const Report *r, double f, int ep, int nep, ReportRestoredBy *by)
{
	const ReportEndpoint *pub = &r->public_ep;
	double conv = r->phase[DRILL_CONVERGED];
	double fo = r->phase[DRILL_FAILOVER], ok;

	*by = REPORT_RESTORED_NONE;
	if (pub->nprobes > 0) {
		for (size_t j = 0; j < pub->nprobes && !isnan(f) && ep >= 0;
		     j++) {
			const ReportProbe *p = &pub->probes[j];
			int s = r->public_served[j];

			if (p->t >= f && p->ok && s >= 0 && s != ep &&
			    !unhealthy_at(r, s, p->t)) {
				*by = REPORT_RESTORED_PUBLIC;
				return p->t;
			}
		}
		return NAN;
	}
	if (nep < 0 || isnan(conv) || isnan(fo))
		return NAN;
	ok = first_probe(r, nep, fo, true);
	if (isnan(ok))
		return NAN;
	*by = REPORT_RESTORED_CONVERGED;
	return ok > conv ? ok : conv;
}

static void
derive(Report *r)
{
	struct ReportTrack *k = r->track;
	double f = NAN, route_t = NAN, det = NAN, rest = NAN;
	int ep = -1, nep = -1;

	/* Fault time F and the endpoint that had traffic. */
	if (r->recorded[DRILL_FAULT]) {
		f = r->phase[DRILL_FAULT];
		ep = k->fault_route;
		if (ep < 0) /* no route known: the first to fail after it */
			for (int i = 0; i < r->nendpoints; i++) {
				double t = first_probe(r, i, f, false);
				if (!isnan(t) &&
				    (ep < 0 ||
				        t < first_probe(r, ep, f, false)))
					ep = i;
			}
	} else if (!isnan(k->f0_t)) {
		f = k->f0_t;
		ep = k->f0_ep;
	} else if (r->nroutes == 0 && !isnan(k->any_fail_t)) {
		f = k->any_fail_t;
		ep = k->any_fail_ep;
	}
	if (ep >= 0)
		str_copy(r->fault_endpoint, EV_NAME_MAX, r->endpoints[ep].name);
	r->phase[DRILL_FAULT] = f;

	if (!isnan(f) && ep >= 0) {
		for (size_t i = 0; i < r->nhealths && isnan(det); i++)
			if (r->healths[i].endpoint == ep &&
			    r->healths[i].to == HEALTH_DEGRADED &&
			    r->healths[i].t >= f)
				det = r->healths[i].t;
		for (size_t i = 0; i < r->nroutes; i++) {
			const ReportRoute *x = &r->routes[i];
			if (x->t >= f &&
			    strcmp(x->from, r->endpoints[ep].name) == 0 &&
			    strcmp(x->to, x->from) != 0) {
				route_t = x->t;
				nep = report_endpoint_index(r, x->to);
				str_copy(r->new_endpoint, EV_NAME_MAX, x->to);
				break;
			}
		}
	}
	r->failover_route_t = route_t;
	if (!r->recorded[DRILL_DETECTED])
		r->phase[DRILL_DETECTED] = det;

	/* Convergence per resolver after the route change; DNS moved is
	 * the first of them. */
	bool all = r->nresolvers > 0 && !isnan(route_t);
	double last = NAN, first = NAN;
	for (int i = 0; i < r->nresolvers; i++) {
		ReportResolver *res = &r->resolvers[i];
		for (size_t j = 0; j < r->nconvs && !isnan(route_t); j++) {
			const ReportConv *c = &r->convs[j];
			if (c->resolver == i && !c->diverged &&
			    c->t >= route_t &&
			    (c->endpoint[0] == '\0' ||
			        strcmp(c->endpoint, r->new_endpoint) == 0)) {
				res->converged_t = c->t;
				break;
			}
		}
		res->converged_s = since(res->converged_t, f);
		if (isnan(res->converged_t)) {
			all = false;
			continue;
		}
		if (isnan(last) || res->converged_t > last)
			last = res->converged_t;
		if (isnan(first) || res->converged_t < first)
			first = res->converged_t;
	}
	r->failover_observed = r->nresolvers > 0;
	if (!r->recorded[DRILL_FAILOVER])
		r->phase[DRILL_FAILOVER] =
		    r->failover_observed ? first : route_t;
	if (!r->recorded[DRILL_CONVERGED])
		r->phase[DRILL_CONVERGED] = all ? last : NAN;

	rest = restored_at(r, f, ep, nep, &r->restored_by);
	if (!r->recorded[DRILL_RESTORED])
		r->phase[DRILL_RESTORED] = rest;
	else if (r->restored_by == REPORT_RESTORED_NONE)
		r->restored_by = r->public_ep.nprobes > 0
		    ? REPORT_RESTORED_PUBLIC
		    : REPORT_RESTORED_CONVERGED;

	r->detect_s = since(r->phase[DRILL_DETECTED], f);
	r->failover_s = since(r->phase[DRILL_FAILOVER], f);
	r->converged_all_s = all ? since(r->phase[DRILL_CONVERGED], f) : NAN;
	r->restored_s = since(r->phase[DRILL_RESTORED], f);
	r->rto_s = r->restored_s;
	/* Without resolvers and without a client's-eye probe nothing can
	 * observe a restore: not restored is then unknown, not missed. */
	if (isnan(r->rto_target) || isnan(f) ||
	    (isnan(r->rto_s) && r->nresolvers == 0 &&
	        r->public_ep.nprobes == 0 && !r->recorded[DRILL_RESTORED]))
		r->rto_met = -1;
	else if (isnan(r->rto_s))
		r->rto_met = 0;
	else
		r->rto_met = r->rto_s <= r->rto_target;

	r->t0 = r->recorded[DRILL_START] ? r->phase[DRILL_START] : 0;
	mark_gaps(r, f);
	if (ep >= 0 && !isnan(f)) {
		r->bound_s = r->endpoints[ep].bound_s;
		if (isnan(r->bound_s) || r->nresolvers == 0)
			r->bound_exceeded = -1; /* DNS not observed: unknown */
		else if (!isnan(r->converged_all_s))
			r->bound_exceeded = r->converged_all_s > r->bound_s;
		else if (!isnan(r->t_last) && r->t_last - f > r->bound_s)
			r->bound_exceeded = 1;
	}
}

void
report_finish(Report *r)
{
	size_t most = 0;
	double *scratch;

	if (r->finished)
		return;
	r->finished = true;
	derive(r);
	for (int i = 0; i < r->nendpoints; i++)
		if (r->endpoints[i].nprobes > most)
			most = r->endpoints[i].nprobes;
	scratch = xmalloc((most ? most : 1) * sizeof(double));
	for (int i = 0; i < r->nendpoints; i++)
		rpt_endpoint_stats(r, &r->endpoints[i], scratch);
	free(scratch);
	if (r->public_ep.nprobes > 0) {
		scratch = xmalloc(r->public_ep.nprobes * sizeof(double));
		rpt_endpoint_stats(r, &r->public_ep, scratch);
		free(scratch);
	}
}
