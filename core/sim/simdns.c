/*
 * simdns: see simdns.h for the answers and the DESIGN.
 */
#include "sim/simdns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/thread.h"
#include "base/util.h"
#include "dns/dnswire.h"
#include "sim/netaddr.h"

#define REGION_MAX 64
/* After an upstream fetch timed out: answer SERVFAIL without asking
 * again for this long, so queued queries do not each wait in turn. */
#define UPSTREAM_HOLDOFF_S 1.0

struct SimDns {
	/* Set before the thread starts, read-only afterwards. */
	int fd;
	int up_fd; /* connected to the upstream; -1 without one */
	int stop_r, stop_w;
	int port;
	char name[EV_HOST_MAX];
	int (*choose)(void *ctx, char *region, size_t cap);
	void *ctx;
	int stale, stale_ttl;
	pthread_t thread;
	/* Any thread. */
	_Atomic int mode;
	_Atomic int role;
	_Atomic int ttl;
	_Atomic uint64_t queries;
	_Atomic uint64_t fetches;
	/* simdns thread only. */
	unsigned rng;
	double retry_at; /* no upstream fetch before this (mono_now) */
	/* Written by the simdns thread only, under cache_lock (read by
	 * simdns_cache_state from any thread). */
	pthread_mutex_t cache_lock;
	char cached[REGION_MAX]; /* the answer held; "" = none */
	double cached_at; /* mono_now() when it was fetched */
	int cached_ttl;
};

static const char *const mode_names[SIMDNS__COUNT] = {
    [SIMDNS_NORMAL] = "normal",
    [SIMDNS_NXDOMAIN] = "nxdomain",
    [SIMDNS_SERVFAIL] = "servfail",
    [SIMDNS_REFUSED] = "refused",
    [SIMDNS_SILENT] = "silent",
    [SIMDNS_GARBAGE] = "garbage",
    [SIMDNS_TRUNCATED] = "truncated",
    [SIMDNS_CHAIN] = "chain",
};

const char *
simdns_mode_name(SimDnsMode mode)
{
	if ((int)mode < 0 || mode >= SIMDNS__COUNT)
		return NULL;
	return mode_names[mode];
}

int
simdns_mode_from_name(const char *name)
{
	for (int i = 0; i < SIMDNS__COUNT; i++)
		if (strcmp(mode_names[i], name) == 0)
			return i;
	return -1;
}

static const char *const role_names[SIMDNS__ROLES] = {
    [SIMDNS_AUTHORITATIVE] = "authoritative",
    [SIMDNS_CACHING] = "caching",
    [SIMDNS_STALE] = "stale",
};

const char *
simdns_role_name(SimDnsRole role)
{
	if ((int)role < 0 || role >= SIMDNS__ROLES)
		return NULL;
	return role_names[role];
}

int
simdns_role_from_name(const char *name)
{
	for (int i = 0; i < SIMDNS__ROLES; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

void
simdns_region_addr(const char *region, uint8_t out[4])
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = region; *p; p++) {
		h ^= (uint8_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		h *= 16777619u;
	}
	out[0] = 127;
	out[1] = 0;
	out[2] = 0;
	out[3] = (uint8_t)(2 + h % 253);
}

/* If name is "<label>.<suffix>" with one label, copy the label. */
static bool
one_label_under(const char *name, const char *suffix, char *label, size_t cap)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n <= s + 1 || name[n - s - 1] != '.' ||
	    strncasecmp(name + n - s, suffix, s) != 0)
		return false;
	if (memchr(name, '.', n - s - 1) || n - s - 1 >= cap)
		return false;
	memcpy(label, name, n - s - 1);
	label[n - s - 1] = '\0';
	return true;
}

/* Why a fetch gave no region: the rcode to answer with. */
enum { FETCH_OK = 0, FETCH_SERVFAIL = -2, FETCH_NXDOMAIN = -1 };

/*
 * Ask the upstream server for the service name's A record: on NOERROR
 * with a chain that ends at <region>.SIMDNS_ZONE, the region and the
 * answer's smallest TTL. Waits at most SIMDNS_UPSTREAM_WAIT_MS, less
 * when a stop comes (the stop byte is left for the main loop). Replies
 * that do not answer this query are skipped, as a resolver does.
 * simdns thread only.
 */
static int
fetch_upstream(SimDns *s, char *region, size_t cap, uint32_t *ttl)
{
	DnsMessage *m = xmalloc(sizeof(*m));
	DnsChain *c = xmalloc(sizeof(*c));
	uint8_t q[512], r[DNSWIRE_UDP_MAX];
	uint16_t id = (uint16_t)rand_r(&s->rng);
	size_t qlen =
	    dnswire_build_query(id, s->name, DNSWIRE_T_A, true, q, sizeof(q));
	double end = mono_now() + SIMDNS_UPSTREAM_WAIT_MS / 1000.0;
	int rc = FETCH_SERVFAIL;

	/* Late answers to an earlier fetch: drop them unread. */
	while (recv(s->up_fd, r, sizeof(r), MSG_DONTWAIT) >= 0)
		;
	if (qlen == 0 || send(s->up_fd, q, qlen, 0) != (ssize_t)qlen)
		goto out;
	for (int tries = 0; tries < 64; tries++) {
		double left = end - mono_now();
		struct pollfd pf[2] = {
		    {.fd = s->up_fd, .events = POLLIN},
		    {.fd = s->stop_r, .events = POLLIN},
		};
		ssize_t k;

		if (left <= 0)
			break;
		if (poll(pf, 2, (int)ceil(left * 1000.0)) <= 0 ||
		    pf[1].revents != 0)
			break;
		k = recv(s->up_fd, r, sizeof(r), MSG_DONTWAIT);
		if (k < 0)
			continue; /* ICMP refused comes back here too */
		if (dnswire_parse(r, (size_t)k, m, NULL, 0) != 0 ||
		    dnswire_check_reply(m, id, s->name, DNSWIRE_T_A, NULL, 0) !=
		        0)
			continue;
		if (m->rcode == DNSWIRE_RCODE_NXDOMAIN) {
			rc = FETCH_NXDOMAIN;
			goto out;
		}
		if (m->rcode != DNSWIRE_RCODE_NOERROR)
			goto out;
		dnswire_follow(m, s->name, c);
		if (c->nchain == 0 ||
		    !one_label_under(c->final_name, SIMDNS_ZONE, region, cap) ||
		    strcasecmp(region, "alias") == 0)
			goto out;
		*ttl = c->has_ttl ? c->min_ttl : 0;
		rc = FETCH_OK;
		goto out;
	}
	/* No usable answer in time: hold off before asking again. */
	s->retry_at = mono_now() + UPSTREAM_HOLDOFF_S;
out:
	free(c);
	free(m);
	return rc;
}

/* A fetch of the service name's region: from the upstream, else from
 * choose() with the configured TTL. simdns thread only. */
static int
fetch_region(SimDns *s, double now, char *region, size_t cap, uint32_t *ttl)
{
	atomic_fetch_add(&s->fetches, 1);
	region[0] = '\0';
	if (s->up_fd >= 0) {
		if (now < s->retry_at)
			return FETCH_SERVFAIL;
		return fetch_upstream(s, region, cap, ttl);
	}
	if (s->choose == NULL || s->choose(s->ctx, region, cap) != 0 ||
	    region[0] == '\0' || strchr(region, '.'))
		return FETCH_SERVFAIL;
	*ttl = (uint32_t)atomic_load(&s->ttl);
	return FETCH_OK;
}

/*
 * The region to answer with for the service name, and the TTL to give
 * (see the roles in simdns.h). Returns FETCH_OK, or FETCH_SERVFAIL /
 * FETCH_NXDOMAIN for the rcode to answer with. simdns thread only.
 */
static int
current_region(SimDns *s, char *region, size_t cap, uint32_t *ttl)
{
	double now = mono_now();
	int role = atomic_load(&s->role);
	char held[REGION_MAX];
	double at, expires;
	int rc;

	if (role == SIMDNS_AUTHORITATIVE)
		return fetch_region(s, now, region, cap, ttl);
	pthread_mutex_lock(&s->cache_lock);
	str_copy(held, sizeof(held), s->cached);
	at = s->cached_at;
	expires = s->cached_at + s->cached_ttl;
	pthread_mutex_unlock(&s->cache_lock);
	if (held[0] != '\0' && now < expires) {
		str_copy(region, cap, held);
		*ttl = (uint32_t)ceil(expires - now);
		return FETCH_OK;
	}
	if (held[0] != '\0' && role == SIMDNS_STALE && now >= at &&
	    now < expires + s->stale) {
		str_copy(region, cap, held);
		*ttl = (uint32_t)s->stale_ttl;
		return FETCH_OK;
	}
	rc = fetch_region(s, now, region, cap, ttl);
	if (rc != FETCH_OK)
		return rc;
	pthread_mutex_lock(&s->cache_lock);
	str_copy(s->cached, sizeof(s->cached), region);
	s->cached_at = now;
	s->cached_ttl = (int)(*ttl > 604800 ? 604800 : *ttl);
	pthread_mutex_unlock(&s->cache_lock);
	return FETCH_OK;
}

/*
 * Write the normal (or chain) answer records for qname/qtype into b.
 * Returns the answer count, or FETCH_NXDOMAIN (-1) for NXDOMAIN,
 * FETCH_SERVFAIL (-2) for SERVFAIL.
 */
static int
put_answers(
    SimDns *s, DnsBuilder *b, const char *qname, uint16_t qtype, bool chain)
{
	char region[REGION_MAX], rname[EV_HOST_MAX], alias[EV_HOST_MAX];
	char label[REGION_MAX];
	uint32_t ttl = (uint32_t)atomic_load(&s->ttl);
	uint8_t addr[4];
	int n = 0;

	if (dnswire_name_eq(qname, s->name)) {
		int rc = current_region(s, region, sizeof(region), &ttl);
		if (rc != FETCH_OK)
			return rc;
		snprintf(rname, sizeof(rname), "%s.%s", region, SIMDNS_ZONE);
		if (chain) {
			snprintf(alias, sizeof(alias), "tm-%s.alias.%s", region,
			    SIMDNS_ZONE);
			dnswire_put_cname(b, qname, ttl, alias);
			dnswire_put_cname(b, alias, ttl, rname);
			n += 2;
		} else {
			dnswire_put_cname(b, qname, ttl, rname);
			n++;
		}
	} else if (one_label_under(
	               qname, "alias." SIMDNS_ZONE, label, sizeof(label)) &&
	    str_starts(label, "tm-") && label[3] != '\0') {
		snprintf(region, sizeof(region), "%s", label + 3);
		snprintf(rname, sizeof(rname), "%s.%s", region, SIMDNS_ZONE);
		dnswire_put_cname(b, qname, ttl, rname);
		n++;
	} else if (one_label_under(qname, SIMDNS_ZONE, label, sizeof(label)) &&
	    strcasecmp(label, "alias") != 0) {
		snprintf(region, sizeof(region), "%s", label);
		snprintf(rname, sizeof(rname), "%s", qname);
	} else {
		return -1;
	}
	if (qtype == DNSWIRE_T_A) {
		simdns_region_addr(region, addr);
		dnswire_put_a(b, rname, ttl, addr);
		n++;
	}
	return n;
}

static void
answer(SimDns *s, const uint8_t *q, size_t qlen, const struct sockaddr *from,
    socklen_t fromlen)
{
	DnsMessage *m = xmalloc(sizeof(*m));
	uint8_t out[DNSWIRE_UDP_MAX];
	DnsBuilder b;
	int mode = atomic_load(&s->mode);
	uint16_t flags;
	size_t len, mark;
	int n = 0, rcode = DNSWIRE_RCODE_NOERROR;

	atomic_fetch_add(&s->queries, 1);
	if (mode == SIMDNS_SILENT)
		goto out;
	if (mode == SIMDNS_GARBAGE) {
		len = 1 + (size_t)(rand_r(&s->rng) % 64);
		for (size_t i = 0; i < len; i++)
			out[i] = (uint8_t)rand_r(&s->rng);
		sendto(s->fd, out, len, 0, from, fromlen);
		goto out;
	}
	if (dnswire_parse(q, qlen, m, NULL, 0) < 0 || m->qr)
		goto out; /* not a query: drop, as servers do */
	/* The manager's name server is authoritative (AA); a resolver
	 * offers recursion (RA). */
	flags = DNSWIRE_F_QR | (m->rd ? DNSWIRE_F_RD : 0) |
	    (atomic_load(&s->role) == SIMDNS_AUTHORITATIVE ? DNSWIRE_F_AA
	                                                   : DNSWIRE_F_RA);
	dnswire_builder_init(&b, out, sizeof(out));
	if (m->qdcount != 1 || m->opcode != 0) {
		dnswire_put_header(
		    &b, m->id, flags | DNSWIRE_RCODE_FORMERR, 0, 0, 0, 0);
		goto send;
	}
	dnswire_put_header(&b, m->id, flags, 1, 0, 0, 0);
	dnswire_put_question(&b, m->qname, m->qtype, m->qclass);
	mark = b.len;
	switch (mode) {
	case SIMDNS_NXDOMAIN:
		rcode = DNSWIRE_RCODE_NXDOMAIN;
		break;
	case SIMDNS_SERVFAIL:
		rcode = DNSWIRE_RCODE_SERVFAIL;
		break;
	case SIMDNS_REFUSED:
		rcode = DNSWIRE_RCODE_REFUSED;
		break;
	default:
		n = m->qclass == DNSWIRE_C_IN
		    ? put_answers(
		          s, &b, m->qname, m->qtype, mode == SIMDNS_CHAIN)
		    : -1;
		if (n == -1)
			rcode = DNSWIRE_RCODE_NXDOMAIN;
		else if (n == -2)
			rcode = DNSWIRE_RCODE_SERVFAIL;
		if (n < 0) {
			n = 0;
			b.len = mark;
		}
	}
	if (b.overflow)
		goto out;
	/* Patch the rcode and the answer count into the header. */
	out[3] = (uint8_t)((out[3] & 0xf0) | rcode);
	out[6] = (uint8_t)(n >> 8);
	out[7] = (uint8_t)n;
send:
	len = dnswire_builder_len(&b);
	if (len == 0)
		goto out;
	if (mode == SIMDNS_TRUNCATED && n > 0)
		len -= 2; /* inside the last record */
	sendto(s->fd, out, len, 0, from, fromlen);
out:
	free(m);
}

static void *
simdns_main(void *arg)
{
	SimDns *s = arg;
	uint8_t buf[DNSWIRE_UDP_MAX];

	for (;;) {
		struct pollfd pf[2] = {
		    {.fd = s->fd, .events = POLLIN},
		    {.fd = s->stop_r, .events = POLLIN},
		};
		int r = poll(pf, 2, -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		/* Bounded: at most 64 datagrams per wake-up. */
		for (int i = 0; i < 64; i++) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t k = recvfrom(s->fd, buf, sizeof(buf),
			    MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

			if (k < 0)
				break;
			answer(s, buf, (size_t)k, (struct sockaddr *)&from, fl);
		}
	}
	return NULL;
}

/* "ADDR:PORT" or "[V6]:PORT" into *ss / *sl; -1 when it is not that,
 * or not loopback. */
static int
parse_upstream(const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	char *end;
	long port;
	size_t n;

	if (colon == NULL)
		return -1;
	n = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (n < 2 || spec[n - 1] != ']')
			return -1;
		spec++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, spec, n);
	host[n] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
		return -1;
	if (netaddr_make(host, (int)port, ss, sl) != 0 ||
	    !netaddr_is_loopback(ss))
		return -1;
	return 0;
}

/* Connect s->up_fd to spec. 0, or -1 with err set. */
static int
open_upstream(SimDns *s, const char *spec, char *err, size_t errcap)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (parse_upstream(spec, &ss, &sl) != 0) {
		snprintf(err, errcap,
		    "simdns: upstream \"%s\": not a loopback ADDR:PORT", spec);
		return -1;
	}
	s->up_fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->up_fd < 0 ||
	    connect(s->up_fd, (struct sockaddr *)&ss, sl) != 0) {
		snprintf(err, errcap, "simdns: upstream %s: %s", spec,
		    strerror(errno));
		return -1;
	}
	return 0;
}

SimDns *
simdns_start(const SimDnsConfig *cfg, char *err, size_t errcap)
{
	const char *addr = cfg->bind_addr ? cfg->bind_addr : "127.0.0.1";
	struct sockaddr_storage ss;
	socklen_t sl;
	SimDns *s;
	int fds[2];
	uint8_t probe[300];
	int rc;

	if (!cfg->name ||
	    dnswire_build_query(0, cfg->name, 1, false, probe, sizeof(probe)) ==
	        0) {
		snprintf(err, errcap, "simdns: \"%s\" is not a valid DNS name",
		    cfg->name ? cfg->name : "(null)");
		return NULL;
	}
	if ((int)cfg->role < 0 || cfg->role >= SIMDNS__ROLES ||
	    cfg->stale < 0 || cfg->stale_ttl < 0) {
		snprintf(err, errcap, "simdns: bad role or stale settings");
		return NULL;
	}
	if (cfg->choose == NULL &&
	    (cfg->role == SIMDNS_AUTHORITATIVE || cfg->upstream == NULL)) {
		snprintf(err, errcap, "simdns: %s server needs %s",
		    simdns_role_name(cfg->role),
		    cfg->role == SIMDNS_AUTHORITATIVE
		        ? "a choose callback"
		        : "choose or an upstream");
		return NULL;
	}
	if (cfg->port < 0 || cfg->port > 65535 ||
	    netaddr_make(addr, cfg->port, &ss, &sl) != 0 ||
	    !netaddr_is_loopback(&ss)) {
		snprintf(err, errcap,
		    "simdns: %s port %d: not a loopback address and port", addr,
		    cfg->port);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = s->up_fd = s->stop_r = s->stop_w = -1;
	str_copy(s->name, sizeof(s->name), cfg->name);
	s->choose = cfg->choose;
	s->ctx = cfg->ctx;
	s->stale = cfg->stale;
	s->stale_ttl = cfg->stale_ttl;
	atomic_init(&s->mode, SIMDNS_NORMAL);
	atomic_init(&s->role, (int)cfg->role);
	atomic_init(&s->ttl, cfg->ttl < 0 ? 0 : cfg->ttl);
	atomic_init(&s->queries, 0);
	atomic_init(&s->fetches, 0);
	pthread_mutex_init(&s->cache_lock, NULL);
	s->rng = (unsigned)getpid() ^ (unsigned)(uintptr_t)s;
	if (cfg->upstream != NULL &&
	    open_upstream(s, cfg->upstream, err, errcap) != 0)
		goto fail;
	s->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&ss, sl) != 0) {
		snprintf(err, errcap, "simdns: bind %s port %d: %s", addr,
		    cfg->port, strerror(errno));
		goto fail;
	}
	s->port = netaddr_bound_port(s->fd);
	if (s->port < 0) {
		snprintf(
		    err, errcap, "simdns: getsockname: %s", strerror(errno));
		goto fail;
	}
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(err, errcap, "simdns: pipe: %s", strerror(errno));
		goto fail;
	}
	s->stop_r = fds[0];
	s->stop_w = fds[1];
	rc = thread_start(&s->thread, simdns_main, s);
	if (rc != 0) {
		snprintf(err, errcap, "simdns: cannot start thread: %s",
		    strerror(rc));
		goto fail;
	}
	return s;
fail:
	if (s->stop_w >= 0)
		close(s->stop_w);
	if (s->stop_r >= 0)
		close(s->stop_r);
	if (s->fd >= 0)
		close(s->fd);
	if (s->up_fd >= 0)
		close(s->up_fd);
	pthread_mutex_destroy(&s->cache_lock);
	free(s);
	return NULL;
}

void
simdns_stop(SimDns *s)
{
	char b = 1;

	if (!s)
		return;
	while (write(s->stop_w, &b, 1) < 0 && errno == EINTR)
		;
	pthread_join(s->thread, NULL);
	close(s->stop_w);
	close(s->stop_r);
	close(s->fd);
	if (s->up_fd >= 0)
		close(s->up_fd);
	pthread_mutex_destroy(&s->cache_lock);
	free(s);
}

int
simdns_port(const SimDns *s)
{
	return s->port;
}

void
simdns_set_mode(SimDns *s, SimDnsMode mode)
{
	if ((int)mode >= 0 && mode < SIMDNS__COUNT)
		atomic_store(&s->mode, (int)mode);
}

SimDnsMode
simdns_mode(const SimDns *s)
{
	return (SimDnsMode)atomic_load(&((SimDns *)s)->mode);
}

void
simdns_set_ttl(SimDns *s, int ttl)
{
	atomic_store(&s->ttl, ttl < 0 ? 0 : ttl);
}

int
simdns_ttl(const SimDns *s)
{
	return atomic_load(&((SimDns *)s)->ttl);
}

void
simdns_set_role(SimDns *s, SimDnsRole role)
{
	if ((int)role >= 0 && role < SIMDNS__ROLES)
		atomic_store(&s->role, (int)role);
}

SimDnsRole
simdns_role(const SimDns *s)
{
	return (SimDnsRole)atomic_load(&((SimDns *)s)->role);
}

uint64_t
simdns_queries(const SimDns *s)
{
	return atomic_load(&((SimDns *)s)->queries);
}

uint64_t
simdns_fetches(const SimDns *s)
{
	return atomic_load(&((SimDns *)s)->fetches);
}

bool
simdns_cache_state(SimDns *s, char *region, size_t cap, double *left)
{
	bool held;

	pthread_mutex_lock(&s->cache_lock);
	held = s->cached[0] != '\0' &&
	    atomic_load(&s->role) != SIMDNS_AUTHORITATIVE;
	str_copy(region, cap, held ? s->cached : "");
	if (left != NULL)
		*left = held ? s->cached_at + s->cached_ttl - mono_now() : 0;
	pthread_mutex_unlock(&s->cache_lock);
	return held;
}
