/*
 * view_timeline: the probe timeline, drawn like a chart recorder. Time
 * runs in slots of the shortest probe interval; column = slot mod width,
 * so a cursor sweeps left to right and overwrites the oldest column
 * instead of shifting every row: a cell is redrawn only when its content
 * changes. One row per endpoint, one cell per probe: ok probes as a
 * latency sparkline (height = latency), slow, failed and timed-out
 * probes by their own glyph and colour; the axis carries the cursor,
 * time labels and marks at health and route changes. The client's-eye
 * probe (`public`) has a row after the endpoints; a second banner
 * (view_banners) takes the legend's place in the title.
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

#define TL_MARKS_MAX 64

/*
 * What the timeline shows: one cell code per endpoint and column, the
 * slot each cell shows, which cells changed since the last draw, and
 * the axis's marks at health and route changes. The console owns it
 * (tui/app): view_timeline_mark() from the engine's sink,
 * view_timeline_update() before the pane is drawn,
 * view_timeline_drawn() after; the view draws it read-only through
 * UiState.timeline, repainting only the cells that changed. Zeroed, with
 * drawn_first = -1, it is empty. Main thread only.
 */
struct TimelineState {
	int n, width; /* endpoints, cell columns */
	uint8_t *cell; /* n * width codes */
	int64_t *slot; /* n * width: the slot each cell shows */
	uint8_t *changed; /* n * width: drawn since it changed? 0 = yes */
	double *last_t; /* n: newest probe time taken in */
	double *phase; /* n: where in a slot this endpoint's probes start;
	                  < 0 = not known yet */
	double slot_len;
	bool redraw; /* a new geometry: everything is drawn afresh */
	int drawn_first; /* the first endpoint row shown by the last draw */
	struct {
		int64_t slot;
		char kind;
	} marks[TL_MARKS_MAX];
	int nmarks, mark_next;
};

/* Note a health ('H') or route ('R') change at session time t (profile
 * p gives the slot length) for the axis. */
void view_timeline_mark(
    TimelineState *tl, const Profile *p, double t, char kind);

/*
 * Take in the snapshot's new probes (u->snap, at session time u->t) for
 * a pane cols columns wide, and blank the cells swept past without a
 * probe. A new width or endpoint count starts over from the snapshot's
 * probe history.
 */
void view_timeline_update(TimelineState *tl, const UiState *u, int cols);

/* The pane (h rows high) was drawn from tl: nothing is changed any
 * more. */
void view_timeline_drawn(TimelineState *tl, const UiState *u, int h);

/* Forget every cell and mark and free what tl holds (a new session, a
 * replay that starts over, the end). */
void view_timeline_reset(TimelineState *tl);

#endif
