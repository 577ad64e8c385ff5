/*
 * sim: every fault mode seen from a real client socket on loopback, the
 * control interface and the traffic-manager decision (the fault texts
 * are tests/unit/test_fault.c).
 * The client below is deliberately plain: blocking sockets with poll()
 * deadlines, so what it sees is what a prober sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "sim/netaddr.h"
#include "sim/sim.h"
#include "sim/simdns.h"

#define DEADLINE_MS 10000 /* generous: 2 cores shared by many builds */

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
send_all(int fd, const char *s)
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
static size_t
read_until(int fd, char *buf, size_t cap, int timeout_ms, int *why)
{
	long long end = ms_now() + timeout_ms;
	size_t len = 0;

	for (;;) {
		long long left = end - ms_now();
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
static size_t
get(int port, const char *path, char *buf, size_t cap, int *why)
{
	char req[256];
	int fd = th_dial(port);

	assert_true(fd >= 0);
	snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n", path);
	send_all(fd, req);
	size_t n = read_until(fd, buf, cap, DEADLINE_MS, why);
	close(fd);
	return n;
}

static int
status_of(const char *resp)
{
	int st = -1;

	if (sscanf(resp, "HTTP/1.1 %d ", &st) != 1)
		return -1;
	return st;
}

static const char *
body_of(const char *resp)
{
	const char *b = strstr(resp, "\r\n\r\n");

	return b != NULL ? b + 4 : "";
}

/* One control request; returns the status, the body into buf. */
static int
control(Sim *s, const char *method, const char *path, const char *body,
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
	send_all(fd, req);
	char *resp = xmalloc(65536);
	read_until(fd, resp, 65536, DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(why, 0);
	int st = status_of(resp);
	snprintf(buf, cap, "%s", body_of(resp));
	free(resp);
	return st;
}

static const SimRegionSpec three[] = {
    {"eu20", 0},
    {"us21", 0},
    {"ap10", 0},
};

static Sim *
start3(void)
{
	char err[256];
	SimConfig cfg = {
	    .regions = three, .nregions = 3, .control_port = 0, .bind = NULL};
	Sim *s = sim_start(&cfg, err, sizeof(err));

	if (s == NULL)
		fail_msg("sim_start: %s", err);
	return s;
}

static void
set(Sim *s, const char *region, const char *text)
{
	char err[256];
	SimFault f;

	assert_int_equal(sim_fault_parse(text, &f, err, sizeof(err)), 0);
	if (sim_set_fault(s, region, &f, err, sizeof(err)) != 0)
		fail_msg("set %s %s: %s", region, text, err);
}

static int
setup(void **state)
{
	*state = start3();
	return 0;
}

static int
teardown(void **state)
{
	sim_stop(*state);
	return 0;
}

static void
test_config_checks(void **state)
{
	char err[256];
	SimRegionSpec dup[] = {{"eu20", 0}, {"eu20", 0}};
	SimRegionSpec badname[] = {{"eu 20", 0}};
	SimConfig cfg = {.regions = three, .nregions = 3, .control_port = -1};

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
	get(sim_region_port(a, 1), "/", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
}

/* ---- answers ---- */

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
		get(sim_region_port(s, i), "/health", buf, sizeof(buf), &why);
		assert_int_equal(why, 0);
		assert_int_equal(status_of(buf), 200);
		char hdr[64], body[64];
		snprintf(hdr, sizeof(hdr), "X-Region: %s\r\n",
		    sim_region_name(s, i));
		snprintf(body, sizeof(body), "%s\n", sim_region_name(s, i));
		assert_non_null(strstr(buf, hdr));
		assert_non_null(strstr(buf, "Connection: close\r\n"));
		assert_string_equal(body_of(buf), body);
	}
	get(sim_region_port(s, 0), "/any/other?path=1", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
	assert_int_equal(sim_region_requests(s, 0), 2);
	assert_int_equal(sim_region_requests(s, 2), 1);
}

static void
test_status_faults(void **state)
{
	Sim *s = *state;
	char buf[1024], want[80];
	int why;

	set(s, "eu20", "status 500");
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 500);
	assert_true(str_starts(body_of(buf), "eu20\n"));
	set(s, "eu20", "status 401");
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 401);
	set(s, "eu20", "status 301");
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 301);
	snprintf(want, sizeof(want), "Location: http://127.0.0.1:%d/",
	    sim_region_port(s, 0));
	assert_non_null(strstr(buf, want));
	/* Other regions are untouched. */
	get(sim_region_port(s, 1), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
	set(s, "eu20", "ok");
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
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
	set(s, "us21", "refuse");
	assert_int_equal(th_dial(port), -ECONNREFUSED);
	assert_int_equal(sim_region_port(s, 1), port);
	/* The kept connection is closed too: no way into a refused region. */
	assert_int_equal(
	    read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why), 0);
	assert_true(why == 0 || why == ECONNRESET); /* closed, unanswered */
	set(s, "us21", "refuse"); /* twice is fine */
	assert_int_equal(th_dial(port), -ECONNREFUSED);
	set(s, "us21", "ok");
	get(port, "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
	assert_string_equal(body_of(buf), "us21\n");
	close(fd);
}

static void
test_blackhole(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;

	set(s, "eu20", "blackhole");
	int fd = th_dial(sim_region_port(s, 0));
	assert_true(fd >= 0);
	send_all(fd, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n");
	/* Another region answers while the blackhole holds its client. */
	get(sim_region_port(s, 1), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
	size_t n = read_until(fd, buf, sizeof(buf), 700, &why);
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

	set(s, "ap10", "slow 1200");
	long long t0 = ms_now();
	int fd = th_dial(sim_region_port(s, 2));
	assert_true(fd >= 0);
	send_all(fd,
	    "GET /health HTTP/1.1\r\nHost: sim\r\nConnection: "
	    "close\r\n\r\n");
	/* Another region answers meanwhile ... */
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
	/* ... and the slow one has said nothing yet, unless the machine
	 * took the whole delay to serve that one request. */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (ms_now() - t0 < slow_ms - 100)
		assert_int_equal(poll(&p, 1, 0), 0);
	read_until(fd, buf, sizeof(buf), slow_ms + DEADLINE_MS, &why);
	long long took = ms_now() - t0;
	close(fd);
	assert_int_equal(why, 0);
	assert_int_equal(status_of(buf), 200);
	assert_string_equal(body_of(buf), "ap10\n");
	assert_true(took >= slow_ms);
}

static void
test_flap(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;
	int want[] = {200, 500, 200, 500, 200};

	set(s, "eu20", "flap");
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
		assert_int_equal(status_of(buf), want[i]);
	}
}

static void
test_reset(void **state)
{
	Sim *s = *state;
	char buf[4096];
	int why;

	set(s, "eu20", "reset");
	size_t n =
	    get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	/* Either the RST discards what was sent, or what arrived is less
	 * than the Content-Length promised. */
	if (why == ECONNRESET) {
		assert_true(n < 1000);
	} else {
		assert_int_equal(why, 0);
		assert_int_equal(status_of(buf), 200);
		assert_non_null(strstr(buf, "Content-Length: 1000\r\n"));
		assert_true(strlen(body_of(buf)) < 1000);
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

	set(s, "us21", "huge");
	long before = rss_kb();
	int fd = th_dial(sim_region_port(s, 1));
	assert_true(fd >= 0);
	send_all(fd, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n");
	long long end = ms_now() + 6 * DEADLINE_MS;
	while (total < want && ms_now() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		assert_true(n > 0);
		if (total == 0)
			assert_int_equal(status_of(buf), 200);
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
	send_all(fd, "HEAD / HTTP/1.1\r\nHost: sim\r\n\r\n");
	read_until(fd, small, sizeof(small), DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(why, 0);
	assert_int_equal(status_of(small), 200);
	assert_string_equal(body_of(small), "");
}

static void
test_garbage(void **state)
{
	Sim *s = *state;
	char buf[1024];
	int why;

	set(s, "ap10", "garbage");
	size_t n =
	    get(sim_region_port(s, 2), "/health", buf, sizeof(buf), &why);
	assert_int_equal(why, 0);
	assert_true(n > 0);
	assert_false(str_starts(buf, "HTTP/"));
	assert_int_equal(status_of(buf), -1);
}

static void
test_keep_alive_and_pipelining(void **state)
{
	Sim *s = *state;
	char buf[2048];
	int why;
	int fd = th_dial(sim_region_port(s, 0));

	assert_true(fd >= 0);
	for (int i = 0; i < 3; i++) {
		send_all(fd, "GET /health HTTP/1.1\r\nHost: sim\r\n\r\n");
		/* One answer of known length per request. */
		size_t len = 0;
		long long end = ms_now() + DEADLINE_MS;
		while (
		    strstr(buf, "\r\n\r\neu20\n") == NULL && ms_now() < end) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			if (poll(&p, 1, 500) <= 0)
				continue;
			ssize_t n =
			    recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
			assert_true(n > 0);
			len += (size_t)n;
			buf[len] = '\0';
		}
		assert_int_equal(status_of(buf), 200);
		assert_non_null(strstr(buf, "Connection: keep-alive"));
		buf[0] = '\0';
	}
	/* Two pipelined requests, the second asking to close, with the
	 * stray empty line some clients send between requests. */
	send_all(fd,
	    "GET /a HTTP/1.1\r\nHost: sim\r\n\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n");
	read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
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
	send_all(slow, "GET /health HTTP/1.1\r\nHo");
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
	/* Headers beyond the limit: 431. */
	int fd = th_dial(sim_region_port(s, 0));
	send_all(fd, "GET / HTTP/1.1\r\n");
	char *junk = xmalloc(20 * 1024 + 1);
	memset(junk, 'a', 20 * 1024);
	memcpy(junk, "X-Junk: ", 8);
	junk[20 * 1024] = '\0';
	/* The server may answer and close before all of it is sent. */
	send(fd, junk, strlen(junk), MSG_NOSIGNAL);
	free(junk);
	read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(status_of(buf), 431);
	/* Not HTTP at all: 400. */
	fd = th_dial(sim_region_port(s, 0));
	send_all(fd, "HELLO THERE\r\n\r\n");
	read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(status_of(buf), 400);
	/* A method other than GET or HEAD: 405. */
	fd = th_dial(sim_region_port(s, 0));
	send_all(fd, "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
	read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(status_of(buf), 405);
	/* A client that connects and leaves. */
	fd = th_dial(sim_region_port(s, 0));
	close(fd);
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
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
		send_all(fds[i],
		    "GET /health HTTP/1.1\r\nHost: sim\r\n"
		    "Connection: close\r\n\r\n");
	long long end = ms_now() + 3 * DEADLINE_MS;
	while (done < n && ms_now() < end) {
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
		else if (status_of(bufs[i]) == 200 &&
		    strcmp(body_of(bufs[i]), sim_region_name(s, i % 3)) > 0)
			good++;
	}
	assert_int_equal(done, n);
	assert_int_equal(good, n);
	long long total = 0;
	for (int i = 0; i < 3; i++)
		total += sim_region_requests(s, i);
	assert_int_equal(total, n);
}

/* ---- traffic manager ---- */

static void
test_tm_choice(void **state)
{
	Sim *s = *state;
	char r[SIM_NAME_MAX], err[256];

	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	set(s, "eu20", "status 500");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	set(s, "us21", "slow 500");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	set(s, "us21", "slow 1500");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "ap10");
	set(s, "ap10", "refuse");
	assert_false(sim_tm_choice(s, r, sizeof(r))); /* fail open */
	assert_string_equal(r, "eu20");
	set(s, "eu20", "status 204");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	assert_int_equal(sim_tm_force(s, "ap10", err, sizeof(err)), 0);
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "ap10");
	sim_tm_forced(s, r, sizeof(r));
	assert_string_equal(r, "ap10");
	assert_int_equal(sim_tm_force(s, "mars", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mars"));
	assert_int_equal(sim_tm_force(s, "auto", err, sizeof(err)), 0);
	sim_tm_forced(s, r, sizeof(r));
	assert_string_equal(r, "");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	assert_int_equal(sim_tm_force(s, NULL, err, sizeof(err)), 0);
}

/*
 * A manual manager answers what it was last told and never moves by
 * health: its primary (the first region) until told otherwise, even
 * failing; a forced region stays forced when it fails; "auto" returns
 * it to its primary, not to the best healthy region. Switching back to
 * automatic follows health again.
 */
static void
test_tm_manual(void **state)
{
	Sim *s = *state;
	char r[SIM_NAME_MAX], err[256], body[2048];

	assert_int_equal(sim_tm_manager(s), SIM_TM_AUTOMATIC);
	sim_tm_set_manager(s, SIM_TM_MANUAL);
	assert_int_equal(sim_tm_manager(s), SIM_TM_MANUAL);
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	/* eu20 fails: a manual manager keeps answering it. */
	set(s, "eu20", "refuse");
	assert_false(sim_tm_choice(s, r, sizeof(r))); /* not healthy */
	assert_string_equal(r, "eu20");
	set(s, "eu20", "status 500");
	assert_false(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	/* Told us21 (the failover action): us21, also when it fails. */
	assert_int_equal(sim_tm_force(s, "us21", err, sizeof(err)), 0);
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	set(s, "us21", "blackhole");
	set(s, "eu20", "ok");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	/* auto: its primary, whatever is healthy. */
	set(s, "eu20", "status 500");
	assert_int_equal(sim_tm_force(s, "auto", err, sizeof(err)), 0);
	assert_false(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	/* The control interface shows and switches the manager. */
	assert_int_equal(control(s, "GET", "/tm", "", body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"manager\":\"manual\""));
	assert_int_equal(
	    control(s, "POST", "/tm/manager", "sideways\n", body, sizeof(body)),
	    400);
	assert_int_equal(control(s, "POST", "/tm/manager", "automatic\n", body,
	                     sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"manager\":\"automatic\""));
	/* Automatic again: the first healthy region (ap10: us21 is a
	 * black hole, eu20 fails). */
	assert_non_null(strstr(body, "\"choice\":\"ap10\""));
	assert_int_equal(sim_tm_manager(s), SIM_TM_AUTOMATIC);
	assert_int_equal(
	    control(s, "GET", "/tm/manager?set=manual", "", body, sizeof(body)),
	    200);
	assert_int_equal(sim_tm_manager(s), SIM_TM_MANUAL);
	assert_string_equal(sim_tm_manager_name(SIM_TM_MANUAL), "manual");
	assert_int_equal(
	    sim_tm_manager_from_name("automatic"), SIM_TM_AUTOMATIC);
	assert_int_equal(sim_tm_manager_from_name("auto"), -1);
	assert_null(sim_tm_manager_name(SIM_TM__MANAGERS));
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
	SimConfig cfg = {.regions = three,
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
		send_all(fd,
		    "GET /health HTTP/1.1\r\nHost: demo\r\n"
		    "Connection: close\r\n\r\n");
		read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
		close(fd);
		assert_int_equal(status_of(buf), 200);
		assert_true(str_starts(body_of(buf), sim_region_name(s, i)));
	}
	/* One fault, both listeners. */
	sim_region_public_addr(s, 0, addr, sizeof(addr));
	set(s, "eu20", "refuse");
	assert_int_equal(dial_at(addr, port), -ECONNREFUSED);
	assert_int_equal(th_dial(sim_region_port(s, 0)), -ECONNREFUSED);
	set(s, "eu20", "status 500");
	fd = dial_at(addr, port);
	assert_true(fd >= 0);
	send_all(fd, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
	read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
	close(fd);
	assert_int_equal(status_of(buf), 500);
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

/* Another thread reading the decision while faults change. */
static void *
tm_reader(void *arg)
{
	Sim *s = arg;
	char r[SIM_NAME_MAX];
	long bad = 0;

	for (int i = 0; i < 20000; i++) {
		sim_tm_choice(s, r, sizeof(r));
		if (strcmp(r, "eu20") != 0 && strcmp(r, "us21") != 0)
			bad++;
	}
	return (void *)bad;
}

static void
test_tm_threads(void **state)
{
	Sim *s = *state;
	pthread_t t;
	void *bad;

	assert_int_equal(pthread_create(&t, NULL, tm_reader, s), 0);
	for (int i = 0; i < 200; i++)
		set(s, "eu20", i % 2 ? "ok" : "refuse");
	pthread_join(t, &bad);
	assert_int_equal((long)bad, 0);
}

/* ---- control interface ---- */

static void
custom_route(Sim *s, const SimRequest *req, SimResponse *resp, void *ctx)
{
	(void)s;
	resp->status = 201;
	resp->content_type = "text/plain";
	resp->body = xasprintf("%s %s %s q=%s body=%s\n", (const char *)ctx,
	    req->method, req->path, req->query, req->body);
}

static void
test_control(void **state)
{
	Sim *s = *state;
	char body[8192], buf[1024];
	int why;

	assert_true(sim_control_port(s) > 0);
	assert_int_equal(
	    control(s, "GET", "/regions", "", body, sizeof(body)), 200);
	assert_true(str_starts(body, "{\"regions\":[{\"name\":\"eu20\""));
	assert_non_null(strstr(body, "\"fault\":\"ok\""));
	assert_non_null(strstr(body,
	    "\"tm\":{\"manager\":\"automatic\",\"forced\":null,"
	    "\"choice\":\"eu20\""));
	char *direct = sim_state_json(s);
	assert_string_equal(direct, body);
	free(direct);
	assert_int_equal(control(s, "GET", "/", "", body, sizeof(body)), 200);

	assert_int_equal(control(s, "POST", "/regions/eu20/fault",
	                     "status 503\n", body, sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"fault\":\"status 503\""));
	get(sim_region_port(s, 0), "/", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 503);

	assert_int_equal(control(s, "POST", "/regions/eu20/fault", "bogus",
	                     body, sizeof(body)),
	    400);
	assert_non_null(strstr(body, "\"error\":"));
	assert_int_equal(
	    control(s, "POST", "/regions/mars/fault", "ok", body, sizeof(body)),
	    404);
	int kept = th_dial(sim_region_port(s, 0));
	assert_true(kept >= 0);
	assert_int_equal(control(s, "GET", "/regions/eu20/fault?set=refuse", "",
	                     body, sizeof(body)),
	    200);
	assert_int_equal(th_dial(sim_region_port(s, 0)), -ECONNREFUSED);
	assert_int_equal(
	    read_until(kept, buf, sizeof(buf), DEADLINE_MS, &why), 0);
	assert_true(why == 0 || why == ECONNRESET);
	close(kept);
	assert_int_equal(control(s, "GET", "/regions/eu20/fault?set=slow%20300",
	                     "", body, sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"fault\":\"slow 300\""));
	assert_int_equal(sim_get_fault(s, 0).kind, SIM_FAULT_SLOW);
	get(sim_region_port(s, 0), "/", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);

	assert_int_equal(
	    control(s, "POST", "/tm/force", "ap10\n", body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"forced\":\"ap10\""));
	assert_int_equal(
	    control(s, "POST", "/tm/force", "mars", body, sizeof(body)), 404);
	assert_int_equal(
	    control(s, "POST", "/tm/force", "auto", body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"forced\":null"));
	assert_int_equal(
	    control(s, "GET", "/nothing", "", body, sizeof(body)), 404);
	assert_int_equal(
	    control(s, "DELETE", "/regions", "", body, sizeof(body)), 405);

	/* A route added by another module, tried before the built-ins. */
	assert_int_equal(
	    sim_add_route(s, "POST", "/dns/", custom_route, (void *)"dns"), 0);
	assert_int_equal(control(s, "POST", "/dns/answer?x=1", "servfail", body,
	                     sizeof(body)),
	    201);
	assert_string_equal(body, "dns POST /dns/answer q=x=1 body=servfail\n");
	/* Method filter: GET does not reach it. */
	assert_int_equal(
	    control(s, "GET", "/dns/answer", "", body, sizeof(body)), 404);
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
		read_until(fd, buf, sizeof(buf), DEADLINE_MS, &why);
		close(fd);
		if (why != 0 && why != ECONNRESET)
			fail_msg(
			    "request %d hung (%d): %.*s", i, why, (int)n, req);
	}
	for (int i = 0; i < 3; i++)
		set(s, sim_region_name(s, i), "ok");
	get(sim_region_port(s, 0), "/health", buf, sizeof(buf), &why);
	assert_int_equal(status_of(buf), 200);
}

typedef struct {
	pthread_mutex_t lock;
	char text[4096];
} LogBuf;

static void
log_to_buf(void *ctx, const char *msg)
{
	LogBuf *b = ctx;

	pthread_mutex_lock(&b->lock);
	size_t n = strlen(b->text);
	snprintf(b->text + n, sizeof(b->text) - n, "%s\n", msg);
	pthread_mutex_unlock(&b->lock);
}

static void
test_log(void **state)
{
	static LogBuf b = {.lock = PTHREAD_MUTEX_INITIALIZER};
	char err[256], body[1024];
	SimConfig cfg = {.regions = three,
	    .nregions = 3,
	    .control_port = 0,
	    .log = log_to_buf,
	    .log_ctx = &b};
	Sim *s = sim_start(&cfg, err, sizeof(err));

	(void)state;
	assert_non_null(s);
	set(s, "us21", "slow 300");
	/* Through the control interface: logged on the server thread. */
	assert_int_equal(control(s, "POST", "/regions/ap10/fault", "flap", body,
	                     sizeof(body)),
	    200);
	assert_int_equal(control(s, "POST", "/regions/ap10/fault", "bad", body,
	                     sizeof(body)),
	    400);
	assert_int_equal(sim_tm_force(s, "us21", err, sizeof(err)), 0);
	assert_int_equal(sim_tm_force(s, "auto", err, sizeof(err)), 0);
	sim_stop(s);
	assert_string_equal(b.text,
	    "us21: fault slow 300\n"
	    "ap10: fault flap\n"
	    "tm: forced us21\n"
	    "tm: automatic\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_checks),
	    cmocka_unit_test(test_netaddr),
	    cmocka_unit_test_setup_teardown(test_port_in_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ok_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_status_faults, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_refuse_and_recover, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blackhole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_huge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_keep_alive_and_pipelining, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_hostile_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_many_connections, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tm_choice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tm_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tm_manual, setup, teardown),
	    cmocka_unit_test(test_public_listeners),
	    cmocka_unit_test_setup_teardown(test_control, setup, teardown),
	    cmocka_unit_test(test_log),
	    cmocka_unit_test_setup_teardown(
	        test_mangled_requests, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
