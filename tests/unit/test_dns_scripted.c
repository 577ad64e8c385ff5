/*
 * dns: the observer against a scripted server on loopback: a truncated
 * (TC) reply retried over TCP, a dangling CNAME queried again, and a
 * reply with the wrong ID reported and ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns/dnswire.h"
#include "dns_fx.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tc_retries_over_tcp),
	    cmocka_unit_test(test_dangling_cname_requeried),
	    cmocka_unit_test(test_wrong_id_reported_and_ignored),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
