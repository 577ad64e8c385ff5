/*
 * outbuf: a child's output as lines, bounded. Bytes go in, in chunks of
 * any size cut anywhere; complete lines come out through a callback. Pure
 * (no process, no thread, no clock): the action runner feeds it what it
 * reads from a step's pipe, and tests feed it strings.
 *
 * - A line ends at '\n'. '\r' is dropped wherever it stands. Control
 *   characters but tab, and bytes that are not valid UTF-8, become '?'
 *   (utf8_sanitize), so a line is safe on a terminal and in JSON.
 * - A line longer than OUTBUF_LINE_MAX bytes is passed on in pieces of at
 *   most that many bytes, never cut inside a UTF-8 sequence.
 * - Lines are passed on until keep_bytes bytes or max_lines lines have
 *   gone by, whichever ends first (the piece pending when the byte
 *   budget runs out is passed on as the last one). Every byte after that
 *   is counted as dropped; its lines are only remembered.
 * - The last tail_lines lines, passed on or not, are remembered. At the
 *   end, when bytes were dropped, a note "[drtop: N bytes of output
 *   dropped after K kept; the last M lines follow]" and the M remembered
 *   lines that were never passed on end the output.
 *
 * An Outbuf is used by one thread at a time; it calls the callback on
 * that thread, from outbuf_feed() and outbuf_end() only. The callback may
 * read the Outbuf (outbuf_kept(), outbuf_tail(), ...) but not feed it.
 */
#ifndef DRTOP_OUTBUF_H
#define DRTOP_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

/* The longest line passed on, in bytes (it fits an event's text). */
#define OUTBUF_LINE_MAX (EV_TEXT_MAX - 1)

typedef struct Outbuf Outbuf;

typedef struct {
	uint64_t keep_bytes; /* bytes of output passed on as lines, at most */
	int max_lines; /* lines passed on, at most (>= 1) */
	int tail_lines; /* lines remembered for the end (>= 1) */
} OutbufLimits;

/* A line to pass on: NUL-terminated, at most OUTBUF_LINE_MAX bytes,
 * valid UTF-8 without control characters but tab. Borrowed for the call
 * only. */
typedef void OutbufLineFn(void *ctx, const char *line);

/*
 * An empty buffer with limits *lim (copied) that passes lines to
 * line(ctx, ...). Never NULL (aborts when out of memory). Free with
 * outbuf_free(); outbuf_free(NULL) is safe.
 */
Outbuf *outbuf_new(const OutbufLimits *lim, OutbufLineFn *line, void *ctx);
void outbuf_free(Outbuf *o);

/* The next n bytes of output. Calls the callback for every line that
 * completes and is passed on. */
void outbuf_feed(Outbuf *o, const char *buf, size_t n);

/*
 * The output ended: the unterminated last line (if any) is a line; then,
 * when bytes were dropped, the note and the remembered lines never passed
 * on. Call once; feed nothing after.
 */
void outbuf_end(Outbuf *o);

/* True while lines are still passed on (neither budget spent). */
bool outbuf_passing(const Outbuf *o);

/* Bytes counted as passed on, and as dropped, so far (the sum is every
 * byte fed, '\r' and '\n' included). */
uint64_t outbuf_kept(const Outbuf *o);
uint64_t outbuf_dropped(const Outbuf *o);

/* Copy the newest remembered lines, at most max, oldest first, into
 * lines; returns how many. */
int outbuf_tail(const Outbuf *o, char (*lines)[EV_TEXT_MAX], int max);

#endif
