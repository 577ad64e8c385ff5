/*
 * jsonw: a small streaming JSON writer into a caller's fixed buffer.
 *
 * No allocation; commas are inserted automatically. When the buffer
 * runs out the writer remembers it and jsonw_finish() returns 0, so
 * callers check once at the end. Numbers are printed with '.' whatever
 * the locale's LC_NUMERIC (drtop only ever sets LC_CTYPE).
 */
#ifndef DRTOP_JSONW_H
#define DRTOP_JSONW_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
	bool need_comma;
} JsonW;

void jsonw_init(JsonW *w, char *buf, size_t cap);
/* NUL-terminate; returns the length, or 0 if anything did not fit. */
size_t jsonw_finish(JsonW *w);

void jsonw_obj_open(JsonW *w);
void jsonw_obj_close(JsonW *w);
void jsonw_arr_open(JsonW *w);
void jsonw_arr_close(JsonW *w);
/* Write "key": and let the next value follow. */
void jsonw_key(JsonW *w, const char *key);

void jsonw_str(JsonW *w, const char *s);
/* digits: places after the point; trailing zeros are trimmed. */
void jsonw_num(JsonW *w, double v, int digits);
void jsonw_int(JsonW *w, long long v);
void jsonw_bool(JsonW *w, bool v);
void jsonw_null(JsonW *w);
/* Bytes copied verbatim (a pre-encoded value or a newline); no comma. */
void jsonw_raw(JsonW *w, const char *s, size_t n);

void jsonw_key_str(JsonW *w, const char *key, const char *s);
void jsonw_key_num(JsonW *w, const char *key, double v, int digits);
void jsonw_key_int(JsonW *w, const char *key, long long v);
void jsonw_key_bool(JsonW *w, const char *key, bool v);
void jsonw_key_null(JsonW *w, const char *key);

/* key: v written exactly: the shortest of %.15g and %.17g that reads
 * back as v (jsonw_num rounds to digits); null when v is not finite. */
void jsonw_key_exact(JsonW *w, const char *key, double v);

#endif
