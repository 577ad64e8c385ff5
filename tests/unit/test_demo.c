/* demo: the built-in world starts, its profile is valid and points at
 * the running regions, keys 1-3 rotate real faults, and the built-in
 * failover/failback actions, run through the action runner as real
 * processes, move the simulated traffic manager's answer. */
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
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actions/actions.h"
#include "base/clock.h"
#include "base/util.h"
#include "model/queue.h"
#include "sim/demo.h"

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
	assert_int_equal(p->dns.ttl, 30);
	assert_int_equal(p->dns.nresolvers, 1);
	assert_true(strncmp(p->dns.resolvers[0].addr, "127.0.0.1:", 10) == 0);
	assert_string_equal(
	    p->endpoints[1].dns_answers[0], "us21.sim.drtop.test");
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

static void
test_demo_actions_move_the_traffic_manager(void **state)
{
	char err[256], choice[64], out[4096];
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

	/* Fail over to ap10 (never the automatic choice while eu20 is ok). */
	res = run_action(
	    p, "failover", &p->failover, "eu20", "ap10", out, sizeof(out));
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.signal, 0);
	assert_string_equal(res.error, "");
	assert_true(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "ap10");
	assert_non_null(strstr(out, "\"forced\":\"ap10\""));

	/* Failback: automatic again, back to the best healthy region. */
	res = run_action(
	    p, "failback", &p->failback, "ap10", "eu20", out, sizeof(out));
	assert_int_equal(res.exit_code, 0);
	assert_true(demo_tm_choice(d, choice, sizeof(choice)));
	assert_string_equal(choice, "eu20");

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
