/*
 * replay: the player behind `drtop replay`. It reads a drill log
 * (core/logread), rebuilds the recorded profile from the session header
 * (with `--set KEY=VALUE` what-ifs applied), owns an Engine and a drill
 * tracker, and feeds them the log at virtual time.
 *
 * The engine gets only the recorded inputs (every type but those
 * engine_derives()): it re-derives health, routes, convergence and
 * divergence itself, and the caller sees the re-derived ones, never the
 * recorded ones. Recorded operator routes (cause manual or failback) are
 * replayed as engine_route_manual() and an operator's disable/enable as
 * engine_set_disabled(), at their recorded time. Before each event whose
 * t is later than the engine's time (derived ones included, so
 * deadline-driven routes come at their recorded t) the engine is ticked
 * to that t, as report_whatif does. Without --set the re-derived events
 * must equal the recorded ones; replay_check() counts the differences
 * (the determinism check).
 *
 * Drill phases: recorded start/fault/end drive the tracker (and pass
 * through the engine). Recorded detected/failover/converged/restored
 * pass through unchanged without --set; with --set they are dropped and
 * the tracker's re-derived phases are emitted instead.
 *
 * Time: the position is a log time t. At open it is the first event's t
 * and nothing has been fed; every replay_advance and seek feeds out every
 * event with t <= the new position, in log order, so after any call the
 * caller has seen exactly the events up to the position. Seeking
 * backwards (prev, start) starts again from the top of the file with a
 * fresh engine and tracker and re-feeds everything up to the target: the
 * caller must forget what it built from earlier output (event lists,
 * timelines) BEFORE calling them, and read state only through
 * replay_snapshot()/replay_drill(), never keep pointers across calls.
 *
 * One owner thread (the console's main loop or a test); not locked. No
 * clock is read: wall_dt comes from the caller.
 */
#ifndef DRTOP_REPLAY_H
#define DRTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/drill.h"
#include "engine/engine.h"
#include "model/event.h"
#include "model/profile.h"

#define REPLAY_SPEED_MIN 0.25
#define REPLAY_SPEED_MAX 64.0

/* Kinds for the seeks: a bit per EventType. ] and [ use the default. */
#define REPLAY_KIND(type) (1u << (type))
#define REPLAY_SEEK_DEFAULT                                                    \
	(REPLAY_KIND(EV_HEALTH) | REPLAY_KIND(EV_ROUTE) | REPLAY_KIND(EV_DRILL))

typedef struct Replay Replay;

/*
 * Open the log at path, check every line of it once (so a bad log fails
 * here, not half-way through playing it), rebuild its profile and apply
 * sets (nsets assignments "KEY=VALUE", profile_set). Returns NULL with
 * err set: "PATH: reason", "PATH:LINE: message" for a bad line (the
 * reader's), "PATH: the session header has no profile", or
 * "--set KEY=VALUE: reason". A truncated last line is not an error (see
 * replay_warning). Speed starts at 1, not paused.
 */
Replay *replay_open(const char *path, const char *const *sets, int nsets,
    char *err, size_t cap);

/* replay_free(NULL) is safe. */
void replay_free(Replay *r);

/* The session header, the rebuilt profile (with the sets applied), the
 * engine's and the tracker's state. Valid until the next call that
 * feeds or seeks. */
const SessionHeader *replay_header(const Replay *r);
const Profile *replay_profile(const Replay *r);
const Snapshot *replay_snapshot(const Replay *r);
const Drill *replay_drill(const Replay *r);
/* True when --set assignments are in force (a what-if). */
bool replay_whatif(const Replay *r);

/*
 * Move the position by wall_dt * speed (not while paused; never past the
 * last event) and feed out every event up to it. out may be NULL.
 */
void replay_advance(Replay *r, double wall_dt, const EventSink *out);

/* Speed: clamped to [REPLAY_SPEED_MIN, REPLAY_SPEED_MAX]; faster and
 * slower double and halve it. */
void replay_set_speed(Replay *r, double speed);
void replay_faster(Replay *r);
void replay_slower(Replay *r);
double replay_speed(const Replay *r);

void replay_pause(Replay *r);
void replay_resume(Replay *r);
bool replay_paused(const Replay *r);

/*
 * Jump to the next output event (re-derived or passed through) whose
 * type is in kinds, feeding everything up to and including its t.
 * Returns true when one was found, false at the end (the position is
 * then the last event's t, everything fed).
 */
bool replay_seek_next(Replay *r, unsigned kinds, const EventSink *out);

/*
 * Jump back to the latest output event of kinds with t < position:
 * starts over and re-feeds up to and including its t. Without one it is
 * replay_seek_start and returns false.
 */
bool replay_seek_prev(Replay *r, unsigned kinds, const EventSink *out);

/* Start over: the position is the first event's t, those events fed. */
void replay_seek_start(Replay *r, const EventSink *out);

/* Feed everything: the position is the last event's t. */
void replay_seek_end(Replay *r, const EventSink *out);

/* The position (a log t), the first and last events' t, last - first. */
double replay_position(const Replay *r);
double replay_first_t(const Replay *r);
double replay_last_t(const Replay *r);
double replay_duration(const Replay *r);
/* Every event has been fed. */
bool replay_at_end(const Replay *r);
/* Events in the log (checked at open), and fed so far. */
unsigned long replay_nevents(const Replay *r);
unsigned long replay_fed(const Replay *r);

/* "PATH:LINE: truncated last line skipped" or NULL. */
const char *replay_warning(const Replay *r);
/* A read error after open (the file changed under us): "PATH:LINE:
 * message"; the replay then behaves as if the log ended there. NULL
 * while none. */
const char *replay_error(const Replay *r);

/* The determinism check, over what has been fed so far. */
typedef struct {
	unsigned long recorded; /* derived events read from the log */
	unsigned long rederived; /* derived events the engine emitted */
	unsigned long mismatches; /* pairs that differ, plus the unpaired */
	/* Re-derived from the log's very last event and not in the log: a
	 * recorder killed between an input and what it caused. Not counted
	 * as mismatches. */
	unsigned long tail;
	long first_line; /* log line of the first difference; 0 = none */
	/* "recorded {...} re-derived {...}", cut to fit; "" = none */
	char first[1024];
} ReplayCheck;

/* Pairs the recorded derived events with the re-derived ones in order;
 * an unpaired one (still waiting for its pair) counts as a mismatch
 * (except the tail, above), so read it at the end (replay_seek_end).
 * At most REPLAY_PENDING_MAX wait: past that the oldest counts as
 * unpaired at once (memory stays bounded whatever the log holds). */
#define REPLAY_PENDING_MAX 4096
void replay_check(const Replay *r, ReplayCheck *out);

#endif
