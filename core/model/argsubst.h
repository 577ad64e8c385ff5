/*
 * argsubst: the placeholder substitution of action argument templates.
 *
 * Rules (DESIGN.md "Actions"; doc/actions.md):
 * - `{from}`, `{to}` and `{service}` are replaced by their values inside
 *   one argument; the result is always exactly one argument, whatever
 *   the value holds (spaces, quotes, `$(...)`, newlines): nothing is
 *   split, globbed or interpreted, and no shell ever sees it.
 * - Everything else is copied verbatim, braces included (`{x}`,
 *   `{"a":{"b":1}}`, a lone `{`): JSON arguments such as a Route 53
 *   change batch arrive as written. There is no escape syntax. argsubst_check() lets a profile loader reject unknown
 *   placeholder names (`{form}`) early instead.
 * - One pass: a value that itself contains `{to}` is not substituted
 *   again.
 *
 * Pure functions, any thread, no I/O.
 */
#ifndef DRTOP_ARGSUBST_H
#define DRTOP_ARGSUBST_H

#include <stddef.h>

/* The values; a NULL member substitutes as the empty string. */
typedef struct {
	const char *from;
	const char *to;
	const char *service;
} ArgVars;

/* The substituted argument, malloc'd (caller frees). Never fails
 * (aborts on OOM). tmpl must not be NULL. */
char *argsubst(const char *tmpl, const ArgVars *v);

/*
 * Substitute every argument of the NULL-terminated template vector tmpl.
 * Returns a malloc'd NULL-terminated vector of malloc'd strings with as
 * many arguments as tmpl; free with argsubst_argv_free().
 */
char **argsubst_argv(char *const *tmpl, const ArgVars *v);

/* Free a vector from argsubst_argv(). NULL is safe. */
void argsubst_argv_free(char **argv);

/*
 * Check one template for placeholders drtop does not know: a brace
 * pair around a lower-case identifier ([a-z_][a-z0-9_]*) other than
 * from, to and service. Returns 0 when the template is fine, -1 with
 * err set ("unknown placeholder {form} (the known placeholders are
 * {from}, {to} and {service})") otherwise.
 */
int argsubst_check(const char *tmpl, char *err, size_t errcap);

#endif
