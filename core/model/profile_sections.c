/*
 * profile_sections: the dns, routing, actions and drill sections of a
 * profile. See profile_sections.h.
 */
#include "model/profile_sections.h"

#include <stdlib.h>
#include <string.h>

#include "model/argsubst.h"
#include "model/profile_addr.h"

#define MAX_ARGV 64
#define MAX_STEPS 32

/* Indexed by RouteMethod. */
static const char *const method_names[] = {
    "priority", "weighted", "performance", NULL};
/* Indexed by failback_auto. */
static const char *const failback_names[] = {"manual", "auto", NULL};
/* Indexed by RouteManager. */
static const char *const manager_names[] = {"automatic", "manual", NULL};

const char *
route_manager_name(RouteManager m)
{
	return (unsigned)m < 2 ? manager_names[m] : "?";
}

static void
resolver_free(Resolver *r)
{
	free(r->addr);
	free(r->name);
	memset(r, 0, sizeof(*r));
}

/* One entry of dns.resolvers at path ip: "ADDR" or {"addr", "name",
 * "authoritative"}. Returns false (error reported) when it is not. */
static bool
parse_resolver(PCheck *c, const cJSON *r, const char *ip, Resolver *out)
{
	static const char *const keys[] = {
	    "addr", "name", "authoritative", NULL};
	char q[PCHECK_QUOTE_CAP], kp[PCHECK_PATH_CAP];
	const char *addr = NULL, *name = NULL;
	const cJSON *it;
	bool auth = false;

	if (cJSON_IsObject(r)) {
		if (!pcheck_object(c, r, ip, keys))
			return false;
		pcheck_path_key(kp, sizeof(kp), ip, "addr");
		if ((it = pcheck_get(r, "addr")) == NULL) {
			pcheck_err(c, kp,
			    "missing (required: \"system\", an "
			    "IP address or ADDRESS:PORT)");
			return false;
		}
		if (!pcheck_str(c, it, kp, EV_RESOLVER_MAX - 1, &addr))
			return false;
		if ((it = pcheck_get(r, "name")) != NULL) {
			pcheck_path_key(kp, sizeof(kp), ip, "name");
			if (!pcheck_str(c, it, kp, EV_NAME_MAX - 1, &name))
				return false;
			if (name[0] == '\0') {
				pcheck_err(c, kp, "must not be empty");
				return false;
			}
		}
		if ((it = pcheck_get(r, "authoritative")) != NULL) {
			pcheck_path_key(kp, sizeof(kp), ip, "authoritative");
			if (!pcheck_bool(c, it, kp, &auth))
				return false;
		}
		pcheck_path_key(kp, sizeof(kp), ip, "addr");
	} else if (!pcheck_str(c, r, ip, EV_RESOLVER_MAX - 1, &addr)) {
		return false;
	} else {
		str_copy(kp, sizeof(kp), ip);
	}
	if (!profile_addr_resolver(addr)) {
		pcheck_err(c, kp,
		    "%s is not \"system\", an IP address, ADDRESS:PORT or "
		    "[IPV6]:PORT",
		    pcheck_quote(q, sizeof(q), addr));
		return false;
	}
	out->addr = xstrdup(addr);
	out->name = xstrdup(name != NULL ? name : addr);
	out->authoritative = auth;
	return true;
}

/* Two resolvers with one address, or one display name, could not be
 * told apart in events or on screen. */
static void
check_resolvers(PCheck *c, const DnsConfig *d)
{
	char ip[PCHECK_PATH_CAP];

	for (int i = 1; i < d->nresolvers; i++)
		for (int k = 0; k < i; k++) {
			pcheck_path_idx(ip, sizeof(ip), "dns.resolvers", i);
			if (strcmp(d->resolvers[i].addr,
			        d->resolvers[k].addr) == 0) {
				pcheck_err(c, ip,
				    "\"%s\" is already dns.resolvers[%d]",
				    d->resolvers[i].addr, k);
				break;
			}
			if (strcmp(d->resolvers[i].name,
			        d->resolvers[k].name) == 0 ||
			    strcmp(d->resolvers[i].name,
			        d->resolvers[k].addr) == 0) {
				pcheck_err(c, ip,
				    "the name \"%s\" is already "
				    "dns.resolvers[%d]'s",
				    d->resolvers[i].name, k);
				break;
			}
		}
}

void
profile_sections_dns_free(DnsConfig *d)
{
	free(d->name);
	d->name = NULL;
	for (int k = 0; k < d->nresolvers; k++)
		resolver_free(&d->resolvers[k]);
	d->nresolvers = 0;
}

void
profile_sections_dns_default(DnsConfig *d)
{
	d->resolvers[0].addr = xstrdup("system");
	d->resolvers[0].name = xstrdup("system");
	d->nresolvers = 1;
}

void
profile_sections_dns(PCheck *c, const cJSON *obj, DnsConfig *d)
{
	static const char *const keys[] = {
	    "name", "ttl", "resolvers", "interval", NULL};
	const cJSON *it;
	const char *str;
	char q[PCHECK_QUOTE_CAP];

	if (!pcheck_object(c, obj, "dns", keys))
		return;
	if ((it = pcheck_get(obj, "name")) != NULL &&
	    pcheck_str(c, it, "dns.name", 253, &str)) {
		if (profile_addr_dns_name(str)) {
			free(d->name);
			d->name = xstrdup(str);
		} else {
			pcheck_err(c, "dns.name", "%s is not a DNS name",
			    pcheck_quote(q, sizeof(q), str));
		}
	}
	if ((it = pcheck_get(obj, "ttl")) != NULL)
		pcheck_int(c, it, "dns.ttl", 0, 604800, &d->ttl);
	if ((it = pcheck_get(obj, "interval")) != NULL)
		pcheck_num(c, it, "dns.interval",
		    (PCheckNum){0.1, 86400, false, false}, &d->interval);
	if ((it = pcheck_get(obj, "resolvers")) != NULL) {
		int n = cJSON_GetArraySize(it), i = 0;
		char ip[PCHECK_PATH_CAP];

		if (!cJSON_IsArray(it)) {
			pcheck_err(c, "dns.resolvers",
			    "must be an array like [\"system\", "
			    "\"127.0.0.1:5353\", {\"addr\": \"10.0.0.2\", "
			    "\"name\": \"corp\"}], not %s",
			    pcheck_type(it));
		} else if (n < 1 || n > PROFILE_MAX_RESOLVERS) {
			pcheck_err(c, "dns.resolvers",
			    "must hold 1 to %d resolvers (has %d)",
			    PROFILE_MAX_RESOLVERS, n);
		} else {
			for (int k = 0; k < d->nresolvers; k++)
				resolver_free(&d->resolvers[k]);
			d->nresolvers = 0;
			for (const cJSON *r = it->child; r; r = r->next, i++) {
				pcheck_path_idx(
				    ip, sizeof(ip), "dns.resolvers", i);
				if (parse_resolver(
				        c, r, ip, &d->resolvers[d->nresolvers]))
					d->nresolvers++;
			}
			check_resolvers(c, d);
		}
	}
	d->timeout = d->interval < 1 ? d->interval : 1;
}

void
profile_sections_routing(PCheck *c, const cJSON *obj, RoutingConfig *r)
{
	static const char *const keys[] = {"method", "manager", "failback",
	    "hold_down", "auto_failover", NULL};
	const cJSON *it;
	const char *str;
	int k;

	if (!pcheck_object(c, obj, "routing", keys))
		return;
	if ((it = pcheck_get(obj, "method")) != NULL &&
	    pcheck_str(c, it, "routing.method", 32, &str)) {
		k = pcheck_choice(
		    c, "routing.method", str, "routing method", method_names);
		if (k >= 0)
			r->method = (RouteMethod)k;
	}
	if ((it = pcheck_get(obj, "manager")) != NULL &&
	    pcheck_str(c, it, "routing.manager", 32, &str)) {
		k = pcheck_choice(c, "routing.manager", str,
		    "traffic manager mode", manager_names);
		if (k >= 0)
			r->manager = (RouteManager)k;
	}
	if ((it = pcheck_get(obj, "failback")) != NULL &&
	    pcheck_str(c, it, "routing.failback", 32, &str)) {
		k = pcheck_choice(c, "routing.failback", str, "failback mode",
		    failback_names);
		if (k >= 0)
			r->failback_auto = k == 1;
	}
	if ((it = pcheck_get(obj, "hold_down")) != NULL)
		pcheck_num(c, it, "routing.hold_down",
		    (PCheckNum){0, 86400 * 7, false, false}, &r->hold_down);
	if ((it = pcheck_get(obj, "auto_failover")) != NULL)
		pcheck_bool(c, it, "routing.auto_failover", &r->auto_failover);
}

char *
profile_sections_join_dir(const char *dir, const char *rel)
{
	while (rel[0] == '.' && rel[1] == '/')
		for (rel += 2; *rel == '/'; rel++)
			;
	if (strcmp(dir, "/") == 0)
		return xasprintf("/%s", rel);
	return xasprintf("%s/%s", dir, rel);
}

static void
step_free(ActionStep *s)
{
	free(s->name);
	for (int i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
}

void
profile_sections_action_free(Action *a)
{
	for (int i = 0; i < a->nsteps; i++)
		step_free(&a->steps[i]);
	free(a->steps);
	memset(a, 0, sizeof(*a));
}

/* Refuse "{word}" that is not one of the placeholders: a typo such as
 * {form} would reach the command as literal text, and a failover would
 * run with it. core/argsubst owns the placeholder syntax. */
static void
check_placeholders(PCheck *c, const char *path, const char *arg)
{
	char err[160];

	if (argsubst_check(arg, err, sizeof(err)) != 0)
		pcheck_err(c, path, "%s", err);
}

static bool
parse_step(PCheck *c, const cJSON *obj, const char *path, bool runbook,
    const char *dir, ActionStep *s)
{
	static const char *const single_keys[] = {"argv", "timeout", NULL};
	static const char *const step_keys[] = {
	    "name", "argv", "timeout", NULL};
	char kp[PCHECK_PATH_CAP], ip[PCHECK_PATH_CAP];
	const cJSON *it;
	const char *str;
	int before = c->nerr, n, i = 0;

	s->timeout = 60;
	if (!cJSON_IsObject(obj)) {
		pcheck_err(c, path,
		    runbook
		        ? "must be a step {\"name\": ..., \"argv\": [...]}, "
		          "not %s"
		        : "must be {\"argv\": [...], \"timeout\": 60} or a "
		          "runbook list of steps, not %s",
		    pcheck_type(obj));
		return false;
	}
	pcheck_keys(c, obj, path, runbook ? step_keys : single_keys);
	if (runbook) {
		pcheck_path_key(kp, sizeof(kp), path, "name");
		it = pcheck_get(obj, "name");
		if (it == NULL)
			pcheck_err(
			    c, kp, "missing (each runbook step has a name)");
		else if (pcheck_str(c, it, kp, EV_NAME_MAX - 1, &str))
			s->name = xstrdup(str);
	}
	if ((it = pcheck_get(obj, "timeout")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "timeout");
		pcheck_num(
		    c, it, kp, (PCheckNum){0, 86400, true, false}, &s->timeout);
	}
	pcheck_path_key(kp, sizeof(kp), path, "argv");
	it = pcheck_get(obj, "argv");
	if (it == NULL) {
		pcheck_err(c, kp,
		    "missing (the program and its arguments, e.g. "
		    "[\"./failover.sh\", \"{from}\", \"{to}\"])");
		return false;
	}
	if (!cJSON_IsArray(it)) {
		pcheck_err(c, kp, "must be an array of strings, not %s",
		    pcheck_type(it));
		return false;
	}
	n = cJSON_GetArraySize(it);
	if (n == 0) {
		pcheck_err(c, kp, "must not be empty (argv[0] is the program)");
		return false;
	}
	if (n > MAX_ARGV) {
		pcheck_err(c, kp, "has %d arguments (at most %d)", n, MAX_ARGV);
		return false;
	}
	s->argv = xcalloc((size_t)n + 1, sizeof(*s->argv));
	for (const cJSON *a = it->child; a != NULL; a = a->next, i++) {
		pcheck_path_idx(ip, sizeof(ip), kp, i);
		if (i > 0 && cJSON_IsString(a) && a->valuestring != NULL &&
		    a->valuestring[0] == '\0') {
			s->argv[s->argc++] = xstrdup("");
			continue;
		}
		if (!pcheck_str(c, a, ip, PCHECK_MAX_STR, &str))
			continue;
		if (i == 0 && strchr(str, '/') != NULL && str[0] != '/')
			s->argv[s->argc++] =
			    profile_sections_join_dir(dir, str);
		else
			s->argv[s->argc++] = xstrdup(str);
		check_placeholders(c, ip, str);
	}
	return c->nerr == before;
}

static void
parse_action(
    PCheck *c, const cJSON *v, const char *path, const char *dir, Action *a)
{
	char ip[PCHECK_PATH_CAP];
	int n, i = 0;

	if (cJSON_IsArray(v)) {
		n = cJSON_GetArraySize(v);
		if (n < 1 || n > MAX_STEPS) {
			pcheck_err(c, path,
			    "a runbook holds 1 to %d steps (has %d)", MAX_STEPS,
			    n);
			return;
		}
		a->steps = xcalloc((size_t)n, sizeof(*a->steps));
		a->nsteps = n;
		for (const cJSON *s = v->child; s != NULL; s = s->next, i++) {
			pcheck_path_idx(ip, sizeof(ip), path, i);
			parse_step(c, s, ip, true, dir, &a->steps[i]);
		}
		return;
	}
	a->steps = xcalloc(1, sizeof(*a->steps));
	a->nsteps = 1;
	parse_step(c, v, path, false, dir, &a->steps[0]);
}

void
profile_sections_actions(PCheck *c, const cJSON *obj, Profile *p)
{
	static const char *const keys[] = {"failover", "failback", NULL};
	const cJSON *it;

	if (!pcheck_object(c, obj, "actions", keys))
		return;
	if ((it = pcheck_get(obj, "failover")) != NULL)
		parse_action(c, it, "actions.failover", p->dir, &p->failover);
	if ((it = pcheck_get(obj, "failback")) != NULL)
		parse_action(c, it, "actions.failback", p->dir, &p->failback);
}

void
profile_sections_drill(PCheck *c, const cJSON *obj, Profile *p)
{
	static const char *const keys[] = {"rto_target", "dir", NULL};
	const cJSON *it;
	const char *str;

	if (!pcheck_object(c, obj, "drill", keys))
		return;
	if ((it = pcheck_get(obj, "rto_target")) != NULL)
		pcheck_num(c, it, "drill.rto_target",
		    (PCheckNum){0, 1e7, true, false}, &p->rto_target);
	if ((it = pcheck_get(obj, "dir")) != NULL &&
	    pcheck_str(c, it, "drill.dir", PCHECK_MAX_STR, &str)) {
		free(p->drill_dir);
		p->drill_dir = str[0] == '/'
		    ? xstrdup(str)
		    : profile_sections_join_dir(p->dir, str);
	}
}

const char *
route_method_name(RouteMethod m)
{
	return (size_t)m < ARRAY_LEN(method_names) - 1 ? method_names[m] : "?";
}
