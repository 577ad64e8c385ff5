/*
 * engine: routing through the engine (priority with failover, fail-open,
 * recommendations, failback and hold-down, flapping, manual overrides,
 * disabled endpoints, the first route; weighted and performance).
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
#include "engine_fx.h"
#include "helpers.h"

/* ---- priority routing --------------------------------------------------- */

static void
test_failover_and_fail_open(void **state)
{
	Fx f;
	int mark;

	(void)state;
	fx_start_two(&f, fx_prof(2));
	fx_probe(&f, 10, "eu20", false);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 10, "eu20", "us21", CAUSE_AUTO, false);
	fx_probe(&f, 20, "us21", false);
	/* All degraded: the rules' pick as if all were online, loudly. */
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 20, "us21", "eu20", CAUSE_AUTO, true);
	assert_true(fx_snap(&f)->fail_open);
	assert_non_null(strstr(fx_snap(&f)->recommendation, "ALL ENDPOINTS"));
	/* status 500 everywhere: the regions answered, so no word of this
	 * machine's network */
	assert_null(strstr(fx_snap(&f)->recommendation, "this machine"));
	mark = f.nout;
	fx_probe(&f, 30, "eu20", false);
	fx_tick(&f, 500);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);
	/* us21 comes back: fail-open ends there at once. */
	fx_probe(&f, 40 + 500, "us21", true);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 540, "eu20", "us21", CAUSE_AUTO, false);
	assert_false(fx_snap(&f)->fail_open);
	fx_end(&f);

	/* Entering fail-open on the current target is still a route event,
	 * and so is leaving it. */
	fx_start_two(&f, fx_prof(2));
	fx_probe(&f, 10, "us21", false);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 1);
	fx_probe(&f, 11, "eu20", false);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 11, "eu20", "eu20", CAUSE_AUTO, true);
	fx_probe(&f, 12, "eu20", true);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 12, "eu20", "eu20", CAUSE_AUTO, false);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 3);
	fx_end(&f);

	/* Every endpoint fails at once with no answer at all (timeouts):
	 * the banner says the cause may be this machine's network. */
	fx_start_two(&f, fx_prof(2));
	fx_probe_ms(&f, 10, "eu20", false, 0, -1);
	fx_probe_ms(&f, 10.5, "us21", false, 0, -1);
	assert_true(fx_snap(&f)->fail_open);
	assert_non_null(strstr(fx_snap(&f)->recommendation,
	    "the cause may be this machine's network"));
	fx_end(&f);
}

static void
test_auto_failover_recommendation(void **state)
{
	Fx f;
	Profile *p = fx_prof(2);

	(void)state;
	p->routing.auto_failover = true;
	fx_start_two(&f, p);
	fx_probe(&f, 10, "eu20", false);
	/* The route is emitted the same way; only the text differs. */
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 10, "eu20", "us21", CAUSE_AUTO, false);
	assert_string_equal(fx_snap(&f)->recommendation,
	    "eu20 degraded: failed over to us21 automatically");
	assert_int_equal(fx_snap(&f)->rec_key, 0);
	fx_end(&f);

	/* Pressing f after the rules moved: the operator confirms the
	 * current target, which becomes an override. */
	fx_start_two(&f, fx_prof(2));
	fx_probe(&f, 10, "eu20", false);
	assert_int_equal(fx_snap(&f)->rec_key, 'f');
	{
		char err[64];
		char to[EV_NAME_MAX];

		str_copy(to, sizeof(to), fx_snap(&f)->rec_to);
		assert_int_equal(engine_route_manual(f.e, 11, to, CAUSE_MANUAL,
		                     &f.sink, err, sizeof(err)),
		    0);
	}
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 11, "us21", "us21", CAUSE_MANUAL, false);
	assert_true(fx_snap(&f)->manual_override);
	assert_int_equal(fx_snap(&f)->rec_key, 0);
	assert_string_equal(fx_snap(&f)->recommendation, "");
	/* eu20 back: the recommendation is a failback. */
	fx_probe(&f, 20, "eu20", true);
	assert_int_equal(fx_snap(&f)->rec_key, 'b');
	assert_string_equal(fx_snap(&f)->rec_from, "us21");
	assert_string_equal(fx_snap(&f)->rec_to, "eu20");
	fx_end(&f);
}

static void
test_manual_failback_recommends_only(void **state)
{
	Fx f;
	int mark;
	char err[128];

	(void)state;
	fx_start(&f, fx_prof(3));
	fx_probe(&f, 1, "eu20", true);
	fx_probe(&f, 1, "us21", true);
	fx_probe(&f, 1, "ap10", true);
	fx_probe(&f, 10, "eu20", false);
	fx_probe(&f, 50, "eu20", true);
	assert_int_equal(fx_snap(&f)->endpoints[0].state, HEALTH_ONLINE);
	assert_string_equal(fx_snap(&f)->route_to, "us21");
	assert_string_equal(fx_snap(&f)->recommendation,
	    "eu20 online again: fail back from us21? press b");
	assert_int_equal(fx_snap(&f)->rec_key, 'b');
	assert_string_equal(fx_snap(&f)->rec_from, "us21");
	assert_string_equal(fx_snap(&f)->rec_to, "eu20");
	assert_true(fx_snap(&f)->failback_at < 0);
	mark = f.nout;
	/* ap10 flaps meanwhile, so the rules are re-evaluated often. */
	for (double t = 60; t <= 1000; t += 10) {
		fx_probe(&f, t, "eu20", true);
		fx_probe(&f, t, "us21", true);
		fx_probe(&f, t, "ap10", (int)t % 20 == 0);
		fx_tick(&f, t + 5);
	}
	assert_true(fx_count(&f, EV_HEALTH, mark) > 80);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);
	assert_string_equal(fx_snap(&f)->route_to, "us21");

	/* The operator fails back: the rules' choice. */
	assert_int_equal(engine_route_manual(f.e, 1010, NULL, CAUSE_FAILBACK,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 1010, "us21", "eu20", CAUSE_FAILBACK, false);
	assert_string_equal(fx_snap(&f)->recommendation, "");
	assert_false(fx_snap(&f)->manual_override);
	assert_int_equal(engine_route_manual(f.e, 1011, NULL, CAUSE_FAILBACK,
	                     &f.sink, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "already routed"));
	fx_end(&f);
}

static void
test_auto_failback_after_hold_down_exactly(void **state)
{
	static const bool by_tick[] = {true, false};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(by_tick); k++) {
		Fx f;
		Profile *p = fx_prof(2);
		int mark;

		p->routing.failback_auto = true;
		fx_start_two(&f, p);
		fx_probe(&f, 10, "eu20", false);
		fx_probe(&f, 50.5, "eu20", true); /* online at 50.5 */
		assert_non_null(
		    strstr(fx_snap(&f)->recommendation, "automatic failback"));
		assert_true(fx_snap(&f)->failback_at == 110.5);
		mark = f.nout;
		for (double t = 51; t < 110.5; t += 1) {
			fx_probe(&f, t, "eu20", true);
			fx_tick(&f, t + 0.4999);
		}
		fx_tick(&f, 110.4999);
		assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);
		if (by_tick[k]) {
			fx_tick(&f, 110.5);
			fx_assert_route(fx_last(&f, EV_ROUTE), 110.5, "us21",
			    "eu20", CAUSE_FAILBACK, false);
		} else {
			/* Any event's time triggers it too. */
			fx_probe(&f, 112, "us21", true);
			fx_assert_route(fx_last(&f, EV_ROUTE), 112, "us21",
			    "eu20", CAUSE_FAILBACK, false);
		}
		assert_int_equal(fx_count(&f, EV_ROUTE, mark), 1);
		assert_string_equal(fx_snap(&f)->recommendation, "");
		assert_true(fx_snap(&f)->failback_at < 0);
		fx_end(&f);
	}
}

static void
test_flapping_moves_traffic_once(void **state)
{
	static const bool failback_auto[] = {false, true};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(failback_auto); k++) {
		Fx f;
		Profile *p = fx_prof(2);
		int mark;
		double t = 10;

		p->routing.failback_auto = failback_auto[k];
		fx_start_two(&f, p);
		mark = f.nout;
		/* fail, ok, fail, ok ... every 5 s for 200 s. */
		for (int i = 0; i < 40; i++) {
			fx_probe(&f, t, "eu20", i % 2 == 1);
			fx_probe(&f, t + 0.1, "us21", true);
			fx_tick(&f, t + 2.5);
			t += 5;
		}
		assert_int_equal(fx_count(&f, EV_HEALTH, mark), 40);
		assert_int_equal(fx_count(&f, EV_ROUTE, mark), 1);
		fx_assert_route(fx_last(&f, EV_ROUTE), 10, "eu20", "us21",
		    CAUSE_AUTO, false);
		/* Once it stays up for hold_down, auto failback happens. */
		for (int i = 0; i < 20; i++, t += 5)
			fx_probe(&f, t, "eu20", true);
		fx_tick(&f, t);
		assert_int_equal(
		    fx_count(&f, EV_ROUTE, mark), failback_auto[k] ? 2 : 1);
		fx_end(&f);
	}
}

static void
test_manual_override_kept(void **state)
{
	Fx f;
	Profile *p = fx_prof(3);
	char err[128];
	int mark;

	(void)state;
	p->routing.failback_auto = true;
	p->routing.hold_down = 10;
	fx_start(&f, p);
	fx_probe(&f, 1, "eu20", true);
	fx_probe(&f, 1, "us21", true);
	fx_probe(&f, 1, "ap10", true);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 1, "", "eu20", CAUSE_AUTO, false);

	assert_int_equal(engine_route_manual(f.e, 5, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 5, "eu20", "us21", CAUSE_MANUAL, false);
	assert_true(fx_snap(&f)->manual_override);
	assert_int_equal(fx_snap(&f)->route_cause, CAUSE_MANUAL);
	assert_string_equal(fx_snap(&f)->recommendation,
	    "manual route to us21 in force; eu20 is online: fail back? press "
	    "b");
	mark = f.nout;
	/* Automatic routing does not undo it: eu20 flaps, time passes. */
	fx_probe(&f, 10, "eu20", false);
	fx_probe(&f, 20, "eu20", true);
	fx_tick(&f, 500);
	assert_int_equal(fx_count(&f, EV_HEALTH, mark), 2);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);
	/* The manual target degrades: loud, but traffic stays. */
	fx_probe(&f, 510, "us21", false);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);
	assert_string_equal(fx_snap(&f)->route_to, "us21");
	assert_string_equal(fx_snap(&f)->recommendation,
	    "MANUAL ROUTE TO us21 IS degraded: traffic stays there; fail "
	    "over to eu20? press f");
	assert_int_equal(fx_snap(&f)->rec_key, 'f');
	assert_string_equal(fx_snap(&f)->rec_from, "us21");
	assert_string_equal(fx_snap(&f)->rec_to, "eu20");

	/* Errors. */
	assert_int_equal(engine_route_manual(f.e, 511, "nope", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "unknown endpoint"));
	assert_int_equal(engine_route_manual(f.e, 511, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "already routed"));
	assert_int_equal(engine_route_manual(f.e, 511, "us21", CAUSE_AUTO,
	                     &f.sink, err, sizeof(err)),
	    -1);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);

	/* Another manual route replaces it. */
	assert_int_equal(engine_route_manual(f.e, 520, "ap10", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 520, "us21", "ap10", CAUSE_MANUAL, false);
	/* Failback clears it and routes by the rules. */
	assert_int_equal(engine_route_manual(f.e, 530, NULL, CAUSE_FAILBACK,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 530, "ap10", "eu20", CAUSE_FAILBACK, false);
	assert_false(fx_snap(&f)->manual_override);
	mark = f.nout;
	/* Rules apply again. */
	fx_probe(&f, 540, "eu20", false);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 540, "eu20", "ap10", CAUSE_AUTO, false);

	/* Confirming the current target makes it an override. */
	assert_int_equal(engine_route_manual(f.e, 550, "ap10", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 550, "ap10", "ap10", CAUSE_MANUAL, false);
	assert_true(fx_snap(&f)->manual_override);
	fx_probe(&f, 560, "eu20", true);
	fx_tick(&f, 600);
	assert_string_equal(fx_snap(&f)->route_to, "ap10");
	/* A disabled endpoint is never routed to, override or not. */
	assert_int_equal(engine_route_manual(f.e, 601, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	engine_set_disabled(f.e, 602, "us21", true, &f.sink);
	assert_false(fx_snap(&f)->manual_override);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 602, "us21", "eu20", CAUSE_AUTO, false);
	assert_int_equal(engine_route_manual(f.e, 603, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "disabled"));
	fx_end(&f);
}

static void
test_disabled_endpoints(void **state)
{
	Fx f;
	Profile *p = fx_prof(3);
	int mark;

	(void)state;
	p->endpoints[0].disabled = true;
	fx_start(&f, p);
	assert_int_equal(fx_snap(&f)->endpoints[0].state, HEALTH_DISABLED);
	/* A stray probe of a disabled endpoint changes no state. */
	fx_probe(&f, 1, "eu20", true);
	assert_int_equal(fx_count(&f, EV_HEALTH, 0), 0);
	fx_probe(&f, 2, "us21", true);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 0);
	fx_probe(&f, 3, "ap10", true);
	/* Every enabled endpoint left checking: first route, not eu20. */
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 3, "", "us21", CAUSE_AUTO, false);

	/* Disable the current target: health event, traffic moves. */
	mark = f.nout;
	engine_set_disabled(f.e, 4, "us21", true, &f.sink);
	assert_int_equal(f.nout - mark, 2);
	assert_int_equal(f.out[mark].type, EV_HEALTH);
	assert_int_equal(f.out[mark].u.health.from, HEALTH_ONLINE);
	assert_int_equal(f.out[mark].u.health.to, HEALTH_DISABLED);
	assert_string_equal(
	    f.out[mark].u.health.reason, "disabled by operator");
	fx_assert_route(&f.out[mark + 1], 4, "us21", "ap10", CAUSE_AUTO, false);
	/* Disabling twice does nothing. */
	engine_set_disabled(f.e, 5, "us21", true, &f.sink);
	assert_int_equal(f.nout - mark, 2);

	/* Re-enabled eu20 starts checking and only then goes online. */
	engine_set_disabled(f.e, 6, "eu20", false, &f.sink);
	assert_int_equal(
	    fx_last(&f, EV_HEALTH)->u.health.from, HEALTH_DISABLED);
	assert_int_equal(fx_last(&f, EV_HEALTH)->u.health.to, HEALTH_CHECKING);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 1);
	fx_probe(&f, 7, "eu20", true);
	assert_int_equal(fx_last(&f, EV_HEALTH)->u.health.to, HEALTH_ONLINE);
	assert_string_equal(fx_snap(&f)->recommendation,
	    "eu20 online again: fail back from ap10? press b");

	/* The only enabled endpoint degrades: fail open never picks a
	 * disabled one. */
	engine_set_disabled(f.e, 8, "eu20", true, &f.sink);
	fx_probe(&f, 9, "ap10", false);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 9, "ap10", "ap10", CAUSE_AUTO, true);
	fx_end(&f);
}

static void
test_first_route_deadline(void **state)
{
	Fx f;
	Profile *p;
	char err[64];

	(void)state;
	/* Deadline: the largest interval + timeout, here 30 + 10. */
	p = fx_prof(2);
	p->endpoints[1].monitor.interval = 30;
	p->endpoints[1].monitor.timeout = 10;
	fx_start(&f, p);
	fx_probe(&f, 1, "eu20", true);
	fx_tick(&f, 39.9);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 0);
	assert_false(fx_snap(&f)->routed);
	fx_tick(&f, 40);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 40, "", "eu20", CAUSE_AUTO, false);
	fx_end(&f);

	/* An event's time triggers it as well. */
	p = fx_prof(2);
	fx_start(&f, p);
	fx_probe(&f, 1, "us21", true);
	fx_probe(&f, 16, "us21", true);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 16, "", "us21", CAUSE_AUTO, false);
	fx_end(&f);

	/* Nobody answered: endpoints still checking are routed to, not
	 * failed open. */
	p = fx_prof(2);
	fx_start(&f, p);
	fx_tick(&f, 15);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 15, "", "eu20", CAUSE_AUTO, false);
	fx_end(&f);

	/* All degraded before the deadline: first route fails open. */
	p = fx_prof(2);
	fx_start(&f, p);
	fx_probe(&f, 1, "eu20", false);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 0);
	fx_probe(&f, 2, "us21", false);
	fx_assert_route(fx_last(&f, EV_ROUTE), 2, "", "eu20", CAUSE_AUTO, true);
	fx_end(&f);

	/* A manual route before the first one counts as the first. */
	p = fx_prof(2);
	fx_start(&f, p);
	assert_int_equal(engine_route_manual(f.e, 1, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 1, "", "us21", CAUSE_MANUAL, false);
	fx_tick(&f, 100);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 1);
	fx_end(&f);
}

/* ---- weighted and performance ------------------------------------------- */

static double
share_of(const Event *ev, const char *name)
{
	for (int i = 0; i < ev->u.route.nshares; i++)
		if (strcmp(ev->u.route.shares[i].name, name) == 0)
			return ev->u.route.shares[i].share;
	return 0;
}

static void
test_weighted_shares(void **state)
{
	Fx f;
	Profile *p = fx_prof(3);
	const Event *r;
	int mark;
	char json[EVENT_JSON_MAX];

	(void)state;
	p->routing.method = ROUTE_WEIGHTED;
	p->endpoints[0].weight = 3;
	p->endpoints[1].weight = 1;
	p->endpoints[2].weight = 4;
	fx_start(&f, p);
	fx_probe(&f, 1, "eu20", true);
	fx_probe(&f, 1, "us21", true);
	fx_probe(&f, 1, "ap10", true);
	r = fx_last(&f, EV_ROUTE);
	fx_assert_route(r, 1, "", "ap10", CAUSE_AUTO, false);
	assert_int_equal(r->u.route.nshares, 3);
	assert_true(share_of(r, "eu20") == 0.375);
	assert_true(share_of(r, "us21") == 0.125);
	assert_true(share_of(r, "ap10") == 0.5);
	assert_true(fx_snap(&f)->endpoints[2].share == 0.5);
	assert_true(event_to_json(r, json, sizeof(json)) > 0);
	assert_non_null(strstr(json, "\"shares\":{"));

	/* Same set: no route event. */
	mark = f.nout;
	fx_probe(&f, 10, "eu20", true);
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);

	fx_probe(&f, 11, "ap10", false);
	r = fx_last(&f, EV_ROUTE);
	fx_assert_route(r, 11, "ap10", "eu20", CAUSE_AUTO, false);
	assert_int_equal(r->u.route.nshares, 2);
	assert_true(share_of(r, "eu20") == 0.75);
	assert_true(share_of(r, "us21") == 0.25);
	assert_true(fx_snap(&f)->endpoints[2].share == 0);

	/* A change of the set that keeps `to` is still emitted. */
	fx_probe(&f, 12, "us21", false);
	r = fx_last(&f, EV_ROUTE);
	fx_assert_route(r, 12, "eu20", "eu20", CAUSE_AUTO, false);
	assert_int_equal(r->u.route.nshares, 1);
	assert_true(share_of(r, "eu20") == 1);

	/* ap10 back: shares again, no hold_down for weights. */
	fx_probe(&f, 13, "ap10", true);
	r = fx_last(&f, EV_ROUTE);
	fx_assert_route(r, 13, "eu20", "ap10", CAUSE_AUTO, false);
	assert_true(share_of(r, "ap10") == 4.0 / 7);
	fx_end(&f);
}

static void
test_performance_with_margin(void **state)
{
	Fx f;
	Profile *p = fx_prof(2);
	int mark;
	double t = 1;

	(void)state;
	p->routing.method = ROUTE_PERFORMANCE;
	fx_start(&f, p);
	fx_probe_ms(&f, t, "eu20", true, 200, 50);
	fx_probe_ms(&f, t, "us21", true, 200, 48);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 1, "", "us21", CAUSE_AUTO, false);
	/* Near-equal and alternating: never flips. */
	mark = f.nout;
	for (int i = 0; i < 40; i++) {
		t += 5;
		fx_probe_ms(&f, t, "eu20", true, 200, i % 2 ? 44 : 47);
		fx_probe_ms(&f, t, "us21", true, 200, i % 2 ? 49 : 46);
	}
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 0);
	assert_true(fx_snap(&f)->endpoints[0].median_ms == 45.5);
	assert_true(fx_snap(&f)->endpoints[1].median_ms == 47.5);

	/* eu20 clearly faster: switches once its median has moved. */
	for (int i = 0; i < 8; i++) {
		t += 5;
		fx_probe_ms(&f, t, "eu20", true, 200, 20);
		fx_probe_ms(&f, t, "us21", true, 200, 48);
	}
	assert_int_equal(fx_count(&f, EV_ROUTE, mark), 1);
	fx_assert_route(fx_last(&f, EV_ROUTE), fx_last(&f, EV_ROUTE)->t, "us21",
	    "eu20", CAUSE_AUTO, false);
	/* The switch came when the median (not one probe) crossed the
	 * margin: at the 4th fast probe eu20's median is 32 ms against
	 * 48 ms (16 > max(5, 9.6)); at the 3rd it was 44 ms (4 < 9.6). */
	assert_true(fx_last(&f, EV_ROUTE)->t == 201 + 5 * 4);
	fx_end(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failover_and_fail_open),
	    cmocka_unit_test(test_auto_failover_recommendation),
	    cmocka_unit_test(test_manual_failback_recommends_only),
	    cmocka_unit_test(test_auto_failback_after_hold_down_exactly),
	    cmocka_unit_test(test_flapping_moves_traffic_once),
	    cmocka_unit_test(test_manual_override_kept),
	    cmocka_unit_test(test_disabled_endpoints),
	    cmocka_unit_test(test_first_route_deadline),
	    cmocka_unit_test(test_weighted_shares),
	    cmocka_unit_test(test_performance_with_margin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
