/* profile: what a valid profile loads to: every default, every
 * override and what an endpoint inherits from the top-level monitor,
 * ${env:} in header values; the queries on a loaded profile; the
 * client's-eye "public" probe.
 *
 *   value_cases      profile text -> one field's value
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

/* ---- values: defaults, overrides, inheritance ---- */

typedef struct {
	const char *json;
	Field f;
	double num; /* V_INT, V_BOOL, V_DBL */
	const char *str; /* V_STR, V_CHARS; NULL: expected NULL */
	int flags; /* PROFILE_* */
} ValueCase;

/* Nothing but what is required: every default shows. */
#define DEFAULTS                                                               \
	"{'service':'svc','endpoints':[" MIN_EP                                \
	",{'name':'b','target':'http://b.example.com:8080/h?x=1'}]}"

/* Every section set; endpoints b.2 and c_3 override single monitor
 * fields and inherit the rest. */
#define OVERRIDES                                                              \
	"{'service':'svc',"                                                    \
	"'dns':{'name':'svc.example.com','ttl':30,'interval':0.5,"             \
	"'resolvers':['system','127.0.0.1:5353','[::1]:53',"                   \
	"{'addr':'10.0.0.2','name':'r53-ns','authoritative':true}]},"          \
	"'routing':{'method':'weighted','failback':'auto','hold_down':0,"      \
	"'auto_failover':true,'manager':'manual'},"                            \
	"'monitor':{'interval':10,'timeout':5,'tolerated_failures':2,"         \
	"'rise':2,'expected_status':['200-299','401'],"                        \
	"'path':'/health','body_contains':'UP',"                               \
	"'identify':{'header':'X-Region'},'reuse_connections':true},"          \
	"'endpoints':["                                                        \
	"{'name':'a','target':'https://a.example.com/ignored',"                \
	"'region':'Europe (Frankfurt)','lat':50.1,'lon':8.7,"                  \
	"'weight':3,'dns_answers':['a.example.net','192.0.2.1'],"              \
	"'connect_to':'127.0.0.1:8443','insecure':true},"                      \
	"{'name':'b.2','target':'http://[::1]:9000/x','disabled':true,"        \
	"'monitor':{'interval':30,'expected_status':[204],"                    \
	"'port':9001,'identify':{'body':true}}},"                              \
	"{'name':'c_3','target':'tcp://db.example.com:5432',"                  \
	"'monitor':{'timeout':1,'protocol':'tcp'}}],"                          \
	"'drill':{'rto_target':300,'dir':'/var/drills'}}"

/* Header values from the environment (see TOKEN_VALUE, TWO_VALUE). */
#define ENV_HEADERS                                                            \
	"{'service':'s','monitor':{'headers':{'Authorization':"                \
	"'Basic ${env:DRTOP_TEST_TOKEN}','X-Two':'${env:DRTOP_TEST_TOKEN}"     \
	"/${env:DRTOP_TEST_TWO}'}},'endpoints':[" MIN_EP "]}"

static const ValueCase value_cases[] = {
    /* defaults: the profile */
    {DEFAULTS, AT_P(service), .str = "svc"},
    {DEFAULTS, AT_P(file), .str = "p.json"},
    {DEFAULTS, AT_P(dir), .str = BASEDIR},
    {DEFAULTS, AT_P(dns.name), .str = NULL},
    {DEFAULTS, AT_P(dns.ttl), .num = 60},
    {DEFAULTS, AT_P(dns.nresolvers), .num = 1},
    {DEFAULTS, AT_P(dns.resolvers[0].addr), .str = "system"},
    {DEFAULTS, AT_P(dns.interval), .num = 5},
    {DEFAULTS, AT_P(dns.timeout), .num = 1},
    {DEFAULTS, AT_P(routing.method), .num = ROUTE_PRIORITY},
    {DEFAULTS, AT_P(routing.failback_auto), .num = false},
    {DEFAULTS, AT_P(routing.hold_down), .num = 60},
    {DEFAULTS, AT_P(routing.auto_failover), .num = false},
    {DEFAULTS, AT_P(failover.nsteps), .num = 0},
    {DEFAULTS, AT_P(failback.nsteps), .num = 0},
    {DEFAULTS, AT_P(rto_target), .num = -1}, /* none */
    {DEFAULTS, AT_P(drill_dir), .str = BASEDIR "/drills"},
    {DEFAULTS, AT_P(nendpoints), .num = 2},
    /* defaults: an endpoint */
    {DEFAULTS, AT_E(0, name), .str = "a"},
    {DEFAULTS, AT_E(0, region), .str = ""},
    {DEFAULTS, AT_E(0, has_pos), .num = false},
    {DEFAULTS, AT_E(0, target), .str = "https://a.example.com"},
    {DEFAULTS, AT_E(0, host), .str = "a.example.com"},
    {DEFAULTS, AT_E(0, url), .str = "https://a.example.com:443/"},
    {DEFAULTS, AT_E(0, priority), .num = 1},
    {DEFAULTS, AT_E(0, weight), .num = 1},
    {DEFAULTS, AT_E(0, ndns_answers), .num = 0},
    {DEFAULTS, AT_E(0, connect_to), .str = NULL},
    {DEFAULTS, AT_E(0, insecure), .num = false},
    {DEFAULTS, AT_E(0, disabled), .num = false},
    /* defaults: a monitor */
    {DEFAULTS, AT_M(0, protocol), .num = PROTO_HTTPS},
    {DEFAULTS, AT_M(0, path), .str = "/"},
    {DEFAULTS, AT_M(0, port), .num = 443},
    {DEFAULTS, AT_M(0, interval), .num = 30},
    {DEFAULTS, AT_M(0, timeout), .num = 10},
    {DEFAULTS, AT_M(0, tolerated_failures), .num = 3},
    {DEFAULTS, AT_M(0, rise), .num = 1},
    {DEFAULTS, AT_M(0, nexpected), .num = 1},
    {DEFAULTS, AT_M(0, expected[0].lo), .num = 200},
    {DEFAULTS, AT_M(0, expected[0].hi), .num = 200},
    {DEFAULTS, AT_M(0, nheaders), .num = 0},
    {DEFAULTS, AT_M(0, body_contains), .str = NULL},
    {DEFAULTS, AT_M(0, identify), .num = IDENTIFY_NONE},
    {DEFAULTS, AT_M(0, reuse_connections), .num = false},
    /* defaults: priority from the position, the rest from the URL */
    {DEFAULTS, AT_E(1, priority), .num = 2},
    {DEFAULTS, AT_M(1, protocol), .num = PROTO_HTTP},
    {DEFAULTS, AT_M(1, port), .num = 8080},
    {DEFAULTS, AT_M(1, path), .str = "/h?x=1"},
    {DEFAULTS, AT_E(1, url), .str = "http://b.example.com:8080/h?x=1"},

    /* overrides: the sections */
    {OVERRIDES, AT_P(dns.name), .str = "svc.example.com"},
    {OVERRIDES, AT_P(dns.ttl), .num = 30},
    {OVERRIDES, AT_P(dns.nresolvers), .num = 4},
    {OVERRIDES, AT_P(dns.resolvers[2].addr), .str = "[::1]:53"},
    {OVERRIDES, AT_P(dns.resolvers[2].name), .str = "[::1]:53"},
    {OVERRIDES, AT_P(dns.resolvers[2].authoritative), .num = false},
    {OVERRIDES, AT_P(dns.resolvers[3].addr), .str = "10.0.0.2"},
    {OVERRIDES, AT_P(dns.resolvers[3].name), .str = "r53-ns"},
    {OVERRIDES, AT_P(dns.resolvers[3].authoritative), .num = true},
    {OVERRIDES, AT_P(routing.manager), .num = MANAGER_MANUAL},
    {DEFAULTS, AT_P(routing.manager), .num = MANAGER_AUTOMATIC},
    {DEFAULTS, AT_P(dns.resolvers[0].name), .str = "system"},
    {OVERRIDES, AT_P(dns.timeout), .num = 0.5}, /* min(1, interval) */
    {OVERRIDES, AT_P(routing.method), .num = ROUTE_WEIGHTED},
    {OVERRIDES, AT_P(routing.failback_auto), .num = true},
    {OVERRIDES, AT_P(routing.hold_down), .num = 0},
    {OVERRIDES, AT_P(routing.auto_failover), .num = true},
    {OVERRIDES, AT_P(rto_target), .num = 300},
    {OVERRIDES, AT_P(drill_dir), .str = "/var/drills"},
    /* overrides: endpoint fields */
    {OVERRIDES, AT_E(0, region), .str = "Europe (Frankfurt)"},
    {OVERRIDES, AT_E(0, has_pos), .num = true},
    {OVERRIDES, AT_E(0, lat), .num = 50.1},
    {OVERRIDES, AT_E(0, weight), .num = 3},
    {OVERRIDES, AT_E(0, ndns_answers), .num = 2},
    {OVERRIDES, AT_E(0, dns_answers[1]), .str = "192.0.2.1"},
    {OVERRIDES, AT_E(0, connect_to), .str = "127.0.0.1:8443"},
    {OVERRIDES, AT_E(0, insecure), .num = true},
    /* monitor.path replaces the URL's path */
    {OVERRIDES, AT_E(0, url), .str = "https://a.example.com:443/health"},
    /* overrides: the top-level monitor */
    {OVERRIDES, AT_M(0, interval), .num = 10},
    {OVERRIDES, AT_M(0, timeout), .num = 5},
    {OVERRIDES, AT_M(0, tolerated_failures), .num = 2},
    {OVERRIDES, AT_M(0, rise), .num = 2},
    {OVERRIDES, AT_M(0, nexpected), .num = 2},
    {OVERRIDES, AT_M(0, expected[0].lo), .num = 200},
    {OVERRIDES, AT_M(0, expected[0].hi), .num = 299},
    {OVERRIDES, AT_M(0, expected[1].lo), .num = 401},
    {OVERRIDES, AT_M(0, body_contains), .str = "UP"},
    {OVERRIDES, AT_M(0, identify), .num = IDENTIFY_HEADER},
    {OVERRIDES, AT_M(0, identify_header), .str = "X-Region"},
    {OVERRIDES, AT_M(0, reuse_connections), .num = true},
    /* single fields overridden; the rest inherited */
    {OVERRIDES, AT_E(1, disabled), .num = true},
    {OVERRIDES, AT_M(1, interval), .num = 30},
    {OVERRIDES, AT_M(1, timeout), .num = 5},
    {OVERRIDES, AT_M(1, tolerated_failures), .num = 2},
    {OVERRIDES, AT_M(1, nexpected), .num = 1},
    {OVERRIDES, AT_M(1, expected[0].lo), .num = 204},
    {OVERRIDES, AT_M(1, port), .num = 9001},
    {OVERRIDES, AT_M(1, identify), .num = IDENTIFY_BODY},
    {OVERRIDES, AT_M(1, body_contains), .str = "UP"},
    {OVERRIDES, AT_E(1, host), .str = "[::1]"},
    {OVERRIDES, AT_E(1, url), .str = "http://[::1]:9001/health"},
    {OVERRIDES, AT_M(2, protocol), .num = PROTO_TCP},
    {OVERRIDES, AT_M(2, port), .num = 5432},
    {OVERRIDES, AT_M(2, timeout), .num = 1},
    {OVERRIDES, AT_E(2, url), .str = "tcp://db.example.com:5432"},

    /* ${env:NAME} in header values */
    {ENV_HEADERS, AT_M(0, nheaders), .num = 2},
    {ENV_HEADERS, AT_M(0, headers[0].name), .str = "Authorization"},
    {ENV_HEADERS, AT_M(0, headers[0].value), .str = "Basic " TOKEN_VALUE},
    {ENV_HEADERS, AT_M(0, headers[1].value), .str = TOKEN_VALUE "/" TWO_VALUE},
    /* check mode keeps an unset variable's reference as the value */
    {ENV_UNSET, AT_M(0, headers[0].value), .str = TOKEN_VALUE,
        .flags = PROFILE_ENV_OPTIONAL},
    {ENV_UNSET, AT_M(0, headers[1].value),
        .str = TOKEN_VALUE "/${env:DRTOP_TEST_UNSET}",
        .flags = PROFILE_ENV_OPTIONAL},
    /* no substitution at all */
    {ENV_HEADERS, AT_M(0, headers[0].value),
        .str = "Basic ${env:DRTOP_TEST_TOKEN}", .flags = PROFILE_NO_ENV},
};

static void
test_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(value_cases); i++) {
		const ValueCase *vc = &value_cases[i];
		char label[32];
		Profile *p;

		snprintf(label, sizeof(label), "value_cases[%zu]", i);
		p = pf_must_load(label, vc->json, vc->flags);
		pf_check_field(label, p, &vc->f, vc->num, vc->str);
		profile_free(p);
	}
}

/* profile_find, profile_status_expected, the worst-case bounds and the
 * names. */
static void
test_queries(void **state)
{
	Profile *p;

	(void)state;
	p = pf_must_load("defaults", DEFAULTS, 0);
	/* 30 * (3 + 1) + 10, plus the TTL. */
	assert_double_equal(
	    profile_detection_bound(&p->endpoints[0]), 130, 1e-9);
	assert_double_equal(
	    profile_worst_failover(p, &p->endpoints[0]), 190, 1e-9);
	assert_int_equal(profile_find(p, "b"), 1);
	assert_int_equal(profile_find(p, "c"), -1);
	assert_true(profile_status_expected(&p->endpoints[0].monitor, 200));
	assert_false(profile_status_expected(&p->endpoints[0].monitor, 201));
	profile_free(p);

	p = pf_must_load("overrides", OVERRIDES, 0);
	assert_true(profile_status_expected(&p->endpoints[0].monitor, 250));
	assert_true(profile_status_expected(&p->endpoints[0].monitor, 401));
	assert_false(profile_status_expected(&p->endpoints[0].monitor, 302));
	/* 10 * (2 + 1) + 1 */
	assert_double_equal(
	    profile_detection_bound(&p->endpoints[2]), 31, 1e-9);
	profile_free(p);

	assert_string_equal(protocol_name(PROTO_TCP), "tcp");
	assert_string_equal(route_method_name(ROUTE_WEIGHTED), "weighted");
	assert_string_equal(route_manager_name(MANAGER_MANUAL), "manual");
	p = pf_must_load("overrides", OVERRIDES, 0);
	assert_int_equal(profile_find_resolver(p, "r53-ns"), 3);
	assert_int_equal(profile_find_resolver(p, "10.0.0.2"), 3);
	assert_int_equal(profile_find_resolver(p, "corp"), -1);
	assert_string_equal(profile_resolver_name(p, "10.0.0.2"), "r53-ns");
	assert_string_equal(
	    profile_resolver_name(p, "127.0.0.1:5353"), "127.0.0.1:5353");
	assert_string_equal(profile_resolver_name(p, "1.1.1.1"), "1.1.1.1");
	assert_null(p->public_ep);
	profile_free(p);
	profile_free(NULL);
}

/* The client's-eye probe: an endpoint named "public" that inherits the
 * top-level monitor, its resolver by name, and the round trip. */
static void
test_public(void **state)
{
	static const char json[] =
	    "{'service':'svc','dns':{'name':'svc.example.com','resolvers':"
	    "['system',{'addr':'10.0.0.2:53','name':'corp'}]},"
	    "'monitor':{'interval':10,'timeout':2,'headers':{'X-K':'v'}},"
	    "'public':{'url':'https://svc.example.com/health','interval':5,"
	    "'resolver':'corp','expected_status':['200','401']},"
	    "'endpoints':[" MIN_EP "]}";
	Profile *p = pf_must_load("public", json, 0), *q;
	char *text, *again;
	ErrList e;

	(void)state;
	assert_non_null(p->public_ep);
	assert_string_equal(p->public_ep->name, EV_PUBLIC);
	assert_string_equal(
	    p->public_ep->url, "https://svc.example.com:443/health");
	assert_string_equal(p->public_ep->host, "svc.example.com");
	assert_double_equal(p->public_ep->monitor.interval, 5, 0);
	assert_double_equal(p->public_ep->monitor.timeout, 2, 0);
	assert_int_equal(p->public_ep->monitor.nheaders, 1);
	assert_int_equal(p->public_ep->monitor.nexpected, 2);
	assert_string_equal(p->public_resolver, "10.0.0.2:53");
	/* round trip: the JSON form loads into the same public probe */
	text = profile_to_json(p, true);
	assert_non_null(strstr(text, "\"public\":{"));
	assert_non_null(strstr(text,
	    "{\"addr\":\"10.0.0.2:53\",\"name\":\"corp\","
	    "\"authoritative\":false}"));
	assert_non_null(strstr(text, "\"manager\":\"automatic\""));
	errlist_init(&e);
	q = profile_parse_flags(
	    text, strlen(text), "rt.json", "/tmp", PROFILE_NO_ENV, &e, NULL);
	assert_non_null(q);
	again = profile_to_json(q, true);
	assert_string_equal(text, again);
	assert_string_equal(q->public_resolver, "10.0.0.2:53");
	free(text);
	free(again);
	profile_free(q);
	errlist_fini(&e);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_queries),
	    cmocka_unit_test(test_public),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
