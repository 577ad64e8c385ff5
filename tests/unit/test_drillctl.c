/*
 * drillctl: the console's drill recording without a terminal. An
 * unusable drill.dir refuses to start with the path in the error; a
 * drill creates the missing directory, writes the session header, then
 * only the events fed while it runs (not the route seen before it, which
 * the tracker still knows), passes the derived phases to the sink after
 * the causing event, shows DRILL REC and the phases in the status text,
 * and names the log after the end; the demo's automatic fault mark only
 * while a drill runs and only once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/drill.h"
#include "helpers.h"
#include "live/drillctl.h"
#include "model/profile.h"

#define OUT_MAX 16

static Event out[OUT_MAX];
static int nout;

static void
keep(void *ctx, const Event *ev)
{
	(void)ctx;
	assert_true(nout < OUT_MAX);
	out[nout++] = *ev;
}

static const EventSink keep_sink = {keep, NULL};

static char tmp[256];

static Profile *
load(const char *drill_dir)
{
	char json[1024];
	ErrList errs;
	Profile *p;

	snprintf(json, sizeof(json),
	    "{\"service\":\"svc\",\"endpoints\":["
	    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}],"
	    "\"drill\":{\"dir\":\"%s\"}}",
	    drill_dir);
	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", tmp, &errs);
	if (p == NULL)
		fail_msg("%s", errs.count ? errs.msgs[0] : "?");
	errlist_fini(&errs);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(tmp, sizeof(tmp), "drillctl");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(tmp);
}

static void
test_unusable_dir(void **state)
{
	char file[300], dir[320], err[512] = "", st[256];
	bool error = true;
	FILE *f;
	Event ev;

	(void)state;
	snprintf(file, sizeof(file), "%s/plain", tmp);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/drills", file);
	Profile *p = load(dir);
	DrillCtl *c = drillctl_new(p, 1.8e9, false);
	assert_int_equal(
	    drillctl_start(c, 1, "x", NULL, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, file));
	assert_false(drillctl_active(c));
	drillctl_status(c, 2, st, sizeof(st), &error);
	assert_string_equal(st, "");
	assert_false(error);
	drillctl_free(c);
	profile_free(p);
}

/* A drill's name is a name: no bidirectional control, no control
 * character; refused before anything is created. */
static void
test_name_refused(void **state)
{
	static const struct {
		const char *name, *err;
	} cases[] = {
	    {"game \xe2\x80\xae"
	     "day",
	        "the drill's name contains a bidirectional control character "
	        "(U+202E)"},
	    {"\xe2\x81\xa6q4",
	        "the drill's name contains a bidirectional control character "
	        "(U+2066)"},
	    {"q4\xd8\x9c",
	        "the drill's name contains a bidirectional control character "
	        "(U+061C)"},
	    {"q4 \xc2\x9b"
	     "2J",
	        "the drill's name contains a control character or invalid "
	        "UTF-8"},
	    {"q4 \xff",
	        "the drill's name contains a control character or invalid "
	        "UTF-8"},
	};
	char dir[300], err[512];
	Event ev;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/named/drills", tmp);
	Profile *p = load(dir);
	DrillCtl *c = drillctl_new(p, 1.8e9, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(drillctl_start(c, 1, cases[i].name, NULL, &ev,
		                     err, sizeof(err)),
		    -1);
		assert_string_equal(err, cases[i].err);
		assert_false(drillctl_active(c));
	}
	assert_int_equal(access(dir, F_OK), -1); /* nothing made */
	/* a name in any script is fine */
	assert_int_equal(
	    drillctl_start(c, 1, "\xd9\x85\xd8\xb4\xd9\x82 Z\xc3\xbcrich", NULL,
	        &ev, err, sizeof(err)),
	    0);
	assert_true(drillctl_active(c));
	ev = drillctl_end(c, 2);
	assert_int_equal(drillctl_finish(c, err, sizeof(err)), 0);
	drillctl_free(c);
	profile_free(p);
}

static Event
route(double t, const char *from, const char *to)
{
	Event ev;

	event_init(&ev, EV_ROUTE, t);
	str_copy(ev.u.route.from, EV_NAME_MAX, from);
	str_copy(ev.u.route.to, EV_NAME_MAX, to);
	return ev;
}

static void
test_drill(void **state)
{
	char dir[300], err[512], st[256], line[4096];
	bool error;
	Event ev;
	int n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/x/y/drills", tmp);
	Profile *p = load(dir);
	DrillCtl *c = drillctl_new(p, 1.8e9, true);
	nout = 0;

	ev = route(1, "", "a"); /* before the drill: tracked, not written */
	assert_int_equal(drillctl_on_event(c, &ev, &keep_sink), 0);
	assert_int_equal(
	    drillctl_start(c, 10, "game day", NULL, &ev, err, 512), 0);
	assert_true(drillctl_active(c));
	{
		/* The same name in the same second gets a file of its own. */
		DrillCtl *c2 = drillctl_new(p, 1.8e9, true);
		Event ev2;

		assert_int_equal(
		    drillctl_start(c2, 10, "game day",
		        "{\"t\":10,\"type\":\"state\"}\n", &ev2, err, 512),
		    0);
		assert_string_not_equal(drillctl_path(c2), drillctl_path(c));
		assert_non_null(strstr(drillctl_path(c2), "-game_day-2.jsonl"));
		ev2 = drillctl_end(c2, 11);
		drillctl_on_event(c2, &ev2, NULL);
		assert_int_equal(drillctl_finish(c2, err, 512), 0);
		drillctl_free(c2);
	}
	assert_non_null(strstr(drillctl_path(c), "/x/y/drills/svc-"));
	assert_non_null(strstr(drillctl_path(c), "-game_day.jsonl"));
	assert_int_equal(ev.type, EV_DRILL);
	assert_string_equal(ev.u.drill.note, "game day");
	drillctl_on_event(c, &ev, &keep_sink);
	ev = drillctl_fault(c, 12, "pulled");
	drillctl_on_event(c, &ev, &keep_sink);
	assert_false(drillctl_demo_fault(c, 12.5, "demo", &ev)); /* marked */
	event_init(&ev, EV_HEALTH, 13);
	str_copy(ev.u.health.endpoint, EV_NAME_MAX, "a");
	ev.u.health.from = HEALTH_ONLINE;
	ev.u.health.to = HEALTH_DEGRADED;
	drillctl_on_event(c, &ev, &keep_sink);
	assert_int_equal(nout, 1);
	assert_int_equal(out[0].u.drill.phase, DRILL_DETECTED);
	ev = route(14, "a", "b");
	drillctl_on_event(c, &ev, &keep_sink);
	assert_int_equal(nout, 2);
	assert_int_equal(out[1].u.drill.phase, DRILL_FAILOVER);
	assert_true(out[1].t == 14);
	/* the phases come back through the sink: written, not re-fed */
	drillctl_on_event(c, &out[0], &keep_sink);
	drillctl_on_event(c, &out[1], &keep_sink);
	assert_int_equal(nout, 2);
	drillctl_status(c, 75, st, sizeof(st), &error);
	assert_false(error);
	assert_non_null(strstr(st, "DRILL REC game day 01:05"));
	assert_non_null(strstr(st, "detected +1.0s"));
	assert_non_null(strstr(st, "failover +2.0s"));
	/* the narrow form: the latest phase only, no name */
	drillctl_status_short(c, 75, st, sizeof(st));
	assert_string_equal(st, "REC 01:05 failover +2.0s");
	ev = drillctl_marker(c, 15, "paged");
	drillctl_on_event(c, &ev, &keep_sink);
	ev = drillctl_end(c, 20);
	drillctl_on_event(c, &ev, &keep_sink);
	assert_false(drillctl_active(c));
	assert_int_equal(drillctl_finish(c, err, sizeof(err)), 0);
	drillctl_status(c, 30, st, sizeof(st), &error);
	assert_non_null(strstr(st, "drill game day ended 00:10, log "));
	assert_non_null(strstr(st, "-game_day.jsonl"));
	drillctl_status_short(c, 30, st, sizeof(st));
	assert_true(strncmp(st, "log ", 4) == 0);
	assert_string_equal(st + 4, drillctl_shown(c));
	assert_non_null(strstr(st, "-game_day.jsonl"));

	/* header, start, fault, health, route, detected, failover, marker,
	 * end: the route before the drill is not in the log */
	static const char *want[] = {"\"type\":\"session\"", "\"start\"",
	    "\"fault\"", "\"health\"", "\"route\"", "\"detected\"",
	    "\"failover\"", "\"marker\"", "\"end\""};
	FILE *f = fopen(drillctl_path(c), "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		assert_true(n < 9);
		assert_non_null(strstr(line, want[n]));
		if (n == 0)
			assert_non_null(strstr(line, "\"mode\":\"demo\""));
		n++;
	}
	fclose(f);
	assert_int_equal(n, 9);
	drillctl_free(c);
	profile_free(p);
}

static void
test_demo_fault(void **state)
{
	char dir[300], err[512];
	Event ev;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/drills", tmp);
	Profile *p = load(dir);
	DrillCtl *c = drillctl_new(p, 1.8e9, true);
	assert_false(drillctl_demo_fault(c, 1, "demo: a status 500", &ev));
	assert_int_equal(
	    drillctl_start(c, 2, "", NULL, &ev, err, sizeof(err)), 0);
	assert_non_null(strstr(drillctl_path(c), "-drill.jsonl"));
	assert_true(drillctl_demo_fault(c, 3, "demo: a status 500", &ev));
	assert_int_equal(ev.type, EV_DRILL);
	assert_int_equal(ev.u.drill.phase, DRILL_FAULT);
	assert_string_equal(ev.u.drill.note, "demo: a status 500");
	assert_false(drillctl_demo_fault(c, 4, "demo: a refuse", &ev));
	ev = drillctl_end(c, 5);
	assert_int_equal(drillctl_finish(c, err, sizeof(err)), 0);
	drillctl_free(c);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_unusable_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_name_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demo_fault, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
