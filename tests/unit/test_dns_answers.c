/*
 * dns: the observer against the simulated DNS on loopback: a CNAME chain
 * and a flip to another region, an IPv6 resolver, and the error rcodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "dns/dns.h"
#include "dns_fx.h"
#include "sim/simdns.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_noerror_chain_and_flip),
	    cmocka_unit_test(test_ipv6_resolver),
	    cmocka_unit_test(test_error_rcodes),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
