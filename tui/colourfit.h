/*
 * colourfit: a theme's colours on the terminal at hand. Themes name any
 * of 256 colours; a terminal may have 8 or 16. Reducing them is a rule,
 * not arithmetic modulo 8 (which turned bright-black, the theme's "dim",
 * into black on a dark terminal's black):
 *
 *   - a 256-colour value becomes the ANSI colour of its hue (greys by
 *     lightness) where the terminal has fewer than 256 colours;
 *   - on 8 colours a bright foreground is its base colour in bold, and
 *     bright-black (grey, "dim") is the default colour with A_DIM;
 *     a bright background is its base colour;
 *   - no role ever draws black text on the default background, the
 *     colour family of a dark terminal's background: it becomes the
 *     default colour.
 *
 * Pure: no curses. TA_* attributes as in theme.h.
 */
#ifndef DRTOP_COLOURFIT_H
#define DRTOP_COLOURFIT_H

typedef struct {
	short fg, bg; /* -1 = the terminal's default, else < ncolors */
	unsigned attrs; /* TA_* */
} ColourFit;

/* The ANSI colour (0..15) nearest in kind to xterm colour c (0..255). */
short colourfit_ansi16(short c);

/* What fg/bg/attrs (fg, bg: -1 or 0..255) become with ncolors colours
 * (8, 16, 88, 256, ...; fewer than 8 is treated as 8). */
ColourFit colourfit(short fg, short bg, unsigned attrs, int ncolors);

#endif
