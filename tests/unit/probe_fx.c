/*
 * The probe tests' fixture: hand-built profiles (no core/profile), a
 * prober run on its own queue, a recording HTTP server thread on
 * loopback, and the simulator's faults.
 */
#include "probe_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"

/* ---- hand-built profiles (core/profile is not needed) ---- */

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

Profile *
pb_profile(const EpSpec *spec, int n)
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

void
pb_profile_free(Profile *p)
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
bool
pb_next_event(
    Queue *q, EventType type, const char *ep, double limit, Event *out)
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

int
pb_listen_loopback(int *port)
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
pb_rec_main(void *arg)
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

void
pb_rec_start(RecServer *s, const char *response)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->response = response;
	s->fd = pb_listen_loopback(&s->port);
	assert_int_equal(pthread_create(&s->thread, NULL, pb_rec_main, s), 0);
}

void
pb_rec_stop(RecServer *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

int
pb_rec_count(RecServer *s, int *connections)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->requests;
	if (connections)
		*connections = s->connections;
	pthread_mutex_unlock(&s->lock);
	return n;
}

const char pb_resp_ok[] = "HTTP/1.1 200 OK\r\n"
                          "X-Region: eu20\r\n"
                          "Content-Length: 8\r\n"
                          "Connection: close\r\n\r\n"
                          "ap10\nUP\n";

/* ---- a prober running over a hand-built profile ---- */

void
pb_run_start(Run *r, const EpSpec *spec, int n)
{
	char err[256] = "";

	r->p = pb_profile(spec, n);
	r->q = queue_new(4096);
	assert_non_null(r->q);
	r->pr = prober_new(r->p, r->q, mono_now(), err, sizeof(err));
	if (r->pr == NULL)
		fail_msg("prober_new: %s", err);
	assert_int_equal(prober_start(r->pr), 0);
}

void
pb_run_stop(Run *r)
{
	prober_free(r->pr);
	queue_free(r->q);
	pb_profile_free(r->p);
}

char *
pb_url_for(int port, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", port, path);
}

/* ---- the simulator (core/sim, in-process) ---- */

void
pb_set_fault(Sim *sim, const char *region, const char *text)
{
	SimFault f;
	char err[256];

	assert_int_equal(sim_fault_parse(text, &f, err, sizeof(err)), 0);
	if (sim_set_fault(sim, region, &f, err, sizeof(err)) != 0)
		fail_msg("sim_set_fault %s: %s", region, err);
}
