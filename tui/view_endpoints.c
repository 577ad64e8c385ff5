#include "view_endpoints.h"

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "truth.h"

int
view_endpoints_first(int selected, int n, int rows)
{
	int first = 0;

	if (rows <= 0 || n <= rows)
		return 0;
	if (selected >= rows)
		first = selected - rows + 1;
	if (first > n - rows)
		first = n - rows;
	return first < 0 ? 0 : first;
}

bool
view_endpoints_select(UiState *u, KeyAction a)
{
	int n = view_rows(u), s = u->selected;
	int page = u->layout->endpoint_rows;

	if (n == 0)
		return false;
	switch (a) {
	case KA_UP:
		s--;
		break;
	case KA_DOWN:
		s++;
		break;
	case KA_PGUP:
		s -= page;
		break;
	case KA_PGDN:
		s += page;
		break;
	case KA_HOME:
		s = 0;
		break;
	case KA_END:
		s = n - 1;
		break;
	default:
		return false;
	}
	if (s < 0)
		s = 0;
	if (s >= n)
		s = n - 1;
	if (s == u->selected)
		return true;
	u->selected = s;
	return true;
}

typedef struct {
	int name, region, state, pri, last, lat, served, fault;
} Cols;

static Cols
columns(const UiState *u, int width)
{
	Cols c = {0};
	int namew = 4;

	for (int i = 0; i < u->profile->nendpoints; i++) {
		int w = text_width(u->profile->endpoints[i].name);
		if (w > namew)
			namew = w;
	}
	if (u->profile->public_ep && namew < (int)strlen(EV_PUBLIC))
		namew = (int)strlen(EV_PUBLIC);
	c.name = namew > 12 ? 12 : namew;
	c.state = 8;
	c.pri = 3;
	c.last = 11;
	c.lat = 6;
	c.served = 6;
	c.fault = u->demo ? 10 : 0;
	int fixed = 2 + c.name + 1 + c.state + 1 + c.pri + 1 + c.last + 1 +
	    c.lat + 1 + c.served + (c.fault ? 1 + c.fault : 0);
	c.region = width - fixed - 1;
	if (c.region > 24)
		c.region = 24;
	if (c.region < 6)
		c.region = 0;
	return c;
}

static void
put_col(WINDOW *w, int y, int *x, int width, attr_t attr, const UiState *u,
    const char *s, bool right)
{
	char buf[256];

	if (width <= 0)
		return;
	if (right) {
		int tw = text_fit(s, width, u->g->ellipsis, buf, sizeof(buf));
		text_put(w, y, *x, width, width, attr, NULL, "");
		text_put(w, y, *x + width - tw, tw, 0, attr, NULL, buf);
	} else {
		text_put(w, y, *x, width, width, attr, u->g->ellipsis, s);
	}
	*x += width + 1;
}

static void
draw_header(WINDOW *w, const UiState *u, const Cols *c)
{
	int x = 2;
	attr_t a = theme_attr(u->theme, ROLE_HEADER);

	wmove(w, 1, 0);
	wclrtoeol(w);
	put_col(w, 1, &x, c->name, a, u, "NAME", false);
	if (c->region)
		put_col(w, 1, &x, c->region, a, u, "REGION", false);
	put_col(w, 1, &x, c->state, a, u, "STATE", false);
	put_col(w, 1, &x, c->pri, a, u, "PRI", true);
	put_col(w, 1, &x, c->last, a, u, "LAST", false);
	put_col(w, 1, &x, c->lat, a, u, "MS", true);
	put_col(w, 1, &x, c->served, a, u, "SERVED", false);
	if (c->fault)
		put_col(w, 1, &x, c->fault, a, u, "FAULT", false);
}

static void
draw_row(WINDOW *w, int y, const UiState *u, const Cols *c, int i)
{
	const Endpoint *ep = &u->profile->endpoints[i];
	const EndpointSnap *es =
	    i < u->snap->nendpoints ? &u->snap->endpoints[i] : NULL;
	bool sel = i == u->selected;
	bool focused = u->focus == PANE_ENDPOINTS;
	attr_t base = (sel && focused) ? theme_attr(u->theme, ROLE_SELECTED)
	                               : theme_attr(u->theme, ROLE_DEFAULT);
	const char *tgt = truth_target(u->snap);
	const char *exp = truth_expected_apart(u->snap);
	bool target = tgt && strcmp(tgt, ep->name) == 0;
	bool expected = exp && strcmp(exp, ep->name) == 0;
	HealthState st = es ? es->state : HEALTH_CHECKING;
	char buf[64];
	int x = 0;

	/* the whole row first: the selection bar has no gaps between
	 * columns and runs to the edge */
	text_put(w, y, 0, getmaxx(w), getmaxx(w), base, NULL, "");
	text_put(w, y, 0, 1, 1, base, NULL, sel ? u->g->sel : " ");
	/* the endpoint DNS answers, or the expected route apart from it */
	text_put(w, y, 1, 1, 1,
	    target ? theme_attr(u->theme, ROLE_TARGET) | (base & ~A_COLOR)
	        : expected
	        ? theme_attr(u->theme, ROLE_CHANGE) | (base & ~A_COLOR)
	        : base,
	    NULL,
	    target         ? u->g->target
	        : expected ? u->g->expected
	                   : " ");
	x = 2;
	put_col(w, y, &x, c->name, target ? (base | A_BOLD) : base, u, ep->name,
	    false);
	if (c->region)
		put_col(w, y, &x, c->region, base, u, ep->region, false);
	put_col(w, y, &x, c->state,
	    (sel && focused) ? base | A_BOLD
	                     : theme_attr(u->theme, view_state_role(st)),
	    u, view_state_word(st), false);
	snprintf(buf, sizeof(buf), "%d", ep->priority);
	put_col(w, y, &x, c->pri, base, u, buf, true);
	buf[0] = '\0';
	if (es && es->has_probe)
		view_probe_result(&es->last_probe, buf, sizeof(buf));
	put_col(w, y, &x, c->last,
	    (es && es->has_probe && !es->last_probe.ok && !(sel && focused))
	        ? theme_attr(u->theme, ROLE_PROBE_FAIL)
	        : base,
	    u, buf, false);
	buf[0] = '\0';
	if (es)
		view_ms(es->median_ms, buf, sizeof(buf));
	put_col(w, y, &x, c->lat, base, u, buf, true);
	/* served by another region than the one probed: say so loudly */
	const char *sb = es && es->has_probe ? es->last_probe.served_by : "";
	bool misrouted = *sb && strcmp(sb, ep->name) != 0;
	put_col(w, y, &x, c->served,
	    misrouted && !(sel && focused) ? theme_attr(u->theme, ROLE_DEGRADED)
	                                   : base,
	    u, sb, false);
	if (c->fault) {
		const char *f = i < 3 && u->faults[i] ? u->faults[i] : "";
		bool bad = *f && strcmp(f, "ok") != 0;
		put_col(w, y, &x, c->fault,
		    bad && !(sel && focused)
		        ? theme_attr(u->theme, ROLE_DEGRADED)
		        : base,
		    u, f, false);
	}
}

/* The client's-eye probe: what a client resolving the public name got,
 * and which endpoint served it. No health state of its own. */
static void
draw_public_row(WINDOW *w, int y, const UiState *u, const Cols *c, int i)
{
	const Snapshot *s = u->snap;
	const EndpointSnap *es = s->has_public ? &s->public_probe : NULL;
	bool sel = i == u->selected;
	bool focused = u->focus == PANE_ENDPOINTS;
	attr_t base = (sel && focused) ? theme_attr(u->theme, ROLE_SELECTED)
	                               : theme_attr(u->theme, ROLE_DEFAULT);
	bool probed = es && es->has_probe;
	char buf[64];
	int x = 2;

	text_put(w, y, 0, getmaxx(w), getmaxx(w), base, NULL, "");
	text_put(w, y, 0, 1, 1, base, NULL, sel ? u->g->sel : " ");
	text_put(w, y, 1, 1, 1, base, NULL, " ");
	put_col(w, y, &x, c->name, base, u, EV_PUBLIC, false);
	if (c->region)
		put_col(w, y, &x, c->region, base, u,
		    u->profile->public_ep->region, false);
	/* a word for what it is, not a health state */
	put_col(w, y, &x, c->state,
	    (sel && focused) ? base : theme_attr(u->theme, ROLE_DIM), u,
	    "CLIENT", false);
	put_col(w, y, &x, c->pri, base, u, "-", true);
	buf[0] = '\0';
	if (probed)
		view_probe_result(&es->last_probe, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "no probe yet");
	put_col(w, y, &x, c->last,
	    (probed && !es->last_probe.ok && !(sel && focused))
	        ? theme_attr(u->theme, ROLE_PROBE_FAIL)
	        : base,
	    u, buf, false);
	buf[0] = '\0';
	if (es)
		view_ms(es->median_ms, buf, sizeof(buf));
	put_col(w, y, &x, c->lat, base, u, buf, true);
	/* served by: the endpoint a client actually reached; loud when it
	 * is not the expected route */
	const char *sb = probed ? es->last_probe.served_by : "";
	bool off = *sb && s->routed && strcmp(sb, s->route_to) != 0;
	put_col(w, y, &x, c->served,
	    (sel && focused) ? base
	        : off        ? theme_attr(u->theme, ROLE_DEGRADED)
	        : *sb        ? theme_attr(u->theme, ROLE_TARGET)
	                     : base,
	    u, *sb ? sb : (probed ? "?" : ""), false);
	if (c->fault)
		put_col(w, y, &x, c->fault, base, u, "", false);
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int n = view_rows(u);
	int rows = getmaxy(w) - 2;
	Cols c = columns(u, getmaxx(w));
	char extra[EV_TEXT_MAX + 64] = "";
	Role extra_role = ROLE_DIM;
	Banner b[VIEW_BANNERS_MAX];
	int first;

	(void)full;
	/* the first banner; the timeline's title takes the second */
	if (view_banners(u, b, VIEW_BANNERS_MAX) > 0) {
		str_copy(extra, sizeof(extra), b[0].text);
		extra_role = b[0].role;
	} else if (n > rows) {
		snprintf(extra, sizeof(extra), "%d of %d", rows, n);
	}
	view_title(
	    w, u, "Endpoints", u->focus == PANE_ENDPOINTS, extra, extra_role);
	draw_header(w, u, &c);
	first = view_endpoints_first(u->selected, n, rows);
	for (int r = 0; r < rows; r++) {
		int i = first + r;
		if (view_row_is_public(u, i))
			draw_public_row(w, 2 + r, u, &c, i);
		else if (i < n)
			draw_row(w, 2 + r, u, &c, i);
		else {
			wmove(w, 2 + r, 0);
			wclrtoeol(w);
		}
	}
}

static bool
key(UiState *u, KeyAction a)
{
	return view_endpoints_select(u, a);
}

const ViewOps view_endpoints_ops = {.draw = draw, .key = key};
