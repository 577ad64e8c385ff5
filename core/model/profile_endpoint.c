/*
 * profile_endpoint: the endpoints list, each endpoint's effective
 * monitor and probe URL, and the checks across the list. See
 * profile_endpoint.h.
 */
#include "model/profile_endpoint.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/profile_addr.h"

#define MAX_URL 2048

static const char *const endpoint_keys[] = {"name", "region", "lat", "lon",
    "target", "priority", "weight", "dns_answers", "connect_to", "insecure",
    "disabled", "monitor", NULL};

static bool
name_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		        *s == '-'))
			return false;
	return true;
}

static const char *
curl_err(CURLUcode rc)
{
#if LIBCURL_VERSION_NUM >= 0x075000
	return curl_url_strerror(rc);
#else
	(void)rc;
	return "rejected";
#endif
}

static int
default_port(Protocol p)
{
	return p == PROTO_HTTPS ? 443 : p == PROTO_HTTP ? 80 : 0;
}

/* Whether target starts with "SCHEME:" followed by a slash, or with a
 * scheme drtop knows ("http:x" is a mistyped scheme, not a host). */
static bool
has_scheme(const char *target)
{
	size_t n = 0;
	Protocol p;
	char word[8];

	if (!((target[0] >= 'a' && target[0] <= 'z') ||
	        (target[0] >= 'A' && target[0] <= 'Z')))
		return false;
	while (target[n] != '\0' &&
	    (isalnum((unsigned char)target[n]) || target[n] == '+' ||
	        target[n] == '-' || target[n] == '.'))
		n++;
	if (target[n] != ':')
		return false;
	if (target[n + 1] == '/')
		return true;
	if (n >= sizeof(word))
		return false;
	for (size_t i = 0; i < n; i++)
		word[i] = (char)tolower((unsigned char)target[i]);
	word[n] = '\0';
	return profile_monitor_protocol(word, &p);
}

/* target without the slashes a scheme-less "//host/x" starts with. */
static const char *
strip_slashes(const char *target)
{
	while (*target == '/')
		target++;
	return target;
}

/* Parse e->target with libcurl and derive host, port, path, url from it
 * and the effective monitor. set: the MF_* bits set at any level. */
static void
resolve_target(PCheck *c, const char *tpath, Endpoint *e, unsigned set)
{
	CURLU *u = curl_url();
	CURLUcode rc;
	char *scheme = NULL, *host = NULL, *port = NULL, *upath = NULL;
	char *query = NULL, *user = NULL, *pass = NULL;
	char q[PCHECK_QUOTE_CAP];
	Protocol url_proto;
	int url_port = 0;
	Monitor *m = &e->monitor;

	if (u == NULL)
		die("curl_url: out of memory");
	rc =
	    curl_url_set(u, CURLUPART_URL, e->target, CURLU_NON_SUPPORT_SCHEME);
	if (rc == CURLUE_OK) {
		curl_url_get(u, CURLUPART_USER, &user, 0);
		curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
		if (user != NULL || pass != NULL) {
			/* Never echo it: the target holds a secret. */
			pcheck_err(c, tpath,
			    "must not hold credentials (put them in "
			    "monitor.headers)");
			goto out;
		}
	}
	pcheck_quote(q, sizeof(q), e->target);
	if (rc != CURLUE_OK && !has_scheme(e->target)) {
		/* curl's words ("Unsupported number of slashes following
		 * scheme", "Bad scheme") would not say what is missing. */
		char sug[MAX_URL + 16], qs[PCHECK_QUOTE_CAP];

		/* no echo of what may be user:password@ */
		snprintf(sug, sizeof(sug), "http://%s",
		    strchr(e->target, '@') == NULL ? strip_slashes(e->target)
		                                   : "host:port/path");
		pcheck_err(c, tpath,
		    "%s has no scheme: add http:// or https:// (or tcp:// "
		    "for a TCP connect check), e.g. %s",
		    strchr(e->target, '@') == NULL ? q : "the URL",
		    pcheck_quote(qs, sizeof(qs), sug));
		goto out;
	}
	if (rc != CURLUE_OK) {
		pcheck_err(c, tpath, "%s is not a valid URL (curl: %s)", q,
		    curl_err(rc));
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &upath, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (scheme == NULL || host == NULL || host[0] == '\0') {
		pcheck_err(c, tpath, "%s has no host", q);
		goto out;
	}
	if (!profile_monitor_protocol(scheme, &url_proto)) {
		char qs[PCHECK_QUOTE_CAP];

		pcheck_err(c, tpath,
		    "%s: scheme %s is not supported (use http://, https:// "
		    "or tcp://)",
		    q, pcheck_quote(qs, sizeof(qs), scheme));
		goto out;
	}
	if (port != NULL && !profile_addr_port(port, &url_port)) {
		pcheck_err(c, tpath, "%s: port must be from 1 to 65535", q);
		goto out;
	}
	if (!(set & (1u << MF_PROTOCOL)))
		m->protocol = url_proto;
	if (!(set & (1u << MF_PORT))) {
		m->port = url_port != 0 ? url_port : default_port(m->protocol);
		if (m->port == 0) {
			pcheck_err(c, tpath,
			    "%s: tcp needs a port (tcp://host:PORT or "
			    "monitor.port)",
			    q);
			goto out;
		}
	}
	if (!(set & (1u << MF_PATH)))
		m->path = query != NULL
		    ? xasprintf("%s?%s", upath ? upath : "/", query)
		    : xstrdup(upath != NULL ? upath : "/");
	e->host = xstrdup(host);
	if (m->protocol == PROTO_TCP)
		e->url = xasprintf("tcp://%s:%d", host, m->port);
	else
		e->url = xasprintf("%s://%s:%d%s", protocol_name(m->protocol),
		    host, m->port, m->path);
	/* The URL the prober will use must be one curl takes as well. */
	rc = curl_url_set(u, CURLUPART_URL, e->url, CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK)
		pcheck_err(c, tpath, "the probe URL %s is not valid (curl: %s)",
		    pcheck_quote(q, sizeof(q), e->url), curl_err(rc));
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(upath);
	curl_free(query);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
}

static void
parse_endpoint(PCheck *c, const cJSON *obj, const char *path, int idx,
    Endpoint *e, MonitorSpec *own, bool *prio_set)
{
	char kp[PCHECK_PATH_CAP];
	const cJSON *it;
	const char *str;
	bool has_lat = false, has_lon = false;

	e->priority = idx + 1;
	e->weight = 1;
	e->region = xstrdup("");
	if (!pcheck_object(c, obj, path, endpoint_keys))
		return;

	pcheck_path_key(kp, sizeof(kp), path, "name");
	it = pcheck_get(obj, "name");
	if (it == NULL) {
		pcheck_err(c, kp, "missing (required)");
	} else if (pcheck_str(c, it, kp, PCHECK_MAX_STR, &str)) {
		char q[PCHECK_QUOTE_CAP];

		if (strlen(str) >= EV_NAME_MAX)
			pcheck_err(c, kp, "%s is longer than %d characters",
			    pcheck_quote(q, sizeof(q), str), EV_NAME_MAX - 1);
		else if (!name_ok(str))
			pcheck_err(c, kp,
			    "%s may hold only letters, digits, '.', '_' and "
			    "'-'",
			    pcheck_quote(q, sizeof(q), str));
		else if (strcmp(str, EV_PUBLIC) == 0)
			pcheck_err(c, kp,
			    "\"%s\" is the name of the client's-eye probe "
			    "(the profile's \"public\"); choose another",
			    EV_PUBLIC);
		else
			str_copy(e->name, sizeof(e->name), str);
	}
	if ((it = pcheck_get(obj, "region")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "region");
		if (pcheck_str(c, it, kp, 128, &str)) {
			free(e->region);
			e->region = xstrdup(str);
		}
	}
	if ((it = pcheck_get(obj, "lat")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "lat");
		has_lat = pcheck_num(
		    c, it, kp, (PCheckNum){-90, 90, false, false}, &e->lat);
	}
	if ((it = pcheck_get(obj, "lon")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "lon");
		has_lon = pcheck_num(
		    c, it, kp, (PCheckNum){-180, 180, false, false}, &e->lon);
	}
	if (pcheck_get(obj, "lat") != NULL && pcheck_get(obj, "lon") == NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "lon");
		pcheck_err(c, kp, "missing (lat and lon go together)");
	} else if (pcheck_get(obj, "lon") != NULL &&
	    pcheck_get(obj, "lat") == NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "lat");
		pcheck_err(c, kp, "missing (lat and lon go together)");
	}
	e->has_pos = has_lat && has_lon;
	pcheck_path_key(kp, sizeof(kp), path, "target");
	it = pcheck_get(obj, "target");
	if (it == NULL)
		pcheck_err(c, kp,
		    "missing (required: http://, https:// or tcp:// "
		    "URL)");
	else if (pcheck_str(c, it, kp, MAX_URL, &str))
		e->target = xstrdup(str);
	if ((it = pcheck_get(obj, "priority")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "priority");
		*prio_set = pcheck_int(c, it, kp, 1, 1000000, &e->priority);
	}
	if ((it = pcheck_get(obj, "weight")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "weight");
		pcheck_num(
		    c, it, kp, (PCheckNum){0, 1e6, true, false}, &e->weight);
	}
	if ((it = pcheck_get(obj, "dns_answers")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "dns_answers");
		if (!cJSON_IsArray(it)) {
			pcheck_err(c, kp, "must be an array of names, not %s",
			    pcheck_type(it));
		} else if (cJSON_GetArraySize(it) > PROFILE_MAX_DNS_ANSWERS) {
			pcheck_err(c, kp, "holds %d names (at most %d)",
			    cJSON_GetArraySize(it), PROFILE_MAX_DNS_ANSWERS);
		} else {
			int i = 0;
			char ip[PCHECK_PATH_CAP];

			for (const cJSON *a = it->child; a; a = a->next, i++) {
				pcheck_path_idx(ip, sizeof(ip), kp, i);
				if (!pcheck_str(c, a, ip, 253, &str))
					continue;
				if (!profile_addr_hostish(str, true)) {
					char q[PCHECK_QUOTE_CAP];

					pcheck_err(c, ip,
					    "%s is not a DNS name or address",
					    pcheck_quote(q, sizeof(q), str));
					continue;
				}
				e->dns_answers[e->ndns_answers++] =
				    xstrdup(str);
			}
		}
	}
	if ((it = pcheck_get(obj, "connect_to")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "connect_to");
		if (pcheck_str(c, it, kp, 300, &str)) {
			if (profile_addr_host_port(str))
				e->connect_to = xstrdup(str);
			else
				pcheck_err(c, kp,
				    "must be \"host:port\" (port 1-65535)");
		}
	}
	if ((it = pcheck_get(obj, "insecure")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "insecure");
		pcheck_bool(c, it, kp, &e->insecure);
	}
	if ((it = pcheck_get(obj, "disabled")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "disabled");
		pcheck_bool(c, it, kp, &e->disabled);
	}
	if ((it = pcheck_get(obj, "monitor")) != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "monitor");
		profile_monitor_parse(c, it, kp, own);
	}
}

/* Report timeout > interval at the level that set them. */
static void
check_timeout(PCheck *c, const Monitor *m, unsigned set, const char *mpath)
{
	char kp[PCHECK_PATH_CAP];

	if (m->timeout <= m->interval)
		return;
	if (set & (1u << MF_TIMEOUT)) {
		pcheck_path_key(kp, sizeof(kp), mpath, "timeout");
		pcheck_err(c, kp,
		    "%.10g s is longer than the interval (%.10g s%s)",
		    m->timeout, m->interval,
		    (set & (1u << MF_INTERVAL)) ? ""
		                                : ", inherited or default");
	} else {
		pcheck_path_key(kp, sizeof(kp), mpath, "interval");
		pcheck_err(c, kp,
		    "%.10g s is shorter than the timeout (%.10g s, inherited "
		    "or default); set a timeout <= interval",
		    m->interval, m->timeout);
	}
}

typedef struct {
	const Profile *p;
	int idx;
} SortRef;

static int
cmp_name(const void *a, const void *b)
{
	const SortRef *x = a, *y = b;
	int r =
	    strcmp(x->p->endpoints[x->idx].name, y->p->endpoints[y->idx].name);

	return r != 0 ? r : x->idx - y->idx;
}

static int
cmp_prio(const void *a, const void *b)
{
	const SortRef *x = a, *y = b;
	int px = x->p->endpoints[x->idx].priority;
	int py = y->p->endpoints[y->idx].priority;

	if (px != py)
		return px < py ? -1 : 1;
	return x->idx - y->idx;
}

/* Duplicate names always; duplicate priorities under priority routing. */
static void
check_unique(PCheck *c, const Profile *p, const bool *prio_set)
{
	SortRef *r = xcalloc((size_t)p->nendpoints, sizeof(*r));
	char kp[PCHECK_PATH_CAP];

	for (int i = 0; i < p->nendpoints; i++)
		r[i] = (SortRef){p, i};
	qsort(r, (size_t)p->nendpoints, sizeof(*r), cmp_name);
	/* Sorted by (name, index): a run's first entry is the original. */
	for (int i = 1, first = 0; i < p->nendpoints; i++) {
		const Endpoint *a = &p->endpoints[r[first].idx];
		const Endpoint *b = &p->endpoints[r[i].idx];

		if (b->name[0] == '\0' || strcmp(a->name, b->name) != 0) {
			first = i;
			continue;
		}
		snprintf(kp, sizeof(kp), "endpoints[%d].name", r[i].idx);
		pcheck_err(c, kp, "\"%s\" is already the name of endpoints[%d]",
		    b->name, r[first].idx);
	}
	if (p->routing.method == ROUTE_PRIORITY) {
		qsort(r, (size_t)p->nendpoints, sizeof(*r), cmp_prio);
		for (int i = 1, first = 0; i < p->nendpoints; i++) {
			const Endpoint *a = &p->endpoints[r[first].idx];
			const Endpoint *b = &p->endpoints[r[i].idx];

			if (a->priority != b->priority) {
				first = i;
				continue;
			}
			snprintf(
			    kp, sizeof(kp), "endpoints[%d].priority", r[i].idx);
			pcheck_err(c, kp,
			    "%d%s is also the priority of endpoints[%d] "
			    "(\"%s\"); priorities must be unique under "
			    "priority routing",
			    b->priority,
			    prio_set[r[i].idx] ? ""
			                       : " (default: position in the "
			                         "list)",
			    r[first].idx, a->name);
		}
	}
	free(r);
}

/* A tcp probe only connects: HTTP settings would be silently ignored. */
static void
warn_tcp(PCheck *c, const char *ep, const Monitor *m, unsigned set)
{
	static const int http_only[] = {
	    MF_EXPECTED, MF_HEADERS, MF_BODY, MF_IDENTIFY};

	if (m->protocol != PROTO_TCP)
		return;
	for (size_t i = 0; i < ARRAY_LEN(http_only); i++)
		if (set & (1u << http_only[i]))
			pcheck_warn(c, ep,
			    "monitor.%s is ignored: a tcp probe only opens a "
			    "connection",
			    profile_monitor_keys[http_only[i]]);
}

void
profile_endpoint_parse_list(
    PCheck *c, const cJSON *arr, const MonitorSpec *top, Profile *p)
{
	char ep[PCHECK_PATH_CAP], mp[PCHECK_PATH_CAP];
	int n = cJSON_GetArraySize(arr), i = 0;
	bool *prio_set, top_checked = false;
	int enabled = 0;

	if (!cJSON_IsArray(arr)) {
		pcheck_err(c, "endpoints",
		    "must be an array of endpoints, not %s", pcheck_type(arr));
		return;
	}
	if (n == 0) {
		pcheck_err(c, "endpoints", "must hold at least one endpoint");
		return;
	}
	if (n > PROFILE_MAX_ENDPOINTS) {
		pcheck_err(c, "endpoints", "holds %d endpoints (at most %d)", n,
		    PROFILE_MAX_ENDPOINTS);
		return;
	}
	p->endpoints = xcalloc((size_t)n, sizeof(*p->endpoints));
	p->nendpoints = n;
	prio_set = xcalloc((size_t)n, sizeof(*prio_set));
	for (const cJSON *it = arr->child; it != NULL; it = it->next, i++) {
		Endpoint *e = &p->endpoints[i];
		MonitorSpec own;
		unsigned set;

		memset(&own, 0, sizeof(own));
		pcheck_path_idx(ep, sizeof(ep), "endpoints", i);
		parse_endpoint(c, it, ep, i, e, &own, &prio_set[i]);
		profile_monitor_defaults(&e->monitor);
		profile_monitor_merge(&e->monitor, top);
		profile_monitor_merge(&e->monitor, &own);
		set = top->set | own.set;
		if (own.set & ((1u << MF_INTERVAL) | (1u << MF_TIMEOUT))) {
			pcheck_path_key(mp, sizeof(mp), ep, "monitor");
			check_timeout(c, &e->monitor, own.set, mp);
		} else if (!top_checked) {
			check_timeout(c, &e->monitor, top->set, "monitor");
			top_checked = true;
		}
		if (e->target != NULL) {
			pcheck_path_key(mp, sizeof(mp), ep, "target");
			resolve_target(c, mp, e, set);
		}
		if (e->monitor.path == NULL)
			e->monitor.path = xstrdup("/");
		/* Inherited HTTP settings only matter when the top level
		 * itself says tcp; mixed profiles inherit them harmlessly. */
		if (e->monitor.protocol == PROTO_TCP)
			warn_tcp(c, ep, &e->monitor,
			    own.set |
			        ((top->set & (1u << MF_PROTOCOL)) &&
			                    top->m.protocol == PROTO_TCP
			                ? top->set
			                : 0));
		if (!e->disabled)
			enabled++;
		profile_monitor_fini(&own.m);
	}
	if (enabled == 0)
		pcheck_warn(c, "endpoints",
		    "every endpoint is disabled: nothing is probed or routed "
		    "to");
	check_unique(c, p, prio_set);
	free(prio_set);
}

/* The host part of a URL ("" when it has none); malloc'd. */
static char *
url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *out;

	if (u == NULL)
		die("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &host, 0);
	out = xstrdup(host != NULL ? host : "");
	curl_free(host);
	curl_url_cleanup(u);
	return out;
}

void
profile_endpoint_parse_public(
    PCheck *c, const cJSON *obj, const MonitorSpec *top, Profile *p)
{
	static const char *keys[MF__COUNT + 3];
	char kp[PCHECK_PATH_CAP], q[PCHECK_QUOTE_CAP];
	const cJSON *it;
	const char *str;
	MonitorSpec own;
	Endpoint *e;
	int n = 0;

	for (int f = 0; profile_monitor_keys[f] != NULL; f++)
		keys[n++] = profile_monitor_keys[f];
	keys[n++] = "url";
	keys[n++] = "resolver";
	keys[n] = NULL;
	if (!pcheck_object(c, obj, "public", keys))
		return;
	memset(&own, 0, sizeof(own));
	profile_monitor_parse_fields(c, obj, "public", &own);
	e = xcalloc(1, sizeof(*e));
	str_copy(e->name, sizeof(e->name), EV_PUBLIC);
	e->region = xstrdup("the public name, as a client resolves it");
	e->priority = 0;
	profile_monitor_defaults(&e->monitor);
	profile_monitor_merge(&e->monitor, top);
	profile_monitor_merge(&e->monitor, &own);
	/* A client's-eye probe runs often ("interval": 5): an inherited
	 * timeout longer than its own interval shrinks to it. */
	if (!(own.set & (1u << MF_TIMEOUT)) &&
	    e->monitor.timeout > e->monitor.interval)
		e->monitor.timeout = e->monitor.interval;
	if (own.set & ((1u << MF_INTERVAL) | (1u << MF_TIMEOUT)))
		check_timeout(c, &e->monitor, own.set, "public");
	if ((it = pcheck_get(obj, "url")) == NULL)
		pcheck_err(c, "public.url",
		    "missing (required: the URL clients use, e.g. "
		    "https://cpi.example.com/health)");
	else if (pcheck_str(c, it, "public.url", MAX_URL, &str))
		e->target = xstrdup(str);
	if (e->target != NULL)
		resolve_target(c, "public.url", e, top->set | own.set);
	if (e->monitor.path == NULL)
		e->monitor.path = xstrdup("/");
	p->public_resolver = xstrdup("system");
	if ((it = pcheck_get(obj, "resolver")) != NULL &&
	    pcheck_str(c, it, "public.resolver", EV_RESOLVER_MAX - 1, &str) &&
	    strcmp(str, "system") != 0) {
		int r = profile_find_resolver(p, str);
		char *host = e->target != NULL ? url_host(e->target) : NULL;

		pcheck_path_key(kp, sizeof(kp), "public", "resolver");
		if (r < 0 || p->dns.name == NULL) {
			pcheck_err(c, kp,
			    "%s is not \"system\" or one of dns.resolvers "
			    "(by address or name)",
			    pcheck_quote(q, sizeof(q), str));
		} else if (host != NULL && strcasecmp(host, p->dns.name) != 0) {
			pcheck_err(c, kp,
			    "a resolver other than \"system\" needs "
			    "public.url's host to be dns.name (\"%s\"): its "
			    "answers come from the DNS observer",
			    p->dns.name);
		} else {
			free(p->public_resolver);
			p->public_resolver = xstrdup(p->dns.resolvers[r].addr);
		}
		free(host);
	}
	profile_monitor_fini(&own.m);
	p->public_ep = e;
}

void
profile_endpoint_fini(Endpoint *e)
{
	free(e->region);
	free(e->target);
	free(e->host);
	free(e->url);
	for (int k = 0; k < e->ndns_answers; k++)
		free(e->dns_answers[k]);
	free(e->connect_to);
	profile_monitor_fini(&e->monitor);
}
