#include "sim/simworld.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/util.h"

/*
 * DESIGN: threads: the regions' server thread (core/sim), one thread
 * per DNS server (the name server and each resolver, core/sim/simdns).
 * The name server's thread calls into the regions (sim_tm_choice); a
 * resolver's thread only talks to the name server over UDP, never
 * through memory, so each resolver's cache is its own. The regions'
 * server thread calls into the DNS servers (the /dns routes, through
 * their any-thread setters and getters). So the DNS stops first, while
 * the regions still run, and `lock` keeps a route handler from using a
 * DNS server while it is being stopped.
 */
struct SimWorld {
	Sim *sim;
	pthread_mutex_t lock; /* guards dns and res[] for the handler */
	SimDns *dns;
	char *dns_name;
	int nres;
	SimDns *res[SIMWORLD_MAX_RESOLVERS];
	/* Immutable after simworld_start. */
	char res_name[SIMWORLD_MAX_RESOLVERS][SIMWORLD_RESOLVER_NAME_MAX];
};

static int
choose_region(void *ctx, char *region, size_t cap)
{
	sim_tm_choice(ctx, region, cap);
	return region[0] != '\0' ? 0 : -1;
}

/* One DNS server's state into j (its name first unless NULL). */
static void
json_server(JsonW *j, SimDns *d, const char *name)
{
	char held[64];
	double left;

	if (name != NULL)
		jsonw_key_str(j, "name", name);
	jsonw_key_int(j, "port", simdns_port(d));
	jsonw_key_str(j, "role", simdns_role_name(simdns_role(d)));
	jsonw_key_str(j, "mode", simdns_mode_name(simdns_mode(d)));
	jsonw_key_int(j, "queries", (long long)simdns_queries(d));
	jsonw_key_int(j, "fetches", (long long)simdns_fetches(d));
	if (simdns_cache_state(d, held, sizeof(held), &left)) {
		jsonw_key_str(j, "cached", held);
		jsonw_key_num(j, "ttl_left", left, 1);
	}
}

/*
 * {"name":SERVICE,"server":"tm-ns","port":N,"role":"authoritative",
 *  "mode":"normal","ttl":30,"queries":N,"fetches":N,
 *  "resolvers":[{"name":"isp-a","port":N,"role":"caching",...,
 *  "cached":"eu20","ttl_left":7.2}]}. With w->lock held.
 */
static char *
dns_state_json(const SimWorld *w)
{
	size_t cap = 1024 + (size_t)w->nres * 512;
	char *buf = xmalloc(cap);
	JsonW j;

	jsonw_init(&j, buf, cap);
	jsonw_obj_open(&j);
	jsonw_key_str(&j, "name", w->dns_name);
	jsonw_key_str(&j, "server", SIMWORLD_NS_NAME);
	json_server(&j, w->dns, NULL);
	jsonw_key_int(&j, "ttl", simdns_ttl(w->dns));
	jsonw_key(&j, "resolvers");
	jsonw_arr_open(&j);
	for (int i = 0; i < w->nres; i++) {
		jsonw_obj_open(&j);
		json_server(&j, w->res[i], w->res_name[i]);
		jsonw_obj_close(&j);
	}
	jsonw_arr_close(&j);
	jsonw_obj_close(&j);
	if (jsonw_finish(&j) == 0)
		die("simworld: DNS state does not fit in %zu bytes", cap);
	return buf;
}

/* The value of a control request: its body, or "?set=VALUE". */
static void
request_value(const SimRequest *req, char *out, size_t cap)
{
	const char *v = req->body;

	if ((v == NULL || v[0] == '\0') && str_starts(req->query, "set="))
		v = req->query + 4;
	str_copy(out, cap, v != NULL ? v : "");
	/* Trim white space and decode %20 (the only escape a browser adds
	 * to these values). */
	for (char *p = out; *p; p++)
		if (p[0] == '%' && p[1] == '2' && p[2] == '0') {
			*p = ' ';
			memmove(p + 1, p + 3, strlen(p + 3) + 1);
		}
	size_t n = strlen(out);
	while (n > 0 &&
	    (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
		out[--n] = '\0';
}

static void dns_route_locked(
    SimWorld *w, const SimRequest *req, SimResponse *resp);

static void
dns_route(Sim *s, const SimRequest *req, SimResponse *resp, void *ctx)
{
	SimWorld *w = ctx;

	(void)s;
	pthread_mutex_lock(&w->lock);
	if (w->dns == NULL) {
		resp->status = 503;
		resp->body = xasprintf("{\"error\":\"DNS stopped\"}\n");
	} else {
		dns_route_locked(w, req, resp);
	}
	pthread_mutex_unlock(&w->lock);
}

static void
dns_route_locked(SimWorld *w, const SimRequest *req, SimResponse *resp)
{
	char value[64];

	request_value(req, value, sizeof(value));
	if (strcmp(req->path, "/dns") == 0 || strcmp(req->path, "/dns/") == 0) {
		resp->status = 200;
	} else if (strcmp(req->path, "/dns/mode") == 0 && value[0] != '\0') {
		int m = simdns_mode_from_name(value);
		if (m < 0) {
			resp->status = 400;
			resp->body = xasprintf(
			    "{\"error\":\"unknown DNS mode (normal, nxdomain, "
			    "servfail, refused, silent, garbage, truncated, "
			    "chain)\"}\n");
			return;
		}
		simdns_set_mode(w->dns, (SimDnsMode)m);
		resp->status = 200;
	} else if (strcmp(req->path, "/dns/ttl") == 0 && value[0] != '\0') {
		char *end;
		long ttl = strtol(value, &end, 10);
		if (*end != '\0' || ttl < 0 || ttl > 604800) {
			resp->status = 400;
			resp->body = xasprintf(
			    "{\"error\":\"ttl must be 0-604800 seconds\"}\n");
			return;
		}
		simdns_set_ttl(w->dns, (int)ttl);
		resp->status = 200;
	} else {
		resp->status = 404;
		resp->body =
		    xasprintf("{\"error\":\"unknown DNS route (GET "
		              "/dns, POST /dns/mode, POST /dns/ttl)\"}\n");
		return;
	}
	char *state = dns_state_json(w);
	resp->body = xasprintf("%s\n", state);
	free(state);
}

/* A resolver name as a profile shows it: 1-31 printable bytes (UTF-8
 * allowed), not the name server's. 0, or -1 with err set. */
static int
check_resolver(const SimWorldConfig *cfg, int i, char *err, size_t cap)
{
	const SimWorldResolver *r = &cfg->resolvers[i];
	size_t n = r->name != NULL ? strlen(r->name) : 0;

	if (n == 0 || n >= SIMWORLD_RESOLVER_NAME_MAX) {
		snprintf(err, cap,
		    "resolver %d: a name of 1-%d bytes is needed", i + 1,
		    SIMWORLD_RESOLVER_NAME_MAX - 1);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)r->name[k] < 0x20 || r->name[k] == 0x7f) {
			snprintf(err, cap,
			    "resolver %d: control characters in its name",
			    i + 1);
			return -1;
		}
	if (strcmp(r->name, SIMWORLD_NS_NAME) == 0)
		goto dup;
	for (int k = 0; k < i; k++)
		if (strcmp(cfg->resolvers[k].name, r->name) == 0)
			goto dup;
	if (r->role != SIMDNS_CACHING && r->role != SIMDNS_STALE) {
		snprintf(err, cap, "resolver %s: caching or stale", r->name);
		return -1;
	}
	if (r->port < 0 || r->port > 65535) {
		snprintf(err, cap, "resolver %s: port %d: must be 0-65535",
		    r->name, r->port);
		return -1;
	}
	return 0;
dup:
	snprintf(err, cap, "resolver name \"%s\" is used twice", r->name);
	return -1;
}

/* Start resolver i in front of the name server. 0, or -1 with err. */
static int
start_resolver(
    SimWorld *w, const SimWorldConfig *cfg, int i, char *err, size_t cap)
{
	const char *bind = cfg->sim.bind != NULL ? cfg->sim.bind : "127.0.0.1";
	bool v6 = strchr(bind, ':') != NULL;
	char up[80], rerr[256];
	SimDnsConfig dc;
	SimDns *d;

	snprintf(up, sizeof(up), "%s%s%s:%d", v6 ? "[" : "", bind,
	    v6 ? "]" : "", simdns_port(w->dns));
	memset(&dc, 0, sizeof(dc));
	dc.bind_addr = bind;
	dc.port = cfg->resolvers[i].port;
	dc.name = w->dns_name;
	dc.ttl = cfg->ttl;
	dc.role = cfg->resolvers[i].role;
	dc.upstream = up;
	dc.stale = cfg->stale;
	dc.stale_ttl = cfg->stale_ttl;
	d = simdns_start(&dc, rerr, sizeof(rerr));
	if (d == NULL) {
		snprintf(
		    err, cap, "resolver %s: %s", cfg->resolvers[i].name, rerr);
		return -1;
	}
	str_copy(
	    w->res_name[i], sizeof(w->res_name[i]), cfg->resolvers[i].name);
	pthread_mutex_lock(&w->lock);
	w->res[i] = d;
	w->nres = i + 1;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int
simworld_config_check(const SimWorldConfig *cfg, char *err, size_t cap)
{
	if (cfg->nresolvers < 0 || cfg->nresolvers > SIMWORLD_MAX_RESOLVERS ||
	    (cfg->nresolvers > 0 && cfg->dns_port < 0)) {
		snprintf(err, cap, "resolvers: 0-%d, and only with DNS",
		    SIMWORLD_MAX_RESOLVERS);
		return -1;
	}
	if (cfg->stale < 0 || cfg->stale_ttl < 0 || cfg->ttl < 0) {
		snprintf(err, cap, "TTL, stale window and TTL: >= 0 seconds");
		return -1;
	}
	if (cfg->dns_port < -1 || cfg->dns_port > 65535) {
		snprintf(
		    err, cap, "DNS port %d: must be 0-65535", cfg->dns_port);
		return -1;
	}
	for (int i = 0; i < cfg->nresolvers; i++)
		if (check_resolver(cfg, i, err, cap) != 0)
			return -1;
	return sim_config_check(&cfg->sim, err, cap);
}

SimWorld *
simworld_start(const SimWorldConfig *cfg, char *err, size_t cap)
{
	SimWorld *w = xcalloc(1, sizeof(*w));
	SimDnsConfig dc;

	pthread_mutex_init(&w->lock, NULL);
	w->dns_name =
	    xstrdup(cfg->dns_name != NULL ? cfg->dns_name : SIMWORLD_DNS_NAME);
	if (simworld_config_check(cfg, err, cap) != 0)
		goto fail;
	w->sim = sim_start(&cfg->sim, err, cap);
	if (w->sim == NULL)
		goto fail;
	if (cfg->dns_port < 0)
		return w;
	memset(&dc, 0, sizeof(dc));
	dc.bind_addr = cfg->sim.bind;
	dc.port = cfg->dns_port;
	dc.name = w->dns_name;
	dc.ttl = cfg->ttl;
	dc.choose = choose_region;
	dc.ctx = w->sim;
	dc.role = cfg->caching ? SIMDNS_CACHING : SIMDNS_AUTHORITATIVE;
	w->dns = simdns_start(&dc, err, cap);
	if (w->dns == NULL)
		goto fail;
	for (int i = 0; i < cfg->nresolvers; i++)
		if (start_resolver(w, cfg, i, err, cap) != 0)
			goto fail;
	if (sim_control_port(w->sim) >= 0 &&
	    sim_add_route(w->sim, NULL, "/dns", dns_route, w) != 0) {
		snprintf(err, cap, "cannot add the /dns control route");
		goto fail;
	}
	return w;
fail:
	simworld_stop(w);
	return NULL;
}

Sim *
simworld_sim(const SimWorld *w)
{
	return w->sim;
}

SimDns *
simworld_dns(const SimWorld *w)
{
	return w->dns; /* written only by simworld_start/stop (owner) */
}

const char *
simworld_dns_name(const SimWorld *w)
{
	return w->dns_name;
}

/* res[] and nres, like dns, are written only by the owner (start and
 * stop); the owner reads them without the lock. */
int
simworld_resolver_count(const SimWorld *w)
{
	return w->nres;
}

SimDns *
simworld_resolver(const SimWorld *w, int i)
{
	return i >= 0 && i < w->nres ? w->res[i] : NULL;
}

const char *
simworld_resolver_name(const SimWorld *w, int i)
{
	return i >= 0 && i < w->nres ? w->res_name[i] : NULL;
}

void
simworld_stop(SimWorld *w)
{
	SimDns *dns, *res[SIMWORLD_MAX_RESOLVERS];
	int nres;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	dns = w->dns;
	w->dns = NULL;
	nres = w->nres;
	memcpy(res, w->res, sizeof(res));
	w->nres = 0;
	pthread_mutex_unlock(&w->lock);
	for (int i = nres - 1; i >= 0; i--)
		simdns_stop(res[i]);
	simdns_stop(dns);
	sim_stop(w->sim);
	pthread_mutex_destroy(&w->lock);
	free(w->dns_name);
	free(w);
}
