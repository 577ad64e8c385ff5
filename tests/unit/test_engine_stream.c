/*
 * engine: random streams (the same stream gives byte-identical output;
 * invariants hold after every event) and degenerate profiles.
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
		const char *name = ep < 3 ? fx_names[ep] : "zz99";
		Event ev;

		t += (lcg(&seed) % 2000) / 1000.0;
		switch (r % 16) {
		case 0:
		case 1:
			event_init(&ev, EV_DNS, t);
			str_copy(ev.u.dns.resolver, sizeof(ev.u.dns.resolver),
			    r & 256 ? "system" : "127.0.0.1:5353");
			str_copy(ev.u.dns.endpoint, sizeof(ev.u.dns.endpoint),
			    ep < 3 ? fx_names[ep] : "");
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
		Profile *p = fx_prof(3);
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
		fx_prof_free(p);
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
		Profile *p = fx_prof(4);
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
			const char *name = fx_names[lcg(&seed) % 5];
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
		fx_prof_free(p);
	}
}

static void
test_degenerate_profiles(void **state)
{
	Profile *p = fx_prof(1);
	Fx f;
	Event ev;

	(void)state;
	/* No endpoints at all: nothing to route, nothing breaks. */
	p->nendpoints = 0;
	fx_start(&f, p);
	fx_tick(&f, 100);
	fx_probe(&f, 101, "eu20", false);
	assert_false(fx_snap(&f)->routed);
	assert_int_equal(f.nout, 1);
	p->nendpoints = 1;
	fx_end(&f);

	/* One endpoint; odd times. */
	fx_start(&f, fx_prof(1));
	fx_probe(&f, -5, "eu20", true);
	assert_true(f.out[0].t == 0);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 0, "", "eu20", CAUSE_AUTO, false);
	event_init(&ev, EV_MARKER, 0.0 / 0.0);
	engine_feed(f.e, &ev, &f.sink);
	assert_true(f.out[f.nout - 1].t == 0);
	fx_probe(&f, 1, "eu20", false);
	fx_assert_route(
	    fx_last(&f, EV_ROUTE), 1, "eu20", "eu20", CAUSE_AUTO, true);
	engine_set_disabled(f.e, 2, "eu20", true, &f.sink);
	assert_string_equal(fx_snap(&f)->route_to, "eu20");
	assert_non_null(strstr(fx_snap(&f)->recommendation, "no endpoint"));
	engine_set_disabled(f.e, 3, "nope", true, &f.sink);
	/* Absurd timings are kept, clamped, never undefined. */
	fx_probe_ms(&f, 4, "eu20", true, 200, 1e300);
	{
		const EndpointSnap *es = &fx_snap(&f)->endpoints[0];
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
	    cmocka_unit_test(test_determinism),
	    cmocka_unit_test(test_invariants_random),
	    cmocka_unit_test(test_degenerate_profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
