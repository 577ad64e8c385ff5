/*
 * view_ttl: the DNS panel: what each resolver answers, against the
 * expected route, and the change being drained (the snapshot's traffic
 * and resolvers; tui/truth words them).
 *
 *   - One row per resolver by its display name, `*` before an
 *     authoritative one; the endpoint it answers with a mark (expected
 *     route or not), the TTL left on its answer and its rcode. Its state
 *     follows on the same row, or on a second row when there is room for
 *     two per resolver. The state, the rcode and the TTL left are never
 *     cut: the name (then the endpoint) gives way first.
 *   - After a route change and before DNS moved (no resolver answers the
 *     new endpoint yet) the summary says the manager has not moved yet,
 *     with the time since the route change, and nothing counts down.
 *   - Once DNS moved, each resolver counts down to its own drain
 *     (drain_at: when its clients may no longer hold the old answer) and
 *     says converged (+Ns after the change), still answering the old
 *     endpoint, or DIVERGED; the summary counts down to the latest drain.
 *     "drained" (and a full bar) only once the change is no longer active,
 *     so never while a resolver still hands out the old endpoint.
 *   - The engine's note about caches it cannot see, when room allows.
 */
#ifndef DRTOP_VIEW_TTL_H
#define DRTOP_VIEW_TTL_H

#include "truth.h"
#include "view.h"

extern const ViewOps view_ttl_ops;

/* "mm:ss" of a duration in seconds (rounded up, never negative). */
void view_ttl_mmss(double secs, char *buf, size_t cap);

/* A bar of width cells, filled in proportion frac (0..1). */
void view_ttl_bar(
    const Glyphs *g, double frac, int width, char *buf, size_t cap);

#define VIEW_TTL_LINES_MAX 32

/*
 * The panel's text for a body of rows x width cells (below its title
 * row), one TruthLine per row, top first; returns how many rows it
 * fills. What the draw puts on screen; exposed for tests.
 */
int view_ttl_lines(const UiState *u, int width, int rows, TruthLine *out);

#endif
