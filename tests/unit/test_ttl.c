/* ttl: convergence, divergence, drain countdown, restarts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "engine/ttl.h"

static char res_system[] = "system";
static char res_local[] = "127.0.0.1:5353";
static char *resolvers[] = {res_system, res_local};

static DnsEvent
answer(const char *resolver, const char *endpoint, int ttl)
{
	DnsEvent d;

	memset(&d, 0, sizeof(d));
	str_copy(d.resolver, sizeof(d.resolver), resolver);
	str_copy(d.name, sizeof(d.name), "cpi.example.com");
	str_copy(d.rcode, sizeof(d.rcode), ttl >= 0 ? "NOERROR" : "TIMEOUT");
	str_copy(d.endpoint, sizeof(d.endpoint), endpoint);
	if (endpoint[0] != '\0') {
		d.nanswers = 1;
		snprintf(d.answers[0], sizeof(d.answers[0]),
		    "%s.cpi.example.net", endpoint);
	}
	d.ttl = ttl;
	d.ms = 0.5;
	return d;
}

/* Feed one answer; return the derived event type or -1 for none. */
static int
feed(TtlModel *m, double t, const char *resolver, const char *endpoint, int ttl,
    Event *out)
{
	DnsEvent d = answer(resolver, endpoint, ttl);

	return ttl_dns(m, t, &d, out) ? (int)out->type : -1;
}

static void
test_first_route_no_convergence(void **state)
{
	TtlModel m;
	Event ev;

	(void)state;
	ttl_init(&m, 60, resolvers, 2);
	assert_int_equal(m.nresolvers, 2);
	assert_true(strstr(m.snap.note, "networkaddress.cache.ttl") != NULL);
	assert_true(strstr(m.snap.note, "RFC 8767") != NULL);
	assert_false(ttl_route(&m, 1, "", "eu20"));
	assert_false(ttl_route(&m, 1, "eu20", "eu20"));
	assert_false(m.snap.active);
	assert_int_equal(feed(&m, 2, "system", "eu20", 60, &ev), -1);
	assert_true(m.resolvers[0].has_answer);
	assert_true(m.resolvers[0].ttl_expires == 62);
	assert_false(m.resolvers[0].converged);
}

static void
test_converge_then_diverge(void **state)
{
	TtlModel m;
	Event ev;

	(void)state;
	ttl_init(&m, 60, resolvers, 2);
	assert_int_equal(feed(&m, 5, "system", "eu20", 40, &ev), -1);
	assert_true(ttl_route(&m, 10, "eu20", "us21"));
	assert_true(m.snap.active);
	assert_true(m.snap.changed_at == 10);
	assert_int_equal(m.snap.ttl, 60);
	assert_true(m.snap.drain_at == 70);
	assert_string_equal(m.snap.from, "eu20");
	assert_string_equal(m.snap.to, "us21");

	/* Still the old answer: remaining TTL visible, no event. */
	assert_int_equal(feed(&m, 12, "system", "eu20", 33, &ev), -1);
	assert_true(m.resolvers[0].ttl_expires == 45);
	assert_false(m.resolvers[0].converged);
	/* A timeout or an unmapped answer changes nothing. */
	assert_int_equal(feed(&m, 13, "system", "", -1, &ev), -1);
	assert_true(m.resolvers[0].ttl_expires < 0);

	assert_int_equal(
	    feed(&m, 45.5, "system", "us21", 60, &ev), EV_CONVERGED);
	assert_string_equal(ev.u.conv.resolver, "system");
	assert_string_equal(ev.u.conv.endpoint, "us21");
	assert_true(ev.u.conv.after == 35.5);
	assert_true(ev.t == 45.5);
	assert_true(m.resolvers[0].converged);
	assert_true(m.resolvers[0].converged_after == 35.5);
	assert_false(m.snap.all_converged);
	/* Only the first answer converges. */
	assert_int_equal(feed(&m, 46, "system", "us21", 59, &ev), -1);

	assert_int_equal(
	    feed(&m, 50, "127.0.0.1:5353", "us21", 60, &ev), EV_CONVERGED);
	assert_true(ev.u.conv.after == 40);
	assert_true(m.snap.all_converged);
	assert_true(m.snap.all_converged_after == 40);
	assert_true(m.snap.active); /* drain_at 70 not reached */
	assert_false(ttl_tick(&m, 69.9));
	assert_true(ttl_tick(&m, 70));
	assert_false(m.snap.active);

	/* Back to the old endpoint: diverged, reported, not ignored. */
	assert_int_equal(
	    feed(&m, 80, "127.0.0.1:5353", "eu20", 60, &ev), EV_DIVERGED);
	assert_string_equal(ev.u.conv.resolver, "127.0.0.1:5353");
	assert_string_equal(ev.u.conv.endpoint, "eu20");
	assert_true(ev.u.conv.after == 70);
	assert_false(m.resolvers[1].converged);
	assert_true(m.resolvers[1].diverged);
	assert_false(m.snap.all_converged);
	assert_true(m.snap.all_converged_after < 0);
	assert_true(m.snap.active);
	/* Repeating the old answer does not repeat the event. */
	assert_int_equal(feed(&m, 85, "127.0.0.1:5353", "eu20", 55, &ev), -1);
	/* Converging again is reported with the later time. */
	assert_int_equal(
	    feed(&m, 90, "127.0.0.1:5353", "us21", 60, &ev), EV_CONVERGED);
	assert_true(ev.u.conv.after == 80);
	assert_true(m.snap.all_converged);
	assert_true(m.snap.all_converged_after == 80);
	assert_false(m.snap.active);
}

static void
test_drain_with_larger_observed_ttl(void **state)
{
	TtlModel m;
	Event ev;

	(void)state;
	ttl_init(&m, 30, resolvers, 1);
	assert_int_equal(feed(&m, 1, "system", "eu20", 300, &ev), -1);
	assert_true(ttl_route(&m, 10, "eu20", "us21"));
	assert_int_equal(m.snap.ttl, 300);
	assert_true(m.snap.drain_at == 310);

	/* A larger TTL seen after the change moves the countdown. */
	ttl_init(&m, 30, resolvers, 1);
	assert_true(ttl_route(&m, 10, "eu20", "us21"));
	assert_true(m.snap.drain_at == 40);
	assert_int_equal(feed(&m, 11, "system", "eu20", 20, &ev), -1);
	assert_true(m.snap.drain_at == 40); /* smaller: profile's wins */
	assert_int_equal(feed(&m, 12, "system", "eu20", 90, &ev), -1);
	assert_int_equal(m.snap.ttl, 90);
	assert_true(m.snap.drain_at == 100);
}

static void
test_restart_on_second_change(void **state)
{
	TtlModel m;
	Event ev;

	(void)state;
	ttl_init(&m, 60, resolvers, 2);
	assert_true(ttl_route(&m, 10, "eu20", "us21"));
	assert_int_equal(feed(&m, 20, "system", "us21", 60, &ev), EV_CONVERGED);
	assert_true(ttl_route(&m, 30, "us21", "ap10"));
	assert_true(m.snap.changed_at == 30);
	assert_true(m.snap.drain_at == 90);
	assert_string_equal(m.snap.from, "us21");
	assert_string_equal(m.snap.to, "ap10");
	assert_false(m.resolvers[0].converged);
	assert_true(m.resolvers[0].converged_after < 0);
	/* us21 is now the old answer: serving it is not convergence. */
	assert_int_equal(feed(&m, 31, "system", "us21", 60, &ev), -1);
	assert_int_equal(feed(&m, 40, "system", "ap10", 60, &ev), EV_CONVERGED);
	assert_true(ev.u.conv.after == 10);
	assert_int_equal(
	    feed(&m, 41, "127.0.0.1:5353", "ap10", 60, &ev), EV_CONVERGED);
	assert_true(m.snap.all_converged);
	assert_true(m.snap.all_converged_after == 11);
}

static void
test_unknown_resolver_tracked(void **state)
{
	TtlModel m;
	Event ev;

	(void)state;
	ttl_init(&m, 60, resolvers, 1);
	assert_true(ttl_route(&m, 0, "eu20", "us21"));
	assert_int_equal(feed(&m, 1, "system", "us21", 60, &ev), EV_CONVERGED);
	assert_true(m.snap.all_converged);
	assert_int_equal(feed(&m, 2, "10.0.0.2", "eu20", 60, &ev), -1);
	assert_int_equal(m.nresolvers, 2);
	assert_false(m.snap.all_converged);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_route_no_convergence),
	    cmocka_unit_test(test_converge_then_diverge),
	    cmocka_unit_test(test_drain_with_larger_observed_ttl),
	    cmocka_unit_test(test_restart_on_second_change),
	    cmocka_unit_test(test_unknown_resolver_tracked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
