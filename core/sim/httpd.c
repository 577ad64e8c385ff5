/*
 * httpd: the loop, the listeners and accepting. See httpd.h for the
 * DESIGN; a connection's life is httpconn.c.
 */
#include "sim/httpd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "sim/httpd_int.h"
#include "sim/netaddr.h"

#define HTTPD_MAX_CONNS 60000
#define HTTPD_EVENTS 256

/* The Httpd whose server thread this is (NULL on any other thread). */
static _Thread_local const Httpd *serving;

static long long
now_ms(void)
{
	return (long long)(mono_now() * 1000.0);
}

/* The connection whose deadline n is. */
static HttpConn *
conn_of(TimeHeapNode *n)
{
	return (HttpConn *)(void *)((char *)n - offsetof(HttpConn, timer));
}

static int
ep_add(Httpd *h, int fd, void *item)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = item};

	return epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
accept_all(Httpd *h, HttpdListener *l)
{
	for (int i = 0; i < 64 && l->fd >= 0; i++) {
		int fd =
		    accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of descriptors: accept with the spare
				 * one and close, so epoll does not spin. */
				if (h->reserve_fd >= 0) {
					close(h->reserve_fd);
					fd = accept(l->fd, NULL, NULL);
					if (fd >= 0)
						close(fd);
					h->reserve_fd = open(
					    "/dev/null", O_RDONLY | O_CLOEXEC);
				}
				return;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN and anything else */
		}
		if (h->nconns >= HTTPD_MAX_CONNS) {
			close(fd);
			continue;
		}
		httpconn_open(h, l, fd);
	}
}

/* ---- listeners ---- */

HttpdListener *
httpd_listener_new(Httpd *h, const char *name, int port, const char *headers,
    HttpdHandler fn, void *ctx)
{
	HttpdListener *l = xcalloc(1, sizeof(*l));

	l->kind = HTTPD_ITEM_LISTEN;
	l->fd = -1;
	l->port = port;
	str_copy(l->name, sizeof(l->name), name);
	l->headers = xstrdup(headers != NULL ? headers : "");
	l->fn = fn;
	l->ctx = ctx;
	h->lsts = xrealloc(h->lsts, (size_t)h->nlsts + 1, sizeof(*h->lsts));
	h->lsts[h->nlsts++] = l;
	return l;
}

int
httpd_listener_set_addr(HttpdListener *l, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (netaddr_make(addr, 0, &ss, &len) != 0 ||
	    strlen(addr) >= sizeof(l->addr))
		return -1;
	str_copy(l->addr, sizeof(l->addr), addr);
	return 0;
}

int
httpd_listener_open(Httpd *h, HttpdListener *l, char *err, size_t cap)
{
	const char *host = l->addr[0] != '\0' ? l->addr : h->host;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	int fd, bound;

	if (l->fd >= 0)
		return 0;
	netaddr_make(
	    l->addr[0] != '\0' ? l->addr : h->bind, l->port, &ss, &len);
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "%s: socket: %s", l->name, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		snprintf(err, cap, "%s:%d (%s): bind: %s", host, l->port,
		    l->name, strerror(errno));
		goto fail;
	}
	if (listen(fd, 4096) != 0) {
		snprintf(err, cap, "%s:%d (%s): listen: %s", host, l->port,
		    l->name, strerror(errno));
		goto fail;
	}
	bound = netaddr_bound_port(fd);
	if (bound < 0) {
		snprintf(
		    err, cap, "%s: getsockname: %s", l->name, strerror(errno));
		goto fail;
	}
	if (ep_add(h, fd, l) != 0) {
		snprintf(err, cap, "%s: epoll: %s", l->name, strerror(errno));
		goto fail;
	}
	if (l->port == 0)
		l->port = bound;
	l->fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

void
httpd_listener_close(Httpd *h, HttpdListener *l)
{
	if (l->fd < 0)
		return;
	epoll_ctl(h->ep, EPOLL_CTL_DEL, l->fd, NULL);
	close(l->fd);
	l->fd = -1;
}

bool
httpd_listener_is_open(const HttpdListener *l)
{
	return l->fd >= 0;
}

int
httpd_listener_port(const HttpdListener *l)
{
	return l->port;
}

void
httpd_listener_drop_idle(Httpd *h, HttpdListener *l)
{
	HttpConn *next;

	for (HttpConn *c = h->conns; c != NULL; c = next) {
		next = c->next;
		if (c->lst == l && httpconn_idle(c))
			httpconn_close(c, false);
	}
}

/* ---- the loop ---- */

Httpd *
httpd_new(const HttpdConfig *cfg, char *err, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len;
	Httpd *h;

	if (netaddr_make(cfg->bind, 0, &ss, &len) != 0) {
		snprintf(
		    err, cap, "bind address \"%s\": not numeric", cfg->bind);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	timeheap_init(&h->timers);
	h->family = ss.ss_family;
	str_copy(h->bind, sizeof(h->bind), cfg->bind);
	if (h->family == AF_INET6)
		snprintf(h->host, sizeof(h->host), "[%s]", h->bind);
	else
		snprintf(h->host, sizeof(h->host), "%s", h->bind);
	str_copy(h->server, sizeof(h->server), cfg->server);
	h->on_wake = cfg->on_wake;
	h->ctx = cfg->ctx;
	h->wake_kind = HTTPD_ITEM_WAKE;
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	h->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	h->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (h->ep < 0 || h->wake < 0 ||
	    ep_add(h, h->wake, &h->wake_kind) != 0) {
		snprintf(err, cap, "epoll/eventfd: %s", strerror(errno));
		httpd_free(h);
		return NULL;
	}
	return h;
}

void
httpd_free(Httpd *h)
{
	if (h == NULL)
		return;
	while (h->conns != NULL)
		httpconn_close(h->conns, false);
	for (int i = 0; i < h->nlsts; i++) {
		if (h->lsts[i]->fd >= 0)
			close(h->lsts[i]->fd);
		free(h->lsts[i]->headers);
		free(h->lsts[i]);
	}
	if (h->reserve_fd >= 0)
		close(h->reserve_fd);
	if (h->wake >= 0)
		close(h->wake);
	if (h->ep >= 0)
		close(h->ep);
	free(h->lsts);
	timeheap_fini(&h->timers);
	free(h);
}

const char *
httpd_host(const Httpd *h)
{
	return h->host;
}

/* Empty the eventfd and run on_wake: between batches, so it may free
 * connections. */
static void
wake_drain(Httpd *h)
{
	uint64_t v;

	while (read(h->wake, &v, sizeof(v)) > 0)
		;
	h->wake_pending = false;
	if (h->on_wake != NULL)
		h->on_wake(h->ctx);
}

void
httpd_run(Httpd *h)
{
	struct epoll_event evs[HTTPD_EVENTS];

	serving = h;
	while (!atomic_load(&h->stop)) {
		int timeout = h->wake_pending ? 0 : -1;
		TimeHeapNode *first = timeheap_first(&h->timers);
		h->now = now_ms();
		if (first != NULL && timeout != 0) {
			long long d = first->at - h->now;
			timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		int n = epoll_wait(h->ep, evs, HTTPD_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
			break;
		h->now = now_ms();
		bool woken = false;
		for (int i = 0; i < n; i++) {
			int kind = *(int *)evs[i].data.ptr;
			if (kind == HTTPD_ITEM_WAKE)
				woken = true;
			else if (kind == HTTPD_ITEM_LISTEN)
				accept_all(h, evs[i].data.ptr);
			else
				httpconn_event(evs[i].data.ptr, evs[i].events);
		}
		for (int guard = 0; guard < 4096; guard++) {
			first = timeheap_first(&h->timers);
			if (first == NULL || first->at > h->now)
				break;
			httpconn_timeout(conn_of(first));
		}
		if (woken || h->wake_pending)
			wake_drain(h);
	}
	serving = NULL;
}

void
httpd_stop(Httpd *h)
{
	atomic_store(&h->stop, true);
	httpd_wake(h);
}

void
httpd_wake(Httpd *h)
{
	if (serving == h) {
		h->wake_pending = true;
		return;
	}
	uint64_t one = 1;
	ssize_t n = write(h->wake, &one, sizeof(one));

	(void)n; /* a full counter (EAGAIN) still wakes the loop */
}

bool
httpd_on_server_thread(const Httpd *h)
{
	return serving == h;
}
