#include "view_timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define TICK_EVERY 10

void
view_timeline_reset(TimelineState *tl)
{
	free(tl->cell);
	free(tl->slot);
	free(tl->last_t);
	free(tl->phase);
	free(tl->changed);
	memset(tl, 0, sizeof(*tl));
	tl->drawn_first = -1;
}

double
view_timeline_slot(const Profile *p)
{
	double s = 0;

	for (int i = 0; i < p->nendpoints; i++) {
		double v = p->endpoints[i].monitor.interval;
		if (v > 0 && (s == 0 || v < s))
			s = v;
	}
	if (s < 0.5)
		s = s <= 0 ? 1.0 : 0.5;
	return s;
}

int
view_timeline_code(const ProbeMark *m, const Monitor *mon)
{
	double slow_ms = mon->timeout * 1000.0 * 0.5;

	if (!m->ok)
		return m->error == PERR_TIMEOUT ? TL_TIMEOUT : TL_FAIL;
	if (m->total_ms >= 0 && slow_ms > 0 && m->total_ms >= slow_ms)
		return TL_SLOW;
	if (m->total_ms < 0 || slow_ms <= 1)
		return 1;
	int lvl =
	    (int)(GLYPH_SPARK_LEVELS * log1p(m->total_ms) / log1p(slow_ms));
	if (lvl >= GLYPH_SPARK_LEVELS)
		lvl = GLYPH_SPARK_LEVELS - 1;
	if (lvl < 0)
		lvl = 0;
	return 1 + lvl;
}

void
view_timeline_mark(TimelineState *tl, const Profile *p, double t, char kind)
{
	double len = view_timeline_slot(p);

	tl->marks[tl->mark_next].slot = (int64_t)floor(t / len);
	tl->marks[tl->mark_next].kind = kind;
	tl->mark_next = (tl->mark_next + 1) % TL_MARKS_MAX;
	if (tl->nmarks < TL_MARKS_MAX)
		tl->nmarks++;
}

/* When the probe started: its slot does not move with latency. */
static double
probe_start(const ProbeMark *m, const Monitor *mon)
{
	double took = m->total_ms >= 0             ? m->total_ms / 1000.0
	    : (!m->ok && m->error == PERR_TIMEOUT) ? mon->timeout
	                                           : 0;
	return m->t - took;
}

static void
cell_glyph(const Glyphs *g, int code, const char **s, Role *r)
{
	if (code >= 1 && code <= GLYPH_SPARK_LEVELS) {
		*s = g->spark[code - 1];
		*r = ROLE_PROBE_OK;
	} else if (code == TL_SLOW) {
		*s = g->probe_slow;
		*r = ROLE_PROBE_SLOW;
	} else if (code == TL_TIMEOUT) {
		*s = g->probe_timeout;
		*r = ROLE_PROBE_TIMEOUT;
	} else if (code == TL_FAIL) {
		*s = g->probe_fail;
		*r = ROLE_PROBE_FAIL;
	} else {
		*s = g->probe_none;
		*r = ROLE_DEFAULT;
	}
}

/* Row i's probes and monitor: an endpoint's, or the client's-eye
 * probe's (view_row_is_public). */
static const EndpointSnap *
row_snap(const UiState *u, int i)
{
	return view_row_is_public(u, i) ? &u->snap->public_probe
	                                : &u->snap->endpoints[i];
}

static const Endpoint *
row_endpoint(const UiState *u, int i)
{
	return view_row_is_public(u, i) ? u->profile->public_ep
	                                : &u->profile->endpoints[i];
}

static int
label_width(const UiState *u, int cols)
{
	int w = u->profile->public_ep ? (int)strlen(EV_PUBLIC) : 4;

	for (int i = 0; i < u->profile->nendpoints; i++) {
		int n = text_width(u->profile->endpoints[i].name);
		if (n > w)
			w = n;
	}
	w += 7; /* " 1234ms" */
	if (w > cols / 4)
		w = cols / 4;
	return w + 1;
}

static void
put_cell(WINDOW *w, const UiState *u, int y, int x, int code)
{
	const char *s;
	Role r;

	cell_glyph(u->g, code, &s, &r);
	text_put(w, y, x, 1, 0, theme_attr(u->theme, r), NULL, s);
}

/* Take in row i's new probes; a cell that changes is marked. */
static void
take_probes(TimelineState *tl, const UiState *u, int i)
{
	const EndpointSnap *es = row_snap(u, i);
	const Monitor *mon = &row_endpoint(u, i)->monitor;
	int newest = es->hist_len - 1, k;
	double last = tl->last_t[i];

	/* walk back to the first probe not yet taken in */
	for (k = newest; k >= 0; k--) {
		const ProbeMark *m =
		    &es->history[(es->hist_start + k) % SNAP_HISTORY];
		if (m->t <= last)
			break;
	}
	for (k = k + 1; k <= newest; k++) {
		const ProbeMark *m =
		    &es->history[(es->hist_start + k) % SNAP_HISTORY];
		/* slot boundaries sit half a slot away from where this
		 * endpoint's probes usually start, so scheduling jitter
		 * never moves a probe into the next cell */
		double start = probe_start(m, mon);
		if (tl->phase[i] < 0)
			tl->phase[i] = fmod(start, tl->slot_len);
		int64_t s =
		    (int64_t)floor((start - tl->phase[i]) / tl->slot_len + 0.5);
		int c = (int)(((s % tl->width) + tl->width) % tl->width);
		size_t at = (size_t)i * tl->width + c;
		int code = view_timeline_code(m, mon);
		if (tl->slot[at] == s && tl->cell[at] > code)
			code = tl->cell[at]; /* the worse probe wins */
		tl->last_t[i] = m->t;
		if (tl->slot[at] == s && tl->cell[at] == code)
			continue;
		tl->slot[at] = s;
		tl->cell[at] = (uint8_t)code;
		tl->changed[at] = 1;
	}
}

/* The cell columns of a pane cols wide (the rest is the row labels). */
static int
cell_columns(const UiState *u, int cols)
{
	return cols - label_width(u, cols);
}

/* Session time t as a slot number. */
static int64_t
slot_of(const TimelineState *tl, double t)
{
	return (int64_t)floor(t / tl->slot_len);
}

/* Slots a probe may arrive late by: the longest timeout, and one. */
static int64_t
probe_lag(const TimelineState *tl, const Profile *p)
{
	double max_timeout = 0;

	for (int i = 0; i < p->nendpoints; i++)
		if (p->endpoints[i].monitor.timeout > max_timeout)
			max_timeout = p->endpoints[i].monitor.timeout;
	return (int64_t)ceil(max_timeout / tl->slot_len) + 1;
}

void
view_timeline_update(TimelineState *tl, const UiState *u, int cols)
{
	int n = view_rows(u);
	int width = cell_columns(u, cols);

	if (width < 1)
		return;
	tl->slot_len = view_timeline_slot(u->profile);
	if (tl->n != n || tl->width != width || tl->cell == NULL) {
		/* a new geometry: start over from the snapshot's history */
		free(tl->cell);
		free(tl->slot);
		free(tl->last_t);
		free(tl->phase);
		free(tl->changed);
		tl->n = n;
		tl->width = width;
		tl->cell = xcalloc((size_t)n * width + 1, 1);
		tl->changed = xcalloc((size_t)n * width + 1, 1);
		tl->slot = xcalloc((size_t)n * width + 1, sizeof(int64_t));
		tl->last_t = xcalloc((size_t)n + 1, sizeof(double));
		tl->phase = xcalloc((size_t)n + 1, sizeof(double));
		for (int i = 0; i < n * width; i++)
			tl->slot[i] = INT64_MIN;
		for (int i = 0; i < n; i++) {
			tl->last_t[i] = -1e300;
			tl->phase[i] = -1;
		}
		tl->redraw = true;
	}
	/* cells whose slot has been swept past without a probe; the
	 * previous sweep's cell stays until this sweep's probe could have
	 * arrived (lag), so an unchanged cell costs no output at all */
	int64_t oldest =
	    slot_of(tl, u->t) - width + 1 - probe_lag(tl, u->profile);
	for (int i = 0; i < n; i++) {
		take_probes(tl, u, i);
		for (int c = 0; c < width; c++) {
			size_t at = (size_t)i * width + c;
			if (tl->slot[at] < oldest && tl->cell[at] != 0) {
				tl->cell[at] = 0;
				tl->changed[at] = 1;
			}
		}
	}
}

/* The first endpoint row shown in rows rows: the selection stays in
 * view. */
static int
first_row(const UiState *u, int rows)
{
	int n = view_rows(u), first = 0;

	if (n > rows) {
		first = u->selected - rows + 1;
		if (first < 0)
			first = 0;
	}
	return first;
}

void
view_timeline_drawn(TimelineState *tl, const UiState *u, int h)
{
	if (tl->changed)
		memset(tl->changed, 0, (size_t)tl->n * tl->width + 1);
	tl->redraw = false;
	tl->drawn_first = first_row(u, h - 2);
}

/* The mark ('H', 'R') at slot s, or 0; a route change wins. */
static char
mark_at(const TimelineState *tl, int64_t s)
{
	char kind = 0;

	for (int m = 0; m < tl->nmarks; m++)
		if (tl->marks[m].slot == s &&
		    (kind == 0 || tl->marks[m].kind == 'R'))
			kind = tl->marks[m].kind;
	return kind;
}

static void
draw_axis(WINDOW *w, const UiState *u, int y, int lw, int64_t now_slot)
{
	const TimelineState *tl = u->timeline;
	int width = tl->width;
	attr_t axis = theme_attr(u->theme, ROLE_AXIS);
	char label[40];
	int label_until = -1;

	text_put(w, y, 0, lw, lw, theme_attr(u->theme, ROLE_DIM), NULL, "");
	snprintf(label, sizeof(label), "%gs/cell", tl->slot_len);
	text_put(
	    w, y, 0, lw - 1, 0, theme_attr(u->theme, ROLE_DIM), NULL, label);
	for (int c = 0; c < width; c++) {
		int64_t s = now_slot - ((now_slot - c) % width + width) % width;
		char kind = mark_at(tl, s);
		if (s == now_slot) {
			text_put(w, y, lw + c, 1, 0,
			    theme_attr(u->theme, ROLE_CURSOR), NULL,
			    u->g->cursor);
			continue;
		}
		if (kind) {
			text_put(w, y, lw + c, 1, 0,
			    theme_attr(u->theme, ROLE_CHANGE), NULL,
			    kind == 'R' ? u->g->mark_route : u->g->mark_health);
			continue;
		}
		if (c <= label_until)
			continue;
		if (s >= 0 && s % TICK_EVERY == 0) {
			/* the slot's wall-clock time after the tick, when
			 * nothing else needs those columns */
			bool room = c + 9 < width;
			for (int k = 1; room && k <= 8; k++) {
				int64_t sk = now_slot -
				    ((now_slot - (c + k)) % width + width) %
				        width;
				if (sk == now_slot || mark_at(tl, sk) || sk < s)
					room = false;
			}
			text_put(w, y, lw + c, 1, 0, axis, NULL, u->g->tick);
			if (room) {
				view_clock(u, (double)s * tl->slot_len, label,
				    sizeof(label));
				text_put(
				    w, y, lw + c + 1, 8, 0, axis, NULL, label);
				label_until = c + 8;
			}
			continue;
		}
		text_put(w, y, lw + c, 1, 0, A_NORMAL, NULL, " ");
	}
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	const TimelineState *tl = u->timeline;
	int n = view_rows(u);
	int rows = getmaxy(w) - 2, cols = getmaxx(w);
	Banner b[VIEW_BANNERS_MAX];
	int lw = label_width(u, cols);
	int width = cols - lw;

	if (width < 1 || rows < 1 || tl->cell == NULL || tl->n != n ||
	    tl->width != width)
		return; /* view_timeline_update() was not called for w */
	if (tl->redraw) {
		full = true;
		werase(w);
	}
	int64_t now_slot = slot_of(tl, u->t);
	/* a second banner takes the legend's place */
	if (view_banners(u, b, VIEW_BANNERS_MAX) > 1)
		view_title(w, u, "Probes", u->focus == PANE_TIMELINE, b[1].text,
		    b[1].role);
	else {
		/* each mark with its glyph, as the cells draw it */
		char legend[160];

		snprintf(legend, sizeof(legend),
		    "ok: height = latency  %s slow  %s failed  %s timeout",
		    u->g->probe_slow, u->g->probe_fail, u->g->probe_timeout);
		view_title(w, u, "Probes", u->focus == PANE_TIMELINE, legend,
		    ROLE_DIM);
	}
	int first = first_row(u, rows);
	if (first != tl->drawn_first)
		full = true;
	for (int i = first; i < n && i - first < rows; i++) {
		int y = 1 + i - first;
		for (int c = 0; c < width; c++) {
			size_t at = (size_t)i * width + c;
			if (full || tl->changed[at])
				put_cell(w, u, y, lw + c, tl->cell[at]);
		}
		/* the row label: name and median latency */
		const EndpointSnap *es = row_snap(u, i);
		bool pub = view_row_is_public(u, i);
		bool sel = i == u->selected && u->focus == PANE_TIMELINE;
		char ms[24] = "";
		if (es->median_ms >= 0) {
			view_ms(es->median_ms, ms, sizeof(ms) - 2);
			strcat(ms, "ms");
		}
		/* the client's-eye row has no health state: dim */
		attr_t a = sel ? theme_attr(u->theme, ROLE_SELECTED)
		    : pub      ? theme_attr(u->theme, ROLE_DIM)
		          : theme_attr(u->theme, view_state_role(es->state));
		int mw = text_width(ms);
		int nw = mw + 2 < lw - 1 ? lw - 2 - mw : lw - 1;
		/* the name, cut to leave room for the latency */
		text_put(w, y, 0, lw - 1, lw - 1, a, NULL, "");
		text_put(w, y, 0, nw, 0, a, u->g->ellipsis,
		    pub ? EV_PUBLIC : u->profile->endpoints[i].name);
		if (mw + 2 < lw - 1)
			text_put(w, y, lw - 1 - mw, mw, 0,
			    sel ? a : theme_attr(u->theme, ROLE_DIM), NULL, ms);
		text_put(w, y, lw - 1, 1, 1, theme_attr(u->theme, ROLE_DEFAULT),
		    NULL, " ");
	}
	for (int r = n - first; r < rows; r++)
		if (r >= 0) {
			wmove(w, 1 + r, 0);
			wclrtoeol(w);
		}
	draw_axis(w, u, 1 + rows, lw, now_slot);
}

static bool
key(UiState *u, KeyAction a)
{
	int n = view_rows(u);

	if (a == KA_UP && u->selected > 0)
		u->selected--;
	else if (a == KA_DOWN && u->selected < n - 1)
		u->selected++;
	else if (a == KA_HOME && n > 0)
		u->selected = 0;
	else if (a == KA_END && n > 0)
		u->selected = n - 1;
	else if (a != KA_UP && a != KA_DOWN)
		return false;
	return true;
}

const ViewOps view_timeline_ops = {.draw = draw, .key = key};
