/*
 * layout: the one function that turns the terminal size into every
 * pane's rectangle. Pure arithmetic (no curses), so it is unit-tested at
 * many sizes. Every pane's rectangle includes its one-line title row.
 *
 *   +----------------------------+-----------------+
 *   | map (or region schematic)  | DNS / TTL       |
 *   +----------------------------+-----------------+
 *   | endpoints                                    |
 *   | probe timeline                               |
 *   | event log                                    |
 *   | status line + key bar                        |
 *   +----------------------------------------------+
 */
#ifndef DRTOP_LAYOUT_H
#define DRTOP_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_LINES 24
#define LAYOUT_MIN_COLS 80

typedef struct {
	int y, x, h, w;
} Rect;

typedef enum {
	PANE_MAP,
	PANE_TTL,
	PANE_ENDPOINTS,
	PANE_TIMELINE,
	PANE_EVENTS,
	PANE_STATUS,
	PANE__COUNT
} PaneId;

typedef struct {
	int lines, cols;
	bool too_small; /* below 80x24: only the too-small screen */
	bool map_schematic; /* map area too small: a row of region boxes */
	int endpoint_rows; /* endpoint rows visible in the list/timeline */
	Rect pane[PANE__COUNT];
} Layout;

/* Compute every rectangle for a lines x cols terminal showing
 * nendpoints endpoints. Panes tile the screen without overlap. */
void layout_compute(Layout *l, int lines, int cols, int nendpoints);

/* A dialog of at most h x w, centred and clipped to the screen with a
 * margin of one cell. */
Rect layout_dialog(const Layout *l, int h, int w);

/* True when r lies inside the screen and has a positive size. */
bool layout_rect_ok(const Layout *l, Rect r);

#endif
