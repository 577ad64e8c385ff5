/*
 * profile_set: the --set KEY=VALUE what-if edit. The profile is rendered
 * to JSON, the value put in place in the tree, and the result loaded as
 * any profile is, so an override is validated exactly like a file.
 */
#include "model/profile.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonlit.h"
#include "model/pcheck.h"
#include "model/profile_monitor.h"
#include "model/profile_secret.h"

static void
swap_str(char **a, char **b)
{
	char *t = *a;

	*a = *b;
	*b = t;
}

static cJSON *
find_endpoint_json(cJSON *arr, const char *name, size_t n)
{
	for (cJSON *e = arr ? arr->child : NULL; e != NULL; e = e->next) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");

		if (cJSON_IsString(nm) && strlen(nm->valuestring) == n &&
		    strncmp(nm->valuestring, name, n) == 0)
			return e;
	}
	return NULL;
}

static void
put(cJSON *obj, const char *key, const cJSON *val)
{
	cJSON *dup;

	if (obj == NULL)
		return;
	dup = cJSON_Duplicate(val, true);
	if (dup == NULL)
		die("cJSON_Duplicate: out of memory");
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, dup);
	else
		cJSON_AddItemToObject(obj, key, dup);
}

/* Suggest a known key for a typo. */
static void
set_unknown(char *err, size_t cap, const char *what, const char *field,
    const char *const *known)
{
	const char *hint = pcheck_closest(known, field);

	if (hint != NULL)
		snprintf(err, cap,
		    "--set %s: unknown key (did you mean \"%s\"?)", what, hint);
	else
		snprintf(err, cap, "--set %s: unknown key", what);
}

/* Apply key=val to the JSON form of the profile. Returns 0 or -1. */
static int
set_in_tree(
    cJSON *root, const char *key, const cJSON *val, char *err, size_t cap)
{
	static const char *const routing_keys[] = {"method", "manager",
	    "failback", "hold_down", "auto_failover", NULL};
	static const char *const dns_keys[] = {
	    "ttl", "interval", "resolvers", NULL};
	static const char *const drill_keys[] = {"rto_target", NULL};
	static const char *const ep_keys[] = {
	    "priority", "weight", "disabled", "insecure", NULL};
	static const struct {
		const char *name;
		const char *const *keys;
	} sections[] = {{"routing", routing_keys}, {"dns", dns_keys},
	    {"drill", drill_keys}};
	cJSON *eps = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	const char *f;

	if (str_starts(key, "monitor.")) {
		f = key + 8;
		if (pcheck_key_index(profile_monitor_keys, f) < 0) {
			set_unknown(err, cap, key, f, profile_monitor_keys);
			return -1;
		}
		for (cJSON *e = eps ? eps->child : NULL; e; e = e->next)
			put(cJSON_GetObjectItemCaseSensitive(e, "monitor"), f,
			    val);
		return 0;
	}
	if (str_starts(key, "endpoints.")) {
		const char *rest = key + 10;
		const char *dot = NULL;
		cJSON *e = NULL;

		/* Names may hold '.': take the longest name that matches. */
		for (const char *d = strchr(rest, '.'); d != NULL;
		     d = strchr(d + 1, '.')) {
			cJSON *cand =
			    find_endpoint_json(eps, rest, (size_t)(d - rest));

			if (cand != NULL)
				e = cand, dot = d;
		}
		if (e == NULL) {
			snprintf(err, cap, "--set %s: no such endpoint", key);
			return -1;
		}
		f = dot + 1;
		if (str_starts(f, "monitor.")) {
			if (pcheck_key_index(profile_monitor_keys, f + 8) < 0) {
				set_unknown(
				    err, cap, key, f + 8, profile_monitor_keys);
				return -1;
			}
			put(cJSON_GetObjectItemCaseSensitive(e, "monitor"),
			    f + 8, val);
			return 0;
		}
		if (pcheck_key_index(ep_keys, f) < 0) {
			set_unknown(err, cap, key, f, ep_keys);
			return -1;
		}
		put(e, f, val);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(sections); i++) {
		size_t n = strlen(sections[i].name);

		if (strncmp(key, sections[i].name, n) != 0 || key[n] != '.')
			continue;
		f = key + n + 1;
		if (pcheck_key_index(sections[i].keys, f) < 0) {
			set_unknown(err, cap, key, f, sections[i].keys);
			return -1;
		}
		put(cJSON_GetObjectItemCaseSensitive(root, sections[i].name), f,
		    val);
		return 0;
	}
	snprintf(err, cap,
	    "--set %s: unknown key (use monitor.FIELD, "
	    "endpoints.NAME.monitor.FIELD, routing.FIELD, dns.ttl or "
	    "drill.rto_target)",
	    key);
	return -1;
}

int
profile_set(Profile *p, const char *assignment, char *err, size_t errcap)
{
	const char *eq = strchr(assignment, '=');
	char *key = NULL, *json = NULL, *text = NULL, *label = NULL;
	cJSON *root = NULL, *val = NULL;
	Profile *np = NULL, old;
	ErrList errs;
	int rc = -1;

	errlist_init(&errs);
	if (eq == NULL || eq == assignment) {
		snprintf(
		    err, errcap, "--set %s: expected KEY=VALUE", assignment);
		return -1;
	}
	{
		size_t at;

		/* cJSON would cut a string at \u0000 without a word */
		if (jsonlit_first_nul(eq + 1, strlen(eq + 1), &at) !=
		    JSONLIT_NUL_NONE) {
			snprintf(err, errcap,
			    "--set %.200s: the value holds a NUL character "
			    "(\\u0000), which no profile string may hold",
			    assignment);
			return -1;
		}
	}
	key = xstrndup(assignment, (size_t)(eq - assignment));
	val = cJSON_ParseWithOpts(eq + 1, NULL, 1);
	if (val == NULL &&
	    (strstr(key, "expected_status") != NULL ||
	        strstr(key, "resolvers") != NULL)) {
		/* A comma list: 200-299,401 */
		const char *s = eq + 1;

		val = cJSON_CreateArray();
		while (val != NULL) {
			size_t n = strcspn(s, ",");
			char *one = xstrndup(s, n);

			cJSON_AddItemToArray(val, cJSON_CreateString(one));
			free(one);
			if (s[n] == '\0')
				break;
			s += n + 1;
		}
	}
	if (val == NULL)
		val = cJSON_CreateString(eq + 1);
	json = profile_to_json(p, false);
	root = cJSON_Parse(json);
	if (val == NULL || root == NULL)
		die("profile_set: cJSON out of memory");
	if (set_in_tree(root, key, val, err, errcap) != 0)
		goto out;
	text = cJSON_PrintUnformatted(root);
	if (text == NULL)
		die("profile_set: cJSON out of memory");
	label = xasprintf("--set %.200s", assignment);
	np = profile_parse_flags(
	    text, strlen(text), label, p->dir, PROFILE_NO_ENV, &errs, NULL);
	if (np == NULL) {
		snprintf(err, errcap, "%s%s",
		    errs.count > 0 ? errs.msgs[0] : "invalid",
		    errs.count > 1 ? " (and more)" : "");
		goto out;
	}
	/* Keep the original name and directory; take everything else. */
	swap_str(&np->file, &p->file);
	swap_str(&np->dir, &p->dir);
	old = *p;
	*p = *np;
	*np = old;
	profile_free(np);
	rc = 0;
out:
	profile_secret_free(json);
	if (text != NULL) {
		profile_secret_wipe(text, strlen(text));
		cJSON_free(text);
	}
	free(label);
	free(key);
	cJSON_Delete(val);
	cJSON_Delete(root);
	errlist_fini(&errs);
	return rc;
}
