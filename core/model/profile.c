/*
 * profile: JSON -> Profile. One pass over the cJSON tree per section;
 * every check reports into a Ctx that names the file and the JSON path
 * and carries on, so the operator sees every error at once. cJSON lives
 * only in this file.
 */
#include "model/profile.h"

#include "base/utf8.h"
#include "model/argsubst.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/jsonw.h"

#define MAX_ERRORS 200
#define MAX_FILE_SIZE (16u << 20)
#define PATH_CAP 320
#define MAX_URL 2048
#define MAX_ARGV 64
#define MAX_STEPS 32
#define MAX_STR 4096
#define NEST_LIMIT 1000 /* cJSON's CJSON_NESTING_LIMIT */

/* Monitor defaults (Traffic Manager's). */
#define DEF_INTERVAL 30.0
#define DEF_TIMEOUT 10.0
#define DEF_TOLERATED 3
#define DEF_RISE 1

typedef struct {
	const char *fname;
	ErrList *errs;
	ErrList *warns;
	int flags;
	int nerr; /* errors found, also those beyond MAX_ERRORS */
} Ctx;

static void perr(Ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(Ctx *c, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (++c->nerr > MAX_ERRORS)
		return;
	if (path != NULL && path[0] != '\0')
		errlist_add(c->errs, "%s: %s: %s", c->fname, path, msg);
	else
		errlist_add(c->errs, "%s: %s", c->fname, msg);
}

static void pwarn(Ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pwarn(Ctx *c, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (c->warns == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(c->warns, "%s: %s: warning: %s", c->fname, path, msg);
}

/* ---- text helpers ---- */

/* s as a quoted, escaped, shortened string for messages. */
static const char *
quote(char *out, size_t cap, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, limit = cap > 70 ? 60 : cap - 10;

	out[o++] = '"';
	while (*u != '\0' && o < limit) {
		unsigned cp = 0;
		size_t n = utf8_next((const char *)u, &cp);

		if (*u == '"' || *u == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*u++;
		} else if (n == 0 || utf8_is_control(cp)) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *u);
			u++;
		} else {
			memcpy(out + o, u, (size_t)n);
			o += (size_t)n;
			u += n;
		}
	}
	out[o++] = '"';
	if (*u != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static bool
plain_key(const char *k)
{
	size_t n = 0;

	for (; k[n] != '\0'; n++)
		if (!((k[n] >= 'a' && k[n] <= 'z') ||
		        (k[n] >= 'A' && k[n] <= 'Z') ||
		        (k[n] >= '0' && k[n] <= '9') || k[n] == '_' ||
		        k[n] == '-'))
			return false;
	return n > 0 && n <= 64;
}

static void
path_key(char *out, size_t cap, const char *parent, const char *key)
{
	char q[96];

	if (plain_key(key))
		snprintf(out, cap, "%s%s%s", parent, parent[0] ? "." : "", key);
	else
		snprintf(out, cap, "%s[%s]", parent, quote(q, sizeof(q), key));
}

static void
path_idx(char *out, size_t cap, const char *parent, int i)
{
	/* A path cut short still names the place; the length is not used. */
	if (snprintf(out, cap, "%s[%d]", parent, i) >= (int)cap)
		out[cap - 1] = '\0';
}

static const char *
type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "invalid";
}

static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[72];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0]; /* row[i-1][j-1] */

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

static int
key_index(const char *const *known, const char *k)
{
	for (int i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], k) == 0)
			return i;
	return -1;
}

/* Unknown keys (with a "did you mean") and duplicate known keys. */
static void
check_keys(Ctx *c, const cJSON *obj, const char *path, const char *const *known)
{
	unsigned long long seen = 0;
	char kp[PATH_CAP];

	for (const cJSON *it = obj->child; it != NULL; it = it->next) {
		const char *k = it->string != NULL ? it->string : "";
		int idx = key_index(known, k);

		path_key(kp, sizeof(kp), path, k);
		if (idx >= 0) {
			if (seen & (1ull << idx))
				perr(c, kp, "duplicate key");
			seen |= 1ull << idx;
			continue;
		}
		int best = 3, bi = -1;

		for (int i = 0; known[i] != NULL; i++) {
			int d = edit_distance(k, known[i]);

			if (d < best)
				best = d, bi = i;
		}
		if (bi >= 0) {
			perr(c, kp, "unknown key (did you mean \"%s\"?)",
			    known[bi]);
		} else {
			char list[512];
			size_t o = 0;

			list[0] = '\0';
			for (int i = 0; known[i] != NULL && o < sizeof(list);
			     i++)
				o +=
				    (size_t)snprintf(list + o, sizeof(list) - o,
				        "%s%s", i ? ", " : "", known[i]);
			perr(c, kp, "unknown key (known keys: %s)", list);
		}
	}
}

static const cJSON *
get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* ---- typed getters: each reports its own error and returns false ---- */

typedef struct {
	double lo, hi; /* hi = HUGE_VAL: unbounded */
	bool lo_open; /* lo itself is not allowed */
	bool integer;
} NumRule;

static bool
get_num(Ctx *c, const cJSON *it, const char *path, NumRule r, double *out)
{
	double v;

	if (!cJSON_IsNumber(it)) {
		perr(c, path, "must be a number, not %s", type_name(it));
		return false;
	}
	v = it->valuedouble;
	if (!isfinite(v)) {
		perr(c, path, "must be a finite number");
		return false;
	}
	if (r.integer && v != floor(v)) {
		perr(c, path, "must be a whole number (got %.10g)", v);
		return false;
	}
	if (v < r.lo || (r.lo_open && v == r.lo) || v > r.hi) {
		if (r.hi != HUGE_VAL && !r.lo_open)
			perr(c, path, "must be from %.10g to %.10g (got %.10g)",
			    r.lo, r.hi, v);
		else if (r.hi != HUGE_VAL)
			perr(c, path,
			    "must be %s %.10g and at most %.10g (got %.10g)",
			    r.lo_open ? "greater than" : "at least", r.lo, r.hi,
			    v);
		else
			perr(c, path, "must be %s %.10g (got %.10g)",
			    r.lo_open ? "greater than" : "at least", r.lo, v);
		return false;
	}
	*out = v;
	return true;
}

static bool
get_int(Ctx *c, const cJSON *it, const char *path, int lo, int hi, int *out)
{
	double v;
	NumRule r = {lo, hi, false, true};

	if (!get_num(c, it, path, r, &v))
		return false;
	*out = (int)v;
	return true;
}

static bool
get_bool(Ctx *c, const cJSON *it, const char *path, bool *out)
{
	if (!cJSON_IsBool(it)) {
		perr(c, path, "must be true or false, not %s", type_name(it));
		return false;
	}
	*out = cJSON_IsTrue(it);
	return true;
}

/* A string that is safe to print: valid UTF-8, no control characters. */
static bool
get_str(
    Ctx *c, const cJSON *it, const char *path, size_t maxlen, const char **out)
{
	size_t n;

	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		perr(c, path, "must be a string, not %s", type_name(it));
		return false;
	}
	n = strlen(it->valuestring);
	if (n == 0) {
		perr(c, path, "must not be empty");
		return false;
	}
	if (n > maxlen) {
		perr(c, path, "is longer than %zu bytes", maxlen);
		return false;
	}
	if (!utf8_printable(it->valuestring)) {
		perr(c, path, "contains a control character or invalid UTF-8");
		return false;
	}
	*out = it->valuestring;
	return true;
}

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

/* Host names and addresses: letters, digits, '.', '-', '_', ':' for IPv6,
 * at most 253 characters. */
static bool
is_hostish(const char *s, bool allow_colon)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		        *s == '_' || (allow_colon && *s == ':')))
			return false;
	return true;
}

static bool
is_dns_name(const char *s)
{
	size_t label = 0;

	if (!is_hostish(s, false) || s[0] == '.')
		return false;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63) {
			return false;
		}
	}
	return true;
}

static bool
parse_port(const char *s, int *port)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

int
profile_resolver_addr(
    const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_s = NULL;
	int port = 53;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - spec - 1);
		port_s = close + 2;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -1;
	} else if (inet_pton(AF_INET6, spec, &a6->sin6_addr) != 1) {
		colon = strchr(spec, ':');
		hl = colon ? (size_t)(colon - spec) : strlen(spec);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		if (colon != NULL)
			port_s = colon + 1;
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -1;
		if (port_s != NULL && !parse_port(port_s, &port))
			return -1;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*a4);
		return 0;
	}
	if (port_s != NULL && !parse_port(port_s, &port))
		return -1;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons((uint16_t)port);
	*sl = sizeof(*a6);
	return 0;
}

/* "system" or an address profile_resolver_addr() takes. */
static bool
resolver_ok(const char *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return strcmp(s, "system") == 0 ||
	    profile_resolver_addr(s, &ss, &sl) == 0;
}

/* "host:port" or "[ipv6]:port". */
static bool
host_port_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	char host[256];
	size_t n;
	int port;

	if (colon == NULL || !parse_port(colon + 1, &port))
		return false;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[') {
		unsigned char addr[16];

		if (n < 3 || host[n - 1] != ']')
			return false;
		host[n - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, addr) == 1;
	}
	return is_hostish(host, false);
}

/* ---- monitor ---- */

enum {
	MF_PROTOCOL,
	MF_PATH,
	MF_PORT,
	MF_INTERVAL,
	MF_TIMEOUT,
	MF_TOLERATED,
	MF_RISE,
	MF_EXPECTED,
	MF_HEADERS,
	MF_BODY,
	MF_IDENTIFY,
	MF_REUSE,
};

static const char *const monitor_keys[] = {"protocol", "path", "port",
    "interval", "timeout", "tolerated_failures", "rise", "expected_status",
    "headers", "body_contains", "identify", "reuse_connections", NULL};

/* One monitor object as written: which fields it sets, and their values
 * (strings owned). */
typedef struct {
	unsigned set; /* 1u << MF_* */
	Monitor m;
} MonSpec;

static void
monitor_fini(Monitor *m)
{
	free(m->path);
	free(m->body_contains);
	free(m->identify_header);
	for (int i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		if (m->headers[i].value != NULL) {
			/* A secret: do not leave it in freed memory. */
			memset(m->headers[i].value, 0,
			    strlen(m->headers[i].value));
			free(m->headers[i].value);
		}
	}
	memset(m, 0, sizeof(*m));
}

static void
monitor_defaults(Monitor *m)
{
	memset(m, 0, sizeof(*m));
	m->interval = DEF_INTERVAL;
	m->timeout = DEF_TIMEOUT;
	m->tolerated_failures = DEF_TOLERATED;
	m->rise = DEF_RISE;
	m->expected[0] = (StatusRange){200, 200};
	m->nexpected = 1;
}

/* Copy the fields s sets over dst (deep copies). */
static void
monitor_merge(Monitor *dst, const MonSpec *s)
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
			free(dst->headers[i].value);
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
    Ctx *c, const cJSON *it, const char *path, StatusRange *r, bool *ok)
{
	char q[96];
	const char *s, *dash;
	int lo, hi;

	*ok = false;
	if (cJSON_IsNumber(it)) {
		if (get_int(c, it, path, 100, 599, &lo)) {
			*r = (StatusRange){lo, lo};
			*ok = true;
		}
		return;
	}
	if (!cJSON_IsString(it)) {
		perr(c, path,
		    "must be a string like \"200\" or \"200-299\", "
		    "not %s",
		    type_name(it));
		return;
	}
	s = it->valuestring;
	quote(q, sizeof(q), s);
	if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' &&
	    (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X')) {
		perr(c, path, "%s is not a status range (use \"%c00-%c99\")", q,
		    s[0], s[0]);
		return;
	}
	dash = strchr(s, '-');
	if (dash == NULL ? !all_digits(s, strlen(s)) || strlen(s) > 3
	                 : !all_digits(s, (size_t)(dash - s)) ||
	            !all_digits(dash + 1, strlen(dash + 1)) || dash - s > 3 ||
	            strlen(dash + 1) > 3) {
		perr(c, path,
		    "%s is not a status range (use \"N\" or \"N-M\", e.g. "
		    "\"200-299\")",
		    q);
		return;
	}
	lo = atoi(s);
	hi = dash != NULL ? atoi(dash + 1) : lo;
	if (lo < 100 || hi > 599 || hi < 100 || lo > 599) {
		perr(c, path, "%s is out of range (status codes are 100-599)",
		    q);
		return;
	}
	if (lo > hi) {
		perr(c, path, "%s is reversed (use \"%d-%d\")", q, hi, lo);
		return;
	}
	*r = (StatusRange){lo, hi};
	*ok = true;
}

/* Substitute every ${env:NAME} in a header value. Returns a malloc'd
 * string, or NULL after reporting an error. Never prints the value. */
static char *
subst_env(Ctx *c, const char *path, const char *val)
{
	size_t cap = strlen(val) + 1, len = 0;
	char *out;
	const char *s = val;

	if (c->flags & PROFILE_NO_ENV)
		return xstrdup(val);
	out = xmalloc(cap);
	while (*s != '\0') {
		const char *start = strstr(s, "${env:");
		const char *name, *end, *v;
		char var[256];
		size_t n, vn;

		if (start == NULL)
			start = s + strlen(s);
		n = (size_t)(start - s);
		memcpy(out + len, s, n);
		len += n;
		s = start;
		if (*s == '\0')
			break;
		name = s + 6;
		end = strchr(name, '}');
		n = end != NULL ? (size_t)(end - name) : 0;
		if (end == NULL || n == 0 || n >= sizeof(var) ||
		    !((name[0] >= 'A' && name[0] <= 'Z') ||
		        (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) {
			perr(c, path,
			    "malformed ${env:NAME} reference (NAME: letters, "
			    "digits, '_')");
			goto fail;
		}
		memcpy(var, name, n);
		var[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (!((var[i] >= 'A' && var[i] <= 'Z') ||
			        (var[i] >= 'a' && var[i] <= 'z') ||
			        (var[i] >= '0' && var[i] <= '9') ||
			        var[i] == '_')) {
				perr(c, path,
				    "malformed ${env:NAME} reference (NAME: "
				    "letters, digits, '_')");
				goto fail;
			}
		v = getenv(var);
		if (v == NULL) {
			if (c->flags & PROFILE_ENV_OPTIONAL) {
				pwarn(c, path,
				    "environment variable %s is not set (it "
				    "must be when drtop probes)",
				    var);
				/* Keep the template text as the value. */
				vn = (size_t)(end + 1 - s);
				cap += vn;
				out = xrealloc(out, cap, 1);
				memcpy(out + len, s, vn);
				len += vn;
				s = end + 1;
				continue;
			}
			perr(
			    c, path, "environment variable %s is not set", var);
			goto fail;
		}
		vn = strlen(v);
		cap += vn;
		out = xrealloc(out, cap, 1);
		memcpy(out + len, v, vn);
		len += vn;
		s = end + 1;
	}
	out[len] = '\0';
	return out;
fail:
	memset(out, 0, cap);
	free(out);
	return NULL;
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
parse_headers(Ctx *c, const cJSON *obj, const char *path, Monitor *m)
{
	char hp[PATH_CAP];
	int n = 0;

	if (!cJSON_IsObject(obj)) {
		perr(c, path,
		    "must be an object of \"Name\": \"value\", not %s",
		    type_name(obj));
		return;
	}
	for (const cJSON *it = obj->child; it != NULL; it = it->next)
		n++;
	if (n > PROFILE_MAX_HEADERS) {
		perr(c, path, "has %d headers (at most %d)", n,
		    PROFILE_MAX_HEADERS);
		return;
	}
	for (const cJSON *it = obj->child; it != NULL; it = it->next) {
		const char *name = it->string != NULL ? it->string : "";
		char *val;
		bool dup = false;

		path_key(hp, sizeof(hp), path, name);
		if (!is_token(name) || strlen(name) > 64) {
			perr(c, hp, "is not a valid header name");
			continue;
		}
		for (int i = 0; i < m->nheaders; i++)
			if (strcasecmp(m->headers[i].name, name) == 0)
				dup = true;
		if (dup) {
			perr(c, hp, "duplicate header (names ignore case)");
			continue;
		}
		if (!cJSON_IsString(it) || it->valuestring == NULL) {
			perr(c, hp, "must be a string, not %s", type_name(it));
			continue;
		}
		if (strlen(it->valuestring) > MAX_STR) {
			perr(c, hp, "value is longer than %d bytes", MAX_STR);
			continue;
		}
		val = subst_env(c, hp, it->valuestring);
		if (val == NULL)
			continue;
		if (!header_value_ok(val)) {
			perr(c, hp,
			    "value contains a control character (after "
			    "${env:} substitution)");
			memset(val, 0, strlen(val));
			free(val);
			continue;
		}
		m->headers[m->nheaders].name = xstrdup(name);
		m->headers[m->nheaders].value = val;
		m->nheaders++;
	}
}

static void
parse_identify(Ctx *c, const cJSON *obj, const char *path, Monitor *m, bool *ok)
{
	static const char *const keys[] = {"header", "body", NULL};
	const cJSON *h, *b;
	char kp[PATH_CAP];
	const char *name;
	bool body = false;

	*ok = false;
	if (!cJSON_IsObject(obj)) {
		perr(c, path,
		    "must be {\"header\": \"X-Region\"} or {\"body\": true}, "
		    "not %s",
		    type_name(obj));
		return;
	}
	check_keys(c, obj, path, keys);
	h = get(obj, "header");
	b = get(obj, "body");
	if (h != NULL && b != NULL) {
		perr(c, path, "takes either \"header\" or \"body\", not both");
		return;
	}
	if (h == NULL && b == NULL) {
		perr(c, path,
		    "needs \"header\" (a response header naming the region) "
		    "or \"body\": true");
		return;
	}
	if (h != NULL) {
		path_key(kp, sizeof(kp), path, "header");
		if (!get_str(c, h, kp, 64, &name))
			return;
		if (!is_token(name)) {
			perr(c, kp, "is not a valid header name");
			return;
		}
		m->identify = IDENTIFY_HEADER;
		set_str(&m->identify_header, name);
	} else {
		path_key(kp, sizeof(kp), path, "body");
		if (!get_bool(c, b, kp, &body))
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

static void
parse_monitor(Ctx *c, const cJSON *obj, const char *path, MonSpec *s)
{
	char kp[PATH_CAP];
	const cJSON *it;
	const char *str;
	Monitor *m = &s->m;
	bool ok;

	if (!cJSON_IsObject(obj)) {
		perr(c, path, "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(c, obj, path, monitor_keys);
	for (int f = 0; monitor_keys[f] != NULL; f++) {
		it = get(obj, monitor_keys[f]);
		if (it == NULL)
			continue;
		path_key(kp, sizeof(kp), path, monitor_keys[f]);
		ok = false;
		switch (f) {
		case MF_PROTOCOL:
			if (!get_str(c, it, kp, 16, &str))
				break;
			if (strcmp(str, "http") == 0)
				m->protocol = PROTO_HTTP;
			else if (strcmp(str, "https") == 0)
				m->protocol = PROTO_HTTPS;
			else if (strcmp(str, "tcp") == 0)
				m->protocol = PROTO_TCP;
			else {
				char q[96];

				perr(c, kp,
				    "%s is not a protocol (use \"http\", "
				    "\"https\" or \"tcp\")",
				    quote(q, sizeof(q), str));
				break;
			}
			ok = true;
			break;
		case MF_PATH:
			if (!get_str(c, it, kp, 1024, &str))
				break;
			if (!url_path_ok(str)) {
				perr(c, kp,
				    "must start with \"/\" and hold no spaces "
				    "or non-ASCII characters (percent-encode "
				    "them)");
				break;
			}
			set_str(&m->path, str);
			ok = true;
			break;
		case MF_PORT:
			ok = get_int(c, it, kp, 1, 65535, &m->port);
			break;
		case MF_INTERVAL:
			ok = get_num(c, it, kp,
			    (NumRule){0.1, 86400, false, false}, &m->interval);
			break;
		case MF_TIMEOUT:
			ok = get_num(c, it, kp,
			    (NumRule){0, 86400, true, false}, &m->timeout);
			break;
		case MF_TOLERATED:
			ok = get_int(c, it, kp, 0, 9, &m->tolerated_failures);
			break;
		case MF_RISE:
			ok = get_int(c, it, kp, 1, 9, &m->rise);
			break;
		case MF_EXPECTED: {
			int n = cJSON_GetArraySize(it), i = 0;
			char ip[PATH_CAP];

			if (!cJSON_IsArray(it)) {
				perr(c, kp,
				    "must be an array like [\"200-299\", "
				    "\"401\"], not %s",
				    type_name(it));
				break;
			}
			if (n < 1 || n > PROFILE_MAX_STATUS) {
				perr(c, kp, "must hold 1 to %d ranges (has %d)",
				    PROFILE_MAX_STATUS, n);
				break;
			}
			ok = true;
			for (const cJSON *e = it->child; e; e = e->next, i++) {
				bool one;

				path_idx(ip, sizeof(ip), kp, i);
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
			if (!get_str(c, it, kp, 1024, &str))
				break;
			set_str(&m->body_contains, str);
			ok = true;
			break;
		case MF_IDENTIFY:
			parse_identify(c, it, kp, m, &ok);
			break;
		case MF_REUSE:
			ok = get_bool(c, it, kp, &m->reuse_connections);
			break;
		}
		if (ok)
			s->set |= 1u << f;
	}
}

/* ---- endpoints ---- */

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

/* Parse e->target with libcurl and derive host, port, path, url from it
 * and the effective monitor. set: the MF_* bits set at any level. */
static void
resolve_target(Ctx *c, const char *tpath, Endpoint *e, unsigned set)
{
	CURLU *u = curl_url();
	CURLUcode rc;
	char *scheme = NULL, *host = NULL, *port = NULL, *upath = NULL;
	char *query = NULL, *user = NULL, *pass = NULL;
	char q[96];
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
			perr(c, tpath,
			    "must not hold credentials (put them in "
			    "monitor.headers)");
			goto out;
		}
	}
	quote(q, sizeof(q), e->target);
	if (rc != CURLUE_OK) {
		perr(c, tpath, "%s is not a valid URL (curl: %s)", q,
		    curl_err(rc));
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &upath, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (scheme == NULL || host == NULL || host[0] == '\0') {
		perr(c, tpath, "%s has no host", q);
		goto out;
	}
	if (strcmp(scheme, "http") == 0)
		url_proto = PROTO_HTTP;
	else if (strcmp(scheme, "https") == 0)
		url_proto = PROTO_HTTPS;
	else if (strcmp(scheme, "tcp") == 0)
		url_proto = PROTO_TCP;
	else {
		char qs[96];

		perr(c, tpath,
		    "%s: scheme %s is not supported (use http://, https:// "
		    "or tcp://)",
		    q, quote(qs, sizeof(qs), scheme));
		goto out;
	}
	if (port != NULL && !parse_port(port, &url_port)) {
		perr(c, tpath, "%s: port must be from 1 to 65535", q);
		goto out;
	}
	if (!(set & (1u << MF_PROTOCOL)))
		m->protocol = url_proto;
	if (!(set & (1u << MF_PORT))) {
		m->port = url_port != 0 ? url_port : default_port(m->protocol);
		if (m->port == 0) {
			perr(c, tpath,
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
		perr(c, tpath, "the probe URL %s is not valid (curl: %s)",
		    quote(q, sizeof(q), e->url), curl_err(rc));
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
parse_endpoint(Ctx *c, const cJSON *obj, const char *path, int idx, Endpoint *e,
    MonSpec *own, bool *prio_set)
{
	char kp[PATH_CAP];
	const cJSON *it;
	const char *str;
	bool has_lat = false, has_lon = false;

	e->priority = idx + 1;
	e->weight = 1;
	e->region = xstrdup("");
	if (!cJSON_IsObject(obj)) {
		perr(c, path, "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(c, obj, path, endpoint_keys);

	path_key(kp, sizeof(kp), path, "name");
	it = get(obj, "name");
	if (it == NULL) {
		perr(c, kp, "missing (required)");
	} else if (get_str(c, it, kp, MAX_STR, &str)) {
		char q[96];

		if (strlen(str) >= EV_NAME_MAX)
			perr(c, kp, "%s is longer than %d characters",
			    quote(q, sizeof(q), str), EV_NAME_MAX - 1);
		else if (!name_ok(str))
			perr(c, kp,
			    "%s may hold only letters, digits, '.', '_' and "
			    "'-'",
			    quote(q, sizeof(q), str));
		else
			str_copy(e->name, sizeof(e->name), str);
	}
	if ((it = get(obj, "region")) != NULL) {
		path_key(kp, sizeof(kp), path, "region");
		if (get_str(c, it, kp, 128, &str))
			set_str(&e->region, str);
	}
	if ((it = get(obj, "lat")) != NULL) {
		path_key(kp, sizeof(kp), path, "lat");
		has_lat = get_num(
		    c, it, kp, (NumRule){-90, 90, false, false}, &e->lat);
	}
	if ((it = get(obj, "lon")) != NULL) {
		path_key(kp, sizeof(kp), path, "lon");
		has_lon = get_num(
		    c, it, kp, (NumRule){-180, 180, false, false}, &e->lon);
	}
	if (get(obj, "lat") != NULL && get(obj, "lon") == NULL) {
		path_key(kp, sizeof(kp), path, "lon");
		perr(c, kp, "missing (lat and lon go together)");
	} else if (get(obj, "lon") != NULL && get(obj, "lat") == NULL) {
		path_key(kp, sizeof(kp), path, "lat");
		perr(c, kp, "missing (lat and lon go together)");
	}
	e->has_pos = has_lat && has_lon;
	path_key(kp, sizeof(kp), path, "target");
	it = get(obj, "target");
	if (it == NULL)
		perr(c, kp,
		    "missing (required: http://, https:// or tcp:// "
		    "URL)");
	else if (get_str(c, it, kp, MAX_URL, &str))
		e->target = xstrdup(str);
	if ((it = get(obj, "priority")) != NULL) {
		path_key(kp, sizeof(kp), path, "priority");
		*prio_set = get_int(c, it, kp, 1, 1000000, &e->priority);
	}
	if ((it = get(obj, "weight")) != NULL) {
		path_key(kp, sizeof(kp), path, "weight");
		get_num(c, it, kp, (NumRule){0, 1e6, true, false}, &e->weight);
	}
	if ((it = get(obj, "dns_answers")) != NULL) {
		path_key(kp, sizeof(kp), path, "dns_answers");
		if (!cJSON_IsArray(it)) {
			perr(c, kp, "must be an array of names, not %s",
			    type_name(it));
		} else if (cJSON_GetArraySize(it) > PROFILE_MAX_DNS_ANSWERS) {
			perr(c, kp, "holds %d names (at most %d)",
			    cJSON_GetArraySize(it), PROFILE_MAX_DNS_ANSWERS);
		} else {
			int i = 0;
			char ip[PATH_CAP];

			for (const cJSON *a = it->child; a; a = a->next, i++) {
				path_idx(ip, sizeof(ip), kp, i);
				if (!get_str(c, a, ip, 253, &str))
					continue;
				if (!is_hostish(str, true)) {
					char q[96];

					perr(c, ip,
					    "%s is not a DNS name or address",
					    quote(q, sizeof(q), str));
					continue;
				}
				e->dns_answers[e->ndns_answers++] =
				    xstrdup(str);
			}
		}
	}
	if ((it = get(obj, "connect_to")) != NULL) {
		path_key(kp, sizeof(kp), path, "connect_to");
		if (get_str(c, it, kp, 300, &str)) {
			if (host_port_ok(str))
				e->connect_to = xstrdup(str);
			else
				perr(c, kp,
				    "must be \"host:port\" (port 1-65535)");
		}
	}
	if ((it = get(obj, "insecure")) != NULL) {
		path_key(kp, sizeof(kp), path, "insecure");
		get_bool(c, it, kp, &e->insecure);
	}
	if ((it = get(obj, "disabled")) != NULL) {
		path_key(kp, sizeof(kp), path, "disabled");
		get_bool(c, it, kp, &e->disabled);
	}
	if ((it = get(obj, "monitor")) != NULL) {
		path_key(kp, sizeof(kp), path, "monitor");
		parse_monitor(c, it, kp, own);
	}
}

/* Report timeout > interval at the level that set them. */
static void
check_timeout(Ctx *c, const Monitor *m, unsigned set, const char *mpath)
{
	char kp[PATH_CAP];

	if (m->timeout <= m->interval)
		return;
	if (set & (1u << MF_TIMEOUT)) {
		path_key(kp, sizeof(kp), mpath, "timeout");
		perr(c, kp, "%.10g s is longer than the interval (%.10g s%s)",
		    m->timeout, m->interval,
		    (set & (1u << MF_INTERVAL)) ? ""
		                                : ", inherited or default");
	} else {
		path_key(kp, sizeof(kp), mpath, "interval");
		perr(c, kp,
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
check_unique(Ctx *c, const Profile *p, const bool *prio_set)
{
	SortRef *r = xcalloc((size_t)p->nendpoints, sizeof(*r));
	char kp[PATH_CAP];

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
		perr(c, kp, "\"%s\" is already the name of endpoints[%d]",
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
			perr(c, kp,
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

/* ---- dns, routing, actions, drill ---- */

static void
parse_dns(Ctx *c, const cJSON *obj, DnsConfig *d)
{
	static const char *const keys[] = {
	    "name", "ttl", "resolvers", "interval", NULL};
	const cJSON *it;
	const char *str;
	char q[96];

	if (!cJSON_IsObject(obj)) {
		perr(c, "dns", "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(c, obj, "dns", keys);
	if ((it = get(obj, "name")) != NULL &&
	    get_str(c, it, "dns.name", 253, &str)) {
		if (is_dns_name(str))
			set_str(&d->name, str);
		else
			perr(c, "dns.name", "%s is not a DNS name",
			    quote(q, sizeof(q), str));
	}
	if ((it = get(obj, "ttl")) != NULL)
		get_int(c, it, "dns.ttl", 0, 604800, &d->ttl);
	if ((it = get(obj, "interval")) != NULL)
		get_num(c, it, "dns.interval",
		    (NumRule){0.1, 86400, false, false}, &d->interval);
	if ((it = get(obj, "resolvers")) != NULL) {
		int n = cJSON_GetArraySize(it), i = 0;
		char ip[PATH_CAP];

		if (!cJSON_IsArray(it)) {
			perr(c, "dns.resolvers",
			    "must be an array like [\"system\", "
			    "\"127.0.0.1:5353\"], not %s",
			    type_name(it));
		} else if (n < 1 || n > PROFILE_MAX_RESOLVERS) {
			perr(c, "dns.resolvers",
			    "must hold 1 to %d resolvers (has %d)",
			    PROFILE_MAX_RESOLVERS, n);
		} else {
			for (int k = 0; k < d->nresolvers; k++)
				free(d->resolvers[k]);
			d->nresolvers = 0;
			for (const cJSON *r = it->child; r; r = r->next, i++) {
				path_idx(ip, sizeof(ip), "dns.resolvers", i);
				if (!get_str(
				        c, r, ip, EV_RESOLVER_MAX - 1, &str))
					continue;
				if (!resolver_ok(str)) {
					perr(c, ip,
					    "%s is not \"system\", an IP "
					    "address, ADDRESS:PORT or "
					    "[IPV6]:PORT",
					    quote(q, sizeof(q), str));
					continue;
				}
				d->resolvers[d->nresolvers++] = xstrdup(str);
			}
		}
	}
	d->timeout = d->interval < 1 ? d->interval : 1;
}

static void
parse_routing(Ctx *c, const cJSON *obj, RoutingConfig *r)
{
	static const char *const keys[] = {
	    "method", "failback", "hold_down", "auto_failover", NULL};
	const cJSON *it;
	const char *str;
	char q[96];

	if (!cJSON_IsObject(obj)) {
		perr(c, "routing", "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(c, obj, "routing", keys);
	if ((it = get(obj, "method")) != NULL &&
	    get_str(c, it, "routing.method", 32, &str)) {
		if (strcmp(str, "priority") == 0)
			r->method = ROUTE_PRIORITY;
		else if (strcmp(str, "weighted") == 0)
			r->method = ROUTE_WEIGHTED;
		else if (strcmp(str, "performance") == 0)
			r->method = ROUTE_PERFORMANCE;
		else
			perr(c, "routing.method",
			    "%s is not a routing method (use \"priority\", "
			    "\"weighted\" or \"performance\")",
			    quote(q, sizeof(q), str));
	}
	if ((it = get(obj, "failback")) != NULL &&
	    get_str(c, it, "routing.failback", 32, &str)) {
		if (strcmp(str, "auto") == 0)
			r->failback_auto = true;
		else if (strcmp(str, "manual") == 0)
			r->failback_auto = false;
		else
			perr(c, "routing.failback",
			    "%s is not a failback mode (use \"manual\" or "
			    "\"auto\")",
			    quote(q, sizeof(q), str));
	}
	if ((it = get(obj, "hold_down")) != NULL)
		get_num(c, it, "routing.hold_down",
		    (NumRule){0, 86400 * 7, false, false}, &r->hold_down);
	if ((it = get(obj, "auto_failover")) != NULL)
		get_bool(c, it, "routing.auto_failover", &r->auto_failover);
}

/* dir/rel, dropping leading "./" of rel. */
static char *
join_dir(const char *dir, const char *rel)
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

static void
action_free(Action *a)
{
	for (int i = 0; i < a->nsteps; i++)
		step_free(&a->steps[i]);
	free(a->steps);
	memset(a, 0, sizeof(*a));
}

/* Warn about "{word}" that is not one of the templates (a typo such as
 * {form} would reach the command unsubstituted); core/argsubst owns the
 * template syntax. */
static void
check_placeholders(Ctx *c, const char *path, const char *arg)
{
	char err[160];

	if (argsubst_check(arg, err, sizeof(err)) != 0)
		pwarn(c, path, "%s; it is passed as written", err);
}

static bool
parse_step(Ctx *c, const cJSON *obj, const char *path, bool runbook,
    const char *dir, ActionStep *s)
{
	static const char *const single_keys[] = {"argv", "timeout", NULL};
	static const char *const step_keys[] = {
	    "name", "argv", "timeout", NULL};
	char kp[PATH_CAP], ip[PATH_CAP];
	const cJSON *it;
	const char *str;
	int before = c->nerr, n, i = 0;

	s->timeout = 60;
	if (!cJSON_IsObject(obj)) {
		perr(c, path,
		    runbook
		        ? "must be a step {\"name\": ..., \"argv\": [...]}, "
		          "not %s"
		        : "must be {\"argv\": [...], \"timeout\": 60} or a "
		          "runbook list of steps, not %s",
		    type_name(obj));
		return false;
	}
	check_keys(c, obj, path, runbook ? step_keys : single_keys);
	if (runbook) {
		path_key(kp, sizeof(kp), path, "name");
		it = get(obj, "name");
		if (it == NULL)
			perr(c, kp, "missing (each runbook step has a name)");
		else if (get_str(c, it, kp, EV_NAME_MAX - 1, &str))
			s->name = xstrdup(str);
	}
	if ((it = get(obj, "timeout")) != NULL) {
		path_key(kp, sizeof(kp), path, "timeout");
		get_num(
		    c, it, kp, (NumRule){0, 86400, true, false}, &s->timeout);
	}
	path_key(kp, sizeof(kp), path, "argv");
	it = get(obj, "argv");
	if (it == NULL) {
		perr(c, kp,
		    "missing (the program and its arguments, e.g. "
		    "[\"./failover.sh\", \"{from}\", \"{to}\"])");
		return false;
	}
	if (!cJSON_IsArray(it)) {
		perr(c, kp, "must be an array of strings, not %s",
		    type_name(it));
		return false;
	}
	n = cJSON_GetArraySize(it);
	if (n == 0) {
		perr(c, kp, "must not be empty (argv[0] is the program)");
		return false;
	}
	if (n > MAX_ARGV) {
		perr(c, kp, "has %d arguments (at most %d)", n, MAX_ARGV);
		return false;
	}
	s->argv = xcalloc((size_t)n + 1, sizeof(*s->argv));
	for (const cJSON *a = it->child; a != NULL; a = a->next, i++) {
		path_idx(ip, sizeof(ip), kp, i);
		if (i > 0 && cJSON_IsString(a) && a->valuestring != NULL &&
		    a->valuestring[0] == '\0') {
			s->argv[s->argc++] = xstrdup("");
			continue;
		}
		if (!get_str(c, a, ip, MAX_STR, &str))
			continue;
		if (i == 0 && strchr(str, '/') != NULL && str[0] != '/')
			s->argv[s->argc++] = join_dir(dir, str);
		else
			s->argv[s->argc++] = xstrdup(str);
		check_placeholders(c, ip, str);
	}
	return c->nerr == before;
}

static void
parse_action(
    Ctx *c, const cJSON *v, const char *path, const char *dir, Action *a)
{
	char ip[PATH_CAP];
	int n, i = 0;

	if (cJSON_IsArray(v)) {
		n = cJSON_GetArraySize(v);
		if (n < 1 || n > MAX_STEPS) {
			perr(c, path, "a runbook holds 1 to %d steps (has %d)",
			    MAX_STEPS, n);
			return;
		}
		a->steps = xcalloc((size_t)n, sizeof(*a->steps));
		a->nsteps = n;
		for (const cJSON *s = v->child; s != NULL; s = s->next, i++) {
			path_idx(ip, sizeof(ip), path, i);
			parse_step(c, s, ip, true, dir, &a->steps[i]);
		}
		return;
	}
	a->steps = xcalloc(1, sizeof(*a->steps));
	a->nsteps = 1;
	parse_step(c, v, path, false, dir, &a->steps[0]);
}

static void
parse_actions(Ctx *c, const cJSON *obj, Profile *p)
{
	static const char *const keys[] = {"failover", "failback", NULL};
	const cJSON *it;

	if (!cJSON_IsObject(obj)) {
		perr(c, "actions", "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(c, obj, "actions", keys);
	if ((it = get(obj, "failover")) != NULL)
		parse_action(c, it, "actions.failover", p->dir, &p->failover);
	if ((it = get(obj, "failback")) != NULL)
		parse_action(c, it, "actions.failback", p->dir, &p->failback);
}

static void
parse_drill(Ctx *c, const cJSON *obj, Profile *p)
{
	static const char *const keys[] = {"rto_target", "dir", NULL};
	const cJSON *it;
	const char *str;

	if (!cJSON_IsObject(obj)) {
		perr(c, "drill", "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(c, obj, "drill", keys);
	if ((it = get(obj, "rto_target")) != NULL)
		get_num(c, it, "drill.rto_target",
		    (NumRule){0, 1e7, true, false}, &p->rto_target);
	if ((it = get(obj, "dir")) != NULL &&
	    get_str(c, it, "drill.dir", MAX_STR, &str)) {
		free(p->drill_dir);
		p->drill_dir =
		    str[0] == '/' ? xstrdup(str) : join_dir(p->dir, str);
	}
}

/* ---- top level ---- */

static const char *const top_keys[] = {"service", "dns", "routing", "monitor",
    "endpoints", "actions", "drill", NULL};

/* A tcp probe only connects: HTTP settings would be silently ignored. */
static void
warn_tcp(Ctx *c, const char *ep, const Monitor *m, unsigned set)
{
	static const int http_only[] = {
	    MF_EXPECTED, MF_HEADERS, MF_BODY, MF_IDENTIFY};

	if (m->protocol != PROTO_TCP)
		return;
	for (size_t i = 0; i < ARRAY_LEN(http_only); i++)
		if (set & (1u << http_only[i]))
			pwarn(c, ep,
			    "monitor.%s is ignored: a tcp probe only opens a "
			    "connection",
			    monitor_keys[http_only[i]]);
}

static void
parse_endpoints(Ctx *c, const cJSON *arr, const MonSpec *top, Profile *p)
{
	char ep[PATH_CAP], mp[PATH_CAP];
	int n = cJSON_GetArraySize(arr), i = 0;
	bool *prio_set, top_checked = false;
	int enabled = 0;

	if (!cJSON_IsArray(arr)) {
		perr(c, "endpoints", "must be an array of endpoints, not %s",
		    type_name(arr));
		return;
	}
	if (n == 0) {
		perr(c, "endpoints", "must hold at least one endpoint");
		return;
	}
	if (n > PROFILE_MAX_ENDPOINTS) {
		perr(c, "endpoints", "holds %d endpoints (at most %d)", n,
		    PROFILE_MAX_ENDPOINTS);
		return;
	}
	p->endpoints = xcalloc((size_t)n, sizeof(*p->endpoints));
	p->nendpoints = n;
	prio_set = xcalloc((size_t)n, sizeof(*prio_set));
	for (const cJSON *it = arr->child; it != NULL; it = it->next, i++) {
		Endpoint *e = &p->endpoints[i];
		MonSpec own;
		unsigned set;

		memset(&own, 0, sizeof(own));
		path_idx(ep, sizeof(ep), "endpoints", i);
		parse_endpoint(c, it, ep, i, e, &own, &prio_set[i]);
		monitor_defaults(&e->monitor);
		monitor_merge(&e->monitor, top);
		monitor_merge(&e->monitor, &own);
		set = top->set | own.set;
		if (own.set & ((1u << MF_INTERVAL) | (1u << MF_TIMEOUT))) {
			path_key(mp, sizeof(mp), ep, "monitor");
			check_timeout(c, &e->monitor, own.set, mp);
		} else if (!top_checked) {
			check_timeout(c, &e->monitor, top->set, "monitor");
			top_checked = true;
		}
		if (e->target != NULL) {
			path_key(mp, sizeof(mp), ep, "target");
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
		monitor_fini(&own.m);
	}
	if (enabled == 0)
		pwarn(c, "endpoints",
		    "every endpoint is disabled: nothing is probed or routed "
		    "to");
	check_unique(c, p, prio_set);
	free(prio_set);
}

static void
parse_root(Ctx *c, const cJSON *root, Profile *p)
{
	const cJSON *it;
	const char *str;
	MonSpec top;

	memset(&top, 0, sizeof(top));
	if (!cJSON_IsObject(root)) {
		perr(c, NULL, "the profile must be a JSON object, not %s",
		    type_name(root));
		return;
	}
	check_keys(c, root, "", top_keys);
	it = get(root, "service");
	if (it == NULL)
		perr(c, "service", "missing (required: the service's name)");
	else if (get_str(c, it, "service", 63, &str))
		p->service = xstrdup(str);
	if ((it = get(root, "dns")) != NULL)
		parse_dns(c, it, &p->dns);
	if ((it = get(root, "routing")) != NULL)
		parse_routing(c, it, &p->routing);
	if ((it = get(root, "monitor")) != NULL)
		parse_monitor(c, it, "monitor", &top);
	it = get(root, "endpoints");
	if (it == NULL)
		perr(c, "endpoints", "missing (required: at least one)");
	else
		parse_endpoints(c, it, &top, p);
	if ((it = get(root, "actions")) != NULL)
		parse_actions(c, it, p);
	if ((it = get(root, "drill")) != NULL)
		parse_drill(c, it, p);
	monitor_fini(&top.m);
}

static bool
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Where cJSON stopped, as line:col (both from 1; col counts characters). */
static void
json_error(Ctx *c, const char *json, size_t len, size_t pos, bool trailing)
{
	int line = 1, col = 1, depth = 0, maxdepth = 0;
	bool in_str = false, esc = false;

	if (pos > len)
		pos = len;
	/* Point at the next token, not at the blank before it. */
	while (!trailing && pos < len && strchr(" \t\r\n", json[pos]) != NULL &&
	    json[pos] != '\0')
		pos++;
	for (size_t i = 0; i < pos; i++) {
		unsigned char ch = (unsigned char)json[i];

		if (ch == '\n') {
			line++;
			col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			col++;
		}
		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '[' || ch == '{') {
			if (++depth > maxdepth)
				maxdepth = depth;
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	c->nerr++;
	if (trailing)
		errlist_add(c->errs,
		    "%s:%d:%d: unexpected text after the JSON object", c->fname,
		    line, col);
	else if (depth >= NEST_LIMIT)
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON: nested more than %d levels "
		    "deep",
		    c->fname, line, col, NEST_LIMIT);
	else if (blank(json, len))
		errlist_add(c->errs, "%s:%d:%d: malformed JSON: empty file",
		    c->fname, line, col);
	else if (pos >= len)
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON: unexpected end of input",
		    c->fname, line, col);
	else if (json[pos] >= 0x21 && json[pos] <= 0x7E)
		errlist_add(c->errs, "%s:%d:%d: malformed JSON near '%c'",
		    c->fname, line, col, json[pos]);
	else
		errlist_add(c->errs,
		    "%s:%d:%d: malformed JSON near byte 0x%02x", c->fname, line,
		    col, (unsigned char)json[pos]);
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
	return join_dir(cwd, basedir);
}

static void
profile_clear(Profile *p)
{
	free(p->file);
	free(p->dir);
	free(p->service);
	free(p->dns.name);
	for (int i = 0; i < p->dns.nresolvers; i++)
		free(p->dns.resolvers[i]);
	for (int i = 0; i < p->nendpoints; i++) {
		Endpoint *e = &p->endpoints[i];

		free(e->region);
		free(e->target);
		free(e->host);
		free(e->url);
		for (int k = 0; k < e->ndns_answers; k++)
			free(e->dns_answers[k]);
		free(e->connect_to);
		monitor_fini(&e->monitor);
	}
	free(p->endpoints);
	action_free(&p->failover);
	action_free(&p->failback);
	free(p->drill_dir);
	memset(p, 0, sizeof(*p));
}

void
profile_free(Profile *p)
{
	if (p == NULL)
		return;
	profile_clear(p);
	free(p);
}

Profile *
profile_parse_flags(const char *json, size_t len, const char *fname,
    const char *basedir, int flags, ErrList *errs, ErrList *warns)
{
	Ctx c = {fname, errs, warns, flags, 0};
	const char *end = NULL;
	cJSON *root;
	Profile *p;

	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (root == NULL) {
		json_error(
		    &c, json, len, end ? (size_t)(end - json) : 0, false);
		return NULL;
	}
	if (end != NULL) {
		size_t pos = (size_t)(end - json);

		while (pos < len && strchr(" \t\r\n", json[pos]) != NULL &&
		    json[pos] != '\0')
			pos++;
		if (pos < len) {
			json_error(&c, json, len, pos, true);
			cJSON_Delete(root);
			return NULL;
		}
	}
	p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(fname);
	p->dir = abs_dir(basedir);
	p->dns.ttl = 60;
	p->dns.resolvers[0] = xstrdup("system");
	p->dns.nresolvers = 1;
	p->dns.interval = 5;
	p->dns.timeout = 1;
	p->routing.method = ROUTE_PRIORITY;
	p->routing.hold_down = 60;
	p->rto_target = -1;
	p->drill_dir = join_dir(p->dir, "drills");
	parse_root(&c, root, p);
	cJSON_Delete(root);
	if (c.nerr > MAX_ERRORS)
		errlist_add(errs, "%s: %d more errors not shown", fname,
		    c.nerr - MAX_ERRORS);
	if (c.nerr > 0) {
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

Profile *
profile_load_flags(const char *path, int flags, ErrList *errs, ErrList *warns)
{
	char *buf = NULL, *slash, *dir = NULL;
	size_t len = 0, cap = 0;
	Profile *p = NULL;
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
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_FILE_SIZE) {
			errlist_add(errs,
			    "%s: larger than %u MiB; not a profile", path,
			    MAX_FILE_SIZE >> 20);
			goto out;
		}
	}
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	p = profile_parse_flags(buf, len, path, dir, flags, errs, warns);
out:
	close(fd);
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

const char *
protocol_name(Protocol p)
{
	switch (p) {
	case PROTO_HTTP:
		return "http";
	case PROTO_HTTPS:
		return "https";
	case PROTO_TCP:
		return "tcp";
	}
	return "?";
}

const char *
route_method_name(RouteMethod m)
{
	switch (m) {
	case ROUTE_PRIORITY:
		return "priority";
	case ROUTE_WEIGHTED:
		return "weighted";
	case ROUTE_PERFORMANCE:
		return "performance";
	}
	return "?";
}

/* ---- JSON rendering ---- */

/* key: v, exactly: the shortest of %.15g and %.17g that reads back as v,
 * so a re-parsed profile has the same numbers (jsonw_num rounds). */
static void
put_num(JsonW *w, const char *key, double v)
{
	char s[40];
	int n = snprintf(s, sizeof(s), "%.15g", v);

	if (strtod(s, NULL) != v)
		n = snprintf(s, sizeof(s), "%.17g", v);
	jsonw_key(w, key);
	jsonw_raw(w, s, (size_t)n);
	w->need_comma = true;
}

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

static void
write_monitor(JsonW *w, const Monitor *m, bool redact)
{
	jsonw_obj_open(w);
	jsonw_key_str(w, "protocol", protocol_name(m->protocol));
	jsonw_key_str(w, "path", m->path);
	jsonw_key_int(w, "port", m->port);
	put_num(w, "interval", m->interval);
	put_num(w, "timeout", m->timeout);
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
			    redact ? "<redacted>" : m->headers[i].value);
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
	put_num(w, "timeout", s->timeout);
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
	for (int i = 0; i < p->dns.nresolvers; i++)
		jsonw_str(w, p->dns.resolvers[i]);
	jsonw_arr_close(w);
	put_num(w, "interval", p->dns.interval);
	jsonw_obj_close(w);
	jsonw_key(w, "routing");
	jsonw_obj_open(w);
	jsonw_key_str(w, "method", route_method_name(p->routing.method));
	jsonw_key_str(
	    w, "failback", p->routing.failback_auto ? "auto" : "manual");
	put_num(w, "hold_down", p->routing.hold_down);
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
			put_num(w, "lat", e->lat);
			put_num(w, "lon", e->lon);
		}
		jsonw_key_str(w, "target", e->target);
		jsonw_key_int(w, "priority", e->priority);
		put_num(w, "weight", e->weight);
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
		put_num(w, "rto_target", p->rto_target);
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
			memset(buf, 0, cap);
		free(buf);
		cap *= 2;
	}
}

/* ---- what-if overrides ---- */

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
	int best = 3, bi = -1;

	for (int i = 0; known[i] != NULL; i++) {
		int d = edit_distance(field, known[i]);

		if (d < best)
			best = d, bi = i;
	}
	if (bi >= 0)
		snprintf(err, cap,
		    "--set %s: unknown key (did you mean \"%s\"?)", what,
		    known[bi]);
	else
		snprintf(err, cap, "--set %s: unknown key", what);
}

/* Apply key=val to the JSON form of the profile. Returns 0 or -1. */
static int
set_in_tree(
    cJSON *root, const char *key, const cJSON *val, char *err, size_t cap)
{
	static const char *const routing_keys[] = {
	    "method", "failback", "hold_down", "auto_failover", NULL};
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
		if (key_index(monitor_keys, f) < 0) {
			set_unknown(err, cap, key, f, monitor_keys);
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
			if (key_index(monitor_keys, f + 8) < 0) {
				set_unknown(err, cap, key, f + 8, monitor_keys);
				return -1;
			}
			put(cJSON_GetObjectItemCaseSensitive(e, "monitor"),
			    f + 8, val);
			return 0;
		}
		if (key_index(ep_keys, f) < 0) {
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
		if (key_index(sections[i].keys, f) < 0) {
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
	Profile *np = NULL;
	ErrList errs;
	int rc = -1;

	errlist_init(&errs);
	if (eq == NULL || eq == assignment) {
		snprintf(
		    err, errcap, "--set %s: expected KEY=VALUE", assignment);
		return -1;
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
	free(np->file);
	free(np->dir);
	np->file = p->file;
	np->dir = p->dir;
	p->file = NULL;
	p->dir = NULL;
	profile_clear(p);
	*p = *np;
	free(np);
	rc = 0;
out:
	if (json != NULL) {
		memset(json, 0, strlen(json));
		free(json);
	}
	if (text != NULL) {
		memset(text, 0, strlen(text));
		cJSON_free(text);
	}
	free(label);
	free(key);
	cJSON_Delete(val);
	cJSON_Delete(root);
	errlist_fini(&errs);
	return rc;
}
