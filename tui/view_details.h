/*
 * view_details: the Enter dialog for the selected endpoint: state and
 * counters, certificate days left, the effective monitor settings (header
 * names only: header values are secrets and never drawn), and the last
 * probes with their DNS / connect / TLS / first-byte / total breakdown
 * and served_by. For the client's-eye probe's row (`public`): what it is,
 * its resolver, which endpoint served it last, its monitor and probes.
 */
#ifndef DRTOP_VIEW_DETAILS_H
#define DRTOP_VIEW_DETAILS_H

#include "view.h"

extern const ViewOps view_details_ops;

/* The dialog's text for row idx (an endpoint, or view_row_is_public),
 * one line per entry; returns the count. Exposed for tests (no header
 * value may appear). */
int view_details_lines(const UiState *u, int idx, char (*lines)[160], int max);

#endif
