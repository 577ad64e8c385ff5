#include "model/event.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/jsonw.h"
#include "base/util.h"

static const char *const type_names[EV__COUNT] = {
    [EV_PROBE] = "probe",
    [EV_HEALTH] = "health",
    [EV_ROUTE] = "route",
    [EV_DNS] = "dns",
    [EV_CONVERGED] = "converged",
    [EV_DIVERGED] = "diverged",
    [EV_CERT] = "cert",
    [EV_ACTION] = "action",
    [EV_DRILL] = "drill",
    [EV_MARKER] = "marker",
    [EV_ERROR] = "error",
};
static const char *const perr_names[PERR__COUNT] = {
    [PERR_NONE] = NULL,
    [PERR_TIMEOUT] = "timeout",
    [PERR_REFUSED] = "refused",
    [PERR_DNS] = "dns",
    [PERR_TLS] = "tls",
    [PERR_STATUS] = "status",
    [PERR_BODY] = "body",
    [PERR_RESET] = "reset",
};
static const char *const tls_names[TLSR__COUNT] = {
    [TLSR_NONE] = NULL,
    [TLSR_EXPIRED] = "expired",
    [TLSR_NOT_YET_VALID] = "not_yet_valid",
    [TLSR_UNTRUSTED] = "untrusted",
    [TLSR_HOSTNAME] = "hostname",
    [TLSR_HANDSHAKE] = "handshake",
};
static const char *const tls_texts[TLSR__COUNT] = {
    [TLSR_NONE] = "",
    [TLSR_EXPIRED] = "certificate expired",
    [TLSR_NOT_YET_VALID] = "certificate not yet valid",
    [TLSR_UNTRUSTED] = "certificate not trusted (self-signed or unknown "
                       "issuer)",
    [TLSR_HOSTNAME] = "certificate for another host name",
    [TLSR_HANDSHAKE] = "handshake failed",
};
static const char *const health_names[HEALTH__COUNT] = {
    "checking",
    "online",
    "degraded",
    "disabled",
};
static const char *const cause_names[CAUSE__COUNT] = {
    "auto",
    "manual",
    "failback",
    "dns",
};
static const char *const act_names[ACT__COUNT] = {
    "started",
    "output",
    "finished",
};
static const char *const drill_names[DRILL__COUNT] = {
    "start",
    "fault",
    "detected",
    "failover",
    "converged",
    "restored",
    "end",
};

static const char *
name_at(const char *const *names, int n, int i)
{
	return (i >= 0 && i < n) ? names[i] : NULL;
}

static int
name_find(const char *const *names, int n, const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
event_type_name(EventType t)
{
	return name_at(type_names, EV__COUNT, (int)t);
}
const char *
probe_error_name(ProbeError e)
{
	return name_at(perr_names, PERR__COUNT, (int)e);
}
const char *
tls_reason_name(TlsReason r)
{
	return name_at(tls_names, TLSR__COUNT, (int)r);
}
const char *
tls_reason_text(TlsReason r)
{
	const char *s = name_at(tls_texts, TLSR__COUNT, (int)r);

	return s != NULL ? s : "";
}
const char *
health_state_name(HealthState s)
{
	return name_at(health_names, HEALTH__COUNT, (int)s);
}
const char *
route_cause_name(RouteCause c)
{
	return name_at(cause_names, CAUSE__COUNT, (int)c);
}
const char *
action_phase_name(ActionPhase p)
{
	return name_at(act_names, ACT__COUNT, (int)p);
}
const char *
drill_phase_name(DrillPhase p)
{
	return name_at(drill_names, DRILL__COUNT, (int)p);
}
int
event_type_from_name(const char *s)
{
	return name_find(type_names, EV__COUNT, s);
}
int
probe_error_from_name(const char *s)
{
	return name_find(perr_names, PERR__COUNT, s);
}
int
tls_reason_from_name(const char *s)
{
	return name_find(tls_names, TLSR__COUNT, s);
}
int
health_state_from_name(const char *s)
{
	return name_find(health_names, HEALTH__COUNT, s);
}
int
route_cause_from_name(const char *s)
{
	return name_find(cause_names, CAUSE__COUNT, s);
}
int
action_phase_from_name(const char *s)
{
	return name_find(act_names, ACT__COUNT, s);
}
int
drill_phase_from_name(const char *s)
{
	return name_find(drill_names, DRILL__COUNT, s);
}

bool
event_action_outcome(const ActionEvent *a, bool *ok)
{
	bool is = a->phase == ACT_FINISHED && a->step[0] == '\0';

	if (ok != NULL)
		*ok = is && a->exit_code == 0 && a->signal == 0 &&
		    a->error[0] == '\0';
	return is;
}

void
event_init(Event *ev, EventType type, double t)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->t = t;
	switch (type) {
	case EV_DNS:
		ev->u.dns.ttl = -1;
		ev->u.dns.ms = -1;
		break;
	case EV_PROBE:
		ev->u.probe.ms.dns = ev->u.probe.ms.connect = -1;
		ev->u.probe.ms.tls = ev->u.probe.ms.ttfb = -1;
		ev->u.probe.ms.total = -1;
		break;
	case EV_ACTION:
		ev->u.action.exit_code = -1;
		break;
	case EV_CONVERGED:
	case EV_DIVERGED:
		ev->u.conv.after = -1;
		break;
	default:
		break;
	}
}

/* ---- encoding ---------------------------------------------------------- */

static void
put_ms(JsonW *w, const char *key, double v)
{
	if (v < 0)
		jsonw_key_null(w, key);
	else
		jsonw_key_num(w, key, v, 3);
}

/* A string field written only when it is set. */
static void
put_if_str(JsonW *w, const char *key, const char *s)
{
	if (s[0] != '\0')
		jsonw_key_str(w, key, s);
}

static void
put_opt_str(JsonW *w, const char *key, const char *s)
{
	if (s[0] == '\0')
		jsonw_key_null(w, key);
	else
		jsonw_key_str(w, key, s);
}

size_t
event_to_json(const Event *ev, char *buf, size_t cap)
{
	JsonW w;

	jsonw_init(&w, buf, cap);
	jsonw_obj_open(&w);
	jsonw_key_num(&w, "t", ev->t, 6);
	jsonw_key_str(&w, "type", event_type_name(ev->type));
	switch (ev->type) {
	case EV_PROBE: {
		const ProbeEvent *p = &ev->u.probe;
		jsonw_key_str(&w, "endpoint", p->endpoint);
		if (p->via_public)
			jsonw_key_str(&w, "via", "public");
		jsonw_key_bool(&w, "ok", p->ok);
		if (p->status > 0)
			jsonw_key_int(&w, "status", p->status);
		else
			jsonw_key_null(&w, "status");
		if (p->error == PERR_NONE)
			jsonw_key_null(&w, "error");
		else
			jsonw_key_str(&w, "error", probe_error_name(p->error));
		if (p->error == PERR_TLS && tls_reason_name(p->tls) != NULL)
			jsonw_key_str(&w, "tls", tls_reason_name(p->tls));
		jsonw_key(&w, "ms");
		jsonw_obj_open(&w);
		put_ms(&w, "dns", p->ms.dns);
		put_ms(&w, "connect", p->ms.connect);
		put_ms(&w, "tls", p->ms.tls);
		put_ms(&w, "ttfb", p->ms.ttfb);
		put_ms(&w, "total", p->ms.total);
		jsonw_obj_close(&w);
		put_opt_str(&w, "served_by", p->served_by);
		break;
	}
	case EV_HEALTH:
		jsonw_key_str(&w, "endpoint", ev->u.health.endpoint);
		jsonw_key_str(&w, "from", health_state_name(ev->u.health.from));
		jsonw_key_str(&w, "to", health_state_name(ev->u.health.to));
		jsonw_key_str(&w, "reason", ev->u.health.reason);
		break;
	case EV_ROUTE: {
		const RouteEvent *r = &ev->u.route;
		put_opt_str(&w, "from", r->from);
		jsonw_key_str(&w, "to", r->to);
		jsonw_key_str(&w, "cause", route_cause_name(r->cause));
		if (r->fail_open)
			jsonw_key_bool(&w, "fail_open", true);
		if (r->nshares > 0) {
			jsonw_key(&w, "shares");
			jsonw_obj_open(&w);
			for (int i = 0; i < r->nshares && i < EV_SHARES_MAX;
			     i++)
				jsonw_key_num(&w, r->shares[i].name,
				    r->shares[i].share, 4);
			jsonw_obj_close(&w);
		}
		break;
	}
	case EV_DNS: {
		const DnsEvent *d = &ev->u.dns;
		jsonw_key_str(&w, "resolver", d->resolver);
		put_if_str(&w, "resolver_name", d->resolver_name);
		jsonw_key_str(&w, "name", d->name);
		jsonw_key_str(&w, "rcode", d->rcode);
		jsonw_key(&w, "answers");
		jsonw_arr_open(&w);
		for (int i = 0; i < d->nanswers && i < EV_ANSWERS_MAX; i++)
			jsonw_str(&w, d->answers[i]);
		jsonw_arr_close(&w);
		put_opt_str(&w, "endpoint", d->endpoint);
		if (d->ttl < 0)
			jsonw_key_null(&w, "ttl");
		else
			jsonw_key_int(&w, "ttl", d->ttl);
		put_ms(&w, "ms", d->ms);
		break;
	}
	case EV_CONVERGED:
	case EV_DIVERGED:
		jsonw_key_str(&w, "resolver", ev->u.conv.resolver);
		put_if_str(&w, "resolver_name", ev->u.conv.resolver_name);
		jsonw_key_str(&w, "endpoint", ev->u.conv.endpoint);
		if (ev->type == EV_DIVERGED)
			put_if_str(&w, "expected", ev->u.conv.expected);
		if (ev->u.conv.after < 0)
			jsonw_key_null(&w, "after");
		else
			jsonw_key_num(&w, "after", ev->u.conv.after, 6);
		break;
	case EV_CERT:
		jsonw_key_str(&w, "endpoint", ev->u.cert.endpoint);
		jsonw_key_int(&w, "days_left", ev->u.cert.days_left);
		jsonw_key_bool(&w, "warning", ev->u.cert.warning);
		put_opt_str(&w, "subject", ev->u.cert.subject);
		break;
	case EV_ACTION: {
		const ActionEvent *a = &ev->u.action;
		jsonw_key_str(&w, "name", a->name);
		if (a->step[0] != '\0')
			jsonw_key_str(&w, "step", a->step);
		put_opt_str(&w, "from", a->from);
		jsonw_key_str(&w, "to", a->to);
		jsonw_key_str(&w, "by", a->by);
		jsonw_key_str(&w, "phase", action_phase_name(a->phase));
		if (a->phase == ACT_OUTPUT)
			jsonw_key_str(&w, "line", a->line);
		if (a->phase == ACT_FINISHED) {
			if (a->exit_code < 0)
				jsonw_key_null(&w, "exit");
			else
				jsonw_key_int(&w, "exit", a->exit_code);
			if (a->signal > 0)
				jsonw_key_int(&w, "signal", a->signal);
			if (a->error[0] != '\0')
				jsonw_key_str(&w, "error", a->error);
		}
		break;
	}
	case EV_DRILL:
		jsonw_key_str(&w, "phase", drill_phase_name(ev->u.drill.phase));
		put_opt_str(&w, "note", ev->u.drill.note);
		break;
	case EV_MARKER:
		jsonw_key_str(&w, "note", ev->u.marker.note);
		break;
	case EV_ERROR:
		jsonw_key_str(&w, "source", ev->u.error.source);
		jsonw_key_str(&w, "message", ev->u.error.message);
		if (ev->u.error.gap_count > 0) {
			jsonw_key(&w, "gap");
			jsonw_obj_open(&w);
			jsonw_key_num(&w, "from", ev->u.error.gap_from, 6);
			jsonw_key_num(&w, "to", ev->u.error.gap_to, 6);
			jsonw_key_int(
			    &w, "count", (long long)ev->u.error.gap_count);
			jsonw_obj_close(&w);
		}
		break;
	default:
		return 0;
	}
	jsonw_obj_close(&w);
	jsonw_raw(&w, "\n", 1);
	return jsonw_finish(&w);
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct {
	char *err;
	size_t errcap;
	bool failed;
} Dec;

/* Record the first failure: "field \"KEY\" WHAT" (or "missing ..."). */
static void
dec_fail(Dec *d, const char *what, const char *key)
{
	if (!d->failed) {
		if (strcmp(what, "missing") == 0)
			snprintf(
			    d->err, d->errcap, "missing field \"%s\"", key);
		else
			snprintf(
			    d->err, d->errcap, "field \"%s\" %s", key, what);
	}
	d->failed = true;
}

/* A string field: absent or null leaves "", a non-string is an error. */
static void
get_str(Dec *d, const cJSON *o, const char *key, char *dst, size_t cap,
    bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	dst[0] = '\0';
	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			dec_fail(d, "missing", key);
		return;
	}
	if (!cJSON_IsString(v)) {
		dec_fail(d, "is not a string", key);
		return;
	}
	str_copy(dst, cap, v->valuestring);
}

static double
get_num(Dec *d, const cJSON *o, const char *key, double dflt, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			dec_fail(d, "missing", key);
		return dflt;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
		dec_fail(d, "is not a number", key);
		return dflt;
	}
	return v->valuedouble;
}

static int
get_int(Dec *d, const cJSON *o, const char *key, int dflt, bool required)
{
	double v = get_num(d, o, key, dflt, required);

	if (v > 2147483647.0 || v < -2147483648.0) {
		dec_fail(d, "is out of range", key);
		return dflt;
	}
	return (int)v;
}

static bool
get_bool(Dec *d, const cJSON *o, const char *key, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			dec_fail(d, "missing", key);
		return false;
	}
	if (!cJSON_IsBool(v)) {
		dec_fail(d, "is not a boolean", key);
		return false;
	}
	return cJSON_IsTrue(v);
}

/* An enum field by name; unknown names are an error. */
static int
get_enum(Dec *d, const cJSON *o, const char *key, int (*from)(const char *),
    bool required)
{
	char buf[32];
	int v;

	get_str(d, o, key, buf, sizeof(buf), required);
	if (buf[0] == '\0')
		return -1;
	v = from(buf);
	if (v < 0)
		dec_fail(d, "has an unknown value", key);
	return v;
}

static void
decode_probe(Dec *d, const cJSON *o, ProbeEvent *p)
{
	const cJSON *ms;
	char via[16] = "", tls[32];
	int e;

	get_str(d, o, "endpoint", p->endpoint, sizeof(p->endpoint), true);
	get_str(d, o, "via", via, sizeof(via), false);
	p->via_public = strcmp(via, "public") == 0;
	p->ok = get_bool(d, o, "ok", true);
	p->status = get_int(d, o, "status", 0, false);
	e = get_enum(d, o, "error", probe_error_from_name, false);
	p->error = e < 0 ? PERR_NONE : (ProbeError)e;
	/* Only with error "tls"; a reason this version does not know
	 * (a newer writer's) is kept as no reason, not an error. */
	get_str(d, o, "tls", tls, sizeof(tls), false);
	e = tls_reason_from_name(tls);
	p->tls = p->error == PERR_TLS && e > 0 ? (TlsReason)e : TLSR_NONE;
	ms = cJSON_GetObjectItemCaseSensitive(o, "ms");
	if (ms != NULL && !cJSON_IsNull(ms)) {
		if (!cJSON_IsObject(ms)) {
			dec_fail(d, "is not an object", "ms");
			return;
		}
		p->ms.dns = get_num(d, ms, "dns", -1, false);
		p->ms.connect = get_num(d, ms, "connect", -1, false);
		p->ms.tls = get_num(d, ms, "tls", -1, false);
		p->ms.ttfb = get_num(d, ms, "ttfb", -1, false);
		p->ms.total = get_num(d, ms, "total", -1, false);
	}
	get_str(d, o, "served_by", p->served_by, sizeof(p->served_by), false);
}

static void
decode_route(Dec *d, const cJSON *o, RouteEvent *r)
{
	const cJSON *shares, *s;
	int c;

	get_str(d, o, "from", r->from, sizeof(r->from), false);
	get_str(d, o, "to", r->to, sizeof(r->to), true);
	c = get_enum(d, o, "cause", route_cause_from_name, true);
	r->cause = c < 0 ? CAUSE_AUTO : (RouteCause)c;
	r->fail_open = get_bool(d, o, "fail_open", false);
	shares = cJSON_GetObjectItemCaseSensitive(o, "shares");
	if (shares == NULL || cJSON_IsNull(shares))
		return;
	if (!cJSON_IsObject(shares)) {
		dec_fail(d, "is not an object", "shares");
		return;
	}
	cJSON_ArrayForEach (s, shares) {
		if (r->nshares == EV_SHARES_MAX)
			break;
		if (!cJSON_IsNumber(s)) {
			dec_fail(d, "holds a non-number", "shares");
			return;
		}
		str_copy(r->shares[r->nshares].name, EV_NAME_MAX, s->string);
		r->shares[r->nshares].share = s->valuedouble;
		r->nshares++;
	}
}

static void
decode_dns(Dec *d, const cJSON *o, DnsEvent *n)
{
	const cJSON *answers, *a;

	get_str(d, o, "resolver", n->resolver, sizeof(n->resolver), true);
	get_str(d, o, "resolver_name", n->resolver_name,
	    sizeof(n->resolver_name), false);
	get_str(d, o, "name", n->name, sizeof(n->name), false);
	get_str(d, o, "rcode", n->rcode, sizeof(n->rcode), true);
	get_str(d, o, "endpoint", n->endpoint, sizeof(n->endpoint), false);
	n->ttl = get_int(d, o, "ttl", -1, false);
	n->ms = get_num(d, o, "ms", -1, false);
	answers = cJSON_GetObjectItemCaseSensitive(o, "answers");
	if (answers == NULL || cJSON_IsNull(answers))
		return;
	if (!cJSON_IsArray(answers)) {
		dec_fail(d, "is not an array", "answers");
		return;
	}
	cJSON_ArrayForEach (a, answers) {
		if (n->nanswers == EV_ANSWERS_MAX)
			break;
		if (!cJSON_IsString(a)) {
			dec_fail(d, "holds a non-string", "answers");
			return;
		}
		str_copy(
		    n->answers[n->nanswers++], EV_HOST_MAX, a->valuestring);
	}
}

static void
decode_action(Dec *d, const cJSON *o, ActionEvent *a)
{
	int p;

	get_str(d, o, "name", a->name, sizeof(a->name), true);
	get_str(d, o, "step", a->step, sizeof(a->step), false);
	get_str(d, o, "from", a->from, sizeof(a->from), false);
	get_str(d, o, "to", a->to, sizeof(a->to), false);
	get_str(d, o, "by", a->by, sizeof(a->by), false);
	p = get_enum(d, o, "phase", action_phase_from_name, true);
	a->phase = p < 0 ? ACT_STARTED : (ActionPhase)p;
	get_str(d, o, "line", a->line, sizeof(a->line), false);
	a->exit_code = get_int(d, o, "exit", -1, false);
	a->signal = get_int(d, o, "signal", 0, false);
	get_str(d, o, "error", a->error, sizeof(a->error), false);
}

static void
decode_body(Dec *d, const cJSON *o, Event *ev)
{
	int v;

	switch (ev->type) {
	case EV_PROBE:
		decode_probe(d, o, &ev->u.probe);
		break;
	case EV_HEALTH:
		get_str(
		    d, o, "endpoint", ev->u.health.endpoint, EV_NAME_MAX, true);
		v = get_enum(d, o, "from", health_state_from_name, true);
		ev->u.health.from = v < 0 ? HEALTH_CHECKING : (HealthState)v;
		v = get_enum(d, o, "to", health_state_from_name, true);
		ev->u.health.to = v < 0 ? HEALTH_CHECKING : (HealthState)v;
		get_str(
		    d, o, "reason", ev->u.health.reason, EV_TEXT_MAX, false);
		break;
	case EV_ROUTE:
		decode_route(d, o, &ev->u.route);
		break;
	case EV_DNS:
		decode_dns(d, o, &ev->u.dns);
		break;
	case EV_CONVERGED:
	case EV_DIVERGED:
		get_str(d, o, "resolver", ev->u.conv.resolver, EV_RESOLVER_MAX,
		    true);
		get_str(d, o, "resolver_name", ev->u.conv.resolver_name,
		    EV_NAME_MAX, false);
		get_str(
		    d, o, "endpoint", ev->u.conv.endpoint, EV_NAME_MAX, false);
		get_str(
		    d, o, "expected", ev->u.conv.expected, EV_NAME_MAX, false);
		ev->u.conv.after = get_num(d, o, "after", -1, false);
		break;
	case EV_CERT:
		get_str(
		    d, o, "endpoint", ev->u.cert.endpoint, EV_NAME_MAX, true);
		ev->u.cert.days_left = get_int(d, o, "days_left", 0, true);
		ev->u.cert.warning = get_bool(d, o, "warning", false);
		get_str(
		    d, o, "subject", ev->u.cert.subject, EV_TEXT_MAX, false);
		break;
	case EV_ACTION:
		decode_action(d, o, &ev->u.action);
		break;
	case EV_DRILL:
		v = get_enum(d, o, "phase", drill_phase_from_name, true);
		ev->u.drill.phase = v < 0 ? DRILL_START : (DrillPhase)v;
		get_str(d, o, "note", ev->u.drill.note, EV_TEXT_MAX, false);
		break;
	case EV_MARKER:
		get_str(d, o, "note", ev->u.marker.note, EV_TEXT_MAX, false);
		break;
	case EV_ERROR: {
		const cJSON *gap = cJSON_GetObjectItemCaseSensitive(o, "gap");

		get_str(d, o, "source", ev->u.error.source, EV_NAME_MAX, false);
		get_str(
		    d, o, "message", ev->u.error.message, EV_TEXT_MAX, false);
		if (cJSON_IsObject(gap)) {
			double n = get_num(d, gap, "count", 0, true);

			ev->u.error.gap_from = get_num(d, gap, "from", 0, true);
			ev->u.error.gap_to = get_num(d, gap, "to", 0, true);
			ev->u.error.gap_count =
			    n > 0 && n < 1e15 ? (unsigned long)n : 0;
		}
		break;
	}
	default:
		break;
	}
}

int
event_from_json(
    const char *line, size_t len, Event *ev, char *err, size_t errcap)
{
	Dec d = {err, errcap, false};
	const cJSON *type;
	cJSON *root;
	int t, rc = -1;

	root = cJSON_ParseWithLengthOpts(line, len, NULL, false);
	if (root == NULL) {
		snprintf(err, errcap, "not valid JSON");
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errcap, "not a JSON object");
		goto out;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (!cJSON_IsString(type)) {
		snprintf(err, errcap, "no \"type\" string");
		goto out;
	}
	t = event_type_from_name(type->valuestring);
	if (t < 0) {
		rc = 0;
		goto out;
	}
	event_init(ev, (EventType)t, 0);
	ev->t = get_num(&d, root, "t", 0, true);
	if (ev->t < 0)
		dec_fail(&d,
		    "is negative (it counts seconds from the session's "
		    "start)",
		    "t");
	decode_body(&d, root, ev);
	rc = d.failed ? -1 : 1;
out:
	cJSON_Delete(root);
	return rc;
}

/* ---- session header ---------------------------------------------------- */

char *
event_session_line(
    const char *started, const char *mode, const char *profile_json)
{
	size_t cap = 512 + strlen(started) + strlen(mode) +
	    2 * (profile_json ? strlen(profile_json) : 4);
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "type", "session");
	jsonw_key_int(&w, "v", 1);
	jsonw_key_str(&w, "version", DRTOP_VERSION);
	jsonw_key_str(&w, "started", started);
	jsonw_key_str(&w, "mode", mode);
	jsonw_key(&w, "profile");
	if (profile_json != NULL)
		jsonw_raw(&w, profile_json, strlen(profile_json));
	else
		jsonw_null(&w);
	jsonw_obj_close(&w);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("session header does not fit in %zu bytes", cap);
	return buf;
}

int
event_parse_session(
    const char *line, size_t len, SessionHeader *out, char *err, size_t errcap)
{
	Dec d = {err, errcap, false};
	const cJSON *type, *prof;
	cJSON *root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	root = cJSON_ParseWithLengthOpts(line, len, NULL, false);
	if (root == NULL) {
		snprintf(err, errcap, "not valid JSON");
		return -1;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	if (!cJSON_IsObject(root) || !cJSON_IsString(type) ||
	    strcmp(type->valuestring, "session") != 0) {
		snprintf(err, errcap, "not a session header");
		goto out;
	}
	out->v = get_int(&d, root, "v", 0, true);
	get_str(&d, root, "version", out->version, sizeof(out->version), false);
	get_str(&d, root, "started", out->started, sizeof(out->started), true);
	get_str(&d, root, "mode", out->mode, sizeof(out->mode), false);
	prof = cJSON_GetObjectItemCaseSensitive(root, "profile");
	if (cJSON_IsObject(prof))
		out->profile_json = cJSON_PrintUnformatted(prof);
	rc = d.failed ? -1 : 0;
	if (rc != 0)
		session_header_fini(out);
out:
	cJSON_Delete(root);
	return rc;
}

void
session_header_fini(SessionHeader *h)
{
	free(h->profile_json);
	h->profile_json = NULL;
}
