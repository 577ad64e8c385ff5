/*
 * clock: the two clocks drtop reads, in seconds. Only the edges read
 * them (the loops of the console and `watch`, the producer threads, the
 * debug log); the engine never does: it takes time from events, so
 * replay and tests can feed it virtual time. `make check-layers` keeps
 * this header out of core/engine/.
 */
#ifndef DRTOP_CLOCK_H
#define DRTOP_CLOCK_H

#include <stddef.h>

/* CLOCK_MONOTONIC in seconds. Any thread. */
double mono_now(void);

/* CLOCK_REALTIME (seconds since the epoch, UTC). Any thread. */
double real_now(void);

/* Format a UTC wall-clock time (CLOCK_REALTIME seconds) as
 * "2026-11-21T08:00:00.000Z" into buf (cap >= 25). */
void clock_format_utc(double realtime, char *buf, size_t cap);

#endif
