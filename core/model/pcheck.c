/*
 * pcheck: errors that name their place, typed getters that report their
 * own errors, unknown keys with hints, and malformed JSON located by line
 * and column. See pcheck.h.
 */
#include "model/pcheck.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonlit.h"
#include "base/utf8.h"

#define PCHECK_NEST_LIMIT 1000 /* cJSON's CJSON_NESTING_LIMIT */

void
pcheck_init(
    PCheck *c, const char *fname, ErrList *errs, ErrList *warns, int flags)
{
	*c = (PCheck){fname, errs, warns, flags, 0};
}

int
pcheck_finish(PCheck *c)
{
	if (c->nerr > PCHECK_MAX_ERRORS)
		errlist_add(c->errs, "%s: %d more errors not shown", c->fname,
		    c->nerr - PCHECK_MAX_ERRORS);
	return c->nerr;
}

void
pcheck_err(PCheck *c, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (++c->nerr > PCHECK_MAX_ERRORS)
		return;
	if (path != NULL && path[0] != '\0')
		errlist_add(c->errs, "%s: %s: %s", c->fname, path, msg);
	else
		errlist_add(c->errs, "%s: %s", c->fname, msg);
}

void
pcheck_warn(PCheck *c, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (c->warns == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(c->warns, "%s: %s: warning: %s", c->fname, path, msg);
}

/* ---- names and paths in messages ---- */

const char *
pcheck_quote(char *out, size_t cap, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, limit = cap > 70 ? 60 : cap - 10;

	out[o++] = '"';
	while (*u != '\0' && o < limit) {
		unsigned cp = 0;
		size_t n = utf8_next((const char *)u, &cp);

		if (*u == '"' || *u == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*u++;
		} else if (n == 0 || utf8_is_control(cp) || utf8_is_bidi(cp)) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *u);
			u++;
		} else {
			memcpy(out + o, u, (size_t)n);
			o += (size_t)n;
			u += n;
		}
	}
	out[o++] = '"';
	if (*u != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static bool
plain_key(const char *k)
{
	size_t n = 0;

	for (; k[n] != '\0'; n++)
		if (!((k[n] >= 'a' && k[n] <= 'z') ||
		        (k[n] >= 'A' && k[n] <= 'Z') ||
		        (k[n] >= '0' && k[n] <= '9') || k[n] == '_' ||
		        k[n] == '-'))
			return false;
	return n > 0 && n <= 64;
}

void
pcheck_path_key(char *out, size_t cap, const char *parent, const char *key)
{
	char q[PCHECK_QUOTE_CAP];

	if (plain_key(key))
		snprintf(out, cap, "%s%s%s", parent, parent[0] ? "." : "", key);
	else
		snprintf(out, cap, "%s[%s]", parent,
		    pcheck_quote(q, sizeof(q), key));
}

void
pcheck_path_idx(char *out, size_t cap, const char *parent, int i)
{
	/* A path cut short still names the place; the length is not used. */
	if (snprintf(out, cap, "%s[%d]", parent, i) >= (int)cap)
		out[cap - 1] = '\0';
}

const char *
pcheck_type(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "invalid";
}

static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[72];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0]; /* row[i-1][j-1] */

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* ---- keys ---- */

int
pcheck_key_index(const char *const *known, const char *k)
{
	for (int i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], k) == 0)
			return i;
	return -1;
}

const char *
pcheck_closest(const char *const *known, const char *k)
{
	int best = 3, bi = -1;

	for (int i = 0; known[i] != NULL; i++) {
		int d = edit_distance(k, known[i]);

		if (d < best)
			best = d, bi = i;
	}
	return bi >= 0 ? known[bi] : NULL;
}

int
pcheck_choice(PCheck *c, const char *path, const char *s, const char *what,
    const char *const *names)
{
	char q[PCHECK_QUOTE_CAP], list[256];
	size_t o = 0;
	int n = 0;

	for (; names[n] != NULL; n++)
		if (strcmp(names[n], s) == 0)
			return n;
	list[0] = '\0';
	for (int i = 0; i < n && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
		    i == 0           ? ""
		        : i == n - 1 ? " or "
		                     : ", ",
		    names[i]);
	pcheck_err(c, path, "%s is not a %s (use %s)",
	    pcheck_quote(q, sizeof(q), s), what, list);
	return -1;
}

bool
pcheck_object(
    PCheck *c, const cJSON *obj, const char *path, const char *const *known)
{
	if (!cJSON_IsObject(obj)) {
		pcheck_err(
		    c, path, "must be an object, not %s", pcheck_type(obj));
		return false;
	}
	pcheck_keys(c, obj, path, known);
	return true;
}

void
pcheck_keys(
    PCheck *c, const cJSON *obj, const char *path, const char *const *known)
{
	unsigned long long seen = 0;
	char kp[PCHECK_PATH_CAP];
	const char *hint;

	for (const cJSON *it = obj->child; it != NULL; it = it->next) {
		const char *k = it->string != NULL ? it->string : "";
		int idx = pcheck_key_index(known, k);

		pcheck_path_key(kp, sizeof(kp), path, k);
		if (idx >= 0) {
			if (seen & (1ull << idx))
				pcheck_err(c, kp, "duplicate key");
			seen |= 1ull << idx;
			continue;
		}
		hint = pcheck_closest(known, k);
		if (hint != NULL) {
			pcheck_err(
			    c, kp, "unknown key (did you mean \"%s\"?)", hint);
		} else {
			char list[512];
			size_t o = 0;

			list[0] = '\0';
			for (int i = 0; known[i] != NULL && o < sizeof(list);
			     i++)
				o +=
				    (size_t)snprintf(list + o, sizeof(list) - o,
				        "%s%s", i ? ", " : "", known[i]);
			pcheck_err(c, kp, "unknown key (known keys: %s)", list);
		}
	}
}

const cJSON *
pcheck_get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* ---- typed getters: each reports its own error and returns false ---- */

bool
pcheck_num(
    PCheck *c, const cJSON *it, const char *path, PCheckNum r, double *out)
{
	double v;

	if (!cJSON_IsNumber(it)) {
		pcheck_err(
		    c, path, "must be a number, not %s", pcheck_type(it));
		return false;
	}
	v = it->valuedouble;
	if (!isfinite(v)) {
		pcheck_err(c, path, "must be a finite number");
		return false;
	}
	if (r.integer && v != floor(v)) {
		pcheck_err(c, path, "must be a whole number (got %.10g)", v);
		return false;
	}
	if (v < r.lo || (r.lo_open && v == r.lo) || v > r.hi) {
		if (r.hi != HUGE_VAL && !r.lo_open)
			pcheck_err(c, path,
			    "must be from %.10g to %.10g (got %.10g)", r.lo,
			    r.hi, v);
		else if (r.hi != HUGE_VAL)
			pcheck_err(c, path,
			    "must be %s %.10g and at most %.10g (got %.10g)",
			    r.lo_open ? "greater than" : "at least", r.lo, r.hi,
			    v);
		else
			pcheck_err(c, path, "must be %s %.10g (got %.10g)",
			    r.lo_open ? "greater than" : "at least", r.lo, v);
		return false;
	}
	*out = v;
	return true;
}

bool
pcheck_int(
    PCheck *c, const cJSON *it, const char *path, int lo, int hi, int *out)
{
	double v;
	PCheckNum r = {lo, hi, false, true};

	if (!pcheck_num(c, it, path, r, &v))
		return false;
	*out = (int)v;
	return true;
}

bool
pcheck_bool(PCheck *c, const cJSON *it, const char *path, bool *out)
{
	if (!cJSON_IsBool(it)) {
		pcheck_err(
		    c, path, "must be true or false, not %s", pcheck_type(it));
		return false;
	}
	*out = cJSON_IsTrue(it);
	return true;
}

/* The first bidirectional control in s when it comes before any other
 * reason s is not printable; 0 otherwise. */
static unsigned
first_bidi(const char *s)
{
	while (*s != '\0') {
		unsigned cp;
		size_t n = utf8_next(s, &cp);

		if (n == 0 || utf8_is_control(cp))
			return 0;
		if (utf8_is_bidi(cp))
			return cp;
		s += n;
	}
	return 0;
}

/* A string that is safe to print: valid UTF-8, no control characters,
 * no bidirectional controls. */
bool
pcheck_str(PCheck *c, const cJSON *it, const char *path, size_t maxlen,
    const char **out)
{
	size_t n;

	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		pcheck_err(
		    c, path, "must be a string, not %s", pcheck_type(it));
		return false;
	}
	n = strlen(it->valuestring);
	if (n == 0) {
		pcheck_err(c, path, "must not be empty");
		return false;
	}
	if (n > maxlen) {
		pcheck_err(c, path, "is longer than %zu bytes", maxlen);
		return false;
	}
	if (!utf8_printable(it->valuestring)) {
		unsigned bidi = first_bidi(it->valuestring);

		if (bidi != 0)
			pcheck_err(c, path,
			    "contains a bidirectional control character "
			    "(U+%04X): it can make text display as something "
			    "other than what it is",
			    bidi);
		else
			pcheck_err(c, path,
			    "contains a control character or invalid UTF-8");
		return false;
	}
	*out = it->valuestring;
	return true;
}

/* ---- malformed JSON ---- */

/* Skip blanks from pos; returns the first position that is not one. */
static size_t
skip_blank(const char *json, size_t len, size_t pos)
{
	while (pos < len && strchr(" \t\r\n", json[pos]) != NULL &&
	    json[pos] != '\0')
		pos++;
	return pos;
}

/*
 * The first comma that is followed (blanks aside) by the bracket closing
 * its own array or object, when that bracket lies at or before stop:
 * `[1, 2,]` or `{"a": 1,}`. cJSON stops somewhere after it (at the
 * bracket, or further on), so the comma itself is what to point at.
 * Returns its offset, or len when there is none (or the nesting is too
 * deep to follow).
 */
static size_t
trailing_comma(const char *json, size_t len, size_t stop)
{
	unsigned char open[PCHECK_NEST_LIMIT];
	int depth = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < len && i <= stop; i++) {
		char ch = json[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '[' || ch == '{') {
			if (depth == PCHECK_NEST_LIMIT)
				return len;
			open[depth++] = (unsigned char)ch;
		} else if (ch == ']' || ch == '}') {
			if (depth > 0)
				depth--;
		} else if (ch == ',' && depth > 0) {
			size_t j = skip_blank(json, len, i + 1);
			char want = open[depth - 1] == '[' ? ']' : '}';

			if (j < len && j <= stop && json[j] == want)
				return i;
		}
	}
	return len;
}

/* Where cJSON stopped, as line:col (both from 1; col counts characters). */
static void
json_error(PCheck *c, const char *json, size_t len, size_t pos, bool trailing)
{
	int line = 1, col = 1, depth = 0;
	bool in_str = false, esc = false;
	size_t comma = len;

	if (pos > len)
		pos = len;
	/* Point at the next token, not at the blank before it. */
	if (!trailing)
		pos = skip_blank(json, len, pos);
	/* A trailing comma: point at the comma, not where cJSON gave up. */
	if (!trailing && (comma = trailing_comma(json, len, pos)) < len)
		pos = comma;
	for (size_t i = 0; i < pos; i++) {
		unsigned char ch = (unsigned char)json[i];

		if (ch == '\n') {
			line++;
			col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			col++;
		}
		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '[' || ch == '{') {
			depth++;
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	c->nerr++;
	if (trailing)
		errlist_add(c->errs,
		    "%s:%d:%d: unexpected text after the JSON object", c->fname,
		    line, col);
	else if (comma < len)
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON: a comma before '%c' (JSON "
		    "allows no trailing comma; remove it)",
		    c->fname, line, col,
		    json[skip_blank(json, len, comma + 1)]);
	else if (depth >= PCHECK_NEST_LIMIT)
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON: nested more than %d levels "
		    "deep",
		    c->fname, line, col, PCHECK_NEST_LIMIT);
	else if (skip_blank(json, len, 0) == len)
		errlist_add(c->errs, "%s:%d:%d: malformed JSON: empty file",
		    c->fname, line, col);
	else if (pos >= len)
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON: unexpected end of input",
		    c->fname, line, col);
	else if (json[pos] >= 0x21 && json[pos] <= 0x7E)
		errlist_add(c->errs, "%s:%d:%d: malformed JSON near '%c'",
		    c->fname, line, col, json[pos]);
	else
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON near byte 0x%02x", c->fname, line,
		    col, (unsigned char)json[pos]);
}

/* ---- NUL characters, which cJSON drops without a word ---- */

typedef struct {
	PCheck *c;
	const unsigned char *kind; /* per literal, in text order: JsonLitNul */
	size_t nlit, next; /* literals; the next one the walk meets */
	char path[PCHECK_PATH_CAP];
} NulWalk;

static void
nul_report(NulWalk *w, unsigned char kind, bool key)
{
	const char *what = kind == JSONLIT_NUL_ESCAPE
	    ? "a NUL character (\\u0000)"
	    : "a NUL byte (0x00)";

	if (key)
		pcheck_err(w->c, w->path,
		    "the key contains %s, which no profile key may hold", what);
	else
		pcheck_err(w->c, w->path,
		    "contains %s, which no profile string may hold", what);
}

/* The kind of the next literal in text order (0 past the last). */
static unsigned char
nul_take(NulWalk *w)
{
	return w->next < w->nlit ? w->kind[w->next++] : 0;
}

/* Walk it (at w->path, plen bytes long) in document order, which is the
 * text order of its literals: a member's key, then its value. */
static void
nul_walk(NulWalk *w, const cJSON *it, size_t plen)
{
	char q[PCHECK_QUOTE_CAP];
	unsigned char k;
	int i = 0;

	if (cJSON_IsString(it)) {
		if ((k = nul_take(w)) != 0)
			nul_report(w, k, false);
		return;
	}
	if (!cJSON_IsObject(it) && !cJSON_IsArray(it))
		return;
	for (const cJSON *ch = it->child; ch != NULL; ch = ch->next, i++) {
		size_t room = sizeof(w->path) - plen;

		if (cJSON_IsObject(it)) {
			const char *key = ch->string ? ch->string : "";

			if (plain_key(key))
				snprintf(w->path + plen, room, "%s%s",
				    plen ? "." : "", key);
			else
				snprintf(w->path + plen, room, "[%s]",
				    pcheck_quote(q, sizeof(q), key));
			if ((k = nul_take(w)) != 0)
				nul_report(w, k, true);
		} else {
			snprintf(w->path + plen, room, "[%d]", i);
		}
		nul_walk(w, ch, strlen(w->path));
		w->path[plen] = '\0';
	}
}

/*
 * A NUL inside a string of json[0..end) (the text cJSON parsed into
 * root): each such string or key reported at its JSON path; a 0x00 byte
 * between tokens (which cJSON skips as a blank) as malformed JSON.
 * Returns true when there was none.
 */
static bool
nul_free(PCheck *c, const char *json, size_t end, const cJSON *root)
{
	NulWalk w = {c, NULL, 0, 0, ""};
	unsigned char *kind;
	size_t pos = 0, at = 0, cap = 0, first;
	const char *raw;
	JsonLit lit;
	bool any = false;

	if (jsonlit_first_nul(json, end, &first) == JSONLIT_NUL_NONE) {
		raw = memchr(json, '\0', end);
		if (raw == NULL)
			return true;
		json_error(c, json, end, (size_t)(raw - json), false);
		return false;
	}
	kind = NULL;
	while (jsonlit_next(json, end, &pos, &lit)) {
		raw = memchr(json + at, '\0', lit.open - at);
		if (raw != NULL) {
			json_error(c, json, end, (size_t)(raw - json), false);
			free(kind);
			return false;
		}
		at = pos;
		if (w.nlit == cap) {
			cap = cap ? cap * 2 : 64;
			kind = xrealloc(kind, cap, 1);
		}
		kind[w.nlit++] = (unsigned char)lit.nul;
		any = any || lit.nul != JSONLIT_NUL_NONE;
	}
	raw = memchr(json + at, '\0', end - at);
	if (raw != NULL) {
		json_error(c, json, end, (size_t)(raw - json), false);
		free(kind);
		return false;
	}
	w.kind = kind;
	if (any)
		nul_walk(&w, root, 0);
	free(kind);
	return !any;
}

cJSON *
pcheck_parse(PCheck *c, const char *json, size_t len)
{
	const char *end = NULL;
	cJSON *root;
	size_t pos;

	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (root == NULL) {
		json_error(c, json, len, end ? (size_t)(end - json) : 0, false);
		return NULL;
	}
	pos = end != NULL ? (size_t)(end - json) : len;
	if (skip_blank(json, len, pos) < len) {
		json_error(c, json, len, skip_blank(json, len, pos), true);
		cJSON_Delete(root);
		return NULL;
	}
	if (!nul_free(c, json, pos, root)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
