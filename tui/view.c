#include "view.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "truth.h"

const char *
view_state_word(HealthState s)
{
	switch (s) {
	case HEALTH_ONLINE:
		return "ONLINE";
	case HEALTH_DEGRADED:
		return "DEGRADED";
	case HEALTH_DISABLED:
		return "DISABLED";
	case HEALTH_CHECKING:
	default:
		return "CHECKING";
	}
}

Role
view_state_role(HealthState s)
{
	switch (s) {
	case HEALTH_ONLINE:
		return ROLE_ONLINE;
	case HEALTH_DEGRADED:
		return ROLE_DEGRADED;
	case HEALTH_DISABLED:
		return ROLE_DISABLED;
	case HEALTH_CHECKING:
	default:
		return ROLE_CHECKING;
	}
}

/*
 * A title's text in room columns. A banner reads "why: what to do"
 * ("eu20 degraded, DNS still answers it: fail over to us21? press f"):
 * when it does not fit, the why gives way and the verb and target after
 * the last ": " stay whole.
 */
static void
title_fit(const char *s, int room, const char *ellipsis, char *out, size_t cap)
{
	const char *colon = NULL;
	int tail, head;

	snprintf(out, cap, "%s", s);
	if (text_width(s) <= room)
		return;
	for (const char *p = strstr(s, ": "); p; p = strstr(p + 2, ": "))
		colon = p;
	if (colon == NULL)
		return; /* cut at the end, as any title */
	tail = text_width(colon + 2);
	head = room - tail - 2;
	if (head < 4) {
		snprintf(out, cap, "%s", colon + 2);
		return;
	}
	char why[256];

	snprintf(why, sizeof(why), "%.*s", (int)(colon - s), s);
	text_fit(why, head, ellipsis, out, cap);
	snprintf(out + strlen(out), cap - strlen(out), ": %s", colon + 2);
}

void
view_title(WINDOW *w, const UiState *u, const char *title, bool focused,
    const char *extra, Role extra_role)
{
	int cols = getmaxx(w);
	int x = 0;
	char buf[256];

	wattr_set(w, theme_attr(u->theme, ROLE_BORDER) & ~A_COLOR,
	    (short)PAIR_NUMBER(theme_attr(u->theme, ROLE_BORDER)), NULL);
	wmove(w, 0, 0);
	for (int i = 0; i < cols; i++)
		waddstr(w, u->g->hline);
	wattr_set(w, A_NORMAL, 0, NULL);
	x = 1;
	snprintf(buf, sizeof(buf), " %s ", title);
	x += text_put(w, 0, x, cols - x, 0,
	    theme_attr(u->theme, focused ? ROLE_TITLE_FOCUS : ROLE_TITLE), NULL,
	    buf);
	if (extra && *extra && x + 2 < cols) {
		char fit[256];

		title_fit(
		    extra, cols - x - 3, u->g->ellipsis, fit, sizeof(fit));
		snprintf(buf, sizeof(buf), " %s ", fit);
		text_put(w, 0, x + 1, cols - x - 1, 0,
		    theme_attr(u->theme, extra_role), u->g->ellipsis, buf);
	}
}

void
view_title_truth(WINDOW *w, const UiState *u, const char *title)
{
	int cols = getmaxx(w);
	int x = 1;
	char buf[128];
	TruthLine tl;

	wattr_set(w, theme_attr(u->theme, ROLE_BORDER) & ~A_COLOR,
	    (short)PAIR_NUMBER(theme_attr(u->theme, ROLE_BORDER)), NULL);
	wmove(w, 0, 0);
	for (int i = 0; i < cols; i++)
		waddstr(w, u->g->hline);
	wattr_set(w, A_NORMAL, 0, NULL);
	/* " line " and at least one line glyph after it; the pane's own
	 * title only when the line's shortest form still fits after it */
	int room = cols - x - 3;
	if (room < 4)
		return;
	truth_title(u->snap, u->profile, u->g, room, &tl);
	if (title) {
		snprintf(buf, sizeof(buf), " %s ", title);
		int tw = text_width(buf) + 1;
		TruthLine with;
		truth_title(u->snap, u->profile, u->g, room - tw, &with);
		if (with.width <= room - tw) {
			x += text_put(w, 0, x, cols - x, 0,
			    theme_attr(u->theme, ROLE_TITLE), NULL, buf);
			x++;
			room -= tw;
			tl = with;
		}
	}
	text_put(w, 0, x++, 1, 0, A_NORMAL, NULL, " ");
	for (int i = 0; i < tl.n && room > 0; i++) {
		int used = text_put(w, 0, x, room, 0,
		    theme_attr(u->theme, tl.seg[i].role), u->g->ellipsis,
		    tl.seg[i].text);
		x += used;
		room -= used;
	}
	if (x < cols)
		text_put(w, 0, x, 1, 0, A_NORMAL, NULL, " ");
}

void
view_clock(const UiState *u, double t, char *buf, size_t cap)
{
	time_t secs = (time_t)(u->start_real + t);
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(buf, cap, "%H:%M:%S", &tm);
}

void
view_probe_result(const ProbeEvent *p, char *buf, size_t cap)
{
	const char *err = probe_error_name(p->error);

	if (p->ok || err == NULL)
		snprintf(buf, cap, "%d", p->status);
	else if (p->error == PERR_STATUS || p->error == PERR_BODY)
		snprintf(buf, cap, "%d %s", p->status, err);
	else
		snprintf(buf, cap, "%s", err);
	if (p->ok && p->status == 0)
		snprintf(buf, cap, "ok");
}

void
view_clear_rows(WINDOW *w, int y0)
{
	int h = getmaxy(w);

	for (int y = y0; y < h; y++) {
		wmove(w, y, 0);
		wclrtoeol(w);
	}
}

void
view_box(WINDOW *w, const UiState *u, const char *title)
{
	int h = getmaxy(w), cols = getmaxx(w);
	attr_t d = theme_attr(u->theme, ROLE_DIALOG);
	const Glyphs *g = u->g;

	wbkgdset(w, ' ' | (d & ~A_COLOR) | COLOR_PAIR(PAIR_NUMBER(d)));
	werase(w);
	wattr_set(w, d & ~A_COLOR, (short)PAIR_NUMBER(d), NULL);
	for (int y = 0; y < h; y++) {
		const char *l = y == 0 ? g->corner_tl
		    : y == h - 1       ? g->corner_bl
		                       : g->vline;
		const char *r = y == 0 ? g->corner_tr
		    : y == h - 1       ? g->corner_br
		                       : g->vline;
		mvwaddstr(w, y, 0, l);
		if (y == 0 || y == h - 1)
			for (int x = 1; x < cols - 1; x++)
				waddstr(w, g->hline);
		mvwaddstr(w, y, cols - 1, r);
	}
	wattr_set(w, A_NORMAL, 0, NULL);
	if (title) {
		char buf[128];
		snprintf(buf, sizeof(buf), " %s ", title);
		text_put(w, 0, 2, cols - 4, 0,
		    theme_attr(u->theme, ROLE_TITLE_FOCUS), g->ellipsis, buf);
	}
}

void
view_ms(double ms, char *buf, size_t cap)
{
	/* whole milliseconds: decimals of a median only flicker (and cost
	 * output) without telling an operator anything */
	if (ms < 0)
		snprintf(buf, cap, "%s", "");
	else if (ms < 1.0)
		snprintf(buf, cap, "<1");
	else
		snprintf(buf, cap, "%.0f", ms);
}

int
view_rows(const UiState *u)
{
	return u->profile->nendpoints + (u->profile->public_ep != NULL);
}

bool
view_row_is_public(const UiState *u, int i)
{
	return u->profile->public_ep != NULL && i == u->profile->nendpoints;
}

int
view_banners(const UiState *u, Banner *out, int max)
{
	const Snapshot *s = u->snap;
	int n = 0;

	if (s->fail_open && n < max) {
		snprintf(out[n].text, sizeof(out[n].text),
		    "FAIL-OPEN: every endpoint degraded, expected route %s",
		    s->route_to);
		out[n++].role = ROLE_FAILOPEN;
	}
	/* under fail-open the engine's "ALL ENDPOINTS DEGRADED" says the
	 * same as the first banner */
	if (s->recommendation[0] && n < max &&
	    !(s->fail_open &&
	        strncmp(s->recommendation, "ALL ENDPOINTS", 13) == 0)) {
		str_copy(out[n].text, sizeof(out[n].text), s->recommendation);
		out[n++].role = ROLE_BANNER;
	}
	if (n < max && truth_diverged(s, out[n].text, sizeof(out[n].text)))
		out[n++].role = ROLE_DEGRADED;
	return n;
}
