/*
 * The engine tests' fixture: a hand-built profile (no core/profile), an
 * engine, every event it emits collected, and event builders.
 */
#include "engine_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "helpers.h"

const char *const fx_names[FX_NAMES] = {"eu20", "us21", "ap10", "sa30", "af40"};

/* n endpoints, priorities 1..n, weight 1, interval 10, timeout 5,
 * tolerated 0, rise 1; priority routing, manual failback, hold_down 60;
 * dns TTL 60 on two resolvers. */
Profile *
fx_prof(int n)
{
	Profile *p = xcalloc(1, sizeof(*p));

	assert_true(n <= (int)FX_NAMES);
	p->service = xstrdup("cpi-prod");
	p->nendpoints = n;
	p->endpoints = xcalloc(n, sizeof(Endpoint));
	for (int i = 0; i < n; i++) {
		Endpoint *ep = &p->endpoints[i];

		str_copy(ep->name, sizeof(ep->name), fx_names[i]);
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

void
fx_prof_free(Profile *p)
{
	for (int i = 0; i < p->dns.nresolvers; i++)
		free(p->dns.resolvers[i].addr), free(p->dns.resolvers[i].name);
	free(p->dns.name);
	free(p->endpoints);
	free(p->service);
	free(p);
}

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

void
fx_start(Fx *f, Profile *p)
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->e = engine_new(p);
	f->sink.fn = collect;
	f->sink.ctx = f;
}

void
fx_end(Fx *f)
{
	engine_free(f->e);
	fx_prof_free(f->p);
	free(f->out);
}

const Snapshot *
fx_snap(const Fx *f)
{
	return engine_snapshot(f->e);
}

/* A probe result: ok, a status failure (status > 0) or a timeout. */
void
fx_probe_ms(Fx *f, double t, const char *name, bool ok, int status, double ms)
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

void
fx_probe(Fx *f, double t, const char *name, bool ok)
{
	fx_probe_ms(f, t, name, ok, ok ? 200 : 500, 20);
}

void
fx_dns(Fx *f, double t, const char *resolver, const char *endpoint, int ttl)
{
	Event ev = th_dns(t, resolver, endpoint, ttl);

	engine_feed(f->e, &ev, &f->sink);
}

void
fx_tick(Fx *f, double t)
{
	engine_tick(f->e, t, &f->sink);
}

/* Number of events of type since output index `from`. */
int
fx_count(const Fx *f, EventType type, int from)
{
	int c = 0;

	for (int i = from; i < f->nout; i++)
		c += f->out[i].type == type;
	return c;
}

/* The last event of type, or NULL. */
const Event *
fx_last(const Fx *f, EventType type)
{
	for (int i = f->nout - 1; i >= 0; i--)
		if (f->out[i].type == type)
			return &f->out[i];
	return NULL;
}

void
fx_assert_route(const Event *ev, double t, const char *from, const char *to,
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
void
fx_start_two(Fx *f, Profile *p)
{
	fx_start(f, p);
	fx_probe(f, 1, "eu20", true);
	fx_probe(f, 2, "us21", true);
	fx_assert_route(fx_last(f, EV_ROUTE), 2, "", "eu20", CAUSE_AUTO, false);
}
