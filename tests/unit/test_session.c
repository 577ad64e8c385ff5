/*
 * session: the core loop. Events the in queue dropped become one `error`
 * event (source "queue") with the gap's span and count, in the record and
 * to the reader; in evidence mode what the reader had no room for becomes
 * an `error` event (source "stdout") once there is room again; the
 * record gets every event whatever the reader does; stop feeds what the
 * producers left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "helpers.h"
#include "journal/logread.h"
#include "journal/recorder.h"
#include "live/session.h"

static char dir[128];

static Profile *
load(void)
{
	static const char json[] =
	    "{\"service\":\"s\",\"endpoints\":[{\"name\":\"a\",\"target\":"
	    "\"http://127.0.0.1:1/\"}]}";
	ErrList e;
	Profile *p;

	errlist_init(&e);
	p = profile_parse(json, strlen(json), "p.json", "/tmp", &e);
	assert_non_null(p);
	errlist_fini(&e);
	return p;
}

/* The record's events of type (and error source, when given). */
static int
count_in_log(const char *path, EventType type, const char *source, Event *last)
{
	SessionHeader h;
	char err[256];
	LogRead *lr = logread_open(path, &h, err, sizeof(err));
	Event ev;
	int n = 0;

	assert_non_null(lr);
	while (logread_next(lr, &ev, err, sizeof(err)) == 1)
		if (ev.type == type &&
		    (source == NULL ||
		        strcmp(ev.u.error.source, source) == 0)) {
			n++;
			if (last != NULL)
				*last = ev;
		}
	logread_close(lr);
	session_header_fini(&h);
	return n;
}

static Recorder *
open_rec(const char *path)
{
	char err[256];
	Recorder *r = recorder_open(path,
	    "{\"type\":\"session\",\"v\":1,\"version\":\"t\",\"started\":"
	    "\"2026-11-21T08:00:00.000Z\",\"mode\":\"live\"}\n",
	    NULL, err, sizeof(err));

	assert_non_null(r);
	return r;
}

static void
test_in_queue_gap(void **state)
{
	Profile *p = load();
	Engine *e = engine_new(p);
	Queue *q = queue_new(4);
	char path[256], err[256];
	Recorder *rec;
	Session *s;
	Event ev, got;

	(void)state;
	snprintf(path, sizeof(path), "%s/in.jsonl", dir);
	rec = open_rec(path);
	/* ten markers into a queue of four before anyone drains it */
	for (int i = 0; i < 10; i++) {
		ev = th_marker(1.0 + i * 0.1, "m");
		queue_try_push(q, &ev);
	}
	SessionConfig sc = {.p = p,
	    .engine = e,
	    .in = q,
	    .record = rec,
	    .t0 = mono_now(),
	    .out_kind = SESSION_OUT_DISPLAY};
	s = session_start(&sc, err, sizeof(err));
	assert_non_null(s);
	session_stop(s, 2.0);
	assert_int_equal(recorder_close(rec, err, sizeof(err)), 0);
	assert_int_equal(count_in_log(path, EV_MARKER, NULL, NULL), 4);
	assert_int_equal(count_in_log(path, EV_ERROR, "queue", &got), 1);
	assert_int_equal(got.u.error.gap_count, 6);
	assert_double_equal(got.u.error.gap_from, 1.4, 1e-6);
	assert_double_equal(got.u.error.gap_to, 1.9, 1e-6);
	engine_free(e);
	queue_free(q);
	profile_free(p);
}

static void
test_out_gap_evidence(void **state)
{
	Profile *p = load();
	Engine *e = engine_new(p);
	Queue *q = queue_new(256);
	char path[256], err[256];
	Event ev, out[64], got;
	Recorder *rec;
	Session *s;
	size_t n, seen_gap = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.jsonl", dir);
	rec = open_rec(path);
	SessionConfig sc = {.p = p,
	    .engine = e,
	    .in = q,
	    .record = rec,
	    .t0 = mono_now(),
	    .out_kind = SESSION_OUT_EVIDENCE,
	    .out_capacity = 5};
	s = session_start(&sc, err, sizeof(err));
	assert_non_null(s);
	/* 20 markers while the reader reads nothing: 5 fit */
	for (int i = 0; i < 20; i++) {
		ev = th_marker(1.0 + i * 0.01, "m");
		queue_try_push(q, &ev);
	}
	for (int k = 0; k < 200 && session_out_dropped(s) < 15; k++)
		usleep(10000);
	assert_int_equal(session_out_dropped(s), 15);
	/* the reader is back: the next event brings the gap to both */
	n = session_out_drain(s, out, 64);
	assert_int_equal(n, 5);
	ev = th_marker(3.0, "after");
	queue_try_push(q, &ev);
	for (int k = 0; k < 200 && seen_gap == 0; k++) {
		usleep(10000);
		n = session_out_drain(s, out, 64);
		for (size_t i = 0; i < n; i++)
			if (out[i].type == EV_ERROR &&
			    strcmp(out[i].u.error.source, "stdout") == 0)
				seen_gap = out[i].u.error.gap_count;
	}
	assert_int_equal(seen_gap, 15);
	session_stop(s, 4.0);
	assert_int_equal(recorder_close(rec, err, sizeof(err)), 0);
	/* the record has every marker, and the gap */
	assert_int_equal(count_in_log(path, EV_MARKER, NULL, NULL), 21);
	assert_int_equal(count_in_log(path, EV_ERROR, "stdout", &got), 1);
	assert_int_equal(got.u.error.gap_count, 15);
	assert_double_equal(got.u.error.gap_from, 1.05, 1e-6);
	assert_double_equal(got.u.error.gap_to, 1.19, 1e-6);
	engine_free(e);
	queue_free(q);
	profile_free(p);
}

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "session");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_queue_gap),
	    cmocka_unit_test(test_out_gap_evidence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
