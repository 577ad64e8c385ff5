/*
 * engine: synthetic timed event streams in, derived events and the
 * snapshot checked: health, the TTL model, a manual manager, events
 * passed through, time and the snapshot. Routing is in
 * test_engine_route.c, random streams in test_engine_stream.c.
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

/* ---- health through the engine ---------------------------------------- */

static void
test_order_and_reasons(void **state)
{
	Fx f;
	Profile *p = fx_prof(2);
	char json[EVENT_JSON_MAX];

	(void)state;
	for (int i = 0; i < 2; i++)
		p->endpoints[i].monitor.tolerated_failures = 2;
	fx_start(&f, p);
	fx_probe(&f, 1, "eu20", true);
	fx_probe(&f, 1.5, "us21", true);
	assert_int_equal(f.nout, 5);
	assert_int_equal(f.out[0].type, EV_PROBE);
	assert_int_equal(f.out[1].type, EV_HEALTH);
	assert_string_equal(f.out[1].u.health.endpoint, "eu20");
	assert_int_equal(f.out[1].u.health.from, HEALTH_CHECKING);
	assert_int_equal(f.out[1].u.health.to, HEALTH_ONLINE);
	assert_string_equal(f.out[1].u.health.reason, "1 consecutive success");
	assert_true(f.out[1].t == 1);
	assert_int_equal(f.out[2].type, EV_PROBE);
	assert_int_equal(f.out[3].type, EV_HEALTH);
	/* Both left checking: the first route, from null. */
	fx_assert_route(&f.out[4], 1.5, "", "eu20", CAUSE_AUTO, false);
	assert_true(event_to_json(&f.out[4], json, sizeof(json)) > 0);
	assert_non_null(strstr(json, "\"from\":null"));
	assert_true(fx_snap(&f)->routed);
	assert_string_equal(fx_snap(&f)->route_to, "eu20");

	fx_probe_ms(&f, 10, "eu20", false, 500, 20);
	fx_probe_ms(&f, 20, "eu20", false, 0, -1);
	assert_int_equal(fx_count(&f, EV_HEALTH, 5), 0);
	fx_probe_ms(&f, 30, "eu20", false, 500, 20);
	assert_int_equal(f.nout, 10);
	assert_int_equal(f.out[7].type, EV_PROBE);
	assert_int_equal(f.out[8].type, EV_HEALTH);
	assert_true(f.out[8].t == 30);
	assert_string_equal(f.out[8].u.health.reason,
	    "3 consecutive failures (last: status 500)");
	assert_int_equal(f.out[8].u.health.to, HEALTH_DEGRADED);
	fx_assert_route(&f.out[9], 30, "eu20", "us21", CAUSE_AUTO, false);
	assert_string_equal(fx_snap(&f)->recommendation,
	    "eu20 degraded: fail over to us21? press f");
	assert_int_equal(fx_snap(&f)->rec_key, 'f');
	assert_string_equal(fx_snap(&f)->rec_from, "eu20");
	assert_string_equal(fx_snap(&f)->rec_to, "us21");
	assert_string_equal(fx_snap(&f)->endpoints[0].last_reason,
	    "3 consecutive failures (last: status 500)");
	assert_true(fx_snap(&f)->endpoints[0].state_since == 30);
	assert_int_equal(fx_snap(&f)->endpoints[0].consecutive_failures, 3);
	fx_end(&f);
}

static void
test_degraded_exact_probe(void **state)
{
	static const struct {
		int tolerated, rise;
		int degraded_at, online_at; /* 1-based probe numbers */
	} table[] = {
	    {0, 1, 1, 1},
	    {1, 1, 2, 1},
	    {3, 1, 4, 1},
	    {3, 2, 4, 2},
	};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(table); k++) {
		Fx f;
		Profile *p = fx_prof(2);
		double t = 10;
		int seen = 0;

		for (int i = 0; i < 2; i++) {
			p->endpoints[i].monitor.tolerated_failures =
			    table[k].tolerated;
			p->endpoints[i].monitor.rise = table[k].rise;
		}
		fx_start(&f, p);
		for (int i = 0; i < table[k].rise; i++) {
			fx_probe(&f, t, "eu20", true);
			fx_probe(&f, t, "us21", true);
			t += 10;
		}
		assert_int_equal(
		    fx_snap(&f)->endpoints[0].state, HEALTH_ONLINE);
		for (int i = 1; i <= 6 && !seen; i++) {
			int mark = f.nout;

			fx_probe(&f, t, "eu20", false);
			t += 10;
			if (fx_count(&f, EV_HEALTH, mark) > 0)
				seen = i;
		}
		assert_int_equal(seen, table[k].degraded_at);
		seen = 0;
		for (int i = 1; i <= 6 && !seen; i++) {
			int mark = f.nout;

			fx_probe(&f, t, "eu20", true);
			t += 10;
			if (fx_count(&f, EV_HEALTH, mark) > 0)
				seen = i;
		}
		assert_int_equal(seen, table[k].online_at);
		fx_end(&f);
	}
}

/* ---- TTL model through the engine --------------------------------------- */

static void
test_traffic_through_engine(void **state)
{
	Fx f;
	const Snapshot *s;
	const Event *c;
	int mark;

	(void)state;
	fx_start_two(&f, fx_prof(2));
	/* No convergence for the first route. */
	fx_dns(&f, 3, "system", "eu20", 60);
	fx_dns(&f, 3, "127.0.0.1:5353", "eu20", 60);
	assert_int_equal(fx_count(&f, EV_CONVERGED, 0), 0);
	s = fx_snap(&f);
	assert_false(s->traffic.active);
	assert_int_equal(s->nresolvers, 2);
	assert_true(s->resolvers[0].has_answer);
	assert_true(s->resolvers[0].ttl_expires == 63);
	assert_non_null(strstr(s->traffic.note, "RFC 8767"));
	assert_string_equal(s->traffic.endpoint, "eu20");
	assert_int_equal(s->traffic.count, 2);

	/* eu20 fails at 10: expected us21; DNS has not moved. */
	fx_probe(&f, 10, "eu20", false);
	assert_true(s->traffic.active);
	assert_true(s->traffic.changed_at == 10);
	assert_false(s->traffic.moved);
	assert_true(s->traffic.drain_at < 0);
	assert_true(s->traffic.differs_since == 10);
	assert_string_equal(s->traffic.from, "eu20");
	assert_string_equal(s->traffic.to, "us21");
	/* The banner asks for f from where DNS still points. */
	assert_int_equal(s->rec_key, 'f');
	assert_string_equal(s->rec_from, "eu20");
	assert_string_equal(s->rec_to, "us21");
	mark = f.nout;
	fx_dns(&f, 15, "system", "eu20", 55);
	assert_int_equal(f.nout - mark, 1);
	fx_dns(&f, 20, "system", "us21", 60);
	/* The dns event first, then converged with the same t. */
	assert_int_equal(f.nout - mark, 3);
	c = &f.out[f.nout - 1];
	assert_int_equal(c->type, EV_CONVERGED);
	assert_true(c->t == 20);
	assert_string_equal(c->u.conv.resolver, "system");
	assert_string_equal(c->u.conv.endpoint, "us21");
	assert_true(c->u.conv.after == 10);
	assert_true(s->resolvers[0].converged);
	assert_true(s->traffic.moved && s->traffic.moved_at == 20);
	assert_false(s->traffic.all_converged);
	/* Each resolver drains from the TTL it last returned at the move. */
	assert_true(s->resolvers[0].drain_at == 80);
	assert_true(s->resolvers[1].drain_at == 80);
	fx_dns(&f, 25, "127.0.0.1:5353", "us21", 120);
	assert_true(s->traffic.all_converged);
	assert_true(s->traffic.all_converged_after == 15);
	assert_true(s->traffic.drain_at == 80);
	assert_string_equal(s->traffic.endpoint, "us21");
	assert_true(s->traffic.differs_since < 0);
	/* DNS moved: the recommendation no longer asks for f. */
	assert_int_equal(s->rec_key, 0);
	engine_tick(f.e, 79, &f.sink);
	assert_true(s->traffic.active);
	engine_tick(f.e, 80, &f.sink);
	assert_false(s->traffic.active);
	/* Back to eu20 on one resolver: diverged only once its cached
	 * answer expired (ref 25, TTL 60, two polls: after 95). */
	fx_dns(&f, 90, "system", "eu20", 60);
	assert_null(fx_last(&f, EV_DIVERGED));
	fx_dns(&f, 96, "system", "eu20", 60);
	c = fx_last(&f, EV_DIVERGED);
	assert_non_null(c);
	assert_string_equal(c->u.conv.endpoint, "eu20");
	assert_string_equal(c->u.conv.expected, "us21");
	assert_true(c->u.conv.after == 86);
	assert_true(s->resolvers[0].diverged);
	/* A second change restarts the model. */
	fx_probe(&f, 150, "eu20", true); /* manual failback: no route */
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 2);
	fx_probe(&f, 160, "us21", false);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 160, "us21", "eu20", CAUSE_AUTO, false);
	assert_true(s->traffic.changed_at == 160);
	assert_string_equal(s->traffic.to, "eu20");
	assert_false(s->resolvers[0].converged);
	assert_false(s->resolvers[0].diverged);
	mark = f.nout;
	fx_dns(&f, 161, "system", "eu20", 60);
	assert_int_equal(fx_count(&f, EV_CONVERGED, mark), 1);
	assert_true(fx_last(&f, EV_CONVERGED)->u.conv.after == 1);
	fx_end(&f);
}

/* ---- a manual manager: routes follow DNS and actions, never health ---- */

static Event
action_event(double t, ActionPhase ph, int exit_code)
{
	Event ev;

	event_init(&ev, EV_ACTION, t);
	str_copy(ev.u.action.name, EV_NAME_MAX, "failover");
	str_copy(ev.u.action.from, EV_NAME_MAX, "us21");
	str_copy(ev.u.action.to, EV_NAME_MAX, "eu20");
	str_copy(ev.u.action.by, sizeof(ev.u.action.by), "operator");
	ev.u.action.phase = ph;
	ev.u.action.exit_code = exit_code;
	return ev;
}

static void
test_manual_manager(void **state)
{
	Profile *p = fx_prof(3);
	const Snapshot *s;
	char err[128];
	Event ev;
	Fx f;
	int mark;

	(void)state;
	p->routing.manager = MANAGER_MANUAL;
	fx_start(&f, p);
	s = fx_snap(&f);
	/* Every endpoint online, eu20 preferred, but the zone points at
	 * us21: the first route is what DNS says, cause dns. */
	fx_probe(&f, 1, "eu20", true);
	fx_probe(&f, 1, "us21", true);
	fx_probe(&f, 1, "ap10", true);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 0);
	fx_dns(&f, 2, "system", "us21", 60);
	fx_assert_route(fx_last(&f, EV_ROUTE), 2, "", "us21", CAUSE_DNS, false);
	assert_false(s->manual_override);
	assert_int_equal(s->rec_key, 'b');
	assert_string_equal(s->rec_from, "us21");
	assert_string_equal(s->rec_to, "eu20");
	fx_dns(&f, 2, "127.0.0.1:5353", "us21", 60);
	/* us21 degrades: a recommendation, never a route. */
	fx_probe(&f, 10, "us21", false);
	assert_int_equal(s->endpoints[1].state, HEALTH_DEGRADED);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 1);
	assert_string_equal(s->route_to, "us21");
	assert_int_equal(s->rec_key, 'f');
	assert_string_equal(s->rec_from, "us21");
	assert_string_equal(s->rec_to, "eu20");
	assert_non_null(strstr(s->recommendation, "press f"));
	/* The operator's failover action runs; meanwhile DNS flips on one
	 * resolver: no route of its own while the action runs. */
	ev = action_event(12, ACT_STARTED, -1);
	engine_feed(f.e, &ev, &f.sink);
	fx_dns(&f, 13, "system", "eu20", 60);
	fx_dns(&f, 13.5, "127.0.0.1:5353", "eu20", 60);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 1);
	ev = action_event(14, ACT_FINISHED, 0);
	engine_feed(f.e, &ev, &f.sink);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 1);
	/* Its success routes (what the console does on the outcome). */
	mark = f.nout;
	assert_int_equal(engine_route_manual(f.e, 14, "eu20", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 14, "us21", "eu20", CAUSE_MANUAL, false);
	assert_int_equal(fx_count(&f, EV_CONVERGED, mark), 0);
	/* eu20 degrades now: still no route. */
	fx_probe(&f, 20, "eu20", false);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 2);
	assert_string_equal(s->route_to, "eu20");
	/* Someone moves the zone to ap10 behind drtop's back: once most
	 * resolvers answer ap10, the route follows, cause dns. */
	fx_dns(&f, 30, "system", "ap10", 60);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 2);
	mark = f.nout;
	fx_dns(&f, 31, "127.0.0.1:5353", "ap10", 60);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 31, "eu20", "ap10", CAUSE_DNS, false);
	/* the resolver that showed it converged at once, after 0 */
	assert_int_equal(fx_count(&f, EV_CONVERGED, mark), 1);
	assert_true(fx_last(&f, EV_CONVERGED)->u.conv.after == 0);
	assert_true(s->traffic.moved && s->traffic.moved_at == 31);
	fx_dns(&f, 35, "system", "ap10", 60);
	assert_int_equal(fx_count(&f, EV_CONVERGED, mark), 2);
	assert_true(fx_last(&f, EV_CONVERGED)->u.conv.after == 4);
	/* A failed action routes nothing, and DNS is looked at again. */
	ev = action_event(40, ACT_STARTED, -1);
	engine_feed(f.e, &ev, &f.sink);
	fx_dns(&f, 41, "system", "us21", 60);
	fx_dns(&f, 41, "127.0.0.1:5353", "us21", 60);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 3);
	ev = action_event(42, ACT_FINISHED, 1);
	engine_feed(f.e, &ev, &f.sink);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 42, "ap10", "us21", CAUSE_DNS, false);
	fx_end(&f);
}

static void
test_manual_manager_without_dns_answer(void **state)
{
	Profile *p = fx_prof(2);
	const Snapshot *s;
	Fx f;

	(void)state;
	p->routing.manager = MANAGER_MANUAL;
	p->dns.timeout = 1;
	fx_start(&f, p);
	s = fx_snap(&f);
	fx_probe(&f, 1, "eu20", true);
	fx_probe(&f, 1, "us21", true);
	/* No answer maps: the first route waits for the deadline, then
	 * takes the rules' pick. */
	fx_dns(&f, 2, "system", NULL, -1);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 0);
	engine_tick(f.e, 14.9, &f.sink);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 0);
	engine_tick(f.e, 15, &f.sink);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 15, "", "eu20", CAUSE_AUTO, false);
	/* and health never moves it */
	fx_probe(&f, 20, "eu20", false);
	assert_int_equal(fx_count(&f, EV_ROUTE, 0), 1);
	assert_int_equal(s->rec_key, 'f');
	fx_end(&f);
}

/* An automatic manager whose DNS never moves: the route is expected,
 * DNS moved never comes, the resolver diverges once. */
static void
test_automatic_dns_never_moves(void **state)
{
	Fx f;
	const Snapshot *s;
	int mark;

	(void)state;
	fx_start_two(&f, fx_prof(2));
	s = fx_snap(&f);
	fx_dns(&f, 3, "system", "eu20", 60);
	fx_dns(&f, 3, "127.0.0.1:5353", "eu20", 60);
	fx_probe(&f, 10, "eu20", false);
	assert_string_equal(s->route_to, "us21");
	mark = f.nout;
	for (double t = 13; t <= 120; t += 5) {
		fx_dns(&f, t, "system", "eu20", 60);
		fx_dns(&f, t, "127.0.0.1:5353", "eu20", 60);
	}
	/* ref 10, TTL 60, two polls: diverged at the first poll after 80 */
	assert_int_equal(fx_count(&f, EV_DIVERGED, mark), 2);
	assert_int_equal(fx_count(&f, EV_CONVERGED, mark), 0);
	for (int i = mark; i < f.nout; i++)
		if (f.out[i].type == EV_DIVERGED)
			assert_true(f.out[i].t == 83);
	assert_false(s->traffic.moved);
	assert_true(s->traffic.active);
	assert_string_equal(s->traffic.endpoint, "eu20");
	assert_true(s->traffic.differs_since == 10);
	assert_int_equal(s->rec_key, 'f');
	fx_end(&f);
}

/* ---- pass-through, time, snapshot ---------------------------------------- */

static void
test_pass_through_and_time(void **state)
{
	Fx f;
	Event ev;
	uint64_t v;
	int mark;

	(void)state;
	fx_start_two(&f, fx_prof(2));
	v = fx_snap(&f)->version;
	mark = f.nout;
	/* A recorded route: passed through, state unchanged. */
	event_init(&ev, EV_ROUTE, 3);
	str_copy(ev.u.route.from, sizeof(ev.u.route.from), "eu20");
	str_copy(ev.u.route.to, sizeof(ev.u.route.to), "us21");
	ev.u.route.cause = CAUSE_MANUAL;
	engine_feed(f.e, &ev, &f.sink);
	event_init(&ev, EV_HEALTH, 3);
	str_copy(ev.u.health.endpoint, sizeof(ev.u.health.endpoint), "eu20");
	ev.u.health.from = HEALTH_ONLINE;
	ev.u.health.to = HEALTH_DEGRADED;
	engine_feed(f.e, &ev, &f.sink);
	assert_int_equal(f.nout - mark, 2);
	assert_memory_equal(&f.out[mark + 1], &ev, sizeof(ev));
	assert_string_equal(fx_snap(&f)->route_to, "eu20");
	assert_int_equal(fx_snap(&f)->endpoints[0].state, HEALTH_ONLINE);
	assert_true(fx_snap(&f)->version == v);

	assert_true(engine_derives(EV_HEALTH) && engine_derives(EV_ROUTE));
	assert_true(
	    engine_derives(EV_CONVERGED) && engine_derives(EV_DIVERGED));
	assert_false(engine_derives(EV_PROBE) || engine_derives(EV_DNS));

	/* Unknown endpoint: passed through only. */
	fx_probe(&f, 4, "zz99", false);
	assert_int_equal(f.nout - mark, 3);
	assert_true(fx_snap(&f)->version > v);

	/* An older t is treated as now. */
	fx_probe(&f, 10, "us21", true);
	fx_probe(&f, 5, "eu20", false);
	assert_true(f.out[f.nout - 3].t == 10); /* the probe */
	assert_int_equal(f.out[f.nout - 2].type, EV_HEALTH);
	assert_true(f.out[f.nout - 2].t == 10);
	assert_true(fx_last(&f, EV_ROUTE)->t == 10);
	assert_true(fx_snap(&f)->now == 10);
	fx_tick(&f, 7);
	assert_true(fx_snap(&f)->now == 10);

	/* Certificates. */
	event_init(&ev, EV_CERT, 11);
	str_copy(ev.u.cert.endpoint, sizeof(ev.u.cert.endpoint), "us21");
	ev.u.cert.days_left = 9;
	ev.u.cert.warning = true;
	assert_false(fx_snap(&f)->endpoints[1].cert_known);
	engine_feed(f.e, &ev, &f.sink);
	assert_int_equal(fx_snap(&f)->endpoints[1].cert_days, 9);
	/* expired within the last day is known, not "unknown" */
	event_init(&ev, EV_CERT, 12);
	str_copy(ev.u.cert.endpoint, sizeof(ev.u.cert.endpoint), "us21");
	ev.u.cert.days_left = -1;
	engine_feed(f.e, &ev, &f.sink);
	assert_true(fx_snap(&f)->endpoints[1].cert_known);
	assert_int_equal(fx_snap(&f)->endpoints[1].cert_days, -1);
	assert_true(fx_snap(&f)->events_in == 9);
	fx_end(&f);
}

static void
test_snapshot_history(void **state)
{
	Fx f;
	const EndpointSnap *es;
	uint64_t v;

	(void)state;
	fx_start(&f, fx_prof(2));
	v = fx_snap(&f)->version;
	for (int i = 0; i < SNAP_HISTORY + 10; i++)
		fx_probe_ms(&f, i, "eu20", i % 3 != 0, 503, i);
	es = &fx_snap(&f)->endpoints[0];
	assert_true(fx_snap(&f)->version >= v + SNAP_HISTORY + 10);
	assert_int_equal(es->hist_len, SNAP_HISTORY);
	assert_int_equal(es->hist_start, 10);
	assert_true(es->history[es->hist_start].t == 10);
	assert_true(
	    es->history[(es->hist_start + SNAP_HISTORY - 1) % SNAP_HISTORY].t ==
	    SNAP_HISTORY + 9);
	assert_int_equal(es->history[es->hist_start].status, 200);
	assert_int_equal(es->history[es->hist_start].ok, 1);
	assert_int_equal(es->history[es->hist_start + 2].status, 503);
	assert_int_equal(es->history[es->hist_start + 2].ok, 0);
	assert_int_equal(es->history[es->hist_start + 2].error, PERR_STATUS);
	assert_true(es->history[es->hist_start + 2].total_ms == 12);
	assert_true(es->probes == SNAP_HISTORY + 10);
	assert_true(es->failures == (SNAP_HISTORY + 10 + 2) / 3);
	/* Median of the last 8 successes (i % 3 != 0):
	 * 265 263 262 260 259 257 256 254. */
	assert_true(es->median_ms == 259.5);
	assert_true(es->has_probe);
	assert_true(es->last_probe_t == SNAP_HISTORY + 9);
	assert_string_equal(es->last_probe.endpoint, "eu20");
	assert_int_equal(fx_snap(&f)->endpoints[1].hist_len, 0);
	assert_true(fx_snap(&f)->endpoints[1].median_ms < 0);
	fx_end(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_reasons),
	    cmocka_unit_test(test_degraded_exact_probe),
	    cmocka_unit_test(test_traffic_through_engine),
	    cmocka_unit_test(test_manual_manager),
	    cmocka_unit_test(test_manual_manager_without_dns_answer),
	    cmocka_unit_test(test_automatic_dns_never_moves),
	    cmocka_unit_test(test_pass_through_and_time),
	    cmocka_unit_test(test_snapshot_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
