#include "actions/outbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "base/util.h"

/* One remembered line; sent = already passed on. */
typedef struct {
	char text[EV_TEXT_MAX];
	bool sent;
} TailLine;

struct Outbuf {
	OutbufLimits lim;
	OutbufLineFn *line;
	void *ctx;
	char cur[EV_TEXT_MAX]; /* the line being read, not terminated */
	size_t len;
	bool head; /* still passing lines on */
	int lines_sent;
	uint64_t kept, dropped;
	TailLine *tail; /* ring of lim.tail_lines: oldest at tail_head */
	int tail_head, tail_count;
};

Outbuf *
outbuf_new(const OutbufLimits *lim, OutbufLineFn *line, void *ctx)
{
	Outbuf *o = xcalloc(1, sizeof(*o));

	o->lim = *lim;
	o->line = line;
	o->ctx = ctx;
	o->head = true;
	o->tail = xcalloc((size_t)lim->tail_lines, sizeof(*o->tail));
	return o;
}

void
outbuf_free(Outbuf *o)
{
	if (o == NULL)
		return;
	free(o->tail);
	free(o);
}

/* The i-th remembered line, oldest first. */
static TailLine *
tail_at(const Outbuf *o, int i)
{
	return &o->tail[(o->tail_head + i) % o->lim.tail_lines];
}

static void
tail_add(Outbuf *o, const char *text, bool sent)
{
	TailLine *t;

	if (o->tail_count < o->lim.tail_lines)
		o->tail_count++;
	else
		o->tail_head = (o->tail_head + 1) % o->lim.tail_lines;
	t = tail_at(o, o->tail_count - 1);
	str_copy(t->text, sizeof(t->text), text);
	t->sent = sent;
}

/* A complete line: the first len (<= OUTBUF_LINE_MAX) bytes of cur. */
static void
line_done(Outbuf *o, size_t len)
{
	char text[EV_TEXT_MAX];
	bool sent = o->head;

	memcpy(text, o->cur, len);
	text[len] = '\0';
	utf8_sanitize(text, len, '?');
	if (sent) {
		o->line(o->ctx, text);
		if (++o->lines_sent >= o->lim.max_lines)
			o->head = false;
	}
	tail_add(o, text, sent);
}

/* Make room for one more byte c: when cur is full, pass on its longest
 * prefix that does not cut a UTF-8 sequence and keep the rest. */
static void
make_room(Outbuf *o, unsigned char c)
{
	size_t cut = o->len, rest;
	char keep[4];

	if (o->len < OUTBUF_LINE_MAX)
		return;
	if ((c & 0xC0) == 0x80) {
		size_t j = o->len;

		while (j > 0 && ((unsigned char)o->cur[j - 1] & 0xC0) == 0x80)
			j--;
		if (j > 0 && ((unsigned char)o->cur[j - 1] & 0xC0) == 0xC0 &&
		    o->len - j < 3)
			cut = j - 1;
	}
	if (cut == 0)
		cut = o->len;
	rest = o->len - cut;
	memcpy(keep, o->cur + cut, rest);
	line_done(o, cut);
	memcpy(o->cur, keep, rest);
	o->len = rest;
}

void
outbuf_feed(Outbuf *o, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		/* Count a byte where it ends up: make_room() may pass on the
		 * line that reaches the line cap before c joins the next. */
		if (c != '\n' && c != '\r')
			make_room(o, c);
		if (o->head)
			o->kept++;
		else
			o->dropped++;
		if (c == '\n') {
			line_done(o, o->len);
			o->len = 0;
		} else if (c != '\r') {
			o->cur[o->len++] = (char)c;
		}
		if (o->head && o->kept >= o->lim.keep_bytes) {
			/* Budget spent: what is pending is the last kept
			 * piece; the rest of its line is dropped. */
			if (o->len > 0)
				line_done(o, o->len);
			o->len = 0;
			o->head = false;
		}
	}
}

void
outbuf_end(Outbuf *o)
{
	char note[EV_TEXT_MAX];
	int nunsent = 0;

	if (o->len > 0)
		line_done(o, o->len);
	o->len = 0;
	if (o->dropped == 0)
		return;
	for (int i = 0; i < o->tail_count; i++)
		nunsent += !tail_at(o, i)->sent;
	snprintf(note, sizeof(note),
	    "[drtop: %llu bytes of output dropped after %llu kept; the last "
	    "%d lines follow]",
	    (unsigned long long)o->dropped, (unsigned long long)o->kept,
	    nunsent);
	o->line(o->ctx, note);
	for (int i = 0; i < o->tail_count; i++)
		if (!tail_at(o, i)->sent)
			o->line(o->ctx, tail_at(o, i)->text);
}

bool
outbuf_passing(const Outbuf *o)
{
	return o->head;
}

uint64_t
outbuf_kept(const Outbuf *o)
{
	return o->kept;
}

uint64_t
outbuf_dropped(const Outbuf *o)
{
	return o->dropped;
}

int
outbuf_tail(const Outbuf *o, char (*lines)[EV_TEXT_MAX], int max)
{
	int n = o->tail_count < max ? o->tail_count : max;
	int skip = o->tail_count - n;

	for (int i = 0; i < n; i++)
		str_copy(lines[i], EV_TEXT_MAX, tail_at(o, skip + i)->text);
	return n;
}
