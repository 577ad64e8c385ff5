/*
 * view_failover: the failover (and failback) confirmation. It shows the
 * route change and every argument of every step of the action that will
 * run, one argument per line, wrapped and never truncated: the operator
 * must see exactly what runs, with both endpoints' state and latency,
 * the TTL and the expected client drain, and every warning that applies
 * (target not ONLINE, target is the current route, no action, an action
 * running: then it cannot confirm, all regions degraded). The operator
 * types the target endpoint's name; a target that is not ONLINE then
 * asks a second time (type yes). Enter runs it, Esc cancels; Up/Down
 * scroll a long runbook. It draws u->ff (tui/failflow: the state
 * machine holds the dialog's data and what was typed) read-only.
 */
#ifndef DRTOP_VIEW_FAILOVER_H
#define DRTOP_VIEW_FAILOVER_H

#include "failflow.h"
#include "view.h"

extern const ViewOps view_failover_ops;

/* The dialog's text, wrapped to width columns: writes up to max lines
 * of 256 bytes and returns the count; the last line is the prompt. With
 * lines NULL it only counts them (size the buffer with that: nothing
 * is ever capped). Exposed for tests. */
int view_failover_lines(
    const UiState *u, int width, char (*lines)[256], int max);

/* True when the target is ONLINE in the snapshot (or not in it): the
 * name alone confirms; otherwise the dialog asks for yes as well. */
bool view_failover_target_online(const UiState *u);

/* The target's state word, or "" when it is not in the snapshot. */
const char *view_failover_target_state(const UiState *u);

#endif
