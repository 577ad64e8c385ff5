/*
 * The profile tests' fixture (tests/unit/profile_fx.c), shared by the
 * test_profile_*.c files. Every test binary's group setup is
 * pf_env_setup / pf_env_teardown.
 */
#ifndef DRTOP_TEST_PROFILE_FX_H
#define DRTOP_TEST_PROFILE_FX_H

#include <stdbool.h>
#include <stddef.h>

#include "model/profile.h"

#define BASEDIR "/nonexistent/prof"

/* The environment every test starts from (group setup): ${env:} rows
 * rely on these two being set and DRTOP_TEST_UNSET not. */
#define TOKEN_VALUE "s3cr3t-value"
#define TWO_VALUE "2"

/* Parse src (JSON with ' for ") as p.json in BASEDIR; errs and (when not
 * NULL) warns are initialised here. */
Profile *pf_parse_flags(
    const char *src, int flags, ErrList *errs, ErrList *warns);
Profile *pf_parse(const char *src, ErrList *errs);
/* Each message on stderr, as "  got: MSG". */
void pf_print_errs(const ErrList *e);
/* True when e holds exactly this message. */
bool pf_has_msg(const ErrList *e, const char *msg);
/* Load src, which must load without an error; warnings are dropped. */
Profile *pf_must_load(const char *name, const char *src, int flags);

#define MIN_EP "{'name':'a','target':'https://a.example.com'}"
#define EP2 "{'name':'b','target':'https://b.example.com'}"
#define WRAP(top, eps) "{'service':'s'" top ",'endpoints':[" eps "]}"

/* A header from a variable that is set and one from one that is not
 * (see TOKEN_VALUE). */
#define ENV_UNSET                                                              \
	"{'service':'s','monitor':{'headers':{'A':'${env:DRTOP_TEST_TOKEN}',"  \
	"'B':'${env:DRTOP_TEST_TOKEN}/${env:DRTOP_TEST_UNSET}'}},"             \
	"'endpoints':[" MIN_EP "]}"

/* ---- fields: a path-ish getter for the value tables ---- */

typedef enum { V_INT, V_BOOL, V_DBL, V_STR, V_CHARS } ValueKind;

/* A field of the Profile (ep < 0), of endpoints[ep], or of
 * endpoints[ep].monitor (mon), at byte offset off. */
typedef struct {
	const char *name;
	int ep;
	bool mon;
	size_t off;
	ValueKind kind;
} Field;

/* The kind follows the field's declared type; a type not listed here
 * does not compile. Enums are read as int. */
#define VKIND(lv)                                                              \
	_Generic(&(lv),                                                        \
	    int *: V_INT,                                                      \
	    Protocol *: V_INT,                                                 \
	    RouteMethod *: V_INT,                                              \
	    RouteManager *: V_INT,                                             \
	    IdentifyMode *: V_INT,                                             \
	    bool *: V_BOOL,                                                    \
	    double *: V_DBL,                                                   \
	    char **: V_STR,                                                    \
	    char(*)[EV_NAME_MAX]: V_CHARS)
#define AT_P(f)                                                                \
	{                                                                      \
		"p." #f, -1, false, offsetof(Profile, f),                      \
		    VKIND(((Profile *)0)->f)                                   \
	}
#define AT_E(i, f)                                                             \
	{                                                                      \
		"endpoints[" #i "]." #f, i, false, offsetof(Endpoint, f),      \
		    VKIND(((Endpoint *)0)->f)                                  \
	}
#define AT_M(i, f)                                                             \
	{                                                                      \
		"endpoints[" #i "].monitor." #f, i, true,                      \
		    offsetof(Monitor, f), VKIND(((Monitor *)0)->f)             \
	}

/* Check p's field f against num (V_INT, V_BOOL, V_DBL) or str (V_STR,
 * V_CHARS; NULL: the pointer is NULL); a mismatch names tcase. */
void pf_check_field(const char *tcase, const Profile *p, const Field *f,
    double num, const char *str);

/* The environment the ${env:} rows expect (a group setup/teardown). */
int pf_env_setup(void **state);
int pf_env_teardown(void **state);

#endif
