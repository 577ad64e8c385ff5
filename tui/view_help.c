#include "view_help.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

int
view_help_lines(const Glyphs *g, KeyContext extra, char (*lines)[128],
    bool *heading, int max)
{
	/* each mode its own tables: a replay acts on nothing */
	static const KeyContext live[] = {KCTX_MAIN, KCTX_DRILL, KCTX_DEMO,
	    KCTX_DIALOG, KCTX_CONFIRM, KCTX_RUNBOOK};
	static const KeyContext replay[] = {
	    KCTX_REPLAY, KCTX_VIEW, KCTX_DIALOG};
	const KeyContext *order = extra == KCTX_REPLAY ? replay : live;
	size_t norder =
	    extra == KCTX_REPLAY ? ARRAY_LEN(replay) : ARRAY_LEN(live);
	int n = 0;

	for (size_t i = 0; i < norder && n < max; i++) {
		if (order[i] == KCTX_DEMO && extra != KCTX_DEMO)
			continue;
		if (n > 0 && n < max) {
			heading[n] = false;
			lines[n++][0] = '\0';
		}
		if (n < max) {
			heading[n] = true;
			snprintf(lines[n++], 128, "%s",
			    keys_context_title(order[i]));
		}
		int k = keys_help(order[i], lines + n, max - n);
		for (int j = 0; j < k; j++)
			heading[n + j] = false;
		n += k;
	}
	if (n + 2 <= max) {
		heading[n] = heading[n + 1] = false;
		lines[n++][0] = '\0';
		snprintf(lines[n++], 128,
		    "States are words and glyphs too: ONLINE DEGRADED "
		    "CHECKING DISABLED.");
	}
	/* the marks of expected against observed traffic */
	if (n + 6 <= max) {
		heading[n] = false;
		lines[n++][0] = '\0';
		heading[n] = true;
		snprintf(lines[n++], 128, "Marks");
		for (int i = 0; i < 4; i++)
			heading[n + i] = false;
		snprintf(lines[n++], 128,
		    "%s  the endpoint DNS answers (observed traffic)",
		    g->target);
		snprintf(lines[n++], 128,
		    "%s  the expected route, where DNS does not answer (yet)",
		    g->expected);
		snprintf(lines[n++], 128,
		    "%s  an authoritative resolver (DNS panel)", g->auth);
		snprintf(lines[n++], 128,
		    "%s %s  the answer is / is not the expected route",
		    g->match, g->mismatch);
	}
	return n;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	char lines[96][128];
	bool heading[96];
	int n = view_help_lines(u->g, u->extra_kctx, lines, heading, 96);
	int h = getmaxy(w), cols = getmaxx(w);
	int rows = h - 2;
	int first = u->dialog_scroll;

	(void)full;
	if (first > n - rows)
		first = n - rows;
	if (first < 0)
		first = 0;
	view_box(w, u, "Help: keys");
	for (int r = 0; r < rows && first + r < n; r++) {
		const char *l = lines[first + r];
		text_put(w, 1 + r, 2, cols - 4, 0,
		    theme_attr(u->theme,
		        heading[first + r] ? ROLE_TITLE : ROLE_DIALOG),
		    u->g->ellipsis, l);
	}
	if (first + rows < n)
		text_put(w, h - 1, cols - 12, 10, 0,
		    theme_attr(u->theme, ROLE_DIALOG), NULL, " more ");
}

const ViewOps view_help_ops = {.draw = draw, .key = NULL};
