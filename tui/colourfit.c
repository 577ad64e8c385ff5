#include "colourfit.h"

#include "theme.h"

/* RGB of xterm colour c >= 16: the 6x6x6 cube, then 24 greys. */
static void
xterm_rgb(short c, int rgb[3])
{
	static const int level[6] = {0, 95, 135, 175, 215, 255};

	if (c >= 232) {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
		return;
	}
	c = (short)(c - 16);
	rgb[0] = level[c / 36];
	rgb[1] = level[(c / 6) % 6];
	rgb[2] = level[c % 6];
}

short
colourfit_ansi16(short c)
{
	int rgb[3], hi, lo, bits = 0;

	if (c < 16)
		return c;
	xterm_rgb(c, rgb);
	hi = lo = rgb[0];
	for (int i = 1; i < 3; i++) {
		hi = rgb[i] > hi ? rgb[i] : hi;
		lo = rgb[i] < lo ? rgb[i] : lo;
	}
	if (hi < 48 || (hi - lo) * 4 < hi) { /* a grey: by lightness */
		if (hi < 48)
			return 0;
		if (hi < 170)
			return 8;
		return hi < 240 ? 7 : 15;
	}
	/* a hue: the channels in the upper half of its range */
	for (int i = 0; i < 3; i++)
		if (2 * rgb[i] >= hi + lo)
			bits |= 1 << i;
	return (short)(hi >= 240 ? bits + 8 : bits);
}

static short
reduce(short c, int ncolors)
{
	if (c < 0 || c < ncolors)
		return c;
	return colourfit_ansi16(c);
}

ColourFit
colourfit(short fg, short bg, unsigned attrs, int ncolors)
{
	ColourFit f = {reduce(fg, ncolors), reduce(bg, ncolors), attrs};

	if (ncolors < 16) {
		if (f.fg == 8) {
			f.fg = -1;
			f.attrs |= TA_DIM;
		} else if (f.fg > 8) {
			f.fg = (short)(f.fg - 8);
			f.attrs |= TA_BOLD;
		}
		if (f.bg >= 8)
			f.bg = (short)(f.bg - 8);
	}
	if (f.bg == -1 && (f.fg == 0 || f.fg == 16 || f.fg == 232))
		f.fg = -1;
	return f;
}
