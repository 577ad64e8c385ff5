/*
 * view: what every pane of the console shares. A view is one level of
 * ops (draw, key) over a window; it draws only from the UiState it is
 * passed: the engine's snapshot plus what the console owns and points
 * to (its selection, the event log, the timeline's cells, the map's
 * canvas, the failover flow, the theme), never from live engine or
 * queue state, and it keeps no state of its own between draws. Key
 * handlers only change the selection or scroll position and return
 * whether they used the key; the console (tui/app_keys) decides what to
 * redraw. Main thread only.
 */
#ifndef DRTOP_VIEW_H
#define DRTOP_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "actions/actions.h"
#include "curses.h"
#include "engine/engine.h"
#include "failflow.h"
#include "glyphs.h"
#include "keys.h"
#include "layout.h"
#include "model/profile.h"
#include "theme.h"

#define UI_PROBES_KEPT 8 /* probes with timings kept per endpoint */

/* The last probes of one endpoint, for the details dialog. */
typedef struct {
	double t[UI_PROBES_KEPT];
	ProbeEvent p[UI_PROBES_KEPT];
	int start, len;
} ProbeLog;

/* The console's logs, owned by the app and drawn read-only (their
 * views' headers define them). */
typedef struct EventLog EventLog;
typedef struct TimelineState TimelineState;
typedef struct MapCanvas MapCanvas;

/* What the action panel showed last (view_action_update): a change of
 * any of these repaints it. */
typedef struct {
	ActionsState state;
	int step, nlines, elapsed_s;
	bool has_run, has_result;
	char last[EV_TEXT_MAX];
} ActionShown;

typedef struct {
	const Profile *profile;
	const Snapshot *snap;
	const Glyphs *g;
	const Layout *layout;
	bool demo;
	const char *mode; /* "LIVE", "DEMO", or the caller's ("REPLAY") */
	bool color; /* colour pairs in use */
	const Theme *theme; /* the applied theme: roles to curses attributes */
	int selected; /* endpoint index, or -1 when there is none */
	PaneId focus; /* PANE_ENDPOINTS, PANE_TIMELINE or PANE_EVENTS */
	double t; /* session time now (seconds since t0) */
	double start_real; /* CLOCK_REALTIME at t = 0 */
	int in_flight;
	uint64_t overflow; /* events the session's in queue dropped: a gap */
	uint64_t display_dropped; /* events the display could not keep */
	/* this machine's own trouble (an error event of source "local"),
	 * shown until it clears; "" = none */
	char local_line[EV_TEXT_MAX];
	const char *faults[3]; /* demo: each region's fault label */
	const char *record_path; /* --record FILE, or NULL */
	/* the notice line: the last message, shown over the key bar until
	 * a key is pressed (the events pane keeps what happened) */
	char message[256];
	ProbeLog *probes; /* nendpoints entries */
	const EventLog *events; /* the event log pane's lines */
	int events_scroll; /* lines scrolled up from the bottom; 0 = follow */
	const TimelineState *timeline; /* the probe timeline's cells */
	const MapCanvas *map_canvas; /* the map's land */
	KeyContext kctx; /* the context keys go to: drives the key bar */
	KeyContext extra_kctx; /* KCTX_DEMO, KCTX_REPLAY, or KCTX_MAIN */
	/* dialogs */
	int dialog_scroll;
	int confirm_idx; /* endpoint the confirmation is for */
	bool confirm_disable; /* true: disable; false: enable */
	char confirm_text[EV_NAME_MAX * 4];
	/* the failover / failback flow (tui/failflow): its dialog */
	const FailFlow *ff;
	char action_line[EV_TEXT_MAX]; /* "failover running 3s"; "" = idle */
	/* drill recording (tui/drillctl, view_drill) */
	char drill_line[240]; /* "DRILL REC name 01:23 ..."; "" = none yet */
	char drill_short[240]; /* for a narrow line: "REC 01:23 detected ..." */
	bool drill_error; /* drill_line reports a write error */
	char drill_ask; /* the prompt: 'D' name, 'i' fault note, 'm' marker */
	double drill_fault_t; /* when i was pressed (the fault's time) */
	char drill_text[EV_TEXT_MAX / 2]; /* what was typed into it */
	/* the action panel (view_action), drawn over the map while shown */
	bool act_show;
	ActionStatus act; /* the runner's status, refreshed each loop */
	ActionShown act_shown;
} UiState;

typedef struct {
	/* Draw into w (sized to the pane's rectangle). full: the window
	 * is new or was cleared; otherwise only what changed is needed. */
	void (*draw)(WINDOW *w, const UiState *u, bool full);
	/* Handle a navigation key when focused; true when used. NULL for
	 * panes that take no focus. */
	bool (*key)(UiState *u, KeyAction a);
} ViewOps;

/* Helpers shared by views (view.c). */

/* The state word: ONLINE, DEGRADED, CHECKING, DISABLED. */
const char *view_state_word(HealthState s);
/* The role that colours a state. */
Role view_state_role(HealthState s);
/* A pane's title row: " title " on a line of hline glyphs, in the
 * focused role when focused; extra (may be NULL) follows the title in
 * role extra_role. */
void view_title(WINDOW *w, const UiState *u, const char *title, bool focused,
    const char *extra, Role extra_role);
/* A pane's title row carrying the traffic line (tui/truth): " title "
 * first when title is not NULL and the line's shortest form still fits
 * after it (else the line alone), then the line fitted to the rest of
 * the row (cut with an ellipsis only when even its shortest form does
 * not fit the whole row). */
void view_title_truth(WINDOW *w, const UiState *u, const char *title);
/* "HH:MM:SS" local wall-clock time of session time t. */
void view_clock(const UiState *u, double t, char *buf, size_t cap);
/* Short text of a probe result: "200", "500 status", "refused". */
void view_probe_result(const ProbeEvent *p, char *buf, size_t cap);
/* Clear w and draw a box with a title in the dialog role. */
void view_box(WINDOW *w, const UiState *u, const char *title);
/* A latency for a narrow column: "<1", "12", "1234"; "" when < 0. */
void view_ms(double ms, char *buf, size_t cap);
/* Rows of the endpoint list and the timeline: the profile's endpoints,
 * then the client's-eye probe (`public`) when the profile has one. The
 * selection (UiState.selected) runs over all of them; the public row's
 * index is profile->nendpoints. */
int view_rows(const UiState *u);
/* True when row i is the client's-eye probe's. */
bool view_row_is_public(const UiState *u, int i);

#define VIEW_BANNERS_MAX 3

/* One banner: text and role. */
typedef struct {
	char text[EV_TEXT_MAX + 64];
	Role role;
} Banner;

/*
 * The banners due now, most urgent first: FAIL-OPEN, the engine's
 * recommendation, a diverged resolver (tui/truth). The endpoint list's
 * title shows the first, the timeline's the second. They take no keys.
 * Returns how many (at most max).
 */
int view_banners(const UiState *u, Banner *out, int max);

/* Blank rows y0..h-1 of w. */
void view_clear_rows(WINDOW *w, int y0);

#endif
