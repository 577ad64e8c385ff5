/* profile: defaults, overrides, every validation error with its exact
 * path, env substitution, redaction, malformed JSON positions, --set.
 *
 * Most cases are rows of tables, each run by one loop:
 *   value_cases      profile text -> one field's value
 *   err_cases        profile text -> its one error, the full message
 *   warn_cases       profile text -> its one warning, the full message
 *   malformed_cases  bytes that are not JSON -> the located error
 *   set_cases        --set KEY=VALUE -> one field's new value
 *   set_err_cases    --set KEY=VALUE -> the full error, profile unchanged
 * A failing row is named on stderr before the assertion that fails. What
 * does not fit a table (generated inputs, files, several messages at
 * once, round trips) is a test of its own. */
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

/* ---- errors: each row is a whole profile with exactly one error ---- */

typedef struct {
	const char *name;
	const char *json;
	const char *msg; /* the full message */
} ErrCase;

#define BIDI_MSG(hex)                                                          \
	"contains a bidirectional control character (U+" hex "): it can "      \
	"make text display as something other than what it is"

static const ErrCase err_cases[] = {
    {"monitor key typo", WRAP(",'monitor':{'tolerated_failure':3}", MIN_EP),
        "p.json: monitor.tolerated_failure: unknown key (did you mean "
        "\"tolerated_failures\"?)"},
    {"unknown top-level key", WRAP(",'zzz':1", MIN_EP),
        "p.json: zzz: unknown key (known keys: service, dns, routing, "
        "monitor, endpoints, public, actions, drill)"},
    {"status class 2xx",
        WRAP("",
            MIN_EP ",{'name':'b','target':'https://b.example.com',"
                   "'monitor':{'expected_status':['2xx']}}"),
        "p.json: endpoints[1].monitor.expected_status[0]: \"2xx\" is not a "
        "status range (use \"200-299\")"},
    {"status not a number",
        WRAP(",'monitor':{'expected_status':['200','abc']}", MIN_EP),
        "p.json: monitor.expected_status[1]: \"abc\" is not a status range "
        "(use \"N\" or \"N-M\", e.g. \"200-299\")"},
    {"status below 100", WRAP(",'monitor':{'expected_status':['99']}", MIN_EP),
        "p.json: monitor.expected_status[0]: \"99\" is out of range (status "
        "codes are 100-599)"},
    {"status range above 599",
        WRAP(",'monitor':{'expected_status':['500-600']}", MIN_EP),
        "p.json: monitor.expected_status[0]: \"500-600\" is out of range "
        "(status codes are 100-599)"},
    {"status range reversed",
        WRAP(",'monitor':{'expected_status':['299-200']}", MIN_EP),
        "p.json: monitor.expected_status[0]: \"299-200\" is reversed (use "
        "\"200-299\")"},
    {"no status ranges", WRAP(",'monitor':{'expected_status':[]}", MIN_EP),
        "p.json: monitor.expected_status: must hold 1 to 8 ranges (has 0)"},
    {"nine status ranges",
        WRAP(",'monitor':{'expected_status':['200','201','202','203','204',"
             "'205','206','207','208']}",
            MIN_EP),
        "p.json: monitor.expected_status: must hold 1 to 8 ranges (has 9)"},
    {"status list not an array",
        WRAP(",'monitor':{'expected_status':'200'}", MIN_EP),
        "p.json: monitor.expected_status: must be an array like "
        "[\"200-299\", \"401\"], not a string"},
    {"interval too short",
        WRAP(",'monitor':{'interval':0.05,'timeout':0.05}", MIN_EP),
        "p.json: monitor.interval: must be from 0.1 to 86400 (got 0.05)"},
    {"interval as a string", WRAP(",'monitor':{'interval':'30'}", MIN_EP),
        "p.json: monitor.interval: must be a number, not a string"},
    {"timeout zero", WRAP(",'monitor':{'timeout':0}", MIN_EP),
        "p.json: monitor.timeout: must be greater than 0 and at most 86400 "
        "(got 0)"},
    {"endpoint timeout over inherited interval",
        WRAP("",
            "{'name':'a','target':'https://a.example.com',"
            "'monitor':{'timeout':40}}"),
        "p.json: endpoints[0].monitor.timeout: 40 s is longer than the "
        "interval (30 s, inherited or default)"},
    {"interval under default timeout",
        WRAP(",'monitor':{'interval':5}", MIN_EP),
        "p.json: monitor.interval: 5 s is shorter than the timeout (10 s, "
        "inherited or default); set a timeout <= interval"},
    {"tolerated_failures above 9",
        WRAP(",'monitor':{'tolerated_failures':10}", MIN_EP),
        "p.json: monitor.tolerated_failures: must be from 0 to 9 (got 10)"},
    {"tolerated_failures fractional",
        WRAP(",'monitor':{'tolerated_failures':1.5}", MIN_EP),
        "p.json: monitor.tolerated_failures: must be a whole number (got "
        "1.5)"},
    {"rise zero", WRAP(",'monitor':{'rise':0}", MIN_EP),
        "p.json: monitor.rise: must be from 1 to 9 (got 0)"},
    {"port zero", WRAP(",'monitor':{'port':0}", MIN_EP),
        "p.json: monitor.port: must be from 1 to 65535 (got 0)"},
    {"unknown protocol", WRAP(",'monitor':{'protocol':'ftp'}", MIN_EP),
        "p.json: monitor.protocol: \"ftp\" is not a protocol (use \"http\", "
        "\"https\" or \"tcp\")"},
    {"path without slash", WRAP(",'monitor':{'path':'health'}", MIN_EP),
        "p.json: monitor.path: must start with \"/\" and hold no spaces or "
        "non-ASCII characters (percent-encode them)"},
    {"nine headers",
        WRAP(",'monitor':{'headers':{'a':'1','b':'2','c':'3','d':'4','e':'5',"
             "'f':'6','g':'7','h':'8','i':'9'}}",
            MIN_EP),
        "p.json: monitor.headers: has 9 headers (at most 8)"},
    {"header name with space",
        WRAP(",'monitor':{'headers':{'X Bad':'1'}}", MIN_EP),
        "p.json: monitor.headers[\"X Bad\"]: is not a valid header name"},
    {"header names differ only in case",
        WRAP(",'monitor':{'headers':{'X-A':'1','x-a':'2'}}", MIN_EP),
        "p.json: monitor.headers.x-a: duplicate header (names ignore case)"},
    {"header value a number", WRAP(",'monitor':{'headers':{'X-A':5}}", MIN_EP),
        "p.json: monitor.headers.X-A: must be a string, not a number"},
    {"identify header and body",
        WRAP(",'monitor':{'identify':{'header':'X-R','body':true}}", MIN_EP),
        "p.json: monitor.identify: takes either \"header\" or \"body\", not "
        "both"},
    {"reuse_connections a number",
        WRAP(",'monitor':{'reuse_connections':1}", MIN_EP),
        "p.json: monitor.reuse_connections: must be true or false, not a "
        "number"},
    {"dns ttl above a week", WRAP(",'dns':{'ttl':604801}", MIN_EP),
        "p.json: dns.ttl: must be from 0 to 604800 (got 604801)"},
    {"dns ttl negative", WRAP(",'dns':{'ttl':-1}", MIN_EP),
        "p.json: dns.ttl: must be from 0 to 604800 (got -1)"},
    {"dns name with empty label", WRAP(",'dns':{'name':'a..b'}", MIN_EP),
        "p.json: dns.name: \"a..b\" is not a DNS name"},
    {"resolver port zero",
        WRAP(",'dns':{'resolvers':['system','1.2.3.4:0']}", MIN_EP),
        "p.json: dns.resolvers[1]: \"1.2.3.4:0\" is not \"system\", an IP "
        "address, ADDRESS:PORT or [IPV6]:PORT"},
    /* the DNS observer parses the same way: a bracket needs its port */
    {"resolver v6 bracket without port",
        WRAP(",'dns':{'resolvers':['[::1]']}", MIN_EP),
        "p.json: dns.resolvers[0]: \"[::1]\" is not \"system\", an IP "
        "address, ADDRESS:PORT or [IPV6]:PORT"},
    {"resolver object without addr",
        WRAP(",'dns':{'resolvers':[{'name':'corp'}]}", MIN_EP),
        "p.json: dns.resolvers[0].addr: missing (required: \"system\", an IP "
        "address or ADDRESS:PORT)"},
    {"resolver object with a bad addr",
        WRAP(",'dns':{'resolvers':[{'addr':'x y','name':'corp'}]}", MIN_EP),
        "p.json: dns.resolvers[0].addr: \"x y\" is not \"system\", an IP "
        "address, ADDRESS:PORT or [IPV6]:PORT"},
    {"resolver object with an unknown key",
        WRAP(",'dns':{'resolvers':[{'addr':'10.0.0.2','auth':true}]}", MIN_EP),
        "p.json: dns.resolvers[0].auth: unknown key (known keys: addr, name, "
        "authoritative)"},
    {"two resolvers with one name",
        WRAP(",'dns':{'resolvers':[{'addr':'10.0.0.2','name':'corp'},"
             "{'addr':'10.0.0.3','name':'corp'}]}",
            MIN_EP),
        "p.json: dns.resolvers[1]: the name \"corp\" is already "
        "dns.resolvers[0]'s"},
    {"two resolvers with one address",
        WRAP(",'dns':{'resolvers':['10.0.0.2',{'addr':'10.0.0.2',"
             "'name':'x'}]}",
            MIN_EP),
        "p.json: dns.resolvers[1]: \"10.0.0.2\" is already "
        "dns.resolvers[0]"},
    {"unknown manager", WRAP(",'routing':{'manager':'auto'}", MIN_EP),
        "p.json: routing.manager: \"auto\" is not a traffic manager mode "
        "(use \"automatic\" or \"manual\")"},
    {"an endpoint named public",
        WRAP("", "{'name':'public','target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: \"public\" is the name of the "
        "client's-eye probe (the profile's \"public\"); choose another"},
    {"public without url", WRAP(",'public':{'interval':5}", MIN_EP),
        "p.json: public.url: missing (required: the URL clients use, e.g. "
        "https://cpi.example.com/health)"},
    {"public with an unknown resolver",
        WRAP(",'dns':{'name':'svc.example.com'},'public':{'url':"
             "'https://svc.example.com/h','resolver':'corp'}",
            MIN_EP),
        "p.json: public.resolver: \"corp\" is not \"system\" or one of "
        "dns.resolvers (by address or name)"},
    {"public resolver for another name",
        WRAP(",'dns':{'name':'svc.example.com','resolvers':["
             "{'addr':'10.0.0.2','name':'corp'}]},'public':{'url':"
             "'https://www.example.com/h','resolver':'corp'}",
            MIN_EP),
        "p.json: public.resolver: a resolver other than \"system\" needs "
        "public.url's host to be dns.name (\"svc.example.com\"): its "
        "answers come from the DNS observer"},
    {"public with a monitor field of the wrong type",
        WRAP(",'public':{'url':'https://svc.example.com/h','interval':'5'}",
            MIN_EP),
        "p.json: public.interval: must be a number, not a string"},
    {"no resolvers", WRAP(",'dns':{'resolvers':[]}", MIN_EP),
        "p.json: dns.resolvers: must hold 1 to 8 resolvers (has 0)"},
    {"dns interval zero", WRAP(",'dns':{'interval':0}", MIN_EP),
        "p.json: dns.interval: must be from 0.1 to 86400 (got 0)"},
    {"unknown routing method", WRAP(",'routing':{'method':'geo'}", MIN_EP),
        "p.json: routing.method: \"geo\" is not a routing method (use "
        "\"priority\", \"weighted\" or \"performance\")"},
    {"unknown failback mode", WRAP(",'routing':{'failback':'never'}", MIN_EP),
        "p.json: routing.failback: \"never\" is not a failback mode (use "
        "\"manual\" or \"auto\")"},
    {"hold_down negative", WRAP(",'routing':{'hold_down':-1}", MIN_EP),
        "p.json: routing.hold_down: must be from 0 to 604800 (got -1)"},
    {"auto_failover a string",
        WRAP(",'routing':{'auto_failover':'yes'}", MIN_EP),
        "p.json: routing.auto_failover: must be true or false, not a string"},
    {"routing key typo", WRAP(",'routing':{'hold_dwn':5}", MIN_EP),
        "p.json: routing.hold_dwn: unknown key (did you mean "
        "\"hold_down\"?)"},
    {"latitude above 90",
        WRAP("",
            "{'name':'a','target':'https://a.example.com','lat':91,"
            "'lon':0}"),
        "p.json: endpoints[0].lat: must be from -90 to 90 (got 91)"},
    {"longitude below -180",
        WRAP("",
            "{'name':'a','target':'https://a.example.com','lat':0,"
            "'lon':-180.5}"),
        "p.json: endpoints[0].lon: must be from -180 to 180 (got -180.5)"},
    {"lat without lon",
        WRAP("", "{'name':'a','target':'https://a.example.com','lat':1}"),
        "p.json: endpoints[0].lon: missing (lat and lon go together)"},
    {"weight zero",
        WRAP("", "{'name':'a','target':'https://a.example.com','weight':0}"),
        "p.json: endpoints[0].weight: must be greater than 0 and at most "
        "1000000 (got 0)"},
    {"priority zero",
        WRAP("", "{'name':'a','target':'https://a.example.com','priority':0}"),
        "p.json: endpoints[0].priority: must be from 1 to 1000000 (got 0)"},
    {"priorities collide",
        WRAP("",
            "{'name':'a','target':'https://a.example.com','priority':2},"
            "{'name':'b','target':'https://b.example.com','priority':2}"),
        "p.json: endpoints[1].priority: 2 is also the priority of "
        "endpoints[0] (\"a\"); priorities must be unique under priority "
        "routing"},
    {"priority collides with default",
        WRAP("",
            "{'name':'a','target':'https://a.example.com','priority':2}," EP2),
        "p.json: endpoints[1].priority: 2 (default: position in the list) "
        "is also the priority of endpoints[0] (\"a\"); priorities must be "
        "unique under priority routing"},
    {"duplicate endpoint name",
        WRAP("", MIN_EP ",{'name':'a','target':'https://b.example.com'}"),
        "p.json: endpoints[1].name: \"a\" is already the name of "
        "endpoints[0]"},
    {"endpoint name with space",
        WRAP("", "{'name':'eu 20','target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: \"eu 20\" may hold only letters, "
        "digits, '.', '_' and '-'"},
    {"endpoint name too long",
        WRAP("",
            "{'name':'abcdefghijabcdefghijabcdefghij12',"
            "'target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: \"abcdefghijabcdefghijabcdefghij12\" is "
        "longer than 31 characters"},
    /* Bidirectional controls, refused in every name (and every other
     * profile string): each row a different one of them. */
    {"bidi override in the service",
        "{'service':'cpi\xe2\x80\xae"
        "dorp','endpoints':[" MIN_EP "]}",
        "p.json: service: " BIDI_MSG("202E")},
    {"bidi mark in an endpoint name",
        WRAP(
            "", "{'name':'eu20\xe2\x80\x8f','target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: " BIDI_MSG("200F")},
    {"bidi isolate in a region",
        WRAP("",
            "{'name':'a','region':'\xe2\x81\xa6West Europe',"
            "'target':'https://a.example.com'}"),
        "p.json: endpoints[0].region: " BIDI_MSG("2066")},
    {"arabic letter mark in a resolver name",
        WRAP(",'dns':{'resolvers':[{'addr':'10.0.0.2','name':'corp\xd8\x9c'}]}",
            MIN_EP),
        "p.json: dns.resolvers[0].name: " BIDI_MSG("061C")},
    {"bidi embedding in a runbook step name",
        WRAP(",'actions':{'failover':[{'name':'\xe2\x80\xaa"
             "drain',"
             "'argv':['x']}]}",
            MIN_EP),
        "p.json: actions.failover[0].name: " BIDI_MSG("202A")},
    {"bidi pop isolate in an argv",
        WRAP(",'actions':{'failover':{'argv':['./fo.sh','a\xe2\x81\xa9']}}",
            MIN_EP),
        "p.json: actions.failover.argv[1]: " BIDI_MSG("2069")},
    {"bidi override in an unknown key is escaped in the message",
        WRAP(",'x\xe2\x80\xae"
             "y':1",
            MIN_EP),
        "p.json: [\"x\\xe2\\x80\\xaey\"]: unknown key (known keys: "
        "service, dns, routing, monitor, endpoints, public, actions, drill)"},
    {"endpoint without name", WRAP("", "{'target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: missing (required)"},
    {"endpoint without target", WRAP("", "{'name':'a'}"),
        "p.json: endpoints[0].target: missing (required: http://, https:// "
        "or tcp:// URL)"},
    {"target with bad host",
        WRAP("", "{'name':'a','target':'https://a b.example.com'}"),
        "p.json: endpoints[0].target: \"https://a b.example.com\" is not a "
        "valid URL (curl: Bad hostname)"},
    {"target without scheme", WRAP("", "{'name':'a','target':'a.example.com'}"),
        "p.json: endpoints[0].target: \"a.example.com\" is not a valid URL "
        "(curl: Bad scheme)"},
    {"target scheme ftp",
        WRAP("", "{'name':'a','target':'ftp://a.example.com/'}"),
        "p.json: endpoints[0].target: \"ftp://a.example.com/\": scheme "
        "\"ftp\" is not supported (use http://, https:// or tcp://)"},
    {"tcp target without port",
        WRAP("", "{'name':'a','target':'tcp://a.example.com'}"),
        "p.json: endpoints[0].target: \"tcp://a.example.com\": tcp needs a "
        "port (tcp://host:PORT or monitor.port)"},
    {"target with credentials",
        WRAP("", "{'name':'a','target':'https://u:hunter2@a.example.com'}"),
        "p.json: endpoints[0].target: must not hold credentials (put them "
        "in monitor.headers)"},
    {"connect_to without port",
        WRAP("",
            "{'name':'a','target':'https://a.example.com',"
            "'connect_to':'x'}"),
        "p.json: endpoints[0].connect_to: must be \"host:port\" (port "
        "1-65535)"},
    {"dns answer with space",
        WRAP("",
            "{'name':'a','target':'https://a.example.com',"
            "'dns_answers':['a b']}"),
        "p.json: endpoints[0].dns_answers[0]: \"a b\" is not a DNS name or "
        "address"},
    {"endpoint key in wrong case",
        WRAP("", "{'name':'a','target':'https://a.example.com','Name':'x'}"),
        "p.json: endpoints[0].Name: unknown key (did you mean \"name\"?)"},
    {"duplicate endpoint key",
        WRAP("", "{'name':'a','name':'b','target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: duplicate key"},
    {"endpoint not an object", WRAP("", "7"),
        "p.json: endpoints[0]: must be an object, not a number"},
    {"no endpoints", WRAP("", ""),
        "p.json: endpoints: must hold at least one endpoint"},
    {"endpoints missing", "{'service':'s'}",
        "p.json: endpoints: missing (required: at least one)"},
    {"service missing", "{'endpoints':[" MIN_EP "]}",
        "p.json: service: missing (required: the service's name)"},
    {"service a number", "{'service':7,'endpoints':[" MIN_EP "]}",
        "p.json: service: must be a string, not a number"},
    {"endpoints an object", "{'service':'s','endpoints':{}}",
        "p.json: endpoints: must be an array of endpoints, not an object"},
    {"profile an array", "[1]",
        "p.json: the profile must be a JSON object, not an array"},
    {"action without argv",
        WRAP(",'actions':{'failover':{'timeout':5}}", MIN_EP),
        "p.json: actions.failover.argv: missing (the program and its "
        "arguments, e.g. [\"./failover.sh\", \"{from}\", \"{to}\"])"},
    {"action with empty argv",
        WRAP(",'actions':{'failover':{'argv':[]}}", MIN_EP),
        "p.json: actions.failover.argv: must not be empty (argv[0] is the "
        "program)"},
    {"action argument a number",
        WRAP(",'actions':{'failback':{'argv':['x',1]}}", MIN_EP),
        "p.json: actions.failback.argv[1]: must be a string, not a number"},
    {"action timeout zero",
        WRAP(",'actions':{'failover':{'argv':['x'],'timeout':0}}", MIN_EP),
        "p.json: actions.failover.timeout: must be greater than 0 and at "
        "most 86400 (got 0)"},
    {"runbook step without name",
        WRAP(",'actions':{'failover':[{'name':'one','argv':['x']},"
             "{'argv':['y']}]}",
            MIN_EP),
        "p.json: actions.failover[1].name: missing (each runbook step has a "
        "name)"},
    {"empty runbook", WRAP(",'actions':{'failover':[]}", MIN_EP),
        "p.json: actions.failover: a runbook holds 1 to 32 steps (has 0)"},
    {"actions key typo", WRAP(",'actions':{'failovr':{'argv':['x']}}", MIN_EP),
        "p.json: actions.failovr: unknown key (did you mean "
        "\"failover\"?)"},
    {"rto_target zero", WRAP(",'drill':{'rto_target':0}", MIN_EP),
        "p.json: drill.rto_target: must be greater than 0 and at most "
        "10000000 (got 0)"},
    {"drill dir empty", WRAP(",'drill':{'dir':''}", MIN_EP),
        "p.json: drill.dir: must not be empty"},
    {"duplicate service", WRAP(",'service':'t'", MIN_EP),
        "p.json: service: duplicate key"},
    /* ${env:NAME}: never a value in a message */
    {"env variable unset", ENV_UNSET,
        "p.json: monitor.headers.B: environment variable DRTOP_TEST_UNSET "
        "is not set"},
    {"env reference without brace",
        WRAP(",'monitor':{'headers':{'A':'${env:X'}}", MIN_EP),
        "p.json: monitor.headers.A: malformed ${env:NAME} reference (NAME: "
        "letters, digits, '_')"},
    {"env reference without name",
        WRAP(",'monitor':{'headers':{'A':'${env:}'}}", MIN_EP),
        "p.json: monitor.headers.A: malformed ${env:NAME} reference (NAME: "
        "letters, digits, '_')"},
    {"env name starting with a digit",
        WRAP(",'monitor':{'headers':{'A':'${env:1X}'}}", MIN_EP),
        "p.json: monitor.headers.A: malformed ${env:NAME} reference (NAME: "
        "letters, digits, '_')"},
    {"env name with a dash",
        WRAP(",'monitor':{'headers':{'A':'${env:A-B}'}}", MIN_EP),
        "p.json: monitor.headers.A: malformed ${env:NAME} reference (NAME: "
        "letters, digits, '_')"},
};

static void
test_errors(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(err_cases); i++) {
		ErrList e;
		Profile *p = pf_parse(err_cases[i].json, &e);

		if (p != NULL || e.count != 1 ||
		    strcmp(e.msgs[0], err_cases[i].msg) != 0) {
			bad++;
			fprintf(stderr, "case \"%s\": %s\n  want: %s\n",
			    err_cases[i].name, err_cases[i].json,
			    err_cases[i].msg);
			pf_print_errs(&e);
		}
		profile_free(p);
		errlist_fini(&e);
	}
	assert_int_equal(bad, 0);
}

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
    {"unknown placeholder",
        WRAP(",'actions':{'failback':{'argv':['x','{too}']}}", MIN_EP), 0,
        "p.json: actions.failback.argv[1]: warning: unknown placeholder "
        "{too} (the templates are {from}, {to} and {service}); it is "
        "passed as written"},
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
	    "'actions':{'failover':{'argv':['x','{form}',"
	    "'{\\'k\\':{to}}','{service}-{from}']}}}",
	    0, &e, &w);
	pf_print_errs(&e);
	assert_non_null(p);
	if (w.count != 3)
		pf_print_errs(&w);
	assert_int_equal(w.count, 3);
	assert_string_equal(w.msgs[0],
	    "p.json: endpoints[0]: warning: monitor.body_contains is ignored: "
	    "a tcp probe only opens a connection");
	assert_string_equal(w.msgs[1],
	    "p.json: endpoints: warning: every endpoint is disabled: nothing "
	    "is probed or routed to");
	assert_string_equal(w.msgs[2],
	    "p.json: actions.failover.argv[1]: warning: unknown placeholder "
	    "{form} (the templates are {from}, {to} and {service}); it is "
	    "passed as written");
	profile_free(p);
	errlist_fini(&e);
	errlist_fini(&w);
}

/* ---- malformed JSON: located by line and column ---- */

typedef struct {
	const char *name;
	const char *json;
	size_t len; /* the text need not end in NUL */
	const char *msg; /* the full message */
} MalformedCase;

#define BYTES(s) s, sizeof(s) - 1

static const MalformedCase malformed_cases[] = {
    {"missing value", BYTES("{\n  \"a\": [1,\n  }"),
        "p.json:3:3: malformed JSON near '}'"},
    {"text after the object", BYTES("{\"service\":\"x\"} x"),
        "p.json:1:17: unexpected text after the JSON object"},
    {"empty file", BYTES(""), "p.json:1:1: malformed JSON: empty file"},
    {"blank file", BYTES(" \n "), "p.json:2:2: malformed JSON: empty file"},
    /* columns count characters, not bytes */
    {"after a UTF-8 string", BYTES("{\"r\":\"Zürich\" x}"),
        "p.json:1:15: malformed JSON near 'x'"},
};

static void
test_malformed_json(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(malformed_cases); i++) {
		const MalformedCase *mc = &malformed_cases[i];
		ErrList e;
		Profile *p;

		errlist_init(&e);
		p = profile_parse(mc->json, mc->len, "p.json", BASEDIR, &e);
		if (p != NULL || e.count != 1 ||
		    strcmp(e.msgs[0], mc->msg) != 0) {
			bad++;
			fprintf(stderr, "case \"%s\"\n  want: %s\n", mc->name,
			    mc->msg);
			pf_print_errs(&e);
		}
		profile_free(p);
		errlist_fini(&e);
	}
	assert_int_equal(bad, 0);
}

/* A NUL in a string or key: cJSON would cut the string there without a
 * word, so the loader refuses it at its JSON path. The texts are given
 * with their length: a raw 0x00 byte is part of them. */
typedef struct {
	const char *name;
	const char *json; /* ' for ", as elsewhere */
	size_t len; /* sizeof the literal - 1: the raw NULs included */
	const char *msgs[3]; /* every error, in order */
} NulCase;

#define NUL_CASE(name, json, ...)                                              \
	{                                                                      \
		name, json, sizeof(json) - 1,                                  \
		{                                                              \
			__VA_ARGS__                                            \
		}                                                              \
	}
#define NUL_STR "which no profile string may hold"

static const NulCase nul_cases[] = {
    NUL_CASE("escape in the service",
        "{'service':'cpi\\u0000prod','endpoints':[" MIN_EP "]}",
        "p.json: service: contains a NUL character (\\u0000), " NUL_STR),
    NUL_CASE("raw byte in an endpoint name",
        "{'service':'s','endpoints':[" MIN_EP
        ",{'name':'eu\0x','target':'https://b.example.com'}]}",
        "p.json: endpoints[1].name: contains a NUL byte (0x00), " NUL_STR),
    NUL_CASE("raw byte at the end of a string",
        "{'service':'s\0','endpoints':[" MIN_EP "]}",
        "p.json: service: contains a NUL byte (0x00), " NUL_STR),
    NUL_CASE("escape in an argv, with an escaped quote before it",
        "{'service':'s','endpoints':[" MIN_EP "],'actions':{'failover':"
        "{'argv':['./x','a\\'b\\u0000c']}}}",
        "p.json: actions.failover.argv[1]: contains a NUL character "
        "(\\u0000), " NUL_STR),
    NUL_CASE("escape in a key",
        "{'service':'s','endpoints':[" MIN_EP "],'monitor':{'headers':"
        "{'X-A\\u0000B':'v'}}}",
        "p.json: monitor.headers.X-A: the key contains a NUL character "
        "(\\u0000), which no profile key may hold"),
    NUL_CASE("every one is reported, in text order",
        "{'service':'a\\u0000','endpoints':[{'name':'a','target':"
        "'https://a.example.com','region':'r\0'}]}",
        "p.json: service: contains a NUL character (\\u0000), " NUL_STR,
        "p.json: endpoints[0].region: contains a NUL byte (0x00), " NUL_STR),
    NUL_CASE("raw byte between tokens is malformed JSON",
        "{'service':'s',\n \0'endpoints':[" MIN_EP "]}",
        "p.json:2:2: malformed JSON near byte 0x00"),
};

static void
test_nul(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(nul_cases); i++) {
		const NulCase *nc = &nul_cases[i];
		char *json = xmalloc(nc->len);
		int want = 0;
		ErrList e;
		Profile *p;

		memcpy(json, nc->json, nc->len);
		for (size_t k = 0; k < nc->len; k++)
			if (json[k] == '\'')
				json[k] = '"';
		while (want < 3 && nc->msgs[want] != NULL)
			want++;
		errlist_init(&e);
		p = profile_parse(json, nc->len, "p.json", BASEDIR, &e);
		bool ok = p == NULL && e.count == want;
		for (int k = 0; ok && k < want; k++)
			ok = strcmp(e.msgs[k], nc->msgs[k]) == 0;
		if (!ok) {
			bad++;
			fprintf(stderr, "case \"%s\"\n", nc->name);
			for (int k = 0; k < want; k++)
				fprintf(stderr, "  want: %s\n", nc->msgs[k]);
			pf_print_errs(&e);
		}
		profile_free(p);
		errlist_fini(&e);
		free(json);
	}
	assert_int_equal(bad, 0);
}

/* What only looks like a NUL is text: an escaped backslash before
 * "u0000" is the six characters \u0000. */
static void
test_nul_lookalike(void **state)
{
	Profile *p;

	(void)state;
	p = pf_must_load("escaped backslash, then u0000",
	    WRAP(",'monitor':{'body_contains':'a\\\\u0000'}", MIN_EP), 0);
	assert_string_equal(p->endpoints[0].monitor.body_contains, "a\\u0000");
	profile_free(p);
}

/* Inputs built in code, or where only the place is pinned down. */
static void
test_malformed_json_other(void **state)
{
	char deep[3000];
	/* Not NUL-terminated: the parser must stay inside len. */
	char raw[] = {'{', '"', 'a'};
	ErrList e;

	(void)state;
	memset(deep, '[', sizeof(deep));
	errlist_init(&e);
	assert_null(profile_parse(deep, sizeof(deep), "p.json", BASEDIR, &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(e.msgs[0],
	    "p.json:1:1001: malformed JSON: nested more than 1000 levels deep");
	errlist_fini(&e);

	errlist_init(&e);
	assert_null(profile_parse("\x01\x02", 2, "p.json", NULL, &e));
	assert_int_equal(e.count, 1);
	assert_true(str_starts(e.msgs[0], "p.json:1:"));
	assert_non_null(strstr(e.msgs[0], "malformed JSON near byte 0x0"));
	errlist_fini(&e);

	errlist_init(&e);
	assert_null(profile_parse(raw, sizeof(raw), "p.json", NULL, &e));
	assert_int_equal(e.count, 1);
	assert_true(str_starts(e.msgs[0], "p.json:1:"));
	errlist_fini(&e);
}

/* ---- errors that need more than one row can say ---- */

static void
test_too_many_endpoints(void **state)
{
	size_t cap = 64 * 4100 + 100, len = 0;
	char *json = xmalloc(cap);
	ErrList e;
	Profile *p;

	(void)state;
	len +=
	    (size_t)snprintf(json, cap, "{\"service\":\"s\",\"endpoints\":[");
	for (int i = 0; i < 4097; i++)
		len += (size_t)snprintf(json + len, cap - len,
		    "%s{\"name\":\"e%d\",\"target\":\"http://h%d:80\"}",
		    i ? "," : "", i, i);
	len += (size_t)snprintf(json + len, cap - len, "]}");
	errlist_init(&e);
	p = profile_parse(json, len, "p.json", BASEDIR, &e);
	assert_null(p);
	assert_int_equal(e.count, 1);
	assert_string_equal(e.msgs[0],
	    "p.json: endpoints: holds 4097 endpoints (at most 4096)");
	errlist_fini(&e);

	/* 4096 is fine. */
	len = (size_t)snprintf(json, cap, "{\"service\":\"s\",\"endpoints\":[");
	for (int i = 0; i < 4096; i++)
		len += (size_t)snprintf(json + len, cap - len,
		    "%s{\"name\":\"e%d\",\"target\":\"http://h%d:80\"}",
		    i ? "," : "", i, i);
	len += (size_t)snprintf(json + len, cap - len, "]}");
	errlist_init(&e);
	p = profile_parse(json, len, "p.json", BASEDIR, &e);
	assert_non_null(p);
	assert_int_equal(p->nendpoints, 4096);
	assert_int_equal(p->endpoints[4095].priority, 4096);
	profile_free(p);
	errlist_fini(&e);
	free(json);
}

static void
test_all_errors_at_once(void **state)
{
	ErrList e;
	Profile *p;

	(void)state;
	p = pf_parse("{'service':'s','dns':{'ttl':-5},"
	             "'monitor':{'tolerated_failure':3,'rise':0},"
	             "'endpoints':[{'name':'a','target':'ftp://x'},"
	             "{'name':'a','target':'https://b.example.com',"
	             "'monitor':{'expected_status':['2xx'],'timeout':99}}],"
	             "'actions':{'failover':{'argv':[]}},"
	             "'drill':{'rto_target':-1}}",
	    &e);
	assert_null(p);
	if (e.count != 9)
		pf_print_errs(&e);
	assert_int_equal(e.count, 9);
	assert_true(pf_has_msg(
	    &e, "p.json: dns.ttl: must be from 0 to 604800 (got -5)"));
	assert_true(pf_has_msg(&e,
	    "p.json: monitor.tolerated_failure: unknown key "
	    "(did you mean \"tolerated_failures\"?)"));
	assert_true(pf_has_msg(
	    &e, "p.json: monitor.rise: must be from 1 to 9 (got 0)"));
	assert_true(pf_has_msg(&e,
	    "p.json: endpoints[0].target: \"ftp://x\": "
	    "scheme \"ftp\" is not supported (use http://, "
	    "https:// or tcp://)"));
	assert_true(pf_has_msg(&e,
	    "p.json: endpoints[1].monitor.expected_status[0]: "
	    "\"2xx\" is not a status range (use \"200-299\")"));
	assert_true(pf_has_msg(&e,
	    "p.json: endpoints[1].monitor.timeout: 99 s is "
	    "longer than the interval (30 s, inherited or "
	    "default)"));
	assert_true(pf_has_msg(&e,
	    "p.json: endpoints[1].name: \"a\" is already the "
	    "name of endpoints[0]"));
	assert_true(pf_has_msg(&e,
	    "p.json: actions.failover.argv: must not be empty "
	    "(argv[0] is the program)"));
	assert_true(pf_has_msg(&e,
	    "p.json: drill.rto_target: must be greater than 0 "
	    "and at most 10000000 (got -1)"));
	errlist_fini(&e);
}

static void
test_error_flood_capped(void **state)
{
	size_t cap = 40 * 1000 + 100, len = 0;
	char *json = xmalloc(cap);
	ErrList e;

	(void)state;
	len += (size_t)snprintf(json, cap, "{\"service\":\"s\"");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(json + len, cap - len, ",\"k%d\":1", i);
	len += (size_t)snprintf(json + len, cap - len,
	    ",\"endpoints\":[{\"name\":\"a\",\"target\":\"http://a:1\"}]}");
	errlist_init(&e);
	assert_null(profile_parse(json, len, "p.json", BASEDIR, &e));
	assert_int_equal(e.count, 201);
	assert_string_equal(e.msgs[200], "p.json: 800 more errors not shown");
	errlist_fini(&e);
	free(json);
}

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

static void
test_load_file(void **state)
{
	char dir[256], path[320], want[400];
	ErrList e;
	Profile *p;
	FILE *f;

	(void)state;
	errlist_init(&e);
	assert_null(profile_load("/nonexistent/x.json", &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(
	    e.msgs[0], "/nonexistent/x.json: No such file or directory");
	errlist_fini(&e);

	th_tmpdir_make(dir, sizeof(dir), "profile");
	errlist_init(&e);
	assert_null(profile_load(dir, &e));
	assert_int_equal(e.count, 1);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	assert_string_equal(e.msgs[0], want);
	errlist_fini(&e);

	snprintf(path, sizeof(path), "%s/p.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"service\":\"s\",\"endpoints\":[{\"name\":\"a\",\"target\":"
	      "\"http://127.0.0.1:1/\"}],\"actions\":{\"failover\":{\"argv\":"
	      "[\"./bin/go\"]}},\"drill\":{\"dir\":\"./logs\"}}\n",
	    f);
	fclose(f);
	errlist_init(&e);
	p = profile_load(path, &e);
	pf_print_errs(&e);
	assert_non_null(p);
	assert_string_equal(p->file, path);
	assert_string_equal(p->dir, dir);
	snprintf(want, sizeof(want), "%s/bin/go", dir);
	assert_string_equal(p->failover.steps[0].argv[0], want);
	snprintf(want, sizeof(want), "%s/logs", dir);
	assert_string_equal(p->drill_dir, want);
	profile_free(p);
	errlist_fini(&e);
	assert_int_equal(th_tmpdir_remove(dir), 0);
}

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
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_queries),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_warnings_in_order),
	    cmocka_unit_test(test_malformed_json),
	    cmocka_unit_test(test_malformed_json_other),
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_nul_lookalike),
	    cmocka_unit_test(test_too_many_endpoints),
	    cmocka_unit_test(test_all_errors_at_once),
	    cmocka_unit_test(test_error_flood_capped),
	    cmocka_unit_test(test_env_value_never_printed),
	    cmocka_unit_test(test_redaction_and_roundtrip),
	    cmocka_unit_test(test_public),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_set_errors),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
