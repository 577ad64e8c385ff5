#include "layout.h"

#include <string.h>

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void
layout_compute(Layout *l, int lines, int cols, int nendpoints)
{
	int n = nendpoints < 1 ? 1 : nendpoints;
	int ep_rows = n, tl_rows = n;
	int body, ep_h, tl_h, rest, ev_h, top_h, ttl_w, map_w;

	memset(l, 0, sizeof(*l));
	l->lines = lines;
	l->cols = cols;
	if (lines < LAYOUT_MIN_LINES || cols < LAYOUT_MIN_COLS) {
		l->too_small = true;
		return;
	}
	body = lines - 2; /* the status line and the key bar */
	/* the endpoint list and timeline shrink (and scroll) until the map
	 * keeps 3 rows and the event log 2 */
	while (4 + 3 + (2 + ep_rows) + (2 + tl_rows) > body &&
	    (ep_rows > 1 || tl_rows > 1)) {
		if (tl_rows >= ep_rows && tl_rows > 1)
			tl_rows--;
		else
			ep_rows--;
	}
	l->endpoint_rows = ep_rows < tl_rows ? ep_rows : tl_rows;
	ep_h = 2 + ep_rows;
	tl_h = 2 + tl_rows;
	rest = body - ep_h - tl_h;
	/* the DNS panel keeps 35 columns of text at 80: a resolver's row
	 * with its state; the map keeps 44, the traffic line in its title */
	ttl_w = clampi(cols * 35 / 100, 36, 64);
	map_w = cols - ttl_w;
	ev_h = rest * 2 / 5;
	if (ev_h < 3)
		ev_h = 3;
	top_h = rest - ev_h;
	/* a taller map than its width calls for only stretches the world */
	if (top_h > 1 + map_w / 5) {
		top_h = 1 + map_w / 5;
		ev_h = rest - top_h;
	}
	if (top_h < 4) {
		top_h = 4;
		ev_h = rest - top_h;
	}
	l->pane[PANE_MAP] = (Rect){0, 0, top_h, map_w};
	l->pane[PANE_TTL] = (Rect){0, map_w, top_h, ttl_w};
	l->pane[PANE_ENDPOINTS] = (Rect){top_h, 0, ep_h, cols};
	l->pane[PANE_TIMELINE] = (Rect){top_h + ep_h, 0, tl_h, cols};
	l->pane[PANE_EVENTS] = (Rect){top_h + ep_h + tl_h, 0, ev_h, cols};
	l->pane[PANE_STATUS] = (Rect){lines - 2, 0, 2, cols};
	l->map_schematic = top_h - 1 < 5 || map_w < 30;
}

Rect
layout_dialog(const Layout *l, int h, int w)
{
	Rect r;

	if (h > l->lines - 2)
		h = l->lines - 2;
	if (w > l->cols - 2)
		w = l->cols - 2;
	if (h < 1)
		h = 1;
	if (w < 1)
		w = 1;
	r.h = h;
	r.w = w;
	r.y = (l->lines - h) / 2;
	r.x = (l->cols - w) / 2;
	return r;
}

bool
layout_rect_ok(const Layout *l, Rect r)
{
	return r.h > 0 && r.w > 0 && r.y >= 0 && r.x >= 0 &&
	    r.y + r.h <= l->lines && r.x + r.w <= l->cols;
}
