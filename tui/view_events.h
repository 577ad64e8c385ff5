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

/* One line of the log: "HH:MM:SS  text" and the event's role. */
typedef struct {
	char text[200];
	Role role;
} EventLogLine;

/*
 * The event log's lines, oldest first in a ring, and the last DNS answer
 * per resolver (a DNS event is listed only when it differs). The console
 * owns it (tui/app) and writes it only through view_events_add() and
 * view_events_clear(); the view draws it read-only through
 * UiState.events. Main thread only.
 */
struct EventLog {
	EventLogLine lines[EVLOG_LINES];
	int start, len;
	struct {
		char resolver[EV_RESOLVER_MAX];
		char endpoint[EV_NAME_MAX];
		char rcode[16];
	} dns[PROFILE_MAX_RESOLVERS];
	int ndns;
};

extern const ViewOps view_events_ops;

/*
 * Take in one event (the engine's sink calls this): a line is added to
 * lg when ev is listed (u gives the glyphs and the clock); an operator
 * scrolled up (u->events_scroll) keeps their place. Returns true when a
 * line was added.
 */
bool view_events_add(EventLog *lg, UiState *u, const Event *ev);

/* Format ev as one log line (without the time) and its role; false
 * when ev is never listed (probe results). Exposed for tests. */
bool view_events_format(
    const Glyphs *g, const Event *ev, char *buf, size_t cap, Role *role);

/* Drop every line and DNS answer, and follow the end again (a new
 * session, a replay that starts over). */
void view_events_clear(EventLog *lg, UiState *u);

#endif
