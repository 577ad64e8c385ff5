/*
 * drillctl: the console's drill recording (keys D, i, m). It owns the
 * drill tracker (core/drill) and the drill log's Recorder: `D` opens
 * <drill.dir>/<service>-<UTC>-<name>.jsonl with the session header,
 * every event of the session goes to it until `D` again, and the
 * tracker's derived phases are emitted back into the session's sink
 * (so --record, the event log view and the drill log all get them).
 *
 * Main thread only (the console's loop); no curses. Errors (a drill
 * directory that cannot be created, a file that cannot be opened, write
 * errors) are returned as text for the status line; the console keeps
 * running.
 */
#ifndef DRTOP_DRILLCTL_H
#define DRTOP_DRILLCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/clock.h"
#include "engine/engine.h"
#include "model/event.h"
#include "model/profile.h"

typedef struct DrillCtl DrillCtl;

/*
 * A controller for profile p (borrowed for its lifetime): start_real is
 * real_now() at the session's t = 0 (the drill log's `started` and its
 * file name's time), demo selects the session header's mode.
 */
DrillCtl *drillctl_new(const Profile *p, double start_real, bool demo);

/* Close a drill log left open (no `end` event: call drillctl_end first)
 * and free. NULL is fine. */
void drillctl_free(DrillCtl *c);

/* A drill is being recorded (between start and end). */
bool drillctl_active(const DrillCtl *c);

/*
 * Start a drill named name ("" = "drill") at session time t: creates
 * the drill directory when missing and opens a NEW log (two drills of
 * the same name in the same second get "-2", "-3", ... before
 * ".jsonl"; an existing file is never touched) whose first lines are
 * the session header and the engine's state now (state_line, from
 * core/journal/state; NULL writes none). Returns 0 and the `start`
 * event in *ev, to be fed to the engine (and so to drillctl_on_event);
 * -1 with err = "PATH: reason" when the log cannot be created, or a
 * reason when name holds a control character, a bidirectional control
 * or invalid UTF-8 (no drill starts then).
 */
int drillctl_start(DrillCtl *c, double t, const char *name,
    const char *state_line, Event *ev, char *err, size_t cap);

/* The `end` event at t, to be fed to the engine; then drillctl_finish. */
Event drillctl_end(DrillCtl *c, double t);

/* fsync and close the drill log after its `end` event was fed. Returns
 * 0, or -1 with err set when anything written to it failed. */
int drillctl_finish(DrillCtl *c, char *err, size_t cap);

/* The operator's fault mark (key i) and free-text marker (key m), as
 * events to feed to the engine. note may be "" or NULL. */
Event drillctl_fault(DrillCtl *c, double t, const char *note);
Event drillctl_marker(DrillCtl *c, double t, const char *note);

/*
 * The demo switched a fault on: while a drill runs and no fault was
 * marked yet, *ev gets a `fault` event with note and true is returned.
 */
bool drillctl_demo_fault(DrillCtl *c, double t, const char *note, Event *ev);

/*
 * Every event of the session, in order (call it from the engine's
 * sink): written to the drill log while a drill runs, fed to the
 * tracker, and the derived phases it yields are passed to out (which
 * should come back here with them: drill events are written, the
 * tracker ignores them). Returns -1 when writing it to the drill log
 * failed (see drillctl_status), else 0.
 */
int drillctl_on_event(DrillCtl *c, const Event *ev, const EventSink *out);

/*
 * The status line's drill text at session time now: "DRILL REC name
 * 01:23  fault +0.0s ..." while recording, "drill name 01:40 ended,
 * log PATH" after, "" before any drill. *error is set when the text
 * reports a write error (then it names the lost events and the reason).
 */
void drillctl_status(
    const DrillCtl *c, double now, char *buf, size_t cap, bool *error);

/*
 * The same, for a narrow line: what must never be cut, and nothing else.
 * "REC 01:23 detected +3.1s" (the latest phase only, no name) while
 * recording, "log PATH" after (the path whole, relative when it can be),
 * "NOT RECORDED (N lost)" after a write error.
 */
void drillctl_status_short(
    const DrillCtl *c, double now, char *buf, size_t cap);

/* The current (or last) drill log's path, "" before any drill. */
const char *drillctl_path(const DrillCtl *c);

/* The same, relative to the current directory when under it (to show). */
const char *drillctl_shown(const DrillCtl *c);

#endif
