/*
 * engine_state: the engine's state as plain data, so that a drill log
 * can begin with a `state` line (the engine as it was when the drill
 * started) and a replay of that log derives the same events as the live
 * run did. core/journal/state turns an EngineState into JSON and back;
 * this header only moves it in and out of an Engine. Pure, one owner.
 */
#ifndef DRTOP_ENGINE_STATE_H
#define DRTOP_ENGINE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/health.h"
#include "engine/traffic.h"

#define ENGINE_RECENT_MAX 8 /* successful latencies behind a median */

typedef struct {
	char name[EV_NAME_MAX];
	Health health;
	double state_since;
	int nrecent, recent_pos;
	double recent[ENGINE_RECENT_MAX];
	double share;
	uint64_t probes, failures; /* counters shown by the console */
	bool cert_known;
	int cert_days;
	char last_reason[EV_TEXT_MAX];
} EngineEndpointState;

typedef struct EngineState {
	double now;
	int n; /* endpoints, the profile's order */
	EngineEndpointState *endpoints; /* n entries, owned by the state */
	bool routed;
	char route_to[EV_NAME_MAX];
	char route_from[EV_NAME_MAX];
	RouteCause route_cause;
	double route_since;
	bool fail_open;
	bool manual; /* routes frozen (operator or manual manager) */
	bool manual_override;
	char failed_from[EV_NAME_MAX]; /* "" = none */
	double first_deadline;
	double due; /* < 0 = none */
	double failback_at;
	bool action_busy;
	bool dns_moved;
	bool has_public; /* client's-eye probes were seen */
	TrafficModel traffic;
} EngineState;

/* Fill st from e (st->endpoints is allocated: engine_state_fini). */
void engine_state_export(const Engine *e, EngineState *st);

/*
 * Replace e's state with st. The endpoints are matched by name (one the
 * profile does not have is an error; a profile endpoint the state does
 * not name keeps its fresh state). Returns 0, or -1 with err. No event
 * is emitted; the snapshot follows.
 */
int engine_state_import(
    Engine *e, const EngineState *st, char *err, size_t errcap);

/* Free what st owns. */
void engine_state_fini(EngineState *st);

#endif
