#include "view_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landmask.h"
#include "text.h"
#include "truth.h"

/* braille dot bits by (dx, dy) in a 2 x 4 cell */
static const unsigned braille_bit[4][2] = {
    {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};

void
view_map_canvas(
    int rows, int cols, bool utf8, const Glyphs *g, char (*cells)[5])
{
	double dlon = 360.0 / (cols * 2);
	double dlat = (LANDMASK_LAT_TOP - LANDMASK_LAT_BOTTOM) / (rows * 4);

	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			char *out = cells[r * cols + c];
			if (!utf8) {
				double lat0 = LANDMASK_LAT_TOP - r * 4 * dlat;
				double lon0 = -180.0 + c * 2 * dlon;
				double cov = landmask_coverage(lat0, lon0,
				    lat0 - 4 * dlat, lon0 + 2 * dlon);
				snprintf(
				    out, 5, "%s", cov >= 0.3 ? g->land : " ");
				continue;
			}
			unsigned bits = 0;
			for (int dy = 0; dy < 4; dy++)
				for (int dx = 0; dx < 2; dx++) {
					double lat0 = LANDMASK_LAT_TOP -
					    (r * 4 + dy) * dlat;
					double lon0 =
					    -180.0 + (c * 2 + dx) * dlon;
					if (landmask_coverage(lat0, lon0,
					        lat0 - dlat,
					        lon0 + dlon) >= 0.4)
						bits |= braille_bit[dy][dx];
				}
			if (bits == 0) {
				snprintf(out, 5, " ");
				continue;
			}
			unsigned cp = 0x2800 + bits;
			out[0] = (char)(0xe0 | (cp >> 12));
			out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[2] = (char)(0x80 | (cp & 0x3f));
			out[3] = '\0';
		}
}

void
view_map_cell(double lat, double lon, int rows, int cols, int *row, int *col)
{
	int x, y;

	landmask_project(lat, lon, cols * 2, rows * 4, &x, &y);
	*row = y / 4;
	*col = x / 2;
}

void
view_map_prepare(MapCanvas *mc, const UiState *u, int h, int w)
{
	int rows = h - 1, cols = w;

	if (u->layout->map_schematic || rows <= 0 || cols <= 0)
		return;
	if (mc->cells && mc->rows == rows && mc->cols == cols &&
	    mc->utf8 == u->g->utf8)
		return;
	free(mc->cells);
	mc->cells = xcalloc((size_t)rows * cols, sizeof(*mc->cells));
	mc->rows = rows;
	mc->cols = cols;
	mc->utf8 = u->g->utf8;
	view_map_canvas(rows, cols, u->g->utf8, u->g, mc->cells);
}

void
view_map_canvas_free(MapCanvas *mc)
{
	free(mc->cells);
	memset(mc, 0, sizeof(*mc));
}

/* The endpoint traffic is observed to go to (the expected route when
 * DNS is not observed): marked with the target glyph. */
static bool
is_target(const UiState *u, const char *name)
{
	const char *t = truth_target(u->snap);

	return t != NULL && strcmp(t, name) == 0;
}

/* The expected route where DNS answers another endpoint: its own mark,
 * so the map never shows expected traffic as traffic. */
static bool
is_expected(const UiState *u, const char *name)
{
	const char *e = truth_expected_apart(u->snap);

	return e != NULL && strcmp(e, name) == 0;
}

static const char *
mark_of(const UiState *u, const char *name)
{
	return is_target(u, name)  ? u->g->target
	    : is_expected(u, name) ? u->g->expected
	                           : u->g->marker;
}

/* "eu20 ONLINE 75%"; without the share when short. */
static void
label_short(const UiState *u, int i, bool share, char *buf, size_t cap)
{
	const Endpoint *ep = &u->profile->endpoints[i];
	const EndpointSnap *es = &u->snap->endpoints[i];

	if (share && u->profile->routing.method == ROUTE_WEIGHTED &&
	    es->share > 0)
		snprintf(buf, cap, "%s %s %.0f%%", ep->name,
		    view_state_word(es->state), es->share * 100.0);
	else
		snprintf(
		    buf, cap, "%s %s", ep->name, view_state_word(es->state));
}

static void
label_of(const UiState *u, int i, char *buf, size_t cap)
{
	label_short(u, i, true, buf, cap);
}

static void
draw_markers(WINDOW *w, const UiState *u, int rows, int cols)
{
	/* occupied label cells, so labels do not overwrite each other */
	unsigned char *used = xcalloc((size_t)rows * cols, 1);
	int n = u->snap->nendpoints;

	/* every mark's cell first: no label covers another region's mark */
	for (int i = 0; i < n; i++) {
		const Endpoint *ep = &u->profile->endpoints[i];
		int r, c;

		if (!ep->has_pos)
			continue;
		view_map_cell(ep->lat, ep->lon, rows, cols, &r, &c);
		used[r * cols + c] = 1;
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			const Endpoint *ep = &u->profile->endpoints[i];
			const EndpointSnap *es = &u->snap->endpoints[i];
			bool tgt = is_target(u, ep->name);
			char label[96];
			int r, c, lw, lx = -1, ly = -1;

			/* the traffic target is placed last, on top */
			if (!ep->has_pos || (pass == 0) == tgt)
				continue;
			view_map_cell(ep->lat, ep->lon, rows, cols, &r, &c);
			label_of(u, i, label, sizeof(label));
			lw = text_width(label);
			/* one blank between the mark and the label: an
			 * ASCII mark ("o") would run into the name */
			int tries[][2] = {{r, c + 2}, {r, c - lw - 1},
			    {r - 1, c + 1}, {r + 1, c + 1}, {r - 1, c - lw},
			    {r + 1, c - lw}};
			for (size_t k = 0; k < ARRAY_LEN(tries) && lx < 0;
			     k++) {
				int ty = tries[k][0], tx = tries[k][1];
				bool ok = ty >= 0 && ty < rows && tx >= 0 &&
				    tx + lw <= cols;
				for (int q = 0; ok && q < lw; q++)
					if (used[ty * cols + tx + q])
						ok = false;
				if (ok)
					lx = tx, ly = ty;
			}
			if (lx < 0) {
				/* no free place: clip to the right edge */
				ly = r;
				lx = c + 2 < cols ? c + 2 : c;
			}
			Role sr = view_state_role(es->state);
			text_put(w, 1 + r, c, 1, 0,
			    theme_attr(u->theme,
			        tgt                            ? ROLE_TARGET
			            : is_expected(u, ep->name) ? ROLE_CHANGE
			                                       : sr),
			    NULL, mark_of(u, ep->name));
			/* the blank between mark and label, over the land */
			if (ly == r && lx == c + 2)
				text_put(
				    w, 1 + r, c + 1, 1, 1, A_NORMAL, NULL, "");
			if (ly == r && lx + lw + 1 == c)
				text_put(
				    w, 1 + r, c - 1, 1, 1, A_NORMAL, NULL, "");
			int x = lx;
			x += text_put(w, 1 + ly, x, cols - x, 0,
			    theme_attr(
			        u->theme, tgt ? ROLE_TARGET : ROLE_MARKER),
			    NULL, ep->name);
			if (x < cols)
				text_put(w, 1 + ly, x, cols - x, 0,
				    theme_attr(u->theme, sr), NULL,
				    label + strlen(ep->name));
			for (int q = 0; q < lw + 1 && lx + q < cols; q++)
				used[ly * cols + lx + q] = 1;
		}
	free(used);
}

/* Region boxes in a row, west to east. */
static void
draw_schematic(WINDOW *w, const UiState *u, int rows, int cols)
{
	int n = u->snap->nendpoints;
	int *order = xcalloc((size_t)(n > 0 ? n : 1), sizeof(int));
	int x = 1;
	int y = rows >= 3 ? 1 + (rows - 3) / 2 : 1;

	for (int i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort by longitude; endpoints without one go last */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			const Endpoint *a =
			    &u->profile->endpoints[order[j - 1]];
			const Endpoint *b = &u->profile->endpoints[order[j]];
			double la = a->has_pos ? a->lon : 1e9;
			double lb = b->has_pos ? b->lon : 1e9;
			if (la <= lb)
				break;
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* shares only when every box fits with them */
	bool share = true;
	int need = 1;
	for (int k = 0; k < n; k++) {
		char label[96];
		label_short(u, order[k], true, label, sizeof(label));
		need += text_width(label) + 2 + 3;
	}
	if (need > cols)
		share = false;
	for (int k = 0; k < n && x < cols; k++) {
		int i = order[k];
		const Endpoint *ep = &u->profile->endpoints[i];
		bool tgt = is_target(u, ep->name);
		char label[96], inner[128];
		label_short(u, i, share, label, sizeof(label));
		snprintf(
		    inner, sizeof(inner), "%s %s", mark_of(u, ep->name), label);
		int iw = text_width(inner);
		if (x + iw + 2 > cols) {
			/* say how many did not fit */
			char more[32];
			snprintf(more, sizeof(more), "+%d", n - k);
			text_put(w, rows >= 3 ? y + 1 : 1,
			    x + 4 <= cols ? x : cols - 4, 4, 0,
			    theme_attr(u->theme, ROLE_DIM), NULL, more);
			break;
		}
		attr_t a = theme_attr(u->theme,
		    tgt ? ROLE_TARGET
		        : view_state_role(u->snap->endpoints[i].state));
		attr_t b = theme_attr(u->theme, ROLE_BORDER);
		if (rows >= 3) {
			wmove(w, y, x);
			wattr_set(w, b & ~A_COLOR, (short)PAIR_NUMBER(b), NULL);
			waddstr(w, u->g->corner_tl);
			for (int q = 0; q < iw; q++)
				waddstr(w, u->g->hline);
			waddstr(w, u->g->corner_tr);
			mvwaddstr(w, y + 1, x, u->g->vline);
			mvwaddstr(w, y + 1, x + iw + 1, u->g->vline);
			wmove(w, y + 2, x);
			waddstr(w, u->g->corner_bl);
			for (int q = 0; q < iw; q++)
				waddstr(w, u->g->hline);
			waddstr(w, u->g->corner_br);
			wattr_set(w, A_NORMAL, 0, NULL);
			text_put(w, y + 1, x + 1, iw, 0, a, NULL, inner);
		} else {
			text_put(w, 1, x, 1, 0,
			    theme_attr(u->theme, ROLE_BORDER), NULL, "[");
			text_put(w, 1, x + 1, iw, 0, a, NULL, inner);
			text_put(w, 1, x + 1 + iw, 1, 0,
			    theme_attr(u->theme, ROLE_BORDER), NULL, "]");
		}
		x += iw + 3;
	}
	free(order);
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int rows = getmaxy(w) - 1, cols = getmaxx(w);

	(void)full;
	/* the map's title is the traffic line: observed, and expected when
	 * it differs (tui/truth) */
	view_title_truth(w, u, NULL);
	if (rows <= 0 || cols <= 0)
		return;
	if (u->layout->map_schematic) {
		view_clear_rows(w, 1);
		draw_schematic(w, u, rows, cols);
		return;
	}
	const MapCanvas *mc = u->map_canvas;
	if (mc == NULL || mc->cells == NULL || mc->rows != rows ||
	    mc->cols != cols)
		return; /* view_map_prepare() was not called for w */
	attr_t land = theme_attr(u->theme, ROLE_LAND);
	for (int r = 0; r < rows; r++) {
		wmove(w, 1 + r, 0);
		wattr_set(w, land & ~A_COLOR, (short)PAIR_NUMBER(land), NULL);
		for (int c = 0; c < cols; c++)
			waddstr(w, mc->cells[r * cols + c]);
	}
	wattr_set(w, A_NORMAL, 0, NULL);
	draw_markers(w, u, rows, cols);
}

const ViewOps view_map_ops = {.draw = draw, .key = NULL};
