#include "model/queue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

struct Queue {
	pthread_mutex_t lock; /* guards everything below except the fds */
	Event *ring;
	size_t cap;
	size_t head; /* next slot to read */
	size_t len;
	bool signalled; /* a wake byte is in the pipe, not yet drained */
	uint64_t pushed;
	uint64_t overflow;
	/* the gap not yet taken (queue_take_gap): dropped events' times */
	uint64_t gap_count;
	double gap_first, gap_last;
	int rfd, wfd; /* set at creation, read-only afterwards */
};

Queue *
queue_new(size_t capacity)
{
	Queue *q;
	int fds[2];

	if (capacity == 0)
		capacity = 1;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return NULL;
	q = xcalloc(1, sizeof(*q));
	q->ring = xcalloc(capacity, sizeof(Event));
	q->cap = capacity;
	q->rfd = fds[0];
	q->wfd = fds[1];
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

void
queue_free(Queue *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->lock);
	close(q->rfd);
	close(q->wfd);
	free(q->ring);
	free(q);
}

bool
queue_try_push(Queue *q, const Event *ev)
{
	bool wake = false;

	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap) {
		q->overflow++;
		if (q->gap_count++ == 0 || ev->t < q->gap_first)
			q->gap_first = ev->t;
		if (q->gap_count == 1 || ev->t > q->gap_last)
			q->gap_last = ev->t;
		pthread_mutex_unlock(&q->lock);
		return false;
	}
	q->ring[(q->head + q->len) % q->cap] = *ev;
	q->len++;
	q->pushed++;
	if (!q->signalled) {
		q->signalled = true;
		wake = true;
	}
	pthread_mutex_unlock(&q->lock);
	if (wake) {
		char b = 1;
		ssize_t n;

		do
			n = write(q->wfd, &b, 1);
		while (n < 0 && errno == EINTR);
		/* EAGAIN: the pipe is full, so the consumer is awake anyway. */
	}
	return true;
}

uint64_t
queue_take_gap(Queue *q, double *first, double *last)
{
	uint64_t n;

	pthread_mutex_lock(&q->lock);
	n = q->gap_count;
	*first = q->gap_first;
	*last = q->gap_last;
	q->gap_count = 0;
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t
queue_drain(Queue *q, Event *out, size_t max)
{
	char sink[64];
	size_t n, first;

	pthread_mutex_lock(&q->lock);
	n = q->len < max ? q->len : max;
	first = q->cap - q->head;
	if (first > n)
		first = n;
	memcpy(out, q->ring + q->head, first * sizeof(Event));
	memcpy(out + first, q->ring, (n - first) * sizeof(Event));
	q->head = (q->head + n) % q->cap;
	q->len -= n;
	if (q->len == 0) {
		/*
		 * Empty the pipe under the lock. A producer that set
		 * `signalled` but has not written its byte yet leaves a stale
		 * byte behind; it costs one spurious wake-up and is read here
		 * on the next drain, so the fd never stays readable.
		 */
		while (read(q->rfd, sink, sizeof(sink)) > 0)
			;
		q->signalled = false;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

int
queue_wake_fd(const Queue *q)
{
	return q->rfd;
}

uint64_t
queue_overflow(Queue *q)
{
	uint64_t v;

	pthread_mutex_lock(&q->lock);
	v = q->overflow;
	pthread_mutex_unlock(&q->lock);
	return v;
}

uint64_t
queue_pushed(Queue *q)
{
	uint64_t v;

	pthread_mutex_lock(&q->lock);
	v = q->pushed;
	pthread_mutex_unlock(&q->lock);
	return v;
}

size_t
queue_length(Queue *q)
{
	size_t v;

	pthread_mutex_lock(&q->lock);
	v = q->len;
	pthread_mutex_unlock(&q->lock);
	return v;
}

size_t
queue_capacity(const Queue *q)
{
	return q->cap;
}
