/* demo: the built-in world starts, its profile is valid and points at
 * the running regions, and keys 1-3 rotate real faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo.h"

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
	assert_true(strncmp(p->dns.resolvers[0], "127.0.0.1:", 10) == 0);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_world),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
