#include "app_draw.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "view_action.h"
#include "view_confirm.h"
#include "view_details.h"
#include "view_drill.h"
#include "view_endpoints.h"
#include "view_failover.h"
#include "view_help.h"
#include "view_small.h"
#include "view_status.h"
#include "view_ttl.h"

static const ViewOps *const pane_ops[PANE__COUNT] = {
    [PANE_MAP] = &view_map_ops,
    [PANE_TTL] = &view_ttl_ops,
    [PANE_ENDPOINTS] = &view_endpoints_ops,
    [PANE_TIMELINE] = &view_timeline_ops,
    [PANE_EVENTS] = &view_events_ops,
    [PANE_STATUS] = &view_status_ops,
};

static const ViewOps *const dialog_ops[DLG__COUNT] = {
    [DLG_NONE] = NULL,
    [DLG_HELP] = &view_help_ops,
    [DLG_DETAILS] = &view_details_ops,
    [DLG_CONFIRM] = &view_confirm_ops,
    [DLG_FAILOVER] = &view_failover_ops,
    [DLG_DRILL] = &view_drill_ops,
};

void
app_draw_free(App *a)
{
	for (int p = 0; p < PANE__COUNT; p++) {
		if (a->win[p])
			delwin(a->win[p]);
		a->win[p] = NULL;
	}
	if (a->small)
		delwin(a->small);
	a->small = NULL;
	if (a->dlg)
		delwin(a->dlg);
	a->dlg = NULL;
}

static Rect
dialog_rect(const App *a)
{
	switch (a->dialog) {
	case DLG_HELP:
		return layout_dialog(&a->layout, 40, 78);
	case DLG_DETAILS:
		return layout_dialog(&a->layout, 28, 96);
	case DLG_CONFIRM:
		return layout_dialog(&a->layout, 8, 64);
	case DLG_DRILL:
		return layout_dialog(&a->layout, 7, 64);
	case DLG_FAILOVER: {
		int w = a->layout.cols - 2 < 90 ? a->layout.cols - 2 : 90;
		int n = view_failover_lines(&a->ui, w - 4, NULL, 0);
		return layout_dialog(&a->layout, n + 6, w);
	}
	default:
		return layout_dialog(&a->layout, 1, 1);
	}
}

void
app_draw_reshape_dialog(App *a)
{
	if (a->dlg) {
		delwin(a->dlg);
		a->dlg = NULL;
	}
	if (a->dialog == DLG_NONE || a->layout.too_small)
		return;
	Rect r = dialog_rect(a);
	a->dlg = newwin(r.h, r.w, r.y, r.x);
	leaveok(a->dlg, TRUE);
	a->dlg_dirty = true;
}

void
app_draw_relayout(App *a)
{
	app_draw_free(a);
	/* the endpoint list and the timeline have a row for the
	 * client's-eye probe too */
	layout_compute(&a->layout, LINES, COLS,
	    a->cfg->profile->nendpoints + (a->cfg->profile->public_ep != NULL));
	if (a->layout.too_small) {
		a->small =
		    newwin(LINES > 0 ? LINES : 1, COLS > 0 ? COLS : 1, 0, 0);
	} else {
		for (int p = 0; p < PANE__COUNT; p++) {
			Rect r = a->layout.pane[p];
			a->win[p] = newwin(r.h, r.w, r.y, r.x);
			/* the cursor is hidden: never spend bytes moving it */
			leaveok(a->win[p], TRUE);
		}
		app_draw_reshape_dialog(a);
	}
	app_state_mark_all(a, true);
	app_state_debug(a, "layout %dx%d%s", COLS, LINES,
	    a->layout.too_small ? " (too small)" : "");
}

void
app_draw_resize(App *a)
{
	struct winsize ws;

	/* SIGWINCH: tell curses the new size (it queues a KEY_RESIZE,
	 * which lands here again and finds nothing left to do) */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	if (LINES != a->layout.lines || COLS != a->layout.cols) {
		clearok(curscr, TRUE);
		app_draw_relayout(a);
	}
}

void
app_draw_close_dialog(App *a)
{
	a->dialog = DLG_NONE;
	a->ui.kctx = a->cfg->replay ? KCTX_VIEW : KCTX_MAIN;
	if (a->dlg) {
		delwin(a->dlg);
		a->dlg = NULL;
	}
	/* the panes underneath come back as they are */
	for (int p = 0; p < PANE__COUNT; p++)
		if (a->win[p]) {
			touchwin(a->win[p]);
			a->dirty[p] = true;
		}
	a->dirty[PANE_STATUS] = true;
}

void
app_draw_open_dialog(App *a, Dialog d)
{
	a->dialog = d;
	a->ui.dialog_scroll = 0;
	/* the key bar: Esc, Enter while text is typed */
	a->ui.kctx = (d == DLG_CONFIRM || d == DLG_FAILOVER || d == DLG_DRILL)
	    ? KCTX_CONFIRM
	    : KCTX_DIALOG;
	app_draw_reshape_dialog(a);
	a->dirty[PANE_STATUS] = true;
}

bool
app_draw_theme(App *a, const char *name, ErrList *errs)
{
	Theme t;

	if (!a->color)
		theme_builtin(&t, true);
	else if (theme_load(&t, name, errs) != 0)
		return false;
	a->theme = t;
	theme_apply(&a->theme, a->color);
	a->ui.theme = &a->theme;
	return true;
}

bool
app_draw_dirty(const App *a)
{
	if (a->layout.too_small)
		return a->small_dirty;
	for (int p = 0; p < PANE__COUNT; p++)
		if (a->dirty[p])
			return true;
	return a->dlg_dirty && a->dialog != DLG_NONE;
}

/* Pane p from what the app owns: the map's canvas and the timeline's
 * cells are brought up to date first and acknowledged after. */
static void
draw_pane(App *a, int p)
{
	Rect r = a->layout.pane[p];

	if (a->full[p])
		werase(a->win[p]);
	if (p == PANE_MAP)
		view_map_prepare(&a->canvas, &a->ui, r.h, r.w);
	if (p == PANE_TIMELINE)
		view_timeline_update(&a->tl, &a->ui, r.w);
	(p == PANE_MAP && a->ui.act_show ? &view_action_ops : pane_ops[p])
	    ->draw(a->win[p], &a->ui, a->full[p]);
	if (p == PANE_TIMELINE)
		view_timeline_drawn(&a->tl, &a->ui, r.h);
	wnoutrefresh(a->win[p]);
	a->dirty[p] = a->full[p] = false;
}

void
app_draw_frame(App *a)
{
	bool any = false;

	a->ui.layout = &a->layout;
	if (is_wintouched(stdscr))
		wnoutrefresh(stdscr); /* never drawn into: keeps getch quiet */
	if (a->layout.too_small) {
		if (a->small == NULL) /* newwin failed: nothing to draw on */
			return;
		view_small_ops.draw(a->small, &a->ui, true);
		wnoutrefresh(a->small);
		a->small_dirty = false;
		return;
	}
	for (int p = 0; p < PANE__COUNT; p++) {
		if (!a->dirty[p] || a->win[p] == NULL)
			continue;
		draw_pane(a, p);
		any = true;
	}
	if (a->dialog != DLG_NONE && a->dlg && (any || a->dlg_dirty)) {
		if (a->dlg_dirty)
			dialog_ops[a->dialog]->draw(a->dlg, &a->ui, true);
		touchwin(a->dlg);
		wnoutrefresh(a->dlg);
		a->dlg_dirty = false;
	}
}
