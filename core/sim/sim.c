/*
 * sim: simulated regions on loopback. See sim.h for the DESIGN comment.
 *
 * Connection life cycle (server thread only):
 *   CONN_READ      reading a request; deadline = idle timeout
 *   CONN_WAIT      `slow`: request read, answer due at the deadline
 *   CONN_WRITE     sending a response; deadline = stall timeout
 *   CONN_BLACKHOLE reading and discarding until the client leaves
 *   CONN_HUGE      streaming an endless body while the client reads
 *   CONN_DRAIN     answered and shut down for writing; reading and
 *                  discarding until the client closes (at most
 *                  SIM_DRAIN_MS), so unread input never turns the close
 *                  into an RST that destroys the answer
 * After a complete response a keep-alive connection goes back to
 * CONN_READ (pipelined bytes already read are kept), else it is closed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/jsonw.h"
#include "base/thread.h"
#include "base/util.h"
#include "sim/httpreq.h"
#include "sim/netaddr.h"
#include "sim/sim.h"

#define SIM_IN_MAX (HTTPREQ_HEAD_MAX + HTTPREQ_BODY_MAX)
#define SIM_IN_START 1024
#define SIM_IDLE_MS 60000 /* waiting for (the rest of) a request */
#define SIM_STALL_MS 60000 /* a response making no progress */
#define SIM_DRAIN_MS 2000
#define SIM_MAX_CONNS 60000
#define SIM_MAX_ROUTES 32
#define SIM_HUGE_CHUNK (64 * 1024)
#define SIM_HUGE_PER_EVENT (256 * 1024) /* fairness between clients */
#define SIM_RESET_CLAIMED 1000 /* Content-Length claimed by `reset` */
#define SIM_EVENTS 256

enum { ITEM_WAKE, ITEM_LISTEN, ITEM_CONN };

typedef struct {
	int kind; /* ITEM_LISTEN; must be first */
	int fd; /* -1 while closed (refuse) */
	int region; /* -1 for the control interface */
} Listener;

typedef struct {
	char name[SIM_NAME_MAX];
	char url[128];
	int port; /* bound port, kept for re-listening */
	Listener lst; /* server thread only (and sim_start/sim_stop) */
	/* Under Sim.lock: */
	SimFault fault;
	long long requests;
	unsigned long long fault_requests; /* under the current fault */
	char err[192]; /* why the last re-listen failed, or "" */
} Region;

typedef enum {
	CONN_READ,
	CONN_WAIT,
	CONN_WRITE,
	CONN_BLACKHOLE,
	CONN_HUGE,
	CONN_DRAIN,
} ConnState;

typedef struct Conn {
	int kind; /* ITEM_CONN; must be first */
	int fd;
	int region; /* -1 for the control interface */
	ConnState st;
	uint32_t events; /* current epoll interest */
	char *in;
	size_t in_len, in_cap;
	size_t req_len; /* bytes of the request being answered */
	char *out; /* out_small or a heap buffer */
	size_t out_len, out_off;
	char out_small[512];
	bool keep_alive;
	bool then_huge; /* after the headers, stream CONN_HUGE */
	bool then_reset; /* after the partial response, RST */
	long long deadline;
	int heap_idx; /* -1 when no deadline */
	struct Conn *prev, *next;
} Conn;

typedef struct {
	char method[16]; /* "" = any */
	char prefix[128];
	SimRouteFn fn;
	void *ctx;
} Route;

struct Sim {
	/* Immutable after sim_start. */
	int family;
	char bind[64];
	char host[70]; /* bind as it appears in a URL */
	Region *regions;
	int nregions;
	Listener control;
	int control_port;
	int ep, wake;
	pthread_t thread;
	bool started;
	int wake_kind; /* ITEM_WAKE; epoll data for the eventfd */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;

	_Atomic bool stop;

	/* Sim.lock guards the Region fields marked so, and: */
	pthread_mutex_t lock;
	pthread_cond_t applied; /* gen_done moved */
	unsigned long long gen_req, gen_done;
	bool dead; /* the server thread has returned */
	char forced[SIM_NAME_MAX]; /* "" = automatic */
	Route routes[SIM_MAX_ROUTES];
	int nroutes;

	/* Server thread only. */
	Conn *conns;
	int nconns;
	Conn **heap;
	int heap_len, heap_cap;
	int reserve_fd;
	bool reconcile_pending; /* wake_drain() due after this batch */
};

static const char filler[] =
    "drtop simulated endless body: "
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
static char huge_chunk[SIM_HUGE_CHUNK];
static pthread_once_t huge_once = PTHREAD_ONCE_INIT;

static void
huge_init(void)
{
	size_t n = sizeof(filler) - 1;

	for (size_t i = 0; i < sizeof(huge_chunk); i++)
		huge_chunk[i] = filler[i % n];
}

/* The Sim whose server thread this is (NULL on any other thread). */
static _Thread_local Sim *serving;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- configuration ---- */

bool
sim_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= SIM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '-'))
			return false;
	}
	return true;
}

bool
sim_addr_is_loopback(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return netaddr_make(addr, 0, &ss, &len) == 0 &&
	    netaddr_is_loopback(&ss);
}

int
sim_config_check(const SimConfig *cfg, char *err, size_t cap)
{
	const char *bind = cfg->bind != NULL ? cfg->bind : "127.0.0.1";

	if (!sim_addr_is_loopback(bind)) {
		snprintf(err, cap,
		    "bind address \"%s\": must be a numeric loopback "
		    "address (127.0.0.0/8 or ::1)",
		    bind);
		return -1;
	}
	if (cfg->nregions < 1 || cfg->regions == NULL) {
		snprintf(err, cap, "regions: at least one region is needed");
		return -1;
	}
	if (cfg->control_port < -1 || cfg->control_port > 65535) {
		snprintf(err, cap, "control port %d: must be 0-65535",
		    cfg->control_port);
		return -1;
	}
	for (int i = 0; i < cfg->nregions; i++) {
		const SimRegionSpec *r = &cfg->regions[i];
		if (r->name == NULL || !sim_name_valid(r->name)) {
			snprintf(err, cap,
			    "regions[%d]: \"%s\" is not a region name "
			    "(1-%d of A-Z a-z 0-9 . _ -)",
			    i, r->name != NULL ? r->name : "",
			    SIM_NAME_MAX - 1);
			return -1;
		}
		if (r->port < 0 || r->port > 65535) {
			snprintf(err, cap,
			    "regions[%d] (%s): port %d: must be 0-65535", i,
			    r->name, r->port);
			return -1;
		}
		for (int j = 0; j < i; j++) {
			if (strcmp(cfg->regions[j].name, r->name) == 0) {
				snprintf(err, cap,
				    "regions[%d]: \"%s\" appears twice", i,
				    r->name);
				return -1;
			}
			if (r->port != 0 && cfg->regions[j].port == r->port) {
				snprintf(err, cap,
				    "regions[%d] (%s): port %d is also "
				    "region %s's",
				    i, r->name, r->port, cfg->regions[j].name);
				return -1;
			}
		}
		if (r->port != 0 && r->port == cfg->control_port) {
			snprintf(err, cap,
			    "regions[%d] (%s): port %d is also the control "
			    "port",
			    i, r->name, r->port);
			return -1;
		}
	}
	return 0;
}

/* ---- sockets ---- */

/* Open a non-blocking listener on bind:port; *bound gets the port. */
static int
listen_on(
    const Sim *s, int port, int *bound, const char *what, char *err, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	int fd;

	netaddr_make(s->bind, port, &ss, &len);
	fd = socket(s->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "%s: socket: %s", what, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		snprintf(err, cap, "%s:%d (%s): bind: %s", s->host, port, what,
		    strerror(errno));
		goto fail;
	}
	if (listen(fd, 4096) != 0) {
		snprintf(err, cap, "%s:%d (%s): listen: %s", s->host, port,
		    what, strerror(errno));
		goto fail;
	}
	*bound = netaddr_bound_port(fd);
	if (*bound < 0) {
		snprintf(
		    err, cap, "%s: getsockname: %s", what, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int
ep_add(Sim *s, int fd, uint32_t events, void *item)
{
	struct epoll_event ev = {.events = events, .data.ptr = item};

	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
listener_close(Sim *s, Listener *l)
{
	if (l->fd < 0)
		return;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, l->fd, NULL);
	close(l->fd);
	l->fd = -1;
}

/* ---- deadline heap (server thread) ---- */

static bool
heap_less(Sim *s, int a, int b)
{
	return s->heap[a]->deadline < s->heap[b]->deadline;
}

static void
heap_swap(Sim *s, int a, int b)
{
	Conn *t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
	s->heap[a]->heap_idx = a;
	s->heap[b]->heap_idx = b;
}

static void
heap_fix(Sim *s, int i)
{
	while (i > 0 && heap_less(s, i, (i - 1) / 2)) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->heap_len && heap_less(s, l, m))
			m = l;
		if (r < s->heap_len && heap_less(s, r, m))
			m = r;
		if (m == i)
			break;
		heap_swap(s, i, m);
		i = m;
	}
}

/* Set c's deadline (ms on the monotonic clock), or clear it with -1. */
static void
timer_set(Sim *s, Conn *c, long long deadline)
{
	if (deadline < 0) {
		if (c->heap_idx < 0)
			return;
		int i = c->heap_idx;
		heap_swap(s, i, s->heap_len - 1);
		s->heap_len--;
		c->heap_idx = -1;
		if (i < s->heap_len)
			heap_fix(s, i);
		return;
	}
	c->deadline = deadline;
	if (c->heap_idx < 0) {
		if (s->heap_len == s->heap_cap) {
			s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 64;
			s->heap = xrealloc(
			    s->heap, (size_t)s->heap_cap, sizeof(*s->heap));
		}
		c->heap_idx = s->heap_len;
		s->heap[s->heap_len++] = c;
	}
	heap_fix(s, c->heap_idx);
}

/* ---- connections (server thread) ---- */

static void
conn_close(Sim *s, Conn *c, bool rst)
{
	if (rst) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	timer_set(s, c, -1);
	close(c->fd); /* also leaves the epoll set */
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	if (c->out != c->out_small)
		free(c->out);
	free(c->in);
	free(c);
}

static bool
conn_want(Sim *s, Conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return true;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		return false;
	c->events = events;
	return true;
}

static void
out_reset(Conn *c)
{
	if (c->out != c->out_small)
		free(c->out);
	c->out = c->out_small;
	c->out_len = 0;
	c->out_off = 0;
}

/* Append to the response; grows off the inline buffer when needed. */
static void
out_add(Conn *c, const char *data, size_t n)
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

static void out_printf(Conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_printf(Conn *c, const char *fmt, ...)
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

/*
 * Queue a complete response. region < 0: no X-Region header. A body is
 * sent unless the status forbids one or head is set.
 */
static void
respond(Sim *s, Conn *c, int status, const char *ctype, const char *body,
    size_t body_len, bool head)
{
	bool no_body = status == 204 || status == 304;

	out_reset(c);
	out_printf(c, "HTTP/1.1 %d %s\r\nServer: drtop-sim\r\n", status,
	    reason(status));
	if (c->region >= 0)
		out_printf(c, "X-Region: %s\r\n", s->regions[c->region].name);
	if (status >= 300 && status <= 399 && c->region >= 0)
		out_printf(c, "Location: http://%s:%d/moved\r\n", s->host,
		    s->regions[c->region].port);
	if (!no_body)
		out_printf(c, "Content-Type: %s\r\nContent-Length: %zu\r\n",
		    ctype, body_len);
	out_printf(c, "Connection: %s\r\n\r\n",
	    c->keep_alive ? "keep-alive" : "close");
	if (!no_body && !head)
		out_add(c, body, body_len);
	c->st = CONN_WRITE;
}

static void
respond_error(Sim *s, Conn *c, int status, const char *msg)
{
	char body[256];

	c->keep_alive = false;
	snprintf(body, sizeof(body), "%s\n", msg);
	respond(s, c, status, "text/plain", body, strlen(body), false);
}

static void conn_process(Sim *s, Conn *c, long long now);

/*
 * Send what is pending. Returns false when the connection was closed.
 * When the response is complete: keep-alive goes back to reading,
 * `huge` starts streaming, anything else is closed.
 */
static bool
conn_flush(Sim *s, Conn *c, long long now)
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
			if (c->then_reset) {
				conn_close(s, c, true);
				return false;
			}
			timer_set(s, c, now + SIM_STALL_MS);
			if (!conn_want(s, c, EPOLLOUT)) {
				conn_close(s, c, false);
				return false;
			}
			return true;
		}
		conn_close(s, c, false);
		return false;
	}
	out_reset(c);
	if (c->then_reset) {
		conn_close(s, c, true);
		return false;
	}
	if (c->then_huge) {
		c->st = CONN_HUGE;
		timer_set(s, c, now + SIM_STALL_MS);
		if (!conn_want(s, c, EPOLLOUT)) {
			conn_close(s, c, false);
			return false;
		}
		return true;
	}
	if (!c->keep_alive) {
		shutdown(c->fd, SHUT_WR);
		c->st = CONN_DRAIN;
		timer_set(s, c, now + SIM_DRAIN_MS);
		if (!conn_want(s, c, EPOLLIN)) {
			conn_close(s, c, false);
			return false;
		}
		return true;
	}
	/* Keep-alive: drop the answered request, keep pipelined bytes. */
	memmove(c->in, c->in + c->req_len, c->in_len - c->req_len);
	c->in_len -= c->req_len;
	c->req_len = 0;
	c->st = CONN_READ;
	timer_set(s, c, now + SIM_IDLE_MS);
	if (!conn_want(s, c, EPOLLIN)) {
		conn_close(s, c, false);
		return false;
	}
	return true;
}

static void
conn_huge(Sim *s, Conn *c, long long now)
{
	size_t sent = 0;

	while (sent < SIM_HUGE_PER_EVENT) {
		ssize_t n = send(c->fd, huge_chunk, sizeof(huge_chunk),
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		conn_close(s, c, false);
		return;
	}
	if (sent > 0)
		timer_set(s, c, now + SIM_STALL_MS);
}

/* ---- region answers ---- */

static const char garbage_bytes[] =
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
    "\xde\xad\xbe\xef drtop-sim garbage: this is not HTTP \x00\xff\xfe\r\n"
    "\x7f\x45\x4c\x46\x02\x01\x01\r\n\r\n";

/* Make c close (gracefully) at the next flush: for failures inside a
 * request handler, which must not free the connection its caller holds. */
static void
conn_doom(Conn *c)
{
	c->keep_alive = false;
	c->then_huge = false;
	out_reset(c);
	c->st = CONN_WRITE;
}

static void
region_answer(Sim *s, Conn *c, const HttpReq *r, long long now)
{
	Region *rg = &s->regions[c->region];
	bool head = strcmp(r->method, "HEAD") == 0;
	SimFault f;
	SimAnswer a;
	unsigned long long n;
	char body[SIM_NAME_MAX + 64];
	size_t blen;

	pthread_mutex_lock(&s->lock);
	rg->requests++;
	f = rg->fault;
	n = rg->fault_requests++;
	pthread_mutex_unlock(&s->lock);
	a = sim_fault_answer(&f, n);

	if (!head && strcmp(r->method, "GET") != 0) {
		respond_error(s, c, 405, "only GET and HEAD");
		return;
	}
	switch (a.kind) {
	case SIM_ANSWER_STATUS:
		if (a.status != 200)
			blen = (size_t)snprintf(body, sizeof(body),
			    "%s\nsimulated status %d\n", rg->name, a.status);
		else
			blen = (size_t)snprintf(
			    body, sizeof(body), "%s\n", rg->name);
		respond(s, c, a.status, "text/plain", body, blen, head);
		break;
	case SIM_ANSWER_DROP:
		/* A connection from before the listener closed: the region
		 * is gone, close without an answer. */
		conn_doom(c);
		break;
	case SIM_ANSWER_DELAY:
		c->st = CONN_WAIT;
		timer_set(s, c, now + a.delay_ms);
		if (!conn_want(s, c, 0))
			conn_doom(c);
		break;
	case SIM_ANSWER_SILENCE:
		c->st = CONN_BLACKHOLE;
		timer_set(s, c, -1);
		if (!conn_want(s, c, EPOLLIN))
			conn_doom(c);
		break;
	case SIM_ANSWER_RESET:
		c->keep_alive = false;
		out_reset(c);
		out_printf(c,
		    "HTTP/1.1 200 OK\r\nX-Region: %s\r\n"
		    "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
		    "%s\npartial",
		    rg->name, SIM_RESET_CLAIMED, rg->name);
		c->st = CONN_WRITE;
		c->then_reset = true;
		break;
	case SIM_ANSWER_ENDLESS:
		c->keep_alive = false;
		out_reset(c);
		out_printf(c,
		    "HTTP/1.1 200 OK\r\nServer: drtop-sim\r\nX-Region: %s\r\n"
		    "Content-Type: text/plain\r\nConnection: close\r\n\r\n",
		    rg->name);
		if (!head)
			out_printf(c, "%s\n", rg->name);
		c->st = CONN_WRITE;
		c->then_huge = !head;
		break;
	case SIM_ANSWER_GARBAGE:
		c->keep_alive = false;
		out_reset(c);
		out_add(c, garbage_bytes, sizeof(garbage_bytes) - 1);
		c->st = CONN_WRITE;
		break;
	}
}

/* ---- control interface ---- */

static void control_dispatch(Sim *s, const SimRequest *req, SimResponse *resp);

static void
control_answer(Sim *s, Conn *c, const HttpReq *r)
{
	char *body = xstrndup(r->body, r->body_len);
	char *path = xstrdup(r->target);
	char *q = strchr(path, '?');
	SimRequest req = {
	    .method = r->method,
	    .path = path,
	    .query = "",
	    .body = body,
	    .body_len = strlen(body),
	};
	SimResponse resp = {.status = 404, .content_type = NULL, .body = NULL};

	if (q != NULL) {
		*q = '\0';
		req.query = q + 1;
	}
	control_dispatch(s, &req, &resp);
	const char *b = resp.body != NULL ? resp.body : "";
	respond(s, c, resp.status,
	    resp.content_type != NULL ? resp.content_type : "application/json",
	    b, strlen(b), strcmp(r->method, "HEAD") == 0);
	free(resp.body);
	free(path);
	free(body);
}

/* Handle the request at the start of c->in, if complete. */
static void
conn_request(Sim *s, Conn *c, long long now)
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
		respond_error(s, c, r.status, r.error);
		return;
	case HTTPREQ_DONE:
		break;
	}
	c->req_len = r.len;
	c->keep_alive = r.keep_alive;
	if (c->region >= 0)
		region_answer(s, c, &r, now);
	else
		control_answer(s, c, &r);
}

/* Answer every complete request in the buffer (pipelining). */
static void
conn_process(Sim *s, Conn *c, long long now)
{
	for (int guard = 0; guard < SIM_IN_MAX; guard++) {
		if (c->st != CONN_READ)
			return;
		conn_request(s, c, now);
		if (c->st == CONN_READ)
			return; /* incomplete */
		if (c->st != CONN_WRITE)
			return; /* waiting (slow) or blackholed or closed */
		if (!conn_flush(s, c, now))
			return;
		if (c->st != CONN_READ || c->in_len == 0)
			return;
	}
}

static void
conn_readable(Sim *s, Conn *c, long long now)
{
	if (c->st == CONN_BLACKHOLE || c->st == CONN_DRAIN) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 ||
		    (n < 0 && errno != EAGAIN && errno != EINTR &&
		        errno != EWOULDBLOCK))
			conn_close(s, c, false);
		return;
	}
	if (c->st != CONN_READ)
		return;
	if (c->in_len == c->in_cap) {
		if (c->in_cap >= SIM_IN_MAX) {
			/* Cannot happen: conn_request answers first. */
			conn_close(s, c, false);
			return;
		}
		c->in_cap *= 2;
		c->in = xrealloc(c->in, c->in_cap, 1);
	}
	ssize_t n =
	    recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
	if (n == 0) {
		conn_close(s, c, false);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)
			conn_close(s, c, false);
		return;
	}
	c->in_len += (size_t)n;
	conn_process(s, c, now);
}

static void
conn_event(Sim *s, Conn *c, uint32_t ev, long long now)
{
	if (ev & EPOLLERR) {
		conn_close(s, c, false);
		return;
	}
	if (c->st == CONN_WRITE && (ev & EPOLLOUT)) {
		if (conn_flush(s, c, now) && c->st == CONN_READ &&
		    c->in_len > 0)
			conn_process(s, c, now);
		return;
	}
	if (c->st == CONN_HUGE && (ev & EPOLLOUT)) {
		conn_huge(s, c, now);
		return;
	}
	if ((ev & EPOLLIN) &&
	    (c->st == CONN_READ || c->st == CONN_BLACKHOLE ||
	        c->st == CONN_DRAIN)) {
		conn_readable(s, c, now);
		return;
	}
	if (ev & EPOLLHUP)
		conn_close(s, c, false);
}

static void
conn_timeout(Sim *s, Conn *c, long long now)
{
	if (c->st == CONN_WAIT) {
		char body[SIM_NAME_MAX + 2];
		size_t n = (size_t)snprintf(
		    body, sizeof(body), "%s\n", s->regions[c->region].name);
		timer_set(s, c, -1);
		respond(s, c, 200, "text/plain", body, n, false);
		if (conn_flush(s, c, now) && c->st == CONN_READ &&
		    c->in_len > 0)
			conn_process(s, c, now);
		return;
	}
	conn_close(s, c, false);
}

static void
accept_all(Sim *s, Listener *l, long long now)
{
	for (int i = 0; i < 64 && l->fd >= 0; i++) {
		int fd =
		    accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of descriptors: accept with the spare
				 * one and close, so epoll does not spin. */
				if (s->reserve_fd >= 0) {
					close(s->reserve_fd);
					fd = accept(l->fd, NULL, NULL);
					if (fd >= 0)
						close(fd);
					s->reserve_fd = open(
					    "/dev/null", O_RDONLY | O_CLOEXEC);
				}
				return;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN and anything else */
		}
		if (s->nconns >= SIM_MAX_CONNS) {
			close(fd);
			continue;
		}
		Conn *c = xcalloc(1, sizeof(*c));
		c->kind = ITEM_CONN;
		c->fd = fd;
		c->region = l->region;
		c->st = CONN_READ;
		c->events = EPOLLIN;
		c->in_cap = SIM_IN_START;
		c->in = xmalloc(c->in_cap);
		c->out = c->out_small;
		c->heap_idx = -1;
		if (ep_add(s, fd, EPOLLIN, c) != 0) {
			close(fd);
			free(c->in);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
		timer_set(s, c, now + SIM_IDLE_MS);
	}
}

/* ---- listeners follow the faults (server thread) ---- */

/* Open or close region i's listener to match its fault. */
static void
region_reconcile(Sim *s, int i)
{
	Region *rg = &s->regions[i];
	char err[sizeof(rg->err)] = "";
	bool want;

	pthread_mutex_lock(&s->lock);
	want = sim_fault_listens(&rg->fault);
	pthread_mutex_unlock(&s->lock);
	if (!want) {
		listener_close(s, &rg->lst);
		return;
	}
	if (rg->lst.fd >= 0)
		return;
	int bound;
	int fd = listen_on(s, rg->port, &bound, rg->name, err, sizeof(err));
	if (fd >= 0 && ep_add(s, fd, EPOLLIN, &rg->lst) != 0) {
		snprintf(err, sizeof(err), "%s: epoll: %s", rg->name,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	rg->lst.fd = fd;
	if (fd < 0) {
		pthread_mutex_lock(&s->lock);
		rg->fault = (SimFault){.kind = SIM_FAULT_REFUSE, .arg = 0};
		str_copy(rg->err, sizeof(rg->err), err);
		pthread_mutex_unlock(&s->lock);
	}
}

/*
 * Close region i's connections that wait for a request (kept alive): a
 * client must not reach a refused region over an old connection. Frees
 * connections, so only between event batches.
 */
static void
region_drop_idle(Sim *s, int i)
{
	Conn *next;

	for (Conn *c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->region == i && c->st == CONN_READ)
			conn_close(s, c, false);
	}
}

/* Apply fault changes: listeners, then idle connections of refused
 * regions; then release the sim_set_fault() callers waiting. */
static void
wake_drain(Sim *s)
{
	uint64_t v;
	unsigned long long gen;

	while (read(s->wake, &v, sizeof(v)) > 0)
		;
	pthread_mutex_lock(&s->lock);
	gen = s->gen_req;
	pthread_mutex_unlock(&s->lock);
	s->reconcile_pending = false;
	for (int i = 0; i < s->nregions; i++) {
		region_reconcile(s, i);
		if (s->regions[i].lst.fd < 0)
			region_drop_idle(s, i);
	}
	pthread_mutex_lock(&s->lock);
	if (gen > s->gen_done)
		s->gen_done = gen;
	pthread_cond_broadcast(&s->applied);
	pthread_mutex_unlock(&s->lock);
}

static void *
server_main(void *arg)
{
	Sim *s = arg;
	struct epoll_event evs[SIM_EVENTS];

	serving = s;
	while (!atomic_load(&s->stop)) {
		long long now = now_ms();
		int timeout = -1;
		if (s->heap_len > 0) {
			long long d = s->heap[0]->deadline - now;
			timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		int n = epoll_wait(s->ep, evs, SIM_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
			break;
		now = now_ms();
		bool woken = false;
		for (int i = 0; i < n; i++) {
			int kind = *(int *)evs[i].data.ptr;
			if (kind == ITEM_WAKE)
				woken = true;
			else if (kind == ITEM_LISTEN)
				accept_all(s, evs[i].data.ptr, now);
			else
				conn_event(
				    s, evs[i].data.ptr, evs[i].events, now);
		}
		for (int guard = 0; guard < 4096 && s->heap_len > 0 &&
		     s->heap[0]->deadline <= now;
		     guard++)
			conn_timeout(s, s->heap[0], now);
		if (woken || s->reconcile_pending)
			wake_drain(s);
	}
	/* Release any sim_set_fault() still waiting (epoll failed). */
	pthread_mutex_lock(&s->lock);
	s->dead = true;
	pthread_cond_broadcast(&s->applied);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void
wake_server(Sim *s)
{
	uint64_t one = 1;
	ssize_t n = write(s->wake, &one, sizeof(one));

	(void)n; /* a full counter (EAGAIN) still wakes the loop */
}

/* ---- lifecycle ---- */

Sim *
sim_start(const SimConfig *cfg, char *err, size_t cap)
{
	Sim *s;

	if (sim_config_check(cfg, err, cap) != 0)
		return NULL;
	pthread_once(&huge_once, huge_init);
	s = xcalloc(1, sizeof(*s));
	s->ep = -1;
	s->wake = -1;
	s->reserve_fd = -1;
	s->control.fd = -1;
	s->control.kind = ITEM_LISTEN;
	s->control.region = -1;
	s->control_port = -1;
	s->wake_kind = ITEM_WAKE;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->applied, NULL);
	str_copy(s->bind, sizeof(s->bind),
	    cfg->bind != NULL ? cfg->bind : "127.0.0.1");
	if (strchr(s->bind, ':') != NULL) {
		s->family = AF_INET6;
		snprintf(s->host, sizeof(s->host), "[%s]", s->bind);
	} else {
		s->family = AF_INET;
		snprintf(s->host, sizeof(s->host), "%s", s->bind);
	}
	s->log = cfg->log;
	s->log_ctx = cfg->log_ctx;
	s->nregions = cfg->nregions;
	s->regions = xcalloc((size_t)cfg->nregions, sizeof(*s->regions));
	for (int i = 0; i < s->nregions; i++) {
		s->regions[i].lst.kind = ITEM_LISTEN;
		s->regions[i].lst.fd = -1;
		s->regions[i].lst.region = i;
		str_copy(s->regions[i].name, sizeof(s->regions[i].name),
		    cfg->regions[i].name);
	}
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (s->ep < 0 || s->wake < 0 ||
	    ep_add(s, s->wake, EPOLLIN, &s->wake_kind) != 0) {
		snprintf(err, cap, "sim: epoll/eventfd: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < s->nregions; i++) {
		Region *rg = &s->regions[i];
		rg->lst.fd = listen_on(
		    s, cfg->regions[i].port, &rg->port, rg->name, err, cap);
		if (rg->lst.fd < 0)
			goto fail;
		if (ep_add(s, rg->lst.fd, EPOLLIN, &rg->lst) != 0) {
			snprintf(err, cap, "sim: epoll: %s", strerror(errno));
			goto fail;
		}
		snprintf(rg->url, sizeof(rg->url), "http://%s:%d/health",
		    s->host, rg->port);
	}
	if (cfg->control_port >= 0) {
		s->control.fd = listen_on(s, cfg->control_port,
		    &s->control_port, "control", err, cap);
		if (s->control.fd < 0)
			goto fail;
		if (ep_add(s, s->control.fd, EPOLLIN, &s->control) != 0) {
			snprintf(err, cap, "sim: epoll: %s", strerror(errno));
			goto fail;
		}
	}
	int rc = thread_start(&s->thread, server_main, s);
	if (rc != 0) {
		snprintf(err, cap, "sim: thread: %s", strerror(rc));
		goto fail;
	}
	s->started = true;
	return s;
fail:
	sim_stop(s);
	return NULL;
}

void
sim_stop(Sim *s)
{
	if (s == NULL)
		return;
	if (s->started) {
		atomic_store(&s->stop, true);
		wake_server(s);
		pthread_join(s->thread, NULL);
	}
	while (s->conns != NULL)
		conn_close(s, s->conns, false);
	for (int i = 0; i < s->nregions; i++)
		if (s->regions[i].lst.fd >= 0)
			close(s->regions[i].lst.fd);
	if (s->control.fd >= 0)
		close(s->control.fd);
	if (s->reserve_fd >= 0)
		close(s->reserve_fd);
	if (s->wake >= 0)
		close(s->wake);
	if (s->ep >= 0)
		close(s->ep);
	pthread_cond_destroy(&s->applied);
	pthread_mutex_destroy(&s->lock);
	free(s->heap);
	free(s->regions);
	free(s);
}

/* ---- accessors ---- */

int
sim_region_count(const Sim *s)
{
	return s->nregions;
}

const char *
sim_region_name(const Sim *s, int i)
{
	return s->regions[i].name;
}

int
sim_region_port(const Sim *s, int i)
{
	return s->regions[i].port;
}

const char *
sim_region_url(const Sim *s, int i)
{
	return s->regions[i].url;
}

int
sim_region_find(const Sim *s, const char *name)
{
	for (int i = 0; i < s->nregions; i++)
		if (strcmp(s->regions[i].name, name) == 0)
			return i;
	return -1;
}

int
sim_control_port(const Sim *s)
{
	return s->control_port;
}

const char *
sim_bind_addr(const Sim *s)
{
	return s->bind;
}

static void sim_log(Sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sim_log(Sim *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->log(s->log_ctx, msg);
}

static bool
on_server_thread(const Sim *s)
{
	return serving == s;
}

int
sim_set_fault(
    Sim *s, const char *region, const SimFault *f, char *err, size_t cap)
{
	int i = sim_region_find(s, region);
	char ferr[128];
	char text[SIM_FAULT_TEXT_MAX];
	int rc = 0;

	if (i < 0) {
		snprintf(err, cap, "region \"%s\": no such region", region);
		return -1;
	}
	/* Validate through the text form so every way in agrees. */
	sim_fault_format(f, text, sizeof(text));
	SimFault chk;
	if (sim_fault_parse(text, &chk, ferr, sizeof(ferr)) != 0 ||
	    chk.kind != f->kind || chk.arg != f->arg) {
		snprintf(err, cap, "region %s: %s", region, ferr);
		return -1;
	}
	Region *rg = &s->regions[i];
	pthread_mutex_lock(&s->lock);
	rg->fault = *f;
	rg->fault_requests = 0;
	rg->err[0] = '\0';
	unsigned long long my = ++s->gen_req;
	pthread_mutex_unlock(&s->lock);
	if (on_server_thread(s)) {
		/* From a route handler, inside an event batch: the listener
		 * now, idle connections after the batch (wake_drain). */
		region_reconcile(s, i);
		s->reconcile_pending = true;
	} else if (s->started) {
		wake_server(s);
		pthread_mutex_lock(&s->lock);
		while (s->gen_done < my && !s->dead)
			pthread_cond_wait(&s->applied, &s->lock);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	if (rg->err[0] != '\0') {
		snprintf(err, cap, "region %s: cannot listen again: %s", region,
		    rg->err);
		rc = -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		sim_log(s, "%s: fault %s", region, text);
	else
		sim_log(s, "%s", err);
	return rc;
}

SimFault
sim_get_fault(Sim *s, int i)
{
	SimFault f;

	pthread_mutex_lock(&s->lock);
	f = s->regions[i].fault;
	pthread_mutex_unlock(&s->lock);
	return f;
}

long long
sim_region_requests(Sim *s, int i)
{
	long long n;

	pthread_mutex_lock(&s->lock);
	n = s->regions[i].requests;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Under s->lock. */
static bool
tm_choice_locked(Sim *s, char *out, size_t cap)
{
	if (s->forced[0] != '\0') {
		str_copy(out, cap, s->forced);
		return true;
	}
	for (int i = 0; i < s->nregions; i++) {
		if (sim_fault_healthy(&s->regions[i].fault)) {
			str_copy(out, cap, s->regions[i].name);
			return true;
		}
	}
	str_copy(out, cap, s->regions[0].name);
	return false;
}

bool
sim_tm_choice(Sim *s, char *out, size_t cap)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = tm_choice_locked(s, out, cap);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

int
sim_tm_force(Sim *s, const char *region, char *err, size_t cap)
{
	if (region != NULL && strcmp(region, "auto") != 0 &&
	    sim_region_find(s, region) < 0) {
		snprintf(err, cap, "tm force \"%s\": no such region", region);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	str_copy(s->forced, sizeof(s->forced),
	    region == NULL || strcmp(region, "auto") == 0 ? "" : region);
	pthread_mutex_unlock(&s->lock);
	if (region == NULL || strcmp(region, "auto") == 0)
		sim_log(s, "tm: automatic");
	else
		sim_log(s, "tm: forced %s", region);
	return 0;
}

void
sim_tm_forced(Sim *s, char *out, size_t cap)
{
	pthread_mutex_lock(&s->lock);
	str_copy(out, cap, s->forced);
	pthread_mutex_unlock(&s->lock);
}

/* Under s->lock. */
static void
json_region_locked(Sim *s, JsonW *w, int i)
{
	char text[SIM_FAULT_TEXT_MAX];
	Region *rg = &s->regions[i];

	sim_fault_format(&rg->fault, text, sizeof(text));
	jsonw_obj_open(w);
	jsonw_key_str(w, "name", rg->name);
	jsonw_key_str(w, "url", rg->url);
	jsonw_key_int(w, "port", rg->port);
	jsonw_key_str(w, "fault", text);
	jsonw_key_bool(w, "healthy", sim_fault_healthy(&rg->fault));
	jsonw_key_int(w, "requests", rg->requests);
	if (rg->err[0] != '\0')
		jsonw_key_str(w, "error", rg->err);
	jsonw_obj_close(w);
}

/* Under s->lock. */
static void
json_tm_locked(Sim *s, JsonW *w)
{
	char choice[SIM_NAME_MAX];
	bool healthy = tm_choice_locked(s, choice, sizeof(choice));

	jsonw_obj_open(w);
	if (s->forced[0] != '\0')
		jsonw_key_str(w, "forced", s->forced);
	else
		jsonw_key_null(w, "forced");
	jsonw_key_str(w, "choice", choice);
	jsonw_key_bool(w, "healthy", healthy);
	jsonw_obj_close(w);
}

static size_t
json_cap(const Sim *s)
{
	return 1024 + (size_t)s->nregions * (3 * SIM_NAME_MAX + 512);
}

char *
sim_state_json(Sim *s)
{
	size_t cap = json_cap(s);
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	jsonw_obj_open(&w);
	jsonw_key(&w, "regions");
	jsonw_arr_open(&w);
	for (int i = 0; i < s->nregions; i++)
		json_region_locked(s, &w, i);
	jsonw_arr_close(&w);
	jsonw_key(&w, "tm");
	json_tm_locked(s, &w);
	jsonw_obj_close(&w);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: state JSON does not fit in %zu bytes", cap);
	return buf;
}

int
sim_add_route(
    Sim *s, const char *method, const char *prefix, SimRouteFn fn, void *ctx)
{
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (s->nroutes < SIM_MAX_ROUTES) {
		Route *r = &s->routes[s->nroutes++];
		str_copy(
		    r->method, sizeof(r->method), method != NULL ? method : "");
		str_copy(r->prefix, sizeof(r->prefix), prefix);
		r->fn = fn;
		r->ctx = ctx;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- built-in control routes ---- */

static char *
json_error(const char *msg)
{
	char buf[512];
	JsonW w;

	jsonw_init(&w, buf, sizeof(buf));
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "error", msg);
	jsonw_obj_close(&w);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		return xstrdup("{\"error\":\"bad request\"}\n");
	return xstrdup(buf);
}

static void
resp_error(SimResponse *resp, int status, const char *msg)
{
	resp->status = status;
	resp->body = json_error(msg);
}

static char *
region_json(Sim *s, int i)
{
	size_t cap = 3 * SIM_NAME_MAX + 512;
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	json_region_locked(s, &w, i);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: region JSON does not fit");
	return buf;
}

static char *
tm_json(Sim *s)
{
	size_t cap = 3 * SIM_NAME_MAX + 128;
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	json_tm_locked(s, &w);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: tm JSON does not fit");
	return buf;
}

static void
route_fault(Sim *s, const SimRequest *req, SimResponse *resp, int i)
{
	char err[256];
	SimFault f;
	char *text = NULL;

	if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0)
		text = xstrdup(req->body);
	else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0)
		text = httpreq_query_get(req->query, "set");
	else {
		resp_error(resp, 405, "use GET or POST");
		return;
	}
	if (text == NULL) { /* GET without ?set=: the current state */
		resp->status = 200;
		resp->body = region_json(s, i);
		return;
	}
	if (sim_fault_parse(text, &f, err, sizeof(err)) != 0) {
		resp_error(resp, 400, err);
	} else if (sim_set_fault(s, s->regions[i].name, &f, err, sizeof(err)) !=
	    0) {
		resp_error(resp, 500, err);
	} else {
		resp->status = 200;
		resp->body = region_json(s, i);
	}
	free(text);
}

static void
route_force(Sim *s, const SimRequest *req, SimResponse *resp)
{
	char err[256];
	char *text;

	if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0)
		text = xstrdup(req->body);
	else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0)
		text = httpreq_query_get(req->query, "set");
	else {
		resp_error(resp, 405, "use GET or POST");
		return;
	}
	if (text == NULL) {
		resp->status = 200;
		resp->body = tm_json(s);
		return;
	}
	/* Trim white space (curl -d, echo). */
	char *b = text;
	while (is_space(*b))
		b++;
	size_t n = strlen(b);
	while (n > 0 && is_space(b[n - 1]))
		b[--n] = '\0';
	if (n == 0) {
		resp_error(
		    resp, 400, "tm force: body must be a region or auto");
	} else if (sim_tm_force(s, b, err, sizeof(err)) != 0) {
		resp_error(resp, 404, err);
	} else {
		resp->status = 200;
		resp->body = tm_json(s);
	}
	free(text);
}

static void
control_builtin(Sim *s, const SimRequest *req, SimResponse *resp)
{
	const char *p = req->path;
	bool get =
	    strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

	if (strcmp(p, "/") == 0 || strcmp(p, "/regions") == 0 ||
	    strcmp(p, "/regions/") == 0) {
		if (!get) {
			resp_error(resp, 405, "use GET");
			return;
		}
		resp->status = 200;
		resp->body = sim_state_json(s);
		return;
	}
	if (strcmp(p, "/tm") == 0) {
		if (!get) {
			resp_error(resp, 405, "use GET");
			return;
		}
		resp->status = 200;
		resp->body = tm_json(s);
		return;
	}
	if (strcmp(p, "/tm/force") == 0) {
		route_force(s, req, resp);
		return;
	}
	if (str_starts(p, "/regions/")) {
		const char *name = p + strlen("/regions/");
		const char *slash = strchr(name, '/');
		size_t nl =
		    slash != NULL ? (size_t)(slash - name) : strlen(name);
		char rname[SIM_NAME_MAX];
		int i = -1;
		if (nl < sizeof(rname)) {
			memcpy(rname, name, nl);
			rname[nl] = '\0';
			i = sim_region_find(s, rname);
		}
		if (i < 0) {
			char msg[128];
			snprintf(msg, sizeof(msg), "no such region \"%.*s\"",
			    (int)(nl < 64 ? nl : 64), name);
			resp_error(resp, 404, msg);
			return;
		}
		if (slash == NULL || strcmp(slash, "/") == 0) {
			if (!get) {
				resp_error(resp, 405, "use GET");
				return;
			}
			resp->status = 200;
			resp->body = region_json(s, i);
			return;
		}
		if (strcmp(slash, "/fault") == 0) {
			route_fault(s, req, resp, i);
			return;
		}
	}
	resp_error(resp, 404, "no such route (see GET /regions)");
}

static void
control_dispatch(Sim *s, const SimRequest *req, SimResponse *resp)
{
	Route hit = {.fn = NULL};

	pthread_mutex_lock(&s->lock);
	for (int i = s->nroutes - 1; i >= 0; i--) {
		Route *r = &s->routes[i];
		if (r->method[0] != '\0' && strcmp(r->method, req->method) != 0)
			continue;
		if (!str_starts(req->path, r->prefix))
			continue;
		hit = *r;
		break;
	}
	pthread_mutex_unlock(&s->lock);
	if (hit.fn != NULL) {
		hit.fn(s, req, resp, hit.ctx);
		if (resp->status < 100 || resp->status > 599)
			resp->status = 500;
		return;
	}
	control_builtin(s, req, resp);
}
