/* demo: the built-in world starts, its profile is valid and points at
 * the running regions, its name server and resolvers (named, one
 * authoritative) and the public listeners, keys 1-3 rotate real faults,
 * the manual manager never moves by health, and the built-in
 * failover/failback actions, run through the action runner as real
 * processes, tell the simulated traffic manager: its name server answers
 * at once while the resolvers still hold the old answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actions/actions.h"
#include "base/clock.h"
#include "base/util.h"
#include "dns/dnswire.h"
#include "model/queue.h"
#include "sim/demo.h"
#include "sim/simdns.h"

/* Generous: the machine is shared. */
#define WAIT_S 60.0

/* 0 when a TCP connect to 127.0.0.1:port succeeds, else errno. */
static int
try_connect(int port)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

/* The region the DNS server on port answers for the demo's name, with
 * its TTL; "" when none. */
static void
dns_region(int port, char *out, size_t cap, int *ttl)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	DnsMessage *m = malloc(sizeof(*m));
	DnsChain *c = malloc(sizeof(*c));
	uint8_t q[512], r[DNSWIRE_UDP_MAX];
	size_t qlen = dnswire_build_query(
	    7, "demo.sim.drtop.test", DNSWIRE_T_A, true, q, sizeof(q));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	ssize_t k = -1;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, q, qlen, 0), (ssize_t)qlen);
	if (poll(&pf, 1, 3000) == 1)
		k = recv(fd, r, sizeof(r), 0);
	close(fd);
	assert_true(k > 0);
	assert_int_equal(dnswire_parse(r, (size_t)k, m, NULL, 0), 0);
	dnswire_follow(m, "demo.sim.drtop.test", c);
	out[0] = '\0';
	if (c->nchain > 0)
		snprintf(out, cap, "%.*s", (int)strcspn(c->final_name, "."),
		    c->final_name);
	*ttl = c->has_ttl ? (int)c->min_ttl : -1;
	free(c);
	free(m);
}

static void
test_demo_world(void **state)
{
	char err[256], label[64];
	Demo *d = demo_start(err, sizeof(err));
	const Profile *p;
	static const char *const want[] = {
	    "status 500", "refuse", "blackhole", "ok", "status 500"};

	(void)state;
	assert_non_null(d);
	p = demo_profile(d);
	assert_int_equal(p->nendpoints, 3);
	assert_string_equal(p->endpoints[0].name, "eu20");
	assert_string_equal(p->endpoints[1].name, "us21");
	assert_string_equal(p->endpoints[2].name, "ap10");
	assert_true(p->endpoints[0].priority < p->endpoints[1].priority);
	assert_true(p->endpoints[0].has_pos);
	assert_int_equal(p->dns.ttl, DEMO_TTL);
	assert_int_equal(p->routing.manager, MANAGER_MANUAL);
	/* The manager's name server, then two resolvers in front of it. */
	assert_int_equal(p->dns.nresolvers, 3);
	assert_string_equal(p->dns.resolvers[0].name, "tm-ns");
	assert_true(p->dns.resolvers[0].authoritative);
	assert_string_equal(p->dns.resolvers[1].name, "isp-a");
	assert_false(p->dns.resolvers[1].authoritative);
	assert_string_equal(p->dns.resolvers[2].name, "isp-b stale");
	assert_false(p->dns.resolvers[2].authoritative);
	for (int i = 0; i < 3; i++)
		assert_true(
		    strncmp(p->dns.resolvers[i].addr, "127.0.0.1:", 10) == 0);
	assert_string_not_equal(
	    p->dns.resolvers[1].addr, p->dns.resolvers[2].addr);
	assert_string_equal(
	    p->endpoints[1].dns_answers[0], "us21.sim.drtop.test");
	/* The client's-eye probe: the public name through isp-a, at the
	 * port every region also listens on at its DNS address. */
	assert_non_null(p->public_ep);
	assert_string_equal(p->public_resolver, p->dns.resolvers[1].addr);
	assert_string_equal(p->public_ep->host, "demo.sim.drtop.test");
	assert_int_equal(p->public_ep->monitor.port,
	    sim_public_port(simworld_sim(demo_world(d))));
	for (int i = 0; i < 3; i++) {
		char addr[16];
		uint8_t a[4];
		struct sockaddr_in sa = {.sin_family = AF_INET};
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sim_region_public_addr(
		    simworld_sim(demo_world(d)), i, addr, sizeof(addr));
		simdns_region_addr(p->endpoints[i].name, a);
		sa.sin_port = htons((uint16_t)p->public_ep->monitor.port);
		memcpy(&sa.sin_addr, a, 4);
		assert_int_equal(
		    connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(fd);
	}
	/* Every endpoint's port is a live region. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(try_connect(p->endpoints[i].monitor.port), 0);
		assert_string_equal(demo_fault_label(d, i), "ok");
	}
	/* Key 1 rotates eu20 through the faults; refuse is real. */
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		demo_cycle_fault(d, 0, label, sizeof(label));
		assert_string_equal(label, want[k]);
		assert_string_equal(demo_fault_label(d, 0), want[k]);
		if (strcmp(want[k], "refuse") == 0)
			assert_int_equal(
			    try_connect(p->endpoints[0].monitor.port),
			    ECONNREFUSED);
	}
	/* Other regions are untouched; out-of-range keys do nothing. */
	assert_string_equal(demo_fault_label(d, 1), "ok");
	demo_cycle_fault(d, 7, label, sizeof(label));
	demo_stop(d);
	demo_stop(NULL);
}

/* Run action a of the demo's profile through a real runner and return
 * its outcome event; every output line is copied into out. */
static ActionEvent
run_action(const Profile *p, const char *name, const Action *a,
    const char *from, const char *to, char *out, size_t cap)
{
	Queue *q = queue_new(256);
	ActionRunner *r;
	ActionEvent res;
	char err[256];
	double end = mono_now() + WAIT_S;
	bool done = false;

	assert_non_null(q);
	r = actions_new(p, q, mono_now());
	assert_non_null(r);
	assert_int_equal(
	    actions_start(r, name, a, from, to, "operator", err, sizeof(err)),
	    0);
	memset(&res, 0, sizeof(res));
	out[0] = '\0';
	while (!done && mono_now() < end) {
		struct pollfd pfd = {.fd = queue_wake_fd(q), .events = POLLIN};
		Event evs[64];
		size_t n;

		poll(&pfd, 1, 200);
		while ((n = queue_drain(q, evs, 64)) > 0)
			for (size_t k = 0; k < n; k++) {
				const ActionEvent *ae = &evs[k].u.action;

				if (evs[k].type != EV_ACTION)
					continue;
				if (ae->phase == ACT_OUTPUT)
					snprintf(out + strlen(out),
					    cap - strlen(out), "%s\n",
					    ae->line);
				if (event_action_outcome(ae, NULL)) {
					res = *ae;
					done = true;
				}
			}
	}
	assert_true(done);
	actions_free(r);
	queue_free(q);
	return res;
}

/* The port of the profile's resolver i ("127.0.0.1:PORT"). */
static int
ns_port(const Profile *p, int i)
{
	return atoi(strrchr(p->dns.resolvers[i].addr, ':') + 1);
}

static void
test_demo_actions_move_the_traffic_manager(void **state)
{
	char err[256], choice[64], out[4096], label[64], reg[64];
	int ttl;
	Demo *d = demo_start(err, sizeof(err));
	const Profile *p;
	ActionEvent res;

	(void)state;
	assert_non_null(d);
	p = demo_profile(d);
	assert_true(demo_control_port(d) > 0);
	/* A real program, no shell: curl posting {to} to the control port. */
	assert_int_equal(p->failover.nsteps, 1);
	assert_string_equal(p->failover.steps[0].argv[0], "curl");
	assert_int_equal(p->failback.nsteps, 1);
	/* Every region healthy: the traffic manager answers eu20. */
	assert_true(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "eu20");
	/* A manual manager: eu20 failing does not move it. */
	demo_cycle_fault(d, 0, label, sizeof(label));
	assert_string_equal(label, "status 500");
	assert_false(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "eu20");
	/* The resolvers cache eu20 now. */
	dns_region(ns_port(p, 1), reg, sizeof(reg), &ttl);
	assert_string_equal(reg, "eu20");
	dns_region(ns_port(p, 2), reg, sizeof(reg), &ttl);
	assert_string_equal(reg, "eu20");
	assert_true(ttl >= 1 && ttl <= DEMO_TTL);

	/* Fail over to ap10 (never the automatic choice). */
	res = run_action(
	    p, "failover", &p->failover, "eu20", "ap10", out, sizeof(out));
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.signal, 0);
	assert_string_equal(res.error, "");
	assert_true(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "ap10");
	assert_non_null(strstr(out, "\"forced\":\"ap10\""));
	/* The name server answers it at once, with the constant TTL; the
	 * resolvers still hold eu20 (well inside its TTL). */
	dns_region(ns_port(p, 0), reg, sizeof(reg), &ttl);
	assert_string_equal(reg, "ap10");
	assert_int_equal(ttl, DEMO_TTL);
	dns_region(ns_port(p, 1), reg, sizeof(reg), &ttl);
	assert_string_equal(reg, "eu20");
	dns_region(ns_port(p, 2), reg, sizeof(reg), &ttl);
	assert_string_equal(reg, "eu20");

	/* Failback: told the region the rules pick (its {to}); eu20 is
	 * fine again. */
	demo_cycle_fault(d, 0, label, sizeof(label)); /* refuse */
	demo_cycle_fault(d, 0, label, sizeof(label)); /* blackhole */
	demo_cycle_fault(d, 0, label, sizeof(label)); /* ok */
	assert_string_equal(label, "ok");
	res = run_action(
	    p, "failback", &p->failback, "ap10", "eu20", out, sizeof(out));
	assert_int_equal(res.exit_code, 0);
	assert_true(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "eu20");
	assert_non_null(strstr(out, "\"forced\":\"eu20\""));

	/* A target the traffic manager does not know: curl -f fails (404)
	 * and the answer is unchanged. */
	res = run_action(
	    p, "failover", &p->failover, "eu20", "nowhere", out, sizeof(out));
	assert_int_not_equal(res.exit_code, 0);
	assert_true(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "eu20");
	demo_stop(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_world),
	    cmocka_unit_test(test_demo_actions_move_the_traffic_manager),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
