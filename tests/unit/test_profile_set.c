/* profile: --set KEY=VALUE, the what-if edits.
 *
 *   set_cases        --set KEY=VALUE -> one field's new value
 *   set_err_cases    --set KEY=VALUE -> the full error, profile unchanged
 * A failing row is named on stderr before the assertion that fails. */
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

/* ---- --set: what-if edits ---- */

/* The header's value came from the environment when the profile was
 * loaded; profile_set() must keep it without reading it again. */
#define SET_BASE                                                               \
	"{'service':'s','monitor':{'headers':{'A':"                            \
	"'${env:DRTOP_TEST_TOKEN}'}},'endpoints':[" MIN_EP                     \
	",{'name':'b.x','target':'https://b.example.com'}]}"
#define SET_SECRET "keep-me"

typedef struct {
	const char *set; /* KEY=VALUE */
	Field f;
	double num; /* V_INT, V_BOOL, V_DBL */
	const char *str; /* V_STR, V_CHARS */
} SetCase;

/* Applied in order to one profile. */
static const SetCase set_cases[] = {
    {"monitor.tolerated_failures=0", AT_M(0, tolerated_failures), .num = 0},
    {"monitor.tolerated_failures=0", AT_M(1, tolerated_failures), .num = 0},
    {"routing.failback=auto", AT_P(routing.failback_auto), .num = true},
    {"routing.manager=manual", AT_P(routing.manager), .num = MANAGER_MANUAL},
    /* names may hold '.' */
    {"endpoints.b.x.monitor.interval=12", AT_M(0, interval), .num = 30},
    {"endpoints.b.x.monitor.interval=12", AT_M(1, interval), .num = 12},
    {"dns.ttl=30", AT_P(dns.ttl), .num = 30},
    {"drill.rto_target=120", AT_P(rto_target), .num = 120},
    /* a comma list */
    {"monitor.expected_status=200-299,401", AT_M(1, nexpected), .num = 2},
    {"monitor.expected_status=200-299,401", AT_M(1, expected[1].lo),
        .num = 401},
    {"endpoints.a.priority=5", AT_E(0, priority), .num = 5},
    /* VALUE as JSON, or else as a plain string */
    {"monitor.expected_status=[\"204\"]", AT_M(0, expected[0].lo), .num = 204},
    {"routing.method=\"weighted\"", AT_P(routing.method),
        .num = ROUTE_WEIGHTED},
    {"routing.method=performance", AT_P(routing.method),
        .num = ROUTE_PERFORMANCE},
    {"endpoints.b.x.weight=2.5", AT_E(1, weight), .num = 2.5},
    {"dns.resolvers=system,127.0.0.1:5353", AT_P(dns.resolvers[1].addr),
        .str = "127.0.0.1:5353"},
};

static Profile *
set_base(void)
{
	Profile *p;

	setenv("DRTOP_TEST_TOKEN", SET_SECRET, 1);
	p = pf_must_load("--set base", SET_BASE, 0);
	unsetenv("DRTOP_TEST_TOKEN");
	return p;
}

static void
test_set(void **state)
{
	Profile *p = set_base();
	char err[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(set_cases); i++) {
		const SetCase *sc = &set_cases[i];
		int rc = profile_set(p, sc->set, err, sizeof(err));

		if (rc != 0)
			fprintf(stderr, "case \"%s\": %s\n", sc->set, err);
		assert_int_equal(rc, 0);
		pf_check_field(sc->set, p, &sc->f, sc->num, sc->str);
		/* The secret and the file survive every edit. */
		assert_string_equal(
		    p->endpoints[1].monitor.headers[0].value, SET_SECRET);
		assert_string_equal(p->file, "p.json");
		assert_string_equal(p->dir, BASEDIR);
	}
	profile_free(p);
	setenv("DRTOP_TEST_TOKEN", TOKEN_VALUE, 1);
}

typedef struct {
	const char *set; /* KEY=VALUE */
	const char *msg; /* the full message */
} SetErrCase;

static const SetErrCase set_err_cases[] = {
    {"monitor.interval=0.01",
        "--set monitor.interval=0.01: endpoints[0].monitor.interval: must "
        "be from 0.1 to 86400 (got 0.01) (and more)"},
    {"monitor.interval=5",
        "--set monitor.interval=5: endpoints[0].monitor.timeout: 10 s is "
        "longer than the interval (5 s) (and more)"},
    {"monitor.tolerated_failure=1",
        "--set monitor.tolerated_failure: unknown key "
        "(did you mean \"tolerated_failures\"?)"},
    {"endpoints.zz.monitor.interval=5",
        "--set endpoints.zz.monitor.interval: no such endpoint"},
    {"endpoints.a.monitor.intervl=5",
        "--set endpoints.a.monitor.intervl: unknown key (did you mean "
        "\"interval\"?)"},
    {"endpoints.a.name=z", "--set endpoints.a.name: unknown key"},
    {"routing.failback=sometimes",
        "--set routing.failback=sometimes: routing.failback: \"sometimes\" "
        "is not a failback mode (use \"manual\" or \"auto\")"},
    {"nokey", "--set nokey: expected KEY=VALUE"},
    {"=5", "--set =5: expected KEY=VALUE"},
    {"service=x",
        "--set service: unknown key (use monitor.FIELD, "
        "endpoints.NAME.monitor.FIELD, routing.FIELD, dns.ttl or "
        "drill.rto_target)"},
    {"dns.ttl=-1",
        "--set dns.ttl=-1: dns.ttl: must be from 0 to 604800 (got -1)"},
    /* cJSON would cut the string at the NUL */
    {"monitor.path=\"/h\\u0000x\"",
        "--set monitor.path=\"/h\\u0000x\": the value holds a NUL "
        "character (\\u0000), which no profile string may hold"},
};

/* Each error leaves the profile as it was. */
static void
test_set_errors(void **state)
{
	Profile *p = set_base();
	char *before = profile_to_json(p, false);
	char err[512];
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(set_err_cases); i++) {
		const SetErrCase *sc = &set_err_cases[i];
		int rc = profile_set(p, sc->set, err, sizeof(err));
		char *after = profile_to_json(p, false);

		if (rc != -1 || strcmp(err, sc->msg) != 0 ||
		    strcmp(after, before) != 0) {
			bad++;
			fprintf(stderr,
			    "case \"%s\": rc %d\n  want: %s\n  got:  %s\n%s",
			    sc->set, rc, sc->msg, err,
			    strcmp(after, before) != 0 ? "  and the profile "
			                                 "changed\n"
			                               : "");
		}
		free(after);
	}
	assert_int_equal(bad, 0);
	free(before);
	profile_free(p);
	setenv("DRTOP_TEST_TOKEN", TOKEN_VALUE, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_set_errors),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
