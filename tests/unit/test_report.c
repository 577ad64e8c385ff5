/*
 * report: a scripted drill written with the recorder and read back with
 * logread gives the metrics worked out by hand here; derived phases;
 * nulls where phases never happened; nearest-rank percentiles against a
 * sort; the JSON, Markdown and HTML renderings, and that they name
 * detection and failover apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "helpers.h"
#include "journal/logread.h"
#include "journal/recorder.h"
#include "journal/report.h"
#include "journal/report_fmt.h"
#include "model/profile.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "rep");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

/* ---- a tiny script language for drills ---------------------------------- */

static Recorder *rec;

static void
put(const Event *ev)
{
	assert_int_equal(recorder_write(rec, ev), 0);
}

static void
probe(double t, const char *ep, bool ok, ProbeError err, double total)
{
	Event ev = th_probe(t, ep, ok, err, total);

	put(&ev);
}

static void
route(double t, const char *from, const char *to)
{
	Event ev = th_route(t, from, to, CAUSE_AUTO);

	put(&ev);
}

static void
health(double t, const char *ep, HealthState from, HealthState to)
{
	Event ev = th_health(t, ep, from, to, "scripted");

	put(&ev);
}

static void
drill(double t, DrillPhase p, const char *note)
{
	Event ev = th_drill(t, p, note);

	put(&ev);
}

static void
converged(double t, const char *res, const char *ep)
{
	Event ev = th_converged(t, res, ep, 1);

	put(&ev);
}

static void
action(double t, ActionPhase ph, int exit_code)
{
	Event ev;

	event_init(&ev, EV_ACTION, t);
	strcpy(ev.u.action.name, "failover");
	strcpy(ev.u.action.from, "a");
	strcpy(ev.u.action.to, "b");
	strcpy(ev.u.action.by, "operator");
	ev.u.action.phase = ph;
	ev.u.action.exit_code = exit_code;
	put(&ev);
}

static void
marker(double t, const char *note)
{
	Event ev = th_marker(t, note);

	put(&ev);
}

static const char *
start_log(const char *name, const char *profile)
{
	static char path[256];
	char err[256];
	char *hdr;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path); /* a fixture made again: the recorder never overwrites */
	hdr = event_session_line("2026-11-21T08:00:00.000Z", "live", profile);
	rec = recorder_open(path, hdr, NULL, err, sizeof(err));
	assert_non_null(rec);
	free(hdr);
	return path;
}

/* Close the recording and compute its report through logread. */
static Report *
finish_log(const char *path)
{
	char err[256];
	SessionHeader h;
	LogRead *lr;
	Report *r;
	Event ev;
	int rc;

	assert_int_equal(recorder_close(rec, err, sizeof(err)), 0);
	lr = logread_open(path, &h, err, sizeof(err));
	assert_non_null(lr);
	r = report_new(&h, path);
	while ((rc = logread_next(lr, &ev, err, sizeof(err))) == 1)
		report_feed(r, &ev);
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, 0);
	report_finish(r);
	logread_close(lr);
	session_header_fini(&h);
	return r;
}

/* A client's-eye probe ("via": "public") served by served_by ("" =
 * unknown). */
static void
public_probe(double t, bool ok, const char *served_by)
{
	Event ev = th_probe(t, EV_PUBLIC, ok, PERR_TIMEOUT, ok ? 40 : 5000);

	ev.u.probe.via_public = true;
	strcpy(ev.u.probe.served_by, served_by);
	put(&ev);
}

static void
converged_named(double t, const char *res, const char *name, const char *ep)
{
	Event ev = th_converged(t, res, ep, 1);

	strcpy(ev.u.conv.resolver_name, name);
	put(&ev);
}

static void
diverged(double t, const char *res, const char *name, const char *ep,
    const char *expected)
{
	Event ev;

	event_init(&ev, EV_DIVERGED, t);
	strcpy(ev.u.conv.resolver, res);
	strcpy(ev.u.conv.resolver_name, name);
	strcpy(ev.u.conv.endpoint, ep);
	strcpy(ev.u.conv.expected, expected);
	ev.u.conv.after = 1;
	put(&ev);
}

static const char profile_ab[] =
    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
    "\"resolvers\":[\"r1\",\"r2\"]},\"endpoints\":[{\"name\":\"a\"},"
    "{\"name\":\"b\"}],\"drill\":{\"rto_target\":60,\"dir\":\"d\"}}";

/* The full drill of the comment in each step; expected values by hand. */
static Report *
drill_a(void)
{
	const char *path = start_log("a.jsonl", profile_ab);

	drill(0, DRILL_START, "game day");
	probe(1, "a", true, PERR_NONE, 10);
	probe(1.5, "b", true, PERR_NONE, 20);
	probe(2, "a", true, PERR_NONE, 11);
	probe(2.5, "b", true, PERR_NONE, 21);
	probe(3, "a", true, PERR_NONE, 12);
	route(3.5, "", "a");
	probe(4, "a", true, PERR_NONE, 13);
	drill(5, DRILL_FAULT, "kill a");
	probe(5.5, "a", false, PERR_REFUSED, 1);
	probe(6.5, "a", false, PERR_STATUS, 30);
	probe(7.5, "a", false, PERR_STATUS, 31);
	health(7.5, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(7.5, "a", "b"); /* expected, not a phase */
	probe(8, "b", true, PERR_NONE, 22);
	probe(9, "b", true, PERR_NONE, 23);
	converged(9.5, "r1", "b"); /* DNS moved; r2 never follows */
	marker(10, "called b: ok");
	action(11, ACT_STARTED, -1);
	action(12.5, ACT_FINISHED, 0);
	drill(20, DRILL_END, "");
	probe(21, "a", true, PERR_NONE, 99); /* after the end */
	return finish_log(path);
}

static void
test_recorded_drill(void **state)
{
	Report *r = drill_a();
	int a, b;

	(void)state;
	assert_string_equal(r->drill, "game day");
	assert_string_equal(r->service, "svc");
	assert_double_equal(r->rto_target, 60, 0);
	assert_string_equal(r->fault_endpoint, "a");
	assert_string_equal(r->new_endpoint, "b");
	assert_double_equal(r->t0, 0, 0);
	assert_double_equal(r->phase[DRILL_START], 0, 0);
	assert_double_equal(r->phase[DRILL_FAULT], 5, 0);
	assert_true(r->recorded[DRILL_FAULT]);
	assert_double_equal(r->phase[DRILL_DETECTED], 7.5, 0);
	assert_false(r->recorded[DRILL_DETECTED]);
	/* failover is when DNS moved (r1 on b), not the route change */
	assert_double_equal(r->failover_route_t, 7.5, 0);
	assert_true(r->failover_observed);
	assert_double_equal(r->phase[DRILL_FAILOVER], 9.5, 0);
	assert_double_null(r->phase[DRILL_CONVERGED]); /* r2 never */
	/* restored needs every resolver: never, though b answered */
	assert_double_null(r->phase[DRILL_RESTORED]);
	assert_int_equal(r->restored_by, REPORT_RESTORED_NONE);
	assert_double_equal(r->phase[DRILL_END], 20, 0);
	assert_double_equal(r->detect_s, 2.5, 0);
	assert_double_equal(r->failover_s, 4.5, 0);
	assert_double_null(r->restored_s);
	assert_double_null(r->rto_s);
	assert_int_equal(r->rto_met, 0); /* a target, never restored */
	assert_int_equal(r->nresolvers, 2);
	assert_double_equal(
	    r->resolvers[report_resolver_index(r, "r1")].converged_s, 4.5, 0);
	assert_double_null(
	    r->resolvers[report_resolver_index(r, "r2")].converged_s);
	assert_double_null(r->converged_all_s);
	/* No monitor or targets: the profile does not load for `check`. */
	assert_double_null(r->bound_s);
	assert_int_equal(r->bound_exceeded, -1);

	a = report_endpoint_index(r, "a");
	b = report_endpoint_index(r, "b");
	assert_int_equal(a, 0); /* profile order */
	assert_int_equal(b, 1);
	/* a within [start, end]: totals 10 11 12 13 1 30 31 */
	assert_int_equal(r->endpoints[a].count, 7);
	assert_int_equal(r->endpoints[a].ok, 4);
	assert_int_equal(r->endpoints[a].failures[PERR_REFUSED], 1);
	assert_int_equal(r->endpoints[a].failures[PERR_STATUS], 2);
	assert_double_equal(r->endpoints[a].p50_ms, 12, 0); /* rank 4 of 7 */
	assert_double_equal(r->endpoints[a].p95_ms, 31, 0); /* rank 7 of 7 */
	assert_double_equal(r->endpoints[a].availability, 4.0 / 7.0, 1e-15);
	assert_int_equal(r->endpoints[b].count, 4);
	assert_double_equal(r->endpoints[b].p50_ms, 21, 0);
	assert_double_equal(r->endpoints[b].p95_ms, 23, 0);
	assert_double_equal(r->endpoints[b].availability, 1, 0);
	assert_int_equal(r->public_ep.nprobes, 0);

	assert_int_equal(r->nactions, 1);
	assert_int_equal(r->actions[0].exit_code, 0);
	assert_double_equal(r->actions[0].duration_s, 1.5, 0);
	assert_string_equal(r->actions[0].by, "operator");
	assert_int_equal(r->nmarkers, 1);
	assert_string_equal(r->markers[0].text, "called b: ok");
	assert_int_equal(r->nroutes, 2);
	report_free(r);
}

/* No drill events: the fault is the first failed probe of the routed
 * endpoint, even a blip; nothing after detection happened. */
static void
test_derived_and_nulls(void **state)
{
	const char *path = start_log("derived.jsonl",
	    "{\"service\":\"svc\",\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"}],\"drill\":{\"rto_target\":30}}");
	Report *r;

	(void)state;
	probe(0.5, "b", false, PERR_TIMEOUT, 5000); /* not routed yet */
	route(1, "", "a");
	probe(1.2, "a", true, PERR_NONE, 5);
	probe(1.4, "b", false, PERR_TIMEOUT, 5000); /* no traffic on b */
	probe(2, "a", false, PERR_TIMEOUT, 5000);
	probe(3, "a", true, PERR_NONE, 5);
	probe(4, "a", false, PERR_RESET, -1);
	probe(5, "a", false, PERR_RESET, -1);
	probe(6, "a", false, PERR_RESET, -1);
	health(6, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	r = finish_log(path);

	assert_string_equal(r->drill, "derived.jsonl");
	assert_string_equal(r->fault_endpoint, "a");
	assert_double_equal(r->phase[DRILL_FAULT], 2, 0);
	assert_false(r->recorded[DRILL_FAULT]);
	assert_double_equal(r->phase[DRILL_DETECTED], 6, 0);
	assert_double_equal(r->detect_s, 4, 0);
	assert_double_equal(r->t0, 0, 0); /* no start: session 0 */
	assert_double_null(r->phase[DRILL_START]);
	assert_double_null(r->phase[DRILL_FAILOVER]);
	assert_double_null(r->failover_route_t);
	assert_double_null(r->phase[DRILL_CONVERGED]);
	assert_double_null(r->phase[DRILL_RESTORED]);
	assert_double_null(r->phase[DRILL_END]);
	assert_double_null(r->failover_s);
	assert_double_null(r->converged_all_s);
	assert_double_null(r->restored_s);
	assert_double_null(r->rto_s);
	/* a target, but nothing could observe a restore: unknown */
	assert_int_equal(r->rto_met, -1);
	assert_int_equal(r->nresolvers, 0); /* no dns.name */
	assert_false(r->failover_observed);
	/* a: 6 probes, 3 measured totals 5 5 5000 */
	assert_int_equal(r->endpoints[0].count, 6);
	assert_int_equal(r->endpoints[0].failures[PERR_RESET], 3);
	assert_int_equal(r->endpoints[0].failures[PERR_TIMEOUT], 1);
	assert_double_equal(r->endpoints[0].p50_ms, 5, 0);
	assert_double_equal(r->endpoints[0].p95_ms, 5000, 0);
	report_free(r);

	/* A quiet log: every phase and metric null, rto_met null. */
	path = start_log("quiet.jsonl", "{\"service\":\"svc\"}");
	route(1, "", "a");
	probe(2, "a", true, PERR_NONE, 7);
	r = finish_log(path);
	for (int i = 0; i < DRILL__COUNT; i++)
		assert_double_null(r->phase[i]);
	assert_double_null(r->detect_s);
	assert_double_null(r->rto_target);
	assert_int_equal(r->rto_met, -1);
	assert_int_equal(r->bound_exceeded, -1);
	assert_int_equal(r->nendpoints, 1);
	report_free(r);
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
test_percentile(void **state)
{
	double v[300], s[300];

	(void)state;
	srand(3);
	assert_double_null(report_percentile(v, 0, 50));
	for (size_t n = 1; n <= 300; n += 7) {
		for (size_t i = 0; i < n; i++)
			s[i] = v[i] = rand() % 40; /* many duplicates */
		qsort(s, n, sizeof(double), cmp_d);
		const double ps[] = {1, 50, 95, 99, 100};
		for (size_t k = 0; k < 5; k++) {
			size_t rank = (size_t)ceil(ps[k] / 100.0 * (double)n);
			double want = s[(rank ? rank : 1) - 1];
			for (size_t i = 0; i < n; i++)
				v[i] = s[(i * 7919) % n]; /* shuffled */
			assert_double_equal(
			    report_percentile(v, n, ps[k]), want, 0);
		}
	}
}

static char *
render(const Report *r, ReportFormat fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_write(r, NULL, fmt, f), 0);
	fclose(f);
	return buf;
}

static double
num_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	assert_non_null(v);
	if (cJSON_IsNull(v))
		return NAN;
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static const char *
str_at(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_non_null(v);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* -1 null, 0 false, 1 true */
static int
bool_at(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_non_null(v);
	assert_true(cJSON_IsBool(v) || cJSON_IsNull(v));
	return cJSON_IsNull(v) ? -1 : cJSON_IsTrue(v);
}

/* The three decimals the tables print ("—" for null). */
static const char *
s3(char *buf, double v)
{
	if (isnan(v))
		strcpy(buf, "—");
	else
		snprintf(buf, 32, "%.3f", v);
	return buf;
}

/* s as report_fmt writes it into XML (for the few characters drtop's
 * own words use: ' & < >). */
static const char *
xml(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 6 < cap; s++) {
		const char *e = *s == '\'' ? "&#39;"
		    : *s == '&'            ? "&amp;"
		    : *s == '<'            ? "&lt;"
		    : *s == '>'            ? "&gt;"
		                           : NULL;
		if (e != NULL)
			n += (size_t)snprintf(out + n, cap - n, "%s", e);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

static void
assert_has(const char *text, const char *what, const char *want)
{
	if (strstr(text, want) == NULL) {
		fprintf(stderr, "%s\n", text);
		fail_msg("%s: no \"%s\" in the text above", what, want);
	}
}

/*
 * md, json and html of r agree on every number: each phase (from start,
 * session t, since the fault), each metric, each resolver's
 * convergence (by its display name), the bound and its verdict, the
 * definition restored used, the expected-not-observed mark, every
 * diverged resolver and the client's-eye row -- all read from the JSON
 * and looked up in the Markdown and the HTML. Returns the parsed JSON
 * (caller deletes).
 */
static cJSON *
assert_agree(const Report *r)
{
	char *json = render(r, REPORT_FMT_JSON);
	char *md = render(r, REPORT_FMT_MD);
	char *html = render(r, REPORT_FMT_HTML);
	cJSON *root = cJSON_Parse(json);
	const cJSON *ph, *m, *conv, *names, *dv, *e;
	char want[512], a[32], b[128], c[32];
	double t0, fault;
	int observed, exceeded;

	assert_non_null(root);
	t0 = num_at(root, "t0", NULL);
	assert_double_equal(t0, r->t0, 0);
	ph = cJSON_GetObjectItem(root, "phases");
	m = cJSON_GetObjectItem(root, "metrics");
	fault = num_at(ph, "fault", NULL);
	observed = bool_at(root, "failover_observed");
	for (int i = 0; i < DRILL__COUNT; i++) {
		const char *name = drill_phase_name((DrillPhase)i);
		double v = num_at(ph, name, NULL);
		bool exp = i == DRILL_FAILOVER && !observed && !isnan(v);
		/* the report's own numbers, from start */
		assert_double_equal(v, r->phase[i] - r->t0, 1e-12);
		snprintf(want, sizeof(want), "\n| %s | %s | %s | %s | %s", name,
		    s3(a, v), s3(b, v + t0), s3(c, v - fault),
		    isnan(v) ? "never happened"
		        : exp
		        ? (r->recorded[i] ? "recorded; expected, not observed"
		                          : "derived; expected, not observed")
		        : r->recorded[i] ? "recorded |"
		                         : "derived |");
		assert_has(md, "md phase", want);
		snprintf(want, sizeof(want),
		    "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s"
		    "</td><td class=\"n\">%s</td><td>%s",
		    name, a, b, c,
		    isnan(v)  ? "never happened"
		        : exp ? (r->recorded[i] ? "recorded; expected"
		                                : "derived; expected")
		        : r->recorded[i] ? "recorded<"
		                         : "derived<");
		assert_has(html, "html phase", want);
	}

	const struct {
		const char *row, *key;
	} metrics[] = {
	    {"detect_s (fault → detected)", "detect_s"},
	    {observed ? "failover_s (fault → DNS moved)"
	              : "failover_s (fault → route change; expected, not "
	                "observed)",
	        "failover_s"},
	    {"restored_s (fault → restored)", "restored_s"},
	    {"rto_s", "rto_s"},
	    {"rto_target", "rto_target"},
	    {"bound_s (drtop check's worst case)", "bound_s"},
	};
	for (size_t i = 0; i < sizeof(metrics) / sizeof(*metrics); i++) {
		double v = num_at(m, metrics[i].key, NULL);
		snprintf(want, sizeof(want), "\n| %s | %s |\n", metrics[i].row,
		    s3(a, v));
		assert_has(md, metrics[i].key, want);
		snprintf(want, sizeof(want),
		    "<tr><td>%s</td><td class=\"n\">%s</td></tr>",
		    xml(b, sizeof(b), metrics[i].row), a);
		assert_has(html, metrics[i].key, want);
	}
	conv = cJSON_GetObjectItem(m, "converged_s");
	names = cJSON_GetObjectItem(root, "resolver_names");
	assert_non_null(names);
	cJSON_ArrayForEach (e, conv) {
		const cJSON *label = cJSON_GetObjectItem(names, e->string);
		double v = cJSON_IsNull(e) ? NAN : e->valuedouble;
		if (strcmp(e->string, "all") == 0)
			snprintf(want, sizeof(want),
			    "converged_s, all resolvers | %s |", s3(a, v));
		else
			snprintf(want, sizeof(want),
			    "converged_s, resolver %s | %s |",
			    label ? label->valuestring : e->string, s3(a, v));
		assert_has(md, "md converged_s", want);
	}

	/* The bound and its verdict, in the metrics and the summary. */
	exceeded = bool_at(m, "bound_exceeded");
	assert_int_equal(exceeded, r->bound_exceeded);
	snprintf(want, sizeof(want), "\n| bound_exceeded | %s |\n",
	    exceeded < 0   ? "n/a"
	        : exceeded ? "EXCEEDED"
	                   : "within");
	assert_has(md, "md bound_exceeded", want);
	if (r->fault_endpoint[0] != '\0' && !isnan(r->phase[DRILL_FAULT])) {
		const char *word = exceeded < 0 ? "not known"
		    : exceeded                  ? "EXCEEDED"
		                                : "within the bound";
		snprintf(want, sizeof(want), "**%s**\n", word);
		assert_has(md, "md bound verdict", want);
		snprintf(want, sizeof(want), "<strong class=\"%s\">%s</strong>",
		    exceeded < 0   ? "na"
		        : exceeded ? "missed"
		                   : "met",
		    word);
		assert_has(html, "html bound verdict", want);
		if (!isnan(num_at(m, "bound_s", NULL))) {
			snprintf(want, sizeof(want), "bound for %s",
			    r->fault_endpoint);
			assert_has(md, "md bound line", want);
			snprintf(want, sizeof(want), "%s s — **",
			    s3(a, num_at(m, "bound_s", NULL)));
			assert_has(md, "md bound line", want);
		}
	}

	/* Which definition restored used. */
	const char *by = str_at(root, "restored_by");
	assert_int_equal(by == NULL, r->restored_by == REPORT_RESTORED_NONE);
	if (by != NULL && !isnan(num_at(ph, "restored", NULL))) {
		snprintf(want, sizeof(want),
		    "- **Restored:** at %s s, %s s after the fault, by the %s",
		    s3(a, num_at(ph, "restored", NULL)),
		    s3(b, num_at(m, "restored_s", NULL)),
		    strcmp(by, "public") == 0
		        ? "first client's-eye probe served by another "
		          "healthy endpoint\n"
		        : "later of every resolver converging and ");
		assert_has(md, "md restored", want);
		assert_int_equal(strcmp(by, "public") == 0,
		    r->restored_by == REPORT_RESTORED_PUBLIC);
	}
	if (!isnan(fault)) {
		snprintf(want, sizeof(want), "- **Failover:** %s",
		    !observed && !isnan(num_at(ph, "failover", NULL)) ? "at "
		                                                      : "");
		assert_has(md, "md failover", want);
		if (!observed && !isnan(num_at(ph, "failover", NULL))) {
			assert_has(md, "md failover",
			    "(no resolver): **expected, not observed**\n");
			assert_has(html, "html failover",
			    "<strong class=\"na\">expected, not "
			    "observed</strong></li>");
		}
	}
	if (!isnan(num_at(root, "route_change", NULL))) {
		snprintf(want, sizeof(want),
		    "; the expected route changed to %s at %s s\n",
		    str_at(root, "failover_to"),
		    s3(a, num_at(root, "route_change", NULL)));
		assert_has(md, "md route change", want);
	}

	/* Diverged resolvers, from start and session t. */
	dv = cJSON_GetObjectItem(root, "diverged");
	assert_true(cJSON_IsArray(dv));
	if (cJSON_GetArraySize(dv) == 0)
		assert_has(
		    md, "md diverged", "## Diverged resolvers\n\nNone.\n");
	cJSON_ArrayForEach (e, dv) {
		const char *name = str_at(e, "name");
		double t = num_at(e, "t", NULL);
		snprintf(want, sizeof(want), "\n| %s | %s | %s | %s | %s |\n",
		    name ? name : str_at(e, "resolver"), s3(a, t),
		    s3(b, t + t0), str_at(e, "endpoint"),
		    str_at(e, "expected"));
		assert_has(md, "md diverged", want);
		snprintf(want, sizeof(want),
		    "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s"
		    "</td><td>%s</td><td>%s</td></tr>",
		    name ? name : str_at(e, "resolver"), a, b,
		    str_at(e, "endpoint"), str_at(e, "expected"));
		assert_has(html, "html diverged", want);
	}

	/* The client's-eye probe as an endpoints row. */
	e = cJSON_GetObjectItem(root, "public");
	assert_non_null(e);
	if (cJSON_IsNull(e)) {
		assert_null(strstr(md, "client's eye)"));
	} else {
		snprintf(want, sizeof(want), "\n| public (client's eye) | %d |",
		    (int)num_at(e, "probes", NULL));
		assert_has(md, "md public", want);
		snprintf(want, sizeof(want),
		    "<tr><td>public (client&#39;s eye)</td><td "
		    "class=\"n\">%d</td>",
		    (int)num_at(e, "probes", NULL));
		assert_has(html, "html public", want);
	}
	free(json);
	free(md);
	free(html);
	return root;
}

/* A fault marked after detection was recorded (an operator who marks
 * late): like the live tracker, the report does not use it; the fault is
 * the first failed probe, and the late mark is named. */
static void
test_late_fault_mark(void **state)
{
	const char *path = start_log("late.jsonl", profile_ab);
	char *json, *md;
	cJSON *root;
	Report *r;

	(void)state;
	drill(0, DRILL_START, "late");
	route(1, "", "a");
	probe(1.5, "a", true, PERR_NONE, 5);
	probe(2, "a", false, PERR_STATUS, 5);
	probe(3, "a", false, PERR_STATUS, 5);
	health(3, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	drill(3, DRILL_DETECTED, "a degraded");
	drill(6, DRILL_FAULT, "marked late");
	r = finish_log(path);
	assert_false(r->recorded[DRILL_FAULT]);
	assert_double_equal(r->phase[DRILL_FAULT], 2, 0);
	assert_double_equal(r->fault_mark_late, 6, 0);
	assert_double_equal(r->detect_s, 1, 0);
	json = render(r, REPORT_FMT_JSON);
	root = cJSON_Parse(json);
	assert_non_null(root);
	assert_double_equal(num_at(root, "fault_mark_late", NULL), 6, 0);
	assert_double_equal(num_at(root, "phases", "fault"), 2, 0);
	md = render(r, REPORT_FMT_MD);
	assert_non_null(strstr(md,
	    "marked at 6.000 s, after the phases had "
	    "begun, so not used; first failed probe "
	    "of a"));
	cJSON_Delete(root);
	free(json);
	free(md);
	report_free(r);

	/* a mark before detection is the fault, and no late mark is named */
	path = start_log("intime.jsonl", profile_ab);
	drill(0, DRILL_START, "in time");
	route(1, "", "a");
	drill(1.8, DRILL_FAULT, "");
	probe(2, "a", false, PERR_STATUS, 5);
	health(3, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	r = finish_log(path);
	assert_true(r->recorded[DRILL_FAULT]);
	assert_double_equal(r->phase[DRILL_FAULT], 1.8, 0);
	assert_double_null(r->fault_mark_late);
	json = render(r, REPORT_FMT_JSON);
	assert_null(strstr(json, "fault_mark_late"));
	free(json);
	report_free(r);
}

static void
test_renderings(void **state)
{
	Report *r = drill_a();
	char *json, *md, *html, *p;
	cJSON *root, *m;
	int nsvg = 0;

	(void)state;
	json = render(r, REPORT_FMT_JSON);
	root = cJSON_Parse(json);
	assert_non_null(root);
	assert_string_equal(
	    cJSON_GetObjectItem(root, "drill")->valuestring, "game day");
	m = cJSON_GetObjectItem(root, "metrics");
	assert_double_equal(num_at(m, "detect_s", NULL), 2.5, 0);
	assert_double_equal(num_at(m, "failover_s", NULL), 4.5, 0);
	assert_double_null(num_at(m, "rto_s", NULL));
	assert_double_equal(num_at(m, "converged_s", "r1"), 4.5, 0);
	assert_double_null(num_at(m, "converged_s", "r2"));
	assert_double_null(num_at(m, "converged_s", "all"));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(m, "rto_met")));
	assert_double_null(num_at(root, "phases", "converged"));
	assert_double_equal(num_at(root, "phases", "fault"), 5, 0);
	assert_double_equal(num_at(root, "phases", "failover"), 9.5, 0);
	assert_double_equal(num_at(root, "route_change", NULL), 7.5, 0);
	assert_true(
	    cJSON_IsTrue(cJSON_GetObjectItem(root, "failover_observed")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "restored_by")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "public")));
	const cJSON *ea =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(root, "endpoints"), "a");
	assert_double_equal(num_at(ea, "probes", NULL), 7, 0);
	assert_double_equal(num_at(ea, "failures", "status"), 2, 0);
	assert_double_equal(num_at(ea, "p95_ms", NULL), 31, 0);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(root, "actions")), 1);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(root, "markers")), 1);
	cJSON_Delete(root);
	cJSON_Delete(assert_agree(r));

	md = render(r, REPORT_FMT_MD);
	assert_has(md, "title", "# Drill report: game day\n");
	assert_has(md, "detect", "| detect_s (fault → detected) | 2.500 |");
	assert_has(md, "rto", "\n| rto_s | — |\n");
	assert_has(md, "rto verdict",
	    "- **RTO:** — s against a target of 60.000 s: **MISSED**\n");
	assert_has(md, "r2", "| converged_s, resolver r2 | — |");
	assert_has(md, "a",
	    "| a | 7 | refused 1, status 2 | 12.000 | "
	    "31.000 | 57.14% |");
	assert_has(md, "failover",
	    "- **Failover:** DNS moved at 9.500 s, 4.500 s after the "
	    "fault: r1 answered b first\n");
	assert_has(md, "restored",
	    "- **Restored:** never: it needs every resolver converging "
	    "and the first successful probe of b\n");
	assert_has(md, "bound",
	    "- **DNS bound:** the profile in the log gives no drtop check "
	    "bound for a — **not known**\n");
	/* The log's text "called b: ok" needs no escape at all. */
	assert_has(md, "marker", "\n| 10.000 | called b: ok |\n");

	html = render(r, REPORT_FMT_HTML);
	for (p = html; (p = strstr(p, "<svg")) != NULL; p++)
		nsvg++;
	assert_int_equal(nsvg, 1);
	assert_non_null(strstr(html, "</svg>"));
	assert_null(strstr(html, "http://www.w3.org/2000/svg\" href"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	free(md);
	free(html);
	free(json);
	report_free(r);
}

/*
 * Fault, detection, the route change, DNS moved, convergence and
 * restore at six different times, with the drill's start at session t
 * 2 (so from-start and session times differ): a report that printed one
 * phase for another, counted from session 0, or took the route change
 * or N's first answer for an observation fails here. r2 ("second")
 * diverges once before it converges.
 */
static const char *
spread_profile(int ttl)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
	    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
	    "\"ttl\":%d,\"resolvers\":[\"127.0.0.1:5301\","
	    "\"127.0.0.2:5302\"]},\"monitor\":{\"interval\":2,"
	    "\"timeout\":1,\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}],"
	    "\"drill\":{\"rto_target\":60}}",
	    ttl);
	return buf;
}

static Report *
drill_spread(int ttl)
{
	const char *path = start_log("spread.jsonl", spread_profile(ttl));

	route(1, "", "a");
	drill(2, DRILL_START, "spread");
	for (int t = 3; t < 10; t += 2) {
		probe(t, "a", true, PERR_NONE, 10);
		probe(t + 1, "b", true, PERR_NONE, 20);
	}
	drill(10, DRILL_FAULT, "kill a");
	for (int t = 11; t <= 19; t += 2)
		probe(t, "a", false, PERR_STATUS, 30);
	health(13, "a", HEALTH_ONLINE, HEALTH_DEGRADED); /* detected */
	route(21, "a", "b"); /* the expected route */
	probe(22, "b", true, PERR_NONE, 20); /* before DNS moved */
	probe(24, "b", true, PERR_NONE, 20);
	converged(30, "127.0.0.1:5301", "b"); /* DNS moved: failover */
	diverged(35, "127.0.0.2:5302", "second", "a", "b");
	converged_named(40, "127.0.0.2:5302", "second", "b"); /* converged */
	probe(42, "b", true, PERR_NONE, 20); /* restored */
	drill(45, DRILL_END, "");
	return finish_log(path);
}

static void
test_phases_apart(void **state)
{
	Report *r = drill_spread(10);
	char *md, *html;
	cJSON *root, *m, *d;

	(void)state;
	assert_double_equal(r->t0, 2, 0);
	assert_double_equal(r->phase[DRILL_FAULT], 10, 0);
	assert_double_equal(r->phase[DRILL_DETECTED], 13, 0);
	assert_double_equal(r->failover_route_t, 21, 0);
	assert_double_equal(r->phase[DRILL_FAILOVER], 30, 0);
	assert_double_equal(r->phase[DRILL_CONVERGED], 40, 0);
	assert_double_equal(r->phase[DRILL_RESTORED], 42, 0);
	assert_int_equal(r->restored_by, REPORT_RESTORED_CONVERGED);
	assert_true(r->failover_observed);
	assert_double_equal(r->detect_s, 3, 0);
	assert_double_equal(r->failover_s, 20, 0);
	assert_double_equal(r->converged_all_s, 30, 0);
	assert_double_equal(r->restored_s, 32, 0);
	assert_double_equal(r->rto_s, 32, 0);
	assert_int_equal(r->rto_met, 1);
	/* check: interval 2 x (2 + 1) + timeout 1 + TTL 10 = 17 < 30 */
	assert_double_equal(r->bound_s, 17, 0);
	assert_int_equal(r->bound_exceeded, 1);
	assert_string_equal(r->resolvers[1].label, "second");
	assert_true(r->resolvers[1].diverged);

	root = assert_agree(r);
	/* JSON: every time from the start, t0 the start's session t. */
	assert_double_equal(num_at(root, "t0", NULL), 2, 0);
	assert_double_equal(num_at(root, "phases", "start"), 0, 0);
	assert_double_equal(num_at(root, "phases", "fault"), 8, 0);
	assert_double_equal(num_at(root, "phases", "detected"), 11, 0);
	assert_double_equal(num_at(root, "route_change", NULL), 19, 0);
	assert_double_equal(num_at(root, "phases", "failover"), 28, 0);
	assert_double_equal(num_at(root, "phases", "converged"), 38, 0);
	assert_double_equal(num_at(root, "phases", "restored"), 40, 0);
	assert_double_equal(num_at(root, "phases", "end"), 43, 0);
	assert_string_equal(str_at(root, "restored_by"), "converged");
	m = cJSON_GetObjectItem(root, "metrics");
	assert_double_equal(num_at(m, "detect_s", NULL), 3, 0);
	assert_double_equal(num_at(m, "failover_s", NULL), 20, 0);
	assert_double_equal(num_at(m, "converged_s", "127.0.0.1:5301"), 20, 0);
	assert_double_equal(num_at(m, "converged_s", "127.0.0.2:5302"), 30, 0);
	assert_double_equal(num_at(m, "converged_s", "all"), 30, 0);
	assert_double_equal(num_at(m, "restored_s", NULL), 32, 0);
	assert_double_equal(num_at(m, "bound_s", NULL), 17, 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "bound_exceeded")));
	assert_string_equal(str_at(cJSON_GetObjectItem(root, "resolver_names"),
	                        "127.0.0.2:5302"),
	    "second");
	d = cJSON_GetObjectItem(root, "diverged");
	assert_int_equal(cJSON_GetArraySize(d), 1);
	d = cJSON_GetArrayItem(d, 0);
	assert_string_equal(str_at(d, "resolver"), "127.0.0.2:5302");
	assert_string_equal(str_at(d, "name"), "second");
	assert_double_equal(num_at(d, "t", NULL), 33, 0);
	assert_string_equal(str_at(d, "endpoint"), "a");
	assert_string_equal(str_at(d, "expected"), "b");
	/* The route before the start is before 0. */
	assert_double_equal(
	    num_at(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "routes"), 0),
	        "t", NULL),
	    -1, 0);
	cJSON_Delete(root);

	md = render(r, REPORT_FMT_MD);
	assert_has(md, "phases header",
	    "| Phase | from start (s) | session t (s) | since fault (s) | "
	    "source | note |\n");
	assert_has(md, "failover row",
	    "\n| failover | 28.000 | 30.000 | 20.000 | derived | DNS moved: "
	    "first resolver to answer b |\n");
	assert_has(md, "restored row",
	    "\n| restored | 40.000 | 42.000 | 32.000 | derived | later of "
	    "every resolver converging and the first successful probe of "
	    "b |\n");
	assert_has(md, "started",
	    "; times count from the drill's start, at session t 2.000 s\n");
	assert_has(md, "traffic",
	    "- **Traffic at the fault:** a; the expected route changed to b "
	    "at 19.000 s\n");
	assert_has(md, "failover",
	    "- **Failover:** DNS moved at 28.000 s, 20.000 s after the "
	    "fault: 127.0.0.1:5301 answered b first\n");
	assert_has(md, "restored",
	    "- **Restored:** at 40.000 s, 32.000 s after the fault, by the "
	    "later of every resolver converging and b's first successful "
	    "probe\n");
	assert_has(md, "bound",
	    "- **DNS bound:** DNS convergence took 30.000 s after the fault; "
	    "drtop check bound for a: 17.000 s — **EXCEEDED**\n");
	assert_has(md, "diverged",
	    "## Diverged resolvers\n\n| Resolver | from start (s) | session "
	    "t (s) | Answered | Expected |\n|---|---:|---:|---|---|\n"
	    "| second | 33.000 | 35.000 | a | b |\n");
	assert_has(
	    md, "label", "\n| converged_s, resolver second | 30.000 |\n");
	free(md);

	/* The timeline starts at the drill's start, labelled 0 s; the route
	 * before it sits at the left end. */
	html = render(r, REPORT_FMT_HTML);
	assert_has(
	    html, "svg start", "<line x1=\"130.0\" y1=\"60.0\" x2=\"130.0\"");
	assert_has(html, "svg start",
	    "class=\"phase\"><title>start at 0.000 s from start (session t "
	    "2.000) (recorded)</title>");
	assert_has(html, "svg tick",
	    "<text x=\"130.0\" y=\"195.0\" class=\"tick\" "
	    "text-anchor=\"middle\">0s</text>");
	assert_has(html, "svg route",
	    "<g class=\"route\"><title>-1.000 s from start (session t 1.000) "
	    "route (first) -&gt; a (auto)</title><path d=\"M130.0 ");
	assert_has(html, "svg resolver", ">dns second</text>");
	free(html);
	report_free(r);

	/* TTL 30: the bound is 37 s and convergence took 30. */
	r = drill_spread(30);
	assert_double_equal(r->bound_s, 37, 0);
	assert_int_equal(r->bound_exceeded, 0);
	cJSON_Delete(assert_agree(r));
	md = render(r, REPORT_FMT_MD);
	assert_has(md, "within",
	    "drtop check bound for a: 37.000 s — **within the bound**\n");
	free(md);
	report_free(r);
}

/*
 * DNS never converged: EXCEEDED once the log runs past the bound, not
 * known while it ends before it.
 */
static void
test_bound_never_converged(void **state)
{
	Report *r;
	char *md;
	const char *path;

	(void)state;
	for (int past = 0; past < 2; past++) {
		path = start_log("never.jsonl", spread_profile(10));
		route(1, "", "a");
		drill(2, DRILL_START, "never");
		drill(10, DRILL_FAULT, "");
		probe(11, "a", false, PERR_STATUS, 30);
		route(12, "a", "b");
		converged(14, "127.0.0.1:5301", "b"); /* 5302 never */
		drill(20, DRILL_END, "");
		if (past)
			marker(30, "still waiting"); /* 20 s > 17 s */
		r = finish_log(path);
		assert_double_equal(r->phase[DRILL_FAILOVER], 14, 0);
		assert_double_null(r->phase[DRILL_CONVERGED]);
		assert_double_equal(r->bound_s, 17, 0);
		assert_int_equal(r->bound_exceeded, past ? 1 : -1);
		cJSON_Delete(assert_agree(r));
		md = render(r, REPORT_FMT_MD);
		if (past)
			assert_has(md, "exceeded",
			    "- **DNS bound:** DNS never converged; the log "
			    "runs "
			    "20.000 s past the fault, beyond the drtop check "
			    "bound for a of 17.000 s — **EXCEEDED**\n");
		else
			assert_has(md, "not known",
			    "- **DNS bound:** DNS had not converged when the "
			    "log "
			    "ended, 10.000 s after the fault; drtop check "
			    "bound "
			    "for a: 17.000 s — **not known**\n");
		free(md);
		report_free(r);
	}
}

/*
 * Without resolvers DNS is not observed: failover is the route change
 * and every format says "expected, not observed"; restored cannot be
 * observed; the bound cannot be judged though the log runs past it.
 */
static void
test_no_resolvers(void **state)
{
	const char *path = start_log("nodns.jsonl",
	    "{\"service\":\"svc\",\"monitor\":{\"interval\":2,"
	    "\"timeout\":1,\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}],"
	    "\"drill\":{\"rto_target\":60}}");
	Report *r;
	cJSON *root;
	char *md, *html;

	(void)state;
	drill(0, DRILL_START, "no dns");
	route(0.5, "", "a");
	probe(1, "a", true, PERR_NONE, 10);
	drill(5, DRILL_FAULT, "");
	probe(6, "a", false, PERR_STATUS, 10);
	health(8, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(9, "a", "b");
	probe(10, "b", true, PERR_NONE, 10);
	drill(100, DRILL_END, "");
	r = finish_log(path);

	assert_int_equal(r->nresolvers, 0);
	assert_false(r->failover_observed);
	assert_double_equal(r->phase[DRILL_FAILOVER], 9, 0);
	assert_double_equal(r->failover_s, 4, 0);
	assert_double_null(r->phase[DRILL_CONVERGED]);
	assert_double_null(r->phase[DRILL_RESTORED]);
	assert_int_equal(r->restored_by, REPORT_RESTORED_NONE);
	/* 2 x 3 + 1 + the default TTL 60; 95 s of log after the fault */
	assert_double_equal(r->bound_s, 67, 0);
	assert_int_equal(r->bound_exceeded, -1);

	root = assert_agree(r);
	assert_true(
	    cJSON_IsFalse(cJSON_GetObjectItem(root, "failover_observed")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "restored_by")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(root, "metrics"), "bound_exceeded")));
	assert_double_equal(num_at(root, "phases", "failover"), 9, 0);
	cJSON_Delete(root);
	md = render(r, REPORT_FMT_MD);
	assert_has(md, "failover row",
	    "\n| failover | 9.000 | 9.000 | 4.000 | derived; expected, not "
	    "observed | the route change to b |\n");
	assert_has(md, "failover metric",
	    "\n| failover_s (fault → route change; expected, not observed) | "
	    "4.000 |\n");
	assert_has(md, "failover line",
	    "- **Failover:** at 9.000 s, 4.000 s after the fault: the route "
	    "change to b; DNS was not observed (no resolver): **expected, "
	    "not observed**\n");
	assert_has(md, "restored line",
	    "- **Restored:** not observable: the log has no resolver and no "
	    "client's-eye probe\n");
	assert_has(md, "bound line",
	    "- **DNS bound:** DNS was not observed; drtop check bound for a: "
	    "67.000 s — **not known**\n");
	html = render(r, REPORT_FMT_HTML);
	assert_has(html, "html failover row",
	    "<tr><td>failover</td><td class=\"n\">9.000</td><td "
	    "class=\"n\">9.000</td><td class=\"n\">4.000</td><td>derived; "
	    "expected, not observed</td>");
	assert_has(html, "svg label", ">failover (expected)</text>");
	free(html);
	free(md);
	report_free(r);
}

/*
 * With client's-eye probes restored is the first good one served by a
 * healthy endpoint other than the faulted one: not one before the
 * fault, served by a (healthy again, but the faulted one), by a
 * degraded c, failed, or of unknown server.
 * Without them the same log would say 16 (b answers after converging).
 */
/* A report fed directly (not through logread, which refuses the events
 * that name unknown endpoints): with a profile its endpoints are the
 * profile's and nothing else; without one, names up to the cap. */
static void
test_names_bounded(void **state)
{
	SessionHeader h = {
	    1, "0.1.0", "2026-11-21T08:00:00.000Z", "live", (char *)profile_ab};
	Report *r;
	Event ev;
	char name[EV_NAME_MAX];

	(void)state;
	r = report_new(&h, "fixed.jsonl");
	for (int i = 0; i < 3 * REPORT_MAX_ENDPOINTS; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		ev = th_probe(i, name, true, PERR_NONE, 10);
		report_feed(r, &ev);
		ev = th_health(i, name, HEALTH_ONLINE, HEALTH_DEGRADED, "x");
		report_feed(r, &ev);
		ev = th_route(i, "a", name, CAUSE_AUTO);
		report_feed(r, &ev);
		/* a client's-eye probe served by what a server said */
		ev = th_probe(i, EV_PUBLIC, true, PERR_NONE, 10);
		ev.u.probe.via_public = true;
		str_copy(ev.u.probe.served_by, EV_NAME_MAX, name);
		report_feed(r, &ev);
		snprintf(name, sizeof(name), "10.0.%d.%d", i / 256, i % 256);
		ev = th_dns(i, name, "a", 60);
		report_feed(r, &ev);
	}
	report_finish(r);
	assert_int_equal(r->nendpoints, 2);
	assert_string_equal(r->endpoints[0].name, "a");
	assert_string_equal(r->endpoints[1].name, "b");
	assert_int_equal(r->public_ep.nprobes, 3 * REPORT_MAX_ENDPOINTS);
	assert_int_equal(r->public_served[0], -1); /* served by none */
	/* r1, r2 of the profile, then the cap */
	assert_int_equal(r->nresolvers, REPORT_MAX_RESOLVERS);
	report_free(r);

	h.profile_json = NULL;
	r = report_new(&h, "open.jsonl");
	for (int i = 0; i < 3 * REPORT_MAX_ENDPOINTS; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		ev = th_probe(i, name, true, PERR_NONE, 10);
		report_feed(r, &ev);
	}
	report_finish(r);
	assert_int_equal(r->nendpoints, REPORT_MAX_ENDPOINTS);
	assert_string_equal(
	    r->endpoints[REPORT_MAX_ENDPOINTS - 1].name, "x4095");
	assert_int_equal(r->endpoints[0].nprobes, 1);
	report_free(r);
}

static void
test_public_restored(void **state)
{
	const char *path = start_log("public.jsonl",
	    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
	    "\"resolvers\":[\"r1\"]},\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"},{\"name\":\"c\"}],\"public\":{\"url\":"
	    "\"https://svc.example.com/\"},\"drill\":{\"rto_target\":60}}");
	Report *r;
	cJSON *root, *pub;
	char *md;

	(void)state;
	drill(0, DRILL_START, "public");
	route(1, "", "a");
	public_probe(3, true, "a"); /* before the fault */
	drill(5, DRILL_FAULT, "");
	public_probe(6, false, "a");
	health(7, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(7, "a", "b");
	health(7.5, "c", HEALTH_ONLINE, HEALTH_DEGRADED);
	health(7.8, "a", HEALTH_DEGRADED, HEALTH_ONLINE); /* back, but E */
	public_probe(8, true, "a"); /* the faulted endpoint */
	public_probe(9, true, "c"); /* degraded */
	public_probe(10, false, "b"); /* failed */
	public_probe(11, true, ""); /* served by nobody known */
	public_probe(12, true, "b"); /* restored */
	public_probe(13, true, "b");
	converged(15, "r1", "b");
	probe(16, "b", true, PERR_NONE, 10);
	drill(20, DRILL_END, "");
	r = finish_log(path);

	assert_double_equal(r->phase[DRILL_RESTORED], 12, 0);
	assert_int_equal(r->restored_by, REPORT_RESTORED_PUBLIC);
	assert_double_equal(r->restored_s, 7, 0);
	assert_double_equal(r->phase[DRILL_FAILOVER], 15, 0);
	assert_double_equal(r->phase[DRILL_CONVERGED], 15, 0);
	assert_int_equal(r->public_ep.count, 8);
	assert_int_equal(r->public_ep.ok, 6);
	assert_int_equal(report_endpoint_index(r, EV_PUBLIC), -1);

	root = assert_agree(r);
	assert_string_equal(str_at(root, "restored_by"), "public");
	pub = cJSON_GetObjectItem(root, "public");
	assert_double_equal(num_at(pub, "probes", NULL), 8, 0);
	assert_double_equal(num_at(pub, "failures", "timeout"), 2, 0);
	assert_double_equal(num_at(pub, "availability", NULL), 0.75, 0);
	assert_null(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(root, "endpoints"), "public"));
	cJSON_Delete(root);
	md = render(r, REPORT_FMT_MD);
	assert_has(md, "public row",
	    "\n| public (client's eye) | 8 | timeout 2 | 40.000 | 5000.000 | "
	    "75.00% |\n");
	assert_has(md, "restored line",
	    "- **Restored:** at 12.000 s, 7.000 s after the fault, by the "
	    "first client's-eye probe served by another healthy endpoint\n");
	free(md);
	report_free(r);

	/* Only probes that must not count: never restored. */
	path = start_log("public-never.jsonl",
	    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
	    "\"resolvers\":[\"r1\"]},\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"},{\"name\":\"c\"}],\"public\":{\"url\":"
	    "\"https://svc.example.com/\"}}");
	route(1, "", "a");
	drill(5, DRILL_FAULT, "");
	health(7, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(7, "a", "b");
	health(7.5, "c", HEALTH_ONLINE, HEALTH_DEGRADED);
	health(7.8, "a", HEALTH_DEGRADED, HEALTH_ONLINE);
	public_probe(8, true, "a");
	public_probe(9, true, "c");
	converged(15, "r1", "b");
	probe(16, "b", true, PERR_NONE, 10);
	r = finish_log(path);
	assert_double_null(r->phase[DRILL_RESTORED]);
	assert_int_equal(r->restored_by, REPORT_RESTORED_NONE);
	cJSON_Delete(assert_agree(r));
	md = render(r, REPORT_FMT_MD);
	assert_has(md, "never",
	    "- **Restored:** never: no client's-eye probe was served by a "
	    "healthy endpoint other than a\n");
	free(md);
	report_free(r);
}

/* The Markdown escaping rule of report_fmt.h, case by case: what would
 * break a cell or start markup is escaped, nothing else. */
static void
test_md_escape(void **state)
{
	static const char *const cases[][3] = {
	    /* text, REPORT_ESC_MD, REPORT_ESC_MD_HEADING */
	    {"eu20 -> us21", "eu20 -> us21", "eu20 -> us21"},
	    {"converged_s", "converged_s", "converged_s"},
	    {"_init_ x_", "\\_init\\_ x\\_", "\\_init\\_ x\\_"},
	    {"a|b", "a\\|b", "a\\|b"},
	    {"C:\\dir", "C:\\\\dir", "C:\\\\dir"},
	    {"`x`", "\\`x\\`", "\\`x\\`"},
	    {"*b* a*b", "\\*b\\* a\\*b", "\\*b\\* a\\*b"},
	    {"<script>", "\\<script>", "\\<script>"},
	    {"[l](u) ![i](s)", "\\[l](u) !\\[i](s)", "\\[l](u) !\\[i](s)"},
	    {"&amp; &#39; & x&", "\\&amp; \\&#39; & x&",
	        "\\&amp; \\&#39; & x&"},
	    {"~~s~~", "\\~\\~s\\~\\~", "\\~\\~s\\~\\~"},
	    {"$x$", "\\$x\\$", "\\$x\\$"},
	    {"# h a#b c #", "# h a#b c #", "\\# h a#b c \\#"},
	    {"> q - i + j 1. k", "> q - i + j 1. k", "> q - i + j 1. k"},
	    {"é_x a_é", "é\\_x a\\_é", "é\\_x a\\_é"},
	    {"tab\there\nnl", "tab here nl", "tab here nl"},
	    {"\t#x", " #x", " \\#x"},
	    {"see https://h/a_b?x=1&y=2 or WWW.h.io, a: b",
	        "see https\\://h/a_b?x=1\\&y=2 or WWW\\.h.io, a: b",
	        "see https\\://h/a_b?x=1\\&y=2 or WWW\\.h.io, a: b"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		for (int k = 0; k < 2; k++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			assert_non_null(f);
			report_fmt_esc(f, cases[i][0],
			    k ? REPORT_ESC_MD_HEADING : REPORT_ESC_MD);
			fclose(f);
			if (strcmp(buf, cases[i][1 + k]) != 0)
				fail_msg("%s of \"%s\": \"%s\", want \"%s\"",
				    k ? "heading" : "md", cases[i][0], buf,
				    cases[i][1 + k]);
			free(buf);
		}
}

/* ---- a drill through the real engine ----------------------------------- */

static void
rec_sink(void *ctx, const Event *ev)
{
	(void)ctx;
	put(ev);
}

/* The first t in the log where pred holds for the parsed line, else NAN. */
typedef bool (*LinePred)(const cJSON *o, const void *arg);

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double
scan(const char *path, double from, LinePred pred, const void *arg)
{
	char line[EVENT_JSON_MAX];
	FILE *f = fopen(path, "r");
	double found = NAN;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* the header */
	while (isnan(found) && fgets(line, sizeof(line), f) != NULL) {
		cJSON *o = cJSON_Parse(line);
		assert_non_null(o);
		double t = cJSON_GetObjectItem(o, "t")->valuedouble;
		if (t >= from && pred(o, arg))
			found = t;
		cJSON_Delete(o);
	}
	fclose(f);
	return found;
}

static bool
is_fault(const cJSON *o, const void *arg)
{
	(void)arg;
	return strcmp(jstr(o, "type"), "drill") == 0 &&
	    strcmp(jstr(o, "phase"), "fault") == 0;
}

static bool
is_degraded(const cJSON *o, const void *ep)
{
	return strcmp(jstr(o, "type"), "health") == 0 &&
	    strcmp(jstr(o, "endpoint"), ep) == 0 &&
	    strcmp(jstr(o, "to"), "degraded") == 0;
}

static bool
is_route_away(const cJSON *o, const void *ep)
{
	return strcmp(jstr(o, "type"), "route") == 0 &&
	    strcmp(jstr(o, "from"), ep) == 0 && strcmp(jstr(o, "to"), ep) != 0;
}

static bool
is_converged(const cJSON *o, const void *res)
{
	return strcmp(jstr(o, "type"), "converged") == 0 &&
	    strcmp(jstr(o, "resolver"), res) == 0;
}

static bool
is_ok_probe(const cJSON *o, const void *ep)
{
	return strcmp(jstr(o, "type"), "probe") == 0 &&
	    strcmp(jstr(o, "endpoint"), ep) == 0 &&
	    cJSON_IsTrue(cJSON_GetObjectItem(o, "ok"));
}

/*
 * Probes and DNS answers go through the engine, which derives health,
 * routes and convergence; everything is recorded; the report's metrics
 * equal what this test reads from the log with cJSON on its own.
 */
static void
test_engine_drill(void **state)
{
	static const char prof[] =
	    "{\"service\":\"demo\",\"dns\":{\"name\":\"demo.test\","
	    "\"ttl\":5,\"resolvers\":[\"127.0.0.1:5353\",\"127.0.0.2:53\"]},"
	    "\"monitor\":{\"interval\":1,\"timeout\":0.5,"
	    "\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:2/\"}],"
	    "\"drill\":{\"rto_target\":10}}";
	const char *resolvers[] = {"127.0.0.1:5353", "127.0.0.2:53"};
	const double lag[] = {3.2, 6.7}; /* resolver cache delays */
	ErrList errs;
	Profile *p;
	Engine *eng;
	EventSink sink = {rec_sink, NULL};
	char *pj;
	const char *path;
	double route_change = NAN;
	Report *r;
	Event ev;

	(void)state;
	errlist_init(&errs);
	p = profile_parse(prof, strlen(prof), "demo.json", "/tmp", &errs);
	if (p == NULL)
		fail_msg("%s", errs.count ? errs.msgs[0] : "?");
	errlist_fini(&errs);
	eng = engine_new(p);
	pj = profile_to_json(p, true);
	path = start_log("engine.jsonl", pj);
	free(pj);

	drill(0, DRILL_START, "engine drill");
	for (int step = 1; step <= 400; step++) {
		double t = step * 0.1;
		const Snapshot *snap = engine_snapshot(eng);
		engine_tick(eng, t, &sink);
		if (step == 100) {
			event_init(&ev, EV_DRILL, t);
			ev.u.drill.phase = DRILL_FAULT;
			strcpy(ev.u.drill.note, "eu20 returns 500");
			engine_feed(eng, &ev, &sink);
		}
		if (step % 10 == 3 || step % 10 == 7) { /* probes */
			const char *ep = step % 10 == 3 ? "eu20" : "us21";
			bool ok = !(step > 100 && strcmp(ep, "eu20") == 0);
			event_init(&ev, EV_PROBE, t);
			strcpy(ev.u.probe.endpoint, ep);
			ev.u.probe.ok = ok;
			ev.u.probe.status = ok ? 200 : 500;
			ev.u.probe.error = ok ? PERR_NONE : PERR_STATUS;
			ev.u.probe.ms.total = 10 + step % 17;
			engine_feed(eng, &ev, &sink);
		}
		snap = engine_snapshot(eng);
		if (isnan(route_change) && snap->routed &&
		    strcmp(snap->route_to, "us21") == 0)
			route_change = t;
		if (step % 10 == 5) { /* each resolver polls once a second */
			for (int k = 0; k < 2; k++) {
				bool moved = !isnan(route_change) &&
				    t >= route_change + lag[k];
				event_init(&ev, EV_DNS, t);
				strcpy(ev.u.dns.resolver, resolvers[k]);
				strcpy(ev.u.dns.name, "demo.test");
				strcpy(ev.u.dns.rcode, "NOERROR");
				strcpy(
				    ev.u.dns.endpoint, moved ? "us21" : "eu20");
				ev.u.dns.ttl = 5;
				engine_feed(eng, &ev, &sink);
			}
		}
	}
	drill(40.05, DRILL_END, "");
	engine_free(eng);
	profile_free(p);
	r = finish_log(path);

	/* The same figures, read from the file independently: failover is
	 * the first resolver answering us21 after the route change,
	 * restored the later of the last one and us21's first success
	 * after failover. */
	double f = scan(path, 0, is_fault, NULL);
	double det = scan(path, f, is_degraded, "eu20");
	double change = scan(path, f, is_route_away, "eu20");
	double c1 = scan(path, change, is_converged, resolvers[0]);
	double c2 = scan(path, change, is_converged, resolvers[1]);
	double fo = fmin(c1, c2), conv = fmax(c1, c2);
	double ok = scan(path, fo, is_ok_probe, "us21");
	double rest = fmax(conv, ok);
	assert_false(
	    isnan(det) || isnan(change) || isnan(c1) || isnan(c2) || isnan(ok));
	assert_true(det > f && change >= det && c1 > change && c2 > c1);
	assert_true(ok < conv); /* so restored is the convergence */

	assert_string_equal(r->fault_endpoint, "eu20");
	assert_string_equal(r->new_endpoint, "us21");
	assert_double_equal(r->phase[DRILL_FAULT], f, 0);
	assert_double_equal(r->failover_route_t, change, 0);
	assert_true(r->failover_observed);
	assert_double_equal(r->detect_s, det - f, 0);
	assert_double_equal(r->failover_s, fo - f, 0);
	assert_double_equal(r->resolvers[0].converged_s, c1 - f, 0);
	assert_double_equal(r->resolvers[1].converged_s, c2 - f, 0);
	assert_double_equal(r->converged_all_s, c2 - f, 0);
	assert_double_equal(r->restored_s, rest - f, 0);
	assert_int_equal(r->restored_by, REPORT_RESTORED_CONVERGED);
	assert_int_equal(r->rto_met, rest - f <= 10);
	/* check's bound for eu20: 1 x (2 + 1) + 0.5 + TTL 5 */
	assert_double_equal(r->bound_s, 8.5, 0);
	assert_int_equal(r->bound_exceeded, c2 - f > 8.5);
	/* eu20 fails from the first probe after the fault: 3 failures to
	 * degraded (tolerated_failures 2) at one-second probes. */
	assert_double_equal(det, 10.3 + 2.0, 1e-9);
	cJSON_Delete(assert_agree(r));

	/* A what-if without changes re-derives exactly what was recorded;
	 * with tolerated_failures=0 it detects on the first failure. */
	for (int k = 0; k < 2; k++) {
		const char *sets[] = {"monitor.tolerated_failures=0"};
		char err[256];
		SessionHeader h;
		LogRead *lr = logread_open(path, &h, err, sizeof(err));
		ReportWhatIfRun *w;
		Report *wr;

		assert_non_null(lr);
		w = report_whatif_new(&h, path, sets, k, err, sizeof(err));
		if (w == NULL)
			fail_msg("%s", err);
		while (logread_next(lr, &ev, err, sizeof(err)) == 1)
			report_whatif_feed(w, &ev);
		wr = report_whatif_finish(w);
		if (k == 0) {
			assert_double_equal(wr->detect_s, r->detect_s, 0);
			assert_double_equal(wr->failover_s, r->failover_s, 0);
			assert_double_equal(
			    wr->converged_all_s, r->converged_all_s, 0);
			assert_double_equal(wr->restored_s, r->restored_s, 0);
			assert_int_equal(wr->nroutes, r->nroutes);
		} else {
			assert_double_equal(
			    wr->phase[DRILL_DETECTED], 10.3, 1e-9);
			assert_true(wr->detect_s < r->detect_s);
		}
		report_free(wr);
		logread_close(lr);
		session_header_fini(&h);
	}
	report_free(r);
}

/* A gap in the record (events a queue dropped) is listed, and the metrics
 * whose window it falls in are marked; one outside the windows marks
 * nothing. */
static void
test_gaps(void **state)
{
	const char *path = start_log("gaps.jsonl",
	    "{\"service\":\"svc\",\"monitor\":{\"interval\":2,"
	    "\"timeout\":1,\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}]}");
	Event gap;
	Report *r;
	char *md, *json;

	(void)state;
	drill(0, DRILL_START, "gaps");
	route(0.5, "", "a");
	gap = th_marker(1, "");
	event_init(&gap, EV_ERROR, 2);
	str_copy(gap.u.error.source, EV_NAME_MAX, "queue");
	str_copy(gap.u.error.message, EV_TEXT_MAX, "lost");
	gap.u.error.gap_count = 40;
	gap.u.error.gap_from = 1.0;
	gap.u.error.gap_to = 1.5; /* before the fault: in no window */
	put(&gap);
	drill(5, DRILL_FAULT, "");
	probe(6, "a", false, PERR_STATUS, 10);
	gap.t = 7.5;
	gap.u.error.gap_count = 12;
	gap.u.error.gap_from = 6.5;
	gap.u.error.gap_to = 7.0; /* between the fault and detection */
	put(&gap);
	health(8, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(9, "a", "b");
	probe(10, "b", true, PERR_NONE, 10);
	drill(20, DRILL_END, "");
	r = finish_log(path);

	assert_int_equal(r->ngaps, 2);
	assert_int_equal(r->gaps[1].count, 12);
	assert_string_equal(r->gaps[1].source, "queue");
	assert_true(r->gap_in[REPORT_M_DETECT]);
	assert_true(r->gap_in[REPORT_M_FAILOVER]);
	md = render(r, REPORT_FMT_MD);
	json = render(r, REPORT_FMT_JSON);
	assert_non_null(strstr(md, "Gaps in the record"));
	assert_non_null(
	    strstr(md, "detect_s (fault → detected) [GAP in the record"));
	assert_non_null(strstr(json, "\"metrics_with_gaps\":[\"detect_s\""));
	assert_non_null(strstr(json,
	    "\"gaps\":[{\"source\":\"queue\",\"from\":1,\"to\":1.5,"
	    "\"count\":40}"));
	free(md);
	free(json);
	report_free(r);

	/* the same drill without the second gap: nothing marked */
	path = start_log("gaps2.jsonl",
	    "{\"service\":\"svc\",\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"}]}");
	drill(0, DRILL_START, "gaps");
	route(0.5, "", "a");
	gap.t = 2;
	gap.u.error.gap_count = 40;
	gap.u.error.gap_from = 1.0;
	gap.u.error.gap_to = 1.5;
	put(&gap);
	drill(5, DRILL_FAULT, "");
	probe(6, "a", false, PERR_STATUS, 10);
	health(8, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	drill(20, DRILL_END, "");
	r = finish_log(path);
	for (int m = 0; m < REPORT_M__COUNT; m++)
		assert_false(r->gap_in[m]);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded_drill),
	    cmocka_unit_test(test_derived_and_nulls),
	    cmocka_unit_test(test_late_fault_mark),
	    cmocka_unit_test(test_percentile),
	    cmocka_unit_test(test_renderings),
	    cmocka_unit_test(test_phases_apart),
	    cmocka_unit_test(test_bound_never_converged),
	    cmocka_unit_test(test_no_resolvers),
	    cmocka_unit_test(test_public_restored),
	    cmocka_unit_test(test_names_bounded),
	    cmocka_unit_test(test_md_escape),
	    cmocka_unit_test(test_engine_drill),
	    cmocka_unit_test(test_gaps),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
