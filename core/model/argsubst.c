#include "model/argsubst.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* A growable byte buffer, local to this file. */
typedef struct {
	char *p;
	size_t len, cap;
} Buf;

static void
buf_add(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The value of the placeholder that starts at s ('{'), and its length
 * in *n; NULL when s does not start a known placeholder. */
static const char *
lookup(const char *s, const ArgVars *v, size_t *n)
{
	const char *keys[] = {"{from}", "{to}", "{service}"};
	const char *vals[] = {v->from, v->to, v->service};

	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		size_t kl = strlen(keys[i]);

		if (strncmp(s, keys[i], kl) == 0) {
			*n = kl;
			return vals[i] ? vals[i] : "";
		}
	}
	return NULL;
}

char *
argsubst(const char *tmpl, const ArgVars *v)
{
	Buf b = {0};
	const char *s = tmpl;

	buf_add(&b, "", 0);
	while (*s != '\0') {
		const char *val;
		size_t n;

		if (s[0] == '{' && (val = lookup(s, v, &n)) != NULL) {
			buf_add(&b, val, strlen(val));
			s += n;
		} else {
			n = strcspn(s + 1, "{}") + 1;
			buf_add(&b, s, n);
			s += n;
		}
	}
	return b.p;
}

char **
argsubst_argv(char *const *tmpl, const ArgVars *v)
{
	size_t n = 0;
	char **out;

	while (tmpl[n] != NULL)
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = argsubst(tmpl[i], v);
	return out;
}

void
argsubst_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static bool
ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static bool
ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

int
argsubst_check(const char *tmpl, char *err, size_t errcap)
{
	static const ArgVars none = {0};
	const char *s = tmpl;

	while (*s != '\0') {
		size_t n;

		if (s[0] == '{' && lookup(s, &none, &n) != NULL) {
			s += n;
			continue;
		}
		if (s[0] == '{' && ident_start(s[1])) {
			n = 1;
			while (ident_char(s[n]))
				n++;
			if (s[n] == '}') {
				snprintf(err, errcap,
				    "unknown placeholder %.*s (the known "
				    "placeholders are {from}, {to} and "
				    "{service})",
				    (int)(n + 1), s);
				return -1;
			}
		}
		s++;
	}
	return 0;
}
