/*
 * The report tests' fixture: a tiny script language that writes a drill
 * with the recorder and reads it back through logread into a Report, the
 * drills more than one test uses, and the renderings read back (JSON
 * numbers, and the check that md, json and html agree).
 */
#include "report_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "journal/logread.h"
#include "journal/recorder.h"

static char dir[64];

int
rf_setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "rep");
	return 0;
}

int
rf_teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

/* ---- a tiny script language for drills ---------------------------------- */

static Recorder *rec;

void
rf_put(const Event *ev)
{
	assert_int_equal(recorder_write(rec, ev), 0);
}

void
rf_probe(double t, const char *ep, bool ok, ProbeError err, double total)
{
	Event ev = th_probe(t, ep, ok, err, total);

	rf_put(&ev);
}

void
rf_route(double t, const char *from, const char *to)
{
	Event ev = th_route(t, from, to, CAUSE_AUTO);

	rf_put(&ev);
}

void
rf_health(double t, const char *ep, HealthState from, HealthState to)
{
	Event ev = th_health(t, ep, from, to, "scripted");

	rf_put(&ev);
}

void
rf_drill(double t, DrillPhase p, const char *note)
{
	Event ev = th_drill(t, p, note);

	rf_put(&ev);
}

void
rf_converged(double t, const char *res, const char *ep)
{
	Event ev = th_converged(t, res, ep, 1);

	rf_put(&ev);
}

void
rf_action(double t, ActionPhase ph, int exit_code)
{
	Event ev;

	event_init(&ev, EV_ACTION, t);
	strcpy(ev.u.action.name, "failover");
	strcpy(ev.u.action.from, "a");
	strcpy(ev.u.action.to, "b");
	strcpy(ev.u.action.by, "operator");
	ev.u.action.phase = ph;
	ev.u.action.exit_code = exit_code;
	rf_put(&ev);
}

void
rf_marker(double t, const char *note)
{
	Event ev = th_marker(t, note);

	rf_put(&ev);
}

const char *
rf_start_log(const char *name, const char *profile)
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
Report *
rf_finish_log(const char *path)
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
void
rf_public_probe(double t, bool ok, const char *served_by)
{
	Event ev = th_probe(t, EV_PUBLIC, ok, PERR_TIMEOUT, ok ? 40 : 5000);

	ev.u.probe.via_public = true;
	strcpy(ev.u.probe.served_by, served_by);
	rf_put(&ev);
}

void
rf_converged_named(double t, const char *res, const char *name, const char *ep)
{
	Event ev = th_converged(t, res, ep, 1);

	strcpy(ev.u.conv.resolver_name, name);
	rf_put(&ev);
}

void
rf_diverged(double t, const char *res, const char *name, const char *ep,
    const char *expected)
{
	Event ev;

	event_init(&ev, EV_DIVERGED, t);
	strcpy(ev.u.conv.resolver, res);
	strcpy(ev.u.conv.resolver_name, name);
	strcpy(ev.u.conv.endpoint, ep);
	strcpy(ev.u.conv.expected, expected);
	ev.u.conv.after = 1;
	rf_put(&ev);
}

const char rf_profile_ab[] =
    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
    "\"resolvers\":[\"r1\",\"r2\"]},\"endpoints\":[{\"name\":\"a\"},"
    "{\"name\":\"b\"}],\"drill\":{\"rto_target\":60,\"dir\":\"d\"}}";

/* The full drill of the comment in each step; expected values by hand. */
Report *
rf_drill_a(void)
{
	const char *path = rf_start_log("a.jsonl", rf_profile_ab);

	rf_drill(0, DRILL_START, "game day");
	rf_probe(1, "a", true, PERR_NONE, 10);
	rf_probe(1.5, "b", true, PERR_NONE, 20);
	rf_probe(2, "a", true, PERR_NONE, 11);
	rf_probe(2.5, "b", true, PERR_NONE, 21);
	rf_probe(3, "a", true, PERR_NONE, 12);
	rf_route(3.5, "", "a");
	rf_probe(4, "a", true, PERR_NONE, 13);
	rf_drill(5, DRILL_FAULT, "kill a");
	rf_probe(5.5, "a", false, PERR_REFUSED, 1);
	rf_probe(6.5, "a", false, PERR_STATUS, 30);
	rf_probe(7.5, "a", false, PERR_STATUS, 31);
	rf_health(7.5, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_route(7.5, "a", "b"); /* expected, not a phase */
	rf_probe(8, "b", true, PERR_NONE, 22);
	rf_probe(9, "b", true, PERR_NONE, 23);
	rf_converged(9.5, "r1", "b"); /* DNS moved; r2 never follows */
	rf_marker(10, "called b: ok");
	rf_action(11, ACT_STARTED, -1);
	rf_action(12.5, ACT_FINISHED, 0);
	rf_drill(20, DRILL_END, "");
	rf_probe(21, "a", true, PERR_NONE, 99); /* after the end */
	return rf_finish_log(path);
}

char *
rf_render(const Report *r, ReportFormat fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_write(r, NULL, fmt, f), 0);
	fclose(f);
	return buf;
}

double
rf_num_at(const cJSON *o, const char *a, const char *b)
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

const char *
rf_str_at(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_non_null(v);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* -1 null, 0 false, 1 true */
int
rf_bool_at(const cJSON *o, const char *k)
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

void
rf_assert_has(const char *text, const char *what, const char *want)
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
cJSON *
rf_assert_agree(const Report *r)
{
	char *json = rf_render(r, REPORT_FMT_JSON);
	char *md = rf_render(r, REPORT_FMT_MD);
	char *html = rf_render(r, REPORT_FMT_HTML);
	cJSON *root = cJSON_Parse(json);
	const cJSON *ph, *m, *conv, *names, *dv, *e;
	char want[512], a[32], b[128], c[32];
	double t0, fault;
	int observed, exceeded;

	assert_non_null(root);
	t0 = rf_num_at(root, "t0", NULL);
	assert_double_equal(t0, r->t0, 0);
	ph = cJSON_GetObjectItem(root, "phases");
	m = cJSON_GetObjectItem(root, "metrics");
	fault = rf_num_at(ph, "fault", NULL);
	observed = rf_bool_at(root, "failover_observed");
	for (int i = 0; i < DRILL__COUNT; i++) {
		const char *name = drill_phase_name((DrillPhase)i);
		double v = rf_num_at(ph, name, NULL);
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
		rf_assert_has(md, "md phase", want);
		snprintf(want, sizeof(want),
		    "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s"
		    "</td><td class=\"n\">%s</td><td>%s",
		    name, a, b, c,
		    isnan(v)  ? "never happened"
		        : exp ? (r->recorded[i] ? "recorded; expected"
		                                : "derived; expected")
		        : r->recorded[i] ? "recorded<"
		                         : "derived<");
		rf_assert_has(html, "html phase", want);
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
		double v = rf_num_at(m, metrics[i].key, NULL);
		snprintf(want, sizeof(want), "\n| %s | %s |\n", metrics[i].row,
		    s3(a, v));
		rf_assert_has(md, metrics[i].key, want);
		snprintf(want, sizeof(want),
		    "<tr><td>%s</td><td class=\"n\">%s</td></tr>",
		    xml(b, sizeof(b), metrics[i].row), a);
		rf_assert_has(html, metrics[i].key, want);
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
		rf_assert_has(md, "md converged_s", want);
	}

	/* The bound and its verdict, in the metrics and the summary. */
	exceeded = rf_bool_at(m, "bound_exceeded");
	assert_int_equal(exceeded, r->bound_exceeded);
	snprintf(want, sizeof(want), "\n| bound_exceeded | %s |\n",
	    exceeded < 0   ? "n/a"
	        : exceeded ? "EXCEEDED"
	                   : "within");
	rf_assert_has(md, "md bound_exceeded", want);
	if (r->fault_endpoint[0] != '\0' && !isnan(r->phase[DRILL_FAULT])) {
		const char *word = exceeded < 0 ? "not known"
		    : exceeded                  ? "EXCEEDED"
		                                : "within the bound";
		snprintf(want, sizeof(want), "**%s**\n", word);
		rf_assert_has(md, "md bound verdict", want);
		snprintf(want, sizeof(want), "<strong class=\"%s\">%s</strong>",
		    exceeded < 0   ? "na"
		        : exceeded ? "missed"
		                   : "met",
		    word);
		rf_assert_has(html, "html bound verdict", want);
		if (!isnan(rf_num_at(m, "bound_s", NULL))) {
			snprintf(want, sizeof(want), "bound for %s",
			    r->fault_endpoint);
			rf_assert_has(md, "md bound line", want);
			snprintf(want, sizeof(want), "%s s — **",
			    s3(a, rf_num_at(m, "bound_s", NULL)));
			rf_assert_has(md, "md bound line", want);
		}
	}

	/* Which definition restored used. */
	const char *by = rf_str_at(root, "restored_by");
	assert_int_equal(by == NULL, r->restored_by == REPORT_RESTORED_NONE);
	if (by != NULL && !isnan(rf_num_at(ph, "restored", NULL))) {
		snprintf(want, sizeof(want),
		    "- **Restored:** at %s s, %s s after the fault, by the %s",
		    s3(a, rf_num_at(ph, "restored", NULL)),
		    s3(b, rf_num_at(m, "restored_s", NULL)),
		    strcmp(by, "public") == 0
		        ? "first client's-eye probe served by another "
		          "healthy endpoint\n"
		        : "later of every resolver converging and ");
		rf_assert_has(md, "md restored", want);
		assert_int_equal(strcmp(by, "public") == 0,
		    r->restored_by == REPORT_RESTORED_PUBLIC);
	}
	if (!isnan(fault)) {
		snprintf(want, sizeof(want), "- **Failover:** %s",
		    !observed && !isnan(rf_num_at(ph, "failover", NULL)) ? "at "
		                                                         : "");
		rf_assert_has(md, "md failover", want);
		if (!observed && !isnan(rf_num_at(ph, "failover", NULL))) {
			rf_assert_has(md, "md failover",
			    "(no resolver): **expected, not observed**\n");
			rf_assert_has(html, "html failover",
			    "<strong class=\"na\">expected, not "
			    "observed</strong></li>");
		}
	}
	if (!isnan(rf_num_at(root, "route_change", NULL))) {
		snprintf(want, sizeof(want),
		    "; the expected route changed to %s at %s s\n",
		    rf_str_at(root, "failover_to"),
		    s3(a, rf_num_at(root, "route_change", NULL)));
		rf_assert_has(md, "md route change", want);
	}

	/* Diverged resolvers, from start and session t. */
	dv = cJSON_GetObjectItem(root, "diverged");
	assert_true(cJSON_IsArray(dv));
	if (cJSON_GetArraySize(dv) == 0)
		rf_assert_has(
		    md, "md diverged", "## Diverged resolvers\n\nNone.\n");
	cJSON_ArrayForEach (e, dv) {
		const char *name = rf_str_at(e, "name");
		double t = rf_num_at(e, "t", NULL);
		snprintf(want, sizeof(want), "\n| %s | %s | %s | %s | %s |\n",
		    name ? name : rf_str_at(e, "resolver"), s3(a, t),
		    s3(b, t + t0), rf_str_at(e, "endpoint"),
		    rf_str_at(e, "expected"));
		rf_assert_has(md, "md diverged", want);
		snprintf(want, sizeof(want),
		    "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s"
		    "</td><td>%s</td><td>%s</td></tr>",
		    name ? name : rf_str_at(e, "resolver"), a, b,
		    rf_str_at(e, "endpoint"), rf_str_at(e, "expected"));
		rf_assert_has(html, "html diverged", want);
	}

	/* The client's-eye probe as an endpoints row. */
	e = cJSON_GetObjectItem(root, "public");
	assert_non_null(e);
	if (cJSON_IsNull(e)) {
		assert_null(strstr(md, "client's eye)"));
	} else {
		snprintf(want, sizeof(want), "\n| public (client's eye) | %d |",
		    (int)rf_num_at(e, "probes", NULL));
		rf_assert_has(md, "md public", want);
		snprintf(want, sizeof(want),
		    "<tr><td>public (client&#39;s eye)</td><td "
		    "class=\"n\">%d</td>",
		    (int)rf_num_at(e, "probes", NULL));
		rf_assert_has(html, "html public", want);
	}
	free(json);
	free(md);
	free(html);
	return root;
}

/* The profile of drill_spread in test_report_render.c: two endpoints,
 * two resolvers, dns TTL ttl, monitor interval 2, timeout 1, tolerated
 * failures 2, rto_target 60. */
const char *
rf_spread_profile(int ttl)
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
