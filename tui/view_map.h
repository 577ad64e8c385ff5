/*
 * view_map: the region map. A braille world map (UTF-8) or ASCII dots
 * from the land mask, each endpoint with a position as a marker with
 * its name and state word (with its share under weighted routing). The
 * endpoint DNS is observed to answer has the target mark, the expected
 * route where it differs its own mark (tui/truth); the title row is the
 * traffic line (view_title_truth). When the pane is too small for a map
 * (layout.map_schematic) a row of region boxes replaces it.
 */
#ifndef DRTOP_VIEW_MAP_H
#define DRTOP_VIEW_MAP_H

#include "view.h"

extern const ViewOps view_map_ops;

/*
 * The land canvas the map draws, made once per size and glyph set: the
 * console owns it (tui/app), view_map_prepare() fills it before the map
 * pane is drawn, the view reads it through UiState.map_canvas.
 */
struct MapCanvas {
	int rows, cols;
	bool utf8;
	char (*cells)[5];
};

/* Make mc fit a map pane h x w (title row included) in u's glyphs; a
 * no-op when it already does, or for the schematic. */
void view_map_prepare(MapCanvas *mc, const UiState *u, int h, int w);

/* Free what mc holds; it is empty again. */
void view_map_canvas_free(MapCanvas *mc);

/*
 * The land canvas of a rows x cols cell map, one UTF-8 string per cell
 * (braille in UTF-8, "." or " " in ASCII) written into cells (rows *
 * cols entries of 4 bytes + NUL). Exposed for tests.
 */
void view_map_canvas(
    int rows, int cols, bool utf8, const Glyphs *g, char (*cells)[5]);

/* The cell (row, col) of (lat, lon) on a rows x cols cell map. */
void view_map_cell(
    double lat, double lon, int rows, int cols, int *row, int *col);

#endif
