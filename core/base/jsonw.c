#include "base/jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jsonw_init(JsonW *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = cap == 0;
	w->need_comma = false;
}

size_t
jsonw_finish(JsonW *w)
{
	if (w->overflow || w->len >= w->cap) {
		if (w->cap > 0)
			w->buf[0] = '\0';
		return 0;
	}
	w->buf[w->len] = '\0';
	return w->len;
}

void
jsonw_raw(JsonW *w, const char *s, size_t n)
{
	if (w->overflow || w->len + n >= w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
putc_(JsonW *w, char c)
{
	jsonw_raw(w, &c, 1);
}

static void
comma(JsonW *w)
{
	if (w->need_comma)
		putc_(w, ',');
	w->need_comma = true;
}

void
jsonw_obj_open(JsonW *w)
{
	comma(w);
	putc_(w, '{');
	w->need_comma = false;
}

void
jsonw_obj_close(JsonW *w)
{
	putc_(w, '}');
	w->need_comma = true;
}

void
jsonw_arr_open(JsonW *w)
{
	comma(w);
	putc_(w, '[');
	w->need_comma = false;
}

void
jsonw_arr_close(JsonW *w)
{
	putc_(w, ']');
	w->need_comma = true;
}

static void
put_string(JsonW *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;

	putc_(w, '"');
	for (; *p; p++) {
		const char *esc = NULL;
		char u[6];

		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		jsonw_raw(w, (const char *)run, (size_t)(p - run));
		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[*p >> 4];
			u[5] = hex[*p & 15];
			jsonw_raw(w, u, 6);
			break;
		}
		if (esc != NULL)
			jsonw_raw(w, esc, strlen(esc));
		run = p + 1;
	}
	jsonw_raw(w, (const char *)run, (size_t)(p - run));
	putc_(w, '"');
}

void
jsonw_key(JsonW *w, const char *key)
{
	comma(w);
	put_string(w, key);
	putc_(w, ':');
	w->need_comma = false;
}

void
jsonw_str(JsonW *w, const char *s)
{
	comma(w);
	put_string(w, s);
}

void
jsonw_num(JsonW *w, double v, int digits)
{
	char tmp[64];
	int n;

	comma(w);
	if (!isfinite(v)) {
		jsonw_raw(w, "null", 4);
		return;
	}
	if (digits < 0)
		digits = 0;
	if (digits > 9)
		digits = 9;
	n = snprintf(tmp, sizeof(tmp), "%.*f", digits, v);
	if (n <= 0 || (size_t)n >= sizeof(tmp)) {
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	} else if (digits > 0) {
		while (n > 1 && tmp[n - 1] == '0')
			n--;
		if (tmp[n - 1] == '.')
			n++; /* keep "1.0" so the value stays visibly a float */
	}
	/* A locale with ',' as decimal point must never leak into JSON. */
	for (int i = 0; i < n; i++)
		if (tmp[i] == ',')
			tmp[i] = '.';
	if (n == 2 && tmp[0] == '-' && tmp[1] == '0')
		n = snprintf(tmp, sizeof(tmp), "0");
	jsonw_raw(w, tmp, (size_t)n);
}

void
jsonw_int(JsonW *w, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	comma(w);
	jsonw_raw(w, tmp, (size_t)n);
}

void
jsonw_bool(JsonW *w, bool v)
{
	comma(w);
	if (v)
		jsonw_raw(w, "true", 4);
	else
		jsonw_raw(w, "false", 5);
}

void
jsonw_null(JsonW *w)
{
	comma(w);
	jsonw_raw(w, "null", 4);
}

void
jsonw_key_str(JsonW *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s != NULL ? s : "");
}

void
jsonw_key_num(JsonW *w, const char *key, double v, int digits)
{
	jsonw_key(w, key);
	jsonw_num(w, v, digits);
}

void
jsonw_key_int(JsonW *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void
jsonw_key_bool(JsonW *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

void
jsonw_key_null(JsonW *w, const char *key)
{
	jsonw_key(w, key);
	jsonw_null(w);
}

void
jsonw_key_exact(JsonW *w, const char *key, double v)
{
	char s[40];
	int n;

	if (!isfinite(v)) {
		jsonw_key_null(w, key);
		return;
	}
	n = snprintf(s, sizeof(s), "%.15g", v);
	if (strtod(s, NULL) != v)
		n = snprintf(s, sizeof(s), "%.17g", v);
	jsonw_key(w, key);
	jsonw_raw(w, s, (size_t)n);
	w->need_comma = true;
}
