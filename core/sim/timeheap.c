/*
 * timeheap: a min-heap of deadlines; see timeheap.h.
 */
#include "sim/timeheap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "base/util.h"

void
timeheap_init(TimeHeap *t)
{
	t->v = NULL;
	t->len = 0;
	t->cap = 0;
}

void
timeheap_fini(TimeHeap *t)
{
	free(t->v);
	timeheap_init(t);
}

void
timeheap_node_init(TimeHeapNode *n)
{
	n->at = 0;
	n->idx = -1;
}

static bool
less(const TimeHeap *t, int a, int b)
{
	return t->v[a]->at < t->v[b]->at;
}

static void
swap(TimeHeap *t, int a, int b)
{
	TimeHeapNode *x = t->v[a];

	t->v[a] = t->v[b];
	t->v[b] = x;
	t->v[a]->idx = a;
	t->v[b]->idx = b;
}

/* Restore the heap order around index i, up or down. */
static void
fix(TimeHeap *t, int i)
{
	while (i > 0 && less(t, i, (i - 1) / 2)) {
		swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->len && less(t, l, m))
			m = l;
		if (r < t->len && less(t, r, m))
			m = r;
		if (m == i)
			break;
		swap(t, i, m);
		i = m;
	}
}

void
timeheap_set(TimeHeap *t, TimeHeapNode *n, long long at)
{
	n->at = at;
	if (n->idx < 0) {
		if (t->len == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->v = xrealloc(t->v, (size_t)t->cap, sizeof(*t->v));
		}
		n->idx = t->len;
		t->v[t->len++] = n;
	}
	fix(t, n->idx);
}

void
timeheap_remove(TimeHeap *t, TimeHeapNode *n)
{
	int i = n->idx;

	if (i < 0)
		return;
	swap(t, i, t->len - 1);
	t->len--;
	n->idx = -1;
	if (i < t->len)
		fix(t, i);
}

TimeHeapNode *
timeheap_first(const TimeHeap *t)
{
	return t->len > 0 ? t->v[0] : NULL;
}
