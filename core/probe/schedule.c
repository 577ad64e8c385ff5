#include "probe/schedule.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"

double
schedule_first_due(double start, double interval, int idx, int n)
{
	if (n <= 0 || idx <= 0)
		return start;
	return start + interval * (double)idx / (double)n;
}

double
schedule_next_due(double scheduled, double interval, double now)
{
	double next = scheduled + interval;
	double k;

	if (next > now)
		return next;
	/* Skip every slot at or before now: the first grid point after it. */
	k = floor((now - scheduled) / interval) + 1.0;
	next = scheduled + k * interval;
	while (next <= now) /* rounding: at most one more step */
		next += interval;
	return next;
}

void
schedule_init(Schedule *s)
{
	s->items = NULL;
	s->len = 0;
	s->cap = 0;
}

void
schedule_fini(Schedule *s)
{
	free(s->items);
	schedule_init(s);
}

static int
before(const ScheduleItem *a, const ScheduleItem *b)
{
	if (a->due != b->due)
		return a->due < b->due;
	return a->idx < b->idx;
}

void
schedule_push(Schedule *s, double due, int idx)
{
	size_t i;

	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xrealloc(s->items, s->cap, sizeof(*s->items));
	}
	i = s->len++;
	s->items[i].due = due;
	s->items[i].idx = idx;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		ScheduleItem tmp;

		if (!before(&s->items[i], &s->items[parent]))
			break;
		tmp = s->items[i];
		s->items[i] = s->items[parent];
		s->items[parent] = tmp;
		i = parent;
	}
}

int
schedule_peek(const Schedule *s, ScheduleItem *out)
{
	if (s->len == 0)
		return 0;
	*out = s->items[0];
	return 1;
}

int
schedule_pop(Schedule *s, ScheduleItem *out)
{
	size_t i = 0;

	if (s->len == 0)
		return 0;
	*out = s->items[0];
	s->items[0] = s->items[--s->len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		ScheduleItem tmp;

		if (l < s->len && before(&s->items[l], &s->items[m]))
			m = l;
		if (r < s->len && before(&s->items[r], &s->items[m]))
			m = r;
		if (m == i)
			break;
		tmp = s->items[i];
		s->items[i] = s->items[m];
		s->items[m] = tmp;
		i = m;
	}
	return 1;
}

size_t
schedule_len(const Schedule *s)
{
	return s->len;
}
