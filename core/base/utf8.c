#include "base/utf8.h"

#include <string.h>

size_t
utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c = u[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80) {
		if (cp != NULL)
			*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, c &= 0x07;
	else
		return 0;
	if (u[0] == 0xE0)
		lo = 0xA0; /* overlong */
	else if (u[0] == 0xED)
		hi = 0x9F; /* surrogates */
	else if (u[0] == 0xF0)
		lo = 0x90; /* overlong */
	else if (u[0] == 0xF4)
		hi = 0x8F; /* above U+10FFFF */
	if (n > len || u[1] < lo || u[1] > hi)
		return 0;
	c = (c << 6) | (u[1] & 0x3F);
	for (size_t k = 2; k < n; k++) {
		if ((u[k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[k] & 0x3F);
	}
	if (cp != NULL)
		*cp = c;
	return n;
}

size_t
utf8_next(const char *s, unsigned *cp)
{
	return utf8_decode(s, strnlen(s, 4), cp);
}

bool
utf8_is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

bool
utf8_is_bidi(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool
utf8_printable(const char *s)
{
	while (*s != '\0') {
		unsigned cp;
		size_t n = utf8_next(s, &cp);

		if (n == 0 || utf8_is_control(cp) || utf8_is_bidi(cp))
			return false;
		s += n;
	}
	return true;
}

const char *
utf8_escape(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	while (*s != '\0') {
		unsigned cp = 0;
		size_t n = utf8_next(s, &cp);

		if (n == 0 || utf8_is_control(cp) || utf8_is_bidi(cp)) {
			size_t k = n == 0 ? 1 : n;

			if (o + 4 * k >= cap)
				break;
			for (size_t i = 0; i < k; i++) {
				unsigned char b = (unsigned char)s[i];

				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[b >> 4];
				out[o++] = hex[b & 15];
			}
			s += k;
		} else if (*s == '"' || *s == '\\') {
			if (o + 2 >= cap)
				break;
			out[o++] = '\\';
			out[o++] = *s++;
		} else {
			if (o + n >= cap)
				break;
			memcpy(out + o, s, n);
			o += n;
			s += n;
		}
	}
	out[o] = '\0';
	return out;
}

void
utf8_sanitize(char *s, size_t len, char repl)
{
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0) {
			s[i++] = repl;
		} else if (utf8_is_control(cp) && cp != '\t') {
			for (size_t k = 0; k < n; k++)
				s[i + k] = repl;
			i += n;
		} else {
			i += n;
		}
	}
}
