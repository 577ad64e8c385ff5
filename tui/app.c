#include "app.h"

#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_draw.h"
#include "app_drill.h"
#include "app_fail.h"
#include "app_keys.h"
#include "app_model.h"
#include "app_state.h"
#include "base/clock.h"
#include "glyphs.h"
#include "sigpipe.h"
#include "term.h"
#include "text.h"

#define DRAIN_BATCH 64 /* events per drain: 64 x ~2.4 KiB on the stack */
#define DRAIN_ROUNDS 64 /* batches per loop, so keys stay responsive */
#define KEYS_PER_ROUND 64 /* keys read per loop */

/* How long poll() may sleep: until the next thing due. */
static int
poll_timeout_ms(const App *a, double now)
{
	if (a->cfg->replay) {
		/* playing: advance in draw-sized steps; paused: idle */
		double d = replay_paused(a->cfg->replay) ||
		        replay_at_end(a->cfg->replay)
		    ? 1.0
		    : APP_DRAW_INTERVAL;
		if (app_draw_dirty(a) &&
		    a->last_draw + APP_DRAW_INTERVAL - now < d)
			d = a->last_draw + APP_DRAW_INTERVAL - now;
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
	next /= speed; /* wall seconds from here on */
	if (app_draw_dirty(a)) {
		double d = a->last_draw + APP_DRAW_INTERVAL - now;
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

/* What the session emitted, into the display's logs; a bounded number
 * per loop (what the display cannot keep up with, the session drops and
 * counts: the record has it). */
static void
drain(App *a)
{
	Session *s = a->cfg->session;

	a->backlog = false;
	for (int round = 0; s && round < DRAIN_ROUNDS; round++) {
		Event evs[DRAIN_BATCH];
		size_t n = session_out_drain(s, evs, DRAIN_BATCH);
		for (size_t i = 0; i < n; i++)
			app_model_on_event(a, &evs[i]);
		if (n < DRAIN_BATCH)
			break;
		a->backlog = round == DRAIN_ROUNDS - 1;
	}
}

/* The session's time now: the replay's position, or the clock's. */
static void
set_time(App *a, double now)
{
	const AppConfig *cfg = a->cfg;

	if (cfg->replay) {
		replay_advance(cfg->replay, now - a->prev_now, &a->sink);
		a->ui.t = replay_position(cfg->replay);
	} else
		a->ui.t = (now - cfg->t0) * (cfg->speed > 0 ? cfg->speed : 1.0);
	a->prev_now = now;
}

/* The loop; returns the exit status. The terminal is held (term.h)
 * except while poll() sleeps. */
static int
loop(App *a)
{
	const AppConfig *cfg = a->cfg;
	double now = mono_now();

	a->prev_now = now;
	while (!a->quit) {
		struct pollfd pfd[3] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = cfg->session ? session_out_fd(cfg->session) : -1,
		        .events = POLLIN},
		    {.fd = sigpipe_fd(), .events = POLLIN},
		};
		int keys[KEYS_PER_ROUND], nkeys = 0, ch;
		int timeout = poll_timeout_ms(a, now), rc;
		bool draw;

		term_release();
		rc = poll(pfd, 3, timeout);
		term_hold();
		if (rc < 0 && errno != EINTR)
			return 1;
		/* keys before the lock: reading the terminal never holds up
		 * the session */
		while (nkeys < KEYS_PER_ROUND && (ch = getch()) != ERR)
			keys[nkeys++] = ch;
		if (cfg->session)
			session_lock(cfg->session);
		now = mono_now(); /* the one clock read of this iteration */
		set_time(a, now);
		if (pfd[2].revents & POLLIN)
			sigpipe_consume();
		if (sigpipe_stop_requested()) {
			app_state_debug(
			    a, "stop: signal %d", sigpipe_stop_requested());
			a->quit = true;
		} else if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			app_state_debug(a, "stop: the terminal went away");
			a->quit = true;
		}
		if (!a->quit && sigpipe_take_resize())
			app_draw_resize(a);
		for (int k = 0; k < nkeys && !a->quit; k++)
			app_keys_handle(a, keys[k]);
		drain(a);
		app_fail_apply_route(a);
		if (cfg->replay)
			a->ui.t = replay_position(cfg->replay);
		app_model_update(a);
		if (cfg->duration > 0 && a->ui.t >= cfg->duration)
			a->quit = true;
		draw = !a->quit && app_draw_dirty(a) &&
		    now - a->last_draw >= APP_DRAW_INTERVAL;
		if (draw) {
			app_draw_frame(a); /* into curses' buffers only */
			a->last_draw = now;
		}
		if (cfg->session)
			session_unlock(cfg->session);
		if (draw)
			doupdate(); /* may block on a stopped terminal */
		if (nkeys == KEYS_PER_ROUND)
			a->backlog = true; /* more keys are waiting */
	}
	return 0;
}

/* The App for cfg, before curses starts. */
static App *
app_new(const AppConfig *cfg)
{
	App *a = xcalloc(1, sizeof(*a));
	bool utf8 = !cfg->ascii && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	a->cfg = cfg;
	a->sink.fn = app_model_on_event;
	a->sink.ctx = a;
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
	a->ui.kctx = cfg->replay ? KCTX_VIEW : KCTX_MAIN;
	a->ui.record_path = cfg->record_path;
	a->ui.probes =
	    xcalloc((size_t)cfg->profile->nendpoints + 1, sizeof(ProbeLog));
	a->ui.snap = app_state_snap(a);
	a->ui.events = &a->evlog;
	a->ui.timeline = &a->tl;
	a->ui.map_canvas = &a->canvas;
	a->ui.ff = &a->ff;
	a->ui.layout = &a->layout;
	a->last_version = (uint64_t)-1;
	a->last_second = -1;
	a->last_slot = INT64_MIN;
	view_timeline_reset(&a->tl);
	failflow_init(&a->ff);
	a->dc = cfg->session ? session_drill(cfg->session) : NULL;
	return a;
}

static void
app_free(App *a)
{
	failflow_fini(&a->ff);
	view_timeline_reset(&a->tl);
	view_map_canvas_free(&a->canvas);
	free(a->ui.probes);
	free(a);
}

int
app_run(const AppConfig *cfg)
{
	ErrList errs;
	Theme probe;
	App *a;
	int rc;

	/* a bad --theme is a usage error, reported before curses starts */
	errlist_init(&errs);
	if (cfg->theme && theme_load(&probe, cfg->theme, &errs) != 0) {
		errlist_print(&errs, stderr);
		errlist_fini(&errs);
		return 2;
	}
	a = app_new(cfg);
	a->screen = term_start(&a->color);
	if (a->screen == NULL) {
		errlist_fini(&errs);
		app_free(a);
		return 1;
	}
	a->ui.color = a->color;
	app_draw_theme(a, cfg->theme ? cfg->theme : "dark", &errs);
	errlist_fini(&errs);
	app_state_debug(a, "start: %s, %s, theme %s, %s",
	    cfg->demo ? "DEMO" : "LIVE", a->ui.g->utf8 ? "UTF-8" : "ASCII",
	    a->theme.name, a->color ? "colour" : "no colour");
	term_test_hooks();
	app_draw_relayout(a);
	rc = loop(a);
	/* a drill still running ends with the session (session_stop) */
	app_draw_free(a);
	term_end(a->screen);
	app_state_debug(a, "stopped");
	app_free(a);
	return rc;
}
