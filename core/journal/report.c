#include "journal/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine.h"
#include "engine/engine_state.h"
#include "journal/logread.h"
#include "model/profile.h"

_Static_assert(REPORT_MAX_ENDPOINTS == LOGREAD_MAX_ENDPOINTS &&
        REPORT_MAX_RESOLVERS == LOGREAD_MAX_RESOLVERS,
    "the report holds every name the reader lets through");

/* Ingest state: what report_feed needs to know as the log streams by. */
struct ReportTrack {
	int *hash; /* open addressing: endpoint index + 1, 0 = empty */
	size_t hcap;
	bool fixed; /* the endpoints are the profile's: none is added */
	int ecap, rcap;
	size_t route_cap, health_cap, conv_cap, action_cap, marker_cap,
	    error_cap, gap_cap;
	int cur_route; /* endpoint the traffic goes to; -1 = none yet */
	char *start_unhealthy; /* per endpoint: degraded/disabled at the
	                          log's state line; NULL = none given */
	int nstart;
	int fault_route; /* cur_route when the recorded fault happened */
	double f0_t; /* first failed probe of the routed endpoint */
	int f0_ep;
	double any_fail_t; /* first failed probe of any endpoint */
	int any_fail_ep;
	/* `started` actions waiting for their `finished` */
	ReportAction *open;
	size_t nopen, open_cap;
	bool have_event;
};

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
hash_rebuild(Report *r)
{
	struct ReportTrack *k = r->track;

	free(k->hash);
	k->hcap = 64;
	while (k->hcap < (size_t)r->nendpoints * 2 + 2)
		k->hcap *= 2;
	k->hash = xcalloc(k->hcap, sizeof(int));
	for (int i = 0; i < r->nendpoints; i++) {
		size_t j = hash_name(r->endpoints[i].name) & (k->hcap - 1);
		while (k->hash[j] != 0)
			j = (j + 1) & (k->hcap - 1);
		k->hash[j] = i + 1;
	}
}

int
report_endpoint_index(const Report *r, const char *name)
{
	const struct ReportTrack *k = r->track;

	if (k == NULL || k->hash == NULL) {
		for (int i = 0; i < r->nendpoints; i++)
			if (strcmp(r->endpoints[i].name, name) == 0)
				return i;
		return -1;
	}
	for (size_t j = hash_name(name) & (k->hcap - 1); k->hash[j] != 0;
	     j = (j + 1) & (k->hcap - 1))
		if (strcmp(r->endpoints[k->hash[j] - 1].name, name) == 0)
			return k->hash[j] - 1;
	return -1;
}

/* The index of an endpoint, added when new -- unless the profile fixed
 * the list or it is full: -1 then, and for "". */
static int
endpoint_get(Report *r, const char *name)
{
	struct ReportTrack *k = r->track;
	int i;

	if (name[0] == '\0')
		return -1;
	i = report_endpoint_index(r, name);
	if (i >= 0 || k->fixed || r->nendpoints >= REPORT_MAX_ENDPOINTS)
		return i;
	if (r->nendpoints == k->ecap) {
		k->ecap = k->ecap ? k->ecap * 2 : 8;
		r->endpoints = xrealloc(
		    r->endpoints, (size_t)k->ecap, sizeof(*r->endpoints));
	}
	i = r->nendpoints++;
	memset(&r->endpoints[i], 0, sizeof(r->endpoints[i]));
	str_copy(r->endpoints[i].name, EV_NAME_MAX, name);
	r->endpoints[i].bound_s = NAN;
	if ((size_t)r->nendpoints * 2 + 2 > k->hcap)
		hash_rebuild(r);
	else {
		size_t j = hash_name(name) & (k->hcap - 1);
		while (k->hash[j] != 0)
			j = (j + 1) & (k->hcap - 1);
		k->hash[j] = i + 1;
	}
	return i;
}

int
report_resolver_index(const Report *r, const char *name)
{
	for (int i = 0; i < r->nresolvers; i++)
		if (strcmp(r->resolvers[i].name, name) == 0)
			return i;
	return -1;
}

static int
resolver_get(Report *r, const char *name)
{
	struct ReportTrack *k = r->track;
	int i = report_resolver_index(r, name);

	if (i >= 0 || name[0] == '\0' || r->nresolvers >= REPORT_MAX_RESOLVERS)
		return i;
	if (r->nresolvers == k->rcap) {
		k->rcap = k->rcap ? k->rcap * 2 : 4;
		r->resolvers = xrealloc(
		    r->resolvers, (size_t)k->rcap, sizeof(*r->resolvers));
	}
	i = r->nresolvers++;
	memset(&r->resolvers[i], 0, sizeof(r->resolvers[i]));
	str_copy(r->resolvers[i].name, EV_RESOLVER_MAX, name);
	r->resolvers[i].converged_t = NAN;
	r->resolvers[i].converged_s = NAN;
	return i;
}

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

static const char *
basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A resolver of the header's profile: "addr" or {"addr", "name", ...}. */
static void
read_resolver(Report *r, const cJSON *e)
{
	const cJSON *a, *n;
	int i;

	if (cJSON_IsString(e)) {
		resolver_get(r, e->valuestring);
		return;
	}
	a = cJSON_GetObjectItemCaseSensitive(e, "addr");
	n = cJSON_GetObjectItemCaseSensitive(e, "name");
	if (!cJSON_IsString(a) || (i = resolver_get(r, a->valuestring)) < 0)
		return;
	if (cJSON_IsString(n) && strcmp(n->valuestring, a->valuestring) != 0)
		str_copy(r->resolvers[i].label, EV_NAME_MAX, n->valuestring);
}

/* Each endpoint's worst case as `check` prints it, from the profile
 * loaded as the loader reads it (NAN when it does not load). */
static void
read_bounds(Report *r, const char *json)
{
	ErrList errs;
	Profile *p;

	errlist_init(&errs);
	p = profile_parse_flags(
	    json, strlen(json), "header", "/", PROFILE_NO_ENV, &errs, NULL);
	errlist_fini(&errs);
	if (p == NULL)
		return;
	for (int i = 0; i < p->nendpoints; i++) {
		int k = report_endpoint_index(r, p->endpoints[i].name);

		if (k >= 0)
			r->endpoints[k].bound_s =
			    profile_worst_failover(p, &p->endpoints[i]);
	}
	profile_free(p);
}

/* service, rto_target, endpoint and resolver lists from the profile. */
static void
read_profile(Report *r, const char *json)
{
	const cJSON *v, *e, *drill, *dns;
	cJSON *root;

	if (json == NULL)
		return;
	root = cJSON_ParseWithLengthOpts(json, strlen(json), NULL, false);
	if (!cJSON_IsObject(root))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(root, "service");
	if (cJSON_IsString(v))
		str_copy(r->service, sizeof(r->service), v->valuestring);
	drill = cJSON_GetObjectItemCaseSensitive(root, "drill");
	v = cJSON_GetObjectItemCaseSensitive(drill, "rto_target");
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	    v->valuedouble >= 0)
		r->rto_target = v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	cJSON_ArrayForEach (e, v) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (cJSON_IsString(n))
			endpoint_get(r, n->valuestring);
	}
	r->track->fixed = cJSON_IsArray(v);
	dns = cJSON_GetObjectItemCaseSensitive(root, "dns");
	v = cJSON_GetObjectItemCaseSensitive(dns, "name");
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		v = cJSON_GetObjectItemCaseSensitive(dns, "resolvers");
		cJSON_ArrayForEach (e, v)
			read_resolver(r, e);
	}
	read_bounds(r, json);
out:
	cJSON_Delete(root);
}

Report *
report_new(const SessionHeader *hdr, const char *log_path)
{
	Report *r = xcalloc(1, sizeof(*r));
	struct ReportTrack *k = xcalloc(1, sizeof(*k));

	r->track = k;
	k->cur_route = k->fault_route = -1;
	k->f0_ep = k->any_fail_ep = -1;
	k->f0_t = k->any_fail_t = NAN;
	hash_rebuild(r);
	r->rto_target = NAN;
	for (int i = 0; i < DRILL__COUNT; i++)
		r->phase[i] = NAN;
	r->t_first = r->t_last = NAN;
	r->fault_mark_late = NAN;
	r->bound_s = NAN;
	r->bound_exceeded = -1;
	r->public_ep.bound_s = NAN;
	if (log_path != NULL) {
		str_copy(r->drill, sizeof(r->drill), basename_of(log_path));
		str_copy(r->log_path, sizeof(r->log_path), log_path);
	}
	if (hdr != NULL) {
		str_copy(r->started, sizeof(r->started), hdr->started);
		str_copy(r->mode, sizeof(r->mode), hdr->mode);
		read_profile(r, hdr->profile_json);
	}
	return r;
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
	int i = p->via_public ? -1 : endpoint_get(r, p->endpoint);
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
		    ? endpoint_get(r, p->served_by)
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
	int to = endpoint_get(r, re->to);

	endpoint_get(r, re->from);
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
		k->cur_route = endpoint_get(r, st->route_to);
	for (int i = 0; i < st->n; i++)
		endpoint_get(r, st->endpoints[i].name);
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
		i = endpoint_get(r, ev->u.health.endpoint);
		if (i < 0 ||
		    !grow(r, (void **)&r->healths, r->nhealths, &k->health_cap,
		        sizeof(*r->healths)))
			break;
		r->healths[r->nhealths++] = (ReportHealth){
		    ev->t, i, ev->u.health.from, ev->u.health.to};
		break;
	case EV_DNS:
		resolver_get(r, ev->u.dns.resolver);
		break;
	case EV_CONVERGED:
	case EV_DIVERGED:
		i = resolver_get(r, ev->u.conv.resolver);
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

/* ---- percentiles --------------------------------------------------------- */

static void
swap_d(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Reorder v so that v[k] is the k-th smallest (0-based): Wirth's
 * selection (Hoare partitioning around v[k]), O(n) on average. */
static double
select_kth(double *v, size_t n, size_t k)
{
	long l = 0, m = (long)n - 1, kk = (long)k;

	while (l < m) {
		double x = v[kk];
		long i = l, j = m;
		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				swap_d(&v[i], &v[j]);
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return v[kk];
}

double
report_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return NAN;
	rank = (size_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return select_kth(v, n, rank - 1);
}

/* ---- derivation ---------------------------------------------------------- */

static void
endpoint_stats(Report *r, ReportEndpoint *e, double *scratch)
{
	double lo =
	    r->recorded[DRILL_START] ? r->phase[DRILL_START] : -INFINITY;
	double hi = r->recorded[DRILL_END] ? r->phase[DRILL_END] : INFINITY;
	size_t n = 0;

	for (size_t i = 0; i < e->nprobes; i++) {
		const ReportProbe *p = &e->probes[i];
		if (p->t < lo || p->t > hi)
			continue;
		e->count++;
		if (p->ok)
			e->ok++;
		else
			e->failures[p->error < PERR__COUNT ? p->error : 0]++;
		if (p->us >= 0)
			scratch[n++] = p->us / 1000.0;
	}
	e->p50_ms = report_percentile(scratch, n, 50);
	e->p95_ms = report_percentile(scratch, n, 95);
	e->availability = e->count ? (double)e->ok / (double)e->count : NAN;
}

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
		endpoint_stats(r, &r->endpoints[i], scratch);
	free(scratch);
	if (r->public_ep.nprobes > 0) {
		scratch = xmalloc(r->public_ep.nprobes * sizeof(double));
		endpoint_stats(r, &r->public_ep, scratch);
		free(scratch);
	}
}

void
report_free(Report *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nendpoints; i++)
		free(r->endpoints[i].probes);
	free(r->endpoints);
	free(r->public_ep.probes);
	free(r->public_served);
	free(r->resolvers);
	free(r->routes);
	free(r->healths);
	free(r->convs);
	free(r->actions);
	free(r->markers);
	free(r->errors);
	free(r->gaps);
	if (r->track != NULL) {
		free(r->track->hash);
		free(r->track->open);
		free(r->track->start_unhealthy);
		free(r->track);
	}
	free(r);
}

/* ---- what-if ------------------------------------------------------------ */

struct ReportWhatIfRun {
	Profile *profile;
	Engine *engine;
	Report *report;
	EventSink sink;
	double now;
	bool started;
};

static void
whatif_sink(void *ctx, const Event *ev)
{
	report_feed(ctx, ev);
}

ReportWhatIfRun *
report_whatif_new(const SessionHeader *hdr, const char *log_path,
    const char *const *sets, int nsets, char *err, size_t cap)
{
	ReportWhatIfRun *w;
	SessionHeader mod;
	ErrList errs;
	Profile *p;
	char why[512];

	if (hdr->profile_json == NULL) {
		snprintf(err, cap, "%s: the session header has no profile",
		    log_path);
		return NULL;
	}
	errlist_init(&errs);
	p = profile_parse_flags(hdr->profile_json, strlen(hdr->profile_json),
	    log_path, ".", PROFILE_NO_ENV, &errs, NULL);
	if (p == NULL) {
		snprintf(err, cap, "%s: the recorded profile does not load: %s",
		    log_path, errs.count > 0 ? errs.msgs[0] : "?");
		errlist_fini(&errs);
		return NULL;
	}
	errlist_fini(&errs);
	for (int i = 0; i < nsets; i++)
		if (profile_set(p, sets[i], why, sizeof(why)) != 0) {
			snprintf(err, cap, "%s", why);
			profile_free(p);
			return NULL;
		}
	w = xcalloc(1, sizeof(*w));
	w->profile = p;
	w->engine = engine_new(p);
	/* The what-if report reads its targets from the modified profile. */
	mod = *hdr;
	mod.profile_json = profile_to_json(p, true);
	w->report = report_new(&mod, log_path);
	free(mod.profile_json);
	w->sink = (EventSink){whatif_sink, w->report};
	return w;
}

void
report_whatif_feed(ReportWhatIfRun *w, const Event *ev)
{
	char err[256];

	if (!w->started || ev->t > w->now) {
		w->now = ev->t;
		w->started = true;
		engine_tick(w->engine, w->now, &w->sink);
	}
	if (engine_derives(ev->type)) {
		const RouteEvent *r = &ev->u.route;
		if (ev->type == EV_ROUTE &&
		    (r->cause == CAUSE_MANUAL || r->cause == CAUSE_FAILBACK))
			engine_route_manual(w->engine, ev->t,
			    r->cause == CAUSE_FAILBACK ? NULL : r->to, r->cause,
			    &w->sink, err, sizeof(err));
		return;
	}
	if (ev->type == EV_DRILL && ev->u.drill.phase != DRILL_START &&
	    ev->u.drill.phase != DRILL_FAULT && ev->u.drill.phase != DRILL_END)
		return;
	engine_feed(w->engine, ev, &w->sink);
}

int
report_whatif_state(
    ReportWhatIfRun *w, const EngineState *st, char *err, size_t cap)
{
	if (engine_state_import(w->engine, st, err, cap) != 0)
		return -1;
	report_start_state(w->report, st);
	return 0;
}

Report *
report_whatif_finish(ReportWhatIfRun *w)
{
	Report *r = w->report;

	w->report = NULL;
	report_finish(r);
	report_whatif_free(w);
	return r;
}

void
report_whatif_free(ReportWhatIfRun *w)
{
	if (w == NULL)
		return;
	engine_free(w->engine);
	profile_free(w->profile);
	report_free(w->report);
	free(w);
}
