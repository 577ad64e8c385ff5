/* profile: defaults, overrides, every validation error with its exact
 * path, env substitution, redaction, malformed JSON positions, --set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "model/profile.h"

#define BASEDIR "/nonexistent/prof"

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

static Profile *
parse_flags(const char *src, int flags, ErrList *errs, ErrList *warns)
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

static Profile *
parse(const char *src, ErrList *errs)
{
	return parse_flags(src, 0, errs, NULL);
}

static void
print_errs(const ErrList *e)
{
	for (int i = 0; i < e->count; i++)
		fprintf(stderr, "  got: %s\n", e->msgs[i]);
}

static bool
has_msg(const ErrList *e, const char *msg)
{
	for (int i = 0; i < e->count; i++)
		if (strcmp(e->msgs[i], msg) == 0)
			return true;
	return false;
}

#define MIN_EP "{'name':'a','target':'https://a.example.com'}"

static void
test_defaults(void **state)
{
	ErrList e;
	Profile *p;
	const Endpoint *a, *b;
	const Monitor *m;

	(void)state;
	p = parse("{'service':'svc','endpoints':[" MIN_EP
	          ",{'name':'b','target':'http://b.example.com:8080/h?x=1'}]}",
	    &e);
	print_errs(&e);
	assert_non_null(p);
	assert_int_equal(e.count, 0);
	assert_string_equal(p->service, "svc");
	assert_string_equal(p->file, "p.json");
	assert_string_equal(p->dir, BASEDIR);
	assert_null(p->dns.name);
	assert_int_equal(p->dns.ttl, 60);
	assert_int_equal(p->dns.nresolvers, 1);
	assert_string_equal(p->dns.resolvers[0], "system");
	assert_double_equal(p->dns.interval, 5, 1e-9);
	assert_double_equal(p->dns.timeout, 1, 1e-9);
	assert_int_equal(p->routing.method, ROUTE_PRIORITY);
	assert_false(p->routing.failback_auto);
	assert_double_equal(p->routing.hold_down, 60, 1e-9);
	assert_false(p->routing.auto_failover);
	assert_int_equal(p->failover.nsteps, 0);
	assert_int_equal(p->failback.nsteps, 0);
	assert_true(p->rto_target < 0);
	assert_string_equal(p->drill_dir, BASEDIR "/drills");
	assert_int_equal(p->nendpoints, 2);

	a = &p->endpoints[0];
	m = &a->monitor;
	assert_string_equal(a->name, "a");
	assert_string_equal(a->region, "");
	assert_false(a->has_pos);
	assert_string_equal(a->target, "https://a.example.com");
	assert_string_equal(a->host, "a.example.com");
	assert_string_equal(a->url, "https://a.example.com:443/");
	assert_int_equal(a->priority, 1);
	assert_double_equal(a->weight, 1, 1e-9);
	assert_int_equal(a->ndns_answers, 0);
	assert_null(a->connect_to);
	assert_false(a->insecure);
	assert_false(a->disabled);
	assert_int_equal(m->protocol, PROTO_HTTPS);
	assert_string_equal(m->path, "/");
	assert_int_equal(m->port, 443);
	assert_double_equal(m->interval, 30, 1e-9);
	assert_double_equal(m->timeout, 10, 1e-9);
	assert_int_equal(m->tolerated_failures, 3);
	assert_int_equal(m->rise, 1);
	assert_int_equal(m->nexpected, 1);
	assert_int_equal(m->expected[0].lo, 200);
	assert_int_equal(m->expected[0].hi, 200);
	assert_int_equal(m->nheaders, 0);
	assert_null(m->body_contains);
	assert_int_equal(m->identify, IDENTIFY_NONE);
	assert_false(m->reuse_connections);

	b = &p->endpoints[1];
	assert_int_equal(b->priority, 2);
	assert_int_equal(b->monitor.protocol, PROTO_HTTP);
	assert_int_equal(b->monitor.port, 8080);
	assert_string_equal(b->monitor.path, "/h?x=1");
	assert_string_equal(b->url, "http://b.example.com:8080/h?x=1");

	/* 30 * (3 + 1) + 10, plus the TTL. */
	assert_double_equal(profile_detection_bound(a), 130, 1e-9);
	assert_double_equal(profile_worst_failover(p, a), 190, 1e-9);
	assert_int_equal(profile_find(p, "b"), 1);
	assert_int_equal(profile_find(p, "c"), -1);
	assert_true(profile_status_expected(m, 200));
	assert_false(profile_status_expected(m, 201));
	assert_string_equal(protocol_name(PROTO_TCP), "tcp");
	assert_string_equal(route_method_name(ROUTE_WEIGHTED), "weighted");
	profile_free(p);
	errlist_fini(&e);
	profile_free(NULL);
}

static void
test_overrides(void **state)
{
	ErrList e;
	Profile *p;
	const Monitor *a, *b, *c;

	(void)state;
	p = parse(
	    "{'service':'svc',"
	    "'dns':{'name':'svc.example.com','ttl':30,'interval':0.5,"
	    "'resolvers':['system','127.0.0.1:5353','[::1]:53','10.0.0.2']},"
	    "'routing':{'method':'weighted','failback':'auto','hold_down':0,"
	    "'auto_failover':true},"
	    "'monitor':{'interval':10,'timeout':5,'tolerated_failures':2,"
	    "'rise':2,'expected_status':['200-299','401'],"
	    "'path':'/health','body_contains':'UP',"
	    "'identify':{'header':'X-Region'},'reuse_connections':true},"
	    "'endpoints':["
	    "{'name':'a','target':'https://a.example.com/ignored',"
	    "'region':'Europe (Frankfurt)','lat':50.1,'lon':8.7,"
	    "'weight':3,'dns_answers':['a.example.net','192.0.2.1'],"
	    "'connect_to':'127.0.0.1:8443','insecure':true},"
	    "{'name':'b.2','target':'http://[::1]:9000/x','disabled':true,"
	    "'monitor':{'interval':30,'expected_status':[204],"
	    "'port':9001,'identify':{'body':true}}},"
	    "{'name':'c_3','target':'tcp://db.example.com:5432',"
	    "'monitor':{'timeout':1,'protocol':'tcp'}}],"
	    "'drill':{'rto_target':300,'dir':'/var/drills'}}",
	    &e);
	print_errs(&e);
	assert_non_null(p);
	assert_string_equal(p->dns.name, "svc.example.com");
	assert_int_equal(p->dns.ttl, 30);
	assert_int_equal(p->dns.nresolvers, 4);
	assert_string_equal(p->dns.resolvers[2], "[::1]:53");
	assert_double_equal(p->dns.timeout, 0.5, 1e-9); /* min(1, interval) */
	assert_int_equal(p->routing.method, ROUTE_WEIGHTED);
	assert_true(p->routing.failback_auto);
	assert_double_equal(p->routing.hold_down, 0, 1e-9);
	assert_true(p->routing.auto_failover);
	assert_double_equal(p->rto_target, 300, 1e-9);
	assert_string_equal(p->drill_dir, "/var/drills");

	a = &p->endpoints[0].monitor;
	assert_string_equal(p->endpoints[0].region, "Europe (Frankfurt)");
	assert_true(p->endpoints[0].has_pos);
	assert_double_equal(p->endpoints[0].lat, 50.1, 1e-9);
	assert_double_equal(p->endpoints[0].weight, 3, 1e-9);
	assert_int_equal(p->endpoints[0].ndns_answers, 2);
	assert_string_equal(p->endpoints[0].dns_answers[1], "192.0.2.1");
	assert_string_equal(p->endpoints[0].connect_to, "127.0.0.1:8443");
	assert_true(p->endpoints[0].insecure);
	/* monitor.path replaces the URL's path. */
	assert_string_equal(
	    p->endpoints[0].url, "https://a.example.com:443/health");
	assert_double_equal(a->interval, 10, 1e-9);
	assert_double_equal(a->timeout, 5, 1e-9);
	assert_int_equal(a->tolerated_failures, 2);
	assert_int_equal(a->rise, 2);
	assert_int_equal(a->nexpected, 2);
	assert_int_equal(a->expected[0].lo, 200);
	assert_int_equal(a->expected[0].hi, 299);
	assert_int_equal(a->expected[1].lo, 401);
	assert_string_equal(a->body_contains, "UP");
	assert_int_equal(a->identify, IDENTIFY_HEADER);
	assert_string_equal(a->identify_header, "X-Region");
	assert_true(a->reuse_connections);
	assert_true(profile_status_expected(a, 250));
	assert_true(profile_status_expected(a, 401));
	assert_false(profile_status_expected(a, 302));

	/* Single fields overridden; the rest inherited. */
	b = &p->endpoints[1].monitor;
	assert_true(p->endpoints[1].disabled);
	assert_double_equal(b->interval, 30, 1e-9);
	assert_double_equal(b->timeout, 5, 1e-9);
	assert_int_equal(b->tolerated_failures, 2);
	assert_int_equal(b->nexpected, 1);
	assert_int_equal(b->expected[0].lo, 204);
	assert_int_equal(b->port, 9001);
	assert_int_equal(b->identify, IDENTIFY_BODY);
	assert_string_equal(b->body_contains, "UP");
	assert_string_equal(p->endpoints[1].host, "[::1]");
	assert_string_equal(p->endpoints[1].url, "http://[::1]:9001/health");

	c = &p->endpoints[2].monitor;
	assert_int_equal(c->protocol, PROTO_TCP);
	assert_int_equal(c->port, 5432);
	assert_double_equal(c->timeout, 1, 1e-9);
	assert_string_equal(p->endpoints[2].url, "tcp://db.example.com:5432");
	/* 10 * (2 + 1) + 1 */
	assert_double_equal(
	    profile_detection_bound(&p->endpoints[2]), 31, 1e-9);
	profile_free(p);
	errlist_fini(&e);
}

/* Each case is a whole profile with exactly one error. */
typedef struct {
	const char *json;
	const char *msg;
} ErrCase;

#define EP2 "{'name':'b','target':'https://b.example.com'}"
#define WRAP(top, eps) "{'service':'s'" top ",'endpoints':[" eps "]}"

static const ErrCase err_cases[] = {
    {WRAP(",'monitor':{'tolerated_failure':3}", MIN_EP),
        "p.json: monitor.tolerated_failure: unknown key (did you mean "
        "\"tolerated_failures\"?)"},
    {WRAP(",'zzz':1", MIN_EP),
        "p.json: zzz: unknown key (known keys: service, dns, routing, "
        "monitor, endpoints, actions, drill)"},
    {WRAP("",
         MIN_EP ",{'name':'b','target':'https://b.example.com',"
                "'monitor':{'expected_status':['2xx']}}"),
        "p.json: endpoints[1].monitor.expected_status[0]: \"2xx\" is not a "
        "status range (use \"200-299\")"},
    {WRAP(",'monitor':{'expected_status':['200','abc']}", MIN_EP),
        "p.json: monitor.expected_status[1]: \"abc\" is not a status range "
        "(use \"N\" or \"N-M\", e.g. \"200-299\")"},
    {WRAP(",'monitor':{'expected_status':['99']}", MIN_EP),
        "p.json: monitor.expected_status[0]: \"99\" is out of range (status "
        "codes are 100-599)"},
    {WRAP(",'monitor':{'expected_status':['500-600']}", MIN_EP),
        "p.json: monitor.expected_status[0]: \"500-600\" is out of range "
        "(status codes are 100-599)"},
    {WRAP(",'monitor':{'expected_status':['299-200']}", MIN_EP),
        "p.json: monitor.expected_status[0]: \"299-200\" is reversed (use "
        "\"200-299\")"},
    {WRAP(",'monitor':{'expected_status':[]}", MIN_EP),
        "p.json: monitor.expected_status: must hold 1 to 8 ranges (has 0)"},
    {WRAP(",'monitor':{'expected_status':['200','201','202','203','204',"
          "'205','206','207','208']}",
         MIN_EP),
        "p.json: monitor.expected_status: must hold 1 to 8 ranges (has 9)"},
    {WRAP(",'monitor':{'expected_status':'200'}", MIN_EP),
        "p.json: monitor.expected_status: must be an array like "
        "[\"200-299\", \"401\"], not a string"},
    {WRAP(",'monitor':{'interval':0.05,'timeout':0.05}", MIN_EP),
        "p.json: monitor.interval: must be from 0.1 to 86400 (got 0.05)"},
    {WRAP(",'monitor':{'interval':'30'}", MIN_EP),
        "p.json: monitor.interval: must be a number, not a string"},
    {WRAP(",'monitor':{'timeout':0}", MIN_EP),
        "p.json: monitor.timeout: must be greater than 0 and at most 86400 "
        "(got 0)"},
    {WRAP("",
         "{'name':'a','target':'https://a.example.com',"
         "'monitor':{'timeout':40}}"),
        "p.json: endpoints[0].monitor.timeout: 40 s is longer than the "
        "interval (30 s, inherited or default)"},
    {WRAP(",'monitor':{'interval':5}", MIN_EP),
        "p.json: monitor.interval: 5 s is shorter than the timeout (10 s, "
        "inherited or default); set a timeout <= interval"},
    {WRAP(",'monitor':{'tolerated_failures':10}", MIN_EP),
        "p.json: monitor.tolerated_failures: must be from 0 to 9 (got 10)"},
    {WRAP(",'monitor':{'tolerated_failures':1.5}", MIN_EP),
        "p.json: monitor.tolerated_failures: must be a whole number (got "
        "1.5)"},
    {WRAP(",'monitor':{'rise':0}", MIN_EP),
        "p.json: monitor.rise: must be from 1 to 9 (got 0)"},
    {WRAP(",'monitor':{'port':0}", MIN_EP),
        "p.json: monitor.port: must be from 1 to 65535 (got 0)"},
    {WRAP(",'monitor':{'protocol':'ftp'}", MIN_EP),
        "p.json: monitor.protocol: \"ftp\" is not a protocol (use \"http\", "
        "\"https\" or \"tcp\")"},
    {WRAP(",'monitor':{'path':'health'}", MIN_EP),
        "p.json: monitor.path: must start with \"/\" and hold no spaces or "
        "non-ASCII characters (percent-encode them)"},
    {WRAP(",'monitor':{'headers':{'a':'1','b':'2','c':'3','d':'4','e':'5',"
          "'f':'6','g':'7','h':'8','i':'9'}}",
         MIN_EP),
        "p.json: monitor.headers: has 9 headers (at most 8)"},
    {WRAP(",'monitor':{'headers':{'X Bad':'1'}}", MIN_EP),
        "p.json: monitor.headers[\"X Bad\"]: is not a valid header name"},
    {WRAP(",'monitor':{'headers':{'X-A':'1','x-a':'2'}}", MIN_EP),
        "p.json: monitor.headers.x-a: duplicate header (names ignore case)"},
    {WRAP(",'monitor':{'headers':{'X-A':5}}", MIN_EP),
        "p.json: monitor.headers.X-A: must be a string, not a number"},
    {WRAP(",'monitor':{'identify':{'header':'X-R','body':true}}", MIN_EP),
        "p.json: monitor.identify: takes either \"header\" or \"body\", not "
        "both"},
    {WRAP(",'monitor':{'reuse_connections':1}", MIN_EP),
        "p.json: monitor.reuse_connections: must be true or false, not a "
        "number"},
    {WRAP(",'dns':{'ttl':604801}", MIN_EP),
        "p.json: dns.ttl: must be from 0 to 604800 (got 604801)"},
    {WRAP(",'dns':{'ttl':-1}", MIN_EP),
        "p.json: dns.ttl: must be from 0 to 604800 (got -1)"},
    {WRAP(",'dns':{'name':'a..b'}", MIN_EP),
        "p.json: dns.name: \"a..b\" is not a DNS name"},
    {WRAP(",'dns':{'resolvers':['system','1.2.3.4:0']}", MIN_EP),
        "p.json: dns.resolvers[1]: \"1.2.3.4:0\" is not \"system\", an IP "
        "address, ADDRESS:PORT or [IPV6]:PORT"},
    /* the DNS observer parses the same way: a bracket needs its port */
    {WRAP(",'dns':{'resolvers':['[::1]']}", MIN_EP),
        "p.json: dns.resolvers[0]: \"[::1]\" is not \"system\", an IP "
        "address, ADDRESS:PORT or [IPV6]:PORT"},
    {WRAP(",'dns':{'resolvers':[]}", MIN_EP),
        "p.json: dns.resolvers: must hold 1 to 8 resolvers (has 0)"},
    {WRAP(",'dns':{'interval':0}", MIN_EP),
        "p.json: dns.interval: must be from 0.1 to 86400 (got 0)"},
    {WRAP(",'routing':{'method':'geo'}", MIN_EP),
        "p.json: routing.method: \"geo\" is not a routing method (use "
        "\"priority\", \"weighted\" or \"performance\")"},
    {WRAP(",'routing':{'failback':'never'}", MIN_EP),
        "p.json: routing.failback: \"never\" is not a failback mode (use "
        "\"manual\" or \"auto\")"},
    {WRAP(",'routing':{'hold_down':-1}", MIN_EP),
        "p.json: routing.hold_down: must be from 0 to 604800 (got -1)"},
    {WRAP(",'routing':{'auto_failover':'yes'}", MIN_EP),
        "p.json: routing.auto_failover: must be true or false, not a string"},
    {WRAP(",'routing':{'hold_dwn':5}", MIN_EP),
        "p.json: routing.hold_dwn: unknown key (did you mean "
        "\"hold_down\"?)"},
    {WRAP("",
         "{'name':'a','target':'https://a.example.com','lat':91,"
         "'lon':0}"),
        "p.json: endpoints[0].lat: must be from -90 to 90 (got 91)"},
    {WRAP("",
         "{'name':'a','target':'https://a.example.com','lat':0,"
         "'lon':-180.5}"),
        "p.json: endpoints[0].lon: must be from -180 to 180 (got -180.5)"},
    {WRAP("", "{'name':'a','target':'https://a.example.com','lat':1}"),
        "p.json: endpoints[0].lon: missing (lat and lon go together)"},
    {WRAP("", "{'name':'a','target':'https://a.example.com','weight':0}"),
        "p.json: endpoints[0].weight: must be greater than 0 and at most "
        "1000000 (got 0)"},
    {WRAP("", "{'name':'a','target':'https://a.example.com','priority':0}"),
        "p.json: endpoints[0].priority: must be from 1 to 1000000 (got 0)"},
    {WRAP("",
         "{'name':'a','target':'https://a.example.com','priority':2},"
         "{'name':'b','target':'https://b.example.com','priority':2}"),
        "p.json: endpoints[1].priority: 2 is also the priority of "
        "endpoints[0] (\"a\"); priorities must be unique under priority "
        "routing"},
    {WRAP(
         "", "{'name':'a','target':'https://a.example.com','priority':2}," EP2),
        "p.json: endpoints[1].priority: 2 (default: position in the list) "
        "is also the priority of endpoints[0] (\"a\"); priorities must be "
        "unique under priority routing"},
    {WRAP("", MIN_EP ",{'name':'a','target':'https://b.example.com'}"),
        "p.json: endpoints[1].name: \"a\" is already the name of "
        "endpoints[0]"},
    {WRAP("", "{'name':'eu 20','target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: \"eu 20\" may hold only letters, "
        "digits, '.', '_' and '-'"},
    {WRAP("",
         "{'name':'abcdefghijabcdefghijabcdefghij12',"
         "'target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: \"abcdefghijabcdefghijabcdefghij12\" is "
        "longer than 31 characters"},
    {WRAP("", "{'target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: missing (required)"},
    {WRAP("", "{'name':'a'}"),
        "p.json: endpoints[0].target: missing (required: http://, https:// "
        "or tcp:// URL)"},
    {WRAP("", "{'name':'a','target':'https://a b.example.com'}"),
        "p.json: endpoints[0].target: \"https://a b.example.com\" is not a "
        "valid URL (curl: Bad hostname)"},
    {WRAP("", "{'name':'a','target':'a.example.com'}"),
        "p.json: endpoints[0].target: \"a.example.com\" is not a valid URL "
        "(curl: Bad scheme)"},
    {WRAP("", "{'name':'a','target':'ftp://a.example.com/'}"),
        "p.json: endpoints[0].target: \"ftp://a.example.com/\": scheme "
        "\"ftp\" is not supported (use http://, https:// or tcp://)"},
    {WRAP("", "{'name':'a','target':'tcp://a.example.com'}"),
        "p.json: endpoints[0].target: \"tcp://a.example.com\": tcp needs a "
        "port (tcp://host:PORT or monitor.port)"},
    {WRAP("", "{'name':'a','target':'https://u:hunter2@a.example.com'}"),
        "p.json: endpoints[0].target: must not hold credentials (put them "
        "in monitor.headers)"},
    {WRAP("",
         "{'name':'a','target':'https://a.example.com',"
         "'connect_to':'x'}"),
        "p.json: endpoints[0].connect_to: must be \"host:port\" (port "
        "1-65535)"},
    {WRAP("",
         "{'name':'a','target':'https://a.example.com',"
         "'dns_answers':['a b']}"),
        "p.json: endpoints[0].dns_answers[0]: \"a b\" is not a DNS name or "
        "address"},
    {WRAP("", "{'name':'a','target':'https://a.example.com','Name':'x'}"),
        "p.json: endpoints[0].Name: unknown key (did you mean \"name\"?)"},
    {WRAP("", "{'name':'a','name':'b','target':'https://a.example.com'}"),
        "p.json: endpoints[0].name: duplicate key"},
    {WRAP("", "7"), "p.json: endpoints[0]: must be an object, not a number"},
    {WRAP("", ""), "p.json: endpoints: must hold at least one endpoint"},
    {"{'service':'s'}", "p.json: endpoints: missing (required: at least one)"},
    {"{'endpoints':[" MIN_EP "]}",
        "p.json: service: missing (required: the service's name)"},
    {"{'service':7,'endpoints':[" MIN_EP "]}",
        "p.json: service: must be a string, not a number"},
    {"{'service':'s','endpoints':{}}",
        "p.json: endpoints: must be an array of endpoints, not an object"},
    {"[1]", "p.json: the profile must be a JSON object, not an array"},
    {WRAP(",'actions':{'failover':{'timeout':5}}", MIN_EP),
        "p.json: actions.failover.argv: missing (the program and its "
        "arguments, e.g. [\"./failover.sh\", \"{from}\", \"{to}\"])"},
    {WRAP(",'actions':{'failover':{'argv':[]}}", MIN_EP),
        "p.json: actions.failover.argv: must not be empty (argv[0] is the "
        "program)"},
    {WRAP(",'actions':{'failback':{'argv':['x',1]}}", MIN_EP),
        "p.json: actions.failback.argv[1]: must be a string, not a number"},
    {WRAP(",'actions':{'failover':{'argv':['x'],'timeout':0}}", MIN_EP),
        "p.json: actions.failover.timeout: must be greater than 0 and at "
        "most 86400 (got 0)"},
    {WRAP(",'actions':{'failover':[{'name':'one','argv':['x']},"
          "{'argv':['y']}]}",
         MIN_EP),
        "p.json: actions.failover[1].name: missing (each runbook step has a "
        "name)"},
    {WRAP(",'actions':{'failover':[]}", MIN_EP),
        "p.json: actions.failover: a runbook holds 1 to 32 steps (has 0)"},
    {WRAP(",'actions':{'failovr':{'argv':['x']}}", MIN_EP),
        "p.json: actions.failovr: unknown key (did you mean "
        "\"failover\"?)"},
    {WRAP(",'drill':{'rto_target':0}", MIN_EP),
        "p.json: drill.rto_target: must be greater than 0 and at most "
        "10000000 (got 0)"},
    {WRAP(",'drill':{'dir':''}", MIN_EP),
        "p.json: drill.dir: must not be empty"},
    {WRAP(",'service':'t'", MIN_EP), "p.json: service: duplicate key"},
};

static void
test_each_error(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(err_cases); i++) {
		ErrList e;
		Profile *p = parse(err_cases[i].json, &e);

		if (p != NULL || e.count != 1 ||
		    strcmp(e.msgs[0], err_cases[i].msg) != 0) {
			bad++;
			fprintf(stderr, "case %zu: %s\n  want: %s\n", i,
			    err_cases[i].json, err_cases[i].msg);
			print_errs(&e);
		}
		profile_free(p);
		errlist_fini(&e);
	}
	assert_int_equal(bad, 0);
}

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
	p = parse("{'service':'s','dns':{'ttl':-5},"
	          "'monitor':{'tolerated_failure':3,'rise':0},"
	          "'endpoints':[{'name':'a','target':'ftp://x'},"
	          "{'name':'a','target':'https://b.example.com',"
	          "'monitor':{'expected_status':['2xx'],'timeout':99}}],"
	          "'actions':{'failover':{'argv':[]}},"
	          "'drill':{'rto_target':-1}}",
	    &e);
	assert_null(p);
	if (e.count != 9)
		print_errs(&e);
	assert_int_equal(e.count, 9);
	assert_true(
	    has_msg(&e, "p.json: dns.ttl: must be from 0 to 604800 (got -5)"));
	assert_true(has_msg(&e,
	    "p.json: monitor.tolerated_failure: unknown key "
	    "(did you mean \"tolerated_failures\"?)"));
	assert_true(
	    has_msg(&e, "p.json: monitor.rise: must be from 1 to 9 (got 0)"));
	assert_true(has_msg(&e,
	    "p.json: endpoints[0].target: \"ftp://x\": "
	    "scheme \"ftp\" is not supported (use http://, "
	    "https:// or tcp://)"));
	assert_true(has_msg(&e,
	    "p.json: endpoints[1].monitor.expected_status[0]: "
	    "\"2xx\" is not a status range (use \"200-299\")"));
	assert_true(has_msg(&e,
	    "p.json: endpoints[1].monitor.timeout: 99 s is "
	    "longer than the interval (30 s, inherited or "
	    "default)"));
	assert_true(has_msg(&e,
	    "p.json: endpoints[1].name: \"a\" is already the "
	    "name of endpoints[0]"));
	assert_true(has_msg(&e,
	    "p.json: actions.failover.argv: must not be empty "
	    "(argv[0] is the program)"));
	assert_true(has_msg(&e,
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

static void
test_env(void **state)
{
	static const char *src =
	    "{'service':'s','monitor':{'headers':{'Authorization':"
	    "'Basic ${env:DRTOP_TEST_TOKEN}','X-Two':'${env:DRTOP_TEST_TOKEN}"
	    "/${env:DRTOP_TEST_OTHER}'}},'endpoints':[" MIN_EP "]}";
	ErrList e, w;
	Profile *p;
	const Monitor *m;

	(void)state;
	setenv("DRTOP_TEST_TOKEN", "s3cr3t-value", 1);
	setenv("DRTOP_TEST_OTHER", "2", 1);
	p = parse(src, &e);
	print_errs(&e);
	assert_non_null(p);
	m = &p->endpoints[0].monitor;
	assert_int_equal(m->nheaders, 2);
	assert_string_equal(m->headers[0].name, "Authorization");
	assert_string_equal(m->headers[0].value, "Basic s3cr3t-value");
	assert_string_equal(m->headers[1].value, "s3cr3t-value/2");
	profile_free(p);
	errlist_fini(&e);

	/* Missing: an error naming the variable and the path. */
	unsetenv("DRTOP_TEST_OTHER");
	p = parse(src, &e);
	assert_null(p);
	assert_int_equal(e.count, 1);
	assert_string_equal(e.msgs[0],
	    "p.json: monitor.headers.X-Two: "
	    "environment variable DRTOP_TEST_OTHER "
	    "is not set");
	errlist_fini(&e);

	/* Check mode: a warning, and the profile loads. */
	p = parse_flags(src, PROFILE_ENV_OPTIONAL, &e, &w);
	assert_non_null(p);
	assert_int_equal(e.count, 0);
	assert_int_equal(w.count, 1);
	assert_string_equal(w.msgs[0],
	    "p.json: monitor.headers.X-Two: warning: environment variable "
	    "DRTOP_TEST_OTHER is not set (it must be when drtop probes)");
	assert_string_equal(p->endpoints[0].monitor.headers[1].value,
	    "s3cr3t-value/${env:DRTOP_TEST_OTHER}");
	profile_free(p);
	errlist_fini(&e);
	errlist_fini(&w);

	/* No substitution at all. */
	p = parse_flags(src, PROFILE_NO_ENV, &e, NULL);
	assert_non_null(p);
	assert_string_equal(p->endpoints[0].monitor.headers[0].value,
	    "Basic ${env:DRTOP_TEST_TOKEN}");
	profile_free(p);
	errlist_fini(&e);

	/* Malformed references. */
	p = parse("{'service':'s','monitor':{'headers':{'A':'${env:X'}},"
	          "'endpoints':[" MIN_EP "]}",
	    &e);
	assert_null(p);
	assert_int_equal(e.count, 1);
	assert_string_equal(e.msgs[0],
	    "p.json: monitor.headers.A: malformed "
	    "${env:NAME} reference (NAME: letters, "
	    "digits, '_')");
	errlist_fini(&e);

	/* A value with a newline is refused without being printed. */
	setenv("DRTOP_TEST_TOKEN", "line1\r\nInjected: yes", 1);
	p = parse(src, &e);
	assert_null(p);
	assert_int_equal(e.count, 2); /* and DRTOP_TEST_OTHER is unset */
	assert_true(has_msg(&e,
	    "p.json: monitor.headers.Authorization: value "
	    "contains a control character (after ${env:} "
	    "substitution)"));
	for (int i = 0; i < e.count; i++)
		assert_null(strstr(e.msgs[i], "Injected"));
	errlist_fini(&e);
	unsetenv("DRTOP_TEST_TOKEN");
}

static void
test_warnings(void **state)
{
	ErrList e, w;
	Profile *p;

	(void)state;
	p = parse_flags(
	    "{'service':'s','monitor':{'expected_status':['204']},"
	    "'endpoints':[{'name':'a','target':'tcp://h:1','disabled':true,"
	    "'monitor':{'body_contains':'x'}},"
	    "{'name':'b','target':'tcp://h:2','disabled':true}],"
	    "'actions':{'failover':{'argv':['x','{form}',"
	    "'{\\'k\\':{to}}','{service}-{from}']}}}",
	    0, &e, &w);
	print_errs(&e);
	assert_non_null(p);
	print_errs(&w);
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
	/* Warnings never fail a load, and without a list they are dropped. */
	profile_free(p);
	errlist_fini(&e);
	errlist_fini(&w);
}

static void
test_redaction_and_roundtrip(void **state)
{
	ErrList e;
	Profile *p, *q;
	char *red, *clear, *again;

	(void)state;
	setenv("DRTOP_TEST_TOKEN", "Bearer tok-9f8e7d", 1);
	p = parse("{'service':'cpi-prod','dns':{'name':'cpi.example.com'},"
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
	print_errs(&e);
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
	print_errs(&e);
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
	unsetenv("DRTOP_TEST_TOKEN");
}

static void
json_err(const char *json, size_t len, const char *want)
{
	ErrList e;

	errlist_init(&e);
	assert_null(profile_parse(json, len, "p.json", BASEDIR, &e));
	print_errs(&e);
	assert_int_equal(e.count, 1);
	assert_string_equal(e.msgs[0], want);
	errlist_fini(&e);
}

static void
test_malformed_json(void **state)
{
	char deep[3000];
	/* Not NUL-terminated: the parser must stay inside len. */
	char raw[] = {'{', '"', 'a'};

	(void)state;
	json_err(
	    "{\n  \"a\": [1,\n  }", 16, "p.json:3:3: malformed JSON near '}'");
	json_err("{\"service\":\"x\"} x", 17,
	    "p.json:1:17: unexpected text after the JSON object");
	json_err("", 0, "p.json:1:1: malformed JSON: empty file");
	json_err(" \n ", 3, "p.json:2:2: malformed JSON: empty file");
	{
		ErrList e;

		errlist_init(&e);
		assert_null(profile_parse("\x01\x02", 2, "p.json", NULL, &e));
		assert_int_equal(e.count, 1);
		assert_true(str_starts(e.msgs[0], "p.json:1:"));
		assert_non_null(
		    strstr(e.msgs[0], "malformed JSON near byte 0x0"));
		errlist_fini(&e);
	}
	/* Columns count characters, not bytes. */
	json_err(
	    "{\"r\":\"Zürich\" x}", 17, "p.json:1:15: malformed JSON near 'x'");
	memset(deep, '[', sizeof(deep));
	json_err(deep, sizeof(deep),
	    "p.json:1:1001: malformed JSON: nested more than 1000 levels deep");
	{
		ErrList e;

		errlist_init(&e);
		assert_null(
		    profile_parse(raw, sizeof(raw), "p.json", NULL, &e));
		assert_int_equal(e.count, 1);
		assert_true(str_starts(e.msgs[0], "p.json:1:"));
		errlist_fini(&e);
	}
}

static void
test_load_file(void **state)
{
	char dir[] = "/tmp/drtop-profile-XXXXXX";
	char path[256], want[300];
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

	assert_non_null(mkdtemp(dir));
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
	print_errs(&e);
	assert_non_null(p);
	assert_string_equal(p->file, path);
	assert_string_equal(p->dir, dir);
	snprintf(want, sizeof(want), "%s/bin/go", dir);
	assert_string_equal(p->failover.steps[0].argv[0], want);
	snprintf(want, sizeof(want), "%s/logs", dir);
	assert_string_equal(p->drill_dir, want);
	profile_free(p);
	errlist_fini(&e);
	unlink(path);
	rmdir(dir);
}

static void
test_set(void **state)
{
	ErrList e;
	Profile *p;
	char err[512];
	char *before, *after;

	(void)state;
	setenv("DRTOP_TEST_TOKEN", "keep-me", 1);
	p = parse("{'service':'s','monitor':{'headers':{'A':"
	          "'${env:DRTOP_TEST_TOKEN}'}},"
	          "'endpoints':[" MIN_EP ",{'name':'b.x','target':'https://b."
	          "example.com'}]}",
	    &e);
	unsetenv("DRTOP_TEST_TOKEN");
	assert_non_null(p);

	assert_int_equal(
	    profile_set(p, "monitor.tolerated_failures=0", err, sizeof(err)),
	    0);
	assert_int_equal(p->endpoints[0].monitor.tolerated_failures, 0);
	assert_int_equal(p->endpoints[1].monitor.tolerated_failures, 0);
	assert_int_equal(
	    profile_set(p, "routing.failback=auto", err, sizeof(err)), 0);
	assert_true(p->routing.failback_auto);
	assert_int_equal(profile_set(p, "endpoints.b.x.monitor.interval=12",
	                     err, sizeof(err)),
	    0);
	assert_double_equal(p->endpoints[0].monitor.interval, 30, 1e-9);
	assert_double_equal(p->endpoints[1].monitor.interval, 12, 1e-9);
	assert_int_equal(profile_set(p, "dns.ttl=30", err, sizeof(err)), 0);
	assert_int_equal(p->dns.ttl, 30);
	assert_int_equal(
	    profile_set(p, "drill.rto_target=120", err, sizeof(err)), 0);
	assert_double_equal(p->rto_target, 120, 1e-9);
	assert_int_equal(profile_set(p, "monitor.expected_status=200-299,401",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(p->endpoints[1].monitor.nexpected, 2);
	assert_int_equal(p->endpoints[1].monitor.expected[1].lo, 401);
	assert_int_equal(
	    profile_set(p, "endpoints.a.priority=5", err, sizeof(err)), 0);
	assert_int_equal(p->endpoints[0].priority, 5);
	/* The secret and the file survive. */
	assert_string_equal(
	    p->endpoints[1].monitor.headers[0].value, "keep-me");
	assert_string_equal(p->file, "p.json");
	assert_string_equal(p->dir, BASEDIR);

	/* Errors leave the profile as it was. */
	before = profile_to_json(p, false);
	assert_int_equal(
	    profile_set(p, "monitor.interval=0.01", err, sizeof(err)), -1);
	assert_string_equal(err,
	    "--set monitor.interval=0.01: endpoints[0].monitor.interval: must "
	    "be from 0.1 to 86400 (got 0.01) (and more)");
	assert_int_equal(
	    profile_set(p, "monitor.interval=5", err, sizeof(err)), -1);
	assert_string_equal(err,
	    "--set monitor.interval=5: endpoints[0].monitor.timeout: 10 s is "
	    "longer than the interval (5 s) (and more)");
	assert_int_equal(
	    profile_set(p, "monitor.tolerated_failure=1", err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "--set monitor.tolerated_failure: unknown key "
	    "(did you mean \"tolerated_failures\"?)");
	assert_int_equal(
	    profile_set(p, "endpoints.zz.monitor.interval=5", err, sizeof(err)),
	    -1);
	assert_string_equal(
	    err, "--set endpoints.zz.monitor.interval: no such endpoint");
	assert_int_equal(
	    profile_set(p, "routing.failback=sometimes", err, sizeof(err)), -1);
	assert_int_equal(profile_set(p, "nokey", err, sizeof(err)), -1);
	assert_string_equal(err, "--set nokey: expected KEY=VALUE");
	assert_int_equal(profile_set(p, "service=x", err, sizeof(err)), -1);
	assert_int_equal(profile_set(p, "dns.ttl=-1", err, sizeof(err)), -1);
	assert_string_equal(err,
	    "--set dns.ttl=-1: dns.ttl: must be from 0 to "
	    "604800 (got -1)");
	after = profile_to_json(p, false);
	assert_string_equal(before, after);
	free(before);
	free(after);
	profile_free(p);
	errlist_fini(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_each_error),
	    cmocka_unit_test(test_too_many_endpoints),
	    cmocka_unit_test(test_all_errors_at_once),
	    cmocka_unit_test(test_error_flood_capped),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_redaction_and_roundtrip),
	    cmocka_unit_test(test_malformed_json),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
