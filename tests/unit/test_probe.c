/*
 * probe: the prober against real servers on loopback: a recording HTTP
 * server thread in this test (headers sent, Host and connect_to,
 * identify, body match, status ranges, disable and re-probe, fresh
 * connections, tcp), and `openssl s_server` with a certificate made
 * here (verification, insecure, days left).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "helpers.h"
#include "probe/probe.h"
#include "sim/sim.h"

extern char **environ;

/* ---- hand-built profiles (core/profile is not needed) ---- */

typedef struct {
	const char *name, *url, *connect_to, *body_contains, *identify_header;
	Protocol proto;
	double interval, timeout;
	IdentifyMode identify;
	bool insecure, disabled, reuse;
	StatusRange expect[2];
	int nexpect;
	const char *hname[2], *hvalue[2];
	int nheaders;
} EpSpec;

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static Profile *
mk_profile(const EpSpec *spec, int n)
{
	Profile *p = xcalloc(1, sizeof(*p));

	p->nendpoints = n;
	p->endpoints = xcalloc((size_t)n, sizeof(Endpoint));
	for (int i = 0; i < n; i++) {
		const EpSpec *s = &spec[i];
		Endpoint *e = &p->endpoints[i];
		Monitor *m = &e->monitor;

		str_copy(e->name, sizeof(e->name), s->name);
		e->url = xstrdup(s->url);
		e->connect_to = dup_or_null(s->connect_to);
		e->insecure = s->insecure;
		e->disabled = s->disabled;
		m->protocol = s->proto;
		m->interval = s->interval > 0 ? s->interval : 30;
		m->timeout = s->timeout > 0 ? s->timeout : 2;
		m->body_contains = dup_or_null(s->body_contains);
		m->identify = s->identify;
		m->identify_header = dup_or_null(s->identify_header);
		m->reuse_connections = s->reuse;
		m->nexpected = s->nexpect ? s->nexpect : 1;
		m->expected[0] =
		    s->nexpect ? s->expect[0] : (StatusRange){200, 200};
		m->expected[1] = s->expect[1];
		m->nheaders = s->nheaders;
		for (int h = 0; h < s->nheaders; h++) {
			m->headers[h].name = xstrdup(s->hname[h]);
			m->headers[h].value = xstrdup(s->hvalue[h]);
		}
	}
	return p;
}

static void
free_profile(Profile *p)
{
	for (int i = 0; i < p->nendpoints; i++) {
		Endpoint *e = &p->endpoints[i];
		Monitor *m = &e->monitor;

		free(e->url);
		free(e->connect_to);
		free(m->body_contains);
		free(m->identify_header);
		for (int h = 0; h < m->nheaders; h++) {
			free(m->headers[h].name);
			free(m->headers[h].value);
		}
	}
	free(p->endpoints);
	free(p);
}

/* Wait (bounded) for the next event of type (and endpoint, if not
 * NULL). Other events are skipped. Returns false on timeout. */
static bool
next_event(Queue *q, EventType type, const char *ep, double limit, Event *out)
{
	double end = mono_now() + limit;

	for (;;) {
		Event ev;

		while (queue_drain(q, &ev, 1) == 1) {
			const char *name = type == EV_PROBE
			    ? ev.u.probe.endpoint
			    : type == EV_CERT ? ev.u.cert.endpoint
			                      : NULL;
			if (ev.type == type &&
			    (ep == NULL || strcmp(name, ep) == 0)) {
				*out = ev;
				return true;
			}
		}
		double left = end - mono_now();
		if (left <= 0)
			return false;
		struct pollfd pf = {.fd = queue_wake_fd(q), .events = POLLIN};
		poll(&pf, 1, (int)(left * 1000) + 1);
	}
}

/* ---- a recording HTTP server (one thread, one connection at a time) */

typedef struct {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t lock;
	char last_request[4096]; /* lock */
	int requests, connections; /* lock */
	const char *response; /* fixed; NULL = answer the region line */
	_Atomic int stop; /* main thread sets, server thread polls */
} RecServer;

static int
listen_loopback(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static void *
rec_main(void *arg)
{
	RecServer *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd pf = {.fd = s->fd, .events = POLLIN};
		char buf[4096];
		size_t got = 0;
		int c;

		if (poll(&pf, 1, 50) != 1)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		s->connections++;
		pthread_mutex_unlock(&s->lock);
		/* Read the request head (bounded: 1 s, 4 KiB). */
		for (int tries = 0; tries < 20 && got < sizeof(buf) - 1;) {
			struct pollfd cp = {.fd = c, .events = POLLIN};
			ssize_t n;

			if (poll(&cp, 1, 50) != 1) {
				tries++;
				continue;
			}
			n = read(c, buf + got, sizeof(buf) - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		buf[got] = '\0';
		if (got > 0) {
			pthread_mutex_lock(&s->lock);
			s->requests++;
			str_copy(s->last_request, sizeof(s->last_request), buf);
			pthread_mutex_unlock(&s->lock);
			const char *r = s->response;
			ssize_t w = write(c, r, strlen(r));
			(void)w;
		}
		close(c);
	}
	return NULL;
}

static void
rec_start(RecServer *s, const char *response)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->response = response;
	s->fd = listen_loopback(&s->port);
	assert_int_equal(pthread_create(&s->thread, NULL, rec_main, s), 0);
}

static void
rec_stop(RecServer *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

static int
rec_count(RecServer *s, int *connections)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->requests;
	if (connections)
		*connections = s->connections;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static const char resp_ok[] = "HTTP/1.1 200 OK\r\n"
                              "X-Region: eu20\r\n"
                              "Content-Length: 8\r\n"
                              "Connection: close\r\n\r\n"
                              "ap10\nUP\n";

static const char resp_301[] = "HTTP/1.1 301 Moved Permanently\r\n"
                               "Location: http://127.0.0.1:1/elsewhere\r\n"
                               "Content-Length: 0\r\n"
                               "Connection: close\r\n\r\n";

typedef struct {
	Profile *p;
	Queue *q;
	Prober *pr;
} Run;

static void
run_start(Run *r, const EpSpec *spec, int n)
{
	char err[256] = "";

	r->p = mk_profile(spec, n);
	r->q = queue_new(4096);
	assert_non_null(r->q);
	r->pr = prober_new(r->p, r->q, mono_now(), err, sizeof(err));
	if (r->pr == NULL)
		fail_msg("prober_new: %s", err);
	assert_int_equal(prober_start(r->pr), 0);
}

static void
run_stop(Run *r)
{
	prober_free(r->pr);
	queue_free(r->q);
	free_profile(r->p);
}

static char *
url_for(int port, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", port, path);
}

/* Headers are sent, identify by header, Host is the URL's host. */
static void
test_headers_and_identify(void **state)
{
	RecServer s;
	Run r;
	Event ev;
	char req[4096];

	(void)state;
	rec_start(&s, resp_ok);
	char *url = url_for(s.port, "/http/health?x=1");
	EpSpec e = {.name = "eu20",
	    .url = url,
	    .proto = PROTO_HTTP,
	    .body_contains = "UP",
	    .identify = IDENTIFY_HEADER,
	    .identify_header = "x-REGION",
	    .hname = {"Authorization", "X-Empty"},
	    .hvalue = {"Bearer s3cret-token", ""},
	    .nheaders = 2};
	run_start(&r, &e, 1);
	assert_true(next_event(r.q, EV_PROBE, "eu20", 10, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 200);
	assert_int_equal(ev.u.probe.error, PERR_NONE);
	assert_string_equal(ev.u.probe.served_by, "eu20");
	assert_true(ev.u.probe.ms.total > 0);
	assert_true(ev.u.probe.ms.connect >= 0 && ev.u.probe.ms.ttfb >= 0);
	assert_true(ev.u.probe.ms.tls < 0); /* http: null */
	run_stop(&r);
	pthread_mutex_lock(&s.lock);
	str_copy(req, sizeof(req), s.last_request);
	pthread_mutex_unlock(&s.lock);
	assert_non_null(strstr(req, "GET /http/health?x=1 HTTP/1.1\r\n"));
	assert_non_null(
	    strstr(req, "\r\nAuthorization: Bearer s3cret-token\r\n"));
	assert_non_null(strstr(req, "\r\nX-Empty:"));
	char *host = xasprintf("\r\nHost: 127.0.0.1:%d\r\n", s.port);
	assert_non_null(strstr(req, host));
	free(host);
	rec_stop(&s);
	free(url);
}

/* connect_to: the URL's name as Host, the connection to loopback; the
 * name itself is never resolved (.invalid cannot be). */
static void
test_connect_to(void **state)
{
	RecServer s;
	Run r;
	Event ev;

	(void)state;
	rec_start(&s, resp_ok);
	char *url = xasprintf("http://cpi.example.invalid:%d/health", s.port);
	char *to = xasprintf("127.0.0.1:%d", s.port);
	EpSpec e = {.name = "us21",
	    .url = url,
	    .connect_to = to,
	    .proto = PROTO_HTTP,
	    .identify = IDENTIFY_BODY};
	run_start(&r, &e, 1);
	assert_true(next_event(r.q, EV_PROBE, "us21", 10, &ev));
	assert_true(ev.u.probe.ok);
	/* identify from the body's first line */
	assert_string_equal(ev.u.probe.served_by, "ap10");
	run_stop(&r);
	char *host = xasprintf("\r\nHost: cpi.example.invalid:%d\r\n", s.port);
	pthread_mutex_lock(&s.lock);
	assert_non_null(strstr(s.last_request, host));
	pthread_mutex_unlock(&s.lock);
	free(host);
	rec_stop(&s);
	free(url);
	free(to);
}

/* Body and status verdicts; a 301 is not followed. */
static void
test_body_and_status(void **state)
{
	RecServer ok, moved;
	Run r;
	Event ev;

	(void)state;
	rec_start(&ok, resp_ok);
	rec_start(&moved, resp_301);
	char *u1 = url_for(ok.port, "/h"), *u2 = url_for(moved.port, "/h");
	EpSpec e[] = {
	    {.name = "nobody",
	        .url = u1,
	        .interval = 8,
	        .body_contains = "DOWN"},
	    {.name = "moved", .url = u2, .interval = 8},
	    {.name = "moved-ok",
	        .url = u2,
	        .interval = 8,
	        .expect = {{200, 299}, {301, 301}},
	        .nexpect = 2},
	    {.name = "wrong",
	        .url = u1,
	        .interval = 8,
	        .expect = {{204, 204}},
	        .nexpect = 1},
	};
	run_start(&r, e, 4);
	assert_true(next_event(r.q, EV_PROBE, "nobody", 60, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_BODY);
	assert_int_equal(ev.u.probe.status, 200);
	assert_true(next_event(r.q, EV_PROBE, "moved", 60, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 301);
	assert_true(next_event(r.q, EV_PROBE, "moved-ok", 60, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 301);
	assert_true(next_event(r.q, EV_PROBE, "wrong", 60, &ev));
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	run_stop(&r);
	/* The redirect target (port 1) was never asked: one request per
	 * probe of the two 301 endpoints (8 s interval: one probe each). */
	assert_true(rec_count(&moved, NULL) >= 2);
	rec_stop(&ok);
	rec_stop(&moved);
	free(u1);
	free(u2);
}

/* Disabled endpoints are never probed; re-probe runs off schedule; each
 * probe has its own connection; the schedule keeps its interval. */
static void
test_disable_reprobe_fresh(void **state)
{
	RecServer a, b;
	Run r;
	Event ev;
	int conns;

	(void)state;
	rec_start(&a, resp_ok);
	rec_start(&b, resp_ok);
	char *ua = url_for(a.port, "/a"), *ub = url_for(b.port, "/b");
	EpSpec e[] = {
	    {.name = "fast", .url = ua, .interval = 0.2, .timeout = 0.2},
	    {.name = "off", .url = ub, .interval = 0.2, .disabled = true},
	};
	run_start(&r, e, 2);
	/* Several probes of "fast": the first at once, then every 0.2 s. */
	double first = 0;
	for (int i = 0; i < 5; i++) {
		assert_true(next_event(r.q, EV_PROBE, "fast", 10, &ev));
		assert_true(ev.u.probe.ok);
		if (i == 0)
			first = ev.t;
	}
	/* 4 intervals later, give or take the machine's load. */
	assert_true(ev.t - first > 4 * 0.2 - 0.15);
	assert_int_equal(rec_count(&b, NULL), 0);
	/* A re-probe of a disabled endpoint does nothing either. */
	prober_reprobe(r.pr, 1);
	/* Enable it: it is probed on its grid. */
	prober_set_disabled(r.pr, 1, false);
	assert_true(next_event(r.q, EV_PROBE, "off", 10, &ev));
	assert_true(ev.u.probe.ok);
	/* Disable "fast"; after the in-flight one (if any) no more. */
	prober_set_disabled(r.pr, 0, true);
	/* Let the thread apply it, and a "fast" request already sent reach
	 * the server: two more "off" probes (0.2 s apart). */
	assert_true(next_event(r.q, EV_PROBE, "off", 10, &ev));
	assert_true(next_event(r.q, EV_PROBE, "off", 10, &ev));
	int before = rec_count(&a, NULL);
	for (int i = 0; i < 3; i++)
		assert_true(next_event(r.q, EV_PROBE, "off", 10, &ev));
	assert_int_equal(rec_count(&a, NULL), before);
	run_stop(&r);
	/* Fresh connection per probe. */
	int n = rec_count(&a, &conns);
	assert_true(n >= 5);
	assert_int_equal(conns, n);
	rec_stop(&a);
	rec_stop(&b);
	free(ua);
	free(ub);
}

static void
test_reprobe_now(void **state)
{
	RecServer a;
	Run r;
	Event ev;

	(void)state;
	rec_start(&a, resp_ok);
	char *u = url_for(a.port, "/a");
	/* Index 1 of 2 with a 60 s interval: first due after 30 s. */
	EpSpec e[] = {
	    {.name = "x", .url = u, .interval = 60, .disabled = true},
	    {.name = "late", .url = u, .interval = 60},
	};
	run_start(&r, e, 2);
	double t = mono_now();
	prober_reprobe(r.pr, 1);
	assert_true(next_event(r.q, EV_PROBE, "late", 20, &ev));
	assert_true(ev.u.probe.ok);
	assert_true(mono_now() - t < 20);
	assert_int_equal(prober_in_flight(r.pr), 0);
	ProberStats st;
	prober_stats(r.pr, &st);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.late_count, 0); /* re-probes are not scheduled */
	run_stop(&r);
	rec_stop(&a);
	free(u);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* tcp: connecting is ok; a closed port is refused; no fd leaks. */
static void
test_tcp(void **state)
{
	RecServer a;
	Run r;
	Event ev;
	int closed_port;
	int fd = listen_loopback(&closed_port);

	(void)state;
	close(fd); /* nothing listens there now */
	rec_start(&a, resp_ok);
	char *u1 = xasprintf("tcp://127.0.0.1:%d", a.port);
	char *u2 = xasprintf("tcp://127.0.0.1:%d", closed_port);
	EpSpec e[] = {
	    {.name = "open", .url = u1, .proto = PROTO_TCP, .interval = 0.05},
	    {.name = "shut", .url = u2, .proto = PROTO_TCP, .interval = 0.05},
	};
	run_start(&r, e, 2);
	assert_true(next_event(r.q, EV_PROBE, "shut", 10, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_REFUSED);
	assert_int_equal(ev.u.probe.status, 0);
	assert_true(next_event(r.q, EV_PROBE, "open", 10, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 0);
	int fds = count_fds();
	for (int i = 0; i < 30; i++)
		assert_true(next_event(r.q, EV_PROBE, "open", 10, &ev));
	assert_true(ev.u.probe.ok);
	/* 30 more probes, no more descriptors (some slack for curl). */
	assert_true(count_fds() <= fds + 3);
	run_stop(&r);
	rec_stop(&a);
	free(u1);
	free(u2);
}

/* ---- TLS against openssl s_server ---- */

static int
run_cmd(const char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawnp(
	        &pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
		return -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void
test_tls(void **state)
{
	char dir[] = "/tmp/drtop-probe-tls-XXXXXX";
	Run r;
	Event ev;
	pid_t pid;
	int port;

	(void)state;
	assert_non_null(mkdtemp(dir));
	char *crt = xasprintf("%s/c.pem", dir),
	     *key = xasprintf("%s/k.pem", dir);
	const char *const req[] = {"openssl", "req", "-x509", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "5",
	    "-subj", "/CN=localhost", "-addext",
	    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out",
	    crt, NULL};
	/* stderr of openssl req is noise: send it to the log anyway. */
	assert_int_equal(run_cmd(req), 0);
	close(listen_loopback(&port)); /* a free port, most likely */
	char *acc = xasprintf("127.0.0.1:%d", port);
	const char *const srv[] = {"openssl", "s_server", "-quiet", "-www",
	    "-accept", acc, "-cert", crt, "-key", key, NULL};
	assert_int_equal(posix_spawnp(&pid, "openssl", NULL, NULL,
	                     (char *const *)srv, environ),
	    0);
	for (int i = 0; i < 200 && !port_open(port); i++)
		usleep(25000);
	assert_true(port_open(port));

	char *url = xasprintf("https://localhost:%d/", port);
	EpSpec e[] = {
	    {.name = "strict",
	        .url = url,
	        .proto = PROTO_HTTPS,
	        .interval = 0.25},
	    {.name = "lax",
	        .url = url,
	        .proto = PROTO_HTTPS,
	        .interval = 0.25,
	        .insecure = true},
	};
	ProberStats st;
	int nstrict = 0, nlax = 0;

	run_start(&r, e, 2);
	/* Self-signed and verified: tls, untrusted. */
	assert_true(next_event(r.q, EV_PROBE, "strict", 60, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_TLS);
	assert_int_equal(ev.u.probe.tls, TLSR_UNTRUSTED);
	run_stop(&r);
	run_start(&r, e + 1, 1);
	assert_true(next_event(r.q, EV_PROBE, "lax", 60, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 200);
	assert_int_equal(ev.u.probe.tls, TLSR_NONE);
	assert_true(ev.u.probe.ms.tls > 0);
	run_stop(&r);
	/* Both get the certificate's days, verified or not: right after
	 * the first probe, from one fetch each, however many probes. */
	for (int k = 0; k < 2; k++) {
		run_start(&r, e + k, 1);
		assert_true(next_event(r.q, EV_CERT, e[k].name, 60, &ev));
		assert_in_range(ev.u.cert.days_left, 4, 5);
		assert_true(ev.u.cert.warning);
		assert_non_null(strstr(ev.u.cert.subject, "localhost"));
		run_stop(&r);
	}
	run_start(&r, e, 2);
	while (nstrict < 8 || nlax < 8) {
		if (!next_event(r.q, EV_PROBE, NULL, 60, &ev))
			fail_msg("probes stopped (%d strict, %d lax)", nstrict,
			    nlax);
		if (strcmp(ev.u.probe.endpoint, "strict") == 0) {
			assert_int_equal(ev.u.probe.tls, TLSR_UNTRUSTED);
			nstrict++;
		} else {
			assert_true(ev.u.probe.ok);
			nlax++;
		}
	}
	prober_stats(r.pr, &st);
	assert_true(st.done >= 16);
	assert_int_equal(st.cert_fetches, 2);
	run_stop(&r);

	/* Not TLS at all (an HTTP server on an https URL): the handshake
	 * fails; the certificate fetch fails too and pushes nothing; a
	 * fetch in flight at prober_free is abandoned. */
	RecServer rs;
	rec_start(&rs, resp_ok);
	char *plain = xasprintf("https://127.0.0.1:%d/", rs.port);
	EpSpec h = {.name = "plain",
	    .url = plain,
	    .proto = PROTO_HTTPS,
	    .interval = 30,
	    .timeout = 5};
	run_start(&r, &h, 1);
	assert_true(next_event(r.q, EV_PROBE, "plain", 60, &ev));
	assert_int_equal(ev.u.probe.error, PERR_TLS);
	assert_int_equal(ev.u.probe.tls, TLSR_HANDSHAKE);
	prober_stats(r.pr, &st);
	assert_int_equal(st.cert_fetches, 1);
	assert_false(next_event(r.q, EV_CERT, NULL, 0.2, &ev));
	run_stop(&r);
	rec_stop(&rs);
	free(plain);

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(crt);
	unlink(key);
	rmdir(dir);
	free(crt);
	free(key);
	free(acc);
	free(url);
}

/* ---- fault classes against the simulator (core/sim, in-process) ---- */

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
set_fault(Sim *sim, const char *region, const char *text)
{
	SimFault f;
	char err[256];

	assert_int_equal(sim_fault_parse(text, &f, err, sizeof(err)), 0);
	if (sim_set_fault(sim, region, &f, err, sizeof(err)) != 0)
		fail_msg("sim_set_fault %s: %s", region, err);
}

static void
test_sim_faults(void **state)
{
	static const char *const names[] = {"eu20", "s500", "refuse",
	    "blackhole", "huge", "reset", "garbage", "slow", "s301"};
	static const char *const faults[] = {"ok", "status 500", "refuse",
	    "blackhole", "huge", "reset", "garbage", "slow 5000", "status 301"};
	enum { N = 9 };
	const double timeout = 1.0;
	SimRegionSpec rs[N];
	SimConfig cfg = {.regions = rs, .nregions = N, .control_port = -1};
	char err[256];
	EpSpec e[N + 2];
	Run r;
	Event ev;

	(void)state;
	for (int i = 0; i < N; i++)
		rs[i] = (SimRegionSpec){.name = names[i], .port = 0};
	Sim *sim = sim_start(&cfg, err, sizeof(err));
	if (sim == NULL)
		fail_msg("sim_start: %s", err);
	for (int i = 0; i < N; i++)
		set_fault(sim, names[i], faults[i]);
	for (int i = 0; i < N; i++)
		e[i] = (EpSpec){.name = names[i],
		    .url = sim_region_url(sim, i),
		    .interval = 3,
		    .timeout = timeout,
		    .identify = IDENTIFY_HEADER,
		    .identify_header = "X-Region"};
	/* 301 expected is fine; a huge body without the needle fails. */
	e[N] = e[8];
	e[N].name = "s301-expected";
	e[N].expect[0] = (StatusRange){301, 301};
	e[N].nexpect = 1;
	e[N + 1] = e[4];
	e[N + 1].name = "huge-body";
	e[N + 1].body_contains = "no such text in the endless body";

	long rss0 = rss_kib();
	run_start(&r, e, N + 2);
	/* Every first probe comes within its slot (<= 3 s) + timeout. */
	const double limit = 3 + timeout + 30; /* generous: shared cores */
	assert_true(next_event(r.q, EV_PROBE, "eu20", limit, &ev));
	assert_true(ev.u.probe.ok);
	assert_string_equal(ev.u.probe.served_by, "eu20");

	assert_true(next_event(r.q, EV_PROBE, "s500", limit, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 500);
	assert_string_equal(ev.u.probe.served_by, "s500");

	/* refused on the very first probe */
	assert_true(next_event(r.q, EV_PROBE, "refuse", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_REFUSED);
	assert_int_equal(ev.u.probe.status, 0);

	/* blackhole: ends at the timeout, not later */
	assert_true(next_event(r.q, EV_PROBE, "blackhole", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_TIMEOUT);
	assert_true(ev.u.probe.ms.total >= timeout * 1000 - 5);
	assert_true(ev.u.probe.ms.total <= timeout * 1000 + 1000);

	/* huge: stopped at 64 KiB, long before the timeout */
	assert_true(next_event(r.q, EV_PROBE, "huge", limit, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 200);
	assert_true(ev.u.probe.ms.total < timeout * 1000);

	assert_true(next_event(r.q, EV_PROBE, "reset", limit, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_RESET);

	/* garbage: no HTTP status at all is a `status` failure */
	assert_true(next_event(r.q, EV_PROBE, "garbage", limit, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 0);

	/* slow beyond the timeout */
	assert_true(next_event(r.q, EV_PROBE, "slow", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_TIMEOUT);
	assert_true(ev.u.probe.ms.total <= timeout * 1000 + 1000);

	assert_true(next_event(r.q, EV_PROBE, "s301", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 301);
	assert_true(next_event(r.q, EV_PROBE, "s301-expected", limit, &ev));
	assert_true(ev.u.probe.ok);

	assert_true(next_event(r.q, EV_PROBE, "huge-body", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_BODY);
	assert_true(ev.u.probe.ms.total < timeout * 1000);

	/* Eight more probes of the endless body: memory stays flat. */
	for (int i = 0; i < 8; i++) {
		prober_reprobe(r.pr, N + 1);
		assert_true(next_event(r.q, EV_PROBE, "huge-body", 10, &ev));
		assert_int_equal(ev.u.probe.error, PERR_BODY);
	}
	assert_true(rss_kib() - rss0 < 16 * 1024);

	/* The fault goes away: the next probe is ok again. */
	set_fault(sim, "s500", "ok");
	prober_reprobe(r.pr, 1);
	/* (a scheduled probe already in flight may still see the 500) */
	bool recovered = false;
	for (int i = 0; i < 3 && !recovered; i++)
		recovered =
		    next_event(r.q, EV_PROBE, "s500", 10, &ev) && ev.u.probe.ok;
	assert_true(recovered);
	run_stop(&r);
	sim_stop(sim);
}

/* One probe per endpoint at a time: a 1 s answer with a 0.3 s interval
 * gives one probe per second, not three overlapping; when the answer is
 * fast again the grid resumes without a burst of missed slots. */
static void
test_no_overlap_no_burst(void **state)
{
	SimRegionSpec rs = {.name = "slow", .port = 0};
	SimConfig cfg = {.regions = &rs, .nregions = 1, .control_port = -1};
	char err[256];
	Run r;
	Event ev;

	(void)state;
	Sim *sim = sim_start(&cfg, err, sizeof(err));
	if (sim == NULL)
		fail_msg("sim_start: %s", err);
	set_fault(sim, "slow", "slow 1000");
	EpSpec e = {.name = "slow",
	    .url = sim_region_url(sim, 0),
	    .interval = 0.3,
	    .timeout = 3};
	run_start(&r, &e, 1);
	double prev = -1;
	for (int i = 0; i < 3; i++) {
		assert_true(next_event(r.q, EV_PROBE, "slow", 20, &ev));
		assert_true(ev.u.probe.ok);
		assert_true(ev.u.probe.ms.total >= 990);
		assert_true(prober_in_flight(r.pr) <= 1);
		if (prev >= 0) /* each waited for the one before */
			assert_true(ev.t - prev >= 0.95);
		prev = ev.t;
	}
	set_fault(sim, "slow", "ok");
	/* Drain the slow probe that may still run, then count. */
	for (int i = 0; i < 2; i++) {
		assert_true(next_event(r.q, EV_PROBE, "slow", 20, &ev));
		if (ev.u.probe.ms.total < 900)
			break;
	}
	double t0 = ev.t;
	int n = 0;
	while (next_event(r.q, EV_PROBE, "slow", 5, &ev) && ev.t - t0 < 1.5)
		n++;
	/* 1.5 s / 0.3 s = 5 slots; a burst would show many more. */
	assert_in_range(n, 2, 7);
	ProberStats st;
	prober_stats(r.pr, &st);
	assert_int_equal(st.errors[PERR_NONE], st.done);
	assert_true(st.late_count >= 5);
	run_stop(&r);
	sim_stop(sim);
}

/* reuse_connections: after the first probe the connection is reused
 * (curl reports no connect phase: connect is null); fresh connections
 * always connect. */
static void
test_reuse_connections(void **state)
{
	SimRegionSpec rs = {.name = "eu20", .port = 0};
	SimConfig cfg = {.regions = &rs, .nregions = 1, .control_port = -1};
	char err[256];
	Run r;
	Event ev;

	(void)state;
	Sim *sim = sim_start(&cfg, err, sizeof(err));
	if (sim == NULL)
		fail_msg("sim_start: %s", err);
	EpSpec e[] = {
	    {.name = "reuse",
	        .url = sim_region_url(sim, 0),
	        .interval = 0.2,
	        .reuse = true},
	    {.name = "fresh", .url = sim_region_url(sim, 0), .interval = 0.2},
	};
	run_start(&r, e, 2);
	int reused = 0;
	for (int i = 0; i < 4; i++) {
		assert_true(next_event(r.q, EV_PROBE, "reuse", 20, &ev));
		assert_true(ev.u.probe.ok);
		reused += ev.u.probe.ms.connect < 0;
	}
	assert_true(reused >= 2);
	for (int i = 0; i < 4; i++) {
		assert_true(next_event(r.q, EV_PROBE, "fresh", 20, &ev));
		assert_true(ev.u.probe.ok);
		assert_true(ev.u.probe.ms.connect >= 0);
	}
	run_stop(&r);
	sim_stop(sim);
}

/* Threads of this process whose blocked set holds SIGHUP, SIGINT,
 * SIGPIPE, SIGTERM and SIGWINCH, from /proc/self/task/ * /status. */
static int
blocked_threads(void)
{
	const unsigned long long want = (1ull << (SIGHUP - 1)) |
	    (1ull << (SIGINT - 1)) | (1ull << (SIGPIPE - 1)) |
	    (1ull << (SIGTERM - 1)) | (1ull << (SIGWINCH - 1));
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[300], line[256];
		unsigned long long blk;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
		    de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "SigBlk: %llx", &blk) == 1 &&
			    (blk & want) == want)
				n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void
test_new_errors(void **state)
{
	char err[256] = "";
	EpSpec e = {.name = "nourl", .url = ""};
	Profile *p = mk_profile(&e, 1);
	Queue *q = queue_new(8);

	(void)state;
	assert_null(prober_new(p, q, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "nourl"));
	/* A zero interval would spin the scheduler: refused. */
	free(p->endpoints[0].url);
	p->endpoints[0].url = xstrdup("http://127.0.0.1:1/");
	p->endpoints[0].monitor.interval = 0;
	assert_null(prober_new(p, q, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "interval"));
	p->endpoints[0].monitor.interval = 30;
	/* A prober that never started frees cleanly. */
	Prober *pr = prober_new(p, q, 0, err, sizeof(err));
	assert_non_null(pr);
	assert_int_equal(prober_in_flight(pr), 0);
	prober_free(pr);
	/* The probe thread runs with the console's signals blocked, and
	 * the main thread's mask is left as it was. */
	pr = prober_new(p, q, 0, err, sizeof(err));
	assert_non_null(pr);
	assert_int_equal(blocked_threads(), 0);
	assert_int_equal(prober_start(pr), 0);
#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer starts a helper thread of its own with signals
	 * blocked when the first thread is created. */
	assert_true(blocked_threads() >= 1);
#else
	assert_int_equal(blocked_threads(), 1);
#endif
	prober_free(pr);
	prober_free(NULL);
	queue_free(q);
	free_profile(p);
}

/* ---- the client's-eye probe ---------------------------------------------- */

static const char resp_plain[] = "HTTP/1.1 200 OK\r\n"
                                 "Content-Length: 3\r\n"
                                 "Connection: close\r\n\r\n"
                                 "UP\n";

/* An Endpoint for p->public_ep: url, host and port as the loader sets. */
static Endpoint *
mk_public(const char *url, const char *host, int port)
{
	Endpoint *e = xcalloc(1, sizeof(*e));

	str_copy(e->name, sizeof(e->name), EV_PUBLIC);
	e->url = xstrdup(url);
	e->host = xstrdup(host);
	e->monitor.protocol = PROTO_HTTP;
	e->monitor.port = port;
	e->monitor.interval = 0.2;
	e->monitor.timeout = 1;
	e->monitor.nexpected = 1;
	e->monitor.expected[0] = (StatusRange){200, 200};
	return e;
}

static void
free_public(Profile *p)
{
	free(p->public_ep->url);
	free(p->public_ep->host);
	free(p->public_ep);
	free(p->public_resolver);
	p->public_ep = NULL;
}

static void
test_public_probe(void **state)
{
	RecServer a, b;
	char *ua, *ub, *up, err[256] = "";
	Run r;
	Event ev, d;
	bool served = false;

	(void)state;
	rec_start(&a, resp_plain);
	rec_start(&b, resp_plain);
	ua = url_for(a.port, "/");
	ub = url_for(b.port, "/");
	{
		EpSpec e[] = {{.name = "a", .url = ua, .interval = 0.2},
		    {.name = "b", .url = ub, .interval = 0.2}};

		/* 1. Resolved as the system does (a literal here): served by
		 * the endpoint whose own probes reach that address and port. */
		r.p = mk_profile(e, 2);
		up = url_for(b.port, "/");
		r.p->public_ep = mk_public(up, "127.0.0.1", b.port);
		r.p->public_resolver = xstrdup("system");
		r.q = queue_new(4096);
		r.pr = prober_new(r.p, r.q, mono_now(), err, sizeof(err));
		assert_non_null(r.pr);
		assert_int_equal(prober_start(r.pr), 0);
		for (int i = 0; i < 20 && !served; i++) {
			assert_true(
			    next_event(r.q, EV_PROBE, EV_PUBLIC, 5, &ev));
			assert_true(ev.u.probe.via_public);
			assert_true(ev.u.probe.ok);
			served = strcmp(ev.u.probe.served_by, "b") == 0;
			/* never the other endpoint */
			assert_true(ev.u.probe.served_by[0] == '\0' || served);
		}
		assert_true(served);
		prober_free(r.pr);
		queue_free(r.q);
		free(up);
		free_public(r.p);

		/* 2. Through a resolver of the profile: nothing to connect to
		 * until the observer's answer comes (dns), then its address,
		 * with the Host the client uses, served by its endpoint. */
		up = xasprintf("http://svc.test:%d/", a.port);
		r.p->public_ep = mk_public(up, "svc.test", a.port);
		r.p->public_resolver = xstrdup("10.9.9.9:53");
		r.q = queue_new(4096);
		r.pr = prober_new(r.p, r.q, mono_now(), err, sizeof(err));
		assert_non_null(r.pr);
		assert_int_equal(prober_start(r.pr), 0);
		assert_true(next_event(r.q, EV_PROBE, EV_PUBLIC, 5, &ev));
		assert_false(ev.u.probe.ok);
		assert_int_equal(ev.u.probe.error, PERR_DNS);
		d = th_dns(0, "10.9.9.8:53", "b", 60); /* another resolver */
		d.u.dns.nanswers = 1;
		str_copy(d.u.dns.answers[0], EV_HOST_MAX, "127.0.0.2");
		prober_public_answer(r.pr, &d.u.dns);
		d = th_dns(0, "10.9.9.9:53", "a", 60);
		d.u.dns.nanswers = 2;
		str_copy(d.u.dns.answers[0], EV_HOST_MAX, "a.svc.test");
		str_copy(d.u.dns.answers[1], EV_HOST_MAX, "127.0.0.1");
		prober_public_answer(r.pr, &d.u.dns);
		served = false;
		for (int i = 0; i < 20 && !served; i++) {
			assert_true(
			    next_event(r.q, EV_PROBE, EV_PUBLIC, 5, &ev));
			served = ev.u.probe.ok;
		}
		assert_true(served);
		assert_string_equal(ev.u.probe.served_by, "a");
		{
			char req[4096];

			pthread_mutex_lock(&a.lock);
			str_copy(req, sizeof(req), a.last_request);
			pthread_mutex_unlock(&a.lock);
			assert_non_null(strstr(req, "Host: svc.test"));
		}
		prober_free(r.pr);
		queue_free(r.q);
		free(up);
		free_public(r.p);
		free_profile(r.p);
	}
	free(ua);
	free(ub);
	rec_stop(&a);
	rec_stop(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_errors),
	    cmocka_unit_test(test_public_probe),
	    cmocka_unit_test(test_headers_and_identify),
	    cmocka_unit_test(test_connect_to),
	    cmocka_unit_test(test_body_and_status),
	    cmocka_unit_test(test_disable_reprobe_fresh),
	    cmocka_unit_test(test_reprobe_now),
	    cmocka_unit_test(test_tcp),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_sim_faults),
	    cmocka_unit_test(test_no_overlap_no_burst),
	    cmocka_unit_test(test_reuse_connections),
	};

	signal(SIGPIPE, SIG_IGN);
	if (probe_global_init() != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	probe_global_cleanup();
	return rc;
}
