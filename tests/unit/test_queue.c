/* queue: FIFO, bounded, overflow counted exactly, many producers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/queue.h"

static Event
mk(int producer, int seq)
{
	Event ev;

	event_init(&ev, EV_MARKER, seq);
	snprintf(
	    ev.u.marker.note, sizeof(ev.u.marker.note), "%d:%d", producer, seq);
	return ev;
}

static bool
readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

static void
test_fifo_and_wake(void **state)
{
	Queue *q = queue_new(4);
	Event out[8];

	(void)state;
	assert_non_null(q);
	assert_false(readable(queue_wake_fd(q)));
	for (int i = 0; i < 3; i++) {
		Event ev = mk(0, i);
		assert_true(queue_try_push(q, &ev));
	}
	assert_true(readable(queue_wake_fd(q)));
	assert_int_equal(queue_drain(q, out, 2), 2);
	assert_string_equal(out[0].u.marker.note, "0:0");
	assert_string_equal(out[1].u.marker.note, "0:1");
	/* One left: the fd must still wake the consumer. */
	assert_true(readable(queue_wake_fd(q)));
	assert_int_equal(queue_drain(q, out, 8), 1);
	assert_string_equal(out[0].u.marker.note, "0:2");
	assert_false(readable(queue_wake_fd(q)));
	assert_int_equal(queue_drain(q, out, 8), 0);
	queue_free(q);
}

static void
test_overflow_counted(void **state)
{
	Queue *q = queue_new(3);
	Event out[8];

	(void)state;
	for (int i = 0; i < 10; i++) {
		Event ev = mk(0, i);
		assert_int_equal(queue_try_push(q, &ev), i < 3);
	}
	assert_int_equal(queue_overflow(q), 7);
	assert_int_equal(queue_pushed(q), 3);
	assert_int_equal(queue_length(q), 3);
	/* Wrap-around keeps order. */
	assert_int_equal(queue_drain(q, out, 2), 2);
	for (int i = 10; i < 12; i++) {
		Event ev = mk(0, i);
		assert_true(queue_try_push(q, &ev));
	}
	assert_int_equal(queue_drain(q, out, 8), 3);
	assert_string_equal(out[0].u.marker.note, "0:2");
	assert_string_equal(out[1].u.marker.note, "0:10");
	assert_string_equal(out[2].u.marker.note, "0:11");
	queue_free(q);
}

#define PRODUCERS 4
#define PER_PRODUCER 20000

typedef struct {
	Queue *q;
	int id;
	int rejected;
} Producer;

static void *
produce(void *arg)
{
	Producer *p = arg;

	for (int i = 0; i < PER_PRODUCER; i++) {
		Event ev = mk(p->id, i);
		if (!queue_try_push(p->q, &ev))
			p->rejected++;
	}
	return NULL;
}

/* Several producers, a consumer that polls the wake fd: nothing lost or
 * duplicated, FIFO per producer, overflow equals the rejections. */
static void
run_producers(size_t capacity, bool expect_no_overflow)
{
	Queue *q = queue_new(capacity);
	Producer prod[PRODUCERS];
	pthread_t th[PRODUCERS];
	int next[PRODUCERS] = {0};
	uint64_t got = 0, rejected = 0;
	static Event out[512];
	int finished = 0;

	for (int i = 0; i < PRODUCERS; i++) {
		prod[i] = (Producer){q, i, 0};
		assert_int_equal(
		    pthread_create(&th[i], NULL, produce, &prod[i]), 0);
	}
	for (;;) {
		struct pollfd pfd = {.fd = queue_wake_fd(q), .events = POLLIN};
		size_t n;

		poll(&pfd, 1, 20);
		n = queue_drain(q, out, 512);
		for (size_t k = 0; k < n; k++) {
			int pid, seq;
			assert_int_equal(
			    sscanf(out[k].u.marker.note, "%d:%d", &pid, &seq),
			    2);
			assert_true(pid >= 0 && pid < PRODUCERS);
			/* FIFO per producer: strictly increasing. */
			assert_true(seq >= next[pid]);
			next[pid] = seq + 1;
			got++;
		}
		if (n == 0 && finished == PRODUCERS && queue_length(q) == 0)
			break;
		if (finished < PRODUCERS && n == 0) {
			/* Join whoever is done; the loop is bounded by the
			 * producers' finite work. */
			finished = 0;
			for (int i = 0; i < PRODUCERS; i++)
				if (prod[i].id < 0 ||
				    pthread_tryjoin_np(th[i], NULL) == 0) {
					prod[i].id = -1;
					finished++;
				}
		}
	}
	for (int i = 0; i < PRODUCERS; i++)
		rejected += (uint64_t)prod[i].rejected;
	assert_int_equal(got + rejected, (uint64_t)PRODUCERS * PER_PRODUCER);
	assert_int_equal(queue_overflow(q), rejected);
	assert_int_equal(queue_pushed(q), got);
	if (expect_no_overflow)
		assert_int_equal(rejected, 0);
	queue_free(q);
}

static void
test_many_producers_no_loss(void **state)
{
	(void)state;
	run_producers((size_t)PRODUCERS * PER_PRODUCER, true);
}

static void
test_many_producers_overflow_exact(void **state)
{
	(void)state;
	run_producers(64, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifo_and_wake),
	    cmocka_unit_test(test_overflow_counted),
	    cmocka_unit_test(test_many_producers_no_loss),
	    cmocka_unit_test(test_many_producers_overflow_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
