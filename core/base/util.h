/*
 * util: allocation that never returns NULL, the die() path, error lists,
 * and small string helpers shared by every core/ module.
 *
 * Out-of-memory and bugs are fatal: x* allocators call die(), which runs
 * the hook registered with die_set_hook() exactly once (the console
 * registers endwin so a crash never leaves an SSH session in raw mode)
 * and then aborts. Operator-caused failures are return values plus an
 * ErrList or an error buffer that names the place.
 */
#ifndef DRTOP_UTIL_H
#define DRTOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DRTOP_VERSION "0.1.0"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Print "drtop: <message>" to stderr, run the die hook once, abort. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Register a function run once by die() before the message is printed,
 * in the thread that called die() (whichever dies first, when several
 * do). Call from the main thread before starting other threads. */
void die_set_hook(void (*hook)(void));

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy src into dst of size cap (cap > 0), always NUL-terminated. Never
 * cuts a UTF-8 sequence in half. Returns true when all of src fitted.
 */
bool str_copy(char *dst, size_t cap, const char *src);

/* True when s starts with prefix. */
bool str_starts(const char *s, const char *prefix);

/*
 * ErrList: an ordered list of error messages, each already naming its
 * place ("profile.json: endpoints[1].name: ..."). Owned by the caller.
 */
typedef struct {
	char **msgs;
	int count;
	int cap;
} ErrList;

void errlist_init(ErrList *e);
void errlist_fini(ErrList *e);
void errlist_add(ErrList *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Write every message, one per line, to f. */
void errlist_print(const ErrList *e, FILE *f);

#endif
