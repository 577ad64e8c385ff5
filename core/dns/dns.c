/*
 * dns: the DNS observer; see dns.h for the DESIGN.
 */
#include "dns/dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <resolv.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/thread.h"
#include "base/util.h"
#include "dns/dnswire.h"

#define MAX_ROUNDS 8 /* re-queries of a dangling CNAME target */

typedef struct {
	DnsObserver *o; /* back pointer, read-only */
	char label[EV_RESOLVER_MAX]; /* the spec as written */
	char name[EV_NAME_MAX]; /* display name; "" = the label */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	pthread_t thread;
	bool started; /* main thread only */
} Polled;

struct DnsObserver {
	/* Read-only once the threads run. */
	const Profile *p;
	Queue *q;
	double t0;
	double interval, timeout;
	int nres;
	Polled res[PROFILE_MAX_RESOLVERS];
	int stop_r, stop_w;
	/* Any thread. */
	atomic_bool stopping;
};

/* What one poll learned; the resolver thread's own. */
typedef struct {
	bool answered; /* a valid A response arrived */
	int rcode;
	int nchain, naddrs;
	char chain[EV_ANSWERS_MAX][EV_HOST_MAX];
	char addrs[EV_ANSWERS_MAX][EV_HOST_MAX];
	bool has_ttl;
	uint32_t ttl;
	double ms;
	char error[EV_TEXT_MAX]; /* first problem met; "" = none */
	bool stop;
} PollResult;

/* --- resolver specs --- */

static int
system_resolver(
    struct sockaddr_storage *ss, socklen_t *sl, char *err, size_t errcap)
{
	struct __res_state st;
	int rc = -1;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		snprintf(err, errcap, "system: cannot read /etc/resolv.conf");
		return -1;
	}
	if (st.nscount > 0 && st.nsaddr_list[0].sin_family == AF_INET) {
		memcpy(ss, &st.nsaddr_list[0], sizeof(struct sockaddr_in));
		*sl = sizeof(struct sockaddr_in);
		rc = 0;
	} else if (st.nscount > 0 && st._u._ext.nsaddrs[0] &&
	    st._u._ext.nsaddrs[0]->sin6_family == AF_INET6) {
		memcpy(ss, st._u._ext.nsaddrs[0], sizeof(struct sockaddr_in6));
		*sl = sizeof(struct sockaddr_in6);
		rc = 0;
	} else {
		snprintf(err, errcap, "system: no nameserver in resolv.conf");
	}
	res_nclose(&st);
	return rc;
}

int
dns_resolver_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *sl,
    char *err, size_t errcap)
{
	if (strcmp(spec, "system") == 0)
		return system_resolver(ss, sl, err, errcap);
	if (profile_resolver_addr(spec, ss, sl) == 0)
		return 0;
	snprintf(err, errcap,
	    "\"%s\" is not a resolver (use \"system\", an IP address, "
	    "\"ADDR:PORT\" or \"[V6]:PORT\")",
	    spec);
	return -1;
}

/* --- endpoint mapping --- */

int
dns_match_endpoint(const Profile *p, const DnsEvent *ev)
{
	for (int a = 0; a < ev->nanswers; a++) {
		for (int i = 0; i < p->nendpoints; i++) {
			const Endpoint *e = &p->endpoints[i];

			if (e->ndns_answers == 0) {
				if (e->host &&
				    dnswire_name_eq(e->host, ev->answers[a]))
					return i;
				continue;
			}
			for (int k = 0; k < e->ndns_answers; k++)
				if (e->dns_answers[k] &&
				    dnswire_name_eq(
				        e->dns_answers[k], ev->answers[a]))
					return i;
		}
	}
	return -1;
}

/* --- one poll --- */

static void note_error(PollResult *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_error(PollResult *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error[0])
		return; /* the first problem of a poll is the one reported */
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

static uint16_t
random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(mono_now() * 1e6);
	return id;
}

static bool
seen(char list[][EV_HOST_MAX], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (dnswire_name_eq(list[i], s))
			return true;
	return false;
}

static void
merge_chain(PollResult *r, const DnsChain *c)
{
	for (int i = 0; i < c->nchain; i++)
		if (r->nchain < EV_ANSWERS_MAX &&
		    !seen(r->chain, r->nchain, c->chain[i]))
			str_copy(
			    r->chain[r->nchain++], EV_HOST_MAX, c->chain[i]);
	for (int i = 0; i < c->naddrs; i++)
		if (r->naddrs < EV_ANSWERS_MAX &&
		    !seen(r->addrs, r->naddrs, c->addrs[i]))
			str_copy(
			    r->addrs[r->naddrs++], EV_HOST_MAX, c->addrs[i]);
	if (c->has_ttl && (!r->has_ttl || c->min_ttl < r->ttl)) {
		r->ttl = c->min_ttl;
		r->has_ttl = true;
	}
}

static int
remaining_ms(double deadline)
{
	double left = deadline - mono_now();

	if (left <= 0)
		return 0;
	return (int)ceil(left * 1000.0);
}

/* Wait for fd to be ready for events, or the deadline, or stop.
 * Returns 1 ready, 0 timeout, -1 stop or error. */
static int
wait_fd(const DnsObserver *o, int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd pf[2] = {
		    {.fd = fd, .events = events},
		    {.fd = o->stop_r, .events = POLLIN},
		};
		int ms = remaining_ms(deadline);
		int k;

		if (ms == 0)
			return 0;
		k = poll(pf, 2, ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || pf[1].revents)
			return -1;
		if (k == 0)
			continue; /* re-check the deadline */
		return 1;
	}
}

/*
 * DNS over TCP for one query (after a TC response): connect, send with
 * the 2-byte length, read one response. Returns its length, or -1 with
 * why in err.
 */
static ssize_t
tcp_query(const DnsObserver *o, const Polled *rs, const uint8_t *qry,
    size_t qlen, uint8_t *resp, size_t cap, double deadline, char *err,
    size_t errcap)
{
	uint8_t out[2 + 512];
	uint8_t hdr[2];
	size_t got = 0, want = 0, sent = 0;
	ssize_t k;
	int fd, w, soerr = 0;
	socklen_t sl = sizeof(soerr);
	ssize_t rc = -1;

	if (qlen > 512) {
		snprintf(err, errcap, "query too long");
		return -1;
	}
	fd = socket(
	    rs->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errcap, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&rs->addr, rs->addrlen) != 0 &&
	    errno != EINPROGRESS) {
		snprintf(err, errcap, "connect: %s", strerror(errno));
		goto out;
	}
	if ((w = wait_fd(o, fd, POLLOUT, deadline)) <= 0) {
		snprintf(err, errcap, w == 0 ? "connect timed out" : "stopped");
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
		snprintf(err, errcap, "connect: %s", strerror(soerr));
		goto out;
	}
	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, qry, qlen);
	while (sent < qlen + 2) {
		k = send(fd, out + sent, qlen + 2 - sent, MSG_NOSIGNAL);
		if (k < 0 && errno == EAGAIN) {
			if (wait_fd(o, fd, POLLOUT, deadline) <= 0)
				break;
			continue;
		}
		if (k <= 0)
			break;
		sent += (size_t)k;
	}
	if (sent < qlen + 2) {
		snprintf(err, errcap, "send failed");
		goto out;
	}
	/* Read the 2-byte length, then the message. */
	while (got < 2 || got < 2 + want) {
		uint8_t *dst = got < 2 ? hdr + got : resp + (got - 2);
		size_t n = got < 2 ? 2 - got : want - (got - 2);

		k = recv(fd, dst, n, 0);
		if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((w = wait_fd(o, fd, POLLIN, deadline)) <= 0) {
				snprintf(err, errcap,
				    w == 0 ? "read timed out" : "stopped");
				goto out;
			}
			continue;
		}
		if (k <= 0) {
			snprintf(err, errcap, "connection closed early");
			goto out;
		}
		got += (size_t)k;
		if (got == 2) {
			want = (size_t)((hdr[0] << 8) | hdr[1]);
			if (want == 0 || want > cap) {
				snprintf(err, errcap, "bad length %zu", want);
				goto out;
			}
		}
	}
	rc = (ssize_t)want;
out:
	close(fd);
	return rc;
}

/* One query of a round and its answer. */
typedef struct {
	uint16_t id;
	uint16_t qtype;
	uint8_t q[512];
	size_t qlen;
	bool done;
	DnsMessage *m;
	double t_done;
} Query;

static void
handle_reply(DnsObserver *o, const Polled *rs, Query *qu, const uint8_t *pkt,
    size_t len, const char *qname, PollResult *r, double deadline)
{
	char why[160];
	uint8_t *tbuf;
	ssize_t tl;

	if (dnswire_parse(pkt, len, qu->m, why, sizeof(why)) < 0) {
		note_error(r, "resolver %s: malformed response (%zu bytes): %s",
		    rs->label, len, why);
		return;
	}
	if (dnswire_check_reply(
	        qu->m, qu->id, qname, qu->qtype, why, sizeof(why)) < 0) {
		note_error(r, "resolver %s: bad response: %s", rs->label, why);
		return;
	}
	qu->done = true;
	qu->t_done = mono_now();
	if (!qu->m->tc)
		return;
	/* Truncated: ask again over TCP within the same deadline. */
	tbuf = xmalloc(65536);
	tl = tcp_query(
	    o, rs, qu->q, qu->qlen, tbuf, 65536, deadline, why, sizeof(why));
	if (tl < 0) {
		note_error(r,
		    "resolver %s: truncated (TC) response for %s and the TCP "
		    "retry failed (%s); using the truncated answer",
		    rs->label, qu->qtype == DNSWIRE_T_A ? "A" : "AAAA", why);
	} else {
		DnsMessage *m2 = xmalloc(sizeof(*m2));

		if (dnswire_parse(tbuf, (size_t)tl, m2, why, sizeof(why)) < 0 ||
		    dnswire_check_reply(
		        m2, qu->id, qname, qu->qtype, why, sizeof(why)) < 0) {
			note_error(r,
			    "resolver %s: bad TCP response after TC: %s; "
			    "using the truncated answer",
			    rs->label, why);
		} else {
			*qu->m = *m2;
			qu->t_done = mono_now();
		}
		free(m2);
	}
	free(tbuf);
}

/*
 * One round: A and AAAA for qname on a fresh connected UDP socket, both
 * waited for up to the timeout. Sets qa/q6->done for the valid answers
 * and notes the first problem in r. Returns false only when stopped.
 */
static bool
query_round(DnsObserver *o, const Polled *rs, const char *qname, Query *qa,
    Query *q6, PollResult *r, double *t_sent)
{
	uint8_t buf[DNSWIRE_UDP_MAX];
	double deadline;
	bool ok = true, refused = false;
	int fd;

	qa->done = q6->done = false;
	qa->qtype = DNSWIRE_T_A;
	q6->qtype = DNSWIRE_T_AAAA;
	qa->id = random_id();
	do
		q6->id = random_id();
	while (q6->id == qa->id);
	qa->qlen = dnswire_build_query(
	    qa->id, qname, DNSWIRE_T_A, true, qa->q, sizeof(qa->q));
	q6->qlen = dnswire_build_query(
	    q6->id, qname, DNSWIRE_T_AAAA, true, q6->q, sizeof(q6->q));
	if (qa->qlen == 0 || q6->qlen == 0) {
		note_error(r, "resolver %s: \"%s\" is not a valid DNS name",
		    rs->label, qname);
		return true;
	}
	fd = socket(
	    rs->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    connect(fd, (const struct sockaddr *)&rs->addr, rs->addrlen) != 0) {
		note_error(
		    r, "resolver %s: socket: %s", rs->label, strerror(errno));
		if (fd >= 0)
			close(fd);
		return true;
	}
	*t_sent = mono_now();
	deadline = *t_sent + o->timeout;
	if (send(fd, qa->q, qa->qlen, 0) < 0 ||
	    send(fd, q6->q, q6->qlen, 0) < 0) {
		note_error(
		    r, "resolver %s: send: %s", rs->label, strerror(errno));
		close(fd);
		return true;
	}
	while (!(qa->done && q6->done)) {
		int w = wait_fd(o, fd, POLLIN, deadline);

		if (w < 0) {
			ok = false;
			break;
		}
		if (w == 0)
			break;
		/* Bounded: a flood is read 32 datagrams per wake-up. */
		for (int i = 0; i < 32; i++) {
			ssize_t k = recv(fd, buf, sizeof(buf), 0);

			if (k < 0) {
				if (errno == ECONNREFUSED)
					refused = true;
				break;
			}
			if (k >= 2 && !qa->done &&
			    ((buf[0] << 8) | buf[1]) == qa->id)
				handle_reply(o, rs, qa, buf, (size_t)k, qname,
				    r, deadline);
			else if (k >= 2 && !q6->done &&
			    ((buf[0] << 8) | buf[1]) == q6->id)
				handle_reply(o, rs, q6, buf, (size_t)k, qname,
				    r, deadline);
			else if (k >= 2 &&
			    (((buf[0] << 8) | buf[1]) == qa->id ||
			        ((buf[0] << 8) | buf[1]) == q6->id))
				; /* a duplicate of an answered query */
			else if (k < 12)
				note_error(r,
				    "resolver %s: malformed response (%zd "
				    "bytes): shorter than a header",
				    rs->label, k);
			else
				note_error(r,
				    "resolver %s: response with a wrong ID "
				    "%u (expected %u or %u)",
				    rs->label,
				    (unsigned)((buf[0] << 8) | buf[1]),
				    (unsigned)qa->id, (unsigned)q6->id);
		}
		if (refused) {
			note_error(r,
			    "resolver %s: port unreachable (connection "
			    "refused)",
			    rs->label);
			break;
		}
	}
	close(fd);
	return ok;
}

static void
do_poll(DnsObserver *o, const Polled *rs, PollResult *r)
{
	Query qa, q6;
	DnsChain *c = xmalloc(sizeof(*c));
	char qname[EV_HOST_MAX];
	double t_sent = 0, t_first = -1;

	memset(r, 0, sizeof(*r));
	r->ms = -1;
	qa.m = xmalloc(sizeof(DnsMessage));
	q6.m = xmalloc(sizeof(DnsMessage));
	str_copy(qname, sizeof(qname), o->p->dns.name);
	for (int round = 0; round < MAX_ROUNDS; round++) {
		if (!query_round(o, rs, qname, &qa, &q6, r, &t_sent)) {
			r->stop = true;
			break;
		}
		if (t_first < 0)
			t_first = t_sent;
		if (!qa.done) {
			/* The A query of this round got no answer. For a
			 * re-query the first round's answer still stands. */
			if (round > 0)
				note_error(r,
				    "resolver %s: no answer for the CNAME "
				    "target %s",
				    rs->label, qname);
			break;
		}
		r->ms = (qa.t_done - t_first) * 1000.0;
		if (round == 0) {
			r->answered = true;
			r->rcode = qa.m->rcode;
		}
		dnswire_follow(qa.m, qname, c);
		merge_chain(r, c);
		if (q6.done && q6.m->rcode == DNSWIRE_RCODE_NOERROR) {
			DnsChain *c6 = xmalloc(sizeof(*c6));

			dnswire_follow(q6.m, qname, c6);
			merge_chain(r, c6);
			free(c6);
		}
		/* Re-query only a CNAME target the resolver left dangling. */
		if (qa.m->rcode != DNSWIRE_RCODE_NOERROR || c->nchain == 0 ||
		    c->naddrs > 0 || c->loop || r->nchain >= DNSWIRE_CHAIN_MAX)
			break;
		str_copy(qname, sizeof(qname), c->final_name);
	}
	free(qa.m);
	free(q6.m);
	free(c);
}

static void
push_result(DnsObserver *o, const Polled *rs, const PollResult *r)
{
	Event ev;
	DnsEvent *d = &ev.u.dns;
	double now = mono_now() - o->t0;
	int idx;

	if (r->error[0]) {
		event_init(&ev, EV_ERROR, now);
		str_copy(ev.u.error.source, sizeof(ev.u.error.source), "dns");
		str_copy(
		    ev.u.error.message, sizeof(ev.u.error.message), r->error);
		queue_try_push(o->q, &ev);
	}
	event_init(&ev, EV_DNS, now);
	str_copy(d->resolver, sizeof(d->resolver), rs->label);
	str_copy(d->resolver_name, sizeof(d->resolver_name), rs->name);
	str_copy(d->name, sizeof(d->name), o->p->dns.name);
	d->ttl = -1;
	d->ms = -1;
	if (!r->answered) {
		str_copy(d->rcode, sizeof(d->rcode), "TIMEOUT");
		queue_try_push(o->q, &ev);
		return;
	}
	dnswire_rcode_name(r->rcode, d->rcode, sizeof(d->rcode));
	for (int i = 0; i < r->nchain && d->nanswers < EV_ANSWERS_MAX; i++)
		str_copy(d->answers[d->nanswers++], EV_HOST_MAX, r->chain[i]);
	for (int i = 0; i < r->naddrs && d->nanswers < EV_ANSWERS_MAX; i++)
		str_copy(d->answers[d->nanswers++], EV_HOST_MAX, r->addrs[i]);
	if (r->has_ttl)
		d->ttl = r->ttl > 0x7fffffff ? 0x7fffffff : (int)r->ttl;
	d->ms = r->ms;
	idx = dns_match_endpoint(o->p, d);
	if (idx >= 0)
		str_copy(d->endpoint, sizeof(d->endpoint),
		    o->p->endpoints[idx].name);
	queue_try_push(o->q, &ev);
}

static void *
resolver_main(void *arg)
{
	Polled *rs = arg;
	DnsObserver *o = rs->o;
	double start = mono_now();
	long k = 0;

	while (!atomic_load(&o->stopping)) {
		PollResult *r = xmalloc(sizeof(*r));
		double next, now;
		bool stop;

		do_poll(o, rs, r);
		stop = r->stop;
		if (!stop)
			push_result(o, rs, r);
		free(r);
		if (stop)
			break;
		/* The next slot in the future; missed slots are skipped. */
		now = mono_now();
		k = k + 1;
		if (start + (double)k * o->interval <= now)
			k = (long)floor((now - start) / o->interval) + 1;
		next = start + (double)k * o->interval;
		if (wait_fd(o, -1, 0, next) < 0)
			break;
	}
	return NULL;
}

/* --- lifecycle --- */

DnsObserver *
dns_observer_new(
    const Profile *p, Queue *q, double t0, char *err, size_t errcap)
{
	DnsObserver *o = xcalloc(1, sizeof(*o));

	o->p = p;
	o->q = q;
	o->t0 = t0;
	o->stop_r = o->stop_w = -1;
	atomic_init(&o->stopping, false);
	if (!p->dns.name)
		return o;
	o->interval = p->dns.interval > 0 ? p->dns.interval : 5;
	o->timeout = p->dns.timeout > 0 ? p->dns.timeout
	                                : (o->interval < 1 ? o->interval : 1);
	for (int i = 0; i < p->dns.nresolvers && i < PROFILE_MAX_RESOLVERS;
	     i++) {
		Polled *rs = &o->res[o->nres];
		char why[200];

		if (dns_resolver_parse(p->dns.resolvers[i].addr, &rs->addr,
		        &rs->addrlen, why, sizeof(why)) < 0) {
			snprintf(err, errcap, "dns.resolvers[%d]: %s", i, why);
			free(o);
			return NULL;
		}
		rs->o = o;
		str_copy(
		    rs->label, sizeof(rs->label), p->dns.resolvers[i].addr);
		if (strcmp(p->dns.resolvers[i].name, p->dns.resolvers[i].addr))
			str_copy(rs->name, sizeof(rs->name),
			    p->dns.resolvers[i].name);
		o->nres++;
	}
	return o;
}

static void
stop_threads(DnsObserver *o)
{
	char b = 1;

	atomic_store(&o->stopping, true);
	if (o->stop_w >= 0)
		while (write(o->stop_w, &b, 1) < 0 && errno == EINTR)
			;
	for (int i = 0; i < o->nres; i++)
		if (o->res[i].started) {
			pthread_join(o->res[i].thread, NULL);
			o->res[i].started = false;
		}
}

int
dns_observer_start(DnsObserver *o, char *err, size_t errcap)
{
	int fds[2];

	if (o->nres == 0)
		return 0;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(err, errcap, "dns: pipe: %s", strerror(errno));
		return -1;
	}
	o->stop_r = fds[0];
	o->stop_w = fds[1];
	for (int i = 0; i < o->nres; i++) {
		int rc;

		rc = thread_start(&o->res[i].thread, resolver_main, &o->res[i]);
		if (rc != 0) {
			snprintf(err, errcap,
			    "dns: cannot start the thread for resolver %s: %s",
			    o->res[i].label, strerror(rc));
			stop_threads(o);
			return -1;
		}
		o->res[i].started = true;
	}
	return 0;
}

int
dns_observer_count(const DnsObserver *o)
{
	return o->nres;
}

void
dns_observer_free(DnsObserver *o)
{
	if (!o)
		return;
	stop_threads(o);
	if (o->stop_w >= 0)
		close(o->stop_w);
	if (o->stop_r >= 0)
		close(o->stop_r);
	free(o);
}
