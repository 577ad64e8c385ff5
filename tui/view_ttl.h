/*
 * view_ttl: the DNS panel. Per resolver: the endpoint the name points at,
 * the TTL left and the last rcode (shown when it is not NOERROR);
 * after a route change the mm:ss countdown to the worst-case cache drain
 * with a progress bar, each resolver's convergence time as it happens,
 * and the snapshot's note about clients that cache beyond the TTL.
 */
#ifndef DRTOP_VIEW_TTL_H
#define DRTOP_VIEW_TTL_H

#include "view.h"

extern const ViewOps view_ttl_ops;

/* "mm:ss" of a duration in seconds (rounded up, never negative). */
void view_ttl_mmss(double secs, char *buf, size_t cap);

/* A bar of width cells, filled in proportion frac (0..1). */
void view_ttl_bar(
    const Glyphs *g, double frac, int width, char *buf, size_t cap);

#endif
