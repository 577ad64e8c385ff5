/*
 * httpconn: one connection of the HTTP server, from its first byte to
 * its close; see httpconn.h for its states and httpd.h for the DESIGN.
 * Server thread only.
 */
#include "sim/httpconn.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "sim/httpd_int.h"
#include "sim/httpreq.h"

#define CONN_IN_MAX (HTTPREQ_HEAD_MAX + HTTPREQ_BODY_MAX)
#define CONN_IN_START 1024
#define CONN_IDLE_MS 60000 /* waiting for (the rest of) a request */
#define CONN_STALL_MS 60000 /* an answer making no progress */
#define CONN_DRAIN_MS 2000
#define CONN_ENDLESS_PER_EVENT (256 * 1024) /* fairness between clients */

/* ---- the answer being written ---- */

static void
out_reset(HttpConn *c)
{
	if (c->out != c->out_small)
		free(c->out);
	c->out = c->out_small;
	c->out_len = 0;
	c->out_off = 0;
}

/* Append to the answer; grows off the inline buffer when needed. */
static void
out_add(HttpConn *c, const char *data, size_t n)
{
	size_t cap = c->out == c->out_small ? sizeof(c->out_small) : 0;

	if (c->out != c->out_small || c->out_len + n > cap) {
		if (c->out == c->out_small) {
			char *p = xmalloc(c->out_len + n + 1);
			memcpy(p, c->out_small, c->out_len);
			c->out = p;
		} else {
			c->out = xrealloc(c->out, c->out_len + n + 1, 1);
		}
	}
	memcpy(c->out + c->out_len, data, n);
	c->out_len += n;
}

static void out_printf(HttpConn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_printf(HttpConn *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		out_add(c, buf, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out_add(c, big, (size_t)n);
	free(big);
}

static const char *
reason(int status)
{
	static const struct {
		int code;
		const char *text;
	} t[] = {
	    {200, "OK"},
	    {201, "Created"},
	    {202, "Accepted"},
	    {204, "No Content"},
	    {206, "Partial Content"},
	    {301, "Moved Permanently"},
	    {302, "Found"},
	    {303, "See Other"},
	    {304, "Not Modified"},
	    {307, "Temporary Redirect"},
	    {308, "Permanent Redirect"},
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {408, "Request Timeout"},
	    {411, "Length Required"},
	    {413, "Content Too Large"},
	    {429, "Too Many Requests"},
	    {431, "Request Header Fields Too Large"},
	    {500, "Internal Server Error"},
	    {501, "Not Implemented"},
	    {502, "Bad Gateway"},
	    {503, "Service Unavailable"},
	    {504, "Gateway Timeout"},
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (t[i].code == status)
			return t[i].text;
	return "Simulated";
}

/* ---- the connection ---- */

/* c's deadline: ms from the loop's now. */
static void
timer_in(HttpConn *c, long long ms)
{
	timeheap_set(&c->h->timers, &c->timer, c->h->now + ms);
}

static void
timer_off(HttpConn *c)
{
	timeheap_remove(&c->h->timers, &c->timer);
}

void
httpconn_close(HttpConn *c, bool rst)
{
	Httpd *h = c->h;

	if (rst) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	timer_off(c);
	close(c->fd); /* also leaves the epoll set */
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	h->nconns--;
	if (c->out != c->out_small)
		free(c->out);
	free(c->in);
	free(c);
}

static bool
conn_want(HttpConn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return true;
	if (epoll_ctl(c->h->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		return false;
	c->events = events;
	return true;
}

/* Enter state st with a deadline ms from now and epoll interest
 * events. Returns false when the connection was closed. */
static bool
conn_enter(HttpConn *c, HttpConnState st, long long ms, uint32_t events)
{
	c->st = st;
	timer_in(c, ms);
	if (!conn_want(c, events)) {
		httpconn_close(c, false);
		return false;
	}
	return true;
}

/*
 * Send what is pending. Returns false when the connection was closed.
 * When the answer is complete: see HttpConnThen, then keep-alive goes back
 * to reading and anything else drains.
 */
static bool
conn_flush(HttpConn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
		    c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (c->then == HTTPCONN_THEN_RESET) {
				httpconn_close(c, true);
				return false;
			}
			return conn_enter(c, c->st, CONN_STALL_MS, EPOLLOUT);
		}
		httpconn_close(c, false);
		return false;
	}
	out_reset(c);
	if (c->then == HTTPCONN_THEN_RESET) {
		httpconn_close(c, true);
		return false;
	}
	if (c->then == HTTPCONN_THEN_ENDLESS)
		return conn_enter(c, CONN_ENDLESS, CONN_STALL_MS, EPOLLOUT);
	if (!c->keep_alive) {
		shutdown(c->fd, SHUT_WR);
		return conn_enter(c, CONN_DRAIN, CONN_DRAIN_MS, EPOLLIN);
	}
	/* Keep-alive: drop the answered request, keep pipelined bytes. */
	memmove(c->in, c->in + c->req_len, c->in_len - c->req_len);
	c->in_len -= c->req_len;
	c->req_len = 0;
	return conn_enter(c, CONN_READ, CONN_IDLE_MS, EPOLLIN);
}

static void
conn_endless(HttpConn *c)
{
	size_t sent = 0;

	while (sent < CONN_ENDLESS_PER_EVENT) {
		ssize_t n = send(
		    c->fd, c->chunk, c->chunk_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		httpconn_close(c, false);
		return;
	}
	if (sent > 0)
		timer_in(c, CONN_STALL_MS);
}

/* Handle the request at the start of c->in, if complete. */
static void
conn_request(HttpConn *c)
{
	HttpReq r;
	size_t skip = httpreq_blank_prefix(c->in, c->in_len);

	if (skip > 0) {
		memmove(c->in, c->in + skip, c->in_len - skip);
		c->in_len -= skip;
	}
	switch (httpreq_parse(c->in, c->in_len, &r)) {
	case HTTPREQ_MORE:
		return;
	case HTTPREQ_BAD:
		httpconn_respond_error(c, r.status, r.error);
		return;
	case HTTPREQ_DONE:
		break;
	}
	c->req_len = r.len;
	c->keep_alive = r.keep_alive;
	c->lst->fn(c->lst->ctx, c, &r);
	if (c->st == CONN_READ) /* the handler did not answer */
		httpconn_drop(c);
}

/* Answer every complete request in the buffer (pipelining). */
static void
conn_process(HttpConn *c)
{
	for (int guard = 0; guard < CONN_IN_MAX; guard++) {
		if (c->st != CONN_READ)
			return;
		conn_request(c);
		if (c->st == CONN_READ)
			return; /* incomplete */
		if (c->st != CONN_WRITE)
			return; /* held, ignored or closed */
		if (!conn_flush(c))
			return;
		if (c->st != CONN_READ || c->in_len == 0)
			return;
	}
}

/* Flush, and answer what was pipelined behind the answer sent. */
static void
conn_send(HttpConn *c)
{
	if (conn_flush(c) && c->st == CONN_READ && c->in_len > 0)
		conn_process(c);
}

static void
conn_readable(HttpConn *c)
{
	if (c->st == CONN_IGNORE || c->st == CONN_DRAIN) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 ||
		    (n < 0 && errno != EAGAIN && errno != EINTR &&
		        errno != EWOULDBLOCK))
			httpconn_close(c, false);
		return;
	}
	if (c->st != CONN_READ)
		return;
	if (c->in_len == c->in_cap) {
		if (c->in_cap >= CONN_IN_MAX) {
			/* Cannot happen: httpreq_parse refuses first. */
			httpconn_close(c, false);
			return;
		}
		c->in_cap *= 2;
		c->in = xrealloc(c->in, c->in_cap, 1);
	}
	ssize_t n =
	    recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
	if (n == 0) {
		httpconn_close(c, false);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)
			httpconn_close(c, false);
		return;
	}
	c->in_len += (size_t)n;
	conn_process(c);
}

void
httpconn_event(HttpConn *c, uint32_t ev)
{
	if (ev & EPOLLERR) {
		httpconn_close(c, false);
		return;
	}
	if (c->st == CONN_WRITE && (ev & EPOLLOUT)) {
		conn_send(c);
		return;
	}
	if (c->st == CONN_ENDLESS && (ev & EPOLLOUT)) {
		conn_endless(c);
		return;
	}
	if ((ev & EPOLLIN) &&
	    (c->st == CONN_READ || c->st == CONN_IGNORE ||
	        c->st == CONN_DRAIN)) {
		conn_readable(c);
		return;
	}
	if (ev & EPOLLHUP)
		httpconn_close(c, false);
}

void
httpconn_timeout(HttpConn *c)
{
	if (c->st == CONN_HOLD) {
		timer_off(c);
		c->st = CONN_WRITE;
		conn_send(c);
		return;
	}
	httpconn_close(c, false);
}

HttpConn *
httpconn_open(Httpd *h, HttpdListener *l, int fd)
{
	HttpConn *c = xcalloc(1, sizeof(*c));
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

	c->kind = HTTPD_ITEM_CONN;
	c->fd = fd;
	c->h = h;
	c->lst = l;
	c->st = CONN_READ;
	c->events = EPOLLIN;
	c->in_cap = CONN_IN_START;
	c->in = xmalloc(c->in_cap);
	c->out = c->out_small;
	timeheap_node_init(&c->timer);
	if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c->in);
		free(c);
		return NULL;
	}
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	timer_in(c, CONN_IDLE_MS);
	return c;
}

bool
httpconn_idle(const HttpConn *c)
{
	return c->st == CONN_READ;
}

/* ---- answers ---- */

void
httpconn_respond(HttpConn *c, int status, const char *extra, const char *ctype,
    const char *body, size_t len, bool head)
{
	bool no_body = status == 204 || status == 304;

	out_reset(c);
	c->then = HTTPCONN_THEN_CLOSE;
	out_printf(c, "HTTP/1.1 %d %s\r\nServer: %s\r\n%s%s", status,
	    reason(status), c->h->server, c->lst->headers,
	    extra != NULL ? extra : "");
	if (!no_body)
		out_printf(c, "Content-Type: %s\r\nContent-Length: %zu\r\n",
		    ctype, len);
	out_printf(c, "Connection: %s\r\n\r\n",
	    c->keep_alive ? "keep-alive" : "close");
	if (!no_body && !head)
		out_add(c, body, len);
	c->st = CONN_WRITE;
}

void
httpconn_respond_error(HttpConn *c, int status, const char *msg)
{
	char body[256];

	c->keep_alive = false;
	snprintf(body, sizeof(body), "%s\n", msg);
	httpconn_respond(
	    c, status, NULL, "text/plain", body, strlen(body), false);
}

void
httpconn_hold(HttpConn *c, int ms)
{
	/* Failures inside a handler must not free the connection its
	 * caller holds: drop it instead, closed at the next flush. */
	c->st = CONN_HOLD;
	timer_in(c, ms);
	if (!conn_want(c, 0))
		httpconn_drop(c);
}

void
httpconn_ignore(HttpConn *c)
{
	out_reset(c);
	c->st = CONN_IGNORE;
	timer_off(c);
	if (!conn_want(c, EPOLLIN))
		httpconn_drop(c);
}

void
httpconn_drop(HttpConn *c)
{
	c->keep_alive = false;
	c->then = HTTPCONN_THEN_CLOSE;
	out_reset(c);
	c->st = CONN_WRITE;
}

void
httpconn_send_raw(HttpConn *c, const char *data, size_t n, HttpConnThen then,
    const char *chunk, size_t chunk_len)
{
	c->keep_alive = false;
	out_reset(c);
	out_add(c, data, n);
	c->then = then;
	c->chunk = chunk;
	c->chunk_len = chunk_len;
	c->st = CONN_WRITE;
}
