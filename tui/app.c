#include "app.h"

#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/dlog.h"
#include "curses.h"
#include "drillctl.h"
#include "engine/autofail.h"
#include "glyphs.h"
#include "keys.h"
#include "layout.h"
#include "sigpipe.h"
#include "text.h"
#include "theme.h"
#include "view.h"
#include "view_action.h"
#include "view_confirm.h"
#include "view_details.h"
#include "view_drill.h"
#include "view_endpoints.h"
#include "view_events.h"
#include "view_failover.h"
#include "view_help.h"
#include "view_map.h"
#include "view_small.h"
#include "view_status.h"
#include "view_timeline.h"
#include "view_ttl.h"

#define DRAW_INTERVAL 0.1 /* seconds between redraws, at most */
#define DRAIN_BATCH 64 /* events per drain: 64 x ~2.4 KiB on the stack */
#define DRAIN_ROUNDS 64 /* batches per loop, so keys stay responsive */

typedef enum {
	DLG_NONE,
	DLG_HELP,
	DLG_DETAILS,
	DLG_CONFIRM,
	DLG_FAILOVER,
	DLG_DRILL
} Dialog;

static const ViewOps *const pane_ops[PANE__COUNT] = {
    [PANE_MAP] = &view_map_ops,
    [PANE_TTL] = &view_ttl_ops,
    [PANE_ENDPOINTS] = &view_endpoints_ops,
    [PANE_TIMELINE] = &view_timeline_ops,
    [PANE_EVENTS] = &view_events_ops,
    [PANE_STATUS] = &view_status_ops,
};

static const ViewOps *const dialog_ops[] = {
    [DLG_NONE] = NULL,
    [DLG_HELP] = &view_help_ops,
    [DLG_DETAILS] = &view_details_ops,
    [DLG_CONFIRM] = &view_confirm_ops,
    [DLG_FAILOVER] = &view_failover_ops,
    [DLG_DRILL] = &view_drill_ops,
};

typedef struct {
	const AppConfig *cfg;
	UiState ui;
	Layout layout;
	Theme theme;
	bool color;
	WINDOW *win[PANE__COUNT];
	WINDOW *small; /* the too-small screen */
	WINDOW *dlg;
	Dialog dialog;
	bool dirty[PANE__COUNT], full[PANE__COUNT];
	bool dlg_dirty, small_dirty;
	double last_draw; /* monotonic */
	uint64_t last_version;
	long last_second; /* wall-clock second shown */
	int64_t last_slot; /* timeline slot shown */
	unsigned long map_sig;
	bool quit;
	EventSink sink;
	Recorder *record;
	unsigned long record_lost; /* shown once more were lost */
	SCREEN *screen;
	/* an operator's failover/failback: the route follows the action's
	 * successful outcome (applied after the drain, not inside the sink) */
	RouteCause pending_cause; /* CAUSE_MANUAL or CAUSE_FAILBACK */
	char pending_to[EV_NAME_MAX]; /* "" = the rules' choice */
	bool pending_apply;
	/* routing.auto_failover: the engine's own route changes run the
	 * action (core/autofail); the operator's routes are not fed to it */
	Autofail *af;
	bool operator_routing;
	bool backlog; /* the queue held more than one loop drains */
	bool quit_asked;
	char mode_buf[48]; /* "REPLAY x2 00:12/01:30", "REPLAY PAUSED ..." */
	double prev_now; /* the previous iteration's clock (replay) */
	DrillCtl *dc; /* D, i, m: the drill log and tracker; NULL in replay */
	EventLog evlog; /* the event log pane's lines (ui.events) */
	TimelineState tl; /* the probe timeline's cells (ui.timeline) */
	MapCanvas canvas; /* the map's land (ui.map_canvas) */
} App;

/* The model the views draw: the engine's or the replay's. */
static const Snapshot *
snap(const App *a)
{
	return a->cfg->replay ? replay_snapshot(a->cfg->replay)
	                      : engine_snapshot(a->cfg->engine);
}

/* Set while curses owns the terminal; read by the die hook. */
static volatile sig_atomic_t curses_on;

void
app_die_hook(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

static void debug(const App *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
debug(const App *a, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)a;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dlog("console: %s", line); /* a no-op without --debug-log */
}

static void
mark_all(App *a, bool full)
{
	for (int p = 0; p < PANE__COUNT; p++) {
		a->dirty[p] = true;
		if (full)
			a->full[p] = true;
	}
	a->dlg_dirty = true;
	a->small_dirty = true;
}

static void message(App *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
message(App *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->ui.message, sizeof(a->ui.message), fmt, ap);
	va_end(ap);
	a->ui.message_until = a->ui.t + 4.0;
	a->dirty[PANE_STATUS] = true;
}

/* The engine's sink: every event, in order, input and derived. */
static void
on_event(void *ctx, const Event *ev)
{
	App *a = ctx;

	if (a->record && recorder_write(a->record, ev) != 0 &&
	    recorder_lost(a->record) != a->record_lost) {
		a->record_lost = recorder_lost(a->record);
		message(a, "NOT RECORDED (%lu lost): %s", a->record_lost,
		    recorder_error(a->record) ? recorder_error(a->record) : "");
	}
	if (ev->type == EV_PROBE) {
		int i = profile_find(a->cfg->profile, ev->u.probe.endpoint);
		if (i >= 0) {
			ProbeLog *pl = &a->ui.probes[i];
			int at;
			if (pl->len < UI_PROBES_KEPT)
				at = (pl->start + pl->len++) % UI_PROBES_KEPT;
			else {
				at = pl->start;
				pl->start = (pl->start + 1) % UI_PROBES_KEPT;
			}
			pl->p[at] = ev->u.probe;
			pl->t[at] = ev->t;
			if (a->dialog == DLG_DETAILS && i == a->ui.selected)
				a->dlg_dirty = true;
		}
	}
	if (a->af && !a->operator_routing)
		autofail_feed(a->af, ev);
	if (ev->type == EV_ACTION) {
		/* an operator's action succeeded: the route follows it, once
		 * the drain is over (never from inside the engine's sink) */
		const ActionEvent *x = &ev->u.action;
		RouteCause cause;
		char to[EV_NAME_MAX];
		bool ok;
		if (a->cfg->engine &&
		    autofail_manual_route(x, &cause, to, sizeof(to))) {
			a->pending_apply = true;
			a->pending_cause = cause;
			str_copy(a->pending_to, sizeof(a->pending_to), to);
		} else if (event_action_outcome(x, &ok) && !ok)
			message(a, "%s %s failed: %s", x->by, x->name,
			    strcmp(x->by, "operator") == 0
			        ? "the route is unchanged"
			        : "see the event log");
	}
	if (ev->type == EV_HEALTH)
		view_timeline_mark(&a->tl, a->cfg->profile, ev->t, 'H');
	if (ev->type == EV_ROUTE)
		view_timeline_mark(&a->tl, a->cfg->profile, ev->t, 'R');
	if (view_events_add(&a->evlog, &a->ui, ev))
		a->dirty[PANE_EVENTS] = true;
	/* last: the drill log, and the phases this event caused */
	if (a->dc)
		drillctl_on_event(a->dc, ev, &a->sink);
}

static void
destroy_windows(App *a)
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
		char lines[200][256];
		int w = a->layout.cols - 2 < 90 ? a->layout.cols - 2 : 90;
		int n = view_failover_lines(&a->ui, w - 4, lines, 200);
		return layout_dialog(&a->layout, n + 6, w);
	}
	default:
		return layout_dialog(&a->layout, 1, 1);
	}
}

static void
open_dialog_window(App *a)
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

/* The one resize path: layout, windows, full repaint. */
static void
relayout(App *a)
{
	destroy_windows(a);
	layout_compute(&a->layout, LINES, COLS, a->cfg->profile->nendpoints);
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
		open_dialog_window(a);
	}
	mark_all(a, true);
	debug(a, "layout %dx%d%s", COLS, LINES,
	    a->layout.too_small ? " (too small)" : "");
}

/* SIGWINCH: tell curses the new size (it queues a KEY_RESIZE, which
 * lands in the same path below and finds nothing left to do). */
static void
resize(App *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	if (LINES != a->layout.lines || COLS != a->layout.cols) {
		clearok(curscr, TRUE);
		relayout(a);
	}
}

static void
close_dialog(App *a)
{
	if (a->ui.fo_argv) {
		actions_preview_free(a->ui.fo_argv, a->ui.fo_nsteps);
		a->ui.fo_argv = NULL;
		a->ui.fo_nsteps = 0;
	}
	a->dialog = DLG_NONE;
	a->ui.kctx = KCTX_MAIN;
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

static void
open_dialog(App *a, Dialog d)
{
	a->dialog = d;
	a->ui.dialog_scroll = 0;
	a->ui.kctx = (d == DLG_CONFIRM || d == DLG_FAILOVER) ? KCTX_CONFIRM
	                                                     : KCTX_DIALOG;
	open_dialog_window(a);
	a->dirty[PANE_STATUS] = true;
}

static bool
apply_theme(App *a, const char *name, ErrList *errs)
{
	Theme t;

	if (!a->color)
		theme_builtin(&t, true);
	else if (theme_load(&t, name, errs) != 0)
		return false;
	a->theme = t;
	a->ui.theme = &a->theme;
	theme_apply(&a->theme, a->color);
	return true;
}

static void
next_theme(App *a)
{
	int cur = 0, n = 0;

	if (!a->color) {
		message(a, "no colours here: theme mono");
		return;
	}
	while (theme_cycle[n])
		n++;
	for (int i = 0; i < n; i++)
		if (strcmp(theme_cycle[i], a->theme.name) == 0)
			cur = i;
	for (int k = 1; k <= n; k++) {
		ErrList errs;
		const char *name = theme_cycle[(cur + k) % n];
		errlist_init(&errs);
		bool ok = apply_theme(a, name, &errs);
		errlist_fini(&errs);
		if (ok) {
			message(a, "theme %s", name);
			debug(a, "theme %s", name);
			mark_all(a, true);
			return;
		}
	}
	message(a, "no other theme could be loaded");
}

static void
selected_action(App *a, KeyAction act)
{
	const Profile *p = a->cfg->profile;
	int i = a->ui.selected;

	if (i < 0 || i >= p->nendpoints)
		return;
	const Endpoint *ep = &p->endpoints[i];
	const Snapshot *s = snap(a);
	bool disabled =
	    i < s->nendpoints && s->endpoints[i].state == HEALTH_DISABLED;

	if (act == KA_REPROBE) {
		if (disabled) {
			message(a, "%s is disabled: x enables it", ep->name);
			return;
		}
		if (a->cfg->runtime)
			runtime_reprobe(a->cfg->runtime, i);
		message(a, "probing %s now", ep->name);
	} else if (act == KA_DISABLE) {
		a->ui.confirm_idx = i;
		a->ui.confirm_disable = !disabled;
		a->ui.confirm_text[0] = '\0';
		open_dialog(a, DLG_CONFIRM);
	}
}

static void
confirm(App *a)
{
	int i = a->ui.confirm_idx;
	bool dis = a->ui.confirm_disable;

	if (!view_confirm_matches(&a->ui)) {
		message(a, "type the endpoint's name exactly, or Esc");
		a->dlg_dirty = true;
		return;
	}
	const char *name = a->cfg->profile->endpoints[i].name;
	engine_set_disabled(a->cfg->engine, a->ui.t, name, dis, &a->sink);
	if (a->cfg->runtime)
		runtime_set_disabled(a->cfg->runtime, i, dis);
	close_dialog(a);
	message(a, "%s %s", name, dis ? "disabled" : "enabled");
	debug(a, "%s %s by the operator", name, dis ? "disabled" : "enabled");
}

static void drill_demo_fault(App *a, int region, const char *label);

static void
demo_fault(App *a, int region)
{
	char label[64];
	Event ev;
	const Profile *p = a->cfg->profile;

	if (a->cfg->demo == NULL || region >= p->nendpoints)
		return;
	demo_cycle_fault(a->cfg->demo, region, label, sizeof(label));
	event_init(&ev, EV_MARKER, a->ui.t);
	snprintf(ev.u.marker.note, sizeof(ev.u.marker.note),
	    "demo: %s fault %s", p->endpoints[region].name, label);
	engine_feed(a->cfg->engine, &ev, &a->sink);
	message(a, "%s fault: %s", p->endpoints[region].name, label);
	drill_demo_fault(a, region, label);
	a->dirty[PANE_ENDPOINTS] = true;
}

/* The best-priority online endpoint other than except, or NULL. */
static const char *
best_online(const App *a, const char *except)
{
	const Profile *p = a->cfg->profile;
	const Snapshot *s = snap(a);
	const Endpoint *best = NULL;

	for (int i = 0; i < p->nendpoints && i < s->nendpoints; i++) {
		const Endpoint *ep = &p->endpoints[i];
		if (s->endpoints[i].state != HEALTH_ONLINE ||
		    (except && strcmp(ep->name, except) == 0))
			continue;
		if (best == NULL || ep->priority < best->priority)
			best = ep;
	}
	return best ? best->name : NULL;
}

static void
open_failover(App *a, char kind)
{
	const Profile *p = a->cfg->profile;
	const Snapshot *s = snap(a);
	const char *from = s->route_to, *to = NULL;
	int n = 0;

	if (!s->routed) {
		message(a, "no route yet");
		return;
	}
	if (s->rec_key == kind && s->rec_to[0]) {
		from = s->rec_from[0] ? s->rec_from : s->route_to;
		to = s->rec_to;
	} else if (kind == 'f') {
		int i = a->ui.selected;
		if (i >= 0 && i < p->nendpoints && i < s->nendpoints &&
		    strcmp(p->endpoints[i].name, s->route_to) != 0 &&
		    s->endpoints[i].state != HEALTH_DISABLED)
			to = p->endpoints[i].name;
		else
			to = best_online(a, s->route_to);
	} else {
		to = best_online(a, NULL);
		if (to && strcmp(to, s->route_to) == 0 && !s->manual_override)
			to = NULL;
	}
	if (to == NULL || strcmp(to, from) == 0) {
		message(a,
		    kind == 'f' ? "select the endpoint to fail over to"
		                : "nothing to fail back to");
		return;
	}
	a->ui.fo_kind = kind;
	str_copy(a->ui.fo_from, sizeof(a->ui.fo_from), from);
	str_copy(a->ui.fo_to, sizeof(a->ui.fo_to), to);
	a->ui.fo_action = kind == 'f' ? &p->failover : &p->failback;
	if (a->ui.fo_action->nsteps == 0)
		a->ui.fo_action = NULL;
	a->ui.fo_argv = a->ui.fo_action
	    ? actions_preview(a->ui.fo_action, from, to, p->service, &n)
	    : NULL;
	a->ui.fo_nsteps = n;
	a->ui.confirm_text[0] = '\0';
	a->ui.fo_stage = 0;
	open_dialog(a, DLG_FAILOVER);
}

static void
apply_route(App *a)
{
	char err[256];
	bool manual = a->pending_cause == CAUSE_MANUAL;
	int rc;

	a->pending_apply = false;
	a->operator_routing = true;
	rc = engine_route_manual(a->cfg->engine, a->ui.t,
	    a->pending_to[0] ? a->pending_to : NULL, a->pending_cause, &a->sink,
	    err, sizeof(err));
	a->operator_routing = false;
	if (rc != 0) {
		message(a, "route: %s", err);
		return;
	}
	if (a->af)
		autofail_operator_route(a->af);
	message(a, "%s: traffic %s %s", manual ? "failed over" : "failed back",
	    a->ui.g->arrow, snap(a)->route_to);
}

/* routing.auto_failover: start what autofail asks for; abort an
 * automatic runbook that waits for a retry nobody asked for. */
static void
auto_failover(App *a)
{
	ActionRunner *ar = a->cfg->actions;
	const Profile *p = a->cfg->profile;
	AutofailRequest req;
	ActionStatus st;
	char err[EV_TEXT_MAX];
	ActionsState state;

	if (a->af == NULL || ar == NULL || !autofail_enabled(a->af))
		return;
	state = actions_state(ar);
	if (state == ACTIONS_FAILED) {
		actions_status(ar, &st);
		if (strcmp(st.by, "auto") == 0 &&
		    actions_abort(ar, err, sizeof(err)) == 0)
			message(a, "automatic %s: step %d failed, aborted",
			    st.name, st.failed_step + 1);
		return;
	}
	if (!autofail_next(a->af, a->ui.t, state != ACTIONS_IDLE, &req))
		return;
	if (actions_start(ar, req.name,
	        strcmp(req.name, "failback") == 0 ? &p->failback : &p->failover,
	        req.from, req.to, "auto", err, sizeof(err)) != 0) {
		Event ev;
		event_init(&ev, EV_ERROR, a->ui.t);
		str_copy(
		    ev.u.error.source, sizeof(ev.u.error.source), "autofail");
		snprintf(ev.u.error.message, sizeof(ev.u.error.message),
		    "automatic %s from %s to %s: %.100s", req.name, req.from,
		    req.to, err);
		engine_feed(a->cfg->engine, &ev, &a->sink);
		return;
	}
	message(a, "automatic %s %s %s %s started", req.name, req.from,
	    a->ui.g->arrow, req.to);
	debug(a, "automatic %s from %s to %s started", req.name, req.from,
	    req.to);
}

static void
run_failover(App *a)
{
	char err[256];
	char kind = a->ui.fo_kind;
	const char *name = kind == 'f' ? "failover" : "failback";

	if (!view_failover_matches(&a->ui)) {
		message(a, "type %s exactly, or Esc",
		    a->ui.fo_stage ? "yes" : a->ui.fo_to);
		a->dlg_dirty = true;
		return;
	}
	if (a->cfg->actions && actions_state(a->cfg->actions) != ACTIONS_IDLE) {
		message(a, "an action is running: one at a time (Esc)");
		return;
	}
	if (view_failover_second(&a->ui)) { /* target not ONLINE: ask again */
		open_dialog_window(a);
		return;
	}
	if (a->ui.fo_action && a->cfg->actions) {
		/* the route follows the action's successful outcome */
		if (actions_start(a->cfg->actions, name, a->ui.fo_action,
		        a->ui.fo_from, a->ui.fo_to, "operator", err,
		        sizeof(err)) != 0)
			message(a, "%s: %s", name, err);
		else
			message(a, "%s action started", name);
	} else {
		/* nothing to run: drtop's route changes at once */
		a->pending_apply = true;
		a->pending_cause = kind == 'f' ? CAUSE_MANUAL : CAUSE_FAILBACK;
		str_copy(a->pending_to, sizeof(a->pending_to),
		    kind == 'f' ? a->ui.fo_to : "");
	}
	debug(
	    a, "%s %s -> %s by the operator", name, a->ui.fo_from, a->ui.fo_to);
	close_dialog(a);
}

static void
confirm_text_key(App *a, int ch)
{
	size_t len = strlen(a->ui.confirm_text);

	if (ch < 0x20 || ch > 0xff || ch == 0x7f)
		return;
	if (len + 1 < sizeof(a->ui.confirm_text)) {
		a->ui.confirm_text[len] = (char)ch;
		a->ui.confirm_text[len + 1] = '\0';
	}
	a->dlg_dirty = true;
}

static void
focus_next(App *a, int dir)
{
	static const PaneId order[] = {
	    PANE_ENDPOINTS, PANE_TIMELINE, PANE_EVENTS};
	int k = 0;

	for (int i = 0; i < 3; i++)
		if (order[i] == a->ui.focus)
			k = i;
	k = (k + dir + 3) % 3;
	a->dirty[a->ui.focus] = true;
	a->ui.focus = order[k];
	a->dirty[a->ui.focus] = true;
}

/* A replay that starts over re-feeds everything: what the views built
 * from the earlier output is forgotten first (replay.h). */
static void
forget_views(App *a)
{
	view_events_clear(&a->evlog, &a->ui);
	view_timeline_reset(&a->tl);
	memset(a->ui.probes, 0,
	    ((size_t)a->cfg->profile->nendpoints + 1) * sizeof(ProbeLog));
	a->last_version = (uint64_t)-1;
	a->map_sig = 0;
	mark_all(a, true);
}

static void
replay_key(App *a, KeyAction act)
{
	Replay *r = a->cfg->replay;

	switch (act) {
	case KA_PAUSE:
		if (replay_paused(r))
			replay_resume(r);
		else
			replay_pause(r);
		break;
	case KA_FASTER:
		replay_faster(r);
		break;
	case KA_SLOWER:
		replay_slower(r);
		break;
	case KA_SEEK_NEXT:
		if (!replay_seek_next(r, REPLAY_SEEK_DEFAULT, &a->sink))
			message(a, "no later change: at the end");
		break;
	case KA_SEEK_PREV:
		forget_views(a);
		if (!replay_seek_prev(r, REPLAY_SEEK_DEFAULT, &a->sink))
			message(a, "no earlier change: at the start");
		break;
	case KA_SEEK_START:
		forget_views(a);
		replay_seek_start(r, &a->sink);
		break;
	case KA_SEEK_END:
		replay_seek_end(r, &a->sink);
		break;
	default:
		return;
	}
	a->ui.t = replay_position(r);
	a->dirty[PANE_STATUS] = true;
	a->dirty[PANE_TIMELINE] = true;
}

/* Drills (D, i, m): the glue between the keys, the engine and
 * tui/drillctl. Every drill event goes through the engine, so --record,
 * the event log and the drill log all get it. */
static void
drill_stop(App *a)
{
	char err[512] = "";
	Event ev;

	if (a->dc == NULL || !drillctl_active(a->dc))
		return;
	ev = drillctl_end(a->dc, a->ui.t);
	engine_feed(a->cfg->engine, &ev, &a->sink);
	if (drillctl_finish(a->dc, err, sizeof(err)) != 0)
		message(a, "drill log incomplete: %s", err);
	else
		message(a, "drill log written: %s", drillctl_path(a->dc));
	debug(a, "drill ended: %s", drillctl_path(a->dc));
}

static void
drill_key(App *a, KeyAction act)
{
	if (a->dc == NULL) {
		message(a, "a replay is read-only: no drills");
		return;
	}
	if (act == KA_DRILL && drillctl_active(a->dc)) {
		drill_stop(a);
		return;
	}
	if (act != KA_DRILL && act != KA_MARKER && !drillctl_active(a->dc))
		message(
		    a, "no drill is running: the fault mark is logged only");
	a->ui.drill_ask = act == KA_DRILL ? 'D'
	    : act == KA_MARK_FAULT        ? 'i'
	                                  : 'm';
	a->ui.drill_text[0] = '\0';
	open_dialog(a, DLG_DRILL);
	a->ui.kctx = KCTX_CONFIRM; /* the key bar: Esc, Enter */
}

static void
drill_submit(App *a)
{
	char err[512];
	const char *text = a->ui.drill_text;
	Event ev;

	if (a->ui.drill_ask == 'D') {
		if (drillctl_active(a->dc))
			return;
		if (drillctl_start(
		        a->dc, a->ui.t, text, &ev, err, sizeof(err)) != 0) {
			message(a, "DRILL NOT STARTED: %s", err);
			snprintf(a->ui.drill_line, sizeof(a->ui.drill_line),
			    "DRILL NOT STARTED: %.200s", err);
			a->ui.drill_error = true;
			a->dirty[PANE_STATUS] = true;
			debug(a, "drill not started: %s", err);
			return;
		}
		debug(a, "drill started: %s", drillctl_path(a->dc));
	} else if (a->ui.drill_ask == 'i')
		ev = drillctl_fault(a->dc, a->ui.t, text);
	else
		ev = drillctl_marker(a->dc, a->ui.t, text);
	engine_feed(a->cfg->engine, &ev, &a->sink);
}

static void
drill_dialog_key(App *a, int ch)
{
	KeyAction act = keys_lookup(KCTX_CONFIRM, ch);

	if (act == KA_CLOSE) {
		close_dialog(a);
		message(a, "cancelled");
	} else if (act == KA_CONFIRM) {
		close_dialog(a);
		drill_submit(a);
	} else if (view_drill_edit(&a->ui, act, ch))
		a->dlg_dirty = true;
}

/* The demo switched region's fault to label: the drill's first fault is
 * marked with it. */
static void
drill_demo_fault(App *a, int region, const char *label)
{
	char note[EV_TEXT_MAX];
	Event ev;

	if (a->dc == NULL || strcmp(label, "ok") == 0)
		return;
	snprintf(note, sizeof(note), "demo: %s %s",
	    a->cfg->profile->endpoints[region].name, label);
	if (drillctl_demo_fault(a->dc, a->ui.t, note, &ev))
		engine_feed(a->cfg->engine, &ev, &a->sink);
}

/* The status line's drill text, when it changed. */
static void
drill_update(App *a)
{
	char line[sizeof(a->ui.drill_line)];
	bool error = false;

	if (a->dc == NULL)
		return;
	drillctl_status(a->dc, a->ui.t, line, sizeof(line), &error);
	if (strncmp(a->ui.drill_line, "DRILL NOT STARTED", 17) == 0 &&
	    !drillctl_active(a->dc))
		return; /* the error stays until a drill starts */
	if (strcmp(line, a->ui.drill_line) != 0 || error != a->ui.drill_error) {
		str_copy(a->ui.drill_line, sizeof(a->ui.drill_line), line);
		a->ui.drill_error = error;
		a->dirty[PANE_STATUS] = true;
	}
}

static void
handle_key(App *a, int ch)
{
	KeyAction act;

	if (ch == KEY_RESIZE) {
		if (LINES != a->layout.lines || COLS != a->layout.cols) {
			clearok(curscr, TRUE);
			relayout(a);
		}
		return;
	}
	if (a->dialog == DLG_DRILL) {
		drill_dialog_key(a, ch);
		return;
	}
	if (a->dialog == DLG_CONFIRM || a->dialog == DLG_FAILOVER) {
		act = keys_lookup(KCTX_CONFIRM, ch);
		if (act == KA_CLOSE) {
			close_dialog(a);
			message(a, "cancelled");
		} else if (act == KA_CONFIRM) {
			if (a->dialog == DLG_FAILOVER)
				run_failover(a);
			else
				confirm(a);
		} else if (act == KA_UP || act == KA_DOWN) {
			a->ui.dialog_scroll += act == KA_UP ? -1 : 1;
			if (a->ui.dialog_scroll < 0)
				a->ui.dialog_scroll = 0;
			if (a->ui.dialog_scroll > 200)
				a->ui.dialog_scroll = 200;
			a->dlg_dirty = true;
		} else if (act == KA_ERASE) {
			size_t len = strlen(a->ui.confirm_text);
			/* drop a whole UTF-8 character */
			while (len > 0 &&
			    ((unsigned char)a->ui.confirm_text[len - 1] &
			        0xc0) == 0x80)
				len--;
			if (len > 0)
				len--;
			a->ui.confirm_text[len] = '\0';
			a->dlg_dirty = true;
		} else
			confirm_text_key(a, ch);
		return;
	}
	if (a->dialog != DLG_NONE) {
		act = keys_lookup(KCTX_DIALOG, ch);
		if (act == KA_CLOSE)
			close_dialog(a);
		else if (act == KA_UP && a->ui.dialog_scroll > 0) {
			a->ui.dialog_scroll--;
			a->dlg_dirty = true;
		} else if (act == KA_DOWN && a->ui.dialog_scroll < 200) {
			a->ui.dialog_scroll++;
			a->dlg_dirty = true;
		}
		return;
	}
	if (a->cfg->actions && !a->cfg->replay && !a->layout.too_small) {
		char note[EV_TEXT_MAX + 32];
		if (view_action_key(
		        &a->ui, a->cfg->actions, ch, note, sizeof(note))) {
			if (note[0])
				message(a, "%s", note);
			a->dirty[PANE_MAP] = a->full[PANE_MAP] = true;
			a->dirty[PANE_STATUS] = true;
			return;
		}
	}
	act = keys_lookup(KCTX_MAIN, ch);
	if (act == KA_NONE)
		act = keys_lookup(KCTX_DRILL, ch);
	if (act == KA_NONE && a->cfg->demo)
		act = keys_lookup(KCTX_DEMO, ch);
	if (act == KA_NONE && a->cfg->replay)
		act = keys_lookup(KCTX_REPLAY, ch);
	if (a->layout.too_small && act != KA_QUIT)
		return;
	if (a->cfg->replay && act >= KA_PAUSE && act <= KA_SEEK_END) {
		replay_key(a, act);
		return;
	}
	if (a->cfg->replay &&
	    (act == KA_FAILOVER || act == KA_FAILBACK || act == KA_REPROBE ||
	        act == KA_DISABLE)) {
		message(a, "a replay is read-only");
		return;
	}
	if (act != KA_QUIT)
		a->quit_asked = false;
	switch (act) {
	case KA_QUIT:
		if (a->cfg->actions && actions_running(a->cfg->actions) &&
		    !a->quit_asked) {
			a->quit_asked = true;
			message(a,
			    "an action is running: q again stops it and "
			    "quits");
			break;
		}
		a->quit = true;
		break;
	case KA_FAILOVER:
		open_failover(a, 'f');
		break;
	case KA_FAILBACK:
		open_failover(a, 'b');
		break;
	case KA_HELP:
		open_dialog(a, DLG_HELP);
		break;
	case KA_DETAILS:
		if (a->ui.selected >= 0)
			open_dialog(a, DLG_DETAILS);
		break;
	case KA_THEME:
		next_theme(a);
		break;
	case KA_NEXT_PANE:
		focus_next(a, 1);
		break;
	case KA_PREV_PANE:
		focus_next(a, -1);
		break;
	case KA_REPROBE:
	case KA_DISABLE:
		selected_action(a, act);
		break;
	case KA_FAULT1:
	case KA_FAULT2:
	case KA_FAULT3:
		demo_fault(a, act - KA_FAULT1);
		break;
	case KA_DRILL:
	case KA_MARK_FAULT:
	case KA_MARKER:
		drill_key(a, act);
		break;
	case KA_NONE:
		break;
	default: {
		const ViewOps *ops = pane_ops[a->ui.focus];
		int before = a->ui.selected;
		if (ops->key && ops->key(&a->ui, act)) {
			a->dirty[a->ui.focus] = true;
			if (a->ui.selected != before) {
				a->dirty[PANE_ENDPOINTS] = true;
				a->dirty[PANE_TIMELINE] = true;
			}
		}
		break;
	}
	}
}

/* A cheap signature of what the map shows: states, route, shares. */
static unsigned long
map_signature(const Snapshot *s)
{
	unsigned long h = 5381;

	for (int i = 0; i < s->nendpoints; i++) {
		h = h * 33 + (unsigned long)s->endpoints[i].state;
		h = h * 33 + (unsigned long)(s->endpoints[i].share * 1000);
	}
	for (const char *p = s->route_to; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return h * 33 + (unsigned long)s->fail_open * 7 + s->routed;
}

static void
update_model(App *a)
{
	const Snapshot *s = snap(a);
	long second;
	int64_t slot;

	a->ui.snap = s;
	if (s->version != a->last_version) {
		a->last_version = s->version;
		a->dirty[PANE_ENDPOINTS] = true;
		a->dirty[PANE_TIMELINE] = true;
		a->dirty[PANE_TTL] = true;
		a->dirty[PANE_STATUS] = true;
		unsigned long sig = map_signature(s);
		if (sig != a->map_sig) {
			a->map_sig = sig;
			a->dirty[PANE_MAP] = true;
			a->small_dirty = true;
		}
		if (a->dialog == DLG_DETAILS)
			a->dlg_dirty = true;
	}
	second = (long)floor(a->cfg->start_real + a->ui.t);
	bool new_second = second != a->last_second;
	if (new_second) {
		a->last_second = second;
		a->dirty[PANE_STATUS] = true;
		a->dirty[PANE_TTL] = true;
	}
	slot = (int64_t)floor(a->ui.t / view_timeline_slot(a->cfg->profile));
	if (slot != a->last_slot) {
		a->last_slot = slot;
		a->dirty[PANE_TIMELINE] = true;
	}
	/* probes in flight are sampled with the clock, once a second: a
	 * value that flickers with every probe tells nobody anything */
	int inf = a->ui.in_flight;
	if (new_second && a->cfg->runtime)
		inf = runtime_in_flight(a->cfg->runtime);
	uint64_t ovf = a->cfg->queue ? queue_overflow(a->cfg->queue) : 0;
	if (inf != a->ui.in_flight || ovf != a->ui.overflow) {
		a->ui.in_flight = inf;
		a->ui.overflow = ovf;
		a->dirty[PANE_STATUS] = true;
	}
	if (a->ui.message[0] && a->ui.t >= a->ui.message_until) {
		a->ui.message[0] = '\0';
		a->dirty[PANE_STATUS] = true;
	}
	if (a->cfg->actions) {
		ActionStatus st;
		char line[EV_TEXT_MAX] = "";
		actions_status(a->cfg->actions, &st);
		if (st.state == ACTIONS_RUNNING)
			snprintf(line, sizeof(line), "%s running %.0fs%s%s",
			    st.name, st.elapsed, st.runbook ? " step " : "",
			    st.runbook ? st.step_name : "");
		else if (st.state == ACTIONS_FAILED)
			snprintf(line, sizeof(line), "%s step %d failed",
			    st.name, st.failed_step + 1);
		if (strcmp(line, a->ui.action_line) != 0) {
			str_copy(
			    a->ui.action_line, sizeof(a->ui.action_line), line);
			a->dirty[PANE_STATUS] = true;
		}
	}
	if (a->cfg->actions && view_action_update(&a->ui, a->cfg->actions)) {
		a->dirty[PANE_MAP] = a->full[PANE_MAP] = true;
		a->dirty[PANE_STATUS] = true;
		if (a->dialog == DLG_FAILOVER)
			a->dlg_dirty = true;
	}
	if (a->cfg->replay) {
		Replay *r = a->cfg->replay;
		char m[48], at[24];
		/* Where in the log, as mm:ss of mm:ss (whole seconds, so
		 * the status line changes once a second at most). */
		int pos = (int)fmax(0, replay_position(r) - replay_first_t(r));
		int len = (int)fmax(0, replay_duration(r));
		snprintf(at, sizeof(at), "%02d:%02d/%02d:%02d", pos / 60 % 100,
		    pos % 60, len / 60 % 100, len % 60);
		if (replay_at_end(r))
			snprintf(m, sizeof(m), "REPLAY END %s", at);
		else if (replay_paused(r))
			snprintf(m, sizeof(m), "REPLAY PAUSED %s", at);
		else
			snprintf(
			    m, sizeof(m), "REPLAY x%g %s", replay_speed(r), at);
		if (strcmp(m, a->mode_buf) != 0) {
			str_copy(a->mode_buf, sizeof(a->mode_buf), m);
			a->dirty[PANE_STATUS] = true;
		}
	}
	if (a->cfg->demo)
		for (int i = 0; i < 3; i++)
			a->ui.faults[i] = demo_fault_label(a->cfg->demo, i);
	drill_update(a);
}

static bool
anything_dirty(const App *a)
{
	if (a->layout.too_small)
		return a->small_dirty;
	for (int p = 0; p < PANE__COUNT; p++)
		if (a->dirty[p])
			return true;
	return a->dlg_dirty && a->dialog != DLG_NONE;
}

static void
draw(App *a)
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
		doupdate();
		return;
	}
	for (int p = 0; p < PANE__COUNT; p++) {
		if (!a->dirty[p] || a->win[p] == NULL)
			continue;
		if (a->full[p])
			werase(a->win[p]);
		if (p == PANE_MAP)
			view_map_prepare(&a->canvas, &a->ui,
			    a->layout.pane[p].h, a->layout.pane[p].w);
		if (p == PANE_TIMELINE)
			view_timeline_update(
			    &a->tl, &a->ui, a->layout.pane[p].w);
		(p == PANE_MAP && a->ui.act_show ? &view_action_ops
		                                 : pane_ops[p])
		    ->draw(a->win[p], &a->ui, a->full[p]);
		if (p == PANE_TIMELINE)
			view_timeline_drawn(
			    &a->tl, &a->ui, a->layout.pane[p].h);
		wnoutrefresh(a->win[p]);
		a->dirty[p] = a->full[p] = false;
		any = true;
	}
	if (a->dialog != DLG_NONE && a->dlg && (any || a->dlg_dirty)) {
		if (a->dlg_dirty)
			dialog_ops[a->dialog]->draw(a->dlg, &a->ui, true);
		touchwin(a->dlg);
		wnoutrefresh(a->dlg);
		a->dlg_dirty = false;
	}
	doupdate();
}

static int
poll_timeout_ms(const App *a, double now)
{
	if (a->cfg->replay) {
		/* playing: advance in draw-sized steps; paused: idle */
		double d = replay_paused(a->cfg->replay) ||
		        replay_at_end(a->cfg->replay)
		    ? 1.0
		    : DRAW_INTERVAL;
		if (anything_dirty(a) && a->last_draw + DRAW_INTERVAL - now < d)
			d = a->last_draw + DRAW_INTERVAL - now;
		return d < 0.001 ? 1 : (int)ceil(d * 1000.0);
	}
	double speed = a->cfg->speed > 0 ? a->cfg->speed : 1.0;
	double t = (now - a->cfg->t0) * speed;
	/* what is due, in session seconds: the clock's next second, the
	 * timeline's next slot, the end, an automatic action */
	double next = 1.0 - fmod(a->cfg->start_real + t, 1.0);
	double slot = view_timeline_slot(a->cfg->profile);
	double to_slot = slot - fmod(t, slot);

	if (to_slot < next)
		next = to_slot;
	if (a->cfg->duration > 0 && a->cfg->duration - t < next)
		next = a->cfg->duration - t;
	if (a->af && autofail_due(a->af) >= 0 && autofail_due(a->af) - t < next)
		next = autofail_due(a->af) - t;
	next /= speed; /* wall seconds from here on */
	if (anything_dirty(a)) {
		double d = a->last_draw + DRAW_INTERVAL - now;
		if (d < next)
			next = d;
	}
	/* the wake fd fires only when the queue goes from empty to not
	 * empty: with events left over, come straight back for them */
	if (a->backlog)
		return 0;
	if (next < 0.001)
		next = 0.001;
	return (int)ceil(next * 1000.0);
}

static int
start_curses(App *a)
{
	const char *nc = getenv("NO_COLOR");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
		    "drtop: the console needs a terminal "
		    "(use `drtop watch --json` without one)\n");
		return -1;
	}
	a->screen = newterm(NULL, stdout, stdin);
	if (a->screen == NULL) {
		fprintf(stderr, "drtop: cannot use terminal \"%s\"\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	a->color = has_colors() && !(nc && *nc);
	if (a->color) {
		start_color();
		use_default_colors();
		if (COLORS < 8 || COLOR_PAIRS < ROLE__COUNT + 1)
			a->color = false;
	}
	a->ui.color = a->color;
	return 0;
}

int
app_run(const AppConfig *cfg)
{
	App *a = xcalloc(1, sizeof(*a));
	bool utf8;
	int rc = 0;
	ErrList errs;

	a->cfg = cfg;
	a->record = cfg->record;
	a->sink.fn = on_event;
	a->sink.ctx = a;
	utf8 = !cfg->ascii && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	text_set_ascii(!utf8);
	a->ui.g = glyphs_select(utf8);
	a->ui.profile = cfg->profile;
	a->ui.demo = cfg->demo != NULL;
	a->ui.mode = cfg->mode ? cfg->mode : cfg->demo ? "DEMO" : "LIVE";
	a->ui.extra_kctx = cfg->demo ? KCTX_DEMO
	    : cfg->replay            ? KCTX_REPLAY
	                             : KCTX_MAIN;
	if (cfg->replay) {
		str_copy(a->mode_buf, sizeof(a->mode_buf), "REPLAY");
		a->ui.mode = a->mode_buf;
	}
	a->ui.start_real = cfg->start_real;
	a->ui.selected = cfg->profile->nendpoints > 0 ? 0 : -1;
	a->ui.focus = PANE_ENDPOINTS;
	a->ui.kctx = KCTX_MAIN;
	a->ui.record_path = cfg->record_path;
	a->ui.probes =
	    xcalloc((size_t)cfg->profile->nendpoints + 1, sizeof(ProbeLog));
	a->ui.snap = snap(a);
	a->last_version = (uint64_t)-1;
	a->last_second = -1;
	a->last_slot = INT64_MIN;
	a->ui.events = &a->evlog;
	a->ui.timeline = &a->tl;
	a->ui.map_canvas = &a->canvas;
	view_timeline_reset(&a->tl);
	a->af = cfg->replay ? NULL : autofail_new(cfg->profile);
	a->dc = cfg->engine
	    ? drillctl_new(cfg->profile, cfg->start_real, cfg->demo != NULL)
	    : NULL;

	/* a bad --theme is a usage error, reported before curses starts */
	errlist_init(&errs);
	{
		Theme probe;
		if (cfg->theme && theme_load(&probe, cfg->theme, &errs) != 0) {
			errlist_print(&errs, stderr);
			errlist_fini(&errs);
			autofail_free(a->af);
			free(a->ui.probes);
			free(a);
			return 2;
		}
	}
	if (start_curses(a) != 0) {
		errlist_fini(&errs);
		autofail_free(a->af);
		free(a->ui.probes);
		free(a);
		return 1;
	}
	apply_theme(a, cfg->theme ? cfg->theme : "dark", &errs);
	errlist_fini(&errs);
	debug(a, "start: %s, %s, theme %s, %s", cfg->demo ? "DEMO" : "LIVE",
	    utf8 ? "UTF-8" : "ASCII", a->theme.name,
	    a->color ? "colour" : "no colour");
	relayout(a);

	double now = mono_now();
	a->prev_now = now;
	while (!a->quit) {
		struct pollfd pfd[3] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = cfg->queue ? queue_wake_fd(cfg->queue) : -1,
		        .events = POLLIN},
		    {.fd = sigpipe_fd(), .events = POLLIN},
		};
		int ch;

		if (poll(pfd, 3, poll_timeout_ms(a, now)) < 0 &&
		    errno != EINTR) {
			rc = 1;
			break;
		}
		now = mono_now(); /* the one clock read of this iteration */
		if (cfg->replay) {
			/* the replay's position is the session time */
			replay_advance(
			    cfg->replay, now - a->prev_now, &a->sink);
			a->ui.t = replay_position(cfg->replay);
		} else
			a->ui.t = (now - cfg->t0) *
			    (cfg->speed > 0 ? cfg->speed : 1.0);
		a->prev_now = now;
		if (pfd[2].revents & POLLIN)
			sigpipe_consume();
		if (sigpipe_stop_requested()) {
			debug(a, "stop: signal %d", sigpipe_stop_requested());
			break;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			debug(a, "stop: the terminal went away");
			break;
		}
		if (sigpipe_take_resize())
			resize(a);
		while ((ch = getch()) != ERR && !a->quit)
			handle_key(a, ch);
		a->backlog = false;
		for (int round = 0; cfg->queue && round < DRAIN_ROUNDS;
		     round++) {
			Event evs[DRAIN_BATCH];
			size_t n = queue_drain(cfg->queue, evs, DRAIN_BATCH);
			for (size_t i = 0; i < n; i++)
				engine_feed(cfg->engine, &evs[i], &a->sink);
			if (n < DRAIN_BATCH)
				break;
			a->backlog = round == DRAIN_ROUNDS - 1;
		}
		if (a->pending_apply)
			apply_route(a);
		if (cfg->engine)
			engine_tick(cfg->engine, a->ui.t, &a->sink);
		auto_failover(a);
		if (cfg->replay)
			a->ui.t = replay_position(cfg->replay);
		update_model(a);
		if (cfg->duration > 0 && a->ui.t >= cfg->duration)
			break;
		if (anything_dirty(a) && now - a->last_draw >= DRAW_INTERVAL) {
			draw(a);
			a->last_draw = now;
		}
	}
	drill_stop(a); /* a drill still running ends with the session */
	drillctl_free(a->dc);
	if (a->ui.fo_argv)
		actions_preview_free(a->ui.fo_argv, a->ui.fo_nsteps);
	destroy_windows(a);
	curses_on = 0;
	endwin();
	delscreen(a->screen);
	debug(a, "stopped");
	autofail_free(a->af);
	view_timeline_reset(&a->tl);
	view_map_canvas_free(&a->canvas);
	free(a->ui.probes);
	free(a);
	return rc;
}
