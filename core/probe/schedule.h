/*
 * schedule: the probe scheduler's pure parts: when each endpoint's probes
 * are due, and a min-heap of due times. No clock, no I/O, no threads:
 * the prober (core/probe) passes `now` in and owns the Schedule.
 * (Named schedule, not sched: with -Icore a core/sched.h would shadow
 * the system <sched.h> that <pthread.h> includes.)
 *
 * Timing rules (DESIGN.md, doc/probe.md):
 * - First probes are spread over each endpoint's interval by index:
 *   endpoint i of n is first due at start + interval * i / n, so 1,000
 *   endpoints never start in one burst and the spread is the same in
 *   every run.
 * - After a slot at time s the next is s + interval: slots are a fixed
 *   grid, never "completion + interval", so probes do not drift.
 * - Slots already missed (the thread was stalled, or the endpoint's
 *   previous probe was still running) are skipped, never run in a burst:
 *   the next slot is the first grid point after now.
 */
#ifndef DRTOP_SCHEDULE_H
#define DRTOP_SCHEDULE_H

#include <stddef.h>

/* When endpoint idx of n (0 <= idx < n) is first due. interval > 0. */
double schedule_first_due(double start, double interval, int idx, int n);

/*
 * The slot after the one scheduled at `scheduled`: scheduled + k *
 * interval for the smallest k >= 1 that lies strictly after now.
 * interval > 0.
 */
double schedule_next_due(double scheduled, double interval, double now);

typedef struct {
	double due;
	int idx;
} ScheduleItem;

/* A binary min-heap of (due, idx), ordered by due, then idx (so equal
 * times pop in a stable, deterministic order). Owned by one thread. */
typedef struct {
	ScheduleItem *items;
	size_t len, cap;
} Schedule;

void schedule_init(Schedule *s);
void schedule_fini(Schedule *s);
/* Adds an item; grows as needed (aborts on OOM). */
void schedule_push(Schedule *s, double due, int idx);
/* The earliest item without removing it; returns 0 when empty. */
int schedule_peek(const Schedule *s, ScheduleItem *out);
/* Removes and returns the earliest item; returns 0 when empty. */
int schedule_pop(Schedule *s, ScheduleItem *out);
size_t schedule_len(const Schedule *s);

#endif
