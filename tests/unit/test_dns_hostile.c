/*
 * dns: resolvers that misbehave: garbage and truncated replies (an error
 * event and a TIMEOUT, then recovery), a silent resolver that must not
 * delay a healthy one, and a port where nothing listens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns_fx.h"
#include "sim/simdns.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_garbage_and_truncated),
	    cmocka_unit_test(test_silent_does_not_delay_healthy),
	    cmocka_unit_test(test_port_unreachable),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
