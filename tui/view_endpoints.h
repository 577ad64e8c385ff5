/*
 * view_endpoints: the endpoint list: name, region, state word, priority,
 * last result, latency, served_by (loud when another region answered),
 * the fault in --demo, the endpoint receiving traffic marked, FAIL-OPEN
 * shown loudly in the title when every endpoint is degraded, and the
 * engine's recommendation
 * ("eu20 degraded: fail over to us21? press f") as a banner there.
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
