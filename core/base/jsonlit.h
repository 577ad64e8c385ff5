/*
 * jsonlit: the string literals of a JSON text, found without parsing
 * it, for what the JSON parser does not say. cJSON ends a string at a
 * NUL -- a raw 0x00 byte or a \u0000 escape -- and silently drops the
 * rest, so "eu20\u0000x" would read as "eu20"; the profile loader and
 * the event log reader find such strings here and refuse them.
 *
 * A literal runs from a '"' to the next '"' that no backslash escapes,
 * as cJSON reads it. Bytes outside literals are not looked at. Pure, any
 * thread.
 */
#ifndef DRTOP_JSONLIT_H
#define DRTOP_JSONLIT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	JSONLIT_NUL_NONE,
	JSONLIT_NUL_RAW, /* a 0x00 byte inside the literal */
	JSONLIT_NUL_ESCAPE, /* the escape \u0000 */
} JsonLitNul;

typedef struct {
	size_t open; /* offset of the opening '"' */
	size_t close; /* offset of the closing '"'; len when there is none */
	JsonLitNul nul; /* the first NUL inside, if any */
	size_t nul_at; /* its offset (of the 0x00 byte or of the '\\') */
} JsonLit;

/*
 * The next literal of s[0..len) that opens at or after *pos: fills lit,
 * moves *pos past it and returns true; false when there is none. s need
 * not be NUL-terminated.
 */
bool jsonlit_next(const char *s, size_t len, size_t *pos, JsonLit *lit);

/*
 * The first NUL inside any literal of s[0..len): its kind (NONE when
 * there is none) and, in *at, its offset. Quick when s has neither a
 * 0x00 byte nor a backslash (one memchr each).
 */
JsonLitNul jsonlit_first_nul(const char *s, size_t len, size_t *at);

#endif
