/*
 * profile_json: profile_to_json(), the profile as one line of JSON with
 * every effective value written out, header values redacted on request.
 */
#include "model/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "model/profile_secret.h"

static void
write_status(JsonW *w, const StatusRange *r)
{
	char s[16];

	if (r->lo == r->hi)
		snprintf(s, sizeof(s), "%d", r->lo);
	else
		snprintf(s, sizeof(s), "%d-%d", r->lo, r->hi);
	jsonw_str(w, s);
}

/* A monitor object's fields, left open for the caller to add to. */
static void
write_monitor_open(JsonW *w, const Monitor *m, bool redact)
{
	jsonw_obj_open(w);
	jsonw_key_str(w, "protocol", protocol_name(m->protocol));
	jsonw_key_str(w, "path", m->path);
	jsonw_key_int(w, "port", m->port);
	jsonw_key_exact(w, "interval", m->interval);
	jsonw_key_exact(w, "timeout", m->timeout);
	jsonw_key_int(w, "tolerated_failures", m->tolerated_failures);
	jsonw_key_int(w, "rise", m->rise);
	jsonw_key(w, "expected_status");
	jsonw_arr_open(w);
	for (int i = 0; i < m->nexpected; i++)
		write_status(w, &m->expected[i]);
	jsonw_arr_close(w);
	if (m->nheaders > 0) {
		jsonw_key(w, "headers");
		jsonw_obj_open(w);
		for (int i = 0; i < m->nheaders; i++)
			jsonw_key_str(w, m->headers[i].name,
			    profile_secret_show(m->headers[i].value, redact));
		jsonw_obj_close(w);
	}
	if (m->body_contains != NULL)
		jsonw_key_str(w, "body_contains", m->body_contains);
	if (m->identify != IDENTIFY_NONE) {
		jsonw_key(w, "identify");
		jsonw_obj_open(w);
		if (m->identify == IDENTIFY_HEADER)
			jsonw_key_str(w, "header", m->identify_header);
		else
			jsonw_key_bool(w, "body", true);
		jsonw_obj_close(w);
	}
	jsonw_key_bool(w, "reuse_connections", m->reuse_connections);
}

static void
write_monitor(JsonW *w, const Monitor *m, bool redact)
{
	write_monitor_open(w, m, redact);
	jsonw_obj_close(w);
}

static void
write_step(JsonW *w, const ActionStep *s)
{
	jsonw_obj_open(w);
	if (s->name != NULL)
		jsonw_key_str(w, "name", s->name);
	jsonw_key(w, "argv");
	jsonw_arr_open(w);
	for (int i = 0; i < s->argc; i++)
		jsonw_str(w, s->argv[i]);
	jsonw_arr_close(w);
	jsonw_key_exact(w, "timeout", s->timeout);
	jsonw_obj_close(w);
}

static void
write_action(JsonW *w, const char *key, const Action *a)
{
	if (a->nsteps == 0)
		return;
	jsonw_key(w, key);
	if (a->nsteps == 1 && a->steps[0].name == NULL) {
		write_step(w, &a->steps[0]);
		return;
	}
	jsonw_arr_open(w);
	for (int i = 0; i < a->nsteps; i++)
		write_step(w, &a->steps[i]);
	jsonw_arr_close(w);
}

/* "public": its url and resolver, then its effective monitor fields
 * (the object is itself a monitor object). */
static void
write_public(JsonW *w, const Profile *p, bool redact)
{
	const Endpoint *e = p->public_ep;

	write_monitor_open(w, &e->monitor, redact);
	jsonw_key_str(w, "url", e->target);
	jsonw_key_str(w, "resolver", p->public_resolver);
	jsonw_obj_close(w);
}

static void
write_profile(JsonW *w, const Profile *p, bool redact)
{
	jsonw_obj_open(w);
	jsonw_key_str(w, "service", p->service);
	jsonw_key(w, "dns");
	jsonw_obj_open(w);
	if (p->dns.name != NULL)
		jsonw_key_str(w, "name", p->dns.name);
	jsonw_key_int(w, "ttl", p->dns.ttl);
	jsonw_key(w, "resolvers");
	jsonw_arr_open(w);
	for (int i = 0; i < p->dns.nresolvers; i++) {
		const Resolver *r = &p->dns.resolvers[i];

		if (strcmp(r->name, r->addr) == 0 && !r->authoritative) {
			jsonw_str(w, r->addr);
			continue;
		}
		jsonw_obj_open(w);
		jsonw_key_str(w, "addr", r->addr);
		jsonw_key_str(w, "name", r->name);
		jsonw_key_bool(w, "authoritative", r->authoritative);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	jsonw_key_exact(w, "interval", p->dns.interval);
	jsonw_obj_close(w);
	jsonw_key(w, "routing");
	jsonw_obj_open(w);
	jsonw_key_str(w, "method", route_method_name(p->routing.method));
	jsonw_key_str(w, "manager", route_manager_name(p->routing.manager));
	jsonw_key_str(
	    w, "failback", p->routing.failback_auto ? "auto" : "manual");
	jsonw_key_exact(w, "hold_down", p->routing.hold_down);
	jsonw_key_bool(w, "auto_failover", p->routing.auto_failover);
	jsonw_obj_close(w);
	jsonw_key(w, "endpoints");
	jsonw_arr_open(w);
	for (int i = 0; i < p->nendpoints; i++) {
		const Endpoint *e = &p->endpoints[i];

		jsonw_obj_open(w);
		jsonw_key_str(w, "name", e->name);
		if (e->region[0] != '\0')
			jsonw_key_str(w, "region", e->region);
		if (e->has_pos) {
			jsonw_key_exact(w, "lat", e->lat);
			jsonw_key_exact(w, "lon", e->lon);
		}
		jsonw_key_str(w, "target", e->target);
		jsonw_key_int(w, "priority", e->priority);
		jsonw_key_exact(w, "weight", e->weight);
		if (e->ndns_answers > 0) {
			jsonw_key(w, "dns_answers");
			jsonw_arr_open(w);
			for (int k = 0; k < e->ndns_answers; k++)
				jsonw_str(w, e->dns_answers[k]);
			jsonw_arr_close(w);
		}
		if (e->connect_to != NULL)
			jsonw_key_str(w, "connect_to", e->connect_to);
		jsonw_key_bool(w, "insecure", e->insecure);
		jsonw_key_bool(w, "disabled", e->disabled);
		jsonw_key(w, "monitor");
		write_monitor(w, &e->monitor, redact);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	if (p->public_ep != NULL) {
		jsonw_key(w, "public");
		write_public(w, p, redact);
	}
	if (p->failover.nsteps > 0 || p->failback.nsteps > 0) {
		jsonw_key(w, "actions");
		jsonw_obj_open(w);
		write_action(w, "failover", &p->failover);
		write_action(w, "failback", &p->failback);
		jsonw_obj_close(w);
	}
	jsonw_key(w, "drill");
	jsonw_obj_open(w);
	if (p->rto_target >= 0)
		jsonw_key_exact(w, "rto_target", p->rto_target);
	jsonw_key_str(w, "dir", p->drill_dir);
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

char *
profile_to_json(const Profile *p, bool redact)
{
	size_t cap = 4096 + (size_t)p->nendpoints * 1024;

	for (;;) {
		char *buf = xmalloc(cap);
		JsonW w;

		jsonw_init(&w, buf, cap);
		write_profile(&w, p, redact);
		if (jsonw_finish(&w) > 0)
			return buf;
		if (!redact)
			profile_secret_wipe(buf, cap);
		free(buf);
		cap *= 2;
	}
}
