/*
 * view_failover: the failover (and failback) confirmation. It shows the
 * route change and every argument of every step of the action that will
 * run, one argument per line, wrapped and never truncated: the operator
 * must see exactly what runs. The operator types the target endpoint's
 * name; Enter runs it, Esc cancels; Up/Down scroll a long runbook.
 */
#ifndef DRTOP_VIEW_FAILOVER_H
#define DRTOP_VIEW_FAILOVER_H

#include "view.h"

extern const ViewOps view_failover_ops;

/* The dialog's text, wrapped to width columns: writes up to max lines
 * of 256 bytes; returns the count. Exposed for tests. */
int view_failover_lines(
    const UiState *u, int width, char (*lines)[256], int max);

/* True when the typed text is the target endpoint's name. */
bool view_failover_matches(const UiState *u);

#endif
