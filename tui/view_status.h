/*
 * view_status: the two bottom rows. The status line: service, mode
 * (LIVE or DEMO), wall clock, probes in flight, queue overflow when any,
 * FAIL-OPEN, a running action, a transient message, then the recording
 * file's name (the recommendation banner is in the endpoint list's
 * title). The key bar below is generated from the key table
 * of the current context.
 */
#ifndef DRTOP_VIEW_STATUS_H
#define DRTOP_VIEW_STATUS_H

#include "view.h"

extern const ViewOps view_status_ops;

#endif
