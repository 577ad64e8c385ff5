/*
 * outbuf: a child's output as bounded lines, without a process. Lines at
 * '\n' with '\r' dropped; control characters and invalid UTF-8 as '?';
 * long lines split at OUTBUF_LINE_MAX bytes, never inside a UTF-8
 * sequence; the byte budget and the line cap; the kept/dropped counts;
 * the remembered tail and the note that replays it; and the same lines
 * whatever the chunks the bytes arrive in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/outbuf.h"
#include "base/utf8.h"
#include "base/util.h"
#include "helpers.h"

#define MAX_GOT 1100
#define WHOLE ((size_t)-1)

/* The actions runner's limits (ACTIONS_OUTPUT_KEEP, ..._MAX_LINES,
 * ACTIONS_TAIL_LINES). */
static const OutbufLimits runner = {
    .keep_bytes = 64 * 1024, .max_lines = 1000, .tail_lines = 10};
static const OutbufLimits roomy = {
    .keep_bytes = 1 << 20, .max_lines = 1000, .tail_lines = 10};

/* Everything an Outbuf produced. */
typedef struct {
	char lines[MAX_GOT][EV_TEXT_MAX];
	int n;
	uint64_t kept, dropped;
	bool passing; /* before outbuf_end */
	char tail[16][EV_TEXT_MAX];
	int ntail;
} Got;

static void
collect(void *ctx, const char *line)
{
	Got *g = ctx;

	assert_true(g->n < MAX_GOT);
	assert_true(strlen(line) <= OUTBUF_LINE_MAX);
	str_copy(g->lines[g->n], sizeof(g->lines[g->n]), line);
	g->n++;
}

/*
 * Feed len bytes of in, in chunks of sizes[0], sizes[1], ... (cycled;
 * WHOLE = all that is left), then end; the result goes into a fresh Got
 * (free it).
 */
static Got *
run(const char *in, size_t len, const OutbufLimits *lim, const size_t *sizes,
    size_t nsizes)
{
	Got *g = xcalloc(1, sizeof(*g));
	Outbuf *o = outbuf_new(lim, collect, g);
	size_t off = 0;

	for (size_t k = 0; off < len || k == 0; k++) {
		size_t n = sizes[k % nsizes];

		if (n > len - off)
			n = len - off;
		outbuf_feed(o, in + off, n);
		off += n;
		assert_true(k < 10 * len + 10); /* no endless 0-byte chunks */
	}
	g->passing = outbuf_passing(o);
	outbuf_end(o);
	g->kept = outbuf_kept(o);
	g->dropped = outbuf_dropped(o);
	g->ntail = outbuf_tail(o, g->tail, 16);
	outbuf_free(o);
	return g;
}

static Got *
run_whole(const char *in, const OutbufLimits *lim)
{
	size_t whole = WHOLE;

	return run(in, strlen(in), lim, &whole, 1);
}

static void
assert_same(const Got *a, const Got *b)
{
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++)
		assert_string_equal(a->lines[i], b->lines[i]);
	assert_int_equal(a->kept, b->kept);
	assert_int_equal(a->dropped, b->dropped);
	assert_int_equal(a->passing, b->passing);
	assert_int_equal(a->ntail, b->ntail);
	for (int i = 0; i < a->ntail; i++)
		assert_string_equal(a->tail[i], b->tail[i]);
}

/* The lines got, exactly these, in order (NULL-terminated). */
static void
assert_lines(const Got *g, ...)
{
	va_list ap;
	int i = 0;

	va_start(ap, g);
	for (const char *s = va_arg(ap, const char *); s != NULL;
	     s = va_arg(ap, const char *), i++) {
		assert_true(i < g->n);
		assert_string_equal(g->lines[i], s);
	}
	va_end(ap);
	assert_int_equal(g->n, i);
}

/* Valid UTF-8 with no control character but tab. */
static bool
clean(const char *s)
{
	while (*s != '\0') {
		unsigned cp;
		size_t n = utf8_next(s, &cp);

		if (n == 0 || (utf8_is_control(cp) && cp != '\t'))
			return false;
		s += n;
	}
	return true;
}

/* The same result for in whatever the chunking: cut once at every
 * position, byte by byte, and in a few odd sizes. Returns the result of
 * one whole feed (free it). */
static Got *
run_any_chunks(const char *in, size_t len, const OutbufLimits *lim)
{
	static const size_t odd[] = {3, 1, 254, 7, 0, 256, 2, 255};
	size_t whole = WHOLE, one = 1;
	Got *ref = run(in, len, lim, &whole, 1), *g;

	for (size_t cut = 0; cut <= len; cut++) {
		size_t two[] = {cut, WHOLE};

		g = run(in, len, lim, two, 2);
		assert_same(ref, g);
		free(g);
	}
	g = run(in, len, lim, &one, 1);
	assert_same(ref, g);
	free(g);
	g = run(in, len, lim, odd, ARRAY_LEN(odd));
	assert_same(ref, g);
	free(g);
	assert_int_equal(ref->kept + ref->dropped, len);
	return ref;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_lines_cr_lf(void **state)
{
	Got *g;

	(void)state;
	g = run_whole("one\ntwo\r\n\r\nthree\rfour\n\nlast", &roomy);
	/* '\r' is dropped wherever it is; "\r\n" and "\n\n" end lines */
	assert_lines(g, "one", "two", "", "threefour", "", "last", NULL);
	assert_int_equal(g->kept, 27);
	assert_int_equal(g->dropped, 0);
	assert_true(g->passing);
	free(g);

	/* a final '\n' ends the last line and makes no empty one */
	g = run_whole("a\nb\n", &roomy);
	assert_lines(g, "a", "b", NULL);
	free(g);

	/* nothing, or only '\r': no line at all, the bytes still count */
	g = run_whole("", &roomy);
	assert_lines(g, NULL);
	assert_int_equal(g->kept, 0);
	assert_int_equal(g->ntail, 0);
	free(g);
	g = run_whole("\r\r", &roomy);
	assert_lines(g, NULL);
	assert_int_equal(g->kept, 2);
	free(g);
	g = run_whole("\r\n", &roomy);
	assert_lines(g, "", NULL);
	free(g);
}

static void
test_sanitized(void **state)
{
	Got *g;

	(void)state;
	g = run_whole("a\033[31mb\001\377c\n"
	              "tab\there\n"
	              "del\x7f\n"
	              "c1\xc2\x85.\n"
	              "overlong\xc0\xaf\n"
	              "cut\xc3\n"
	              "ok \xc3\xa9\xe2\x86\x92\xf0\x9f\x99\x82\n"
	              "end\xe2\x86",
	    &roomy);
	assert_lines(g, "a?[31mb??c", "tab\there", "del?", "c1??.",
	    "overlong??", "cut?", "ok \xc3\xa9\xe2\x86\x92\xf0\x9f\x99\x82",
	    "end??", NULL);
	for (int i = 0; i < g->n; i++)
		assert_true(clean(g->lines[i]));
	free(g);
}

static void
test_line_bound_ascii(void **state)
{
	char in[1024];
	char want[EV_TEXT_MAX];
	Got *g;

	(void)state;
	memset(want, 'a', OUTBUF_LINE_MAX);
	want[OUTBUF_LINE_MAX] = '\0';

	/* exactly the bound: one line */
	snprintf(in, sizeof(in), "%s\n", want);
	g = run_whole(in, &roomy);
	assert_lines(g, want, NULL);
	free(g);

	/* one byte over: a second piece of one byte */
	snprintf(in, sizeof(in), "%sb\n", want);
	g = run_whole(in, &roomy);
	assert_lines(g, want, "b", NULL);
	free(g);

	/* twice the bound, then '\n': two pieces, no empty third line */
	snprintf(in, sizeof(in), "%s%s\nc", want, want);
	g = run_any_chunks(in, strlen(in), &roomy);
	assert_lines(g, want, want, "c", NULL);
	free(g);
}

/* A line of prefix ASCII bytes and then the w-byte character ch, n
 * times: pieces of at most the bound, each whole UTF-8, that join back
 * into the line, whatever the chunks. */
static void
check_utf8_split(const char *ch, size_t prefix)
{
	size_t w = strlen(ch), len = 0;
	char in[1024], joined[1024];
	Got *g;

	memset(in, 'a', prefix);
	len = prefix;
	while (len + w < 700) {
		memcpy(in + len, ch, w);
		len += w;
	}
	in[len] = '\0';
	g = run_any_chunks(in, len, &roomy);
	assert_true(g->n >= 3);
	joined[0] = '\0';
	for (int i = 0; i < g->n; i++) {
		size_t n = strlen(g->lines[i]);

		/* valid UTF-8, so never cut inside a character (a cut one
		 * would have become '?') */
		assert_true(utf8_printable(g->lines[i]));
		/* every piece but the last is as long as the bound allows */
		if (i < g->n - 1)
			assert_true(n > OUTBUF_LINE_MAX - w);
		strcat(joined, g->lines[i]);
	}
	assert_string_equal(joined, in);
	free(g);
}

static void
test_line_bound_utf8(void **state)
{
	static const char *const chars[] = {
	    "\xc3\xa9", "\xe2\x86\x92", "\xf0\x9f\x99\x82"};

	(void)state;
	/* the prefix moves the bound to every byte of a character */
	for (size_t c = 0; c < ARRAY_LEN(chars); c++)
		for (size_t prefix = 0; prefix < 4; prefix++)
			check_utf8_split(chars[c], prefix);
}

static void
test_utf8_cut_by_chunk_at_bound(void **state)
{
	char in[512], a254[EV_TEXT_MAX];
	size_t sizes[] = {OUTBUF_LINE_MAX, WHOLE};
	Got *g;

	(void)state;
	memset(a254, 'a', 254);
	a254[254] = '\0';
	/* 254 bytes, then an 'é' whose first byte fills the line and whose
	 * second byte comes in the next chunk: the 'é' moves whole to the
	 * next piece */
	snprintf(in, sizeof(in), "%s\xc3\xa9z\n", a254);
	g = run(in, strlen(in), &roomy, sizes, 2);
	assert_lines(g, a254, "\xc3\xa9z", NULL);
	free(g);
	/* 253 bytes and an 'é' end exactly at the bound: one line */
	a254[253] = '\0';
	snprintf(in, sizeof(in), "%s\xc3\xa9\n", a254);
	g = run(in, strlen(in), &roomy, sizes, 2);
	assert_int_equal(g->n, 1);
	assert_int_equal(strlen(g->lines[0]), OUTBUF_LINE_MAX);
	free(g);
}

static void
test_line_cap_and_tail(void **state)
{
	char *in = xcalloc(1, 16 * 1024), note[EV_TEXT_MAX], want[8];
	size_t len = 0, kept = 0;
	Got *g;

	(void)state;
	for (int i = 1; i <= 1500; i++) {
		len += (size_t)sprintf(in + len, "%d\n", i);
		if (i == 1000)
			kept = len;
	}
	g = run_whole(in, &runner);
	/* 1000 lines, the note, the last 10 lines */
	assert_int_equal(g->n, 1000 + 1 + 10);
	assert_string_equal(g->lines[0], "1");
	assert_string_equal(g->lines[999], "1000");
	assert_false(g->passing);
	assert_int_equal(g->kept, kept);
	assert_int_equal(g->dropped, len - kept);
	snprintf(note, sizeof(note),
	    "[drtop: %zu bytes of output dropped after %zu kept; the last 10 "
	    "lines follow]",
	    len - kept, kept);
	assert_string_equal(g->lines[1000], note);
	assert_int_equal(g->ntail, 10);
	for (int i = 0; i < 10; i++) {
		snprintf(want, sizeof(want), "%d", 1491 + i);
		assert_string_equal(g->lines[1001 + i], want);
		assert_string_equal(g->tail[i], want);
	}
	free(g);
	free(in);
}

static void
test_line_cap_counts_where_bytes_end_up(void **state)
{
	const OutbufLimits two = {
	    .keep_bytes = 1 << 20, .max_lines = 2, .tail_lines = 4};
	char in[3 * OUTBUF_LINE_MAX + 1], piece[EV_TEXT_MAX];
	Got *g;

	(void)state;
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	memset(piece, 'a', OUTBUF_LINE_MAX);
	piece[OUTBUF_LINE_MAX] = '\0';
	g = run_any_chunks(in, strlen(in), &two);
	/* The byte that pushes the second piece out arrives after the cap:
	 * it is dropped, with the rest of the third piece. */
	assert_int_equal(g->kept, 2 * OUTBUF_LINE_MAX);
	assert_int_equal(g->dropped, OUTBUF_LINE_MAX);
	assert_lines(g, piece, piece,
	    "[drtop: 255 bytes of output dropped after 510 kept; the last 1 "
	    "lines follow]",
	    piece, NULL);
	free(g);
}

static void
test_byte_budget(void **state)
{
	const OutbufLimits ten = {
	    .keep_bytes = 10, .max_lines = 100, .tail_lines = 3};
	const OutbufLimits four = {
	    .keep_bytes = 4, .max_lines = 100, .tail_lines = 3};
	char *in = xcalloc(1, 100 * 1024), x200[201], x190[191];
	char x10[11];
	size_t len = 0;
	Got *g;

	(void)state;
	/* The piece pending when the budget runs out is the last one passed
	 * on; the rest of its line is only remembered. */
	g = run_any_chunks("abcdefghijklmnop\nq\n", 19, &ten);
	assert_false(g->passing);
	assert_int_equal(g->kept, 10);
	assert_int_equal(g->dropped, 9);
	assert_lines(g, "abcdefghij",
	    "[drtop: 9 bytes of output dropped after 10 kept; the last 2 "
	    "lines follow]",
	    "klmnop", "q", NULL);
	assert_int_equal(g->ntail, 3);
	assert_string_equal(g->tail[0], "abcdefghij");
	free(g);

	/* The budget spent by the last byte: nothing dropped, no note. */
	g = run_any_chunks("abc\n", 4, &four);
	assert_false(g->passing);
	assert_int_equal(g->dropped, 0);
	assert_lines(g, "abc", NULL);
	free(g);

	/* The runner's 64 KiB in 201-byte lines: 65536 = 326 * 201 + 10. */
	memset(x200, 'x', 200);
	x200[200] = '\0';
	for (int i = 0; i < 400; i++)
		len += (size_t)sprintf(in + len, "%s\n", x200);
	g = run_whole(in, &runner);
	assert_int_equal(g->kept, 65536);
	assert_int_equal(g->dropped, 400 * 201 - 65536);
	assert_int_equal(g->n, 327 + 1 + 10);
	memcpy(x10, x200, 10);
	x10[10] = '\0';
	assert_string_equal(g->lines[325], x200);
	assert_string_equal(g->lines[326], x10);
	assert_non_null(strstr(g->lines[327], "the last 10 lines follow]"));
	for (int i = 328; i < g->n; i++)
		assert_string_equal(g->lines[i], x200);
	free(g);

	/* Fewer lines after the cut than the tail holds: the remembered
	 * rest of the cut line comes back too, the passed lines do not. */
	len = 0;
	for (int i = 0; i < 330; i++)
		len += (size_t)sprintf(in + len, "%s\n", x200);
	g = run_whole(in, &runner);
	memset(x190, 'x', 190);
	x190[190] = '\0';
	assert_int_equal(g->n, 327 + 1 + 4);
	assert_non_null(strstr(g->lines[327], "the last 4 lines follow]"));
	assert_string_equal(g->lines[328], x190);
	assert_string_equal(g->lines[331], x200);
	assert_int_equal(g->ntail, 10);
	assert_string_equal(g->tail[5], x10);
	assert_string_equal(g->tail[6], x190);
	free(g);
	free(in);
}

static void
test_tail(void **state)
{
	const OutbufLimits lim = {
	    .keep_bytes = 1 << 20, .max_lines = 2, .tail_lines = 3};
	char lines[3][EV_TEXT_MAX];
	Outbuf *o;
	Got *g = xcalloc(1, sizeof(*g));

	(void)state;
	o = outbuf_new(&lim, collect, g);
	assert_int_equal(outbuf_tail(o, lines, 3), 0);
	outbuf_feed(o, "1\n2\n3\n4", 7);
	/* the unterminated "4" is not a line yet */
	assert_int_equal(outbuf_tail(o, lines, 3), 3);
	assert_string_equal(lines[0], "1");
	assert_string_equal(lines[2], "3");
	outbuf_end(o);
	/* oldest first; with a smaller max, the newest */
	assert_int_equal(outbuf_tail(o, lines, 3), 3);
	assert_string_equal(lines[0], "2");
	assert_string_equal(lines[1], "3");
	assert_string_equal(lines[2], "4");
	assert_int_equal(outbuf_tail(o, lines, 2), 2);
	assert_string_equal(lines[0], "3");
	assert_string_equal(lines[1], "4");
	/* "2" was passed on already: only "3" and "4" are replayed */
	assert_lines(g, "1", "2",
	    "[drtop: 3 bytes of output dropped after 4 kept; the last 2 lines "
	    "follow]",
	    "3", "4", NULL);
	outbuf_free(o);
	outbuf_free(NULL);
	free(g);
}

/* A deterministic mix of what programs print: text, UTF-8 of every
 * width, long runs, '\r', '\n', controls and invalid bytes. */
static size_t
noise(char *buf, size_t cap, unsigned seed)
{
	static const char *const bits[] = {"a", "xyz", "\n", "\r\n", "\r", "\t",
	    "\033[1m", "\xc3\xa9", "\xe2\x86\x92", "\xf0\x9f\x99\x82", "\xff",
	    "\x80", "\xc3", "\xe2\x86", "\x7f", "\xc2\x85", " "};
	unsigned x = seed * 2654435761u + 1;
	size_t len = 0;

	while (len + 300 < cap) {
		const char *b;
		size_t reps;

		x = x * 1103515245u + 12345u;
		b = bits[(x >> 16) % ARRAY_LEN(bits)];
		reps = (x >> 8) % 7 == 0 ? 1 + (x >> 4) % 120 : 1;
		for (size_t i = 0; i < reps; i++) {
			memcpy(buf + len, b, strlen(b));
			len += strlen(b);
		}
	}
	return len;
}

static void
test_any_chunks_any_input(void **state)
{
	const OutbufLimits small = {
	    .keep_bytes = 1500, .max_lines = 12, .tail_lines = 4};
	char *in = xmalloc(3000);

	(void)state;
	for (unsigned seed = 1; seed <= 6; seed++) {
		size_t len = noise(in, 3000, seed);
		const OutbufLimits *lim = seed % 2 ? &small : &roomy;
		Got *g = run_any_chunks(in, len, lim);

		assert_true(g->n > 0);
		for (int i = 0; i < g->n; i++)
			assert_true(clean(g->lines[i]));
		if (lim == &small)
			assert_true(g->dropped > 0);
		free(g);
	}
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_cr_lf),
	    cmocka_unit_test(test_sanitized),
	    cmocka_unit_test(test_line_bound_ascii),
	    cmocka_unit_test(test_line_bound_utf8),
	    cmocka_unit_test(test_utf8_cut_by_chunk_at_bound),
	    cmocka_unit_test(test_line_cap_and_tail),
	    cmocka_unit_test(test_line_cap_counts_where_bytes_end_up),
	    cmocka_unit_test(test_byte_budget),
	    cmocka_unit_test(test_tail),
	    cmocka_unit_test(test_any_chunks_any_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
