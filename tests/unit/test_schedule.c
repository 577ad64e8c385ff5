/* schedule: first probes spread, fixed grid without drift, missed slots
 * skipped, heap order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "probe/schedule.h"

static void
test_first_due_spread(void **state)
{
	const int n = 1000;
	double interval = 1.0, start = 100.0;
	int per_ms[1000] = {0};

	(void)state;
	/* Deterministic, inside [start, start + interval), one per ms. */
	for (int i = 0; i < n; i++) {
		double d = schedule_first_due(start, interval, i, n);
		int slot = (int)floor((d - start) * 1000.0 + 1e-6);

		assert_true(d >= start && d < start + interval);
		assert_true(d == schedule_first_due(start, interval, i, n));
		assert_in_range(slot, 0, 999);
		per_ms[slot]++;
	}
	for (int i = 0; i < 1000; i++)
		assert_int_equal(per_ms[i], 1);
	/* Each endpoint spreads over its own interval. */
	assert_true(schedule_first_due(0, 30, 1, 2) == 15.0);
	assert_true(schedule_first_due(0, 10, 1, 2) == 5.0);
	assert_true(schedule_first_due(7, 10, 0, 2) == 7.0);
}

static void
test_no_drift(void **state)
{
	double due = schedule_first_due(0, 0.2, 3, 10); /* 0.06 */
	double first = due;

	(void)state;
	/* Completions that come late (start lateness + probe time) never
	 * move the grid: after 10,000 slots the time is exactly on it. */
	for (int k = 1; k <= 10000; k++) {
		double now = due + 0.15; /* a slow probe ended */
		due = schedule_next_due(due, 0.2, now);
		assert_true(fabs(due - (first + 0.2 * k)) < 1e-6);
	}
}

static void
test_skip_missed(void **state)
{
	(void)state;
	/* On time: the next slot. */
	assert_true(schedule_next_due(10.0, 1.0, 10.0005) == 11.0);
	/* Stalled for 2.5 intervals: 11 and 12 are skipped, not burst. */
	assert_true(schedule_next_due(10.0, 1.0, 12.5) == 13.0);
	/* Exactly on a slot that has come: it is missed too. */
	assert_true(schedule_next_due(10.0, 1.0, 12.0) == 13.0);
	/* Fractional intervals keep the phase. */
	double d = schedule_next_due(0.3, 0.7, 100.0);
	double k = (d - 0.3) / 0.7;
	assert_true(d > 100.0 && d <= 100.7 + 1e-9);
	assert_true(fabs(k - round(k)) < 1e-6);
}

static void
test_heap_order(void **state)
{
	Schedule s;
	ScheduleItem it, prev = {-1, -1};
	unsigned seed = 7;

	(void)state;
	schedule_init(&s);
	assert_int_equal(schedule_pop(&s, &it), 0);
	assert_int_equal(schedule_peek(&s, &it), 0);
	for (int i = 0; i < 5000; i++) {
		seed = seed * 1103515245u + 12345u;
		schedule_push(&s, (double)(seed % 977) / 10.0, i);
	}
	assert_int_equal(schedule_len(&s), 5000);
	assert_int_equal(schedule_peek(&s, &it), 1);
	for (int i = 0; i < 5000; i++) {
		ScheduleItem top;

		assert_int_equal(schedule_peek(&s, &top), 1);
		assert_int_equal(schedule_pop(&s, &it), 1);
		assert_true(top.due == it.due && top.idx == it.idx);
		/* Ordered by due, then idx. */
		assert_true(it.due > prev.due ||
		    (it.due == prev.due && it.idx > prev.idx));
		prev = it;
	}
	assert_int_equal(schedule_len(&s), 0);
	schedule_fini(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_due_spread),
	    cmocka_unit_test(test_no_drift),
	    cmocka_unit_test(test_skip_missed),
	    cmocka_unit_test(test_heap_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
