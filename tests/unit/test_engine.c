/*
 * engine: synthetic timed event streams in, derived events and the
 * snapshot checked. Profiles are built by hand (no core/profile).
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
#include "helpers.h"

/* ---- fixtures ----------------------------------------------------------- */

static const char *const names[] = {"eu20", "us21", "ap10", "sa30", "af40"};

/* n endpoints, priorities 1..n, weight 1, interval 10, timeout 5,
 * tolerated 0, rise 1; priority routing, manual failback, hold_down 60;
 * dns TTL 60 on two resolvers. */
static Profile *
mkprof(int n)
{
	Profile *p = xcalloc(1, sizeof(*p));

	assert_true(n <= (int)ARRAY_LEN(names));
	p->service = xstrdup("cpi-prod");
	p->nendpoints = n;
	p->endpoints = xcalloc(n, sizeof(Endpoint));
	for (int i = 0; i < n; i++) {
		Endpoint *ep = &p->endpoints[i];

		str_copy(ep->name, sizeof(ep->name), names[i]);
		ep->priority = i + 1;
		ep->weight = 1;
		ep->monitor.interval = 10;
		ep->monitor.timeout = 5;
		ep->monitor.tolerated_failures = 0;
		ep->monitor.rise = 1;
	}
	p->routing.method = ROUTE_PRIORITY;
	p->routing.failback_auto = false;
	p->routing.hold_down = 60;
	p->dns.name = xstrdup("cpi.example.com");
	p->dns.ttl = 60;
	p->dns.resolvers[0].addr = xstrdup("system");
	p->dns.resolvers[0].name = xstrdup("system");
	p->dns.resolvers[1].addr = xstrdup("127.0.0.1:5353");
	p->dns.resolvers[1].name = xstrdup("local");
	p->dns.nresolvers = 2;
	p->dns.interval = 5;
	return p;
}

static void
freeprof(Profile *p)
{
	for (int i = 0; i < p->dns.nresolvers; i++)
		free(p->dns.resolvers[i].addr), free(p->dns.resolvers[i].name);
	free(p->dns.name);
	free(p->endpoints);
	free(p->service);
	free(p);
}

typedef struct {
	Profile *p;
	Engine *e;
	Event *out;
	int nout, cap;
	EventSink sink;
} Fx;

static void
collect(void *ctx, const Event *ev)
{
	Fx *f = ctx;

	if (f->nout == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->out = xrealloc(f->out, f->cap, sizeof(Event));
	}
	f->out[f->nout++] = *ev;
}

static void
fx_start(Fx *f, Profile *p)
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->e = engine_new(p);
	f->sink.fn = collect;
	f->sink.ctx = f;
}

static void
fx_end(Fx *f)
{
	engine_free(f->e);
	freeprof(f->p);
	free(f->out);
}

static const Snapshot *
snap(const Fx *f)
{
	return engine_snapshot(f->e);
}

/* A probe result: ok, a status failure (status > 0) or a timeout. */
static void
probe_ms(Fx *f, double t, const char *name, bool ok, int status, double ms)
{
	Event ev;

	event_init(&ev, EV_PROBE, t);
	str_copy(ev.u.probe.endpoint, sizeof(ev.u.probe.endpoint), name);
	ev.u.probe.ok = ok;
	ev.u.probe.status = ok ? 200 : status;
	ev.u.probe.error =
	    ok ? PERR_NONE : (status > 0 ? PERR_STATUS : PERR_TIMEOUT);
	ev.u.probe.ms.total = ms;
	engine_feed(f->e, &ev, &f->sink);
}

static void
probe(Fx *f, double t, const char *name, bool ok)
{
	probe_ms(f, t, name, ok, ok ? 200 : 500, 20);
}

static void
dns(Fx *f, double t, const char *resolver, const char *endpoint, int ttl)
{
	Event ev = th_dns(t, resolver, endpoint, ttl);

	engine_feed(f->e, &ev, &f->sink);
}

static void
tick(Fx *f, double t)
{
	engine_tick(f->e, t, &f->sink);
}

/* Number of events of type since output index `from`. */
static int
count(const Fx *f, EventType type, int from)
{
	int c = 0;

	for (int i = from; i < f->nout; i++)
		c += f->out[i].type == type;
	return c;
}

/* The last event of type, or NULL. */
static const Event *
last(const Fx *f, EventType type)
{
	for (int i = f->nout - 1; i >= 0; i--)
		if (f->out[i].type == type)
			return &f->out[i];
	return NULL;
}

static void
assert_route(const Event *ev, double t, const char *from, const char *to,
    RouteCause cause, bool fail_open)
{
	assert_non_null(ev);
	assert_int_equal(ev->type, EV_ROUTE);
	if (ev->t != t)
		print_error("route at t=%f, want %f\n", ev->t, t);
	assert_true(ev->t == t);
	assert_string_equal(ev->u.route.from, from);
	assert_string_equal(ev->u.route.to, to);
	assert_int_equal(ev->u.route.cause, cause);
	assert_int_equal(ev->u.route.fail_open, fail_open);
}

/* Both endpoints of a two-endpoint profile online, first route to eu20. */
static void
start_two(Fx *f, Profile *p)
{
	fx_start(f, p);
	probe(f, 1, "eu20", true);
	probe(f, 2, "us21", true);
	assert_route(last(f, EV_ROUTE), 2, "", "eu20", CAUSE_AUTO, false);
}

/* ---- health through the engine ---------------------------------------- */

static void
test_order_and_reasons(void **state)
{
	Fx f;
	Profile *p = mkprof(2);
	char json[EVENT_JSON_MAX];

	(void)state;
	for (int i = 0; i < 2; i++)
		p->endpoints[i].monitor.tolerated_failures = 2;
	fx_start(&f, p);
	probe(&f, 1, "eu20", true);
	probe(&f, 1.5, "us21", true);
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
	assert_route(&f.out[4], 1.5, "", "eu20", CAUSE_AUTO, false);
	assert_true(event_to_json(&f.out[4], json, sizeof(json)) > 0);
	assert_non_null(strstr(json, "\"from\":null"));
	assert_true(snap(&f)->routed);
	assert_string_equal(snap(&f)->route_to, "eu20");

	probe_ms(&f, 10, "eu20", false, 500, 20);
	probe_ms(&f, 20, "eu20", false, 0, -1);
	assert_int_equal(count(&f, EV_HEALTH, 5), 0);
	probe_ms(&f, 30, "eu20", false, 500, 20);
	assert_int_equal(f.nout, 10);
	assert_int_equal(f.out[7].type, EV_PROBE);
	assert_int_equal(f.out[8].type, EV_HEALTH);
	assert_true(f.out[8].t == 30);
	assert_string_equal(f.out[8].u.health.reason,
	    "3 consecutive failures (last: status 500)");
	assert_int_equal(f.out[8].u.health.to, HEALTH_DEGRADED);
	assert_route(&f.out[9], 30, "eu20", "us21", CAUSE_AUTO, false);
	assert_string_equal(snap(&f)->recommendation,
	    "eu20 degraded: fail over to us21? press f");
	assert_int_equal(snap(&f)->rec_key, 'f');
	assert_string_equal(snap(&f)->rec_from, "eu20");
	assert_string_equal(snap(&f)->rec_to, "us21");
	assert_string_equal(snap(&f)->endpoints[0].last_reason,
	    "3 consecutive failures (last: status 500)");
	assert_true(snap(&f)->endpoints[0].state_since == 30);
	assert_int_equal(snap(&f)->endpoints[0].consecutive_failures, 3);
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
		Profile *p = mkprof(2);
		double t = 10;
		int seen = 0;

		for (int i = 0; i < 2; i++) {
			p->endpoints[i].monitor.tolerated_failures =
			    table[k].tolerated;
			p->endpoints[i].monitor.rise = table[k].rise;
		}
		fx_start(&f, p);
		for (int i = 0; i < table[k].rise; i++) {
			probe(&f, t, "eu20", true);
			probe(&f, t, "us21", true);
			t += 10;
		}
		assert_int_equal(snap(&f)->endpoints[0].state, HEALTH_ONLINE);
		for (int i = 1; i <= 6 && !seen; i++) {
			int mark = f.nout;

			probe(&f, t, "eu20", false);
			t += 10;
			if (count(&f, EV_HEALTH, mark) > 0)
				seen = i;
		}
		assert_int_equal(seen, table[k].degraded_at);
		seen = 0;
		for (int i = 1; i <= 6 && !seen; i++) {
			int mark = f.nout;

			probe(&f, t, "eu20", true);
			t += 10;
			if (count(&f, EV_HEALTH, mark) > 0)
				seen = i;
		}
		assert_int_equal(seen, table[k].online_at);
		fx_end(&f);
	}
}

/* ---- priority routing --------------------------------------------------- */

static void
test_failover_and_fail_open(void **state)
{
	Fx f;
	int mark;

	(void)state;
	start_two(&f, mkprof(2));
	probe(&f, 10, "eu20", false);
	assert_route(last(&f, EV_ROUTE), 10, "eu20", "us21", CAUSE_AUTO, false);
	probe(&f, 20, "us21", false);
	/* All degraded: the rules' pick as if all were online, loudly. */
	assert_route(last(&f, EV_ROUTE), 20, "us21", "eu20", CAUSE_AUTO, true);
	assert_true(snap(&f)->fail_open);
	assert_non_null(strstr(snap(&f)->recommendation, "ALL ENDPOINTS"));
	/* status 500 everywhere: the regions answered, so no word of this
	 * machine's network */
	assert_null(strstr(snap(&f)->recommendation, "this machine"));
	mark = f.nout;
	probe(&f, 30, "eu20", false);
	tick(&f, 500);
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);
	/* us21 comes back: fail-open ends there at once. */
	probe(&f, 40 + 500, "us21", true);
	assert_route(
	    last(&f, EV_ROUTE), 540, "eu20", "us21", CAUSE_AUTO, false);
	assert_false(snap(&f)->fail_open);
	fx_end(&f);

	/* Entering fail-open on the current target is still a route event,
	 * and so is leaving it. */
	start_two(&f, mkprof(2));
	probe(&f, 10, "us21", false);
	assert_int_equal(count(&f, EV_ROUTE, 0), 1);
	probe(&f, 11, "eu20", false);
	assert_route(last(&f, EV_ROUTE), 11, "eu20", "eu20", CAUSE_AUTO, true);
	probe(&f, 12, "eu20", true);
	assert_route(last(&f, EV_ROUTE), 12, "eu20", "eu20", CAUSE_AUTO, false);
	assert_int_equal(count(&f, EV_ROUTE, 0), 3);
	fx_end(&f);

	/* Every endpoint fails at once with no answer at all (timeouts):
	 * the banner says the cause may be this machine's network. */
	start_two(&f, mkprof(2));
	probe_ms(&f, 10, "eu20", false, 0, -1);
	probe_ms(&f, 10.5, "us21", false, 0, -1);
	assert_true(snap(&f)->fail_open);
	assert_non_null(strstr(snap(&f)->recommendation,
	    "the cause may be this machine's network"));
	fx_end(&f);
}

static void
test_auto_failover_recommendation(void **state)
{
	Fx f;
	Profile *p = mkprof(2);

	(void)state;
	p->routing.auto_failover = true;
	start_two(&f, p);
	probe(&f, 10, "eu20", false);
	/* The route is emitted the same way; only the text differs. */
	assert_route(last(&f, EV_ROUTE), 10, "eu20", "us21", CAUSE_AUTO, false);
	assert_string_equal(snap(&f)->recommendation,
	    "eu20 degraded: failed over to us21 automatically");
	assert_int_equal(snap(&f)->rec_key, 0);
	fx_end(&f);

	/* Pressing f after the rules moved: the operator confirms the
	 * current target, which becomes an override. */
	start_two(&f, mkprof(2));
	probe(&f, 10, "eu20", false);
	assert_int_equal(snap(&f)->rec_key, 'f');
	{
		char err[64];
		char to[EV_NAME_MAX];

		str_copy(to, sizeof(to), snap(&f)->rec_to);
		assert_int_equal(engine_route_manual(f.e, 11, to, CAUSE_MANUAL,
		                     &f.sink, err, sizeof(err)),
		    0);
	}
	assert_route(
	    last(&f, EV_ROUTE), 11, "us21", "us21", CAUSE_MANUAL, false);
	assert_true(snap(&f)->manual_override);
	assert_int_equal(snap(&f)->rec_key, 0);
	assert_string_equal(snap(&f)->recommendation, "");
	/* eu20 back: the recommendation is a failback. */
	probe(&f, 20, "eu20", true);
	assert_int_equal(snap(&f)->rec_key, 'b');
	assert_string_equal(snap(&f)->rec_from, "us21");
	assert_string_equal(snap(&f)->rec_to, "eu20");
	fx_end(&f);
}

static void
test_manual_failback_recommends_only(void **state)
{
	Fx f;
	int mark;
	char err[128];

	(void)state;
	fx_start(&f, mkprof(3));
	probe(&f, 1, "eu20", true);
	probe(&f, 1, "us21", true);
	probe(&f, 1, "ap10", true);
	probe(&f, 10, "eu20", false);
	probe(&f, 50, "eu20", true);
	assert_int_equal(snap(&f)->endpoints[0].state, HEALTH_ONLINE);
	assert_string_equal(snap(&f)->route_to, "us21");
	assert_string_equal(snap(&f)->recommendation,
	    "eu20 online again: fail back from us21? press b");
	assert_int_equal(snap(&f)->rec_key, 'b');
	assert_string_equal(snap(&f)->rec_from, "us21");
	assert_string_equal(snap(&f)->rec_to, "eu20");
	assert_true(snap(&f)->failback_at < 0);
	mark = f.nout;
	/* ap10 flaps meanwhile, so the rules are re-evaluated often. */
	for (double t = 60; t <= 1000; t += 10) {
		probe(&f, t, "eu20", true);
		probe(&f, t, "us21", true);
		probe(&f, t, "ap10", (int)t % 20 == 0);
		tick(&f, t + 5);
	}
	assert_true(count(&f, EV_HEALTH, mark) > 80);
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);
	assert_string_equal(snap(&f)->route_to, "us21");

	/* The operator fails back: the rules' choice. */
	assert_int_equal(engine_route_manual(f.e, 1010, NULL, CAUSE_FAILBACK,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(
	    last(&f, EV_ROUTE), 1010, "us21", "eu20", CAUSE_FAILBACK, false);
	assert_string_equal(snap(&f)->recommendation, "");
	assert_false(snap(&f)->manual_override);
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
		Profile *p = mkprof(2);
		int mark;

		p->routing.failback_auto = true;
		start_two(&f, p);
		probe(&f, 10, "eu20", false);
		probe(&f, 50.5, "eu20", true); /* online at 50.5 */
		assert_non_null(
		    strstr(snap(&f)->recommendation, "automatic failback"));
		assert_true(snap(&f)->failback_at == 110.5);
		mark = f.nout;
		for (double t = 51; t < 110.5; t += 1) {
			probe(&f, t, "eu20", true);
			tick(&f, t + 0.4999);
		}
		tick(&f, 110.4999);
		assert_int_equal(count(&f, EV_ROUTE, mark), 0);
		if (by_tick[k]) {
			tick(&f, 110.5);
			assert_route(last(&f, EV_ROUTE), 110.5, "us21", "eu20",
			    CAUSE_FAILBACK, false);
		} else {
			/* Any event's time triggers it too. */
			probe(&f, 112, "us21", true);
			assert_route(last(&f, EV_ROUTE), 112, "us21", "eu20",
			    CAUSE_FAILBACK, false);
		}
		assert_int_equal(count(&f, EV_ROUTE, mark), 1);
		assert_string_equal(snap(&f)->recommendation, "");
		assert_true(snap(&f)->failback_at < 0);
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
		Profile *p = mkprof(2);
		int mark;
		double t = 10;

		p->routing.failback_auto = failback_auto[k];
		start_two(&f, p);
		mark = f.nout;
		/* fail, ok, fail, ok ... every 5 s for 200 s. */
		for (int i = 0; i < 40; i++) {
			probe(&f, t, "eu20", i % 2 == 1);
			probe(&f, t + 0.1, "us21", true);
			tick(&f, t + 2.5);
			t += 5;
		}
		assert_int_equal(count(&f, EV_HEALTH, mark), 40);
		assert_int_equal(count(&f, EV_ROUTE, mark), 1);
		assert_route(
		    last(&f, EV_ROUTE), 10, "eu20", "us21", CAUSE_AUTO, false);
		/* Once it stays up for hold_down, auto failback happens. */
		for (int i = 0; i < 20; i++, t += 5)
			probe(&f, t, "eu20", true);
		tick(&f, t);
		assert_int_equal(
		    count(&f, EV_ROUTE, mark), failback_auto[k] ? 2 : 1);
		fx_end(&f);
	}
}

static void
test_manual_override_kept(void **state)
{
	Fx f;
	Profile *p = mkprof(3);
	char err[128];
	int mark;

	(void)state;
	p->routing.failback_auto = true;
	p->routing.hold_down = 10;
	fx_start(&f, p);
	probe(&f, 1, "eu20", true);
	probe(&f, 1, "us21", true);
	probe(&f, 1, "ap10", true);
	assert_route(last(&f, EV_ROUTE), 1, "", "eu20", CAUSE_AUTO, false);

	assert_int_equal(engine_route_manual(f.e, 5, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(
	    last(&f, EV_ROUTE), 5, "eu20", "us21", CAUSE_MANUAL, false);
	assert_true(snap(&f)->manual_override);
	assert_int_equal(snap(&f)->route_cause, CAUSE_MANUAL);
	assert_string_equal(snap(&f)->recommendation,
	    "manual route to us21 in force; eu20 is online: fail back? press "
	    "b");
	mark = f.nout;
	/* Automatic routing does not undo it: eu20 flaps, time passes. */
	probe(&f, 10, "eu20", false);
	probe(&f, 20, "eu20", true);
	tick(&f, 500);
	assert_int_equal(count(&f, EV_HEALTH, mark), 2);
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);
	/* The manual target degrades: loud, but traffic stays. */
	probe(&f, 510, "us21", false);
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);
	assert_string_equal(snap(&f)->route_to, "us21");
	assert_string_equal(snap(&f)->recommendation,
	    "MANUAL ROUTE TO us21 IS degraded: traffic stays there; fail "
	    "over to eu20? press f");
	assert_int_equal(snap(&f)->rec_key, 'f');
	assert_string_equal(snap(&f)->rec_from, "us21");
	assert_string_equal(snap(&f)->rec_to, "eu20");

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
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);

	/* Another manual route replaces it. */
	assert_int_equal(engine_route_manual(f.e, 520, "ap10", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(
	    last(&f, EV_ROUTE), 520, "us21", "ap10", CAUSE_MANUAL, false);
	/* Failback clears it and routes by the rules. */
	assert_int_equal(engine_route_manual(f.e, 530, NULL, CAUSE_FAILBACK,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(
	    last(&f, EV_ROUTE), 530, "ap10", "eu20", CAUSE_FAILBACK, false);
	assert_false(snap(&f)->manual_override);
	mark = f.nout;
	/* Rules apply again. */
	probe(&f, 540, "eu20", false);
	assert_route(
	    last(&f, EV_ROUTE), 540, "eu20", "ap10", CAUSE_AUTO, false);

	/* Confirming the current target makes it an override. */
	assert_int_equal(engine_route_manual(f.e, 550, "ap10", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(
	    last(&f, EV_ROUTE), 550, "ap10", "ap10", CAUSE_MANUAL, false);
	assert_true(snap(&f)->manual_override);
	probe(&f, 560, "eu20", true);
	tick(&f, 600);
	assert_string_equal(snap(&f)->route_to, "ap10");
	/* A disabled endpoint is never routed to, override or not. */
	assert_int_equal(engine_route_manual(f.e, 601, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	engine_set_disabled(f.e, 602, "us21", true, &f.sink);
	assert_false(snap(&f)->manual_override);
	assert_route(
	    last(&f, EV_ROUTE), 602, "us21", "eu20", CAUSE_AUTO, false);
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
	Profile *p = mkprof(3);
	int mark;

	(void)state;
	p->endpoints[0].disabled = true;
	fx_start(&f, p);
	assert_int_equal(snap(&f)->endpoints[0].state, HEALTH_DISABLED);
	/* A stray probe of a disabled endpoint changes no state. */
	probe(&f, 1, "eu20", true);
	assert_int_equal(count(&f, EV_HEALTH, 0), 0);
	probe(&f, 2, "us21", true);
	assert_int_equal(count(&f, EV_ROUTE, 0), 0);
	probe(&f, 3, "ap10", true);
	/* Every enabled endpoint left checking: first route, not eu20. */
	assert_route(last(&f, EV_ROUTE), 3, "", "us21", CAUSE_AUTO, false);

	/* Disable the current target: health event, traffic moves. */
	mark = f.nout;
	engine_set_disabled(f.e, 4, "us21", true, &f.sink);
	assert_int_equal(f.nout - mark, 2);
	assert_int_equal(f.out[mark].type, EV_HEALTH);
	assert_int_equal(f.out[mark].u.health.from, HEALTH_ONLINE);
	assert_int_equal(f.out[mark].u.health.to, HEALTH_DISABLED);
	assert_string_equal(
	    f.out[mark].u.health.reason, "disabled by operator");
	assert_route(&f.out[mark + 1], 4, "us21", "ap10", CAUSE_AUTO, false);
	/* Disabling twice does nothing. */
	engine_set_disabled(f.e, 5, "us21", true, &f.sink);
	assert_int_equal(f.nout - mark, 2);

	/* Re-enabled eu20 starts checking and only then goes online. */
	engine_set_disabled(f.e, 6, "eu20", false, &f.sink);
	assert_int_equal(last(&f, EV_HEALTH)->u.health.from, HEALTH_DISABLED);
	assert_int_equal(last(&f, EV_HEALTH)->u.health.to, HEALTH_CHECKING);
	assert_int_equal(count(&f, EV_ROUTE, mark), 1);
	probe(&f, 7, "eu20", true);
	assert_int_equal(last(&f, EV_HEALTH)->u.health.to, HEALTH_ONLINE);
	assert_string_equal(snap(&f)->recommendation,
	    "eu20 online again: fail back from ap10? press b");

	/* The only enabled endpoint degrades: fail open never picks a
	 * disabled one. */
	engine_set_disabled(f.e, 8, "eu20", true, &f.sink);
	probe(&f, 9, "ap10", false);
	assert_route(last(&f, EV_ROUTE), 9, "ap10", "ap10", CAUSE_AUTO, true);
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
	p = mkprof(2);
	p->endpoints[1].monitor.interval = 30;
	p->endpoints[1].monitor.timeout = 10;
	fx_start(&f, p);
	probe(&f, 1, "eu20", true);
	tick(&f, 39.9);
	assert_int_equal(count(&f, EV_ROUTE, 0), 0);
	assert_false(snap(&f)->routed);
	tick(&f, 40);
	assert_route(last(&f, EV_ROUTE), 40, "", "eu20", CAUSE_AUTO, false);
	fx_end(&f);

	/* An event's time triggers it as well. */
	p = mkprof(2);
	fx_start(&f, p);
	probe(&f, 1, "us21", true);
	probe(&f, 16, "us21", true);
	assert_route(last(&f, EV_ROUTE), 16, "", "us21", CAUSE_AUTO, false);
	fx_end(&f);

	/* Nobody answered: endpoints still checking are routed to, not
	 * failed open. */
	p = mkprof(2);
	fx_start(&f, p);
	tick(&f, 15);
	assert_route(last(&f, EV_ROUTE), 15, "", "eu20", CAUSE_AUTO, false);
	fx_end(&f);

	/* All degraded before the deadline: first route fails open. */
	p = mkprof(2);
	fx_start(&f, p);
	probe(&f, 1, "eu20", false);
	assert_int_equal(count(&f, EV_ROUTE, 0), 0);
	probe(&f, 2, "us21", false);
	assert_route(last(&f, EV_ROUTE), 2, "", "eu20", CAUSE_AUTO, true);
	fx_end(&f);

	/* A manual route before the first one counts as the first. */
	p = mkprof(2);
	fx_start(&f, p);
	assert_int_equal(engine_route_manual(f.e, 1, "us21", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(last(&f, EV_ROUTE), 1, "", "us21", CAUSE_MANUAL, false);
	tick(&f, 100);
	assert_int_equal(count(&f, EV_ROUTE, 0), 1);
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
	Profile *p = mkprof(3);
	const Event *r;
	int mark;
	char json[EVENT_JSON_MAX];

	(void)state;
	p->routing.method = ROUTE_WEIGHTED;
	p->endpoints[0].weight = 3;
	p->endpoints[1].weight = 1;
	p->endpoints[2].weight = 4;
	fx_start(&f, p);
	probe(&f, 1, "eu20", true);
	probe(&f, 1, "us21", true);
	probe(&f, 1, "ap10", true);
	r = last(&f, EV_ROUTE);
	assert_route(r, 1, "", "ap10", CAUSE_AUTO, false);
	assert_int_equal(r->u.route.nshares, 3);
	assert_true(share_of(r, "eu20") == 0.375);
	assert_true(share_of(r, "us21") == 0.125);
	assert_true(share_of(r, "ap10") == 0.5);
	assert_true(snap(&f)->endpoints[2].share == 0.5);
	assert_true(event_to_json(r, json, sizeof(json)) > 0);
	assert_non_null(strstr(json, "\"shares\":{"));

	/* Same set: no route event. */
	mark = f.nout;
	probe(&f, 10, "eu20", true);
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);

	probe(&f, 11, "ap10", false);
	r = last(&f, EV_ROUTE);
	assert_route(r, 11, "ap10", "eu20", CAUSE_AUTO, false);
	assert_int_equal(r->u.route.nshares, 2);
	assert_true(share_of(r, "eu20") == 0.75);
	assert_true(share_of(r, "us21") == 0.25);
	assert_true(snap(&f)->endpoints[2].share == 0);

	/* A change of the set that keeps `to` is still emitted. */
	probe(&f, 12, "us21", false);
	r = last(&f, EV_ROUTE);
	assert_route(r, 12, "eu20", "eu20", CAUSE_AUTO, false);
	assert_int_equal(r->u.route.nshares, 1);
	assert_true(share_of(r, "eu20") == 1);

	/* ap10 back: shares again, no hold_down for weights. */
	probe(&f, 13, "ap10", true);
	r = last(&f, EV_ROUTE);
	assert_route(r, 13, "eu20", "ap10", CAUSE_AUTO, false);
	assert_true(share_of(r, "ap10") == 4.0 / 7);
	fx_end(&f);
}

static void
test_performance_with_margin(void **state)
{
	Fx f;
	Profile *p = mkprof(2);
	int mark;
	double t = 1;

	(void)state;
	p->routing.method = ROUTE_PERFORMANCE;
	fx_start(&f, p);
	probe_ms(&f, t, "eu20", true, 200, 50);
	probe_ms(&f, t, "us21", true, 200, 48);
	assert_route(last(&f, EV_ROUTE), 1, "", "us21", CAUSE_AUTO, false);
	/* Near-equal and alternating: never flips. */
	mark = f.nout;
	for (int i = 0; i < 40; i++) {
		t += 5;
		probe_ms(&f, t, "eu20", true, 200, i % 2 ? 44 : 47);
		probe_ms(&f, t, "us21", true, 200, i % 2 ? 49 : 46);
	}
	assert_int_equal(count(&f, EV_ROUTE, mark), 0);
	assert_true(snap(&f)->endpoints[0].median_ms == 45.5);
	assert_true(snap(&f)->endpoints[1].median_ms == 47.5);

	/* eu20 clearly faster: switches once its median has moved. */
	for (int i = 0; i < 8; i++) {
		t += 5;
		probe_ms(&f, t, "eu20", true, 200, 20);
		probe_ms(&f, t, "us21", true, 200, 48);
	}
	assert_int_equal(count(&f, EV_ROUTE, mark), 1);
	assert_route(last(&f, EV_ROUTE), last(&f, EV_ROUTE)->t, "us21", "eu20",
	    CAUSE_AUTO, false);
	/* The switch came when the median (not one probe) crossed the
	 * margin: at the 4th fast probe eu20's median is 32 ms against
	 * 48 ms (16 > max(5, 9.6)); at the 3rd it was 44 ms (4 < 9.6). */
	assert_true(last(&f, EV_ROUTE)->t == 201 + 5 * 4);
	fx_end(&f);
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
	start_two(&f, mkprof(2));
	/* No convergence for the first route. */
	dns(&f, 3, "system", "eu20", 60);
	dns(&f, 3, "127.0.0.1:5353", "eu20", 60);
	assert_int_equal(count(&f, EV_CONVERGED, 0), 0);
	s = snap(&f);
	assert_false(s->traffic.active);
	assert_int_equal(s->nresolvers, 2);
	assert_true(s->resolvers[0].has_answer);
	assert_true(s->resolvers[0].ttl_expires == 63);
	assert_non_null(strstr(s->traffic.note, "RFC 8767"));
	assert_string_equal(s->traffic.endpoint, "eu20");
	assert_int_equal(s->traffic.count, 2);

	/* eu20 fails at 10: expected us21; DNS has not moved. */
	probe(&f, 10, "eu20", false);
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
	dns(&f, 15, "system", "eu20", 55);
	assert_int_equal(f.nout - mark, 1);
	dns(&f, 20, "system", "us21", 60);
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
	dns(&f, 25, "127.0.0.1:5353", "us21", 120);
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
	dns(&f, 90, "system", "eu20", 60);
	assert_null(last(&f, EV_DIVERGED));
	dns(&f, 96, "system", "eu20", 60);
	c = last(&f, EV_DIVERGED);
	assert_non_null(c);
	assert_string_equal(c->u.conv.endpoint, "eu20");
	assert_string_equal(c->u.conv.expected, "us21");
	assert_true(c->u.conv.after == 86);
	assert_true(s->resolvers[0].diverged);
	/* A second change restarts the model. */
	probe(&f, 150, "eu20", true); /* manual failback: no route */
	assert_int_equal(count(&f, EV_ROUTE, 0), 2);
	probe(&f, 160, "us21", false);
	assert_route(
	    last(&f, EV_ROUTE), 160, "us21", "eu20", CAUSE_AUTO, false);
	assert_true(s->traffic.changed_at == 160);
	assert_string_equal(s->traffic.to, "eu20");
	assert_false(s->resolvers[0].converged);
	assert_false(s->resolvers[0].diverged);
	mark = f.nout;
	dns(&f, 161, "system", "eu20", 60);
	assert_int_equal(count(&f, EV_CONVERGED, mark), 1);
	assert_true(last(&f, EV_CONVERGED)->u.conv.after == 1);
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
	Profile *p = mkprof(3);
	const Snapshot *s;
	char err[128];
	Event ev;
	Fx f;
	int mark;

	(void)state;
	p->routing.manager = MANAGER_MANUAL;
	fx_start(&f, p);
	s = snap(&f);
	/* Every endpoint online, eu20 preferred, but the zone points at
	 * us21: the first route is what DNS says, cause dns. */
	probe(&f, 1, "eu20", true);
	probe(&f, 1, "us21", true);
	probe(&f, 1, "ap10", true);
	assert_int_equal(count(&f, EV_ROUTE, 0), 0);
	dns(&f, 2, "system", "us21", 60);
	assert_route(last(&f, EV_ROUTE), 2, "", "us21", CAUSE_DNS, false);
	assert_false(s->manual_override);
	assert_int_equal(s->rec_key, 'b');
	assert_string_equal(s->rec_from, "us21");
	assert_string_equal(s->rec_to, "eu20");
	dns(&f, 2, "127.0.0.1:5353", "us21", 60);
	/* us21 degrades: a recommendation, never a route. */
	probe(&f, 10, "us21", false);
	assert_int_equal(s->endpoints[1].state, HEALTH_DEGRADED);
	assert_int_equal(count(&f, EV_ROUTE, 0), 1);
	assert_string_equal(s->route_to, "us21");
	assert_int_equal(s->rec_key, 'f');
	assert_string_equal(s->rec_from, "us21");
	assert_string_equal(s->rec_to, "eu20");
	assert_non_null(strstr(s->recommendation, "press f"));
	/* The operator's failover action runs; meanwhile DNS flips on one
	 * resolver: no route of its own while the action runs. */
	ev = action_event(12, ACT_STARTED, -1);
	engine_feed(f.e, &ev, &f.sink);
	dns(&f, 13, "system", "eu20", 60);
	dns(&f, 13.5, "127.0.0.1:5353", "eu20", 60);
	assert_int_equal(count(&f, EV_ROUTE, 0), 1);
	ev = action_event(14, ACT_FINISHED, 0);
	engine_feed(f.e, &ev, &f.sink);
	assert_int_equal(count(&f, EV_ROUTE, 0), 1);
	/* Its success routes (what the console does on the outcome). */
	mark = f.nout;
	assert_int_equal(engine_route_manual(f.e, 14, "eu20", CAUSE_MANUAL,
	                     &f.sink, err, sizeof(err)),
	    0);
	assert_route(
	    last(&f, EV_ROUTE), 14, "us21", "eu20", CAUSE_MANUAL, false);
	assert_int_equal(count(&f, EV_CONVERGED, mark), 0);
	/* eu20 degrades now: still no route. */
	probe(&f, 20, "eu20", false);
	assert_int_equal(count(&f, EV_ROUTE, 0), 2);
	assert_string_equal(s->route_to, "eu20");
	/* Someone moves the zone to ap10 behind drtop's back: once most
	 * resolvers answer ap10, the route follows, cause dns. */
	dns(&f, 30, "system", "ap10", 60);
	assert_int_equal(count(&f, EV_ROUTE, 0), 2);
	mark = f.nout;
	dns(&f, 31, "127.0.0.1:5353", "ap10", 60);
	assert_route(last(&f, EV_ROUTE), 31, "eu20", "ap10", CAUSE_DNS, false);
	/* the resolver that showed it converged at once, after 0 */
	assert_int_equal(count(&f, EV_CONVERGED, mark), 1);
	assert_true(last(&f, EV_CONVERGED)->u.conv.after == 0);
	assert_true(s->traffic.moved && s->traffic.moved_at == 31);
	dns(&f, 35, "system", "ap10", 60);
	assert_int_equal(count(&f, EV_CONVERGED, mark), 2);
	assert_true(last(&f, EV_CONVERGED)->u.conv.after == 4);
	/* A failed action routes nothing, and DNS is looked at again. */
	ev = action_event(40, ACT_STARTED, -1);
	engine_feed(f.e, &ev, &f.sink);
	dns(&f, 41, "system", "us21", 60);
	dns(&f, 41, "127.0.0.1:5353", "us21", 60);
	assert_int_equal(count(&f, EV_ROUTE, 0), 3);
	ev = action_event(42, ACT_FINISHED, 1);
	engine_feed(f.e, &ev, &f.sink);
	assert_route(last(&f, EV_ROUTE), 42, "ap10", "us21", CAUSE_DNS, false);
	fx_end(&f);
}

static void
test_manual_manager_without_dns_answer(void **state)
{
	Profile *p = mkprof(2);
	const Snapshot *s;
	Fx f;

	(void)state;
	p->routing.manager = MANAGER_MANUAL;
	p->dns.timeout = 1;
	fx_start(&f, p);
	s = snap(&f);
	probe(&f, 1, "eu20", true);
	probe(&f, 1, "us21", true);
	/* No answer maps: the first route waits for the deadline, then
	 * takes the rules' pick. */
	dns(&f, 2, "system", NULL, -1);
	assert_int_equal(count(&f, EV_ROUTE, 0), 0);
	engine_tick(f.e, 14.9, &f.sink);
	assert_int_equal(count(&f, EV_ROUTE, 0), 0);
	engine_tick(f.e, 15, &f.sink);
	assert_route(last(&f, EV_ROUTE), 15, "", "eu20", CAUSE_AUTO, false);
	/* and health never moves it */
	probe(&f, 20, "eu20", false);
	assert_int_equal(count(&f, EV_ROUTE, 0), 1);
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
	start_two(&f, mkprof(2));
	s = snap(&f);
	dns(&f, 3, "system", "eu20", 60);
	dns(&f, 3, "127.0.0.1:5353", "eu20", 60);
	probe(&f, 10, "eu20", false);
	assert_string_equal(s->route_to, "us21");
	mark = f.nout;
	for (double t = 13; t <= 120; t += 5) {
		dns(&f, t, "system", "eu20", 60);
		dns(&f, t, "127.0.0.1:5353", "eu20", 60);
	}
	/* ref 10, TTL 60, two polls: diverged at the first poll after 80 */
	assert_int_equal(count(&f, EV_DIVERGED, mark), 2);
	assert_int_equal(count(&f, EV_CONVERGED, mark), 0);
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
	start_two(&f, mkprof(2));
	v = snap(&f)->version;
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
	assert_string_equal(snap(&f)->route_to, "eu20");
	assert_int_equal(snap(&f)->endpoints[0].state, HEALTH_ONLINE);
	assert_true(snap(&f)->version == v);

	assert_true(engine_derives(EV_HEALTH) && engine_derives(EV_ROUTE));
	assert_true(
	    engine_derives(EV_CONVERGED) && engine_derives(EV_DIVERGED));
	assert_false(engine_derives(EV_PROBE) || engine_derives(EV_DNS));

	/* Unknown endpoint: passed through only. */
	probe(&f, 4, "zz99", false);
	assert_int_equal(f.nout - mark, 3);
	assert_true(snap(&f)->version > v);

	/* An older t is treated as now. */
	probe(&f, 10, "us21", true);
	probe(&f, 5, "eu20", false);
	assert_true(f.out[f.nout - 3].t == 10); /* the probe */
	assert_int_equal(f.out[f.nout - 2].type, EV_HEALTH);
	assert_true(f.out[f.nout - 2].t == 10);
	assert_true(last(&f, EV_ROUTE)->t == 10);
	assert_true(snap(&f)->now == 10);
	tick(&f, 7);
	assert_true(snap(&f)->now == 10);

	/* Certificates. */
	event_init(&ev, EV_CERT, 11);
	str_copy(ev.u.cert.endpoint, sizeof(ev.u.cert.endpoint), "us21");
	ev.u.cert.days_left = 9;
	ev.u.cert.warning = true;
	assert_false(snap(&f)->endpoints[1].cert_known);
	engine_feed(f.e, &ev, &f.sink);
	assert_int_equal(snap(&f)->endpoints[1].cert_days, 9);
	/* expired within the last day is known, not "unknown" */
	event_init(&ev, EV_CERT, 12);
	str_copy(ev.u.cert.endpoint, sizeof(ev.u.cert.endpoint), "us21");
	ev.u.cert.days_left = -1;
	engine_feed(f.e, &ev, &f.sink);
	assert_true(snap(&f)->endpoints[1].cert_known);
	assert_int_equal(snap(&f)->endpoints[1].cert_days, -1);
	assert_true(snap(&f)->events_in == 9);
	fx_end(&f);
}

static void
test_snapshot_history(void **state)
{
	Fx f;
	const EndpointSnap *es;
	uint64_t v;

	(void)state;
	fx_start(&f, mkprof(2));
	v = snap(&f)->version;
	for (int i = 0; i < SNAP_HISTORY + 10; i++)
		probe_ms(&f, i, "eu20", i % 3 != 0, 503, i);
	es = &snap(&f)->endpoints[0];
	assert_true(snap(&f)->version >= v + SNAP_HISTORY + 10);
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
	assert_int_equal(snap(&f)->endpoints[1].hist_len, 0);
	assert_true(snap(&f)->endpoints[1].median_ms < 0);
	fx_end(&f);
}

/* ---- determinism -------------------------------------------------------- */

static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

typedef struct {
	char *buf;
	size_t len, cap;
	int routes, healths, convs;
} Bytes;

static void
to_bytes(void *ctx, const Event *ev)
{
	Bytes *b = ctx;
	char line[EVENT_JSON_MAX];
	size_t n = event_to_json(ev, line, sizeof(line));

	assert_true(n > 0);
	if (b->len + n > b->cap) {
		b->cap = (b->cap + n) * 2;
		b->buf = xrealloc(b->buf, b->cap, 1);
	}
	memcpy(b->buf + b->len, line, n);
	b->len += n;
	b->routes += ev->type == EV_ROUTE;
	b->healths += ev->type == EV_HEALTH;
	b->convs += ev->type == EV_CONVERGED || ev->type == EV_DIVERGED;
}

static void
run_stream(const Profile *p, uint32_t seed, Bytes *b)
{
	Engine *e = engine_new(p);
	EventSink sink = {to_bytes, b};
	double t = 0;
	char err[128];

	for (int i = 0; i < 10000; i++) {
		uint32_t r = lcg(&seed);
		int ep = (int)(lcg(&seed) % 4); /* 3 is unknown */
		const char *name = ep < 3 ? names[ep] : "zz99";
		Event ev;

		t += (lcg(&seed) % 2000) / 1000.0;
		switch (r % 16) {
		case 0:
		case 1:
			event_init(&ev, EV_DNS, t);
			str_copy(ev.u.dns.resolver, sizeof(ev.u.dns.resolver),
			    r & 256 ? "system" : "127.0.0.1:5353");
			str_copy(ev.u.dns.endpoint, sizeof(ev.u.dns.endpoint),
			    ep < 3 ? names[ep] : "");
			ev.u.dns.ttl = (int)(lcg(&seed) % 90);
			engine_feed(e, &ev, &sink);
			break;
		case 2:
			engine_tick(e, t, &sink);
			break;
		case 3:
			if (lcg(&seed) % 8 == 0)
				engine_route_manual(e, t, ep < 3 ? name : NULL,
				    r & 512 ? CAUSE_MANUAL : CAUSE_FAILBACK,
				    &sink, err, sizeof(err));
			else if (lcg(&seed) % 8 == 0)
				engine_set_disabled(
				    e, t, name, r & 1024, &sink);
			else
				engine_tick(e, t, &sink);
			break;
		case 4:
			event_init(&ev, EV_MARKER, t - 0.5); /* goes back */
			snprintf(ev.u.marker.note, sizeof(ev.u.marker.note),
			    "m%d", i);
			engine_feed(e, &ev, &sink);
			break;
		default:
			event_init(&ev, EV_PROBE, t);
			str_copy(ev.u.probe.endpoint,
			    sizeof(ev.u.probe.endpoint), name);
			/* eu20 flaky, the others mostly fine */
			ev.u.probe.ok = lcg(&seed) % 10 >= (ep == 0 ? 5u : 2u);
			ev.u.probe.status = ev.u.probe.ok ? 200 : 500;
			ev.u.probe.error =
			    ev.u.probe.ok ? PERR_NONE : PERR_STATUS;
			ev.u.probe.ms.total = (lcg(&seed) % 100000) / 1000.0;
			engine_feed(e, &ev, &sink);
			break;
		}
	}
	engine_free(e);
}

static void
test_determinism(void **state)
{
	static const RouteMethod methods[] = {
	    ROUTE_PRIORITY, ROUTE_WEIGHTED, ROUTE_PERFORMANCE};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(methods); k++) {
		Profile *p = mkprof(3);
		Bytes a = {0}, b = {0}, c = {0};

		p->routing.method = methods[k];
		p->routing.failback_auto = k != 1;
		p->routing.hold_down = 20;
		p->endpoints[1].weight = 2;
		for (int i = 0; i < 3; i++)
			p->endpoints[i].monitor.tolerated_failures = i;
		run_stream(p, 12345, &a);
		run_stream(p, 12345, &b);
		run_stream(p, 54321, &c);
		assert_true(a.len > 10000 * 50);
		assert_true(a.len == b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		/* The stream exercised the engine, and the seed matters. */
		assert_true(a.healths > 100);
		assert_true(a.routes > 20);
		assert_true(a.convs > 10);
		assert_true(c.len != a.len || memcmp(a.buf, c.buf, a.len) != 0);
		free(a.buf);
		free(b.buf);
		free(c.buf);
		freeprof(p);
	}
}

/* ---- invariants under a random stream ----------------------------------- */

typedef struct {
	Engine *e;
	const Profile *p;
	double last_t;
	bool manual_failback; /* priority + failback manual */
	bool by_operator; /* inside engine_route_manual */
	int routes, bad;
} Inv;

static int
state_of(const Inv *v, const char *name)
{
	const Snapshot *s = engine_snapshot(v->e);

	for (int i = 0; i < s->nendpoints; i++)
		if (strcmp(v->p->endpoints[i].name, name) == 0)
			return s->endpoints[i].state;
	return -1;
}

static void
inv_sink(void *ctx, const Event *ev)
{
	Inv *v = ctx;

	/* Output time never goes backwards. */
	if (ev->t < v->last_t)
		v->bad++;
	v->last_t = ev->t;
	if (ev->type == EV_HEALTH && ev->u.health.from == ev->u.health.to)
		v->bad++;
	if (ev->type != EV_ROUTE)
		return;
	v->routes++;
	/* Only the operator routes manually; with manual failback only the
	 * operator fails back. */
	if (!v->by_operator &&
	    (ev->u.route.cause == CAUSE_MANUAL ||
	        (v->manual_failback && ev->u.route.cause == CAUSE_FAILBACK)))
		v->bad++;
	/* With manual failback, the rules never leave an online target:
	 * the snapshot still holds the state from before this route. */
	if (v->manual_failback && ev->u.route.cause == CAUSE_AUTO &&
	    ev->u.route.from[0] != '\0' &&
	    strcmp(ev->u.route.from, ev->u.route.to) != 0 &&
	    state_of(v, ev->u.route.from) == HEALTH_ONLINE &&
	    !engine_snapshot(v->e)->manual_override)
		v->bad++;
}

static void
check_snapshot(const Profile *p, const Snapshot *s)
{
	int online = 0, checking = 0, enabled = 0, to = -1;

	for (int i = 0; i < s->nendpoints; i++) {
		HealthState st = s->endpoints[i].state;

		online += st == HEALTH_ONLINE;
		checking += st == HEALTH_CHECKING;
		enabled += st != HEALTH_DISABLED;
		if (strcmp(p->endpoints[i].name, s->route_to) == 0)
			to = i;
	}
	if (!s->routed)
		return;
	assert_true(to >= 0);
	if (s->manual_override || enabled == 0)
		return;
	assert_int_not_equal(s->endpoints[to].state, HEALTH_DISABLED);
	if (online > 0)
		assert_int_equal(s->endpoints[to].state, HEALTH_ONLINE);
	assert_int_equal(s->fail_open, online == 0 && checking == 0);
}

static void
test_invariants_random(void **state)
{
	static const struct {
		RouteMethod method;
		bool failback_auto;
	} cases[] = {
	    {ROUTE_PRIORITY, false},
	    {ROUTE_PRIORITY, true},
	    {ROUTE_WEIGHTED, false},
	    {ROUTE_PERFORMANCE, true},
	};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
		Profile *p = mkprof(4);
		Inv v = {0};
		EventSink sink = {inv_sink, &v};
		uint32_t seed = 7 + (uint32_t)k;
		double t = 0;
		char err[128];

		p->routing.method = cases[k].method;
		p->routing.failback_auto = cases[k].failback_auto;
		p->routing.hold_down = 15;
		p->endpoints[3].disabled = true;
		v.p = p;
		v.e = engine_new(p);
		v.manual_failback = cases[k].method == ROUTE_PRIORITY &&
		    !cases[k].failback_auto;
		for (int i = 0; i < 20000; i++) {
			uint32_t r = lcg(&seed);
			const char *name = names[lcg(&seed) % 5];
			Event ev;

			t += (lcg(&seed) % 3000) / 1000.0;
			switch (r % 20) {
			case 0:
				v.by_operator = true;
				engine_route_manual(v.e, t,
				    r & 64 ? name : NULL,
				    r & 128 ? CAUSE_MANUAL : CAUSE_FAILBACK,
				    &sink, r & 256 ? err : NULL, sizeof(err));
				v.by_operator = false;
				break;
			case 1:
				engine_set_disabled(
				    v.e, t, name, r & 64, &sink);
				break;
			case 2:
				engine_tick(v.e, r & 64 ? t - 5 : t, &sink);
				break;
			default:
				event_init(&ev, EV_PROBE, r & 1024 ? t - 1 : t);
				str_copy(ev.u.probe.endpoint,
				    sizeof(ev.u.probe.endpoint), name);
				ev.u.probe.ok = lcg(&seed) % 3 != 0;
				ev.u.probe.error =
				    ev.u.probe.ok ? PERR_NONE : PERR_RESET;
				ev.u.probe.ms.total = lcg(&seed) % 200;
				engine_feed(v.e, &ev, &sink);
				break;
			}
			check_snapshot(p, engine_snapshot(v.e));
		}
		assert_int_equal(v.bad, 0);
		assert_true(v.routes > 50);
		engine_free(v.e);
		freeprof(p);
	}
}

static void
test_degenerate_profiles(void **state)
{
	Profile *p = mkprof(1);
	Fx f;
	Event ev;

	(void)state;
	/* No endpoints at all: nothing to route, nothing breaks. */
	p->nendpoints = 0;
	fx_start(&f, p);
	tick(&f, 100);
	probe(&f, 101, "eu20", false);
	assert_false(snap(&f)->routed);
	assert_int_equal(f.nout, 1);
	p->nendpoints = 1;
	fx_end(&f);

	/* One endpoint; odd times. */
	fx_start(&f, mkprof(1));
	probe(&f, -5, "eu20", true);
	assert_true(f.out[0].t == 0);
	assert_route(last(&f, EV_ROUTE), 0, "", "eu20", CAUSE_AUTO, false);
	event_init(&ev, EV_MARKER, 0.0 / 0.0);
	engine_feed(f.e, &ev, &f.sink);
	assert_true(f.out[f.nout - 1].t == 0);
	probe(&f, 1, "eu20", false);
	assert_route(last(&f, EV_ROUTE), 1, "eu20", "eu20", CAUSE_AUTO, true);
	engine_set_disabled(f.e, 2, "eu20", true, &f.sink);
	assert_string_equal(snap(&f)->route_to, "eu20");
	assert_non_null(strstr(snap(&f)->recommendation, "no endpoint"));
	engine_set_disabled(f.e, 3, "nope", true, &f.sink);
	/* Absurd timings are kept, clamped, never undefined. */
	probe_ms(&f, 4, "eu20", true, 200, 1e300);
	{
		const EndpointSnap *es = &snap(&f)->endpoints[0];
		const ProbeMark *m =
		    &es->history[(es->hist_start + es->hist_len - 1) %
		        SNAP_HISTORY];

		assert_true(m->total_ms == 1e30f);
		assert_true(es->median_ms > 1e299); /* (20 + 1e300) / 2 */
	}
	fx_end(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_reasons),
	    cmocka_unit_test(test_degraded_exact_probe),
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
	    cmocka_unit_test(test_traffic_through_engine),
	    cmocka_unit_test(test_manual_manager),
	    cmocka_unit_test(test_manual_manager_without_dns_answer),
	    cmocka_unit_test(test_automatic_dns_never_moves),
	    cmocka_unit_test(test_pass_through_and_time),
	    cmocka_unit_test(test_snapshot_history),
	    cmocka_unit_test(test_determinism),
	    cmocka_unit_test(test_invariants_random),
	    cmocka_unit_test(test_degenerate_profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
