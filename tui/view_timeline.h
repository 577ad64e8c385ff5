/*
 * view_timeline: the probe timeline, drawn like a chart recorder. Time
 * runs in slots of the shortest probe interval; column = slot mod width,
 * so a cursor sweeps left to right and overwrites the oldest column
 * instead of shifting every row: a cell is redrawn only when its content
 * changes. One row per endpoint, one cell per probe: ok probes as a
 * latency sparkline (height = latency), slow, failed and timed-out
 * probes by their own glyph and colour; the axis carries the cursor,
 * time labels and marks at health and route changes.
 */
#ifndef DRTOP_VIEW_TIMELINE_H
#define DRTOP_VIEW_TIMELINE_H

#include "view.h"

extern const ViewOps view_timeline_ops;

/* Cell codes: 0 none, 1..GLYPH_SPARK_LEVELS ok by latency level. */
#define TL_SLOW (GLYPH_SPARK_LEVELS + 1)
#define TL_TIMEOUT (GLYPH_SPARK_LEVELS + 2)
#define TL_FAIL (GLYPH_SPARK_LEVELS + 3)

/* The cell code of one probe (worse codes are larger). */
int view_timeline_code(const ProbeMark *m, const Monitor *mon);

/* Slot length in seconds for profile p. */
double view_timeline_slot(const Profile *p);

/* Note a health ('H') or route ('R') change at time t for the axis. */
void view_timeline_mark(double t, char kind);

/* Forget everything (a new session, or a full repaint). */
void view_timeline_reset(void);

#endif
