/*
 * app: the console's main loop. Only the main thread touches curses.
 *
 * DESIGN
 * - One loop: poll() on stdin, the session's out fd and the signal
 *   self-pipe (tui/sigpipe), with a timeout to the next thing due (a
 *   redraw, the clock's next second, the timeline's next slot). Each
 *   iteration reads CLOCK_MONOTONIC once, reads keys until ERR
 *   (KEY_RESIZE included), then, holding the session lock, handles
 *   them, takes what the session emitted into the event log, the
 *   details' probe log and the timeline, and draws into curses'
 *   buffers; doupdate() (the write to the terminal, which a stopped
 *   terminal can block) comes after the lock is released, so the
 *   session thread keeps recording whatever the terminal does.
 * - Key handlers and model updates only set dirty bits; one draw
 *   function repaints the dirty views with wnoutrefresh and calls
 *   doupdate once, at most ~10 times a second. Idle costs one wake-up
 *   a second.
 * - SIGINT, SIGTERM, SIGHUP end the loop; the terminal is restored
 *   before app_run returns (the caller then stops the threads). A crash
 *   through die() restores it too, from any thread (tui/term:
 *   term_die_hook).
 * - The parts: app_state (the session's state), app_model (the engine's
 *   sink; what changed marks panes dirty), app_keys (key tables to
 *   handlers), app_fail (the failover flow, tui/failflow, against the
 *   runner and the engine), app_drill (D, i, m), app_replay (replay
 *   keys and mode line), app_draw (windows, resize, the one draw), term
 *   (curses start and end, the die hook).
 */
#ifndef DRTOP_APP_H
#define DRTOP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "actions/actions.h"
#include "base/clock.h"
#include "engine/engine.h"
#include "journal/recorder.h"
#include "journal/replay.h"
#include "live/runtime.h"
#include "live/session.h"
#include "model/profile.h"
#include "model/queue.h"
#include "sim/demo.h"

typedef struct {
	const Profile *profile; /* borrowed */
	/* A live session: its thread feeds the engine, records, runs
	 * automatic failover (core/live/session); the console reads the
	 * engine's snapshot and acts under the session lock, and shows what
	 * the session hands it. */
	Session *session;
	Engine *engine; /* borrowed: the session's (read under its lock) */
	/* A replay instead of a session (session and engine NULL then): the
	 * console plays it at its speed, read-only (no probes, routes or
	 * actions). */
	Replay *replay;
	Runtime *runtime; /* may be NULL (no live producers) */
	ActionRunner *actions; /* runtime_actions(): failover/failback and
	                          automatic failover; may be NULL */
	Demo *demo; /* non-NULL in --demo: mode DEMO, keys 1-3 */
	double t0; /* mono_now() at the session's t = 0 */
	double start_real; /* real_now() at t = 0 */
	bool ascii; /* --ascii: pure ASCII whatever the locale */
	const char *theme; /* --theme NAME or NULL (dark) */
	const char *record_path; /* --record FILE (the session writes it) */
	double duration; /* > 0: stop at this session time (tests) */
	/* For a replay (or any other feeder of the queue): the word in the
	 * status line instead of LIVE/DEMO, and how fast session time runs
	 * against the monotonic clock (t = (mono_now() - t0) * speed; <= 0
	 * means 1). start_real is then the log's `started`. */
	const char *mode;
	double speed;
} AppConfig;

/*
 * Run the console until q or a stop signal. Call with the locale set
 * (setlocale(LC_CTYPE, "")) and sigpipe_install() done. Returns the exit
 * status: 0 after q or a stop signal, 1 when the terminal cannot be
 * used, 2 for a bad --theme (message on stderr before curses starts).
 */
int app_run(const AppConfig *cfg);

#endif
