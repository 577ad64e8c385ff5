#include "sim/simworld.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/*
 * DESIGN: the DNS thread calls into the regions (sim_tm_choice) and the
 * regions' server thread calls into the DNS (the /dns routes). So the
 * DNS stops first, while the regions still run, and `lock` keeps a
 * route handler from using the DNS while it is being stopped.
 */
struct SimWorld {
	Sim *sim;
	pthread_mutex_t lock; /* guards dns for the route handler */
	SimDns *dns;
	char *dns_name;
};

static int
choose_region(void *ctx, char *region, size_t cap)
{
	sim_tm_choice(ctx, region, cap);
	return region[0] != '\0' ? 0 : -1;
}

static char *
dns_state_json(const SimWorld *w)
{
	SimDns *d = w->dns;

	return xasprintf("{\"name\":\"%s\",\"port\":%d,\"mode\":\"%s\","
	                 "\"queries\":%llu}",
	    w->dns_name, simdns_port(d), simdns_mode_name(simdns_mode(d)),
	    (unsigned long long)simdns_queries(d));
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

SimWorld *
simworld_start(const SimWorldConfig *cfg, char *err, size_t cap)
{
	SimWorld *w = xcalloc(1, sizeof(*w));
	SimDnsConfig dc;

	pthread_mutex_init(&w->lock, NULL);
	w->dns_name =
	    xstrdup(cfg->dns_name != NULL ? cfg->dns_name : SIMWORLD_DNS_NAME);
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

void
simworld_stop(SimWorld *w)
{
	SimDns *dns;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	dns = w->dns;
	w->dns = NULL;
	pthread_mutex_unlock(&w->lock);
	simdns_stop(dns);
	sim_stop(w->sim);
	pthread_mutex_destroy(&w->lock);
	free(w->dns_name);
	free(w);
}
