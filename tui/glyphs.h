/*
 * glyphs: every character the console draws that is not data, in one
 * ASCII table and one UTF-8 table. The console picks one at start
 * (glyphs_select) from the locale and --ascii; views never write a
 * literal box or symbol character themselves. The ASCII table uses only
 * bytes 0x20..0x7E: `-`, `|`, `+` for lines, never the terminal's
 * alternate character set.
 */
#ifndef DRTOP_GLYPHS_H
#define DRTOP_GLYPHS_H

#include <stdbool.h>

#define GLYPH_SPARK_LEVELS 7

typedef struct {
	bool utf8;
	const char *hline, *vline, *corner_tl, *corner_tr, *corner_bl,
	    *corner_br;
	const char *sel; /* the selected row's marker */
	const char *target; /* marks the endpoint receiving traffic */
	const char *marker; /* an endpoint on the map */
	const char
	    *land; /* a land cell on the ASCII map (UTF-8 uses braille) */
	const char *spark[GLYPH_SPARK_LEVELS]; /* ok probes, low -> high ms */
	const char *probe_slow, *probe_fail, *probe_timeout, *probe_none;
	const char *cursor; /* the timeline's sweeping cursor on the axis */
	const char *tick; /* a tick on the time axis */
	const char *mark_health, *mark_route; /* changes on the time axis */
	const char *bar_full, *bar_empty; /* progress bars */
	const char *arrow; /* "eu20 -> us21" */
	const char *ellipsis; /* truncated text */
	const char *up, *down; /* scroll hints */
	/* expected against observed traffic (tui/truth, view_ttl) */
	const char *expected; /* marks the expected route when DNS answers
	                         another endpoint */
	const char *sep; /* between the parts of the title line */
	const char *auth; /* an authoritative resolver */
	const char *match, *mismatch; /* an answer is / is not the expected
	                                 route */
} Glyphs;

/* The table for utf8 (true) or pure ASCII (false). Static storage. */
const Glyphs *glyphs_select(bool utf8);

/* True when every glyph of g is printable ASCII (0x20..0x7E). */
bool glyphs_is_ascii(const Glyphs *g);

#endif
