/* profile: every validation error with its exact JSON path: unknown
 * keys and their hints, values out of range, addresses and resolvers,
 * bidirectional controls, actions and drill sections, ${env:}
 * references.
 *
 *   err_cases        profile text -> its one error, the full message
 * A failing row is named on stderr before the assertion that fails. What
 * does not fit the table (generated inputs, several messages at once, the
 * cap on them) is a test of its own. */
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
        "p.json: endpoints[0].target: \"a.example.com\" has no scheme: add "
        "http:// or https:// (or tcp:// for a TCP connect check), e.g. "
        "\"http://a.example.com\""},
    /* curl would say "Unsupported number of slashes following scheme" */
    {"target host:port/path without scheme",
        WRAP("", "{'name':'a','target':'127.0.0.1:8080/health'}"),
        "p.json: endpoints[0].target: \"127.0.0.1:8080/health\" has no "
        "scheme: add http:// or https:// (or tcp:// for a TCP connect "
        "check), e.g. \"http://127.0.0.1:8080/health\""},
    {"target localhost:port without scheme",
        WRAP("", "{'name':'a','target':'localhost:8080'}"),
        "p.json: endpoints[0].target: \"localhost:8080\" has no scheme: "
        "add http:// or https:// (or tcp:// for a TCP connect check), e.g. "
        "\"http://localhost:8080\""},
    {"target //host without scheme",
        WRAP("", "{'name':'a','target':'//a.example.com/x'}"),
        "p.json: endpoints[0].target: \"//a.example.com/x\" has no scheme: "
        "add http:// or https:// (or tcp:// for a TCP connect check), e.g. "
        "\"http://a.example.com/x\""},
    {"target with credentials and no scheme: never echoed",
        WRAP("", "{'name':'a','target':'u:hunter2@a.example.com'}"),
        "p.json: endpoints[0].target: the URL has no scheme: add http:// "
        "or https:// (or tcp:// for a TCP connect check), e.g. "
        "\"http://host:port/path\""},
    {"public.url without scheme",
        WRAP(",'public':{'url':'cpi.example.com/health'}", MIN_EP),
        "p.json: public.url: \"cpi.example.com/health\" has no scheme: add "
        "http:// or https:// (or tcp:// for a TCP connect check), e.g. "
        "\"http://cpi.example.com/health\""},
    {"unknown placeholder in an action argument",
        WRAP(",'actions':{'failback':{'argv':['x','{too}']}}", MIN_EP),
        "p.json: actions.failback.argv[1]: unknown placeholder {too} (the "
        "known placeholders are {from}, {to} and {service})"},
    {"unknown placeholder inside a runbook step's argument",
        WRAP(",'actions':{'failover':[{'name':'s1','argv':['x','{to}']},"
             "{'name':'s2','argv':['y','--zone={zone_id}']}]}",
            MIN_EP),
        "p.json: actions.failover[1].argv[1]: unknown placeholder "
        "{zone_id} (the known placeholders are {from}, {to} and "
        "{service})"},
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_too_many_endpoints),
	    cmocka_unit_test(test_all_errors_at_once),
	    cmocka_unit_test(test_error_flood_capped),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
