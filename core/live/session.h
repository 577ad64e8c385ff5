/*
 * session: the core loop of a live session. One thread owns the engine
 * and everything that records: it drains the producers' queue, feeds the
 * engine, writes --record and the drill log, runs automatic failover,
 * and hands what the engine emitted to the reader (the console or
 * `watch`) through a bounded out queue. The reader writes to a terminal
 * or stdout; when it stops (Ctrl-S, a stalled SSH session, a slow pipe)
 * it may miss what is SHOWN, never what is RECORDED.
 *
 * DESIGN
 * - Threads: the session thread (this module) and one reader thread (the
 *   console's main loop, or watch's). Producers (probe, DNS, actions)
 *   only push into the in queue.
 * - One mutex, the session lock, guards the engine, the recorder, the
 *   drill log, autofail and the action runner's control calls. The
 *   session thread holds it while it feeds a batch; the reader holds it
 *   while it reads the snapshot or draws into curses' buffers and while
 *   it acts for the operator (session_route_manual, ...), never while it
 *   writes to its terminal or stdout. So the record waits at most for a
 *   draw's worth of CPU, never for a reader's I/O.
 * - Out queue: every event the engine emits (inputs and derived, drill
 *   phases included) is copied into it with queue_try_push (never
 *   blocks). What does not fit is counted; for `watch`
 *   (SESSION_OUT_EVIDENCE) the gap is also written into the record as
 *   an `error` event (source "stdout", first and last t, count) and
 *   pushed to the reader once there is room again, so stdout shows it
 *   too. For the console (display only) it is counted and shown.
 * - In queue overflow (producers faster than the engine) is a gap in
 *   the record itself: an `error` event (source "queue") with its span
 *   and count, in the record and to the reader.
 * - Time: the session thread reads CLOCK_MONOTONIC once per round and
 *   ticks the engine at least every SESSION_TICK seconds.
 * - Stop: a flag and a byte in a pipe, then join; what the producers
 *   left in the in queue still goes through the engine into the record
 *   (session_stop after runtime_stop).
 */
#ifndef DRTOP_SESSION_H
#define DRTOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "journal/recorder.h"
#include "live/drillctl.h"
#include "live/runtime.h"
#include "model/profile.h"
#include "model/queue.h"

#define SESSION_TICK 0.1 /* seconds between engine ticks when idle */

typedef enum {
	SESSION_OUT_DISPLAY, /* the console: drops are counted, shown */
	SESSION_OUT_EVIDENCE /* watch: drops are also a gap in the record */
} SessionOut;

typedef struct {
	const Profile *p; /* borrowed, outlives the session */
	Engine *engine; /* borrowed; the session thread feeds it */
	Queue *in; /* borrowed: the producers' queue */
	Runtime *rt; /* borrowed, may be NULL: producers, actions */
	Recorder *record; /* borrowed, may be NULL: --record */
	double t0; /* mono_now() at the session's t = 0 */
	double start_real; /* real_now() at t = 0 */
	bool demo; /* the drill log's mode */
	SessionOut out_kind;
	size_t out_capacity; /* events the reader may be behind; 0 = auto */
	double duration; /* > 0: the thread stops feeding past it (watch) */
} SessionConfig;

typedef struct Session Session;

/* Roughly how many events a second a live session of p produces (a probe
 * and a health-or-less per endpoint interval, two per resolver poll): what
 * readers size their queues from. */
double session_event_rate(const Profile *p);

/* Start the session thread. Returns NULL with err when the thread or
 * the out queue cannot be created. Reader thread. */
Session *session_start(const SessionConfig *cfg, char *err, size_t errcap);

/*
 * Stop the thread, then feed what is left in the in queue through the
 * engine into the record (call after runtime_stop, so nothing more
 * arrives; the session no longer touches the runtime from here on) and
 * close a drill log still open (its `end` at t). The out
 * queue stays readable for the reader's last write. Once only (later
 * calls do nothing). Reader thread.
 */
void session_halt(Session *s, double t);

/* session_halt, then free. session_stop(NULL) is safe. Reader thread. */
void session_stop(Session *s, double t);

/* The fd that is readable when the out queue holds events. */
int session_out_fd(const Session *s);

/* Take up to max events from the out queue (reader thread). */
size_t session_out_drain(Session *s, Event *out, size_t max);

/* Events the out queue could not take so far (shown by the console). */
uint64_t session_out_dropped(const Session *s);

/* Events the in queue dropped so far (producers faster than the
 * engine: a gap in the record). Any thread. */
uint64_t session_in_dropped(const Session *s);

/* True once the session thread has stopped feeding (duration reached).
 * Any thread. */
bool session_done(const Session *s);

/*
 * The session lock. While it is held the engine, the drill log and the
 * runner are the caller's: engine_snapshot() may be read and the calls
 * below made. Never hold it across I/O to a terminal or stdout.
 */
void session_lock(Session *s);
void session_unlock(Session *s);

/* --- with the lock held ------------------------------------------- */

/* The operator's route (engine_route_manual through the session's sink:
 * recorded, shown, autofail told it is the operator's). */
int session_route_manual(Session *s, double t, const char *to, RouteCause cause,
    char *err, size_t errcap);

/* The operator disables or enables an endpoint. */
void session_set_disabled(Session *s, double t, const char *name, bool dis);

/* An event of the operator's (a drill start/fault/marker/end, an error
 * of the reader's own) into the engine through the session's sink. */
void session_feed(Session *s, const Event *ev);

/* The drill log (keys D, i, m); owned by the session. */
DrillCtl *session_drill(Session *s);

/* Record write failures so far, and the last error ("" when none). */
unsigned long session_record_lost(const Session *s, char *err, size_t cap);

#endif
