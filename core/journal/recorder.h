/*
 * recorder: writes the JSONL event log of DESIGN.md ("Event log") to a
 * file, durably enough that a kill -9 at any moment leaves a file whose
 * every complete line parses.
 *
 * DESIGN: every line goes to the kernel with ONE write(2) on an O_APPEND
 * descriptor (no stdio buffer), so each event is flushed as it is written
 * and a crash can only ever cut the last line. fsync(2) runs at every
 * `drill` and `marker` event and at close. A short write (disk full, file
 * size limit) is cut back with ftruncate(2) to the last whole line so no
 * torn line is ever followed by another one.
 *
 * Write errors never crash and never stop recording: they are returned,
 * remembered (recorder_error) and counted; every later write tries again.
 * When a write succeeds after failures, an `error` event (source
 * "recorder", "N events not recorded: REASON") is written first so the
 * log itself and the report show the gap.
 *
 * A Recorder has one owner thread (the main loop); it is not locked.
 * Secrets never reach it: events carry none, and the session line is
 * built from a redacted profile (profile_to_json(p, true)).
 */
#ifndef DRTOP_RECORDER_H
#define DRTOP_RECORDER_H

#include <stddef.h>

#include "model/event.h"

typedef struct Recorder Recorder;

/*
 * Create the log at path, mode 0644, and write session_line (a whole
 * line ending in '\n', from event_session_line()) and, for a drill log,
 * state_line (core/journal/state; NULL for none) in ONE write, so a
 * kill -9 never leaves one without the other. An existing regular file
 * is never truncated or appended to: it is an error (err says so); an
 * existing FIFO or device is written to. Returns NULL with err = "PATH:
 * reason" only when the file cannot be opened. When the header itself
 * cannot be written (disk full) the Recorder is still returned with
 * recorder_error() set, and the header is written before the next event
 * that can be written.
 */
Recorder *recorder_open(const char *path, const char *session_line,
    const char *state_line, char *err, size_t cap);

/*
 * Append ev as one line. Returns 0 when the whole line reached the
 * kernel (and, for drill and marker events, the disk), -1 on a write or
 * fsync error (remembered in recorder_error(); the event is lost).
 */
int recorder_write(Recorder *r, const Event *ev);

/* The last error as "PATH: reason", or NULL while nothing has failed.
 * Stays set after later successes; valid until the next call. */
const char *recorder_error(const Recorder *r);

/* Events lost to write errors so far. */
unsigned long recorder_lost(const Recorder *r);

/* Events written whole so far. */
unsigned long recorder_written(const Recorder *r);

/*
 * fsync and close. Returns 0, or -1 when the final fsync/close failed or
 * any write ever failed (err, if not NULL, gets the last error).
 * recorder_close(NULL, ...) is safe and returns 0.
 */
int recorder_close(Recorder *r, char *err, size_t cap);

#endif
