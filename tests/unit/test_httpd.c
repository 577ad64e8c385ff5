/*
 * httpd: the simulator's HTTP server on its own, with a handler of the
 * test's: answers with the listener's and extra headers, HEAD, bodies,
 * pipelining, held answers, raw bytes, unanswered requests, and a
 * listener closed and opened again from on_wake (which also drops the
 * kept-alive connections). Nothing of the simulator's regions or
 * faults is involved: this is the server's API as another part of
 * drtop would use it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/thread.h"
#include "helpers.h"
#include "sim/httpd.h"

#define DEADLINE_MS 10000 /* generous: shared build machines */

typedef struct {
	Httpd *h;
	HttpdListener *l;
	pthread_t thread;
	/* Under lock: set by the test, read by on_wake; wakes and
	 * woke_on_server counted by on_wake. */
	pthread_mutex_t lock;
	pthread_cond_t woke;
	bool refuse;
	int wakes;
	bool woke_on_server;
} Server;

static void
handler(void *ctx, HttpConn *c, const HttpReq *r)
{
	bool head = strcmp(r->method, "HEAD") == 0;

	(void)ctx;
	if (strcmp(r->target, "/hello") == 0)
		httpconn_respond(
		    c, 200, "X-Extra: 1\r\n", "text/plain", "hi\n", 3, head);
	else if (strcmp(r->target, "/echo") == 0)
		httpconn_respond(c, 201, NULL, "application/octet-stream",
		    r->body, r->body_len, head);
	else if (strcmp(r->target, "/hold") == 0) {
		httpconn_respond(c, 200, NULL, "text/plain", "late\n", 5, head);
		httpconn_hold(c, 300);
	} else if (strcmp(r->target, "/raw") == 0)
		httpconn_send_raw(c, "RAW", 3, HTTPCONN_THEN_CLOSE, NULL, 0);
	else if (strcmp(r->target, "/none") == 0)
		return; /* unanswered: the server closes */
	else
		httpconn_respond_error(c, 404, "no such thing");
}

static void
on_wake(void *ctx)
{
	Server *sv = ctx;
	char err[256];
	bool refuse;

	pthread_mutex_lock(&sv->lock);
	refuse = sv->refuse;
	pthread_mutex_unlock(&sv->lock);
	if (refuse) {
		httpd_listener_close(sv->h, sv->l);
		httpd_listener_drop_idle(sv->h, sv->l);
	} else if (httpd_listener_open(sv->h, sv->l, err, sizeof(err)) != 0) {
		fprintf(stderr, "reopen: %s\n", err);
	}
	pthread_mutex_lock(&sv->lock);
	sv->wakes++;
	sv->woke_on_server = httpd_on_server_thread(sv->h);
	pthread_cond_broadcast(&sv->woke);
	pthread_mutex_unlock(&sv->lock);
}

static void *
serve(void *arg)
{
	Server *sv = arg;

	httpd_run(sv->h);
	return NULL;
}

static int
setup(void **state)
{
	Server *sv = calloc(1, sizeof(*sv));
	char err[256];
	HttpdConfig cfg = {.bind = "127.0.0.1",
	    .server = "test-httpd",
	    .on_wake = on_wake,
	    .ctx = sv};

	pthread_mutex_init(&sv->lock, NULL);
	pthread_cond_init(&sv->woke, NULL);
	sv->h = httpd_new(&cfg, err, sizeof(err));
	if (sv->h == NULL)
		fail_msg("httpd_new: %s", err);
	sv->l = httpd_listener_new(
	    sv->h, "test", 0, "X-Test: yes\r\n", handler, sv);
	assert_int_equal(httpd_listener_port(sv->l), 0);
	if (httpd_listener_open(sv->h, sv->l, err, sizeof(err)) != 0)
		fail_msg("open: %s", err);
	assert_true(httpd_listener_port(sv->l) > 0);
	assert_int_equal(thread_start(&sv->thread, serve, sv), 0);
	*state = sv;
	return 0;
}

static int
teardown(void **state)
{
	Server *sv = *state;

	httpd_stop(sv->h);
	pthread_join(sv->thread, NULL);
	httpd_free(sv->h);
	pthread_cond_destroy(&sv->woke);
	pthread_mutex_destroy(&sv->lock);
	free(sv);
	return 0;
}

/* Wake the server and wait until on_wake has run once more. */
static void
wake_and_wait(Server *sv)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DEADLINE_MS / 1000;
	pthread_mutex_lock(&sv->lock);
	int want = sv->wakes + 1;
	httpd_wake(sv->h);
	while (sv->wakes < want)
		if (pthread_cond_timedwait(&sv->woke, &sv->lock, &until) != 0)
			break;
	int got = sv->wakes;
	pthread_mutex_unlock(&sv->lock);
	assert_true(got >= want);
}

/*
 * Send req (if not NULL), then read into buf until the peer closes, or
 * until buf holds `until` when that is not NULL. Returns the bytes read;
 * fails the test on a timeout.
 */
static size_t
talk(int fd, const char *req, char *buf, size_t cap, const char *until)
{
	double end = mono_now() + DEADLINE_MS / 1000.0;
	size_t len = 0;

	if (req != NULL)
		assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL),
		    (ssize_t)strlen(req));
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		buf[len] = '\0';
		if (until != NULL && strstr(buf, until) != NULL)
			return len;
		int left = (int)((end - mono_now()) * 1000);
		if (left <= 0 || poll(&p, 1, left) == 0)
			fail_msg("timed out with \"%s\"", buf);
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return len;
		len += (size_t)n;
	}
}

static void
test_answers(void **state)
{
	Server *sv = *state;
	int port = httpd_listener_port(sv->l);
	char buf[4096];
	int fd = th_dial(port);

	assert_true(fd >= 0);
	talk(fd, "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	    buf, sizeof(buf), NULL);
	close(fd);
	assert_string_equal(buf,
	    "HTTP/1.1 200 OK\r\nServer: test-httpd\r\nX-Test: yes\r\n"
	    "X-Extra: 1\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 3\r\nConnection: close\r\n\r\nhi\n");
	/* HEAD: the same head, no body. */
	fd = th_dial(port);
	talk(fd, "HEAD /hello HTTP/1.0\r\n\r\n", buf, sizeof(buf), NULL);
	close(fd);
	assert_non_null(strstr(buf, "Content-Length: 3\r\n"));
	assert_non_null(strstr(buf, "Connection: close\r\n\r\n"));
	assert_null(strstr(buf, "hi\n"));
	/* A body, taken by Content-Length. */
	fd = th_dial(port);
	talk(fd,
	    "POST /echo HTTP/1.1\r\nConnection: close\r\n"
	    "Content-Length: 5\r\n\r\nhello",
	    buf, sizeof(buf), NULL);
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 201 Created\r\n", 22) == 0);
	assert_non_null(strstr(buf,
	    "Content-Type: application/octet-stream\r\nContent-Length: 5\r\n"));
	assert_non_null(strstr(buf, "\r\n\r\nhello"));
	/* An error answer, with the listener's header, closes. */
	fd = th_dial(port);
	talk(fd, "GET /nope HTTP/1.1\r\n\r\n", buf, sizeof(buf), NULL);
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	assert_non_null(strstr(buf, "X-Test: yes\r\n"));
	assert_non_null(strstr(buf, "Connection: close\r\n"));
	assert_non_null(strstr(buf, "\r\n\r\nno such thing\n"));
}

static void
test_pipelined_keep_alive(void **state)
{
	Server *sv = *state;
	char buf[4096];
	int fd = th_dial(httpd_listener_port(sv->l));

	assert_true(fd >= 0);
	/* Two requests in one send: two answers, in order, then the close
	 * the second asked for. */
	size_t n = talk(fd,
	    "GET /hello HTTP/1.1\r\n\r\n"
	    "POST /echo HTTP/1.1\r\nConnection: close\r\n"
	    "Content-Length: 4\r\n\r\nbody",
	    buf, sizeof(buf), NULL);
	close(fd);
	assert_true(n > 0);
	const char *first = strstr(buf, "HTTP/1.1 200 OK");
	const char *second = strstr(buf, "HTTP/1.1 201 Created");
	assert_non_null(first);
	assert_non_null(second);
	assert_true(first < second);
	assert_non_null(strstr(first, "Connection: keep-alive\r\n"));
	assert_non_null(strstr(second, "Connection: close\r\n"));
	assert_non_null(strstr(second, "\r\n\r\nbody"));
}

static void
test_hold_raw_and_unanswered(void **state)
{
	Server *sv = *state;
	int port = httpd_listener_port(sv->l);
	char buf[4096];
	int fd = th_dial(port);

	/* Held: the answer comes, but not before 300 ms. */
	double t0 = mono_now();
	talk(fd, "GET /hold HTTP/1.1\r\nConnection: close\r\n\r\n", buf,
	    sizeof(buf), NULL);
	close(fd);
	assert_true(mono_now() - t0 >= 0.29);
	assert_non_null(strstr(buf, "\r\n\r\nlate\n"));
	/* Raw bytes as they are, then the close. */
	fd = th_dial(port);
	assert_int_equal(
	    talk(fd, "GET /raw HTTP/1.1\r\n\r\n", buf, sizeof(buf), NULL), 3);
	close(fd);
	assert_string_equal(buf, "RAW");
	/* A handler that does not answer: closed with nothing sent. */
	fd = th_dial(port);
	assert_int_equal(
	    talk(fd, "GET /none HTTP/1.1\r\n\r\n", buf, sizeof(buf), NULL), 0);
	close(fd);
	/* Not HTTP: 400 from the server itself, with the listener's
	 * header. */
	fd = th_dial(port);
	talk(fd, "BAD\r\n\r\n", buf, sizeof(buf), NULL);
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 400 ", 13) == 0);
	assert_non_null(strstr(buf, "X-Test: yes\r\n"));
}

static void
test_listener_from_on_wake(void **state)
{
	Server *sv = *state;
	int port = httpd_listener_port(sv->l);
	char buf[4096];

	assert_false(httpd_on_server_thread(sv->h));
	/* A kept-alive connection, idle after one answer. */
	int idle = th_dial(port);
	assert_true(idle >= 0);
	talk(idle, "GET /hello HTTP/1.1\r\n\r\n", buf, sizeof(buf), "hi\n");
	/* Close the listener from on_wake: connects are refused and the
	 * idle connection is closed. */
	pthread_mutex_lock(&sv->lock);
	sv->refuse = true;
	pthread_mutex_unlock(&sv->lock);
	wake_and_wait(sv);
	pthread_mutex_lock(&sv->lock);
	assert_true(sv->woke_on_server);
	pthread_mutex_unlock(&sv->lock);
	assert_int_equal(th_dial(port), -ECONNREFUSED);
	assert_int_equal(talk(idle, NULL, buf, sizeof(buf), NULL), 0);
	close(idle);
	/* Open again: the same port answers. */
	pthread_mutex_lock(&sv->lock);
	sv->refuse = false;
	pthread_mutex_unlock(&sv->lock);
	wake_and_wait(sv);
	assert_int_equal(httpd_listener_port(sv->l), port);
	int fd = th_dial(port);
	assert_true(fd >= 0);
	talk(fd, "GET /hello HTTP/1.0\r\n\r\n", buf, sizeof(buf), NULL);
	close(fd);
	assert_non_null(strstr(buf, "\r\n\r\nhi\n"));
}

static void
test_new_errors(void **state)
{
	char err[256] = "";
	HttpdConfig cfg = {.bind = "localhost", .server = "x"};

	(void)state;
	assert_null(httpd_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "localhost"));
	httpd_free(NULL);
	/* IPv6 loopback: the URL form has brackets. */
	cfg.bind = "::1";
	Httpd *h = httpd_new(&cfg, err, sizeof(err));
	assert_non_null(h);
	assert_string_equal(httpd_host(h), "[::1]");
	httpd_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_pipelined_keep_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_hold_raw_and_unanswered, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_listener_from_on_wake, setup, teardown),
	    cmocka_unit_test(test_new_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
