/*
 * dns: what needs no server: resolver specs, an answer matched to its
 * endpoint, and an observer with no dns.name (no threads) or a resolver
 * it cannot use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/dns.h"
#include "dns_fx.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolver_specs),
	    cmocka_unit_test(test_match_endpoint),
	    cmocka_unit_test(test_no_name_no_threads),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
