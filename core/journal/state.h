/*
 * state: the `state` line of a drill log. A drill can start long after
 * the session did; the line right after its session header holds the
 * engine's state at the drill's start (health and counters per endpoint,
 * the expected route, per-resolver answers), so that a replay of the
 * drill log derives the same events as the live engine did, and a report
 * knows where traffic went before the first event of the log.
 *
 *   {"type":"state","t":12.5,"now":12.5,"endpoints":[...],
 *    "route":{...},"traffic":{...}}
 *
 * Numbers are written exactly (they read back bit for bit). One owner;
 * no I/O.
 */
#ifndef DRTOP_STATE_H
#define DRTOP_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine_state.h"

/* The line for st at session time t: malloc'd, ending in '\n'. */
char *state_line(const EngineState *st, double t);

/* The line for engine e as it is now, at session time t. */
char *state_line_of(const Engine *e, double t);

/* True when the JSON object text (len bytes) is a `state` line: its
 * "type" is "state". Cheap: for readers deciding what a line is. */
bool state_is_line(const char *line, size_t len);

/*
 * Parse a `state` line into st (free with engine_state_fini). Returns 0,
 * or -1 with err ("state: ...") when it is not a state line of this
 * version or a field has the wrong type.
 */
int state_parse(
    const char *line, size_t len, EngineState *st, char *err, size_t cap);

#endif
