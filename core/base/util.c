#include "base/util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Set before threads start; taken once, by whichever thread dies first. */
static void (*_Atomic die_hook)(void);

void
die_set_hook(void (*hook)(void))
{
	atomic_store(&die_hook, hook);
}

void
die(const char *fmt, ...)
{
	void (*hook)(void) = atomic_exchange(&die_hook, NULL);
	va_list ap;

	if (hook != NULL)
		hook();
	fputs("drtop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		die("out of memory (%zu x %zu bytes)", count, size);
	return p;
}

void *
xrealloc(void *p, size_t count, size_t size)
{
	void *q;
	size_t n;

	if (size != 0 && count > SIZE_MAX / size)
		die("allocation overflow (%zu x %zu)", count, size);
	n = count * size;
	q = realloc(p, n != 0 ? n : 1);
	if (q == NULL)
		die("out of memory (%zu x %zu bytes)", count, size);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("xasprintf: bad format");
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

bool
str_copy(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);

	if (len < cap) {
		memcpy(dst, src, len + 1);
		return true;
	}
	len = cap - 1;
	/* Back off over UTF-8 continuation bytes so no sequence is cut. */
	while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
		len--;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return false;
}

bool
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void
errlist_init(ErrList *e)
{
	memset(e, 0, sizeof(*e));
}

void
errlist_fini(ErrList *e)
{
	for (int i = 0; i < e->count; i++)
		free(e->msgs[i]);
	free(e->msgs);
	memset(e, 0, sizeof(*e));
}

void
errlist_add(ErrList *e, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (e->count == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		e->msgs = xrealloc(e->msgs, (size_t)e->cap, sizeof(*e->msgs));
	}
	e->msgs[e->count++] = msg;
}

void
errlist_print(const ErrList *e, FILE *f)
{
	for (int i = 0; i < e->count; i++)
		fprintf(f, "%s\n", e->msgs[i]);
}
