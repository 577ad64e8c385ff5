/*
 * app_state: the state of one console session, shared by the parts of
 * the console's loop (tui/app and its app_* modules: model, draw, keys,
 * fail, drill, replay), and the few helpers they all use. Only the
 * loop's modules include this header; views see UiState only.
 *
 * Ownership: App owns the windows, the logs the views draw (event log,
 * timeline, map canvas, probe logs), the failover flow, the autofail
 * and drill controllers; cfg and everything it points to is borrowed.
 * Main thread only.
 */
#ifndef DRTOP_APP_STATE_H
#define DRTOP_APP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "curses.h"
#include "failflow.h"
#include "layout.h"
#include "live/drillctl.h"
#include "theme.h"
#include "view.h"
#include "view_events.h"
#include "view_map.h"
#include "view_timeline.h"

#define APP_DRAW_INTERVAL 0.1 /* seconds between redraws, at most */

typedef enum {
	DLG_NONE,
	DLG_HELP,
	DLG_DETAILS,
	DLG_CONFIRM, /* disable / enable an endpoint: type its name */
	DLG_FAILOVER, /* the failover flow's dialog (tui/failflow) */
	DLG_DRILL, /* D, i, m: a line of text */
	DLG__COUNT
} Dialog;

typedef struct {
	const AppConfig *cfg;
	UiState ui; /* what the views draw from */
	Layout layout;
	Theme theme;
	bool color;
	SCREEN *screen;
	/* windows (tui/app_draw) */
	WINDOW *win[PANE__COUNT];
	WINDOW *small; /* the too-small screen */
	WINDOW *dlg;
	Dialog dialog;
	/* what needs drawing: set by the model and the keys, cleared by
	 * the one draw */
	bool dirty[PANE__COUNT], full[PANE__COUNT];
	bool dlg_dirty, small_dirty;
	double last_draw; /* monotonic */
	/* what the panes showed last (tui/app_model) */
	uint64_t last_version;
	long last_second; /* wall-clock second shown */
	int64_t last_slot; /* timeline slot shown */
	unsigned long map_sig;
	char mode_buf[48]; /* "REPLAY x2 00:12/01:30", "REPLAY PAUSED ..." */
	/* the loop */
	bool quit;
	bool quit_asked; /* q while an action runs: the next q quits */
	bool backlog; /* the out queue held more than one loop drains */
	double prev_now; /* the previous iteration's clock (replay) */
	/* the display's sink: what the session (or the replay) emitted, for
	 * the event log, the timeline and the details (app_model_on_event) */
	EventSink sink;
	unsigned long record_lost; /* shown once more were lost */
	FailFlow ff; /* f, b, R, A: the failover flow (tui/failflow) */
	/* D, i, m: the session's drill log; NULL in replay. Under the
	 * session lock only. */
	DrillCtl *dc;
	/* what the views draw, owned here (UiState points at them) */
	EventLog evlog;
	TimelineState tl;
	MapCanvas canvas;
} App;

/* The model the views draw: the engine's or the replay's. */
const Snapshot *app_state_snap(const App *a);

/* A note on the notice line, over the key bar, until a key is pressed. */
void app_state_message(App *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A line in --debug-log ("console: ..."); a no-op without it. */
void app_state_debug(const App *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Every pane (and the dialog, the too-small screen) needs drawing; full:
 * from scratch. */
void app_state_mark_all(App *a, bool full);

#endif
