#include "view_small.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int h = getmaxy(w), cols = getmaxx(w);
	char buf[96];
	const char *msg = "terminal too small (need 80x24)";
	int y = h / 2 - 1;

	(void)full;
	werase(w);
	if (y < 0)
		y = 0;
	int mw = text_width(msg);
	text_put(w, y, mw < cols ? (cols - mw) / 2 : 0, cols, 0,
	    theme_attr(u->theme, ROLE_BANNER), NULL, msg);
	snprintf(buf, sizeof(buf), "now %dx%d; q quits", cols, h);
	mw = text_width(buf);
	if (y + 1 < h)
		text_put(w, y + 1, mw < cols ? (cols - mw) / 2 : 0, cols, 0,
		    theme_attr(u->theme, ROLE_DIM), NULL, buf);
	if (u->snap->fail_open && y + 2 < h)
		text_put(w, y + 2, 0, cols, 0,
		    theme_attr(u->theme, ROLE_FAILOPEN), NULL, "FAIL-OPEN");
}

const ViewOps view_small_ops = {.draw = draw, .key = NULL};
