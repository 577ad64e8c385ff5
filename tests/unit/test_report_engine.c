/*
 * report of a drill through the real engine: probes and DNS answers go
 * through it, everything is recorded, and the report's metrics equal
 * what the test reads from the log on its own; a what-if re-run of the
 * same log.
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

#include "engine/engine.h"
#include "helpers.h"
#include "journal/logread.h"
#include "journal/report.h"
#include "model/profile.h"
#include "report_fx.h"

static void
rec_sink(void *ctx, const Event *ev)
{
	(void)ctx;
	rf_put(ev);
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
	path = rf_start_log("engine.jsonl", pj);
	free(pj);

	rf_drill(0, DRILL_START, "engine drill");
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
	rf_drill(40.05, DRILL_END, "");
	engine_free(eng);
	profile_free(p);
	r = rf_finish_log(path);

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
	cJSON_Delete(rf_assert_agree(r));

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_engine_drill),
	};
	return cmocka_run_group_tests(tests, rf_setup, rf_teardown);
}
