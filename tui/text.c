#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "base/utf8.h"

static bool ascii_mode;

void
text_set_ascii(bool ascii)
{
	ascii_mode = ascii;
}

/* Decode one character at s: its length (>= 1) and code point, or
 * U+FFFD for a byte that does not start a valid sequence (length 1). */
static int
next_cp(const unsigned char *s, unsigned *cp)
{
	size_t n = utf8_next((const char *)s, cp);

	if (n == 0) {
		*cp = 0xfffd;
		return 1;
	}
	return (int)n;
}

/* Columns code point cp takes on screen, and whether it is drawn as is
 * (false: drawn as '?'). A bidirectional control is never drawn as is:
 * a terminal that honours it would reorder the text around it, so what
 * the screen shows would not be what the data says. */
static int
cp_width(unsigned cp, bool *as_is)
{
	*as_is = true;
	if (cp >= 0x20 && cp < 0x7f)
		return 1;
	if (cp < 0x80 || ascii_mode || cp == 0xfffd || utf8_is_bidi(cp)) {
		*as_is = false;
		return 1;
	}
	int w = wcwidth((wchar_t)cp);
	if (w < 0) {
		*as_is = false;
		return 1;
	}
	return w;
}

int
text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		unsigned cp;
		bool as_is;
		p += next_cp(p, &cp);
		w += cp_width(cp, &as_is);
	}
	return w;
}

int
text_fit(const char *s, int maxw, const char *ellipsis, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	int ew = (ellipsis && *ellipsis) ? text_width(ellipsis) : 0;
	size_t o = 0;
	int w = 0;
	bool cut = text_width(s) > maxw;
	int room = cut ? maxw - ew : maxw;

	if (cap == 0)
		return 0;
	while (*p) {
		unsigned cp;
		bool as_is;
		int n = next_cp(p, &cp);
		int cw = cp_width(cp, &as_is);
		size_t need = as_is ? (size_t)n : 1;
		if (w + cw > room || o + need + 1 > cap)
			break;
		if (as_is)
			memcpy(out + o, p, (size_t)n);
		else
			out[o] = '?';
		o += need;
		w += cw;
		p += n;
	}
	if (cut && ew > 0 && w + ew <= maxw &&
	    o + strlen(ellipsis) + 1 <= cap) {
		memcpy(out + o, ellipsis, strlen(ellipsis));
		o += strlen(ellipsis);
		w += ew;
	}
	out[o] = '\0';
	return w;
}

int
text_put(WINDOW *w, int y, int x, int maxw, int pad, attr_t attr,
    const char *ellipsis, const char *s)
{
	char buf[1024];
	wchar_t wbuf[1024];
	int used;
	size_t n = 0;
	const unsigned char *p;

	if (maxw <= 0)
		return 0;
	used = text_fit(s, maxw, ellipsis, buf, sizeof(buf));
	p = (const unsigned char *)buf;
	while (*p && n + 1 < sizeof(wbuf) / sizeof(wbuf[0])) {
		unsigned cp;
		p += next_cp(p, &cp);
		wbuf[n++] = (wchar_t)cp;
	}
	wbuf[n] = L'\0';
	wattr_set(w, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL);
	mvwaddnwstr(w, y, x, wbuf, (int)n);
	while (used < pad && used < maxw) {
		waddch(w, ' ');
		used++;
	}
	wattr_set(w, A_NORMAL, 0, NULL);
	return used;
}
