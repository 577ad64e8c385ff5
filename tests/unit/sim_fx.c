/*
 * The simulator tests' fixture: a plain client (blocking sockets with
 * poll() deadlines, so what it sees is what a prober sees), the control
 * interface, and a simulator of three regions per test.
 */
#include "sim_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"

long long
sm_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sm_send_all(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		ssize_t w = send(fd, s + off, n - off, MSG_NOSIGNAL);
		assert_true(w > 0);
		off += (size_t)w;
	}
}

/*
 * Read into buf until EOF, an error, cap-1 bytes, or the deadline.
 * Returns bytes read; *why gets 0 for EOF, ETIMEDOUT, ENOBUFS (full)
 * or the socket error (ECONNRESET).
 */
size_t
sm_read_until(int fd, char *buf, size_t cap, int timeout_ms, int *why)
{
	long long end = sm_ms_now() + timeout_ms;
	size_t len = 0;

	for (;;) {
		long long left = end - sm_ms_now();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (len + 1 >= cap) {
			*why = ENOBUFS;
			break;
		}
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			*why = ETIMEDOUT;
			break;
		}
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n == 0) {
			*why = 0;
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*why = errno;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* GET path with Connection: close; the whole answer into buf. */
size_t
sm_get(int port, const char *path, char *buf, size_t cap, int *why)
{
	char req[256];
	int fd = th_dial(port);

	assert_true(fd >= 0);
	snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n", path);
	sm_send_all(fd, req);
	size_t n = sm_read_until(fd, buf, cap, SM_DEADLINE_MS, why);
	close(fd);
	return n;
}

int
sm_status_of(const char *resp)
{
	int st = -1;

	if (sscanf(resp, "HTTP/1.1 %d ", &st) != 1)
		return -1;
	return st;
}

const char *
sm_body_of(const char *resp)
{
	const char *b = strstr(resp, "\r\n\r\n");

	return b != NULL ? b + 4 : "";
}

/* One control request; returns the status, the body into buf. */
int
sm_control(Sim *s, const char *method, const char *path, const char *body,
    char *buf, size_t cap)
{
	char req[1024];
	int why;
	int fd = th_dial(sim_control_port(s));

	assert_true(fd >= 0);
	snprintf(req, sizeof(req),
	    "%s %s HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s",
	    method, path, strlen(body), body);
	sm_send_all(fd, req);
	char *resp = xmalloc(65536);
	sm_read_until(fd, resp, 65536, SM_DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(why, 0);
	int st = sm_status_of(resp);
	snprintf(buf, cap, "%s", sm_body_of(resp));
	free(resp);
	return st;
}

const SimRegionSpec sm_three[3] = {
    {"eu20", 0},
    {"us21", 0},
    {"ap10", 0},
};

static Sim *
start3(void)
{
	char err[256];
	SimConfig cfg = {.regions = sm_three,
	    .nregions = 3,
	    .control_port = 0,
	    .bind = NULL};
	Sim *s = sim_start(&cfg, err, sizeof(err));

	if (s == NULL)
		fail_msg("sim_start: %s", err);
	return s;
}

void
sm_set(Sim *s, const char *region, const char *text)
{
	char err[256];
	SimFault f;

	assert_int_equal(sim_fault_parse(text, &f, err, sizeof(err)), 0);
	if (sim_set_fault(s, region, &f, err, sizeof(err)) != 0)
		fail_msg("set %s %s: %s", region, text, err);
}

int
sm_setup(void **state)
{
	*state = start3();
	return 0;
}

int
sm_teardown(void **state)
{
	sim_stop(*state);
	return 0;
}
