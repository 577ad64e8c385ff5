/*
 * view_action: the action panel. While an action (failover, failback,
 * a runbook) runs, the panel takes the map's place and shows its name,
 * step n/N and name, elapsed time and its live output lines; once it
 * ended, the result (exit status or signal, duration, last output lines)
 * until Esc hides it or the next action replaces it. A runbook whose
 * step failed shows which step and what it printed, and offers R (retry
 * the step) and A (abort the runbook); those keys are the failover
 * flow's (tui/failflow). Main thread only.
 */
#ifndef DRTOP_VIEW_ACTION_H
#define DRTOP_VIEW_ACTION_H

#include <stddef.h>

#include "view.h"

/* Draws into the map pane's window while u->act_show. */
extern const ViewOps view_action_ops;

/*
 * Copy r's status into u->act; show the panel when an action starts or
 * a step failed. Returns true when what the panel shows changed (the
 * caller repaints the map pane in full, and the key bar).
 */
bool view_action_update(UiState *u, ActionRunner *r);

/* The panel's text (after the title row), width columns wide: writes up
 * to max lines of 256 bytes; returns the count. Exposed for tests. */
int view_action_lines(const UiState *u, int width, char (*lines)[256], int max);

#endif
