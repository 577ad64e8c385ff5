/*
 * profile: the JSON profile of DESIGN.md loaded into plain C structs,
 * with Traffic Manager's defaults applied and every error reported at
 * once, each naming the file and the JSON path of the bad field.
 *
 * A Profile is immutable after profile_load() returns; any thread may
 * read it. It owns all of its memory (profile_free).
 */
#ifndef DRTOP_PROFILE_H
#define DRTOP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "base/util.h"
#include "model/event.h"

#define PROFILE_MAX_ENDPOINTS 4096
#define PROFILE_MAX_STATUS 8
#define PROFILE_MAX_HEADERS 8
#define PROFILE_MAX_RESOLVERS 8
#define PROFILE_MAX_DNS_ANSWERS 8

typedef enum { PROTO_HTTP, PROTO_HTTPS, PROTO_TCP } Protocol;
typedef enum { ROUTE_PRIORITY, ROUTE_WEIGHTED, ROUTE_PERFORMANCE } RouteMethod;
/* Who moves the DNS answer: the manager by itself from its own health
 * checks (automatic), or only someone changing it (manual). */
typedef enum { MANAGER_AUTOMATIC, MANAGER_MANUAL } RouteManager;
typedef enum { IDENTIFY_NONE, IDENTIFY_HEADER, IDENTIFY_BODY } IdentifyMode;

typedef struct {
	int lo, hi; /* inclusive; "401" is {401, 401} */
} StatusRange;

typedef struct {
	char *name;
	char *value; /* SECRET: after ${env:NAME} substitution; never printed */
} Header;

/* Effective monitor settings of one endpoint (top level + overrides). */
typedef struct {
	Protocol protocol;
	char *path; /* request path incl. query, "/" by default */
	int port; /* effective port (URL's, or monitor.port) */
	double interval; /* seconds, default 30 */
	double timeout; /* seconds, default 10, <= interval */
	int tolerated_failures; /* 0..9, default 3 */
	int rise; /* >= 1, default 1 */
	StatusRange expected[PROFILE_MAX_STATUS];
	int nexpected; /* default 1: {200,200} */
	Header headers[PROFILE_MAX_HEADERS];
	int nheaders;
	char *body_contains; /* NULL = not checked */
	IdentifyMode identify;
	char *identify_header; /* IDENTIFY_HEADER: header name, e.g. X-Region */
	bool reuse_connections;
} Monitor;

typedef struct {
	char name[EV_NAME_MAX];
	char *region; /* display name, "" when absent */
	bool has_pos;
	double lat, lon;
	char *target; /* as written in the profile */
	char *host; /* parsed from target */
	char *url; /* effective probe URL (scheme://host:port/path);
	                          for tcp: "tcp://host:port" */
	int priority; /* default: 1-based position in the list */
	double weight; /* default 1 */
	char *dns_answers[PROFILE_MAX_DNS_ANSWERS];
	int ndns_answers;
	char *connect_to; /* "host:port" to connect to instead; NULL = none */
	bool insecure; /* skip TLS verification */
	bool disabled; /* neither probed nor routed to */
	Monitor monitor;
} Endpoint;

/* A resolver the DNS observer polls: a string in the profile, or
 * {"addr": ..., "name": ..., "authoritative": true}. */
typedef struct {
	char *addr; /* "system", "ip", "ip:port", "[v6]:port" */
	char *name; /* shown instead of the address; the addr when none */
	bool authoritative; /* the manager's own name server: no cache */
} Resolver;

typedef struct {
	char *name; /* NULL = no DNS observation */
	int ttl; /* the record's TTL in seconds; default 60 */
	Resolver resolvers[PROFILE_MAX_RESOLVERS];
	int nresolvers; /* default 1: "system" */
	double interval; /* seconds, default 5 */
	double timeout; /* per query: min(1, interval) */
} DnsConfig;

typedef struct {
	RouteMethod method; /* default priority */
	RouteManager manager; /* default automatic */
	bool failback_auto; /* "failback": "auto" | "manual" (default) */
	double hold_down; /* seconds, default 60 */
	bool auto_failover; /* default false */
} RoutingConfig;

typedef struct {
	char *name; /* runbook step name; NULL for a single action */
	char **argv; /* NULL-terminated, unsubstituted templates */
	int argc;
	double timeout; /* seconds, default 60 */
} ActionStep;

typedef struct {
	ActionStep *steps; /* one for a plain action; several for a runbook */
	int nsteps; /* 0 = not configured */
} Action;

typedef struct {
	char *file; /* path as given, used in messages */
	char *dir; /* the profile's directory (absolute) */
	char *service;
	DnsConfig dns;
	RoutingConfig routing;
	Endpoint *endpoints;
	int nendpoints;
	Action failover;
	Action failback;
	/* The client's-eye probe (`public`): the public name resolved as a
	 * client does and probed like an endpoint named EV_PUBLIC; NULL when
	 * the profile has none. Its resolver is "system" or the addr of one
	 * of dns.resolvers (whose answers the DNS observer provides). */
	Endpoint *public_ep;
	char *public_resolver;
	double rto_target; /* seconds; < 0 = none */
	char *drill_dir; /* absolute; default <dir>/drills */
} Profile;

/*
 * Load and validate the profile at path. On success returns a Profile;
 * on any error returns NULL and appends every error found to errs, each
 * "FILE: JSON.PATH: message" (malformed JSON: "FILE:LINE:COL: message").
 * ${env:NAME} in header values is substituted from the environment.
 */
Profile *profile_load(const char *path, ErrList *errs);

/* The same from a buffer; fname is used in messages, basedir resolves
 * relative paths. */
Profile *profile_parse(const char *json, size_t len, const char *fname,
    const char *basedir, ErrList *errs);

/*
 * Flags for the _flags variants:
 * PROFILE_ENV_OPTIONAL: a ${env:NAME} whose variable is not set is a
 *   warning, not an error (`drtop check` on a jump host without the
 *   secrets); the header keeps the template text as its value.
 * PROFILE_NO_ENV: no substitution at all (re-parsing profile_to_json()
 *   output, whose values are already substituted or redacted).
 */
#define PROFILE_ENV_OPTIONAL 0x1
#define PROFILE_NO_ENV 0x2

/*
 * profile_load/profile_parse with flags. Warnings (same form as errors,
 * with "warning: " before the message) go to warns when it is not NULL;
 * they never make the load fail. More than 200 errors are summarised in
 * one last line. Main thread (or any one thread) only: not reentrant
 * with respect to getenv().
 */
Profile *profile_load_flags(
    const char *path, int flags, ErrList *errs, ErrList *warns);
Profile *profile_parse_flags(const char *json, size_t len, const char *fname,
    const char *basedir, int flags, ErrList *errs, ErrList *warns);

/* profile_free(NULL) is safe. */
void profile_free(Profile *p);

/*
 * The profile as one line of JSON (no newline, malloc'd), with effective
 * values. With redact, header values are replaced by "<redacted>"; the
 * session header and `check` always pass redact = true.
 *
 * The text is itself a valid profile with every default written out:
 * profile_parse_flags(text, ..., PROFILE_NO_ENV, ...) of it gives back
 * the same profile (redacted values become the literal "<redacted>"),
 * which is how replay and report rebuild a profile from a log header.
 */
char *profile_to_json(const Profile *p, bool redact);

/* Index of the endpoint named name, or -1. */
int profile_find(const Profile *p, const char *name);

/* Index of the resolver whose addr or name is s, or -1. */
int profile_find_resolver(const Profile *p, const char *s);

/* The display name of resolver address addr: its profile name, or addr
 * itself when the profile has no such resolver or gives no name. */
const char *profile_resolver_name(const Profile *p, const char *addr);

/* True when status is inside one of m's expected ranges. */
bool profile_status_expected(const Monitor *m, int status);

/* Worst-case seconds from a fault to `degraded`:
 * interval * (tolerated_failures + 1) + timeout. */
double profile_detection_bound(const Endpoint *e);

/* Worst-case seconds from a fault until a client follows the new DNS
 * answer: profile_detection_bound(e) + p->dns.ttl. */
double profile_worst_failover(const Profile *p, const Endpoint *e);

/*
 * Apply one what-if override "KEY=VALUE" (e.g.
 * "monitor.tolerated_failures=0", "routing.failback=auto",
 * "endpoints.eu20.monitor.interval=5", "dns.ttl=30") to a loaded profile.
 * A monitor.* key applies to every endpoint. Returns 0, or -1 with err.
 *
 * Keys: monitor.<field>, endpoints.<name>.monitor.<field>,
 * endpoints.<name>.{priority,weight,disabled,insecure}, routing.<field>,
 * dns.{ttl,interval,resolvers}, drill.rto_target. VALUE is read as JSON
 * when it parses (5, true, ["200","401"], "x"), else as a plain string
 * (auto); expected_status and resolvers also take a comma list.
 * The result is validated exactly as the loader does; on error p is
 * unchanged. On success the Endpoint/Monitor pointers inside p are
 * replaced (do not hold them across the call).
 */
int profile_set(Profile *p, const char *assignment, char *err, size_t errcap);

/*
 * A resolver address as the profile writes it: "ADDR" (port 53),
 * "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address (not "system", which
 * only core/dns resolves). Fills *ss and *sl; returns 0, or -1 when spec
 * is none of these. Pure; any thread.
 */
int profile_resolver_addr(
    const char *spec, struct sockaddr_storage *ss, socklen_t *sl);

/* Names for messages and JSON. */
const char *protocol_name(Protocol p);
const char *route_method_name(RouteMethod m);
const char *route_manager_name(RouteManager m); /* "automatic", "manual" */

#endif
