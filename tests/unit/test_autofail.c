/* autofail: the automatic failover policy fed hand-made route events at
 * virtual times: disabled flag, what counts as a move, hold_down exactly,
 * flapping, coalescing while an action runs, failback's action, and the
 * operator's routes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/autofail.h"
#include "helpers.h"

static Profile *
profile(bool auto_failover, double hold_down, bool with_failback)
{
	char *json = xasprintf(
	    "{\"service\":\"t\","
	    "\"routing\":{\"auto_failover\":%s,\"hold_down\":%g},"
	    "\"endpoints\":[{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:1/"
	    "\"},"
	    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:2/\"},"
	    "{\"name\":\"ap10\",\"target\":\"http://127.0.0.1:3/\"}],"
	    "\"actions\":{\"failover\":{\"argv\":[\"true\",\"{to}\"]}%s}}",
	    auto_failover ? "true" : "false", hold_down,
	    with_failback ? ",\"failback\":{\"argv\":[\"true\"]}" : "");
	ErrList errs;
	Profile *p;

	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", "/tmp", &errs);
	if (p == NULL)
		errlist_print(&errs, stderr);
	errlist_fini(&errs);
	free(json);
	assert_non_null(p);
	return p;
}

static void
feed(Autofail *a, double t, const char *from, const char *to, RouteCause c)
{
	Event ev = th_route(t, from, to, c);

	autofail_feed(a, &ev);
}

static void
test_disabled_requests_nothing(void **state)
{
	Profile *p = profile(false, 3, true);
	Autofail *a = autofail_new(p);
	AutofailRequest req;

	(void)state;
	assert_false(autofail_enabled(a));
	feed(a, 1, "", "eu20", CAUSE_AUTO);
	feed(a, 2, "eu20", "us21", CAUSE_AUTO);
	feed(a, 9, "us21", "eu20", CAUSE_FAILBACK);
	for (double t = 0; t < 100; t += 0.5)
		assert_false(autofail_next(a, t, false, &req));
	assert_false(autofail_pending(a));
	assert_true(autofail_due(a) < 0);
	assert_int_equal(autofail_started(a), 0);
	autofail_free(a);
	profile_free(p);
}

static void
test_what_counts_as_a_move(void **state)
{
	Profile *p = profile(true, 3, true);
	Autofail *a = autofail_new(p);
	AutofailRequest req;
	Event probe;

	(void)state;
	assert_true(autofail_enabled(a));
	/* The first route, a fail-open on the same endpoint, other types. */
	feed(a, 1, "", "eu20", CAUSE_AUTO);
	feed(a, 2, "eu20", "eu20", CAUSE_AUTO);
	memset(&probe, 0, sizeof(probe));
	probe.type = EV_PROBE;
	autofail_feed(a, &probe);
	assert_false(autofail_pending(a));
	assert_false(autofail_next(a, 3, false, &req));
	/* A real move: failover from eu20 to us21, at once. */
	feed(a, 4, "eu20", "us21", CAUSE_AUTO);
	assert_true(autofail_pending(a));
	assert_true(autofail_due(a) == 0);
	assert_false(autofail_next(a, 4, true, &req)); /* runner busy */
	assert_true(autofail_next(a, 4, false, &req));
	assert_string_equal(req.name, "failover");
	assert_string_equal(req.from, "eu20");
	assert_string_equal(req.to, "us21");
	assert_false(autofail_pending(a));
	assert_false(autofail_next(a, 100, false, &req)); /* taken once */
	assert_int_equal(autofail_started(a), 1);
	autofail_free(a);
	profile_free(p);
}

static void
test_hold_down_exactly(void **state)
{
	Profile *p = profile(true, 3, true);
	Autofail *a = autofail_new(p);
	AutofailRequest req;

	(void)state;
	feed(a, 10, "eu20", "us21", CAUSE_AUTO);
	assert_true(autofail_next(a, 10, false, &req));
	feed(a, 11, "us21", "ap10", CAUSE_AUTO);
	assert_true(autofail_pending(a));
	assert_true(autofail_due(a) == 13);
	assert_false(autofail_next(a, 11, false, &req));
	assert_false(autofail_next(a, 12.999, false, &req));
	assert_true(autofail_pending(a));
	assert_true(autofail_next(a, 13, false, &req)); /* exactly */
	assert_string_equal(req.from, "us21");
	assert_string_equal(req.to, "ap10");
	/* hold_down counts from the start of the previous action. */
	feed(a, 13.5, "ap10", "eu20", CAUSE_AUTO);
	assert_false(autofail_next(a, 15.999, false, &req));
	assert_true(autofail_next(a, 16, false, &req));
	assert_int_equal(autofail_started(a), 3);
	autofail_free(a);
	profile_free(p);
}

/* eu20 and us21 take turns failing every `period` seconds for 30 s: the
 * route moves on every turn, the action starts at most once per
 * hold_down, and the last action leaves the traffic manager where the
 * route ends. */
static void
flap(double period, double hold_down)
{
	Profile *p = profile(true, hold_down, false);
	Autofail *a = autofail_new(p);
	AutofailRequest req;
	const char *where = "eu20";
	char tm[EV_NAME_MAX] = "eu20";
	double last = -1e9, next_flip = 1;
	int routes = 0, starts = 0;

	feed(a, 0.5, "", "eu20", CAUSE_AUTO);
	for (int k = 0; k <= 4000; k++) {
		double t = k * 0.01; /* the main loop's ticks: 0 .. 40 s */

		if (t <= 30 && t + 1e-9 >= next_flip) {
			const char *to =
			    strcmp(where, "eu20") == 0 ? "us21" : "eu20";
			feed(a, t, where, to, CAUSE_AUTO);
			where = to;
			routes++;
			next_flip += period;
		}
		if (autofail_next(a, t, false, &req)) {
			assert_true(t - last >= hold_down - 1e-9);
			assert_string_equal(req.from, tm);
			assert_string_not_equal(req.from, req.to);
			str_copy(tm, sizeof(tm), req.to);
			last = t;
			starts++;
		}
	}
	assert_true(routes >= (int)(29 / period));
	assert_true(starts >= 2);
	assert_true(starts <= (int)(30 / hold_down) + 1);
	assert_true(starts < routes);
	assert_string_equal(tm, where); /* the traffic manager caught up */
	assert_false(autofail_pending(a));
	autofail_free(a);
	profile_free(p);
}

/* hold_down counts from the action's own `started` event, which the
 * runner emits a little after the request was handed out. */
static void
test_hold_down_from_started_event(void **state)
{
	Profile *p = profile(true, 3, true);
	Autofail *a = autofail_new(p);
	AutofailRequest req;
	Event st;

	(void)state;
	feed(a, 1, "", "eu20", CAUSE_AUTO);
	feed(a, 10, "eu20", "us21", CAUSE_AUTO);
	assert_true(autofail_next(a, 10, false, &req));
	event_init(&st, EV_ACTION, 10.005);
	str_copy(st.u.action.name, EV_NAME_MAX, "failover");
	str_copy(st.u.action.by, sizeof(st.u.action.by), "auto");
	st.u.action.phase = ACT_STARTED;
	autofail_feed(a, &st);
	feed(a, 11, "us21", "eu20", CAUSE_AUTO);
	assert_double_equal(autofail_due(a), 13.005, 1e-9);
	assert_false(autofail_next(a, 13.003, false, &req));
	assert_true(autofail_next(a, 13.005, false, &req));
	/* an operator's action does not count */
	feed(a, 14, "eu20", "us21", CAUSE_AUTO);
	str_copy(st.u.action.by, sizeof(st.u.action.by), "operator");
	st.t = 14;
	autofail_feed(a, &st);
	assert_double_equal(autofail_due(a), 16.005, 1e-9);
	autofail_free(a);
	profile_free(p);
}

static void
test_flapping_region(void **state)
{
	(void)state;
	flap(1.0, 3.0); /* a route every second, hold_down 3 s */
	flap(0.3, 5.0);
	flap(2.5, 3.0);
}

static void
test_coalesced_while_running(void **state)
{
	Profile *p = profile(true, 2, true);
	Autofail *a = autofail_new(p);
	AutofailRequest req;

	(void)state;
	feed(a, 1, "eu20", "us21", CAUSE_AUTO);
	assert_true(autofail_next(a, 1, false, &req));
	/* While it runs: two more moves become one request to the latest. */
	feed(a, 2, "us21", "ap10", CAUSE_AUTO);
	feed(a, 3, "ap10", "eu20", CAUSE_AUTO);
	assert_false(autofail_next(a, 5, true, &req)); /* still running */
	assert_true(autofail_next(a, 6, false, &req));
	assert_string_equal(req.name, "failover");
	assert_string_equal(req.from, "us21");
	assert_string_equal(req.to, "eu20");
	/* Moves that end where the last action sent traffic: nothing. */
	feed(a, 7, "eu20", "us21", CAUSE_AUTO);
	feed(a, 7.5, "us21", "eu20", CAUSE_AUTO);
	assert_false(autofail_pending(a));
	assert_false(autofail_next(a, 20, false, &req));
	/* ... and the next move after that starts from there. */
	feed(a, 21, "eu20", "ap10", CAUSE_AUTO);
	assert_true(autofail_next(a, 21, false, &req));
	assert_string_equal(req.from, "eu20");
	assert_string_equal(req.to, "ap10");
	assert_int_equal(autofail_started(a), 3);
	autofail_free(a);
	profile_free(p);
}

static void
test_failback_action_choice(void **state)
{
	AutofailRequest req;

	(void)state;
	for (int with = 0; with <= 1; with++) {
		Profile *p = profile(true, 1, with == 1);
		Autofail *a = autofail_new(p);

		feed(a, 1, "eu20", "us21", CAUSE_AUTO);
		assert_true(autofail_next(a, 1, false, &req));
		assert_string_equal(req.name, "failover");
		feed(a, 5, "us21", "eu20", CAUSE_FAILBACK);
		assert_true(autofail_next(a, 5, false, &req));
		assert_string_equal(req.name, with ? "failback" : "failover");
		assert_string_equal(req.from, "us21");
		assert_string_equal(req.to, "eu20");
		autofail_free(a);
		profile_free(p);
	}
}

static void
test_operator_route_wins(void **state)
{
	Profile *p = profile(true, 10, true);
	Autofail *a = autofail_new(p);
	AutofailRequest req;

	(void)state;
	feed(a, 1, "eu20", "us21", CAUSE_AUTO);
	assert_true(autofail_next(a, 1, false, &req));
	feed(a, 2, "us21", "ap10", CAUSE_AUTO);
	assert_true(autofail_pending(a));
	autofail_operator_route(a);
	assert_false(autofail_pending(a));
	assert_false(autofail_next(a, 50, false, &req));
	feed(a, 51, "ap10", "us21", CAUSE_AUTO);
	assert_true(autofail_pending(a));
	feed(a, 52, "ap10", "eu20", CAUSE_MANUAL); /* from a log */
	assert_false(autofail_pending(a));
	assert_false(autofail_next(a, 60, false, &req));
	autofail_free(a);
	profile_free(p);
}

static ActionEvent
outcome(const char *name, const char *by, int code, const char *step)
{
	ActionEvent ev;

	memset(&ev, 0, sizeof(ev));
	str_copy(ev.name, sizeof(ev.name), name);
	str_copy(ev.by, sizeof(ev.by), by);
	str_copy(ev.from, sizeof(ev.from), "eu20");
	str_copy(ev.to, sizeof(ev.to), "us21");
	str_copy(ev.step, sizeof(ev.step), step);
	ev.phase = ACT_FINISHED;
	ev.exit_code = code;
	return ev;
}

static void
test_manual_route_after_outcome(void **state)
{
	ActionEvent ev;
	RouteCause c = CAUSE_AUTO;
	char to[EV_NAME_MAX];

	(void)state;
	ev = outcome("failover", "operator", 0, "");
	assert_true(autofail_manual_route(&ev, &c, to, sizeof(to)));
	assert_int_equal(c, CAUSE_MANUAL);
	assert_string_equal(to, "us21");
	ev = outcome("failback", "operator", 0, "");
	assert_true(autofail_manual_route(&ev, &c, to, sizeof(to)));
	assert_int_equal(c, CAUSE_FAILBACK);
	assert_string_equal(to, "");
	ev = outcome("failover", "auto", 0, ""); /* the engine moved it */
	assert_false(autofail_manual_route(&ev, &c, to, sizeof(to)));
	ev = outcome("failover", "operator", 3, ""); /* failed */
	assert_false(autofail_manual_route(&ev, &c, to, sizeof(to)));
	ev = outcome("failover", "operator", 0, "switch"); /* a step */
	assert_false(autofail_manual_route(&ev, &c, to, sizeof(to)));
	ev = outcome("failover", "operator", 0, "");
	ev.phase = ACT_STARTED;
	assert_false(autofail_manual_route(&ev, &c, to, sizeof(to)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_disabled_requests_nothing),
	    cmocka_unit_test(test_what_counts_as_a_move),
	    cmocka_unit_test(test_hold_down_exactly),
	    cmocka_unit_test(test_hold_down_from_started_event),
	    cmocka_unit_test(test_flapping_region),
	    cmocka_unit_test(test_coalesced_while_running),
	    cmocka_unit_test(test_failback_action_choice),
	    cmocka_unit_test(test_operator_route_wins),
	    cmocka_unit_test(test_manual_route_after_outcome),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
