/*
 * timeheap: a binary min-heap of deadlines for an event loop (the
 * simulator's HTTP server keeps one deadline per connection). Each entry
 * is a TimeHeapNode embedded in the caller's struct and knows its index,
 * so moving or removing it costs O(log n). Pure: no clock (deadlines are
 * whatever numbers the caller uses) and no lock: one thread owns a heap
 * and its nodes.
 */
#ifndef DRTOP_SIM_TIMEHEAP_H
#define DRTOP_SIM_TIMEHEAP_H

typedef struct {
	long long at; /* the deadline, while queued */
	int idx; /* index in the heap; -1 when not queued */
} TimeHeapNode;

typedef struct {
	TimeHeapNode **v;
	int len, cap;
} TimeHeap;

/* An empty heap; timeheap_fini frees its storage (never the nodes). */
void timeheap_init(TimeHeap *t);
void timeheap_fini(TimeHeap *t);

/* A node that is not queued. */
void timeheap_node_init(TimeHeapNode *n);

/* Queue n at deadline at, or move it there if it is queued. */
void timeheap_set(TimeHeap *t, TimeHeapNode *n, long long at);

/* Take n out of the heap; nothing when it is not queued. */
void timeheap_remove(TimeHeap *t, TimeHeapNode *n);

/* The node with the earliest deadline (ties in no set order), or NULL
 * when the heap is empty. */
TimeHeapNode *timeheap_first(const TimeHeap *t);

#endif
