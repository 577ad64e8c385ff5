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

struct SimDns {
	/* Set before the thread starts, read-only afterwards. */
	int fd;
	int stop_r, stop_w;
	int port;
	char name[EV_HOST_MAX];
	int (*choose)(void *ctx, char *region, size_t cap);
	void *ctx;
	pthread_t thread;
	/* Any thread. */
	_Atomic int mode;
	_Atomic int ttl;
	_Atomic uint64_t queries;
	_Atomic bool caching;
	/* simdns thread only. */
	unsigned rng;
	char cached[REGION_MAX]; /* caching: the answer held; "" = none */
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

/*
 * The region to answer with for the service name, and the TTL to give.
 * Without caching: choose() now, the configured TTL. With caching: the
 * answer fetched from choose() at cached_at, held until its TTL runs out,
 * with the time left as the TTL (as a caching resolver in front of the
 * traffic manager would answer). simdns thread only.
 */
static int
current_region(SimDns *s, char *region, size_t cap, uint32_t *ttl)
{
	double now = mono_now();
	int t = atomic_load(&s->ttl);

	if (atomic_load(&s->caching) && t > 0 && s->cached[0] &&
	    now < s->cached_at + s->cached_ttl) {
		double left = s->cached_at + s->cached_ttl - now;

		snprintf(region, cap, "%s", s->cached);
		*ttl = (uint32_t)ceil(left);
		return 0;
	}
	region[0] = '\0';
	if (s->choose(s->ctx, region, cap) != 0 || region[0] == '\0' ||
	    strchr(region, '.'))
		return -1;
	str_copy(s->cached, sizeof(s->cached), region);
	s->cached_at = now;
	s->cached_ttl = t;
	*ttl = (uint32_t)t;
	return 0;
}

/*
 * Write the normal (or chain) answer records for qname/qtype into b.
 * Returns the answer count, or -1 for NXDOMAIN, -2 for SERVFAIL.
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
		if (current_region(s, region, sizeof(region), &ttl) != 0)
			return -2;
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
	flags = DNSWIRE_F_QR | DNSWIRE_F_AA | (m->rd ? DNSWIRE_F_RD : 0);
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

	if (!cfg->name || !cfg->choose ||
	    dnswire_build_query(0, cfg->name, 1, false, probe, sizeof(probe)) ==
	        0) {
		snprintf(err, errcap, "simdns: \"%s\" is not a valid DNS name",
		    cfg->name ? cfg->name : "(null)");
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
	s->fd = s->stop_r = s->stop_w = -1;
	str_copy(s->name, sizeof(s->name), cfg->name);
	s->choose = cfg->choose;
	s->ctx = cfg->ctx;
	atomic_init(&s->mode, SIMDNS_NORMAL);
	atomic_init(&s->ttl, cfg->ttl < 0 ? 0 : cfg->ttl);
	atomic_init(&s->queries, 0);
	atomic_init(&s->caching, cfg->caching);
	s->rng = (unsigned)getpid() ^ (unsigned)(uintptr_t)s;
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

void
simdns_set_caching(SimDns *s, bool on)
{
	atomic_store(&s->caching, on);
}

uint64_t
simdns_queries(const SimDns *s)
{
	return atomic_load(&((SimDns *)s)->queries);
}
