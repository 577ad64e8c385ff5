/* profile: warnings, which never fail a load.
 *
 *   warn_cases       profile text -> its one warning, the full message
 * A failing row is named on stderr before the assertion that fails;
 * several warnings at once are a test of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "profile_fx.h"

/* ---- warnings: each row loads, with exactly this one warning ---- */

typedef struct {
	const char *name;
	const char *json;
	int flags;
	const char *msg; /* the full message */
} WarnCase;

static const WarnCase warn_cases[] = {
    {"env variable unset in check mode", ENV_UNSET, PROFILE_ENV_OPTIONAL,
        "p.json: monitor.headers.B: warning: environment variable "
        "DRTOP_TEST_UNSET is not set (it must be when drtop probes)"},
    {"tcp probe ignores body_contains",
        WRAP("",
            "{'name':'a','target':'tcp://h:1',"
            "'monitor':{'body_contains':'x'}}"),
        0,
        "p.json: endpoints[0]: warning: monitor.body_contains is ignored: "
        "a tcp probe only opens a connection"},
    {"tcp probe ignores inherited expected_status",
        WRAP(",'monitor':{'protocol':'tcp','expected_status':['204']}",
            "{'name':'a','target':'tcp://h:1'}"),
        0,
        "p.json: endpoints[0]: warning: monitor.expected_status is "
        "ignored: a tcp probe only opens a connection"},
    {"every endpoint disabled",
        WRAP("",
            "{'name':'a','target':'https://a.example.com',"
            "'disabled':true}"),
        0,
        "p.json: endpoints: warning: every endpoint is disabled: nothing "
        "is probed or routed to"},
    {"JSON and braces that are no placeholder",
        WRAP(",'actions':{'failback':{'argv':['x','{\\'a\\':1}','{X}',"
             "'{ to }','{','}','{to}']}}",
            MIN_EP ",{'name':'b','target':'tcp://h:1',"
                   "'monitor':{'body_contains':'x'}}"),
        0,
        "p.json: endpoints[1]: warning: monitor.body_contains is ignored: "
        "a tcp probe only opens a connection"},
};

static void
test_warnings(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(warn_cases); i++) {
		const WarnCase *wc = &warn_cases[i];
		ErrList e, w;
		Profile *p = pf_parse_flags(wc->json, wc->flags, &e, &w);

		if (p == NULL || e.count != 0 || w.count != 1 ||
		    strcmp(w.msgs[0], wc->msg) != 0) {
			bad++;
			fprintf(stderr, "case \"%s\": %s\n  want: %s\n",
			    wc->name, wc->json, wc->msg);
			pf_print_errs(&e);
			pf_print_errs(&w);
		}
		profile_free(p);
		errlist_fini(&e);
		errlist_fini(&w);
	}
	assert_int_equal(bad, 0);
}

/* Several warnings at once come in order, and they never fail a load. */
static void
test_warnings_in_order(void **state)
{
	ErrList e, w;
	Profile *p;

	(void)state;
	p = pf_parse_flags(
	    "{'service':'s','monitor':{'expected_status':['204']},"
	    "'endpoints':[{'name':'a','target':'tcp://h:1','disabled':true,"
	    "'monitor':{'body_contains':'x'}},"
	    "{'name':'b','target':'tcp://h:2','disabled':true}],"
	    "'actions':{'failover':{'argv':['x','{\\'k\\':{to}}',"
	    "'{service}-{from}']}}}",
	    0, &e, &w);
	pf_print_errs(&e);
	assert_non_null(p);
	if (w.count != 2)
		pf_print_errs(&w);
	assert_int_equal(w.count, 2);
	assert_string_equal(w.msgs[0],
	    "p.json: endpoints[0]: warning: monitor.body_contains is ignored: "
	    "a tcp probe only opens a connection");
	assert_string_equal(w.msgs[1],
	    "p.json: endpoints: warning: every endpoint is disabled: nothing "
	    "is probed or routed to");
	profile_free(p);
	errlist_fini(&e);
	errlist_fini(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_warnings_in_order),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
