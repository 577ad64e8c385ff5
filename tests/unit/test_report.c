/*
 * report: a scripted drill written with the recorder and read back with
 * logread gives the metrics worked out by hand here; derived phases;
 * nulls where phases never happened; a fault marked late; nearest-rank
 * percentiles against a sort; the endpoints and resolvers a report
 * holds. Renderings are test_report_render.c, the truth rules
 * test_report_truth.c, a drill through the engine test_report_engine.c;
 * the fixture is report_fx.c.
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

#include "base/util.h"
#include "helpers.h"
#include "journal/report.h"
#include "report_fx.h"

static void
test_recorded_drill(void **state)
{
	Report *r = rf_drill_a();
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
	const char *path = rf_start_log("derived.jsonl",
	    "{\"service\":\"svc\",\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"}],\"drill\":{\"rto_target\":30}}");
	Report *r;

	(void)state;
	rf_probe(0.5, "b", false, PERR_TIMEOUT, 5000); /* not routed yet */
	rf_route(1, "", "a");
	rf_probe(1.2, "a", true, PERR_NONE, 5);
	rf_probe(1.4, "b", false, PERR_TIMEOUT, 5000); /* no traffic on b */
	rf_probe(2, "a", false, PERR_TIMEOUT, 5000);
	rf_probe(3, "a", true, PERR_NONE, 5);
	rf_probe(4, "a", false, PERR_RESET, -1);
	rf_probe(5, "a", false, PERR_RESET, -1);
	rf_probe(6, "a", false, PERR_RESET, -1);
	rf_health(6, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	r = rf_finish_log(path);

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
	path = rf_start_log("quiet.jsonl", "{\"service\":\"svc\"}");
	rf_route(1, "", "a");
	rf_probe(2, "a", true, PERR_NONE, 7);
	r = rf_finish_log(path);
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

/* A fault marked after detection was recorded (an operator who marks
 * late): like the live tracker, the report does not use it; the fault is
 * the first failed probe, and the late mark is named. */
static void
test_late_fault_mark(void **state)
{
	const char *path = rf_start_log("late.jsonl", rf_profile_ab);
	char *json, *md;
	cJSON *root;
	Report *r;

	(void)state;
	rf_drill(0, DRILL_START, "late");
	rf_route(1, "", "a");
	rf_probe(1.5, "a", true, PERR_NONE, 5);
	rf_probe(2, "a", false, PERR_STATUS, 5);
	rf_probe(3, "a", false, PERR_STATUS, 5);
	rf_health(3, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_drill(3, DRILL_DETECTED, "a degraded");
	rf_drill(6, DRILL_FAULT, "marked late");
	r = rf_finish_log(path);
	assert_false(r->recorded[DRILL_FAULT]);
	assert_double_equal(r->phase[DRILL_FAULT], 2, 0);
	assert_double_equal(r->fault_mark_late, 6, 0);
	assert_double_equal(r->detect_s, 1, 0);
	json = rf_render(r, REPORT_FMT_JSON);
	root = cJSON_Parse(json);
	assert_non_null(root);
	assert_double_equal(rf_num_at(root, "fault_mark_late", NULL), 6, 0);
	assert_double_equal(rf_num_at(root, "phases", "fault"), 2, 0);
	md = rf_render(r, REPORT_FMT_MD);
	assert_non_null(strstr(md,
	    "marked at 6.000 s, after the phases had "
	    "begun, so not used; first failed probe "
	    "of a"));
	cJSON_Delete(root);
	free(json);
	free(md);
	report_free(r);

	/* a mark before detection is the fault, and no late mark is named */
	path = rf_start_log("intime.jsonl", rf_profile_ab);
	rf_drill(0, DRILL_START, "in time");
	rf_route(1, "", "a");
	rf_drill(1.8, DRILL_FAULT, "");
	rf_probe(2, "a", false, PERR_STATUS, 5);
	rf_health(3, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	r = rf_finish_log(path);
	assert_true(r->recorded[DRILL_FAULT]);
	assert_double_equal(r->phase[DRILL_FAULT], 1.8, 0);
	assert_double_null(r->fault_mark_late);
	json = rf_render(r, REPORT_FMT_JSON);
	assert_null(strstr(json, "fault_mark_late"));
	free(json);
	report_free(r);
}

/* A report fed directly (not through logread, which refuses the events
 * that name unknown endpoints): with a profile its endpoints are the
 * profile's and nothing else; without one, names up to the cap. */
static void
test_names_bounded(void **state)
{
	SessionHeader h = {1, "0.1.0", "2026-11-21T08:00:00.000Z", "live",
	    (char *)rf_profile_ab};
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded_drill),
	    cmocka_unit_test(test_derived_and_nulls),
	    cmocka_unit_test(test_late_fault_mark),
	    cmocka_unit_test(test_percentile),
	    cmocka_unit_test(test_names_bounded),
	};
	return cmocka_run_group_tests(tests, rf_setup, rf_teardown);
}
