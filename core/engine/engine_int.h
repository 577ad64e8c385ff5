/*
 * engine_int: the Engine's insides, shared by the files of the engine
 * (engine.c: lifecycle, health and the public feed; engine_route.c:
 * routes and recommendations; engine_state.c: the state as data). Not
 * for anyone else: the rest of drtop uses engine.h.
 */
#ifndef DRTOP_ENGINE_INT_H
#define DRTOP_ENGINE_INT_H

#include "engine/engine.h"
#include "engine/health.h"
#include "engine/routing.h"
#include "engine/traffic.h"

#define PERF_WINDOW 8 /* successful probes behind the latency median */
#define TIME_EPS 1e-9

typedef struct {
	double ms[PERF_WINDOW]; /* ring of recent successful totals */
	int len, pos;
} Recent;

struct Engine {
	const Profile *p;
	int n;
	Snapshot snap;
	Health *health;
	Recent *recent;
	RouteInput *rin;
	double *shares; /* last emitted share per endpoint */
	double *tmp_shares;
	int *slots; /* name hash -> index + 1; 0 = empty */
	unsigned nslots;
	RouteRules rules;
	int current; /* route target index; -1 before the first route */
	bool manual; /* an operator's route is in force */
	int failed_from; /* endpoint the last auto route left; -1 */
	double first_deadline; /* latest t for the first route */
	double due; /* next t a hold_down may change the route; < 0 none */
	bool need_route; /* something routing depends on changed */
	bool dirty; /* something changed in this call */
	bool manual_manager; /* routing.manager manual */
	bool action_busy; /* an action started and has no outcome yet */
	bool dns_moved; /* observed traffic changed since the last look */
	TrafficModel traffic;
	Recent public_recent; /* the client's-eye probe's latencies */
};

/* Index of the endpoint named name, or -1 (a hash lookup). */
int eng_find(const Engine *e, const char *name);
/* Endpoint i's name; "" for -1. */
const char *eng_name(const Engine *e, int i);
/* Pass ev to sink; anything but a probe or dns marks the call dirty. */
void eng_emit(Engine *e, const EventSink *sink, const Event *ev);
/* Set the banner's recommendation (text, key, the endpoints it names). */
void eng_recommend(Engine *e, char key, int from, int to, const char *text);
/* Mirror the traffic model into the snapshot. */
void eng_sync_traffic(Engine *e);
/* The latency median of a ring (-1 when empty). */
double eng_median(const Recent *r);
/* Recompute the recommendation from the state as it is, routing
 * nothing (engine_route.c). */
void eng_recommend_now(Engine *e);
/* Run whatever is due at t (engine_route.c). */
void eng_settle(Engine *e, double t, const EventSink *sink);
/* t rounded to the microsecond, never before the engine's time. */
double eng_advance(Engine *e, double t);

#endif
