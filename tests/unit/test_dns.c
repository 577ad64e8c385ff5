/*
 * dns: the observer against real servers on loopback: the simulated DNS
 * (every mode), a scripted server for TC/TCP, dangling CNAMEs and wrong
 * IDs, and a real dnsmasq (a hosts file flipped with SIGHUP; forwarding
 * and caching from simdns with a TTL that counts down).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "dns/dns.h"
#include "dns/dnswire.h"
#include "dns_fx.h"
#include "sim/simdns.h"

/* --- pure parts --- */

static void
test_resolver_specs(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[200];
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	static const char *const bad[] = {"1.2.3", "127.0.0.1:0",
	    "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:53x", "[::1]",
	    "[::1]:", "host.example.com", "", "[127.0.0.1]:53", ":53"};

	(void)state;
	assert_int_equal(
	    dns_resolver_parse("127.0.0.1", &ss, &sl, err, 200), 0);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 53);
	assert_int_equal(
	    dns_resolver_parse("127.0.0.2:5353", &ss, &sl, err, 200), 0);
	assert_int_equal(ntohs(a4->sin_port), 5353);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000002);
	assert_int_equal(sl, sizeof(struct sockaddr_in));
	assert_int_equal(
	    dns_resolver_parse("[::1]:5300", &ss, &sl, err, 200), 0);
	assert_int_equal(a6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 5300);
	assert_int_equal(dns_resolver_parse("::1", &ss, &sl, err, 200), 0);
	assert_int_equal(ntohs(a6->sin6_port), 53);
	assert_int_equal(sl, sizeof(struct sockaddr_in6));
	/* "system" reads resolv.conf; without one glibc uses loopback. */
	assert_int_equal(dns_resolver_parse("system", &ss, &sl, err, 200), 0);
	assert_true(ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
		    dns_resolver_parse(bad[i], &ss, &sl, err, 200), -1);
		assert_non_null(strstr(err, "is not a resolver"));
	}
}

static void
test_match_endpoint(void **state)
{
	Prof *pf = df_mkprof(NAME, 1, 1, "127.0.0.1");
	DnsEvent d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.nanswers = 2;
	snprintf(d.answers[0], EV_HOST_MAX, "tm.example.net");
	snprintf(d.answers[1], EV_HOST_MAX, "eu20.SIM.drtop.test.");
	assert_int_equal(dns_match_endpoint(&pf->p, &d), 0);
	/* Target host of an endpoint without dns_answers. */
	snprintf(d.answers[1], EV_HOST_MAX, "us21.sim.drtop.test");
	assert_int_equal(dns_match_endpoint(&pf->p, &d), 1);
	/* An address in dns_answers. */
	snprintf(d.answers[1], EV_HOST_MAX, "127.0.0.22");
	assert_int_equal(dns_match_endpoint(&pf->p, &d), 2);
	/* An endpoint with dns_answers is not matched by its host. */
	snprintf(d.answers[1], EV_HOST_MAX, "ap10.sim.drtop.test");
	assert_int_equal(dns_match_endpoint(&pf->p, &d), -1);
	/* The earliest answer wins. */
	d.nanswers = 3;
	snprintf(d.answers[0], EV_HOST_MAX, "us21.sim.drtop.test");
	snprintf(d.answers[2], EV_HOST_MAX, "127.0.0.21");
	assert_int_equal(dns_match_endpoint(&pf->p, &d), 1);
	d.nanswers = 0;
	assert_int_equal(dns_match_endpoint(&pf->p, &d), -1);
	free(pf);
}

static void
test_no_name_no_threads(void **state)
{
	Prof *pf = df_mkprof(NAME, 1, 1, "127.0.0.1");
	Queue *q = queue_new(4);
	char err[200];
	DnsObserver *o;

	(void)state;
	pf->p.dns.name = NULL;
	o = dns_observer_new(&pf->p, q, 0, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(dns_observer_count(o), 0);
	assert_int_equal(dns_observer_start(o, err, sizeof(err)), 0);
	dns_observer_free(o);
	dns_observer_free(NULL);
	/* A bad resolver is named with its JSON path. */
	pf->p.dns.name = pf->name;
	pf->p.dns.nresolvers = 2;
	pf->p.dns.resolvers[1].addr = pf->res[1];
	pf->p.dns.resolvers[1].name = pf->res[1];
	snprintf(pf->res[1], sizeof(pf->res[1]), "nope");
	assert_null(dns_observer_new(&pf->p, q, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "dns.resolvers[1]"));
	queue_free(q);
	free(pf);
}

/* --- against simdns --- */

static void
test_noerror_chain_and_flip(void **state)
{
	SimDns *s = df_sim(30);
	char res[64];
	Obs ob;
	const DnsEvent *d;
	uint8_t a[4];
	char addr[32];

	(void)state;
	df_set_region(&df_choice, "eu20");
	simdns_set_mode(s, SIMDNS_CHAIN);
	snprintf(res, sizeof(res), "127.0.0.1:%d", simdns_port(s));
	df_obs_start(&ob, df_mkprof(NAME, 0.2, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	d = df_last_dns(ob.lg);
	assert_string_equal(d->resolver, res);
	assert_string_equal(d->name, NAME);
	assert_string_equal(d->rcode, "NOERROR");
	simdns_region_addr("eu20", a);
	snprintf(addr, sizeof(addr), "127.0.0.%u", a[3]);
	assert_int_equal(d->nanswers, 3);
	assert_string_equal(d->answers[0], "tm-eu20.alias.sim.drtop.test");
	assert_string_equal(d->answers[1], "eu20.sim.drtop.test");
	assert_string_equal(d->answers[2], addr);
	assert_string_equal(d->endpoint, "eu20");
	assert_int_equal(d->ttl, 30);
	assert_true(d->ms >= 0 && d->ms < 1000);
	assert_true(ob.lg->ev[0].t >= 0 && ob.lg->ev[0].t < 5);
	assert_null(df_first_error(ob.lg));

	/* Flip to us21 (matched by its target host), TTL 9. */
	simdns_set_mode(s, SIMDNS_NORMAL);
	simdns_set_ttl(s, 9);
	df_set_region(&df_choice, "us21");
	assert_true(df_collect(ob.q, ob.lg, 10, df_last_endpoint_is, "us21"));
	d = df_last_dns(ob.lg);
	assert_int_equal(d->nanswers, 2);
	assert_string_equal(d->answers[0], "us21.sim.drtop.test");
	assert_int_equal(d->ttl, 9);
	/* A region no endpoint claims: endpoint null. */
	df_set_region(&df_choice, "zz99");
	assert_true(df_collect(ob.q, ob.lg, 10, df_last_endpoint_is, ""));
	assert_string_equal(
	    df_last_dns(ob.lg)->answers[0], "zz99.sim.drtop.test");
	df_obs_stop(&ob);
	simdns_stop(s);
	df_set_region(&df_choice, "eu20");
}

static void
test_ipv6_resolver(void **state)
{
	SimDnsConfig cfg = {.bind_addr = "::1",
	    .name = NAME,
	    .ttl = 11,
	    .choose = df_choose,
	    .ctx = &df_choice};
	char err[200], res[64];
	SimDns *s;
	Obs ob;
	const DnsEvent *d;

	(void)state;
	s = simdns_start(&cfg, err, sizeof(err));
	if (!s)
		fail_msg("simdns_start on ::1: %s", err);
	snprintf(res, sizeof(res), "[::1]:%d", simdns_port(s));
	df_obs_start(&ob, df_mkprof(NAME, 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	d = df_last_dns(ob.lg);
	assert_string_equal(d->resolver, res);
	assert_string_equal(d->endpoint, "eu20");
	assert_int_equal(d->ttl, 11);
	df_obs_stop(&ob);
	simdns_stop(s);
}

static void
test_error_rcodes(void **state)
{
	SimDns *s = df_sim(30);
	char res[64];
	Obs ob;
	static const struct {
		SimDnsMode mode;
		const char *rcode;
	} cases[] = {
	    {SIMDNS_NXDOMAIN, "NXDOMAIN"},
	    {SIMDNS_SERVFAIL, "SERVFAIL"},
	    {SIMDNS_REFUSED, "REFUSED"},
	};

	(void)state;
	snprintf(res, sizeof(res), "127.0.0.1:%d", simdns_port(s));
	df_obs_start(&ob, df_mkprof(NAME, 0.2, 1, res));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const DnsEvent *d;

		simdns_set_mode(s, cases[i].mode);
		assert_true(
		    df_collect(ob.q, ob.lg, 10, df_has_rcode, cases[i].rcode));
		d = df_last_dns(ob.lg);
		assert_string_equal(d->rcode, cases[i].rcode);
		assert_int_equal(d->nanswers, 0);
		assert_string_equal(d->endpoint, "");
		assert_int_equal(d->ttl, -1);
		assert_true(d->ms >= 0);
	}
	assert_null(df_first_error(ob.lg));
	df_obs_stop(&ob);
	simdns_stop(s);
}

static void
test_garbage_and_truncated(void **state)
{
	SimDns *s = df_sim(30);
	char res[64];
	Obs ob;
	const ErrorEvent *e;
	const DnsEvent *d;

	(void)state;
	snprintf(res, sizeof(res), "127.0.0.1:%d", simdns_port(s));
	simdns_set_mode(s, SIMDNS_GARBAGE);
	df_obs_start(&ob, df_mkprof(NAME, 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "TIMEOUT"));
	e = df_first_error(ob.lg);
	assert_non_null(e);
	assert_string_equal(e->source, "dns");
	assert_non_null(strstr(e->message, res));
	d = df_last_dns(ob.lg);
	assert_int_equal(d->nanswers, 0);
	assert_int_equal(d->ttl, -1);
	assert_true(d->ms < 0);

	/* A response cut inside its last record. */
	simdns_set_mode(s, SIMDNS_TRUNCATED);
	ob.lg->n = 0;
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "TIMEOUT"));
	/* The poll that started before the switch may have been clean:
	 * wait for one more. */
	ob.lg->n = 0;
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "TIMEOUT"));
	e = df_first_error(ob.lg);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "malformed"));
	assert_non_null(strstr(e->message, res));

	/* It recovers. */
	simdns_set_mode(s, SIMDNS_NORMAL);
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	df_obs_stop(&ob);
	simdns_stop(s);
}

/* Where t falls inside its slot: (t - origin) mod interval. */
static double
off_slot(double t, double origin, double interval)
{
	double x = fmod(t - origin, interval);

	if (x < 0)
		x += interval;
	return x;
}

static void
test_silent_does_not_delay_healthy(void **state)
{
	SimDns *good = df_sim(30), *mute = df_sim(30);
	char rgood[64], rmute[64];
	double interval = 1.0, timeout = 0.5, first = -1;
	int ngood = 0, nmute = 0;
	Prof *pf;
	Obs ob;

	(void)state;
	simdns_set_mode(mute, SIMDNS_SILENT);
	snprintf(rgood, sizeof(rgood), "127.0.0.1:%d", simdns_port(good));
	snprintf(rmute, sizeof(rmute), "127.0.0.1:%d", simdns_port(mute));
	/* The silent resolver first, so a shared sequential loop would make
	 * the healthy one wait `timeout` after every slot. */
	pf = df_mkprof(NAME, interval, 2, rmute, rgood);
	pf->p.dns.timeout = timeout;
	df_obs_start(&ob, pf);
	df_collect(ob.q, ob.lg, 4.6, NULL, NULL);
	for (int i = 0; i < ob.lg->n; i++) {
		const Event *ev = &ob.lg->ev[i];
		double off;

		if (ev->type != EV_DNS)
			continue;
		if (strcmp(ev->u.dns.resolver, rgood) == 0) {
			assert_string_equal(ev->u.dns.rcode, "NOERROR");
			if (first < 0)
				first = ev->t;
			/* On its slot, not `timeout` late (loose bound). */
			off = off_slot(ev->t, first, interval);
			assert_true(off < 0.3 || off > interval - 0.3);
			ngood++;
		} else {
			assert_string_equal(ev->u.dns.resolver, rmute);
			assert_string_equal(ev->u.dns.rcode, "TIMEOUT");
			assert_int_equal(ev->u.dns.nanswers, 0);
			assert_int_equal(ev->u.dns.ttl, -1);
			assert_true(ev->u.dns.ms < 0);
			nmute++;
		}
	}
	/* Polls at ~0, 1, 2, 3, 4 s; the silent one times out 0.5 s into
	 * each slot. Loose bounds for a shared machine. */
	assert_true(first >= 0 && first < 0.25);
	assert_true(ngood >= 4);
	assert_true(nmute >= 3);
	for (int i = 0; i < ob.lg->n; i++) {
		const Event *ev = &ob.lg->ev[i];
		double off;

		if (ev->type != EV_DNS || strcmp(ev->u.dns.resolver, rmute))
			continue;
		off = off_slot(ev->t, first, interval);
		assert_true(off > timeout - 0.05 && off < timeout + 0.35);
	}
	assert_true(simdns_queries(mute) >= 6); /* A + AAAA per poll */
	df_obs_stop(&ob);
	simdns_stop(good);
	simdns_stop(mute);
}

static void
test_port_unreachable(void **state)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t sl = sizeof(a);
	char res[64];
	Obs ob;
	const ErrorEvent *e;

	(void)state;
	/* A port that was free a moment ago: nothing listens there. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &sl);
	close(fd);
	snprintf(res, sizeof(res), "127.0.0.1:%d", ntohs(a.sin_port));
	df_obs_start(&ob, df_mkprof(NAME, 0.5, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "TIMEOUT"));
	e = df_first_error(ob.lg);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "refused"));
	df_obs_stop(&ob);
}

/* --- a scripted server: TC + TCP, a dangling CNAME, a wrong ID --- */

typedef struct {
	int udp, tcp, stop_r, stop_w;
	int port;
	pthread_t thread;
	_Atomic int tcp_queries;
	_Atomic int udp_queries;
} Script;

/* A for "tc.test": UDP answers TC with no records, TCP answers fully.
 * "dangle.test": CNAME to "target.test" only; "target.test": A.
 * "wrongid.test": a reply with the wrong ID first, then the right one. */
static size_t
script_answer(const uint8_t *q, size_t qlen, bool tcp, uint8_t *out, size_t cap)
{
	DnsMessage *m = malloc(sizeof(*m));
	DnsBuilder b;
	static const uint8_t addr[4] = {127, 0, 0, 21};
	uint16_t fl = DNSWIRE_F_QR | DNSWIRE_F_RD | DNSWIRE_F_RA;
	size_t n = 0;
	bool a = false;

	if (dnswire_parse(q, qlen, m, NULL, 0) < 0)
		goto out;
	a = m->qtype == DNSWIRE_T_A;
	dnswire_builder_init(&b, out, cap);
	if (dnswire_name_eq(m->qname, "tc.test") && !tcp) {
		dnswire_put_header(&b, m->id, fl | DNSWIRE_F_TC, 1, 0, 0, 0);
		dnswire_put_question(&b, m->qname, m->qtype, DNSWIRE_C_IN);
	} else if (dnswire_name_eq(m->qname, "tc.test")) {
		dnswire_put_header(&b, m->id, fl, 1, 2, 0, 0);
		dnswire_put_question(&b, m->qname, m->qtype, DNSWIRE_C_IN);
		dnswire_put_cname(&b, m->qname, 40, "eu20.sim.drtop.test");
		if (a)
			dnswire_put_a(&b, "eu20.sim.drtop.test", 20, addr);
		else
			dnswire_put_cname(
			    &b, "x.test", 1, "y.test"); /* unrelated */
	} else if (dnswire_name_eq(m->qname, "dangle.test")) {
		dnswire_put_header(&b, m->id, fl, 1, 1, 0, 0);
		dnswire_put_question(&b, m->qname, m->qtype, DNSWIRE_C_IN);
		dnswire_put_cname(&b, m->qname, 50, "target.test");
	} else if (dnswire_name_eq(m->qname, "target.test")) {
		dnswire_put_header(&b, m->id, fl, 1, a ? 1 : 0, 0, 0);
		dnswire_put_question(&b, m->qname, m->qtype, DNSWIRE_C_IN);
		if (a)
			dnswire_put_a(&b, m->qname, 15, addr);
	} else if (dnswire_name_eq(m->qname, "wrongid.test")) {
		dnswire_put_header(&b, m->id, fl, 1, a ? 1 : 0, 0, 0);
		dnswire_put_question(&b, m->qname, m->qtype, DNSWIRE_C_IN);
		if (a)
			dnswire_put_a(&b, m->qname, 15, addr);
	} else {
		dnswire_put_header(&b, m->id, fl | 3, 1, 0, 0, 0);
		dnswire_put_question(&b, m->qname, m->qtype, DNSWIRE_C_IN);
	}
	n = dnswire_builder_len(&b);
out:
	free(m);
	return n;
}

static void *
script_main(void *arg)
{
	Script *s = arg;
	uint8_t q[1024], out[1024];

	for (;;) {
		struct pollfd pf[3] = {{.fd = s->udp, .events = POLLIN},
		    {.fd = s->tcp, .events = POLLIN},
		    {.fd = s->stop_r, .events = POLLIN}};

		if (poll(pf, 3, -1) < 0 || pf[2].revents)
			break;
		if (pf[0].revents) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t k = recvfrom(s->udp, q, sizeof(q), 0,
			    (struct sockaddr *)&from, &fl);
			size_t n;

			if (k <= 0)
				continue;
			s->udp_queries++;
			n = script_answer(
			    q, (size_t)k, false, out, sizeof(out));
			if (n && k > 20 && memcmp(q + 13, "wrongid", 7) == 0) {
				out[1] ^= 0x55; /* wrong ID first */
				sendto(s->udp, out, n, 0,
				    (struct sockaddr *)&from, fl);
				out[1] ^= 0x55;
			}
			if (n)
				sendto(s->udp, out, n, 0,
				    (struct sockaddr *)&from, fl);
		}
		if (pf[1].revents) {
			int c = accept(s->tcp, NULL, NULL);
			uint8_t len[2];
			size_t got = 0, want;
			struct pollfd cp = {.fd = c, .events = POLLIN};

			if (c < 0)
				continue;
			s->tcp_queries++;
			/* Blocking reads with a bounded wait each. */
			while (got < 2 && poll(&cp, 1, 2000) == 1 &&
			    recv(c, len + got, 1, 0) == 1)
				got++;
			want = (size_t)((len[0] << 8) | len[1]);
			got = 0;
			while (got < want && want <= sizeof(q) &&
			    poll(&cp, 1, 2000) == 1) {
				ssize_t k = recv(c, q + got, want - got, 0);

				if (k <= 0)
					break;
				got += (size_t)k;
			}
			if (got == want && want > 0) {
				size_t n = script_answer(
				    q, want, true, out + 2, sizeof(out) - 2);

				out[0] = (uint8_t)(n >> 8);
				out[1] = (uint8_t)n;
				if (n)
					send(c, out, n + 2, MSG_NOSIGNAL);
			}
			close(c);
		}
	}
	return NULL;
}

static Script *
script_start(void)
{
	Script *s = calloc(1, sizeof(*s));
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t sl = sizeof(a);
	int fds[2];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Bind TCP first (ephemeral), then UDP on the same port. */
	for (int tries = 0; tries < 20; tries++) {
		int one = 1;

		s->tcp = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		a.sin_port = 0;
		assert_int_equal(
		    bind(s->tcp, (struct sockaddr *)&a, sizeof(a)), 0);
		getsockname(s->tcp, (struct sockaddr *)&a, &sl);
		s->udp = socket(AF_INET, SOCK_DGRAM, 0);
		if (bind(s->udp, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(s->udp);
		close(s->tcp);
		s->udp = s->tcp = -1;
	}
	assert_true(s->udp >= 0);
	assert_int_equal(listen(s->tcp, 8), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pipe(fds), 0);
	s->stop_r = fds[0];
	s->stop_w = fds[1];
	assert_int_equal(pthread_create(&s->thread, NULL, script_main, s), 0);
	return s;
}

static void
script_stop(Script *s)
{
	assert_int_equal(write(s->stop_w, "x", 1), 1);
	pthread_join(s->thread, NULL);
	close(s->udp);
	close(s->tcp);
	close(s->stop_r);
	close(s->stop_w);
	free(s);
}

static void
test_tc_retries_over_tcp(void **state)
{
	Script *s = script_start();
	char res[64];
	Obs ob;
	const DnsEvent *d;

	(void)state;
	snprintf(res, sizeof(res), "127.0.0.1:%d", s->port);
	df_obs_start(&ob, df_mkprof("tc.test", 0.5, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	d = df_last_dns(ob.lg);
	assert_int_equal(d->nanswers, 2);
	assert_string_equal(d->answers[0], "eu20.sim.drtop.test");
	assert_string_equal(d->answers[1], "127.0.0.21");
	assert_string_equal(d->endpoint, "eu20");
	assert_int_equal(d->ttl, 20);
	assert_true(atomic_load(&s->tcp_queries) >= 2); /* A and AAAA */
	assert_null(df_first_error(ob.lg));
	df_obs_stop(&ob);
	script_stop(s);
}

static void
test_dangling_cname_requeried(void **state)
{
	Script *s = script_start();
	char res[64];
	Obs ob;
	const DnsEvent *d;

	(void)state;
	snprintf(res, sizeof(res), "127.0.0.1:%d", s->port);
	df_obs_start(&ob, df_mkprof("dangle.test", 0.5, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	d = df_last_dns(ob.lg);
	assert_int_equal(d->nanswers, 2);
	assert_string_equal(d->answers[0], "target.test");
	assert_string_equal(d->answers[1], "127.0.0.21");
	assert_string_equal(d->endpoint, "eu20");
	assert_int_equal(d->ttl, 15);
	assert_true(atomic_load(&s->udp_queries) >= 4); /* two rounds */
	df_obs_stop(&ob);
	script_stop(s);
}

static void
test_wrong_id_reported_and_ignored(void **state)
{
	Script *s = script_start();
	char res[64];
	Obs ob;
	const DnsEvent *d;
	const ErrorEvent *e;

	(void)state;
	snprintf(res, sizeof(res), "127.0.0.1:%d", s->port);
	df_obs_start(&ob, df_mkprof("wrongid.test", 0.5, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	d = df_last_dns(ob.lg);
	assert_int_equal(d->nanswers, 1);
	assert_string_equal(d->answers[0], "127.0.0.21");
	e = df_first_error(ob.lg);
	assert_non_null(e);
	assert_string_equal(e->source, "dns");
	assert_non_null(strstr(e->message, "wrong ID"));
	assert_non_null(strstr(e->message, res));
	df_obs_stop(&ob);
	script_stop(s);
}

/* --- dnsmasq --- */

/* The dnsmasq running now, killed by the teardown if a test fails. */
static pid_t running_dnsmasq = -1;

typedef struct {
	char dir[64];
	char hosts[96];
	char log[96];
	pid_t pid;
	int port;
} Dnsmasq;

static int
free_udp_port(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t sl = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &sl);
	close(fd);
	return ntohs(a.sin_port);
}

static void
write_file(const char *path, const char *text)
{
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* True once the server at port answers a query for name. */
static bool
answers(int port, const char *name)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	uint8_t q[512], r[1024];
	size_t qlen = dnswire_build_query(7, name, DNSWIRE_T_A, true, q, 512);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	bool ok = false;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    send(fd, q, qlen, 0) == (ssize_t)qlen && poll(&pf, 1, 200) == 1 &&
	    recv(fd, r, sizeof(r), 0) > 12)
		ok = true;
	close(fd);
	return ok;
}

/* Start dnsmasq with extra (NULL-terminated) options; waits until it
 * answers name. Retries with another port when the port was taken. */
static void
dnsmasq_start(Dnsmasq *d, const char *name, const char *const *extra)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		char port[32], logopt[128];
		const char *argv[32];
		int n = 0, status;
		double end;

		d->port = free_udp_port();
		snprintf(port, sizeof(port), "--port=%d", d->port);
		snprintf(logopt, sizeof(logopt), "--log-facility=%s", d->log);
		argv[n++] = "dnsmasq";
		argv[n++] = "--keep-in-foreground";
		argv[n++] = "--conf-file=/dev/null";
		argv[n++] = "--pid-file=";
		argv[n++] = "--no-resolv";
		argv[n++] = "--no-hosts";
		argv[n++] = "--user=root";
		argv[n++] = "--bind-interfaces";
		argv[n++] = "--listen-address=127.0.0.1";
		argv[n++] = port;
		argv[n++] = logopt;
		for (int i = 0; extra[i] && n < 30; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		d->pid = fork();
		assert_true(d->pid >= 0);
		if (d->pid == 0) {
			int nul = open("/dev/null", O_RDWR);

			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			setpgid(0, 0);
			execvp("dnsmasq", (char *const *)argv);
			_exit(127);
		}
		end = mono_now() + 10;
		while (mono_now() < end) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
				d->pid = -1;
				break; /* exited: port taken? try again */
			}
			if (answers(d->port, name)) {
				running_dnsmasq = d->pid;
				return;
			}
			usleep(50 * 1000);
		}
		if (d->pid > 0) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
		}
	}
	fail_msg("dnsmasq did not start (log: %s)", d->log);
}

static void
dnsmasq_stop(Dnsmasq *d)
{
	int status;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, &status, 0);
		d->pid = -1;
		running_dnsmasq = -1;
	}
}

static int
kill_leftovers(void **state)
{
	int status;

	(void)state;
	if (running_dnsmasq > 0) {
		kill(running_dnsmasq, SIGKILL);
		waitpid(running_dnsmasq, &status, 0);
		running_dnsmasq = -1;
	}
	return 0;
}

static void
dnsmasq_dir(Dnsmasq *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/drtop-dns-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->hosts, sizeof(d->hosts), "%s/hosts", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/dnsmasq.log", d->dir);
}

static void
dnsmasq_rmdir(Dnsmasq *d)
{
	char p[128];

	unlink(d->hosts);
	snprintf(p, sizeof(p), "%s.tmp", d->hosts);
	unlink(p);
	unlink(d->log);
	rmdir(d->dir);
}

/* pred: the last dns event answered with address arg */
static bool
last_answer_is(const Log *lg, const void *arg)
{
	const DnsEvent *d = df_last_dns(lg);

	return d && d->nanswers > 0 &&
	    strcmp(d->answers[d->nanswers - 1], arg) == 0;
}

static void
test_dnsmasq_hosts_flip(void **state)
{
	Dnsmasq d;
	char hostsopt[128], res[64];
	const char *extra[5];
	Obs ob;
	const DnsEvent *ev;
	int before;

	(void)state;
	dnsmasq_dir(&d);
	write_file(d.hosts, "127.0.0.21 cpi.dr.test\n");
	snprintf(hostsopt, sizeof(hostsopt), "--addn-hosts=%s", d.hosts);
	extra[0] = hostsopt;
	extra[1] = "--local-ttl=2";
	extra[2] = "--local=/dr.test/"; /* answer NXDOMAIN for the rest */
	extra[3] = NULL;
	dnsmasq_start(&d, "cpi.dr.test", extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof("cpi.dr.test", 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_last_endpoint_is, "eu20"));
	ev = df_last_dns(ob.lg);
	assert_string_equal(ev->rcode, "NOERROR");
	assert_int_equal(ev->nanswers, 1);
	assert_string_equal(ev->answers[0], "127.0.0.21");
	assert_int_equal(ev->ttl, 2);

	/* Flip the record: rewrite the hosts file and SIGHUP. */
	write_file(d.hosts, "127.0.0.22 cpi.dr.test\n");
	assert_int_equal(kill(d.pid, SIGHUP), 0);
	before = ob.lg->n;
	assert_true(df_collect(ob.q, ob.lg, 10, last_answer_is, "127.0.0.22"));
	ev = df_last_dns(ob.lg);
	assert_string_equal(ev->endpoint, "ap10");
	assert_int_equal(ev->ttl, 2);
	assert_true(ob.lg->n > before);
	/* Gone from the hosts file: NXDOMAIN from dnsmasq. */
	write_file(d.hosts, "127.0.0.23 other.dr.test\n");
	assert_int_equal(kill(d.pid, SIGHUP), 0);
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NXDOMAIN"));
	df_obs_stop(&ob);
	dnsmasq_stop(&d);
	dnsmasq_rmdir(&d);
}

static void
test_dnsmasq_cname_chain(void **state)
{
	Dnsmasq d;
	char hostsopt[128], res[64];
	const char *extra[5];
	Obs ob;
	const DnsEvent *ev;

	(void)state;
	dnsmasq_dir(&d);
	write_file(d.hosts,
	    "127.0.0.21 eu20.sim.drtop.test\n"
	    "127.0.0.22 ap10.sim.drtop.test\n");
	snprintf(hostsopt, sizeof(hostsopt), "--addn-hosts=%s", d.hosts);
	extra[0] = hostsopt;
	extra[1] = "--local-ttl=2";
	extra[2] = "--cname=cpi.dr.test,eu20.sim.drtop.test";
	extra[3] = NULL;
	dnsmasq_start(&d, "cpi.dr.test", extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof("cpi.dr.test", 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	ev = df_last_dns(ob.lg);
	assert_int_equal(ev->nanswers, 2);
	assert_string_equal(ev->answers[0], "eu20.sim.drtop.test");
	assert_string_equal(ev->answers[1], "127.0.0.21");
	assert_string_equal(ev->endpoint, "eu20");
	assert_int_equal(ev->ttl, 2);
	df_obs_stop(&ob);
	/* --cname is not re-read on SIGHUP: restart with the other one. */
	dnsmasq_stop(&d);
	extra[2] = "--cname=cpi.dr.test,ap10.sim.drtop.test";
	dnsmasq_start(&d, "cpi.dr.test", extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof("cpi.dr.test", 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_last_endpoint_is, "ap10"));
	ev = df_last_dns(ob.lg);
	assert_string_equal(ev->answers[0], "ap10.sim.drtop.test");
	df_obs_stop(&ob);
	dnsmasq_stop(&d);
	dnsmasq_rmdir(&d);
}

/* pred: two dns events in a row with a TTL that went down */
static bool
ttl_went_down(const Log *lg, const void *arg)
{
	int prev = -1;

	(void)arg;
	for (int i = 0; i < lg->n; i++) {
		const DnsEvent *d = &lg->ev[i].u.dns;

		if (lg->ev[i].type != EV_DNS || d->ttl < 0)
			continue;
		if (prev >= 0 && d->ttl < prev)
			return true;
		prev = d->ttl;
	}
	return false;
}

static void
test_dnsmasq_cache_counts_down(void **state)
{
	SimDns *s = df_sim(6);
	Dnsmasq d;
	char server[64], res[64];
	const char *extra[3];
	Obs ob;

	(void)state;
	df_set_region(&df_choice, "eu20");
	dnsmasq_dir(&d);
	snprintf(
	    server, sizeof(server), "--server=127.0.0.1#%d", simdns_port(s));
	extra[0] = server;
	extra[1] = NULL;
	dnsmasq_start(&d, NAME, extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof(NAME, 1.0, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 15, ttl_went_down, NULL));
	for (int i = 0; i < ob.lg->n; i++) {
		const DnsEvent *ev = &ob.lg->ev[i].u.dns;

		if (ob.lg->ev[i].type != EV_DNS)
			continue;
		assert_string_equal(ev->rcode, "NOERROR");
		assert_string_equal(ev->endpoint, "eu20");
		assert_true(ev->ttl >= 0 && ev->ttl <= 6);
		assert_string_equal(ev->answers[0], "eu20.sim.drtop.test");
	}
	df_obs_stop(&ob);
	dnsmasq_stop(&d);
	dnsmasq_rmdir(&d);
	simdns_stop(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolver_specs),
	    cmocka_unit_test(test_match_endpoint),
	    cmocka_unit_test(test_no_name_no_threads),
	    cmocka_unit_test(test_noerror_chain_and_flip),
	    cmocka_unit_test(test_ipv6_resolver),
	    cmocka_unit_test(test_error_rcodes),
	    cmocka_unit_test(test_garbage_and_truncated),
	    cmocka_unit_test(test_silent_does_not_delay_healthy),
	    cmocka_unit_test(test_port_unreachable),
	    cmocka_unit_test(test_tc_retries_over_tcp),
	    cmocka_unit_test(test_dangling_cname_requeried),
	    cmocka_unit_test(test_wrong_id_reported_and_ignored),
	    cmocka_unit_test_teardown(test_dnsmasq_hosts_flip, kill_leftovers),
	    cmocka_unit_test_teardown(test_dnsmasq_cname_chain, kill_leftovers),
	    cmocka_unit_test_teardown(
	        test_dnsmasq_cache_counts_down, kill_leftovers),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
