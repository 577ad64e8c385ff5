/*
 * view_events: the event log pane: health, route, DNS changes,
 * convergence, actions, drill phases, markers and errors with their
 * times, newest at the bottom, scrollable (End follows again). Probe
 * results are not listed (the timeline shows them); a DNS answer is
 * listed only when it differs from that resolver's previous one.
 */
#ifndef DRTOP_VIEW_EVENTS_H
#define DRTOP_VIEW_EVENTS_H

#include "view.h"

#define EVLOG_LINES 2000

extern const ViewOps view_events_ops;

/* Take in one event (the engine's sink calls this). Returns true when a
 * line was added. */
bool view_events_add(const UiState *u, const Event *ev);

/* Format ev as one log line (without the time) and its role; false
 * when ev is not listed. Exposed for tests. */
bool view_events_format(
    const Glyphs *g, const Event *ev, char *buf, size_t cap, Role *role);

/* Lines held, and line i (0 = oldest) for tests. */
int view_events_count(void);
const char *view_events_line(int i);

/* Drop every line (tests, new session). */
void view_events_clear(void);

#endif
