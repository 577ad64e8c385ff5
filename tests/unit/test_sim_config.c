/*
 * sim: starting the simulator: what its configuration refuses, numeric
 * loopback addresses, a port already taken, and the public listeners
 * (every region also on its DNS address at one shared port).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "sim/netaddr.h"
#include "sim/sim.h"
#include "sim/simdns.h"
#include "sim_fx.h"

static void
test_config_checks(void **state)
{
	char err[256];
	SimRegionSpec dup[] = {{"eu20", 0}, {"eu20", 0}};
	SimRegionSpec badname[] = {{"eu 20", 0}};
	SimConfig cfg = {
	    .regions = sm_three, .nregions = 3, .control_port = -1};

	(void)state;
	assert_true(sim_addr_is_loopback("127.0.0.1"));
	assert_true(sim_addr_is_loopback("127.3.4.5"));
	assert_true(sim_addr_is_loopback("::1"));
	assert_false(sim_addr_is_loopback("0.0.0.0"));
	assert_false(sim_addr_is_loopback("10.0.0.1"));
	assert_false(sim_addr_is_loopback("::"));
	assert_false(sim_addr_is_loopback("localhost"));
	assert_int_equal(sim_config_check(&cfg, err, sizeof(err)), 0);
	cfg.bind = "0.0.0.0";
	assert_null(sim_start(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "loopback"));
	cfg.bind = NULL;
	cfg.regions = dup;
	cfg.nregions = 2;
	assert_int_equal(sim_config_check(&cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
	cfg.regions = badname;
	cfg.nregions = 1;
	assert_int_equal(sim_config_check(&cfg, err, sizeof(err)), -1);
	cfg.nregions = 0;
	assert_int_equal(sim_config_check(&cfg, err, sizeof(err)), -1);
}

static void
test_netaddr(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(netaddr_make("127.0.0.9", 8080, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	assert_true(netaddr_is_loopback(&ss));
	assert_int_equal(netaddr_make("::1", 53, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 53);
	assert_true(netaddr_is_loopback(&ss));
	assert_int_equal(netaddr_make("10.1.2.3", 1, &ss, &len), 0);
	assert_false(netaddr_is_loopback(&ss));
	assert_int_equal(netaddr_make("::2", 1, &ss, &len), 0);
	assert_false(netaddr_is_loopback(&ss));
	/* Names and URL forms are not numeric addresses. */
	assert_int_equal(netaddr_make("[::1]", 1, &ss, &len), -1);
	assert_int_equal(netaddr_make("localhost", 1, &ss, &len), -1);
	assert_int_equal(netaddr_make("127.0.0.1:80", 1, &ss, &len), -1);
	assert_false(netaddr_is_loopback(&ss));
	/* The port a socket got from the kernel. */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(netaddr_make("127.0.0.1", 0, &ss, &len), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	int port = netaddr_bound_port(fd);
	assert_true(port > 0 && port <= 65535);
	close(fd);
	assert_int_equal(netaddr_bound_port(-1), -1);
}

static void
test_port_in_use(void **state)
{
	Sim *a = *state;
	char err[256], want[32];
	SimRegionSpec r[] = {{"x1", 0}, {"x2", sim_region_port(a, 1)}};
	SimConfig cfg = {.regions = r, .nregions = 2, .control_port = -1};

	assert_null(sim_start(&cfg, err, sizeof(err)));
	snprintf(want, sizeof(want), ":%d", sim_region_port(a, 1));
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "x2"));
	/* Nothing was left open: x1's port is not the concern, but the
	 * first simulator still answers. */
	char buf[512];
	int why;
	sm_get(sim_region_port(a, 1), "/", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
}

/* Connect to addr:port (numeric IPv4). An fd, or -errno. */
static int
dial_at(const char *addr, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, addr, &a.sin_addr), 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/*
 * Public listeners: every region also answers on its DNS address at one
 * shared port, with its own name; refuse closes both of its listeners
 * and ok opens both again; a fixed port is used as given.
 */
static void
test_public_listeners(void **state)
{
	char err[256], addr[16], buf[1024], req[128];
	SimConfig cfg = {.regions = sm_three,
	    .nregions = 3,
	    .control_port = -1,
	    .public_listen = true};
	Sim *s;
	int port, why, fd;

	(void)state;
	s = sim_start(&cfg, err, sizeof(err));
	if (s == NULL)
		fail_msg("sim_start: %s", err);
	port = sim_public_port(s);
	assert_true(port > 0);
	for (int i = 0; i < 3; i++) {
		uint8_t a[4];

		sim_region_public_addr(s, i, addr, sizeof(addr));
		simdns_region_addr(sim_region_name(s, i), a);
		snprintf(req, sizeof(req), "127.0.0.%u", a[3]);
		assert_string_equal(addr, req);
		fd = dial_at(addr, port);
		assert_true(fd >= 0);
		sm_send_all(fd,
		    "GET /health HTTP/1.1\r\nHost: demo\r\n"
		    "Connection: close\r\n\r\n");
		sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
		close(fd);
		assert_int_equal(sm_status_of(buf), 200);
		assert_true(str_starts(sm_body_of(buf), sim_region_name(s, i)));
	}
	/* One fault, both listeners. */
	sim_region_public_addr(s, 0, addr, sizeof(addr));
	sm_set(s, "eu20", "refuse");
	assert_int_equal(dial_at(addr, port), -ECONNREFUSED);
	assert_int_equal(th_dial(sim_region_port(s, 0)), -ECONNREFUSED);
	sm_set(s, "eu20", "status 500");
	fd = dial_at(addr, port);
	assert_true(fd >= 0);
	sm_send_all(fd, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
	sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(sm_status_of(buf), 500);
	assert_int_equal(sim_region_requests(s, 0), 2);
	sim_stop(s);

	/* A fixed port; without public listeners the port is -1. */
	cfg.public_port = port;
	s = sim_start(&cfg, err, sizeof(err));
	if (s == NULL)
		fail_msg("sim_start on port %d: %s", port, err);
	assert_int_equal(sim_public_port(s), port);
	sim_stop(s);
	cfg.public_listen = false;
	s = sim_start(&cfg, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(sim_public_port(s), -1);
	sim_stop(s);
	cfg.public_listen = true;
	cfg.public_port = 70000;
	assert_null(sim_start(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "70000"));
	/* r5 and r12 hash to one address: named, nothing starts. */
	SimRegionSpec clash[] = {{"r5", 0}, {"r12", 0}};
	cfg.regions = clash;
	cfg.nregions = 2;
	cfg.public_port = 0;
	assert_null(sim_start(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "r5 and r12"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_checks),
	    cmocka_unit_test(test_netaddr),
	    cmocka_unit_test_setup_teardown(
	        test_port_in_use, sm_setup, sm_teardown),
	    cmocka_unit_test(test_public_listeners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
