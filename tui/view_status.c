#include "view_status.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

static int
seg(WINDOW *w, const UiState *u, int x, int cols, Role r, const char *s)
{
	if (x >= cols)
		return x;
	return x +
	    text_put(w, 0, x, cols - x, 0, theme_attr(u->theme, r), NULL, s);
}

static void
draw_keybar(WINDOW *w, const UiState *u, int cols)
{
	char bar[512];
	const char *p;
	int x = 1;

	/* a failed runbook step: R and A go first */
	keys_bar(u->kctx,
	    u->act.state == ACTIONS_FAILED && u->kctx == KCTX_MAIN
	        ? KCTX_RUNBOOK
	        : u->extra_kctx,
	    cols - 2, bar, sizeof(bar));
	wmove(w, 1, 0);
	wclrtoeol(w);
	p = bar;
	while (*p && x < cols) {
		const char *sp = strchr(p, ' ');
		const char *end = strstr(p, "  ");
		char keyname[32], label[64];
		if (sp == NULL)
			break;
		if (end == NULL)
			end = p + strlen(p);
		snprintf(keyname, sizeof(keyname), "%.*s", (int)(sp - p), p);
		snprintf(label, sizeof(label), "%.*s", (int)(end - sp), sp);
		x += text_put(w, 1, x, cols - x, 0,
		    theme_attr(u->theme, ROLE_KEY), NULL, keyname);
		x += text_put(w, 1, x, cols - x, 0,
		    theme_attr(u->theme, ROLE_DEFAULT), NULL, label);
		x += 2;
		p = *end ? end + 2 : end;
	}
}

/*
 * The status line is segments in a fixed order. When they do not fit,
 * they are shortened or dropped by rule, least urgent first (the order
 * of the levels below), so that what must never be cut stays whole: the
 * mode, the drill's phase and its log path, FAIL-OPEN, a running action,
 * this machine's trouble and the queue's losses.
 */
enum {
	LV_INFLIGHT = 1, /* clock and in-flight count -> clock */
	LV_RECFILE, /* " rec FILE " -> dropped */
	LV_SERVICE, /* " drtop SERVICE " -> " SERVICE " */
	LV_DRILL, /* the drill's whole line -> its short form */
	LV_COUNTS, /* " queue overflow N ", " not shown N " -> shorter */
	LV_CLOCK, /* the clock -> dropped */
	LV_LOCAL, /* "THIS MACHINE: why" -> "THIS MACHINE" */
	LV_NOSERVICE, /* service -> dropped */
	LV__LAST
};

typedef struct {
	Role role;
	int level; /* from this level on, brief replaces text */
	int drop; /* from this level on, nothing is shown */
	int gap; /* blank columns before it */
	char text[256];
	char brief[256]; /* "" = dropped */
} Seg;

static int
seg_width(const Seg *s, int level)
{
	const char *t = level >= s->drop ? ""
	    : level >= s->level          ? s->brief
	                                 : s->text;

	return t[0] ? s->gap + text_width(t) : 0;
}

static int
add(Seg *v, int n, Role r, int level, int gap, const char *text,
    const char *brief)
{
	v[n].role = r;
	v[n].level = level;
	v[n].drop = brief[0] ? LV__LAST : level;
	v[n].gap = gap;
	snprintf(v[n].text, sizeof(v[n].text), "%s", text);
	snprintf(v[n].brief, sizeof(v[n].brief), "%s", brief);
	return n + 1;
}

/* The status line's segments for u; returns how many. */
static int
segments(const UiState *u, Seg *v)
{
	char a[256], b[256], clock[16];
	int n = 0;

	snprintf(a, sizeof(a), " drtop %.200s ", u->profile->service);
	snprintf(b, sizeof(b), " %.200s ", u->profile->service);
	n = add(v, n, ROLE_STATUS, LV_SERVICE, 0, a, b);
	v[n - 1].drop = LV_NOSERVICE;
	snprintf(a, sizeof(a), " %s ", u->mode);
	n = add(v, n, ROLE_MODE, LV__LAST, 0, a, a);
	view_clock(u, u->t, clock, sizeof(clock));
	snprintf(b, sizeof(b), " %s ", clock);
	/* A replay probes nothing: its clock only. */
	if (strncmp(u->mode, "REPLAY", 6) == 0)
		snprintf(a, sizeof(a), " %s ", clock);
	else
		snprintf(
		    a, sizeof(a), " %s  in flight %d ", clock, u->in_flight);
	n = add(v, n, ROLE_STATUS, LV_INFLIGHT, 0, a, b);
	v[n - 1].drop = LV_CLOCK;
	if (u->overflow > 0) {
		snprintf(a, sizeof(a), " queue overflow %llu ",
		    (unsigned long long)u->overflow);
		snprintf(b, sizeof(b), " overflow %llu ",
		    (unsigned long long)u->overflow);
		n = add(v, n, ROLE_BANNER, LV_COUNTS, 0, a, b);
	}
	if (u->display_dropped > 0) {
		/* the record has them; the screen skipped them */
		snprintf(a, sizeof(a), " not shown %llu ",
		    (unsigned long long)u->display_dropped);
		snprintf(b, sizeof(b), " -%llu ",
		    (unsigned long long)u->display_dropped);
		n = add(v, n, ROLE_MODE, LV_COUNTS, 0, a, b);
	}
	if (u->local_line[0])
		n = add(v, n, ROLE_FAILOPEN, LV_LOCAL, 1, u->local_line,
		    "THIS MACHINE");
	if (u->drill_line[0]) {
		Role r = u->drill_error ? ROLE_BANNER
		    : strncmp(u->drill_line, "DRILL REC", 9) == 0
		    ? ROLE_FAILOPEN
		    : ROLE_MODE;
		snprintf(a, sizeof(a), " %.250s ", u->drill_line);
		snprintf(b, sizeof(b), " %.250s ",
		    u->drill_short[0] ? u->drill_short : u->drill_line);
		n = add(v, n, r, LV_DRILL, 1, a, b);
	}
	if (u->snap->fail_open)
		n = add(v, n, ROLE_FAILOPEN, LV__LAST, 1, " FAIL-OPEN ",
		    " FAIL-OPEN ");
	if (u->action_line[0]) {
		snprintf(a, sizeof(a), " %.250s ", u->action_line);
		n = add(v, n, ROLE_BANNER, LV__LAST, 1, a, a);
	}
	if (u->record_path) {
		/* the file's name is enough here; last, as the least urgent */
		const char *base = strrchr(u->record_path, '/');
		snprintf(
		    a, sizeof(a), " rec %s ", base ? base + 1 : u->record_path);
		n = add(v, n, ROLE_STATUS, LV_RECFILE, 0, a, "");
	}
	return n;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int cols = getmaxx(w);
	Seg v[12];
	int n = segments(u, v), level = 0, x = 0;

	(void)full;
	for (; level < LV__LAST - 1; level++) {
		int need = 0;

		for (int i = 0; i < n; i++)
			need += seg_width(&v[i], level);
		if (need <= cols)
			break;
	}
	text_put(
	    w, 0, 0, cols, cols, theme_attr(u->theme, ROLE_STATUS), NULL, "");
	for (int i = 0; i < n; i++) {
		const char *t = level >= v[i].drop ? ""
		    : level >= v[i].level          ? v[i].brief
		                                   : v[i].text;

		if (!t[0])
			continue;
		x += v[i].gap;
		x = seg(w, u, x, cols, v[i].role, t);
	}
	if (u->message[0] &&
	    !(u->act.state == ACTIONS_FAILED && u->kctx == KCTX_MAIN)) {
		/* the notice line: the whole width, until a key (a failed
		 * runbook step's R and A come first) */
		wmove(w, 1, 0);
		wclrtoeol(w);
		text_put(w, 1, 0, cols, cols, theme_attr(u->theme, ROLE_BANNER),
		    NULL, "");
		text_put(w, 1, 1, cols - 1, 0,
		    theme_attr(u->theme, ROLE_BANNER), NULL, u->message);
	} else
		draw_keybar(w, u, cols);
}

const ViewOps view_status_ops = {.draw = draw, .key = NULL};
