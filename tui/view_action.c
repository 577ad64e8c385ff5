#include "view_action.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "text.h"

bool
view_action_update(UiState *u, ActionRunner *r)
{
	ActionsState before = u->act.state;
	bool changed;

	actions_status(r, &u->act);
	const ActionStatus *st = &u->act;
	ActionShown *shown = &u->act_shown;
	/* a new action (or a failed step) brings the panel back */
	if ((st->state != ACTIONS_IDLE && before != st->state) ||
	    st->state == ACTIONS_FAILED)
		u->act_show = true;
	int es = (int)floor(st->elapsed);
	const char *last = st->nlines > 0 ? st->lines[st->nlines - 1] : "";
	changed = st->state != shown->state || st->step != shown->step ||
	    st->nlines != shown->nlines || es != shown->elapsed_s ||
	    st->has_run != shown->has_run ||
	    st->has_result != shown->has_result ||
	    strcmp(last, shown->last) != 0;
	shown->state = st->state;
	shown->step = st->step;
	shown->nlines = st->nlines;
	shown->elapsed_s = es;
	shown->has_run = st->has_run;
	shown->has_result = st->has_result;
	str_copy(shown->last, sizeof(shown->last), last);
	return changed && u->act_show;
}

static int add(char (*lines)[256], int n, int max, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
add(char (*lines)[256], int n, int max, const char *fmt, ...)
{
	va_list ap;

	if (n >= max)
		return n;
	va_start(ap, fmt);
	vsnprintf(lines[n], 256, fmt, ap);
	va_end(ap);
	return n + 1;
}

/* "exit 3", "signal 9", "not run": short; the error goes on its own line */
static void
describe(const ActionResult *res, char *buf, size_t cap)
{
	if (res->signal)
		snprintf(buf, cap, "signal %d", res->signal);
	else if (res->exit_code >= 0)
		snprintf(buf, cap, "exit %d", res->exit_code);
	else
		snprintf(buf, cap, "not run");
}

int
view_action_lines(const UiState *u, int width, char (*lines)[256], int max)
{
	const ActionStatus *st = &u->act;
	const char *arrow = u->g ? u->g->arrow : "->";
	char res[32];
	int n = 0;

	(void)width; /* text_put cuts what does not fit; lines are short */
	if (!st->has_run)
		return add(lines, n, max, "no action has run");
	if (st->state == ACTIONS_RUNNING) {
		n = add(lines, n, max, "%s %s %s %s running %.0fs", st->name,
		    st->from, arrow, st->to, st->elapsed);
		if (st->runbook)
			n = add(lines, n, max, "step %d/%d %s, %.0fs",
			    st->step + 1, st->nsteps, st->step_name,
			    st->step_elapsed);
	} else if (st->state == ACTIONS_FAILED) {
		describe(&st->step_result, res, sizeof(res));
		n = add(lines, n, max, "%s %s %s %s: step %d/%d FAILED",
		    st->name, st->from, arrow, st->to, st->failed_step + 1,
		    st->nsteps);
		n = add(lines, n, max, "\"%s\": %s%s%s", st->step_name, res,
		    st->step_result.error[0] ? ": " : "",
		    st->step_result.error);
		n = add(lines, n, max, "R retries the step, A aborts. Output:");
	} else if (st->has_result) {
		describe(&st->result, res, sizeof(res));
		n = add(lines, n, max, "%s %s %s %s %s: %s, %.1fs", st->name,
		    st->from, arrow, st->to, st->result.ok ? "done" : "FAILED",
		    res, st->elapsed);
		if (st->result.error[0])
			n = add(lines, n, max, "%s", st->result.error);
		n = add(lines, n, max, "Esc hides this. Output:");
	}
	if (st->nlines == 0)
		return add(lines, n, max, "  (no output)");
	/* the last lines that fit, oldest first */
	int room = max - n, first = st->nlines > room ? st->nlines - room : 0;
	for (int i = first; i < st->nlines; i++)
		n = add(lines, n, max, "  %s", st->lines[i]);
	return n;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	char lines[ACTIONS_TAIL_LINES + 4][256];
	int h = getmaxy(w), cols = getmaxx(w);
	int max = h - 1 < (int)ARRAY_LEN(lines) ? h - 1 : (int)ARRAY_LEN(lines);
	int n = view_action_lines(u, cols - 2, lines, max > 0 ? max : 0);
	Role role = u->act.state == ACTIONS_FAILED ? ROLE_DEGRADED
	    : u->act.state == ACTIONS_RUNNING      ? ROLE_BANNER
	                                           : ROLE_DIALOG;

	(void)full;
	werase(w);
	/* the traffic line stays in sight while an action runs */
	view_title_truth(w, u, "Action");
	for (int r = 0; r < n; r++)
		text_put(w, 1 + r, 1, cols - 2, 0,
		    theme_attr(u->theme, r == 0 ? role : ROLE_DIALOG), NULL,
		    lines[r]);
}

const ViewOps view_action_ops = {.draw = draw, .key = NULL};
