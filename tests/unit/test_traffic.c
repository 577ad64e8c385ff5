/*
 * traffic: expected against observed traffic. Observed traffic
 * (authoritative first, else most resolvers), DNS moved, convergence per
 * resolver, the honest drain (never drained while a resolver hands out
 * the old endpoint), divergence after the cached answer expired (TTL +
 * two polls) or after two authoritative answers, once per episode. The
 * fixtures put the route change, DNS moving and each convergence at
 * different times so that no two can be mistaken for each other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "base/util.h"
#include "engine/traffic.h"
#include "helpers.h"

static const TrafficResolver two_caching[] = {
    {"10.0.0.1:53", "corp", false},
    {"10.0.0.2:53", NULL, false},
};
static const TrafficResolver with_auth[] = {
    {"10.0.0.1:53", "corp", false},
    {"10.0.0.9:53", "r53-ns", true},
    {"10.0.0.2:53", "isp", false},
};

static void
init(TrafficModel *m, const TrafficResolver *r, int n)
{
	TrafficConfig cfg = {
	    .ttl = 60, .interval = 5, .nresolvers = n, .resolvers = r};

	traffic_init(m, &cfg);
}

/* Feed one answer; returns the derived event type, or -1 for none. */
static int
answer(TrafficModel *m, double t, const char *res, const char *ep, int ttl,
    Event *out)
{
	Event d = th_dns(t, res, ep, ttl);
	bool moved;

	return traffic_dns(m, t, &d.u.dns, out, &moved) ? (int)out->type : -1;
}

static void
test_observed_traffic(void **state)
{
	TrafficModel m;
	Event ev;
	bool moved;
	Event d;

	(void)state;
	init(&m, with_auth, 3);
	assert_true(m.snap.observed);
	assert_int_equal(m.snap.total, 3);
	assert_string_equal(m.resolvers[0].name, "corp");
	assert_string_equal(m.resolvers[1].name, "r53-ns");
	assert_string_equal(m.snap.endpoint, "");
	/* Two caching resolvers say eu20: eu20, 2 of 3. */
	answer(&m, 1, "10.0.0.1:53", "eu20", 60, &ev);
	d = th_dns(1, "10.0.0.2:53", "eu20", 60);
	traffic_dns(&m, 1, &d.u.dns, &ev, &moved);
	assert_true(moved == false); /* eu20 already after the first */
	assert_string_equal(m.snap.endpoint, "eu20");
	assert_int_equal(m.snap.count, 2);
	assert_false(m.snap.authoritative);
	/* The authoritative answer wins over the majority. */
	d = th_dns(2, "10.0.0.9:53", "us21", 60);
	assert_false(traffic_dns(&m, 2, &d.u.dns, &ev, &moved));
	assert_true(moved);
	assert_string_equal(m.snap.endpoint, "us21");
	assert_int_equal(m.snap.count, 1);
	assert_true(m.snap.authoritative);
	assert_double_equal(m.snap.since, 2, 0);
	/* A timeout from the authoritative one: the majority decides. */
	d = th_dns(3, "10.0.0.9:53", NULL, -1);
	traffic_dns(&m, 3, &d.u.dns, &ev, &moved);
	assert_true(moved);
	assert_string_equal(m.snap.endpoint, "eu20");
	assert_false(m.snap.authoritative);
	/* A tie (eu20 vs us21, one each) keeps the previous observation. */
	answer(&m, 4, "10.0.0.2:53", "us21", 60, &ev);
	assert_string_equal(m.snap.endpoint, "eu20");
	assert_int_equal(m.snap.count, 1);
	/* expected vs observed */
	assert_double_equal(m.snap.differs_since, -1, 0);
	traffic_route(&m, 5, "", "us21", &ev);
	assert_double_equal(m.snap.differs_since, 5, 0);
	answer(&m, 6, "10.0.0.1:53", "us21", 60, &ev);
	assert_string_equal(m.snap.endpoint, "us21");
	assert_double_equal(m.snap.differs_since, -1, 0);
}

static void
test_never_moves_diverges_once(void **state)
{
	TrafficModel m;
	Event ev, out[PROFILE_MAX_RESOLVERS];
	int n = 0;

	(void)state;
	init(&m, two_caching, 2);
	traffic_route(&m, 0, "", "eu20", out);
	answer(&m, 1, "10.0.0.1:53", "eu20", 60, &ev);
	assert_int_equal(traffic_route(&m, 10, "eu20", "us21", out), 0);
	assert_true(m.snap.change && m.snap.active);
	assert_false(m.snap.moved);
	/* The cached answer counts down from 50 s at t = 11: divergence is
	 * due after 10 + 50 + 2 polls (10 s) = 70. */
	for (double t = 11; t <= 96; t += 5) {
		int ttl = (int)(61 - t) > 0 ? (int)(61 - t) : 60;
		int type = answer(&m, t, "10.0.0.1:53", "eu20", ttl, &ev);

		if (type == EV_DIVERGED) {
			n++;
			assert_double_equal(ev.t, 71, 0);
			assert_string_equal(ev.u.conv.resolver, "10.0.0.1:53");
			assert_string_equal(ev.u.conv.resolver_name, "corp");
			assert_string_equal(ev.u.conv.endpoint, "eu20");
			assert_string_equal(ev.u.conv.expected, "us21");
			assert_double_equal(ev.u.conv.after, 61, 1e-9);
		} else {
			assert_int_equal(type, -1);
		}
	}
	assert_int_equal(n, 1);
	assert_true(m.resolvers[0].diverged);
	/* Never moved: nothing drains, it waits for the manager. */
	assert_false(m.snap.moved);
	assert_double_equal(m.snap.drain_at, -1, 0);
	assert_double_equal(m.resolvers[0].drain_at, -1, 0);
	traffic_tick(&m, 500);
	assert_true(m.snap.active);
}

static void
test_moved_converged_drained(void **state)
{
	TrafficModel m;
	Event ev, out[PROFILE_MAX_RESOLVERS];

	(void)state;
	init(&m, with_auth, 3);
	traffic_route(&m, 0, "", "eu20", out);
	answer(&m, 1, "10.0.0.1:53", "eu20", 60, &ev);
	answer(&m, 1, "10.0.0.9:53", "eu20", 60, &ev);
	answer(&m, 1, "10.0.0.2:53", "eu20", 60, &ev);
	traffic_route(&m, 10, "eu20", "us21", out);
	/* corp still answers eu20 with 30 s left: nothing moved yet. */
	assert_int_equal(answer(&m, 12, "10.0.0.1:53", "eu20", 30, &ev), -1);
	assert_false(m.snap.moved);
	/* The authoritative server moves at 13: DNS moved, r53-ns
	 * converged 3 s after the route change. */
	assert_int_equal(
	    answer(&m, 13, "10.0.0.9:53", "us21", 60, &ev), EV_CONVERGED);
	assert_double_equal(ev.u.conv.after, 3, 1e-9);
	assert_string_equal(ev.u.conv.resolver_name, "r53-ns");
	assert_true(m.snap.moved);
	assert_double_equal(m.snap.moved_at, 13, 0);
	assert_string_equal(m.snap.moved_by, "10.0.0.9:53");
	/* Each resolver drains from the TTL it last returned. */
	assert_double_equal(m.resolvers[0].drain_at, 13 + 30, 0);
	assert_double_equal(m.resolvers[1].drain_at, 13 + 60, 0);
	assert_double_equal(m.resolvers[2].drain_at, 13 + 60, 0);
	/* isp hands out eu20 again with a fresh 60 s at 40: it is not
	 * drained before 100, whatever the record's TTL says. */
	answer(&m, 40, "10.0.0.2:53", "eu20", 60, &ev);
	assert_double_equal(m.resolvers[2].drain_at, 100, 0);
	assert_double_equal(m.snap.drain_at, 100, 0);
	assert_int_equal(
	    answer(&m, 44, "10.0.0.1:53", "us21", 60, &ev), EV_CONVERGED);
	assert_double_equal(ev.u.conv.after, 34, 1e-9);
	assert_false(m.snap.all_converged);
	assert_int_equal(
	    answer(&m, 101, "10.0.0.2:53", "us21", 60, &ev), EV_CONVERGED);
	assert_double_equal(ev.u.conv.after, 91, 1e-9);
	assert_true(m.snap.all_converged);
	assert_double_equal(m.snap.all_converged_after, 91, 1e-9);
	/* drained at 101 (drain 100 passed, all converged) */
	assert_false(m.snap.active);
	/* A converged resolver is not converged twice. */
	assert_int_equal(answer(&m, 106, "10.0.0.2:53", "us21", 60, &ev), -1);
}

static void
test_authoritative_diverges_after_two_polls(void **state)
{
	TrafficModel m;
	Event ev, out[PROFILE_MAX_RESOLVERS];

	(void)state;
	init(&m, with_auth, 3);
	traffic_route(&m, 0, "", "eu20", out);
	traffic_route(&m, 10, "eu20", "us21", out);
	assert_int_equal(answer(&m, 12, "10.0.0.9:53", "eu20", 60, &ev), -1);
	assert_int_equal(
	    answer(&m, 17, "10.0.0.9:53", "eu20", 60, &ev), EV_DIVERGED);
	assert_string_equal(ev.u.conv.expected, "us21");
	assert_int_equal(answer(&m, 22, "10.0.0.9:53", "eu20", 60, &ev), -1);
	/* The episode ends with its convergence; a new one may follow. */
	assert_int_equal(
	    answer(&m, 27, "10.0.0.9:53", "us21", 60, &ev), EV_CONVERGED);
	assert_false(m.resolvers[1].diverged);
	assert_int_equal(answer(&m, 32, "10.0.0.9:53", "ap10", 60, &ev), -1);
	assert_int_equal(
	    answer(&m, 37, "10.0.0.9:53", "ap10", 60, &ev), EV_DIVERGED);
	assert_string_equal(ev.u.conv.endpoint, "ap10");
	/* converged only on the expected endpoint: ap10 never converges */
	assert_false(m.resolvers[1].converged);
}

static void
test_first_route_diverges_but_never_converges(void **state)
{
	TrafficModel m;
	Event ev, out[PROFILE_MAX_RESOLVERS];

	(void)state;
	init(&m, two_caching, 2);
	/* The rules say eu20, DNS says us21 (someone moved it in a portal). */
	traffic_route(&m, 0, "", "eu20", out);
	assert_false(m.snap.change);
	assert_int_equal(answer(&m, 1, "10.0.0.1:53", "us21", 20, &ev), -1);
	assert_int_equal(answer(&m, 21, "10.0.0.1:53", "us21", 20, &ev), -1);
	assert_int_equal(
	    answer(&m, 31.5, "10.0.0.1:53", "us21", 20, &ev), EV_DIVERGED);
	assert_double_equal(ev.u.conv.after, -1, 0);
	/* Back on eu20: no convergence without a route change. */
	assert_int_equal(answer(&m, 36, "10.0.0.1:53", "eu20", 20, &ev), -1);
	assert_false(m.resolvers[0].diverged);
	assert_false(m.resolvers[0].converged);
}

static void
test_route_after_answer_at_same_t(void **state)
{
	TrafficModel m;
	Event ev, out[PROFILE_MAX_RESOLVERS];
	Event d;
	bool moved;

	(void)state;
	init(&m, with_auth, 3);
	traffic_route(&m, 0, "", "eu20", out);
	answer(&m, 1, "10.0.0.9:53", "eu20", 60, &ev);
	/* Someone moves the zone: the authoritative answer shows it first,
	 * and the manual manager's route (cause dns) follows at the same t. */
	d = th_dns(30, "10.0.0.9:53", "us21", 60);
	assert_false(traffic_dns(&m, 30, &d.u.dns, &ev, &moved));
	assert_true(moved);
	assert_int_equal(traffic_route(&m, 30, "eu20", "us21", out), 1);
	assert_int_equal(out[0].type, EV_CONVERGED);
	assert_double_equal(out[0].u.conv.after, 0, 0);
	assert_true(m.snap.moved);
	assert_double_equal(m.snap.moved_at, 30, 0);
	/* A route that keeps its target changes nothing observed. */
	assert_int_equal(traffic_route(&m, 31, "us21", "us21", out), 0);
	assert_true(m.resolvers[1].converged);
	assert_double_equal(m.snap.changed_at, 30, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_observed_traffic),
	    cmocka_unit_test(test_never_moves_diverges_once),
	    cmocka_unit_test(test_moved_converged_drained),
	    cmocka_unit_test(test_authoritative_diverges_after_two_polls),
	    cmocka_unit_test(test_first_route_diverges_but_never_converges),
	    cmocka_unit_test(test_route_after_answer_at_same_t),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
