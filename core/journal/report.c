/*
 * report: a Report's life (report_new, report_free), what the session
 * header's profile puts into it (service, rto_target, the endpoint and
 * resolver lists, each endpoint's bound), and the name index. Taking
 * events in is report_feed.c; report_finish is report_derive.c, with
 * the per-endpoint statistics of report_stats.c; the what-if re-run is
 * report_whatif.c. Their shared insides are report_int.h.
 */
#include "journal/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "journal/logread.h"
#include "journal/report_int.h"
#include "model/profile.h"

_Static_assert(REPORT_MAX_ENDPOINTS == LOGREAD_MAX_ENDPOINTS &&
        REPORT_MAX_RESOLVERS == LOGREAD_MAX_RESOLVERS,
    "the report holds every name the reader lets through");

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
hash_rebuild(Report *r)
{
	struct ReportTrack *k = r->track;

	free(k->hash);
	k->hcap = 64;
	while (k->hcap < (size_t)r->nendpoints * 2 + 2)
		k->hcap *= 2;
	k->hash = xcalloc(k->hcap, sizeof(int));
	for (int i = 0; i < r->nendpoints; i++) {
		size_t j = hash_name(r->endpoints[i].name) & (k->hcap - 1);
		while (k->hash[j] != 0)
			j = (j + 1) & (k->hcap - 1);
		k->hash[j] = i + 1;
	}
}

int
report_endpoint_index(const Report *r, const char *name)
{
	const struct ReportTrack *k = r->track;

	if (k == NULL || k->hash == NULL) {
		for (int i = 0; i < r->nendpoints; i++)
			if (strcmp(r->endpoints[i].name, name) == 0)
				return i;
		return -1;
	}
	for (size_t j = hash_name(name) & (k->hcap - 1); k->hash[j] != 0;
	     j = (j + 1) & (k->hcap - 1))
		if (strcmp(r->endpoints[k->hash[j] - 1].name, name) == 0)
			return k->hash[j] - 1;
	return -1;
}

/* The index of an endpoint, added when new -- unless the profile fixed
 * the list or it is full: -1 then, and for "". */
int
rpt_endpoint_get(Report *r, const char *name)
{
	struct ReportTrack *k = r->track;
	int i;

	if (name[0] == '\0')
		return -1;
	i = report_endpoint_index(r, name);
	if (i >= 0 || k->fixed || r->nendpoints >= REPORT_MAX_ENDPOINTS)
		return i;
	if (r->nendpoints == k->ecap) {
		k->ecap = k->ecap ? k->ecap * 2 : 8;
		r->endpoints = xrealloc(
		    r->endpoints, (size_t)k->ecap, sizeof(*r->endpoints));
	}
	i = r->nendpoints++;
	memset(&r->endpoints[i], 0, sizeof(r->endpoints[i]));
	str_copy(r->endpoints[i].name, EV_NAME_MAX, name);
	r->endpoints[i].bound_s = NAN;
	if ((size_t)r->nendpoints * 2 + 2 > k->hcap)
		hash_rebuild(r);
	else {
		size_t j = hash_name(name) & (k->hcap - 1);
		while (k->hash[j] != 0)
			j = (j + 1) & (k->hcap - 1);
		k->hash[j] = i + 1;
	}
	return i;
}

int
report_resolver_index(const Report *r, const char *name)
{
	for (int i = 0; i < r->nresolvers; i++)
		if (strcmp(r->resolvers[i].name, name) == 0)
			return i;
	return -1;
}

int
rpt_resolver_get(Report *r, const char *name)
{
	struct ReportTrack *k = r->track;
	int i = report_resolver_index(r, name);

	if (i >= 0 || name[0] == '\0' || r->nresolvers >= REPORT_MAX_RESOLVERS)
		return i;
	if (r->nresolvers == k->rcap) {
		k->rcap = k->rcap ? k->rcap * 2 : 4;
		r->resolvers = xrealloc(
		    r->resolvers, (size_t)k->rcap, sizeof(*r->resolvers));
	}
	i = r->nresolvers++;
	memset(&r->resolvers[i], 0, sizeof(r->resolvers[i]));
	str_copy(r->resolvers[i].name, EV_RESOLVER_MAX, name);
	r->resolvers[i].converged_t = NAN;
	r->resolvers[i].converged_s = NAN;
	return i;
}

static const char *
basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A resolver of the header's profile: "addr" or {"addr", "name", ...}. */
static void
read_resolver(Report *r, const cJSON *e)
{
	const cJSON *a, *n;
	int i;

	if (cJSON_IsString(e)) {
		rpt_resolver_get(r, e->valuestring);
		return;
	}
	a = cJSON_GetObjectItemCaseSensitive(e, "addr");
	n = cJSON_GetObjectItemCaseSensitive(e, "name");
	if (!cJSON_IsString(a) || (i = rpt_resolver_get(r, a->valuestring)) < 0)
		return;
	if (cJSON_IsString(n) && strcmp(n->valuestring, a->valuestring) != 0)
		str_copy(r->resolvers[i].label, EV_NAME_MAX, n->valuestring);
}

/* Each endpoint's worst case as `check` prints it, from the profile
 * loaded as the loader reads it (NAN when it does not load). */
static void
read_bounds(Report *r, const char *json)
{
	ErrList errs;
	Profile *p;

	errlist_init(&errs);
	p = profile_parse_flags(
	    json, strlen(json), "header", "/", PROFILE_NO_ENV, &errs, NULL);
	errlist_fini(&errs);
	if (p == NULL)
		return;
	for (int i = 0; i < p->nendpoints; i++) {
		int k = report_endpoint_index(r, p->endpoints[i].name);

		if (k >= 0)
			r->endpoints[k].bound_s =
			    profile_worst_failover(p, &p->endpoints[i]);
	}
	profile_free(p);
}

/* service, rto_target, endpoint and resolver lists from the profile. */
static void
read_profile(Report *r, const char *json)
{
	const cJSON *v, *e, *drill, *dns;
	cJSON *root;

	if (json == NULL)
		return;
	root = cJSON_ParseWithLengthOpts(json, strlen(json), NULL, false);
	if (!cJSON_IsObject(root))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(root, "service");
	if (cJSON_IsString(v))
		str_copy(r->service, sizeof(r->service), v->valuestring);
	drill = cJSON_GetObjectItemCaseSensitive(root, "drill");
	v = cJSON_GetObjectItemCaseSensitive(drill, "rto_target");
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	    v->valuedouble >= 0)
		r->rto_target = v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	cJSON_ArrayForEach (e, v) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (cJSON_IsString(n))
			rpt_endpoint_get(r, n->valuestring);
	}
	r->track->fixed = cJSON_IsArray(v);
	dns = cJSON_GetObjectItemCaseSensitive(root, "dns");
	v = cJSON_GetObjectItemCaseSensitive(dns, "name");
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		v = cJSON_GetObjectItemCaseSensitive(dns, "resolvers");
		cJSON_ArrayForEach (e, v)
			read_resolver(r, e);
	}
	read_bounds(r, json);
out:
	cJSON_Delete(root);
}

Report *
report_new(const SessionHeader *hdr, const char *log_path)
{
	Report *r = xcalloc(1, sizeof(*r));
	struct ReportTrack *k = xcalloc(1, sizeof(*k));

	r->track = k;
	k->cur_route = k->fault_route = -1;
	k->f0_ep = k->any_fail_ep = -1;
	k->f0_t = k->any_fail_t = NAN;
	hash_rebuild(r);
	r->rto_target = NAN;
	for (int i = 0; i < DRILL__COUNT; i++)
		r->phase[i] = NAN;
	r->t_first = r->t_last = NAN;
	r->fault_mark_late = NAN;
	r->bound_s = NAN;
	r->bound_exceeded = -1;
	r->public_ep.bound_s = NAN;
	if (log_path != NULL) {
		str_copy(r->drill, sizeof(r->drill), basename_of(log_path));
		str_copy(r->log_path, sizeof(r->log_path), log_path);
	}
	if (hdr != NULL) {
		str_copy(r->started, sizeof(r->started), hdr->started);
		str_copy(r->mode, sizeof(r->mode), hdr->mode);
		read_profile(r, hdr->profile_json);
	}
	return r;
}

void
report_free(Report *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nendpoints; i++)
		free(r->endpoints[i].probes);
	free(r->endpoints);
	free(r->public_ep.probes);
	free(r->public_served);
	free(r->resolvers);
	free(r->routes);
	free(r->healths);
	free(r->convs);
	free(r->actions);
	free(r->markers);
	free(r->errors);
	free(r->gaps);
	if (r->track != NULL) {
		free(r->track->hash);
		free(r->track->open);
		free(r->track->start_unhealthy);
		free(r->track);
	}
	free(r);
}
