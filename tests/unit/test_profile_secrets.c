/* profile: secrets: a ${env:} value is never printed, the JSON form
 * redacts header values, and that JSON loads back as the same profile. */
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

/* A value with a newline is refused without being printed. */
static void
test_env_value_never_printed(void **state)
{
	ErrList e;
	Profile *p;

	(void)state;
	setenv("DRTOP_TEST_TOKEN", "line1\r\nInjected: yes", 1);
	p = pf_parse(ENV_UNSET, &e);
	setenv("DRTOP_TEST_TOKEN", TOKEN_VALUE, 1);
	assert_null(p);
	assert_int_equal(e.count, 2); /* and DRTOP_TEST_UNSET is unset */
	assert_true(pf_has_msg(&e,
	    "p.json: monitor.headers.A: value "
	    "contains a control character (after ${env:} "
	    "substitution)"));
	for (int i = 0; i < e.count; i++)
		assert_null(strstr(e.msgs[i], "Injected"));
	errlist_fini(&e);
}

static void
test_redaction_and_roundtrip(void **state)
{
	ErrList e;
	Profile *p, *q;
	char *red, *clear, *again;

	(void)state;
	setenv("DRTOP_TEST_TOKEN", "Bearer tok-9f8e7d", 1);
	p = pf_parse(
	    "{'service':'cpi-prod','dns':{'name':'cpi.example.com'},"
	    "'monitor':{'path':'/http/health','tolerated_failures':2,"
	    "'expected_status':['401','200-204'],"
	    "'headers':{'Authorization':'${env:DRTOP_TEST_TOKEN}'},"
	    "'identify':{'body':true}},"
	    "'endpoints':[{'name':'eu20','target':'https://eu20.example."
	    "com','lat':50.1,'lon':8.7,'region':'Frankfurt',"
	    "'dns_answers':['eu20.example.com']},"
	    "{'name':'us21','target':'https://us21.example.com',"
	    "'monitor':{'interval':10,'timeout':2.5}}],"
	    "'actions':{'failover':{'argv':['./tm.sh','{from}','{to}']},"
	    "'failback':[{'name':'one','argv':['/bin/true'],'timeout':5},"
	    "{'name':'two','argv':['x','']}]},"
	    "'drill':{'rto_target':300,'dir':'drills'}}",
	    &e);
	setenv("DRTOP_TEST_TOKEN", TOKEN_VALUE, 1);
	pf_print_errs(&e);
	assert_non_null(p);
	/* Relative programs with '/' resolve against the profile's dir;
	 * templates stay as they are. */
	assert_string_equal(p->failover.steps[0].argv[0], BASEDIR "/tm.sh");
	assert_string_equal(p->failover.steps[0].argv[1], "{from}");
	assert_null(p->failover.steps[0].argv[3]);
	assert_int_equal(p->failover.steps[0].argc, 3);
	assert_null(p->failover.steps[0].name);
	assert_double_equal(p->failover.steps[0].timeout, 60, 1e-9);
	assert_int_equal(p->failback.nsteps, 2);
	assert_string_equal(p->failback.steps[1].name, "two");
	assert_string_equal(p->failback.steps[1].argv[0], "x"); /* PATH */
	assert_string_equal(p->failback.steps[1].argv[1], "");

	red = profile_to_json(p, true);
	assert_null(strstr(red, "tok-9f8e7d"));
	assert_non_null(strstr(red, "\"Authorization\":\"<redacted>\""));
	clear = profile_to_json(p, false);
	assert_non_null(strstr(clear, "Bearer tok-9f8e7d"));

	/* The JSON is a profile: parsing it gives the same JSON back. */
	errlist_fini(&e);
	errlist_init(&e);
	q = profile_parse_flags(clear, strlen(clear), "log", "/elsewhere",
	    PROFILE_NO_ENV, &e, NULL);
	pf_print_errs(&e);
	assert_non_null(q);
	again = profile_to_json(q, false);
	assert_string_equal(again, clear);
	free(again);
	profile_free(q);
	q = profile_parse_flags(
	    red, strlen(red), "log", "/elsewhere", PROFILE_NO_ENV, &e, NULL);
	assert_non_null(q);
	assert_string_equal(
	    q->endpoints[0].monitor.headers[0].value, "<redacted>");
	profile_free(q);
	free(red);
	free(clear);
	profile_free(p);
	errlist_fini(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_value_never_printed),
	    cmocka_unit_test(test_redaction_and_roundtrip),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
