/*
 * simprofile: see simprofile.h.
 */
#include "sim/simprofile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/util.h"

/* Where the demo's regions are on the map. */
static const struct {
	const char *name, *region;
	double lat, lon;
} known[] = {
    {"eu20", "Europe (Frankfurt)", 50.1, 8.7},
    {"us21", "US East (Virginia)", 38.9, -77.0},
    {"ap10", "Asia Pacific (Sydney)", -33.9, 151.2},
};

/* "http://127.0.0.1:PORT" (or "[::1]") of the control interface. */
static void
control_url(const Sim *sim, char *out, size_t cap)
{
	const char *b = sim_bind_addr(sim);
	bool v6 = strchr(b, ':') != NULL;

	snprintf(out, cap, "http://%s%s%s:%d/tm/force", v6 ? "[" : "", b,
	    v6 ? "]" : "", sim_control_port(sim));
}

/* The address of DNS server d as a profile writes it. */
static void
dns_addr(const Sim *sim, SimDns *d, char *out, size_t cap)
{
	const char *b = sim_bind_addr(sim);
	bool v6 = strchr(b, ':') != NULL;

	snprintf(out, cap, "%s%s%s:%d", v6 ? "[" : "", b, v6 ? "]" : "",
	    simdns_port(d));
}

static void
write_dns(JsonW *j, const SimWorld *w)
{
	Sim *sim = simworld_sim(w);
	SimDns *ns = simworld_dns(w);
	char addr[80];

	jsonw_key(j, "dns");
	jsonw_obj_open(j);
	jsonw_key_str(j, "name", simworld_dns_name(w));
	jsonw_key_int(j, "ttl", simdns_ttl(ns));
	jsonw_key(j, "resolvers");
	jsonw_arr_open(j);
	dns_addr(sim, ns, addr, sizeof(addr));
	jsonw_obj_open(j);
	jsonw_key_str(j, "addr", addr);
	jsonw_key_str(j, "name", SIMWORLD_NS_NAME);
	jsonw_key_bool(
	    j, "authoritative", simdns_role(ns) == SIMDNS_AUTHORITATIVE);
	jsonw_obj_close(j);
	for (int i = 0; i < simworld_resolver_count(w); i++) {
		dns_addr(sim, simworld_resolver(w, i), addr, sizeof(addr));
		jsonw_obj_open(j);
		jsonw_key_str(j, "addr", addr);
		jsonw_key_str(j, "name", simworld_resolver_name(w, i));
		jsonw_obj_close(j);
	}
	jsonw_arr_close(j);
	jsonw_key_num(j, "interval", 1, 0);
	jsonw_obj_close(j);
}

static void
write_endpoints(JsonW *j, Sim *sim)
{
	char answer[SIM_NAME_MAX + 32];

	jsonw_key(j, "endpoints");
	jsonw_arr_open(j);
	for (int i = 0; i < sim_region_count(sim); i++) {
		const char *name = sim_region_name(sim, i);

		jsonw_obj_open(j);
		jsonw_key_str(j, "name", name);
		for (size_t k = 0; k < ARRAY_LEN(known); k++)
			if (strcmp(known[k].name, name) == 0) {
				jsonw_key_str(j, "region", known[k].region);
				jsonw_key_num(j, "lat", known[k].lat, 1);
				jsonw_key_num(j, "lon", known[k].lon, 1);
			}
		jsonw_key_str(j, "target", sim_region_url(sim, i));
		jsonw_key_int(j, "priority", i + 1);
		snprintf(answer, sizeof(answer), "%s.%s", name, SIMDNS_ZONE);
		jsonw_key(j, "dns_answers");
		jsonw_arr_open(j);
		jsonw_str(j, answer);
		jsonw_arr_close(j);
		jsonw_obj_close(j);
	}
	jsonw_arr_close(j);
}

/* curl, quiet but for errors, failing on an HTTP error status, bounded
 * in time, posting body to url. */
static void
write_action(JsonW *j, const char *key, const char *body, const char *url)
{
	static const char *const curl[] = {"curl", "-q", "-fsS", "--noproxy",
	    "*", "--max-time", "5", "-X", "POST", "--data-binary"};

	jsonw_key(j, key);
	jsonw_obj_open(j);
	jsonw_key(j, "argv");
	jsonw_arr_open(j);
	for (size_t i = 0; i < ARRAY_LEN(curl); i++)
		jsonw_str(j, curl[i]);
	jsonw_str(j, body);
	jsonw_str(j, url);
	jsonw_arr_close(j);
	jsonw_key_int(j, "timeout", 10);
	jsonw_obj_close(j);
}

static void
write_public(JsonW *j, const SimWorld *w, const SimProfileOptions *o)
{
	Sim *sim = simworld_sim(w);
	const char *via = o->public_via;
	char url[512];

	if (via == NULL)
		via = simworld_resolver_count(w) > 0
		    ? simworld_resolver_name(w, 0)
		    : SIMWORLD_NS_NAME;
	snprintf(url, sizeof(url), "http://%s:%d/health", simworld_dns_name(w),
	    sim_public_port(sim));
	jsonw_key(j, "public");
	jsonw_obj_open(j);
	jsonw_key_str(j, "url", url);
	jsonw_key_str(j, "resolver", via);
	jsonw_key_num(j, "interval", 1, 0);
	jsonw_obj_close(j);
}

char *
simprofile_json(const SimWorld *w, const SimProfileOptions *opts)
{
	SimProfileOptions o = {0};
	Sim *sim = simworld_sim(w);
	bool manual = sim_tm_manager(sim) == SIM_TM_MANUAL;
	size_t cap = 8192 + (size_t)sim_region_count(sim) * 512;
	char *buf = xmalloc(cap), url[128];
	JsonW j;

	if (opts != NULL)
		o = *opts;
	jsonw_init(&j, buf, cap);
	jsonw_obj_open(&j);
	jsonw_key_str(&j, "service", o.service != NULL ? o.service : "demo");
	if (simworld_dns(w) != NULL)
		write_dns(&j, w);
	jsonw_key(&j, "routing");
	jsonw_obj_open(&j);
	jsonw_key_str(&j, "method", "priority");
	jsonw_key_str(&j, "manager", manual ? "manual" : "automatic");
	jsonw_key_str(&j, "failback", "manual");
	jsonw_key_int(&j, "hold_down", 10);
	jsonw_obj_close(&j);
	if (simworld_dns(w) != NULL && sim_public_port(sim) >= 0)
		write_public(&j, w, &o);
	jsonw_key(&j, "monitor");
	jsonw_obj_open(&j);
	jsonw_key_str(&j, "protocol", "http");
	jsonw_key_str(&j, "path", "/health");
	jsonw_key_num(&j, "interval", 1, 0);
	jsonw_key_num(&j, "timeout", 0.5, 1);
	jsonw_key_int(&j, "tolerated_failures", 1);
	jsonw_key(&j, "expected_status");
	jsonw_arr_open(&j);
	jsonw_str(&j, "200");
	jsonw_arr_close(&j);
	jsonw_key(&j, "identify");
	jsonw_obj_open(&j);
	jsonw_key_str(&j, "header", "X-Region");
	jsonw_obj_close(&j);
	jsonw_obj_close(&j);
	write_endpoints(&j, sim);
	if (sim_control_port(sim) >= 0) {
		control_url(sim, url, sizeof(url));
		jsonw_key(&j, "actions");
		jsonw_obj_open(&j);
		write_action(&j, "failover", "{to}", url);
		write_action(&j, "failback", manual ? "{to}" : "auto", url);
		jsonw_obj_close(&j);
	}
	jsonw_key(&j, "drill");
	jsonw_obj_open(&j);
	jsonw_key_int(&j, "rto_target", o.rto_target > 0 ? o.rto_target : 120);
	jsonw_key_str(&j, "dir", "drills");
	jsonw_obj_close(&j);
	jsonw_obj_close(&j);
	jsonw_raw(&j, "\n", 1);
	if (jsonw_finish(&j) == 0)
		die("simprofile: the profile does not fit in %zu bytes", cap);
	return buf;
}
