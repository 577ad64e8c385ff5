/* routing: pure decisions over hand-made endpoint states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "base/util.h"
#include "engine/routing.h"

#define ON HEALTH_ONLINE
#define DG HEALTH_DEGRADED
#define CK HEALTH_CHECKING
#define DS HEALTH_DISABLED

/* Three endpoints, priorities 1, 2, 3, online since t = 0. */
static void
three(RouteInput *in, HealthState a, HealthState b, HealthState c)
{
	HealthState st[3] = {a, b, c};

	memset(in, 0, 3 * sizeof(*in));
	for (int i = 0; i < 3; i++) {
		in[i].state = st[i];
		in[i].priority = i + 1;
		in[i].weight = 1;
		in[i].median_ms = -1;
		in[i].online_since = 0;
	}
}

static void
test_priority_pick_and_fail_open(void **state)
{
	static const struct {
		HealthState s[3];
		int want;
		bool fail_open;
	} table[] = {
	    {{ON, ON, ON}, 0, false},
	    {{DG, ON, ON}, 1, false},
	    {{DG, DG, ON}, 2, false},
	    {{DG, DG, DG}, 0, true}, /* all degraded: rules' pick, open */
	    {{DS, DG, DG}, 1, true}, /* disabled never picked */
	    {{CK, DG, CK}, 0, false}, /* checking before degraded */
	    {{DG, CK, ON}, 2, false}, /* online before checking */
	    {{DS, DS, DS}, -1, false},
	};
	RouteRules r = {ROUTE_PRIORITY, false, 60};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(table); k++) {
		RouteInput in[3];
		RouteDecision d;
		bool fo = !table[k].fail_open;

		three(in, table[k].s[0], table[k].s[1], table[k].s[2]);
		assert_int_equal(routing_pick(&r, in, 3, &fo), table[k].want);
		if (table[k].want >= 0)
			assert_int_equal(fo, table[k].fail_open);
		routing_decide(&r, in, 3, -1, 100, &d);
		assert_int_equal(d.to, table[k].want);
		assert_int_equal(d.cause, CAUSE_AUTO);
	}
}

static void
test_priority_uses_priority_not_order(void **state)
{
	RouteInput in[3];
	RouteRules r = {ROUTE_PRIORITY, false, 60};

	(void)state;
	three(in, ON, ON, ON);
	in[0].priority = 5;
	in[1].priority = 3;
	in[2].priority = 4;
	assert_int_equal(routing_pick(&r, in, 3, NULL), 1);
}

static void
test_priority_failover_and_failback(void **state)
{
	RouteInput in[3];
	RouteDecision d;
	RouteRules manual = {ROUTE_PRIORITY, false, 60};
	RouteRules autofb = {ROUTE_PRIORITY, true, 60};

	(void)state;
	/* Current degraded: move to the next best at once. */
	three(in, DG, ON, ON);
	routing_decide(&manual, in, 3, 0, 10, &d);
	assert_int_equal(d.to, 1);
	assert_int_equal(d.cause, CAUSE_AUTO);
	assert_false(d.fail_open);

	/* eu20 back online at t = 100; traffic on us21. */
	three(in, ON, ON, ON);
	in[0].online_since = 100;
	routing_decide(&manual, in, 3, 1, 500, &d);
	assert_int_equal(d.to, 1); /* manual failback: stay */
	assert_int_equal(d.waiting, 0);
	assert_true(d.due < 0);

	routing_decide(&autofb, in, 3, 1, 159.999, &d);
	assert_int_equal(d.to, 1);
	assert_int_equal(d.waiting, 0);
	assert_true(d.due == 160);
	routing_decide(&autofb, in, 3, 1, 160, &d);
	assert_int_equal(d.to, 0);
	assert_int_equal(d.cause, CAUSE_FAILBACK);
	assert_int_equal(d.waiting, -1);

	/* Fractional times: 10.2 + 60 must count as held at 70.2. */
	in[0].online_since = 10.2;
	routing_decide(&autofb, in, 3, 1, 70.2, &d);
	assert_int_equal(d.to, 0);

	/* A worse endpoint coming back never takes traffic. */
	three(in, ON, ON, ON);
	routing_decide(&autofb, in, 3, 0, 1000, &d);
	assert_int_equal(d.to, 0);
	assert_int_equal(d.waiting, -1);
}

static void
test_failback_to_best_stable(void **state)
{
	RouteInput in[3];
	RouteDecision d;
	RouteRules autofb = {ROUTE_PRIORITY, true, 60};

	(void)state;
	/* Traffic on #3; #1 online for 10 s, #2 for 100 s. */
	three(in, ON, ON, ON);
	in[0].online_since = 90;
	in[1].online_since = 0;
	routing_decide(&autofb, in, 3, 2, 100, &d);
	assert_int_equal(d.to, 1);
	assert_int_equal(d.cause, CAUSE_FAILBACK);
	assert_int_equal(d.waiting, 0);
	assert_true(d.due == 150);
}

static void
test_weighted(void **state)
{
	RouteInput in[3];
	RouteDecision d;
	RouteRules r = {ROUTE_WEIGHTED, false, 60};
	double sh[3];

	(void)state;
	three(in, ON, ON, ON);
	in[0].weight = 3;
	in[1].weight = 1;
	in[2].weight = 4;
	assert_int_equal(routing_shares(in, 3, sh), 3);
	assert_true(sh[0] == 3.0 / 8 && sh[1] == 1.0 / 8 && sh[2] == 0.5);
	routing_decide(&r, in, 3, 0, 0, &d);
	assert_int_equal(d.to, 2);

	in[2].state = DG;
	assert_int_equal(routing_shares(in, 3, sh), 2);
	assert_true(sh[0] == 0.75 && sh[1] == 0.25 && sh[2] == 0);
	routing_decide(&r, in, 3, 2, 0, &d);
	assert_int_equal(d.to, 0);

	/* Equal weights: priority breaks the tie. */
	three(in, ON, ON, DG);
	in[0].priority = 2;
	in[1].priority = 1;
	routing_decide(&r, in, 3, -1, 0, &d);
	assert_int_equal(d.to, 1);

	/* All degraded: shares over all enabled, fail open. */
	three(in, DG, DG, DS);
	assert_int_equal(routing_shares(in, 3, sh), 2);
	assert_true(sh[0] == 0.5 && sh[1] == 0.5 && sh[2] == 0);
	routing_decide(&r, in, 3, 0, 0, &d);
	assert_true(d.fail_open);
	assert_int_equal(d.to, 0);
}

static void
test_performance_margin(void **state)
{
	static const struct {
		double cur, chal; /* medians of current #0 and challenger #1 */
		double now;
		int want;
	} table[] = {
	    {100, 81, 1000, 0}, /* 19 ms < 20 % of 100: stay */
	    {100, 79, 1000, 1}, /* 21 ms > 20 %: switch */
	    {10, 6, 1000, 0}, /* 4 ms: under the 5 ms floor */
	    {10, 4.9, 1000, 1}, /* 5.1 ms: switch */
	    {100, 10, 30, 0}, /* much faster but not held 60 s */
	    {-1, 50, 1000, 1}, /* current has no median */
	    {50, -1, 1000, 0}, /* challenger has no median */
	};
	RouteRules r = {ROUTE_PERFORMANCE, false, 60};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(table); k++) {
		RouteInput in[3];
		RouteDecision d;

		three(in, ON, ON, DG);
		in[0].median_ms = table[k].cur;
		in[1].median_ms = table[k].chal;
		in[1].online_since = 0;
		routing_decide(&r, in, 3, 0, table[k].now, &d);
		assert_int_equal(d.to, table[k].want);
		assert_int_equal(d.cause, CAUSE_AUTO);
	}
}

static void
test_performance_first_and_failover(void **state)
{
	RouteInput in[3];
	RouteDecision d;
	RouteRules r = {ROUTE_PERFORMANCE, false, 60};

	(void)state;
	three(in, ON, ON, ON);
	in[0].median_ms = 30;
	in[1].median_ms = 29.5;
	in[2].median_ms = -1;
	/* First route: plain lowest median, no margin. */
	routing_decide(&r, in, 3, -1, 0, &d);
	assert_int_equal(d.to, 1);
	/* Current degraded: best of the rest at once. */
	in[1].state = DG;
	routing_decide(&r, in, 3, 1, 1, &d);
	assert_int_equal(d.to, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_priority_pick_and_fail_open),
	    cmocka_unit_test(test_priority_uses_priority_not_order),
	    cmocka_unit_test(test_priority_failover_and_failback),
	    cmocka_unit_test(test_failback_to_best_stable),
	    cmocka_unit_test(test_weighted),
	    cmocka_unit_test(test_performance_margin),
	    cmocka_unit_test(test_performance_first_and_failover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
