/*
 * timeheap: the HTTP server's deadline heap against a plain array:
 * queue, move, remove and take the earliest, in a fixed random order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>

#include "sim/timeheap.h"

enum { N = 200 };

/* The earliest deadline among the queued nodes, or -1 when none. */
static long long
earliest(const TimeHeapNode *nodes, const bool *queued)
{
	long long best = -1;

	for (int i = 0; i < N; i++)
		if (queued[i] && (best < 0 || nodes[i].at < best))
			best = nodes[i].at;
	return best;
}

static void
test_basics(void **state)
{
	TimeHeap t;
	TimeHeapNode a, b, c;

	(void)state;
	timeheap_init(&t);
	timeheap_node_init(&a);
	timeheap_node_init(&b);
	timeheap_node_init(&c);
	assert_null(timeheap_first(&t));
	timeheap_remove(&t, &a); /* not queued: nothing */
	timeheap_set(&t, &a, 30);
	timeheap_set(&t, &b, 10);
	timeheap_set(&t, &c, 20);
	assert_ptr_equal(timeheap_first(&t), &b);
	timeheap_set(&t, &b, 40); /* moved later */
	assert_ptr_equal(timeheap_first(&t), &c);
	timeheap_set(&t, &a, 5); /* moved earlier */
	assert_ptr_equal(timeheap_first(&t), &a);
	timeheap_remove(&t, &a);
	assert_int_equal(a.idx, -1);
	assert_ptr_equal(timeheap_first(&t), &c);
	timeheap_remove(&t, &c);
	timeheap_remove(&t, &c);
	assert_ptr_equal(timeheap_first(&t), &b);
	timeheap_remove(&t, &b);
	assert_null(timeheap_first(&t));
	timeheap_fini(&t);
}

static void
test_against_array(void **state)
{
	static TimeHeapNode nodes[N];
	static bool queued[N];
	unsigned seed = 4242;
	TimeHeap t;

	(void)state;
	timeheap_init(&t);
	for (int i = 0; i < N; i++) {
		timeheap_node_init(&nodes[i]);
		queued[i] = false;
	}
	for (int step = 0; step < 20000; step++) {
		int i = (int)((unsigned)rand_r(&seed) % N);
		switch (rand_r(&seed) % 4) {
		case 0:
		case 1: /* queue or move */
			timeheap_set(&t, &nodes[i], rand_r(&seed) % 1000);
			queued[i] = true;
			break;
		case 2:
			timeheap_remove(&t, &nodes[i]);
			queued[i] = false;
			break;
		default: { /* take the earliest, as the loop does */
			TimeHeapNode *f = timeheap_first(&t);
			long long want = earliest(nodes, queued);
			if (f == NULL) {
				assert_int_equal(want, -1);
				break;
			}
			assert_int_equal(f->at, want);
			timeheap_remove(&t, f);
			queued[f - nodes] = false;
		}
		}
		TimeHeapNode *f = timeheap_first(&t);
		assert_int_equal(
		    f != NULL ? f->at : -1, earliest(nodes, queued));
		for (int k = 0; k < N; k++)
			assert_int_equal(nodes[k].idx >= 0, queued[k]);
	}
	timeheap_fini(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basics),
	    cmocka_unit_test(test_against_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
