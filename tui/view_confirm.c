#include "view_confirm.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

bool
view_confirm_matches(const UiState *u)
{
	if (u->confirm_idx < 0 || u->confirm_idx >= u->profile->nendpoints)
		return false;
	return strcmp(u->confirm_text,
	           u->profile->endpoints[u->confirm_idx].name) == 0;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int cols = getmaxx(w);
	char buf[160];
	const char *name =
	    u->confirm_idx >= 0 && u->confirm_idx < u->profile->nendpoints
	    ? u->profile->endpoints[u->confirm_idx].name
	    : "?";

	(void)full;
	view_box(
	    w, u, u->confirm_disable ? "Disable endpoint" : "Enable endpoint");
	snprintf(buf, sizeof(buf), "%s %s: %s.",
	    u->confirm_disable ? "Disable" : "Enable", name,
	    u->confirm_disable ? "it is neither probed nor routed to"
	                       : "it is probed and routed to again");
	text_put(w, 1, 2, cols - 4, 0, theme_attr(u->theme, ROLE_DIALOG),
	    u->g->ellipsis, buf);
	snprintf(
	    buf, sizeof(buf), "Type %s and press Enter; Esc cancels.", name);
	text_put(w, 2, 2, cols - 4, 0, theme_attr(u->theme, ROLE_DIALOG),
	    u->g->ellipsis, buf);
	text_put(w, 4, 2, cols - 4, cols - 4, theme_attr(u->theme, ROLE_INPUT),
	    NULL, "");
	text_put(w, 4, 2, cols - 4, 0, theme_attr(u->theme, ROLE_INPUT), NULL,
	    u->confirm_text);
	text_put(w, 5, 2, cols - 4, 0,
	    theme_attr(
	        u->theme, view_confirm_matches(u) ? ROLE_ONLINE : ROLE_DIM),
	    NULL,
	    view_confirm_matches(u) ? "matches: Enter confirms"
	                            : "does not match yet");
}

const ViewOps view_confirm_ops = {.draw = draw, .key = NULL};
