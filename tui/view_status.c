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

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int cols = getmaxx(w);
	char buf[256], clock[16];
	int x = 0;

	(void)full;
	text_put(
	    w, 0, 0, cols, cols, theme_attr(u->theme, ROLE_STATUS), NULL, "");
	snprintf(buf, sizeof(buf), " drtop %s ", u->profile->service);
	x = seg(w, u, x, cols, ROLE_STATUS, buf);
	snprintf(buf, sizeof(buf), " %s ", u->mode);
	x = seg(w, u, x, cols, ROLE_MODE, buf);
	view_clock(u, u->t, clock, sizeof(clock));
	/* A replay probes nothing: its clock only (room for messages). */
	if (strncmp(u->mode, "REPLAY", 6) == 0)
		snprintf(buf, sizeof(buf), " %s ", clock);
	else
		snprintf(buf, sizeof(buf), " %s  in flight %d ", clock,
		    u->in_flight);
	x = seg(w, u, x, cols, ROLE_STATUS, buf);
	if (u->overflow > 0) {
		snprintf(buf, sizeof(buf), " queue overflow %llu ",
		    (unsigned long long)u->overflow);
		x = seg(w, u, x, cols, ROLE_BANNER, buf);
	}
	if (u->display_dropped > 0) {
		/* the record has them; the screen skipped them */
		snprintf(buf, sizeof(buf), " not shown %llu ",
		    (unsigned long long)u->display_dropped);
		x = seg(w, u, x, cols, ROLE_MODE, buf);
	}
	if (u->local_line[0])
		x = seg(w, u, x + 1, cols, ROLE_FAILOPEN, u->local_line);
	if (u->drill_line[0]) {
		Role r = u->drill_error ? ROLE_BANNER
		    : strncmp(u->drill_line, "DRILL REC", 9) == 0
		    ? ROLE_FAILOPEN
		    : ROLE_MODE;
		snprintf(buf, sizeof(buf), " %s ", u->drill_line);
		x = seg(w, u, x + 1, cols, r, buf);
	}
	if (u->snap->fail_open)
		x = seg(w, u, x + 1, cols, ROLE_FAILOPEN, " FAIL-OPEN ");
	if (u->action_line[0]) {
		x = seg(w, u, x + 1, cols, ROLE_BANNER, " ");
		x = seg(w, u, x, cols, ROLE_BANNER, u->action_line);
		x = seg(w, u, x, cols, ROLE_BANNER, " ");
	}
	if (u->message[0] && u->t < u->message_until) {
		x = seg(w, u, x + 1, cols, ROLE_BANNER, " ");
		x = seg(w, u, x, cols, ROLE_BANNER, u->message);
		x = seg(w, u, x, cols, ROLE_BANNER, " ");
	}
	if (u->record_path) {
		/* the file's name is enough here; last, as the least urgent */
		const char *base = strrchr(u->record_path, '/');
		snprintf(buf, sizeof(buf), " rec %s ",
		    base ? base + 1 : u->record_path);
		x = seg(w, u, x, cols, ROLE_STATUS, buf);
	}
	(void)x;
	draw_keybar(w, u, cols);
}

const ViewOps view_status_ops = {.draw = draw, .key = NULL};
