/*
 * state: the drill log's `state` line. An engine's state written and read
 * back is the same state (the line of the re-imported engine is the same
 * line, byte for byte), an engine that imports it derives what the
 * original derives from then on, and bad lines are refused with a reason
 * instead of half-loading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine.h"
#include "engine/engine_state.h"
#include "helpers.h"
#include "journal/state.h"
#include "model/profile.h"

static const char prof[] =
    "{\"service\":\"s\",\"dns\":{\"name\":\"s.test\",\"ttl\":20,"
    "\"resolvers\":[{\"addr\":\"10.0.0.9:53\",\"name\":\"ns\","
    "\"authoritative\":true},\"10.0.0.1:53\"]},"
    "\"routing\":{\"method\":\"performance\",\"hold_down\":5},"
    "\"monitor\":{\"interval\":1,\"timeout\":0.5,\"tolerated_failures\":1},"
    "\"endpoints\":[{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:1/\"},"
    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:2/\"},"
    "{\"name\":\"ap10\",\"target\":\"http://127.0.0.1:3/\"}]}";

static Profile *
load(const char *json)
{
	ErrList e;
	Profile *p;

	errlist_init(&e);
	p = profile_parse(json, strlen(json), "p.json", "/tmp", &e);
	if (p == NULL)
		fail_msg("%s", e.count ? e.msgs[0] : "?");
	errlist_fini(&e);
	return p;
}

typedef struct {
	char *buf;
	size_t len;
} Out;

static void
out_add(void *ctx, const Event *ev)
{
	Out *o = ctx;
	char line[EVENT_JSON_MAX];
	size_t n = event_to_json(ev, line, sizeof(line));

	o->buf = xrealloc(o->buf, o->len + n + 1, 1);
	memcpy(o->buf + o->len, line, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* Step k of a scripted session: latencies that differ by region (for
 * performance routing), eu20 failing from 8 to 14 s, DNS answers that
 * follow the expected route with a lag, ticks between events. */
static void
step(Engine *e, int k, const EventSink *sink)
{
	double t = k * 0.25;
	const char *eps[] = {"eu20", "us21", "ap10"};
	const char *to = engine_snapshot(e)->route_to;
	Event ev;

	for (int i = 0; i < 3; i++) {
		bool ok = !(i == 0 && t > 8 && t < 14);

		ev = th_probe(t + i * 0.01, eps[i], ok, PERR_STATUS,
		    ok ? 10 + i * 7 + k % 5 : 3);
		engine_feed(e, &ev, sink);
	}
	if (k % 4 == 2) {
		ev = th_dns(t + 0.05, "10.0.0.9:53", to[0] ? to : "eu20", 20);
		engine_feed(e, &ev, sink);
		ev = th_dns(t + 0.06, "10.0.0.1:53",
		    k % 24 < 12 ? "eu20" : (to[0] ? to : "eu20"), 20 - k % 20);
		engine_feed(e, &ev, sink);
	}
	if (k == 10) { /* us21's certificate expired hours ago */
		event_init(&ev, EV_CERT, t + 0.07);
		str_copy(
		    ev.u.cert.endpoint, sizeof(ev.u.cert.endpoint), "us21");
		ev.u.cert.days_left = -1;
		engine_feed(e, &ev, sink);
	}
	engine_tick(e, t + 0.2, sink);
}

static void
test_round_trip_and_derivation(void **state)
{
	Profile *p = load(prof);

	(void)state;
	for (int split = 5; split < 90; split += 17) {
		Engine *a = engine_new(p), *b = engine_new(p);
		Out oa = {NULL, 0}, ob = {NULL, 0};
		EventSink sa = {out_add, &oa}, sb = {out_add, &ob};
		EngineState st;
		char *line, *again, err[256];

		for (int k = 0; k < split; k++)
			step(a, k, NULL);
		line = state_line_of(a, split * 0.25);
		assert_true(state_is_line(line, strlen(line)));
		assert_int_equal(
		    state_parse(line, strlen(line) - 1, &st, err, sizeof(err)),
		    0);
		assert_int_equal(
		    engine_state_import(b, &st, err, sizeof(err)), 0);
		engine_state_fini(&st);
		again = state_line_of(b, split * 0.25);
		assert_string_equal(line, again);
		/* a certificate not read is null; one expired within a day
		 * is -1, not "unknown" */
		assert_non_null(strstr(line, "\"cert_days\":null"));
		assert_true(
		    (strstr(line, "\"cert_days\":-1") != NULL) == (split > 10));
		/* from here on both derive the same events */
		for (int k = split; k < 100; k++) {
			step(a, k, &sa);
			step(b, k, &sb);
		}
		assert_non_null(oa.buf);
		assert_string_equal(oa.buf, ob.buf);
		assert_true(strstr(oa.buf, "\"type\":\"route\"") != NULL ||
		    strstr(oa.buf, "\"type\":\"health\"") != NULL);
		free(line);
		free(again);
		free(oa.buf);
		free(ob.buf);
		engine_free(a);
		engine_free(b);
	}
	profile_free(p);
}

static void
test_bad_lines(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
	    {"[1,2]", "state: not a JSON object"},
	    {"{\"t\":1,\"type\":\"probe\"}", "state: not a state line"},
	    {"{\"t\":1,\"type\":\"state\",\"now\":1}",
	        "state: state.endpoints is missing"},
	    {"{\"t\":1,\"type\":\"state\",\"now\":\"x\",\"endpoints\":[]}",
	        "state: state.now is not a number"},
	    {"{\"t\":1,\"type\":\"state\",\"now\":1,\"endpoints\":[{\"name\":"
	     "\"a\",\"state\":\"asleep\"}]}",
	        "state: endpoint.state: unknown value \"asleep\""},
	};
	EngineState st;
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		err[0] = '\0';
		assert_int_equal(
		    state_parse(cases[i].line, strlen(cases[i].line), &st, err,
		        sizeof(err)),
		    -1);
		assert_string_equal(err, cases[i].want);
		assert_null(st.endpoints);
	}
}

static void
test_import_refuses_unknown_endpoints(void **state)
{
	Profile *p = load(prof);
	Engine *a = engine_new(p), *b;
	EngineState st;
	char *line, err[256];
	const char *other =
	    "{\"service\":\"s\",\"endpoints\":[{\"name\":\"eu20\",\"target\":"
	    "\"http://127.0.0.1:1/\"}]}";
	Profile *q = load(other);

	(void)state;
	for (int k = 0; k < 10; k++)
		step(a, k, NULL);
	line = state_line_of(a, 2.5);
	assert_int_equal(
	    state_parse(line, strlen(line), &st, err, sizeof(err)), 0);
	b = engine_new(q);
	assert_int_equal(engine_state_import(b, &st, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "state: endpoint \"us21\" is not in the profile");
	engine_state_fini(&st);
	free(line);
	engine_free(a);
	engine_free(b);
	profile_free(p);
	profile_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_and_derivation),
	    cmocka_unit_test(test_bad_lines),
	    cmocka_unit_test(test_import_refuses_unknown_endpoints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
