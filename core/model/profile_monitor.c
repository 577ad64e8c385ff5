/*
 * profile_monitor: monitor objects, their defaults and inheritance,
 * status ranges, headers and identify. See profile_monitor.h.
 */
#include "model/profile_monitor.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/profile_secret.h"

/* Monitor defaults (Traffic Manager's). */
#define DEF_INTERVAL 30.0
#define DEF_TIMEOUT 10.0
#define DEF_TOLERATED 3
#define DEF_RISE 1

/* Indexed by Protocol. */
static const char *const protocol_names[] = {"http", "https", "tcp", NULL};

const char *const profile_monitor_keys[] = {"protocol", "path", "port",
    "interval", "timeout", "tolerated_failures", "rise", "expected_status",
    "headers", "body_contains", "identify", "reuse_connections", NULL};

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

/* RFC 9110 token characters. */
static bool
is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

void
profile_monitor_fini(Monitor *m)
{
	free(m->path);
	free(m->body_contains);
	free(m->identify_header);
	for (int i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		profile_secret_free(m->headers[i].value);
	}
	memset(m, 0, sizeof(*m));
}

void
profile_monitor_defaults(Monitor *m)
{
	memset(m, 0, sizeof(*m));
	m->interval = DEF_INTERVAL;
	m->timeout = DEF_TIMEOUT;
	m->tolerated_failures = DEF_TOLERATED;
	m->rise = DEF_RISE;
	m->expected[0] = (StatusRange){200, 200};
	m->nexpected = 1;
}

void
profile_monitor_merge(Monitor *dst, const MonitorSpec *s)
{
	const Monitor *m = &s->m;

	if (s->set & (1u << MF_PROTOCOL))
		dst->protocol = m->protocol;
	if (s->set & (1u << MF_PATH))
		set_str(&dst->path, m->path);
	if (s->set & (1u << MF_PORT))
		dst->port = m->port;
	if (s->set & (1u << MF_INTERVAL))
		dst->interval = m->interval;
	if (s->set & (1u << MF_TIMEOUT))
		dst->timeout = m->timeout;
	if (s->set & (1u << MF_TOLERATED))
		dst->tolerated_failures = m->tolerated_failures;
	if (s->set & (1u << MF_RISE))
		dst->rise = m->rise;
	if (s->set & (1u << MF_EXPECTED)) {
		memcpy(dst->expected, m->expected, sizeof(m->expected));
		dst->nexpected = m->nexpected;
	}
	if (s->set & (1u << MF_HEADERS)) {
		for (int i = 0; i < dst->nheaders; i++) {
			free(dst->headers[i].name);
			profile_secret_free(dst->headers[i].value);
		}
		dst->nheaders = m->nheaders;
		for (int i = 0; i < m->nheaders; i++) {
			dst->headers[i].name = xstrdup(m->headers[i].name);
			dst->headers[i].value = xstrdup(m->headers[i].value);
		}
	}
	if (s->set & (1u << MF_BODY))
		set_str(&dst->body_contains, m->body_contains);
	if (s->set & (1u << MF_IDENTIFY)) {
		dst->identify = m->identify;
		set_str(&dst->identify_header, m->identify_header);
	}
	if (s->set & (1u << MF_REUSE))
		dst->reuse_connections = m->reuse_connections;
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* "N" or "N-M", 100 <= N <= M <= 599. */
static void
parse_status(
    PCheck *c, const cJSON *it, const char *path, StatusRange *r, bool *ok)
{
	char q[PCHECK_QUOTE_CAP];
	const char *s, *dash;
	int lo, hi;

	*ok = false;
	if (cJSON_IsNumber(it)) {
		if (pcheck_int(c, it, path, 100, 599, &lo)) {
			*r = (StatusRange){lo, lo};
			*ok = true;
		}
		return;
	}
	if (!cJSON_IsString(it)) {
		pcheck_err(c, path,
		    "must be a string like \"200\" or \"200-299\", "
		    "not %s",
		    pcheck_type(it));
		return;
	}
	s = it->valuestring;
	pcheck_quote(q, sizeof(q), s);
	if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' &&
	    (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X')) {
		pcheck_err(c, path,
		    "%s is not a status range (use \"%c00-%c99\")", q, s[0],
		    s[0]);
		return;
	}
	dash = strchr(s, '-');
	if (dash == NULL ? !all_digits(s, strlen(s)) || strlen(s) > 3
	                 : !all_digits(s, (size_t)(dash - s)) ||
	            !all_digits(dash + 1, strlen(dash + 1)) || dash - s > 3 ||
	            strlen(dash + 1) > 3) {
		pcheck_err(c, path,
		    "%s is not a status range (use \"N\" or \"N-M\", e.g. "
		    "\"200-299\")",
		    q);
		return;
	}
	lo = atoi(s);
	hi = dash != NULL ? atoi(dash + 1) : lo;
	if (lo < 100 || hi > 599 || hi < 100 || lo > 599) {
		pcheck_err(c, path,
		    "%s is out of range (status codes are 100-599)", q);
		return;
	}
	if (lo > hi) {
		pcheck_err(
		    c, path, "%s is reversed (use \"%d-%d\")", q, hi, lo);
		return;
	}
	*r = (StatusRange){lo, hi};
	*ok = true;
}

/* Header values: visible characters, space and tab (never CR/LF). */
static bool
header_value_ok(const char *v)
{
	for (const unsigned char *u = (const unsigned char *)v; *u; u++)
		if ((*u < 0x20 && *u != '\t') || *u == 0x7F)
			return false;
	return true;
}

static void
parse_headers(PCheck *c, const cJSON *obj, const char *path, Monitor *m)
{
	char hp[PCHECK_PATH_CAP];
	int n = 0;

	if (!cJSON_IsObject(obj)) {
		pcheck_err(c, path,
		    "must be an object of \"Name\": \"value\", not %s",
		    pcheck_type(obj));
		return;
	}
	for (const cJSON *it = obj->child; it != NULL; it = it->next)
		n++;
	if (n > PROFILE_MAX_HEADERS) {
		pcheck_err(c, path, "has %d headers (at most %d)", n,
		    PROFILE_MAX_HEADERS);
		return;
	}
	for (const cJSON *it = obj->child; it != NULL; it = it->next) {
		const char *name = it->string != NULL ? it->string : "";
		char *val;
		bool dup = false;

		pcheck_path_key(hp, sizeof(hp), path, name);
		if (!is_token(name) || strlen(name) > 64) {
			pcheck_err(c, hp, "is not a valid header name");
			continue;
		}
		for (int i = 0; i < m->nheaders; i++)
			if (strcasecmp(m->headers[i].name, name) == 0)
				dup = true;
		if (dup) {
			pcheck_err(
			    c, hp, "duplicate header (names ignore case)");
			continue;
		}
		if (!cJSON_IsString(it) || it->valuestring == NULL) {
			pcheck_err(
			    c, hp, "must be a string, not %s", pcheck_type(it));
			continue;
		}
		if (strlen(it->valuestring) > PCHECK_MAX_STR) {
			pcheck_err(c, hp, "value is longer than %d bytes",
			    PCHECK_MAX_STR);
			continue;
		}
		val = profile_secret_subst(c, hp, it->valuestring);
		if (val == NULL)
			continue;
		if (!header_value_ok(val)) {
			pcheck_err(c, hp,
			    "value contains a control character (after "
			    "${env:} substitution)");
			profile_secret_free(val);
			continue;
		}
		m->headers[m->nheaders].name = xstrdup(name);
		m->headers[m->nheaders].value = val;
		m->nheaders++;
	}
}

static void
parse_identify(
    PCheck *c, const cJSON *obj, const char *path, Monitor *m, bool *ok)
{
	static const char *const keys[] = {"header", "body", NULL};
	const cJSON *h, *b;
	char kp[PCHECK_PATH_CAP];
	const char *name;
	bool body = false;

	*ok = false;
	if (!cJSON_IsObject(obj)) {
		pcheck_err(c, path,
		    "must be {\"header\": \"X-Region\"} or {\"body\": true}, "
		    "not %s",
		    pcheck_type(obj));
		return;
	}
	pcheck_keys(c, obj, path, keys);
	h = pcheck_get(obj, "header");
	b = pcheck_get(obj, "body");
	if (h != NULL && b != NULL) {
		pcheck_err(
		    c, path, "takes either \"header\" or \"body\", not both");
		return;
	}
	if (h == NULL && b == NULL) {
		pcheck_err(c, path,
		    "needs \"header\" (a response header naming the region) "
		    "or \"body\": true");
		return;
	}
	if (h != NULL) {
		pcheck_path_key(kp, sizeof(kp), path, "header");
		if (!pcheck_str(c, h, kp, 64, &name))
			return;
		if (!is_token(name)) {
			pcheck_err(c, kp, "is not a valid header name");
			return;
		}
		m->identify = IDENTIFY_HEADER;
		set_str(&m->identify_header, name);
	} else {
		pcheck_path_key(kp, sizeof(kp), path, "body");
		if (!pcheck_bool(c, b, kp, &body))
			return;
		m->identify = body ? IDENTIFY_BODY : IDENTIFY_NONE;
	}
	*ok = true;
}

static bool
url_path_ok(const char *s)
{
	if (s[0] != '/')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7F)
			return false;
	return true;
}

void
profile_monitor_parse(
    PCheck *c, const cJSON *obj, const char *path, MonitorSpec *s)
{
	if (!pcheck_object(c, obj, path, profile_monitor_keys))
		return;
	profile_monitor_parse_fields(c, obj, path, s);
}

void
profile_monitor_parse_fields(
    PCheck *c, const cJSON *obj, const char *path, MonitorSpec *s)
{
	char kp[PCHECK_PATH_CAP];
	const cJSON *it;
	const char *str;
	Monitor *m = &s->m;
	bool ok;
	int k;

	for (int f = 0; profile_monitor_keys[f] != NULL; f++) {
		it = pcheck_get(obj, profile_monitor_keys[f]);
		if (it == NULL)
			continue;
		pcheck_path_key(kp, sizeof(kp), path, profile_monitor_keys[f]);
		ok = false;
		switch (f) {
		case MF_PROTOCOL:
			if (!pcheck_str(c, it, kp, 16, &str))
				break;
			k = pcheck_choice(
			    c, kp, str, "protocol", protocol_names);
			if (k < 0)
				break;
			m->protocol = (Protocol)k;
			ok = true;
			break;
		case MF_PATH:
			if (!pcheck_str(c, it, kp, 1024, &str))
				break;
			if (!url_path_ok(str)) {
				pcheck_err(c, kp,
				    "must start with \"/\" and hold no spaces "
				    "or non-ASCII characters (percent-encode "
				    "them)");
				break;
			}
			set_str(&m->path, str);
			ok = true;
			break;
		case MF_PORT:
			ok = pcheck_int(c, it, kp, 1, 65535, &m->port);
			break;
		case MF_INTERVAL:
			ok = pcheck_num(c, it, kp,
			    (PCheckNum){0.1, 86400, false, false},
			    &m->interval);
			break;
		case MF_TIMEOUT:
			ok = pcheck_num(c, it, kp,
			    (PCheckNum){0, 86400, true, false}, &m->timeout);
			break;
		case MF_TOLERATED:
			ok =
			    pcheck_int(c, it, kp, 0, 9, &m->tolerated_failures);
			break;
		case MF_RISE:
			ok = pcheck_int(c, it, kp, 1, 9, &m->rise);
			break;
		case MF_EXPECTED: {
			int n = cJSON_GetArraySize(it), i = 0;
			char ip[PCHECK_PATH_CAP];

			if (!cJSON_IsArray(it)) {
				pcheck_err(c, kp,
				    "must be an array like [\"200-299\", "
				    "\"401\"], not %s",
				    pcheck_type(it));
				break;
			}
			if (n < 1 || n > PROFILE_MAX_STATUS) {
				pcheck_err(c, kp,
				    "must hold 1 to %d ranges (has %d)",
				    PROFILE_MAX_STATUS, n);
				break;
			}
			ok = true;
			for (const cJSON *e = it->child; e; e = e->next, i++) {
				bool one;

				pcheck_path_idx(ip, sizeof(ip), kp, i);
				parse_status(c, e, ip, &m->expected[i], &one);
				ok = ok && one;
			}
			m->nexpected = n;
			break;
		}
		case MF_HEADERS: {
			int before = c->nerr;

			parse_headers(c, it, kp, m);
			ok = c->nerr == before;
			break;
		}
		case MF_BODY:
			if (!pcheck_str(c, it, kp, 1024, &str))
				break;
			set_str(&m->body_contains, str);
			ok = true;
			break;
		case MF_IDENTIFY:
			parse_identify(c, it, kp, m, &ok);
			break;
		case MF_REUSE:
			ok = pcheck_bool(c, it, kp, &m->reuse_connections);
			break;
		}
		if (ok)
			s->set |= 1u << f;
	}
}

bool
profile_monitor_protocol(const char *name, Protocol *out)
{
	int k = pcheck_key_index(protocol_names, name);

	if (k < 0)
		return false;
	*out = (Protocol)k;
	return true;
}

const char *
protocol_name(Protocol p)
{
	return (size_t)p < ARRAY_LEN(protocol_names) - 1 ? protocol_names[p]
	                                                 : "?";
}
