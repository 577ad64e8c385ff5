#include "glyphs.h"

#include <stddef.h>

static const Glyphs ascii_glyphs = {
    .utf8 = false,
    .hline = "-",
    .vline = "|",
    .corner_tl = "+",
    .corner_tr = "+",
    .corner_bl = "+",
    .corner_br = "+",
    .sel = ">",
    .target = "*",
    .marker = "o",
    .land = ".",
    .spark = {"_", ".", "-", "~", "=", "+", "^"},
    .probe_slow = "S",
    .probe_fail = "X",
    .probe_timeout = "T",
    .probe_none = " ",
    .cursor = "^",
    .tick = "+",
    .mark_health = "H",
    .mark_route = "R",
    .bar_full = "#",
    .bar_empty = ".",
    .arrow = "->",
    .ellipsis = "~",
    .up = "^",
    .down = "v",
    .expected = "@",
    .sep = " | ",
    .auth = "*",
    .match = "=",
    .mismatch = "!",
};

static const Glyphs utf8_glyphs = {
    .utf8 = true,
    .hline = "\u2500",
    .vline = "\u2502",
    .corner_tl = "\u250c",
    .corner_tr = "\u2510",
    .corner_bl = "\u2514",
    .corner_br = "\u2518",
    .sel = "\u25b8",
    .target = "\u25c9",
    .marker = "\u25cf",
    .land = "\u00b7",
    .spark = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
        "\u2587"},
    .probe_slow = "\u2588",
    .probe_fail = "\u2715",
    .probe_timeout = "\u25cc",
    .probe_none = " ",
    .cursor = "\u25b2",
    .tick = "\u252c",
    .mark_health = "\u25c6",
    .mark_route = "\u21c4",
    .bar_full = "\u2588",
    .bar_empty = "\u2591",
    .arrow = "\u2192",
    .ellipsis = "\u2026",
    .up = "\u2191",
    .down = "\u2193",
    .expected = "\u25ce",
    .sep = " \u00b7 ",
    .auth = "*",
    .match = "\u2713",
    .mismatch = "\u2717",
};

const Glyphs *
glyphs_select(bool utf8)
{
	return utf8 ? &utf8_glyphs : &ascii_glyphs;
}

static bool
ascii_str(const char *s)
{
	if (s == NULL)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

bool
glyphs_is_ascii(const Glyphs *g)
{
	const char *all[] = {g->hline, g->vline, g->corner_tl, g->corner_tr,
	    g->corner_bl, g->corner_br, g->sel, g->target, g->marker, g->land,
	    g->probe_slow, g->probe_fail, g->probe_timeout, g->probe_none,
	    g->cursor, g->tick, g->mark_health, g->mark_route, g->bar_full,
	    g->bar_empty, g->arrow, g->ellipsis, g->up, g->down, g->expected,
	    g->sep, g->auth, g->match, g->mismatch};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!ascii_str(all[i]))
			return false;
	for (int i = 0; i < GLYPH_SPARK_LEVELS; i++)
		if (!ascii_str(g->spark[i]))
			return false;
	return true;
}
