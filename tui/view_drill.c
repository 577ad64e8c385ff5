#include "view_drill.h"

#include <stdio.h>
#include <string.h>

#include "lineedit.h"
#include "text.h"

bool
view_drill_edit(UiState *u, KeyAction act, int ch)
{
	if (act == KA_ERASE)
		return lineedit_erase(u->drill_text);
	if (act != KA_NONE)
		return false;
	return lineedit_type(u->drill_text, sizeof(u->drill_text), ch);
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int cols = getmaxx(w);
	const char *title, *ask;
	char when[16], fault[96];

	(void)full;
	switch (u->drill_ask) {
	case 'D':
		title = "Start a drill";
		ask = "Name of the drill (empty: \"drill\"):";
		break;
	case 'i':
		view_clock(u, u->drill_fault_t, when, sizeof(when));
		snprintf(fault, sizeof(fault),
		    "Fault marked at %s. A note (optional, logged as a "
		    "marker):",
		    when);
		title = "Fault marked";
		ask = fault;
		break;
	default:
		title = "Marker";
		ask = "Marker text:";
		break;
	}
	view_box(w, u, title);
	text_put(w, 1, 2, cols - 4, 0, theme_attr(u->theme, ROLE_DIALOG),
	    u->g->ellipsis, ask);
	text_put(w, 3, 2, cols - 4, cols - 4, theme_attr(u->theme, ROLE_INPUT),
	    NULL, "");
	text_put(w, 3, 2, cols - 4, 0, theme_attr(u->theme, ROLE_INPUT), NULL,
	    u->drill_text);
	text_put(w, 5, 2, cols - 4, 0, theme_attr(u->theme, ROLE_DIM), NULL,
	    "Enter accepts; Esc cancels.");
}

const ViewOps view_drill_ops = {.draw = draw, .key = NULL};
