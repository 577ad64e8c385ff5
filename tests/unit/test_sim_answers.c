/*
 * sim: every fault mode seen from a real client socket on loopback (the
 * fault texts are tests/unit/test_fault.c): ok, status, refuse and
 * recover, blackhole, slow, flap, reset, huge and garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "sim/sim.h"
#include "sim_fx.h"

static void
test_ok_answer(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;

	assert_int_equal(sim_region_count(s), 3);
	assert_string_equal(sim_region_name(s, 1), "us21");
	assert_int_equal(sim_region_find(s, "ap10"), 2);
	assert_int_equal(sim_region_find(s, "nope"), -1);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/health",
	    sim_region_port(s, 1));
	assert_string_equal(sim_region_url(s, 1), url);
	for (int i = 0; i < 3; i++) {
		sm_get(
		    sim_region_port(s, i), "/health", buf, sizeof(buf), &why);
		assert_int_equal(why, 0);
		assert_int_equal(sm_status_of(buf), 200);
		char hdr[64], body[64];
		snprintf(hdr, sizeof(hdr), "X-Region: %s\r\n",
		    sim_region_name(s, i));
		snprintf(body, sizeof(body), "%s\n", sim_region_name(s, i));
		assert_non_null(strstr(buf, hdr));
		assert_non_null(strstr(buf, "Connection: close\r\n"));
		assert_string_equal(sm_body_of(buf), body);
	}
	sm_get(
	    sim_region_port(s, 0), "/any/other?path=1", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	assert_int_equal(sim_region_requests(s, 0), 2);
	assert_int_equal(sim_region_requests(s, 2), 1);
}

static void
test_status_faults(void **state)
{
	Sim *s = *state;
	char buf[1024], want[80];
	int why;

	sm_set(s, "eu20", "status 500");
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 500);
	assert_true(str_starts(sm_body_of(buf), "eu20\n"));
	sm_set(s, "eu20", "status 401");
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 401);
	sm_set(s, "eu20", "status 301");
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 301);
	snprintf(want, sizeof(want), "Location: http://127.0.0.1:%d/",
	    sim_region_port(s, 0));
	assert_non_null(strstr(buf, want));
	/* Other regions are untouched. */
	sm_get(sim_region_port(s, 1), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	sm_set(s, "eu20", "ok");
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
}

static void
test_refuse_and_recover(void **state)
{
	Sim *s = *state;
	int port = sim_region_port(s, 1);
	char buf[1024];
	int why;

	/* A kept-alive client from before must not stop the re-listen. */
	int fd = th_dial(port);
	assert_true(fd >= 0);
	sm_set(s, "us21", "refuse");
	assert_int_equal(th_dial(port), -ECONNREFUSED);
	assert_int_equal(sim_region_port(s, 1), port);
	/* The kept connection is closed too: no way into a refused region. */
	assert_int_equal(
	    sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why), 0);
	assert_true(why == 0 || why == ECONNRESET); /* closed, unanswered */
	sm_set(s, "us21", "refuse"); /* twice is fine */
	assert_int_equal(th_dial(port), -ECONNREFUSED);
	sm_set(s, "us21", "ok");
	sm_get(port, "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	assert_string_equal(sm_body_of(buf), "us21\n");
	close(fd);
}

static void
test_blackhole(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;

	sm_set(s, "eu20", "blackhole");
	int fd = th_dial(sim_region_port(s, 0));
	assert_true(fd >= 0);
	sm_send_all(fd, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n");
	/* Another region answers while the blackhole holds its client. */
	sm_get(sim_region_port(s, 1), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	size_t n = sm_read_until(fd, buf, sizeof(buf), 700, &why);
	assert_int_equal(n, 0);
	assert_int_equal(why, ETIMEDOUT);
	close(fd);
	/* The request was received and counted. */
	assert_int_equal(sim_region_requests(s, 0), 1);
}

static void
test_slow(void **state)
{
	Sim *s = *state;
	const int slow_ms = 1200;
	char buf[1024];
	int why;

	sm_set(s, "ap10", "slow 1200");
	long long t0 = sm_ms_now();
	int fd = th_dial(sim_region_port(s, 2));
	assert_true(fd >= 0);
	sm_send_all(fd,
	    "GET /health HTTP/1.1\r\nHost: sim\r\nConnection: "
	    "close\r\n\r\n");
	/* Another region answers meanwhile ... */
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	/* ... and the slow one has said nothing yet, unless the machine
	 * took the whole delay to serve that one request. */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (sm_ms_now() - t0 < slow_ms - 100)
		assert_int_equal(poll(&p, 1, 0), 0);
	sm_read_until(fd, buf, sizeof(buf), slow_ms + SM_DEADLINE_MS, &why);
	long long took = sm_ms_now() - t0;
	close(fd);
	assert_int_equal(why, 0);
	assert_int_equal(sm_status_of(buf), 200);
	assert_string_equal(sm_body_of(buf), "ap10\n");
	assert_true(took >= slow_ms);
}

static void
test_flap(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;
	int want[] = {200, 500, 200, 500, 200};

	sm_set(s, "eu20", "flap");
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		sm_get(
		    sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
		assert_int_equal(sm_status_of(buf), want[i]);
	}
}

static void
test_reset(void **state)
{
	Sim *s = *state;
	char buf[4096];
	int why;

	sm_set(s, "eu20", "reset");
	size_t n =
	    sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	/* Either the RST discards what was sent, or what arrived is less
	 * than the Content-Length promised. */
	if (why == ECONNRESET) {
		assert_true(n < 1000);
	} else {
		assert_int_equal(why, 0);
		assert_int_equal(sm_status_of(buf), 200);
		assert_non_null(strstr(buf, "Content-Length: 1000\r\n"));
		assert_true(strlen(sm_body_of(buf)) < 1000);
	}
}

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
test_huge(void **state)
{
	Sim *s = *state;
	const size_t want = 12 * 1024 * 1024;
	static char buf[64 * 1024];
	size_t total = 0;

	sm_set(s, "us21", "huge");
	long before = rss_kb();
	int fd = th_dial(sim_region_port(s, 1));
	assert_true(fd >= 0);
	sm_send_all(fd, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n");
	long long end = sm_ms_now() + 6 * SM_DEADLINE_MS;
	while (total < want && sm_ms_now() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		assert_true(n > 0);
		if (total == 0)
			assert_int_equal(sm_status_of(buf), 200);
		total += (size_t)n;
	}
	long after = rss_kb();
	close(fd);
	assert_true(total >= want);
	assert_true(after - before < 20 * 1024);
	/* The region still answers (HEAD gives the headers only). */
	char small[1024];
	int why;
	fd = th_dial(sim_region_port(s, 1));
	sm_send_all(fd, "HEAD / HTTP/1.1\r\nHost: sim\r\n\r\n");
	sm_read_until(fd, small, sizeof(small), SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(why, 0);
	assert_int_equal(sm_status_of(small), 200);
	assert_string_equal(sm_body_of(small), "");
}

static void
test_garbage(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;

	sm_set(s, "ap10", "garbage");
	size_t n =
	    sm_get(sim_region_port(s, 2), "/health", buf, sizeof(buf), &why);
	assert_int_equal(why, 0);
	assert_true(n > 0);
	assert_false(str_starts(buf, "HTTP/"));
	assert_int_equal(sm_status_of(buf), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_ok_answer, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_status_faults, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_refuse_and_recover, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_blackhole, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(test_slow, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(test_flap, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(test_reset, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(test_huge, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_garbage, sm_setup, sm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
