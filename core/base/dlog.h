/*
 * dlog: the --debug-log FILE of every mode: timestamped lines appended to
 * a file, never to the terminal the console owns. Any thread may call
 * dlog(); stdio's own FILE lock keeps lines whole. Header values and
 * other secrets are never passed to it.
 */
#ifndef DRTOP_DLOG_H
#define DRTOP_DLOG_H

#include <stddef.h>

/* Open (append) the log; main thread, before any other thread starts.
 * Returns 0, or -1 with err set ("FILE: reason"). */
int dlog_open(const char *path, char *err, size_t errcap);
/* Append "2026-11-21T08:00:00.000Z message\n"; a no-op when no log is
 * open. */
void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Close the log (main thread, after every other thread stopped). */
void dlog_close(void);

#endif
