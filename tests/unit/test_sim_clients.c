/*
 * sim: the clients a region or the control port meets: keep-alive and
 * pipelining, hostile requests, 500 connections at once, and mangled
 * requests (the parser's robustness test under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "sim/sim.h"
#include "sim_fx.h"

static void
test_keep_alive_and_pipelining(void **state)
{
	Sim *s = *state;
	char buf[2048];
	int why;
	int fd = th_dial(sim_region_port(s, 0));

	assert_true(fd >= 0);
	for (int i = 0; i < 3; i++) {
		sm_send_all(fd, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n");
		/* One answer of known length per request. */
		size_t len = 0;
		long long end = sm_ms_now() + SM_DEADLINE_MS;
		while (strstr(buf, "\r\n\r\neu20\n") == NULL &&
		    sm_ms_now() < end) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			if (poll(&p, 1, 500) <= 0)
				continue;
			ssize_t n =
			    recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
			assert_true(n > 0);
			len += (size_t)n;
			buf[len] = '\0';
		}
		assert_int_equal(sm_status_of(buf), 200);
		assert_non_null(strstr(buf, "Connection: keep-alive"));
		buf[0] = '\0';
	}
	/* Two pipelined requests, the second asking to close, with the
	 * stray empty line some clients send between requests. */
	sm_send_all(fd,
	    "GET /a HTTP/1.1\r\nHost: sim\r\n\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n");
	sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(why, 0);
	const char *second = strstr(buf + 1, "HTTP/1.1 200");
	assert_non_null(second);
	assert_non_null(strstr(second, "Connection: close"));
	assert_int_equal(sim_region_requests(s, 0), 5);
}

static void
test_hostile_requests(void **state)
{
	Sim *s = *state;
	char buf[2048];
	int why;

	/* A slow client holding half a request does not block anyone. */
	int slow = th_dial(sim_region_port(s, 0));
	sm_send_all(slow, "GET /health HTTP/1.1\r\nHo");
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	/* Headers beyond the limit: 431. */
	int fd = th_dial(sim_region_port(s, 0));
	sm_send_all(fd, "GET / HTTP/1.1\r\n");
	char *junk = xmalloc(20 * 1024 + 1);
	memset(junk, 'a', 20 * 1024);
	memcpy(junk, "X-Junk: ", 8);
	junk[20 * 1024] = '\0';
	/* The server may answer and close before all of it is sent. */
	send(fd, junk, strlen(junk), MSG_NOSIGNAL);
	free(junk);
	sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(sm_status_of(buf), 431);
	/* Not HTTP at all: 400. */
	fd = th_dial(sim_region_port(s, 0));
	sm_send_all(fd, "HELLO THERE\r\n\r\n");
	sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(sm_status_of(buf), 400);
	/* A method other than GET or HEAD: 405. */
	fd = th_dial(sim_region_port(s, 0));
	sm_send_all(fd, "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
	sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(sm_status_of(buf), 405);
	/* A client that connects and leaves. */
	fd = th_dial(sim_region_port(s, 0));
	close(fd);
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
	close(slow);
}

static void
test_many_connections(void **state)
{
	Sim *s = *state;
	enum { N = 500 };
	struct rlimit rl;
	int fds[N];
	char bufs[N][160];
	size_t lens[N];
	int done = 0;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2 * N + 64 && rl.rlim_max >= 2 * N + 64) {
		rl.rlim_cur = 2 * N + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	int n = rl.rlim_cur >= 2 * N + 64 ? N : (int)(rl.rlim_cur - 64) / 2;
	assert_true(n >= 100);
	for (int i = 0; i < n; i++) {
		fds[i] = th_dial(sim_region_port(s, i % 3));
		assert_true(fds[i] >= 0);
		lens[i] = 0;
	}
	for (int i = 0; i < n; i++)
		sm_send_all(fds[i],
		    "GET /health HTTP/1.1\r\nHost: sim\r\n"
		    "Connection: close\r\n\r\n");
	long long end = sm_ms_now() + 3 * SM_DEADLINE_MS;
	while (done < n && sm_ms_now() < end) {
		struct pollfd p[N];
		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		if (poll(p, (nfds_t)n, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t r = recv(fds[i], bufs[i] + lens[i],
			    sizeof(bufs[i]) - 1 - lens[i], 0);
			if (r > 0 &&
			    lens[i] + (size_t)r < sizeof(bufs[i]) - 1) {
				lens[i] += (size_t)r;
				continue;
			}
			if (r > 0)
				lens[i] += (size_t)r;
			bufs[i][lens[i]] = '\0';
			close(fds[i]);
			fds[i] = -1;
			done++;
		}
	}
	int good = 0;
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		else if (sm_status_of(bufs[i]) == 200 &&
		    strcmp(sm_body_of(bufs[i]), sim_region_name(s, i % 3)) > 0)
			good++;
	}
	assert_int_equal(done, n);
	assert_int_equal(good, n);
	long long total = 0;
	for (int i = 0; i < 3; i++)
		total += sim_region_requests(s, i);
	assert_int_equal(total, n);
}

/*
 * Mangled requests (fixed seed) to a region and to the control port:
 * each ends, answered or not, once the client stops sending, and the
 * server answers a good request afterwards. Under ASan this is the
 * parser's robustness test.
 */
static void
test_mangled_requests(void **state)
{
	Sim *s = *state;
	static const char *seeds[] = {
	    "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n",
	    "POST /regions/eu20/fault HTTP/1.1\r\nContent-Length: 10\r\n"
	    "\r\nstatus 500",
	    "GET /regions/eu20/fault?set=slow%2050 HTTP/1.0\r\n\r\n",
	    "POST /tm/force HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "4\r\nap10\r\n0\r\n\r\n",
	};
	static const char junk[] = "\r\n :%?/\x00\xff"
	                           "0123456789GETHTTP/1.";
	unsigned seed = 12345;
	char buf[8192], req[256];
	int why;

	for (int i = 0; i < 300; i++) {
		const char *base = seeds[i % ARRAY_LEN(seeds)];
		size_t n = strlen(base);
		memcpy(req, base, n);
		int edits = 1 + (int)(rand_r(&seed) % 4);
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)rand_r(&seed) % n;
			switch (rand_r(&seed) % 3) {
			case 0: /* replace a byte */
				req[at] = junk[(size_t)rand_r(&seed) %
				    (sizeof(junk) - 1)];
				break;
			case 1: /* truncate */
				n = at + 1;
				break;
			default: /* duplicate a run */
				if (n + 16 < sizeof(req)) {
					memmove(
					    req + at + 16, req + at, n - at);
					n += 16;
				}
			}
		}
		int port = i % 2 ? sim_control_port(s) : sim_region_port(s, 0);
		int fd = th_dial(port);
		assert_true(fd >= 0);
		ssize_t w = send(fd, req, n, MSG_NOSIGNAL);
		assert_true(w >= 0);
		shutdown(fd, SHUT_WR);
		sm_read_until(fd, buf, sizeof(buf), SM_DEADLINE_MS, &why);
		close(fd);
		if (why != 0 && why != ECONNRESET)
			fail_msg(
			    "request %d hung (%d): %.*s", i, why, (int)n, req);
	}
	for (int i = 0; i < 3; i++)
		sm_set(s, sim_region_name(s, i), "ok");
	sm_get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_keep_alive_and_pipelining, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_hostile_requests, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_many_connections, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_mangled_requests, sm_setup, sm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
