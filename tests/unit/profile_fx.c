/*
 * The profile tests' fixture: JSON written with ' for ", parsed from
 * BASEDIR; the messages an ErrList holds; a field of a Profile read by
 * its path for the value tables; the environment the ${env:} rows expect.
 */
#include "profile_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* The tests write JSON with ' for " to stay readable. */
static char *
dq(const char *s)
{
	char *r = xstrdup(s);

	for (char *p = r; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

Profile *
pf_parse_flags(const char *src, int flags, ErrList *errs, ErrList *warns)
{
	char *json = dq(src);
	Profile *p;

	errlist_init(errs);
	if (warns != NULL)
		errlist_init(warns);
	p = profile_parse_flags(
	    json, strlen(json), "p.json", BASEDIR, flags, errs, warns);
	free(json);
	return p;
}

Profile *
pf_parse(const char *src, ErrList *errs)
{
	return pf_parse_flags(src, 0, errs, NULL);
}

void
pf_print_errs(const ErrList *e)
{
	for (int i = 0; i < e->count; i++)
		fprintf(stderr, "  got: %s\n", e->msgs[i]);
}

bool
pf_has_msg(const ErrList *e, const char *msg)
{
	for (int i = 0; i < e->count; i++)
		if (strcmp(e->msgs[i], msg) == 0)
			return true;
	return false;
}

/* Load src, which must load without an error; warnings are dropped. */
Profile *
pf_must_load(const char *name, const char *src, int flags)
{
	ErrList e;
	Profile *p = pf_parse_flags(src, flags, &e, NULL);

	if (p == NULL || e.count != 0) {
		fprintf(stderr, "case \"%s\": does not load\n", name);
		pf_print_errs(&e);
	}
	assert_int_equal(e.count, 0);
	assert_non_null(p);
	errlist_fini(&e);
	return p;
}

_Static_assert(sizeof(Protocol) == sizeof(int) &&
        sizeof(RouteMethod) == sizeof(int) &&
        sizeof(IdentifyMode) == sizeof(int),
    "enums are read as int");

/*
 * Check p's field f against num (V_INT, V_BOOL, V_DBL) or str (V_STR,
 * V_CHARS; NULL: the pointer is NULL). A mismatch names the case before
 * the assertion fails.
 */
void
pf_check_field(const char *tcase, const Profile *p, const Field *f, double num,
    const char *str)
{
	const char *base = (const char *)p;
	const char *s = NULL;
	double d = 0;
	int i = 0;
	bool b = false, same = false;

	if (f->ep >= 0) {
		assert_in_range(f->ep, 0, p->nendpoints - 1);
		base = f->mon ? (const char *)&p->endpoints[f->ep].monitor
		              : (const char *)&p->endpoints[f->ep];
	}
	base += f->off;
	switch (f->kind) {
	case V_INT:
		memcpy(&i, base, sizeof(i));
		same = i == (int)num;
		break;
	case V_BOOL:
		memcpy(&b, base, sizeof(b));
		same = b == (num != 0);
		break;
	case V_DBL:
		memcpy(&d, base, sizeof(d));
		same = d >= num - 1e-9 && d <= num + 1e-9;
		break;
	case V_STR:
		memcpy(&s, base, sizeof(s));
		same = s == NULL ? str == NULL
		                 : str != NULL && strcmp(s, str) == 0;
		break;
	case V_CHARS:
		s = base;
		same = str != NULL && strcmp(s, str) == 0;
		break;
	}
	if (!same)
		fprintf(stderr, "case \"%s\": %s\n", tcase, f->name);
	switch (f->kind) {
	case V_INT:
		assert_int_equal(i, (int)num);
		break;
	case V_BOOL:
		assert_int_equal(b, num != 0);
		break;
	case V_DBL:
		assert_double_equal(d, num, 1e-9);
		break;
	case V_STR:
	case V_CHARS:
		if (str == NULL) {
			assert_null(s);
		} else {
			assert_non_null(s);
			assert_string_equal(s, str);
		}
		break;
	}
}

/* The environment the ${env:} rows expect. */
int
pf_env_setup(void **state)
{
	(void)state;
	setenv("DRTOP_TEST_TOKEN", TOKEN_VALUE, 1);
	setenv("DRTOP_TEST_TWO", TWO_VALUE, 1);
	unsetenv("DRTOP_TEST_UNSET");
	return 0;
}

int
pf_env_teardown(void **state)
{
	(void)state;
	unsetenv("DRTOP_TEST_TOKEN");
	unsetenv("DRTOP_TEST_TWO");
	return 0;
}
