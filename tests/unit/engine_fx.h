/*
 * The engine tests' fixture (tests/unit/engine_fx.c), shared by
 * test_engine.c, test_engine_route.c and test_engine_stream.c.
 */
#ifndef DRTOP_TEST_ENGINE_FX_H
#define DRTOP_TEST_ENGINE_FX_H

#include <stdbool.h>

#include "engine/engine.h"

typedef struct {
	Profile *p;
	Engine *e;
	Event *out;
	int nout, cap;
	EventSink sink;
} Fx;

/* The endpoints' names, in priority order. */
#define FX_NAMES 5
extern const char *const fx_names[FX_NAMES];

/* n endpoints (at most 5: eu20, us21, ap10, sa30, af40), priorities
 * 1..n, weight 1, interval 10, timeout 5, tolerated 0, rise 1; priority
 * routing, manual failback, hold_down 60; dns TTL 60 on two resolvers. */
Profile *fx_prof(int n);
void fx_prof_free(Profile *p);
/* f runs an engine on p (which it frees in fx_end()). */
void fx_start(Fx *f, Profile *p);
void fx_end(Fx *f);
const Snapshot *fx_snap(const Fx *f);
/* A probe result: ok, a status failure (status > 0) or a timeout. */
void fx_probe_ms(
    Fx *f, double t, const char *name, bool ok, int status, double ms);
void fx_probe(Fx *f, double t, const char *name, bool ok);
void fx_dns(
    Fx *f, double t, const char *resolver, const char *endpoint, int ttl);
void fx_tick(Fx *f, double t);
/* Number of events of type since output index `from`. */
int fx_count(const Fx *f, EventType type, int from);
/* The last event of type, or NULL. */
const Event *fx_last(const Fx *f, EventType type);
void fx_assert_route(const Event *ev, double t, const char *from,
    const char *to, RouteCause cause, bool fail_open);
/* Both endpoints of a two-endpoint profile online, first route to eu20. */
void fx_start_two(Fx *f, Profile *p);

#endif
