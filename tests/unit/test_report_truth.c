/*
 * report truth rules: what a report may claim from what the log holds:
 * the DNS bound exceeded or not known; without resolvers failover is
 * expected, not observed, and restored cannot be observed; with
 * client's-eye probes restored is the first good one served by another
 * healthy endpoint; gaps in the record mark the metrics they touch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "helpers.h"
#include "journal/report.h"
#include "journal/report_fmt.h"
#include "report_fx.h"

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
		path = rf_start_log("never.jsonl", rf_spread_profile(10));
		rf_route(1, "", "a");
		rf_drill(2, DRILL_START, "never");
		rf_drill(10, DRILL_FAULT, "");
		rf_probe(11, "a", false, PERR_STATUS, 30);
		rf_route(12, "a", "b");
		rf_converged(14, "127.0.0.1:5301", "b"); /* 5302 never */
		rf_drill(20, DRILL_END, "");
		if (past)
			rf_marker(30, "still waiting"); /* 20 s > 17 s */
		r = rf_finish_log(path);
		assert_double_equal(r->phase[DRILL_FAILOVER], 14, 0);
		assert_double_null(r->phase[DRILL_CONVERGED]);
		assert_double_equal(r->bound_s, 17, 0);
		assert_int_equal(r->bound_exceeded, past ? 1 : -1);
		cJSON_Delete(rf_assert_agree(r));
		md = rf_render(r, REPORT_FMT_MD);
		if (past)
			rf_assert_has(md, "exceeded",
			    "- **DNS bound:** DNS never converged; the log "
			    "runs "
			    "20.000 s past the fault, beyond the drtop check "
			    "bound for a of 17.000 s — **EXCEEDED**\n");
		else
			rf_assert_has(md, "not known",
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
	const char *path = rf_start_log("nodns.jsonl",
	    "{\"service\":\"svc\",\"monitor\":{\"interval\":2,"
	    "\"timeout\":1,\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}],"
	    "\"drill\":{\"rto_target\":60}}");
	Report *r;
	cJSON *root;
	char *md, *html;

	(void)state;
	rf_drill(0, DRILL_START, "no dns");
	rf_route(0.5, "", "a");
	rf_probe(1, "a", true, PERR_NONE, 10);
	rf_drill(5, DRILL_FAULT, "");
	rf_probe(6, "a", false, PERR_STATUS, 10);
	rf_health(8, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_route(9, "a", "b");
	rf_probe(10, "b", true, PERR_NONE, 10);
	rf_drill(100, DRILL_END, "");
	r = rf_finish_log(path);

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

	root = rf_assert_agree(r);
	assert_true(
	    cJSON_IsFalse(cJSON_GetObjectItem(root, "failover_observed")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "restored_by")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(root, "metrics"), "bound_exceeded")));
	assert_double_equal(rf_num_at(root, "phases", "failover"), 9, 0);
	cJSON_Delete(root);
	md = rf_render(r, REPORT_FMT_MD);
	rf_assert_has(md, "failover row",
	    "\n| failover | 9.000 | 9.000 | 4.000 | derived; expected, not "
	    "observed | the route change to b |\n");
	rf_assert_has(md, "failover metric",
	    "\n| failover_s (fault → route change; expected, not observed) | "
	    "4.000 |\n");
	rf_assert_has(md, "failover line",
	    "- **Failover:** at 9.000 s, 4.000 s after the fault: the route "
	    "change to b; DNS was not observed (no resolver): **expected, "
	    "not observed**\n");
	rf_assert_has(md, "restored line",
	    "- **Restored:** not observable: the log has no resolver and no "
	    "client's-eye probe\n");
	rf_assert_has(md, "bound line",
	    "- **DNS bound:** DNS was not observed; drtop check bound for a: "
	    "67.000 s — **not known**\n");
	html = rf_render(r, REPORT_FMT_HTML);
	rf_assert_has(html, "html failover row",
	    "<tr><td>failover</td><td class=\"n\">9.000</td><td "
	    "class=\"n\">9.000</td><td class=\"n\">4.000</td><td>derived; "
	    "expected, not observed</td>");
	rf_assert_has(html, "svg label", ">failover (expected)</text>");
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
static void
test_public_restored(void **state)
{
	const char *path = rf_start_log("public.jsonl",
	    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
	    "\"resolvers\":[\"r1\"]},\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"},{\"name\":\"c\"}],\"public\":{\"url\":"
	    "\"https://svc.example.com/\"},\"drill\":{\"rto_target\":60}}");
	Report *r;
	cJSON *root, *pub;
	char *md;

	(void)state;
	rf_drill(0, DRILL_START, "public");
	rf_route(1, "", "a");
	rf_public_probe(3, true, "a"); /* before the fault */
	rf_drill(5, DRILL_FAULT, "");
	rf_public_probe(6, false, "a");
	rf_health(7, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_route(7, "a", "b");
	rf_health(7.5, "c", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_health(7.8, "a", HEALTH_DEGRADED, HEALTH_ONLINE); /* back, but E */
	rf_public_probe(8, true, "a"); /* the faulted endpoint */
	rf_public_probe(9, true, "c"); /* degraded */
	rf_public_probe(10, false, "b"); /* failed */
	rf_public_probe(11, true, ""); /* served by nobody known */
	rf_public_probe(12, true, "b"); /* restored */
	rf_public_probe(13, true, "b");
	rf_converged(15, "r1", "b");
	rf_probe(16, "b", true, PERR_NONE, 10);
	rf_drill(20, DRILL_END, "");
	r = rf_finish_log(path);

	assert_double_equal(r->phase[DRILL_RESTORED], 12, 0);
	assert_int_equal(r->restored_by, REPORT_RESTORED_PUBLIC);
	assert_double_equal(r->restored_s, 7, 0);
	assert_double_equal(r->phase[DRILL_FAILOVER], 15, 0);
	assert_double_equal(r->phase[DRILL_CONVERGED], 15, 0);
	assert_int_equal(r->public_ep.count, 8);
	assert_int_equal(r->public_ep.ok, 6);
	assert_int_equal(report_endpoint_index(r, EV_PUBLIC), -1);

	root = rf_assert_agree(r);
	assert_string_equal(rf_str_at(root, "restored_by"), "public");
	pub = cJSON_GetObjectItem(root, "public");
	assert_double_equal(rf_num_at(pub, "probes", NULL), 8, 0);
	assert_double_equal(rf_num_at(pub, "failures", "timeout"), 2, 0);
	assert_double_equal(rf_num_at(pub, "availability", NULL), 0.75, 0);
	assert_null(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(root, "endpoints"), "public"));
	cJSON_Delete(root);
	md = rf_render(r, REPORT_FMT_MD);
	rf_assert_has(md, "public row",
	    "\n| public (client's eye) | 8 | timeout 2 | 40.000 | 5000.000 | "
	    "75.00% |\n");
	rf_assert_has(md, "restored line",
	    "- **Restored:** at 12.000 s, 7.000 s after the fault, by the "
	    "first client's-eye probe served by another healthy endpoint\n");
	free(md);
	report_free(r);

	/* Only probes that must not count: never restored. */
	path = rf_start_log("public-never.jsonl",
	    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
	    "\"resolvers\":[\"r1\"]},\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"},{\"name\":\"c\"}],\"public\":{\"url\":"
	    "\"https://svc.example.com/\"}}");
	rf_route(1, "", "a");
	rf_drill(5, DRILL_FAULT, "");
	rf_health(7, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_route(7, "a", "b");
	rf_health(7.5, "c", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_health(7.8, "a", HEALTH_DEGRADED, HEALTH_ONLINE);
	rf_public_probe(8, true, "a");
	rf_public_probe(9, true, "c");
	rf_converged(15, "r1", "b");
	rf_probe(16, "b", true, PERR_NONE, 10);
	r = rf_finish_log(path);
	assert_double_null(r->phase[DRILL_RESTORED]);
	assert_int_equal(r->restored_by, REPORT_RESTORED_NONE);
	cJSON_Delete(rf_assert_agree(r));
	md = rf_render(r, REPORT_FMT_MD);
	rf_assert_has(md, "never",
	    "- **Restored:** never: no client's-eye probe was served by a "
	    "healthy endpoint other than a\n");
	free(md);
	report_free(r);
}

/* A gap in the record (events a queue dropped) is listed, and the metrics
 * whose window it falls in are marked; one outside the windows marks
 * nothing. */
static void
test_gaps(void **state)
{
	const char *path = rf_start_log("gaps.jsonl",
	    "{\"service\":\"svc\",\"monitor\":{\"interval\":2,"
	    "\"timeout\":1,\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}]}");
	Event gap;
	Report *r;
	char *md, *json;

	(void)state;
	rf_drill(0, DRILL_START, "gaps");
	rf_route(0.5, "", "a");
	gap = th_marker(1, "");
	event_init(&gap, EV_ERROR, 2);
	str_copy(gap.u.error.source, EV_NAME_MAX, "queue");
	str_copy(gap.u.error.message, EV_TEXT_MAX, "lost");
	gap.u.error.gap_count = 40;
	gap.u.error.gap_from = 1.0;
	gap.u.error.gap_to = 1.5; /* before the fault: in no window */
	rf_put(&gap);
	rf_drill(5, DRILL_FAULT, "");
	rf_probe(6, "a", false, PERR_STATUS, 10);
	gap.t = 7.5;
	gap.u.error.gap_count = 12;
	gap.u.error.gap_from = 6.5;
	gap.u.error.gap_to = 7.0; /* between the fault and detection */
	rf_put(&gap);
	rf_health(8, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_route(9, "a", "b");
	rf_probe(10, "b", true, PERR_NONE, 10);
	rf_drill(20, DRILL_END, "");
	r = rf_finish_log(path);

	assert_int_equal(r->ngaps, 2);
	assert_int_equal(r->gaps[1].count, 12);
	assert_string_equal(r->gaps[1].source, "queue");
	assert_true(r->gap_in[REPORT_M_DETECT]);
	assert_true(r->gap_in[REPORT_M_FAILOVER]);
	md = rf_render(r, REPORT_FMT_MD);
	json = rf_render(r, REPORT_FMT_JSON);
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
	path = rf_start_log("gaps2.jsonl",
	    "{\"service\":\"svc\",\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"}]}");
	rf_drill(0, DRILL_START, "gaps");
	rf_route(0.5, "", "a");
	gap.t = 2;
	gap.u.error.gap_count = 40;
	gap.u.error.gap_from = 1.0;
	gap.u.error.gap_to = 1.5;
	rf_put(&gap);
	rf_drill(5, DRILL_FAULT, "");
	rf_probe(6, "a", false, PERR_STATUS, 10);
	rf_health(8, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	rf_drill(20, DRILL_END, "");
	r = rf_finish_log(path);
	for (int m = 0; m < REPORT_M__COUNT; m++)
		assert_false(r->gap_in[m]);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bound_never_converged),
	    cmocka_unit_test(test_no_resolvers),
	    cmocka_unit_test(test_public_restored),
	    cmocka_unit_test(test_gaps),
	};
	return cmocka_run_group_tests(tests, rf_setup, rf_teardown);
}
