/*
 * view_endpoints: the endpoint list: name, region, state word, priority,
 * last result, latency, served_by (loud when another region answered),
 * the fault in --demo; the endpoint DNS answers marked, the expected route
 * marked apart while DNS answers another (tui/truth); then, when the
 * profile has one, the client's-eye probe's row (`public`: no health
 * state, served_by loud when it is not the expected route). The title
 * carries the first banner (view_banners: FAIL-OPEN, the engine's
 * recommendation "eu20 degraded: fail over to us21? press f", a diverged
 * resolver).
 */
#ifndef DRTOP_VIEW_ENDPOINTS_H
#define DRTOP_VIEW_ENDPOINTS_H

#include "view.h"

extern const ViewOps view_endpoints_ops;

/* First endpoint row shown so that selected is visible in rows rows. */
int view_endpoints_first(int selected, int n, int rows);

/* Move the selection for a navigation action; true when it moved. */
bool view_endpoints_select(UiState *u, KeyAction a);

#endif
