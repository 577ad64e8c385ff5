/*
 * queue: the bounded multi-producer, single-consumer FIFO of events from
 * the probe, DNS and action threads (and replay) into the engine.
 *
 * DESIGN
 * - One mutex guards the ring, the counts and the wake flag. Producers
 *   hold it only to copy one Event in; queue_try_push() never blocks on
 *   the consumer and never waits for space: when the ring is full the
 *   event is dropped and counted (queue_overflow()).
 * - The consumer drains many events in one lock hold (queue_drain) and
 *   then works with no lock held.
 * - Wake-ups go through an eventfd-like pipe, both ends non-blocking. A
 *   push writes one byte only when the ring went from empty to non-empty
 *   (the consumer clears that state while draining), so the pipe never
 *   fills in practice; a full pipe (EAGAIN) is not an error.
 * - FIFO per producer follows from the single ring; across producers the
 *   order is the order in which they took the mutex.
 */
#ifndef DRTOP_QUEUE_H
#define DRTOP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

typedef struct Queue Queue;

/* A queue holding up to capacity events (>= 1). Aborts on OOM, returns
 * NULL only if the wake pipe cannot be created (errno set). */
Queue *queue_new(size_t capacity);
/* Frees the ring and closes the pipe; queued events are discarded.
 * No producer may use the queue any more. queue_free(NULL) is safe. */
void queue_free(Queue *q);

/* Any thread. Copies *ev in. Returns false (and counts one overflow)
 * when full. Never blocks. */
bool queue_try_push(Queue *q, const Event *ev);

/* Consumer only. Copies up to max events, oldest first, into out, in
 * one lock hold, and empties the wake pipe. Returns the count. */
size_t queue_drain(Queue *q, Event *out, size_t max);

/*
 * The events dropped since the last call (0 when none), with the least
 * and the greatest t among them in *first and *last: the gap, so the
 * consumer can write it into the record as evidence. Any thread; one
 * taker.
 */
uint64_t queue_take_gap(Queue *q, double *first, double *last);

/* The fd to poll for POLLIN: readable when events may be waiting. */
int queue_wake_fd(const Queue *q);

/* Counters (any thread). */
uint64_t queue_overflow(Queue *q);
uint64_t queue_pushed(Queue *q);
size_t queue_length(Queue *q);
size_t queue_capacity(const Queue *q);

#endif
