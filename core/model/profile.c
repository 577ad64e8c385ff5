/*
 * profile: JSON -> Profile. One pass over the cJSON tree per section;
 * every check reports into a PCheck that names the file and the JSON
 * path and carries on, so the operator sees every error at once.
 *
 * The profile module is this file and its parts, each one idea:
 *   profile.c           loading a file, the top level, freeing, queries
 *   pcheck.c            the validation framework (errors, paths, getters)
 *   profile_addr.c      host, port and resolver syntax
 *   profile_secret.c    ${env:NAME} secrets: substitution, redaction
 *   profile_monitor.c   monitor objects, defaults and inheritance
 *   profile_endpoint.c  endpoints, target URLs, checks across the list
 *   profile_sections.c  dns, routing, actions, drill
 *   profile_json.c      profile_to_json()
 *   profile_set.c       profile_set(), the --set what-if edit
 * cJSON lives only in these files.
 */
#include "model/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/pcheck.h"
#include "model/profile_endpoint.h"
#include "model/profile_monitor.h"
#include "model/profile_sections.h"

#define MAX_FILE_SIZE (16u << 20)

static const char *const top_keys[] = {"service", "dns", "routing", "monitor",
    "endpoints", "public", "actions", "drill", NULL};

static void
parse_root(PCheck *c, const cJSON *root, Profile *p)
{
	const cJSON *it;
	const char *str;
	MonitorSpec top;

	memset(&top, 0, sizeof(top));
	if (!cJSON_IsObject(root)) {
		pcheck_err(c, NULL, "the profile must be a JSON object, not %s",
		    pcheck_type(root));
		return;
	}
	pcheck_keys(c, root, "", top_keys);
	it = pcheck_get(root, "service");
	if (it == NULL)
		pcheck_err(
		    c, "service", "missing (required: the service's name)");
	else if (pcheck_str(c, it, "service", 63, &str))
		p->service = xstrdup(str);
	if ((it = pcheck_get(root, "dns")) != NULL)
		profile_sections_dns(c, it, &p->dns);
	if ((it = pcheck_get(root, "routing")) != NULL)
		profile_sections_routing(c, it, &p->routing);
	if ((it = pcheck_get(root, "monitor")) != NULL)
		profile_monitor_parse(c, it, "monitor", &top);
	it = pcheck_get(root, "endpoints");
	if (it == NULL)
		pcheck_err(c, "endpoints", "missing (required: at least one)");
	else
		profile_endpoint_parse_list(c, it, &top, p);
	if ((it = pcheck_get(root, "public")) != NULL)
		profile_endpoint_parse_public(c, it, &top, p);
	if ((it = pcheck_get(root, "actions")) != NULL)
		profile_sections_actions(c, it, p);
	if ((it = pcheck_get(root, "drill")) != NULL)
		profile_sections_drill(c, it, p);
	profile_monitor_fini(&top.m);
}

static char *
abs_dir(const char *basedir)
{
	char *r;
	char cwd[PATH_MAX];

	if (basedir != NULL && (r = realpath(basedir, NULL)) != NULL)
		return r;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(basedir != NULL ? basedir : ".");
	if (basedir == NULL || basedir[0] == '\0')
		return xstrdup(cwd);
	if (basedir[0] == '/')
		return xstrdup(basedir);
	return profile_sections_join_dir(cwd, basedir);
}

void
profile_free(Profile *p)
{
	if (p == NULL)
		return;
	free(p->file);
	free(p->dir);
	free(p->service);
	profile_sections_dns_free(&p->dns);
	if (p->public_ep != NULL)
		profile_endpoint_fini(p->public_ep);
	free(p->public_ep);
	free(p->public_resolver);
	for (int i = 0; i < p->nendpoints; i++)
		profile_endpoint_fini(&p->endpoints[i]);
	free(p->endpoints);
	profile_sections_action_free(&p->failover);
	profile_sections_action_free(&p->failback);
	free(p->drill_dir);
	free(p);
}

/* A profile holding only the defaults of the top-level sections. */
static Profile *
new_profile(const char *fname, const char *basedir)
{
	Profile *p = xcalloc(1, sizeof(*p));

	p->file = xstrdup(fname);
	p->dir = abs_dir(basedir);
	p->dns.ttl = 60;
	profile_sections_dns_default(&p->dns);
	p->dns.interval = 5;
	p->dns.timeout = 1;
	p->routing.method = ROUTE_PRIORITY;
	p->routing.hold_down = 60;
	p->rto_target = -1;
	p->drill_dir = profile_sections_join_dir(p->dir, "drills");
	return p;
}

Profile *
profile_parse_flags(const char *json, size_t len, const char *fname,
    const char *basedir, int flags, ErrList *errs, ErrList *warns)
{
	PCheck c;
	cJSON *root;
	Profile *p;

	pcheck_init(&c, fname, errs, warns, flags);
	root = pcheck_parse(&c, json, len);
	if (root == NULL)
		return NULL;
	p = new_profile(fname, basedir);
	parse_root(&c, root, p);
	cJSON_Delete(root);
	if (pcheck_finish(&c) > 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

Profile *
profile_parse(const char *json, size_t len, const char *fname,
    const char *basedir, ErrList *errs)
{
	return profile_parse_flags(json, len, fname, basedir, 0, errs, NULL);
}

/* The whole file at path (malloc'd, *lenp bytes, not NUL-terminated),
 * or NULL after adding "PATH: reason" to errs. */
static char *
read_file(const char *path, size_t *lenp, ErrList *errs)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errlist_add(errs, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errlist_add(errs, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_FILE_SIZE) {
			errlist_add(errs,
			    "%s: larger than %u MiB; not a profile", path,
			    MAX_FILE_SIZE >> 20);
			goto fail;
		}
	}
	close(fd);
	*lenp = len;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* The directory of path, malloc'd: "." for a bare name. */
static char *
dir_of(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

Profile *
profile_load_flags(const char *path, int flags, ErrList *errs, ErrList *warns)
{
	char *buf, *dir;
	size_t len = 0;
	Profile *p;

	buf = read_file(path, &len, errs);
	if (buf == NULL)
		return NULL;
	dir = dir_of(path);
	p = profile_parse_flags(buf, len, path, dir, flags, errs, warns);
	free(dir);
	free(buf);
	return p;
}

Profile *
profile_load(const char *path, ErrList *errs)
{
	return profile_load_flags(path, 0, errs, NULL);
}

/* ---- queries ---- */

int
profile_find(const Profile *p, const char *name)
{
	for (int i = 0; i < p->nendpoints; i++)
		if (strcmp(p->endpoints[i].name, name) == 0)
			return i;
	return -1;
}

int
profile_find_resolver(const Profile *p, const char *s)
{
	for (int i = 0; i < p->dns.nresolvers; i++)
		if (strcmp(p->dns.resolvers[i].addr, s) == 0 ||
		    strcmp(p->dns.resolvers[i].name, s) == 0)
			return i;
	return -1;
}

const char *
profile_resolver_name(const Profile *p, const char *addr)
{
	for (int i = 0; i < p->dns.nresolvers; i++)
		if (strcmp(p->dns.resolvers[i].addr, addr) == 0)
			return p->dns.resolvers[i].name;
	return addr;
}

bool
profile_status_expected(const Monitor *m, int status)
{
	for (int i = 0; i < m->nexpected; i++)
		if (status >= m->expected[i].lo && status <= m->expected[i].hi)
			return true;
	return false;
}

double
profile_detection_bound(const Endpoint *e)
{
	return e->monitor.interval * (e->monitor.tolerated_failures + 1) +
	    e->monitor.timeout;
}

double
profile_worst_failover(const Profile *p, const Endpoint *e)
{
	return profile_detection_bound(e) + p->dns.ttl;
}
