#include "journal/logread.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jsonlit.h"
#include "base/utf8.h"
#include "base/util.h"
#include "journal/fastprobe.h"
#include "journal/state.h"

#define LR_BLOCK (1u << 20) /* bytes read at a time */
#define LR_LINE_MAX (64u << 20) /* a longer line is an error */

#define NAME_SLOTS 8192 /* > 2 * LOGREAD_MAX_ENDPOINTS, a power of two */

/* A set of names: open addressing over an array that only grows. */
typedef struct {
	char (*name)[EV_RESOLVER_MAX];
	int n, cap; /* names held; the most it may hold */
	int *slot; /* NAME_SLOTS entries: index + 1, 0 = empty */
	bool fixed; /* from the profile: nothing is added while reading */
} Names;

struct LogRead {
	int fd;
	char *path;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	bool eof;
	int state; /* 1 reading, 0 done, -1 failed */
	char fail[EV_TEXT_MAX + 256]; /* the error repeated after -1 */
	long line;
	unsigned long skipped;
	bool fast;
	char warning[EV_TEXT_MAX + 256];
	bool has_warning;
	char *state_text; /* the `state` line after the header; NULL */
	size_t state_len;
	/* The line read ahead by logread_open when it was not a state
	 * line: handed out first by logread_next (it still points into
	 * buf, which nothing has refilled since). */
	bool pending;
	const char *pend_line;
	size_t pend_len;
	bool pend_last;
	/* The names events may use: the header profile's endpoints (and
	 * "public" when it has that section) and resolvers, fixed at open;
	 * without a profile, those seen so far, up to the caps. */
	Names eps;
	Names res;
};

/* Fill the buffer; false on a read error (err set). */
static bool
fill(LogRead *r, char *err, size_t cap)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		if (r->cap >= LR_LINE_MAX) {
			snprintf(err, cap, "%s:%ld: line longer than %u bytes",
			    r->path, r->line + 1, LR_LINE_MAX);
			return false;
		}
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap, 1);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, cap, "%s: %s", r->path, strerror(errno));
		return false;
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	return true;
}

/*
 * The next raw line without its line end. Returns 1 (*line, *len, and
 * *last = true when the file ended without a newline), 0 at the end, -1
 * on a read error.
 */
static int
next_line(LogRead *r, const char **line, size_t *len, bool *last, char *err,
    size_t cap)
{
	for (;;) {
		char *s = r->buf + r->start;
		char *nl = memchr(s, '\n', r->end - r->start);
		if (nl != NULL) {
			*line = s;
			*len = (size_t)(nl - s);
			*last = false;
			r->start += *len + 1;
			break;
		}
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			*line = s;
			*len = r->end - r->start;
			*last = true;
			r->start = r->end;
			break;
		}
		if (!fill(r, err, cap))
			return -1;
	}
	r->line++;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* ---- names: what an event may name ---- */

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The slot of s in set: where it is, or the empty one it would take. */
static int *
names_slot(const Names *set, const char *s)
{
	size_t j = name_hash(s) & (NAME_SLOTS - 1);

	while (set->slot[j] != 0 && strcmp(set->name[set->slot[j] - 1], s) != 0)
		j = (j + 1) & (NAME_SLOTS - 1);
	return &set->slot[j];
}

static void
names_init(Names *set, int cap)
{
	memset(set, 0, sizeof(*set));
	set->cap = cap;
	set->slot = xcalloc(NAME_SLOTS, sizeof(*set->slot));
}

/* Add s (cut to size as the event decoder cuts it); false when the set
 * is full. */
static bool
names_add(Names *set, const char *s, size_t size)
{
	char key[EV_RESOLVER_MAX];
	int *slot;

	str_copy(key, size < sizeof(key) ? size : sizeof(key), s);
	slot = names_slot(set, key);
	if (*slot != 0)
		return true;
	if (set->n == set->cap)
		return false;
	set->name = xrealloc(set->name, (size_t)set->n + 1, sizeof(*set->name));
	str_copy(set->name[set->n], sizeof(set->name[0]), key);
	*slot = ++set->n;
	return true;
}

static void
names_fini(Names *set)
{
	free(set->name);
	free(set->slot);
}

/*
 * The header profile's endpoint names (with "public" when it has that
 * section) and resolver addresses into r->eps and r->res, each fixed
 * when the profile lists it. Returns false with err when the profile
 * names more than the caps allow.
 */
static bool
names_from_profile(LogRead *r, const char *json, char *err, size_t cap)
{
	const cJSON *eps, *e, *dns, *res, *a;
	cJSON *root;
	bool ok = true;

	names_init(&r->eps, LOGREAD_MAX_ENDPOINTS);
	names_init(&r->res, LOGREAD_MAX_RESOLVERS);
	if (json == NULL)
		return true;
	root = cJSON_Parse(json);
	eps = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	if (cJSON_IsArray(eps)) {
		r->eps.fixed = true;
		cJSON_ArrayForEach (e, eps) {
			a = cJSON_GetObjectItemCaseSensitive(e, "name");
			if (cJSON_IsString(a) &&
			    !names_add(&r->eps, a->valuestring, EV_NAME_MAX)) {
				snprintf(err, cap,
				    "%s:%ld: the session's profile has more "
				    "than %d endpoints",
				    r->path, r->line, LOGREAD_MAX_ENDPOINTS);
				ok = false;
				goto out;
			}
		}
		/* The client's-eye probe's name is its own: no endpoint
		 * takes it, so it never costs one of the cap. */
		if (cJSON_IsObject(
		        cJSON_GetObjectItemCaseSensitive(root, "public"))) {
			r->eps.cap++;
			names_add(&r->eps, EV_PUBLIC, EV_NAME_MAX);
		}
	}
	dns = cJSON_GetObjectItemCaseSensitive(root, "dns");
	res = cJSON_GetObjectItemCaseSensitive(dns, "resolvers");
	if (cJSON_IsArray(res)) {
		r->res.fixed = true;
		cJSON_ArrayForEach (e, res) {
			a = cJSON_IsObject(e)
			    ? cJSON_GetObjectItemCaseSensitive(e, "addr")
			    : e;
			if (cJSON_IsString(a) &&
			    !names_add(
			        &r->res, a->valuestring, EV_RESOLVER_MAX)) {
				snprintf(err, cap,
				    "%s:%ld: the session's profile has more "
				    "than %d resolvers",
				    r->path, r->line, LOGREAD_MAX_RESOLVERS);
				ok = false;
				goto out;
			}
		}
	}
out:
	cJSON_Delete(root);
	return ok;
}

/* One name of the event: known, or (without a profile) taken while
 * there is room. why gets the reason when not. */
static bool
name_ok(Names *set, const char *s, const char *what, char *why, size_t cap)
{
	char q[4 * EV_RESOLVER_MAX + 1];

	if (s[0] == '\0' || *names_slot(set, s) != 0)
		return true;
	if (set->fixed) {
		snprintf(why, cap, "%s \"%s\" is not in the session's profile",
		    what, utf8_escape(q, sizeof(q), s));
		return false;
	}
	if (names_add(set, s, sizeof(set->name[0])))
		return true;
	snprintf(why, cap,
	    "more than %d %s names, and no profile in the session header to "
	    "check them against",
	    set->cap, what);
	return false;
}

/* Every endpoint and resolver ev names is one the log may name. The
 * served_by of a probe is what the server said, not a name drtop gave:
 * it is not checked against a profile. Without one, a client's-eye
 * probe's served_by counts as a name (a report makes it a row). */
static bool
names_ok(LogRead *r, const Event *ev, char *why, size_t cap)
{
	Names *e = &r->eps, *s = &r->res;
	const char *ep = "endpoint";
	bool ok = true;

	switch (ev->type) {
	case EV_PROBE:
		return name_ok(e, ev->u.probe.endpoint, ep, why, cap) &&
		    (e->fixed || !ev->u.probe.via_public ||
		        name_ok(e, ev->u.probe.served_by, ep, why, cap));
	case EV_HEALTH:
		return name_ok(e, ev->u.health.endpoint, ep, why, cap);
	case EV_ROUTE:
		ok = name_ok(e, ev->u.route.from, ep, why, cap) &&
		    name_ok(e, ev->u.route.to, ep, why, cap);
		for (int i = 0; ok && i < ev->u.route.nshares; i++)
			ok = name_ok(
			    e, ev->u.route.shares[i].name, ep, why, cap);
		return ok;
	case EV_DNS:
		return name_ok(s, ev->u.dns.resolver, "resolver", why, cap) &&
		    name_ok(e, ev->u.dns.endpoint, ep, why, cap);
	case EV_CONVERGED:
	case EV_DIVERGED:
		return name_ok(s, ev->u.conv.resolver, "resolver", why, cap) &&
		    name_ok(e, ev->u.conv.endpoint, ep, why, cap) &&
		    name_ok(e, ev->u.conv.expected, ep, why, cap);
	case EV_CERT:
		return name_ok(e, ev->u.cert.endpoint, ep, why, cap);
	case EV_ACTION:
		return name_ok(e, ev->u.action.from, ep, why, cap) &&
		    name_ok(e, ev->u.action.to, ep, why, cap);
	default:
		return true;
	}
}

/* Columns up to byte off of line, counted in characters from 1. */
static long
column(const char *line, size_t off)
{
	long col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)line[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* A NUL anywhere in a line (a 0x00 byte) or in one of its strings
 * (\u0000), which the JSON parser would cut silently: why says where. */
static bool
nul_free(const char *line, size_t len, char *why, size_t cap)
{
	const char *raw = memchr(line, '\0', len);
	size_t at;

	if (raw != NULL) {
		snprintf(why, cap, "a NUL byte (0x00) at column %ld",
		    column(line, (size_t)(raw - line)));
		return false;
	}
	/* Most lines have no escape at all (a probe line never has). */
	if (memchr(line, '\\', len) != NULL &&
	    jsonlit_first_nul(line, len, &at) != JSONLIT_NUL_NONE) {
		snprintf(why, cap,
		    "a NUL character (\\u0000) in a string at column %ld",
		    column(line, at));
		return false;
	}
	return true;
}

LogRead *
logread_open(const char *path, SessionHeader *hdr, char *err, size_t cap)
{
	LogRead *r;
	const char *line;
	size_t len;
	bool last;
	char why[EV_TEXT_MAX];
	int fd, rc;

	memset(hdr, 0, sizeof(*hdr));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = xstrdup(path);
	r->cap = LR_BLOCK;
	r->buf = xmalloc(r->cap);
	r->state = 1;
	r->fast = true;
	do
		rc = next_line(r, &line, &len, &last, err, cap);
	while (rc == 1 && blank(line, len));
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		snprintf(err, cap, "%s:%ld: empty log: no session header", path,
		    r->line + 1);
		goto fail;
	}
	if (!nul_free(line, len, why, sizeof(why)) ||
	    event_parse_session(line, len, hdr, why, sizeof(why)) != 0) {
		snprintf(err, cap, "%s:%ld: %s%s", path, r->line,
		    last ? "truncated session header: " : "", why);
		goto fail;
	}
	if (!names_from_profile(r, hdr->profile_json, err, cap)) {
		session_header_fini(hdr);
		goto fail;
	}
	/* A drill log's `state` line follows the header: keep it. */
	do
		rc = next_line(r, &line, &len, &last, err, cap);
	while (rc == 1 && blank(line, len));
	if (rc < 0) {
		r->state = -1;
		str_copy(r->fail, sizeof(r->fail), err);
	} else if (rc == 1 && !last && state_is_line(line, len) &&
	    nul_free(line, len, why, sizeof(why))) {
		r->state_text = xstrndup(line, len);
		r->state_len = len;
	} else if (rc == 1) {
		r->pending = true;
		r->pend_line = line;
		r->pend_len = len;
		r->pend_last = last;
	}
	return r;
fail:
	logread_close(r);
	return NULL;
}

int
logread_next(LogRead *r, Event *ev, char *err, size_t cap)
{
	const char *line;
	size_t len;
	bool last;
	char why[EV_TEXT_MAX];
	int rc;

	if (r->state != 1) {
		if (r->state < 0)
			str_copy(err, cap, r->fail);
		return r->state;
	}
	for (;;) {
		if (r->pending) {
			r->pending = false;
			line = r->pend_line;
			len = r->pend_len;
			last = r->pend_last;
			rc = 1;
		} else {
			rc = next_line(r, &line, &len, &last, err, cap);
		}
		if (rc <= 0) {
			r->state = rc;
			if (rc < 0)
				str_copy(r->fail, sizeof(r->fail), err);
			return rc;
		}
		if (blank(line, len))
			continue;
		/* The fast path never accepts a NUL or a backslash, so only
		 * what it leaves needs looking at for them. */
		if (r->fast && fastprobe_parse(line, len, ev)) {
			rc = 1;
		} else if (!nul_free(line, len, why, sizeof(why))) {
			rc = -1;
		} else if (state_is_line(line, len)) {
			continue; /* a state line later in a log: not an event */
		} else {
			rc = event_from_json(line, len, ev, why, sizeof(why));
			if (rc == 0) {
				r->skipped++;
				continue;
			}
		}
		if (rc == 1 && names_ok(r, ev, why, sizeof(why)))
			return 1;
		if (last && rc < 0) {
			snprintf(r->warning, sizeof(r->warning),
			    "%s:%ld: truncated last line skipped (%s)", r->path,
			    r->line, why);
			r->has_warning = true;
			r->state = 0;
			return 0;
		}
		snprintf(err, cap, "%s:%ld: %s", r->path, r->line, why);
		str_copy(r->fail, sizeof(r->fail), err);
		r->state = -1;
		return -1;
	}
}

long
logread_line(const LogRead *r)
{
	return r->line;
}

const char *
logread_warning(const LogRead *r)
{
	return r->has_warning ? r->warning : NULL;
}

const char *
logread_state(const LogRead *r, size_t *len)
{
	if (len != NULL)
		*len = r->state_len;
	return r->state_text;
}

unsigned long
logread_skipped(const LogRead *r)
{
	return r->skipped;
}

void
logread_set_fast(LogRead *r, bool on)
{
	r->fast = on;
}

void
logread_close(LogRead *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	names_fini(&r->eps);
	names_fini(&r->res);
	free(r->buf);
	free(r->path);
	free(r->state_text);
	free(r);
}
