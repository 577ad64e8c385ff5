/* state: see state.h. */
#include "journal/state.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/util.h"

/* ---- writing ------------------------------------------------------------ */

static void
put_health(JsonW *w, const Health *h)
{
	jsonw_key_str(w, "state", health_state_name(h->state));
	jsonw_key_int(w, "failures", h->failures);
	jsonw_key_int(w, "successes", h->successes);
	if (h->last_error != PERR_NONE)
		jsonw_key_str(w, "last_error", probe_error_name(h->last_error));
	jsonw_key_int(w, "last_status", h->last_status);
}

static void
put_endpoint(JsonW *w, const EngineEndpointState *x)
{
	jsonw_obj_open(w);
	jsonw_key_str(w, "name", x->name);
	put_health(w, &x->health);
	jsonw_key_exact(w, "since", x->state_since);
	jsonw_key(w, "recent");
	jsonw_arr_open(w);
	for (int k = 0; k < x->nrecent && k < ENGINE_RECENT_MAX; k++) {
		char s[40];
		int n = snprintf(s, sizeof(s), "%.17g", x->recent[k]);

		if (w->need_comma)
			jsonw_raw(w, ",", 1);
		jsonw_raw(w, s, (size_t)n);
		w->need_comma = true;
	}
	jsonw_arr_close(w);
	jsonw_key_int(w, "recent_pos", x->recent_pos);
	jsonw_key_exact(w, "share", x->share);
	jsonw_key_int(w, "probes", (long long)x->probes);
	jsonw_key_int(w, "probe_failures", (long long)x->failures);
	if (x->cert_known)
		jsonw_key_int(w, "cert_days", x->cert_days);
	else
		jsonw_key_null(w, "cert_days");
	jsonw_key_str(w, "reason", x->last_reason);
	jsonw_obj_close(w);
}

static void
put_route(JsonW *w, const EngineState *st)
{
	jsonw_obj_open(w);
	jsonw_key_bool(w, "routed", st->routed);
	jsonw_key_str(w, "to", st->route_to);
	jsonw_key_str(w, "from", st->route_from);
	jsonw_key_str(w, "cause", route_cause_name(st->route_cause));
	jsonw_key_exact(w, "since", st->route_since);
	jsonw_key_bool(w, "fail_open", st->fail_open);
	jsonw_key_bool(w, "manual", st->manual);
	jsonw_key_bool(w, "override", st->manual_override);
	jsonw_key_str(w, "failed_from", st->failed_from);
	jsonw_key_exact(w, "first_deadline", st->first_deadline);
	jsonw_key_exact(w, "due", st->due);
	jsonw_key_exact(w, "failback_at", st->failback_at);
	jsonw_key_bool(w, "action_busy", st->action_busy);
	jsonw_key_bool(w, "dns_moved", st->dns_moved);
	jsonw_key_bool(w, "has_public", st->has_public);
	jsonw_obj_close(w);
}

static void
put_resolver(JsonW *w, const ResolverSnap *r)
{
	jsonw_obj_open(w);
	jsonw_key_str(w, "resolver", r->resolver);
	jsonw_key_str(w, "name", r->name);
	jsonw_key_bool(w, "authoritative", r->authoritative);
	jsonw_key_bool(w, "has_answer", r->has_answer);
	if (r->has_answer) {
		char line[EVENT_JSON_MAX];
		Event ev;
		size_t n;

		event_init(&ev, EV_DNS, r->last_t);
		ev.u.dns = r->last;
		n = event_to_json(&ev, line, sizeof(line));
		if (n > 0) {
			jsonw_key(w, "last");
			jsonw_raw(w, line, n - 1); /* without its newline */
			w->need_comma = true;
		}
	}
	jsonw_key_exact(w, "last_t", r->last_t);
	jsonw_key_exact(w, "ttl_expires", r->ttl_expires);
	jsonw_key_bool(w, "on_expected", r->on_expected);
	jsonw_key_bool(w, "converged", r->converged);
	jsonw_key_exact(w, "converged_after", r->converged_after);
	jsonw_key_bool(w, "diverged", r->diverged);
	jsonw_key_exact(w, "drain_at", r->drain_at);
	jsonw_key_exact(w, "ref_t", r->ref_t);
	jsonw_key_int(w, "ref_ttl", r->ref_ttl);
	jsonw_key_int(w, "off_polls", r->off_polls);
	jsonw_obj_close(w);
}

static void
put_traffic(JsonW *w, const TrafficModel *m)
{
	const TrafficSnap *s = &m->snap;

	jsonw_obj_open(w);
	jsonw_key_exact(w, "interval", m->interval);
	jsonw_key_bool(w, "have_route", m->have_route);
	jsonw_key_str(w, "expected", m->expected);
	jsonw_key(w, "resolvers");
	jsonw_arr_open(w);
	for (int i = 0; i < m->nresolvers; i++)
		put_resolver(w, &m->resolvers[i]);
	jsonw_arr_close(w);
	jsonw_key_str(w, "observed", s->endpoint);
	jsonw_key_int(w, "count", s->count);
	jsonw_key_bool(w, "authoritative", s->authoritative);
	jsonw_key_exact(w, "since", s->since);
	jsonw_key_exact(w, "differs_since", s->differs_since);
	jsonw_key_bool(w, "change", s->change);
	jsonw_key_str(w, "from", s->from);
	jsonw_key_str(w, "to", s->to);
	jsonw_key_exact(w, "changed_at", s->changed_at);
	jsonw_key_bool(w, "moved", s->moved);
	jsonw_key_exact(w, "moved_at", s->moved_at);
	jsonw_key_str(w, "moved_by", s->moved_by);
	jsonw_key_bool(w, "all_converged", s->all_converged);
	jsonw_key_exact(w, "all_converged_after", s->all_converged_after);
	jsonw_key_exact(w, "drain_at", s->drain_at);
	jsonw_key_bool(w, "active", s->active);
	jsonw_key_int(w, "ttl", s->ttl);
	jsonw_obj_close(w);
}

char *
state_line(const EngineState *st, double t)
{
	size_t cap = 8192 + (size_t)st->n * 1024;

	for (;;) {
		char *buf = xmalloc(cap);
		JsonW w;
		size_t n;

		jsonw_init(&w, buf, cap - 1);
		jsonw_obj_open(&w);
		jsonw_key_exact(&w, "t", t);
		jsonw_key_str(&w, "type", "state");
		jsonw_key_exact(&w, "now", st->now);
		jsonw_key(&w, "endpoints");
		jsonw_arr_open(&w);
		for (int i = 0; i < st->n; i++)
			put_endpoint(&w, &st->endpoints[i]);
		jsonw_arr_close(&w);
		jsonw_key(&w, "route");
		put_route(&w, st);
		jsonw_key(&w, "traffic");
		put_traffic(&w, &st->traffic);
		jsonw_obj_close(&w);
		n = jsonw_finish(&w);
		if (n > 0) {
			buf[n] = '\n';
			buf[n + 1] = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

char *
state_line_of(const Engine *e, double t)
{
	EngineState st;
	char *line;

	engine_state_export(e, &st);
	line = state_line(&st, t);
	engine_state_fini(&st);
	return line;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct {
	bool failed;
	char *err;
	size_t cap;
} Rd;

static void rd_fail(Rd *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
rd_fail(Rd *d, const char *fmt, ...)
{
	va_list ap;

	if (d->failed)
		return;
	d->failed = true;
	va_start(ap, fmt);
	vsnprintf(d->err, d->cap, fmt, ap);
	va_end(ap);
}

static const cJSON *
item(Rd *d, const cJSON *o, const char *key, const char *where)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (it == NULL)
		rd_fail(d, "state: %s.%s is missing", where, key);
	return it;
}

/* A number; null reads as -1 (the sentinel the engine uses), as
 * non-finite values are written null. */
static double
num(Rd *d, const cJSON *o, const char *key, const char *where)
{
	const cJSON *it = item(d, o, key, where);

	if (it == NULL)
		return 0;
	if (cJSON_IsNull(it))
		return -1;
	if (!cJSON_IsNumber(it)) {
		rd_fail(d, "state: %s.%s is not a number", where, key);
		return 0;
	}
	return it->valuedouble;
}

static int
integer(Rd *d, const cJSON *o, const char *key, const char *where)
{
	double v = num(d, o, key, where);

	if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != floor(v)) {
		rd_fail(d, "state: %s.%s is not an integer", where, key);
		return 0;
	}
	return (int)v;
}

static bool
boolean(Rd *d, const cJSON *o, const char *key, const char *where)
{
	const cJSON *it = item(d, o, key, where);

	if (it != NULL && !cJSON_IsBool(it)) {
		rd_fail(d, "state: %s.%s is not true or false", where, key);
		return false;
	}
	return it != NULL && cJSON_IsTrue(it);
}

static void
string(Rd *d, const cJSON *o, const char *key, const char *where, char *out,
    size_t cap)
{
	const cJSON *it = item(d, o, key, where);

	out[0] = '\0';
	if (it == NULL)
		return;
	if (!cJSON_IsString(it)) {
		rd_fail(d, "state: %s.%s is not a string", where, key);
		return;
	}
	str_copy(out, cap, it->valuestring);
}

static int
name_of(Rd *d, const cJSON *o, const char *key, const char *where,
    int (*from_name)(const char *))
{
	char s[32];
	int v;

	string(d, o, key, where, s, sizeof(s));
	if (d->failed)
		return 0;
	v = from_name(s);
	if (v < 0)
		rd_fail(d, "state: %s.%s: unknown value \"%s\"", where, key, s);
	return v < 0 ? 0 : v;
}

static void
get_endpoint(Rd *d, const cJSON *o, EngineEndpointState *x)
{
	const cJSON *recent, *r, *le;
	int k = 0;

	string(d, o, "name", "endpoint", x->name, sizeof(x->name));
	x->health.state = (HealthState)name_of(
	    d, o, "state", "endpoint", health_state_from_name);
	x->health.failures = integer(d, o, "failures", "endpoint");
	x->health.successes = integer(d, o, "successes", "endpoint");
	le = cJSON_GetObjectItemCaseSensitive(o, "last_error");
	x->health.last_error = PERR_NONE;
	if (cJSON_IsString(le) && probe_error_from_name(le->valuestring) > 0)
		x->health.last_error =
		    (ProbeError)probe_error_from_name(le->valuestring);
	x->health.last_status = integer(d, o, "last_status", "endpoint");
	x->state_since = num(d, o, "since", "endpoint");
	recent = item(d, o, "recent", "endpoint");
	if (recent != NULL && !cJSON_IsArray(recent))
		rd_fail(d, "state: endpoint.recent is not an array");
	cJSON_ArrayForEach (r, recent) {
		if (k == ENGINE_RECENT_MAX || !cJSON_IsNumber(r)) {
			rd_fail(d, "state: endpoint.recent: at most %d numbers",
			    ENGINE_RECENT_MAX);
			break;
		}
		x->recent[k++] = r->valuedouble;
	}
	x->nrecent = k;
	x->recent_pos = integer(d, o, "recent_pos", "endpoint");
	x->share = num(d, o, "share", "endpoint");
	x->probes = (uint64_t)fmax(0, num(d, o, "probes", "endpoint"));
	x->failures =
	    (uint64_t)fmax(0, num(d, o, "probe_failures", "endpoint"));
	x->cert_known = !cJSON_IsNull(item(d, o, "cert_days", "endpoint"));
	x->cert_days =
	    x->cert_known ? integer(d, o, "cert_days", "endpoint") : 0;
	string(
	    d, o, "reason", "endpoint", x->last_reason, sizeof(x->last_reason));
}

static void
get_route(Rd *d, const cJSON *o, EngineState *st)
{
	if (!cJSON_IsObject(o)) {
		rd_fail(d, "state: route is not an object");
		return;
	}
	st->routed = boolean(d, o, "routed", "route");
	string(d, o, "to", "route", st->route_to, sizeof(st->route_to));
	string(d, o, "from", "route", st->route_from, sizeof(st->route_from));
	st->route_cause =
	    (RouteCause)name_of(d, o, "cause", "route", route_cause_from_name);
	st->route_since = num(d, o, "since", "route");
	st->fail_open = boolean(d, o, "fail_open", "route");
	st->manual = boolean(d, o, "manual", "route");
	st->manual_override = boolean(d, o, "override", "route");
	string(d, o, "failed_from", "route", st->failed_from,
	    sizeof(st->failed_from));
	st->first_deadline = num(d, o, "first_deadline", "route");
	st->due = num(d, o, "due", "route");
	st->failback_at = num(d, o, "failback_at", "route");
	st->action_busy = boolean(d, o, "action_busy", "route");
	st->dns_moved = boolean(d, o, "dns_moved", "route");
	st->has_public = boolean(d, o, "has_public", "route");
}

static void
get_resolver(Rd *d, const cJSON *o, ResolverSnap *r)
{
	const cJSON *last;

	memset(r, 0, sizeof(*r));
	string(d, o, "resolver", "resolver", r->resolver, sizeof(r->resolver));
	string(d, o, "name", "resolver", r->name, sizeof(r->name));
	r->authoritative = boolean(d, o, "authoritative", "resolver");
	r->has_answer = boolean(d, o, "has_answer", "resolver");
	last = cJSON_GetObjectItemCaseSensitive(o, "last");
	if (r->has_answer && last != NULL) {
		char *text = cJSON_PrintUnformatted(last), why[200];
		Event ev;

		if (text == NULL)
			die("out of memory (cJSON_PrintUnformatted)");
		if (event_from_json(
		        text, strlen(text), &ev, why, sizeof(why)) != 1 ||
		    ev.type != EV_DNS)
			rd_fail(d, "state: resolver.last: not a dns event");
		else
			r->last = ev.u.dns;
		free(text);
	}
	r->last_t = num(d, o, "last_t", "resolver");
	r->ttl_expires = num(d, o, "ttl_expires", "resolver");
	r->on_expected = boolean(d, o, "on_expected", "resolver");
	r->converged = boolean(d, o, "converged", "resolver");
	r->converged_after = num(d, o, "converged_after", "resolver");
	r->diverged = boolean(d, o, "diverged", "resolver");
	r->drain_at = num(d, o, "drain_at", "resolver");
	r->ref_t = num(d, o, "ref_t", "resolver");
	r->ref_ttl = integer(d, o, "ref_ttl", "resolver");
	r->off_polls = integer(d, o, "off_polls", "resolver");
}

static void
get_traffic(Rd *d, const cJSON *o, TrafficModel *m)
{
	TrafficSnap *s = &m->snap;
	const cJSON *res, *r;

	memset(m, 0, sizeof(*m));
	if (!cJSON_IsObject(o)) {
		rd_fail(d, "state: traffic is not an object");
		return;
	}
	m->interval = num(d, o, "interval", "traffic");
	m->have_route = boolean(d, o, "have_route", "traffic");
	string(d, o, "expected", "traffic", m->expected, sizeof(m->expected));
	res = item(d, o, "resolvers", "traffic");
	cJSON_ArrayForEach (r, res) {
		if (m->nresolvers == PROFILE_MAX_RESOLVERS) {
			rd_fail(d, "state: traffic.resolvers: more than %d",
			    PROFILE_MAX_RESOLVERS);
			break;
		}
		get_resolver(d, r, &m->resolvers[m->nresolvers++]);
	}
	s->observed = m->nresolvers > 0;
	s->total = m->nresolvers;
	string(d, o, "observed", "traffic", s->endpoint, sizeof(s->endpoint));
	s->count = integer(d, o, "count", "traffic");
	s->authoritative = boolean(d, o, "authoritative", "traffic");
	s->since = num(d, o, "since", "traffic");
	s->differs_since = num(d, o, "differs_since", "traffic");
	s->change = boolean(d, o, "change", "traffic");
	string(d, o, "from", "traffic", s->from, sizeof(s->from));
	string(d, o, "to", "traffic", s->to, sizeof(s->to));
	s->changed_at = num(d, o, "changed_at", "traffic");
	s->moved = boolean(d, o, "moved", "traffic");
	s->moved_at = num(d, o, "moved_at", "traffic");
	string(d, o, "moved_by", "traffic", s->moved_by, sizeof(s->moved_by));
	s->all_converged = boolean(d, o, "all_converged", "traffic");
	s->all_converged_after = num(d, o, "all_converged_after", "traffic");
	s->drain_at = num(d, o, "drain_at", "traffic");
	s->active = boolean(d, o, "active", "traffic");
	s->ttl = integer(d, o, "ttl", "traffic");
	str_copy(s->note, sizeof(s->note), TRAFFIC_NOTE);
}

bool
state_is_line(const char *line, size_t len)
{
	static const char key[] = "\"type\":\"state\"";
	const char *p = memmem(line, len < 64 ? len : 64, key, sizeof(key) - 1);

	return p != NULL;
}

int
state_parse(
    const char *line, size_t len, EngineState *st, char *err, size_t cap)
{
	Rd d = {false, err, cap};
	cJSON *root = cJSON_ParseWithLengthOpts(line, len, NULL, false);
	const cJSON *t, *eps, *e;
	int n, i = 0;

	memset(st, 0, sizeof(*st));
	if (!cJSON_IsObject(root)) {
		rd_fail(&d, "state: not a JSON object");
		goto out;
	}
	t = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (!cJSON_IsString(t) || strcmp(t->valuestring, "state") != 0) {
		rd_fail(&d, "state: not a state line");
		goto out;
	}
	st->now = num(&d, root, "now", "state");
	eps = item(&d, root, "endpoints", "state");
	if (eps != NULL && !cJSON_IsArray(eps)) {
		rd_fail(&d, "state: endpoints is not an array");
		goto out;
	}
	n = cJSON_GetArraySize(eps);
	if (n > PROFILE_MAX_ENDPOINTS) {
		rd_fail(&d, "state: %d endpoints (at most %d)", n,
		    PROFILE_MAX_ENDPOINTS);
		goto out;
	}
	st->n = n;
	st->endpoints = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*st->endpoints));
	cJSON_ArrayForEach (e, eps)
		get_endpoint(&d, e, &st->endpoints[i++]);
	get_route(&d, cJSON_GetObjectItemCaseSensitive(root, "route"), st);
	get_traffic(&d, cJSON_GetObjectItemCaseSensitive(root, "traffic"),
	    &st->traffic);
out:
	cJSON_Delete(root);
	if (d.failed)
		engine_state_fini(st);
	return d.failed ? -1 : 0;
}
